package watch

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/jsiitest"
)

func TestMain(m *testing.M) { jsiitest.Main(m) }

// TestPublished: the AWS/ECR metrics that do not exist are refused, with an error naming
// them; a custom metric is accepted once registered, and only then.
func TestPublished(t *testing.T) {
	for _, name := range []string{"RepositoryPushCount", "RepositorySize", "ReplicationLatency", "ReplicationFailureRate"} {
		if IsPublished("AWS/ECR", name) {
			t.Errorf("AWS/ECR %s is listed as published; AWS publishes only RepositoryPullCount", name)
		}
		func() {
			defer func() {
				err, _ := recover().(error)
				if err == nil || !strings.HasPrefix(err.Error(), "AWS/ECR "+name+" is not a metric AWS publishes (known: AWS/Billing EstimatedCharges, ") {
					t.Errorf("MustBePublished(AWS/ECR, %s) panicked with %v; want an error naming it", name, err)
				}
			}()
			MustBePublished("AWS/ECR", name)
		}()
	}
	if !IsPublished("AWS/ECR", "RepositoryPullCount") || !IsPublished("AWS/Events", "FailedInvocations") {
		t.Error("RepositoryPullCount and FailedInvocations are published")
	}
	if IsPublished("WatchTest", "Custom") {
		t.Fatal("WatchTest Custom is published before anyone registers it")
	}
	RegisterCustomMetric("WatchTest", "Custom")
	if !IsPublished("WatchTest", "Custom") || IsPublished("WatchTest", "Other") {
		t.Error("RegisterCustomMetric admits exactly the registered metric")
	}
}

// alarmFixture is one stack with a static alarm over a math expression and an anomaly alarm,
// synthesized once.
type alarmFixture struct {
	static, anomaly awscloudwatch.Alarm
	template        cfntest.Template
}

var theAlarmFixture *alarmFixture

func getAlarmFixture(t *testing.T) *alarmFixture {
	t.Helper()
	if theAlarmFixture != nil {
		return theAlarmFixture
	}
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Alarms"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	topic := awssns.Topic_FromTopicArn(stack, jsii.String("Topic"), jsii.String("arn:aws:sns:us-east-1:111111111111:alerts"))
	f := &alarmFixture{}
	failed := RuleMetric("FailedInvocations", "my-rule", "failed", "", "", nil)
	f.static = NewAlarm(stack, "Static", Spec{
		Name: "static-alarm", Description: "fails", Topic: topic, Threshold: 1,
		Comparison: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String("FILL(f, 0)"), UsingMetrics: &map[string]awscloudwatch.IMetric{"f": failed},
		}),
	})
	f.anomaly = NewAlarm(stack, "Anomaly", Spec{
		Name: "anomaly-alarm", Description: "unusual pulls", Topic: topic, AnomalyStdDevs: 2.5, Periods: 2,
		Metric: DimensionMetric{Namespace: "AWS/ECR", MetricName: "RepositoryPullCount", Dimension: "RepositoryName",
			Value: "team/api", Statistic: "Sum", Label: "pulls"}.Metric(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Hours(jsii.Number(1))}),
	})
	f.template = cfntest.FromValue(assertions.Template_FromStack(stack, nil).ToJSON())
	theAlarmFixture = f
	return f
}

func alarmNamed(t *testing.T, tmpl cfntest.Template, name string) map[string]any {
	t.Helper()
	for _, r := range tmpl.Resources("AWS::CloudWatch::Alarm") {
		if r.Properties["AlarmName"] == name {
			return r.Properties
		}
	}
	t.Fatalf("no alarm %s", name)
	return nil
}

func TestNewAlarm(t *testing.T) {
	f := getAlarmFixture(t)
	const topic = `["arn:aws:sns:us-east-1:111111111111:alerts"]`
	t.Run("a static alarm notifies ALARM and OK, one period, missing data not breaching", func(t *testing.T) {
		p := alarmNamed(t, f.template, "static-alarm")
		if cfntest.JSON(p["AlarmActions"]) != topic || cfntest.JSON(p["OKActions"]) != topic {
			t.Errorf("actions %s / %s", cfntest.JSON(p["AlarmActions"]), cfntest.JSON(p["OKActions"]))
		}
		if p["Threshold"] != 1.0 || p["ComparisonOperator"] != "GreaterThanOrEqualToThreshold" || p["EvaluationPeriods"] != 1.0 ||
			p["DatapointsToAlarm"] != 1.0 || p["TreatMissingData"] != "notBreaching" || p["AlarmDescription"] != "fails" {
			t.Errorf("alarm %s", cfntest.JSON(p))
		}
		if _, has := p["InsufficientDataActions"]; has {
			t.Error("INSUFFICIENT_DATA is notified")
		}
	})
	t.Run("an anomaly alarm fires above the band and notifies ALARM and OK", func(t *testing.T) {
		p := alarmNamed(t, f.template, "anomaly-alarm")
		if cfntest.JSON(p["AlarmActions"]) != topic || cfntest.JSON(p["OKActions"]) != topic {
			t.Errorf("actions %s / %s", cfntest.JSON(p["AlarmActions"]), cfntest.JSON(p["OKActions"]))
		}
		if p["ComparisonOperator"] != "GreaterThanUpperThreshold" || p["EvaluationPeriods"] != 2.0 || p["DatapointsToAlarm"] != 2.0 ||
			p["TreatMissingData"] != "notBreaching" || p["ThresholdMetricId"] == nil {
			t.Errorf("alarm %s", cfntest.JSON(p))
		}
		if m := cfntest.JSON(p["Metrics"]); !strings.Contains(m, `"Expression":"ANOMALY_DETECTION_BAND(m0, 2.5)"`) ||
			!strings.Contains(m, `"Dimensions":[{"Name":"RepositoryName","Value":"team/api"}],"MetricName":"RepositoryPullCount","Namespace":"AWS/ECR"`) {
			t.Errorf("metrics %s", m)
		}
	})
	t.Run("the alarms are returned as awscloudwatch.Alarm", func(t *testing.T) {
		cfntest.ExpectOK(t, func() {
			if _, ok := f.anomaly.(awscloudwatch.AnomalyDetectionAlarm); !ok {
				t.Errorf("the anomaly alarm is a %T", f.anomaly)
			}
			if f.static.AlarmArn() == nil {
				t.Error("no ARN")
			}
		})
	})
}

// TestNewAlarmRefusesUnpublishedMetrics: an alarm may not read a metric nobody publishes,
// also when it is hidden in a math expression and built without Metric.
func TestNewAlarmRefusesUnpublishedMetrics(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Refused"), nil)
	topic := awssns.Topic_FromTopicArn(stack, jsii.String("Topic"), jsii.String("arn:aws:sns:us-east-1:111111111111:alerts"))
	size := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{Namespace: jsii.String("AWS/ECR"), MetricName: jsii.String("RepositorySize")})
	for name, metric := range map[string]awscloudwatch.IMetric{
		"a metric": size,
		"a math expression": awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String("s + p"), UsingMetrics: &map[string]awscloudwatch.IMetric{"s": size, "p": RuleMetric("TriggeredRules", "r", "r", "", "", nil)},
		}),
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				err, _ := recover().(error)
				if err == nil || !strings.HasPrefix(err.Error(), "AWS/ECR RepositorySize is not a metric AWS publishes") {
					t.Errorf("panicked with %v; want the unpublished metric named", err)
				}
			}()
			NewAlarm(stack, "Alarm", Spec{Name: "a", Metric: metric, Topic: topic, Threshold: 1, Comparison: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD})
		})
	}
	func() {
		defer func() {
			if err, _ := recover().(error); err == nil || !strings.Contains(err.Error(), "AWS/ECR RepositorySize") {
				t.Errorf("Metric panicked with %v; want the unpublished metric named", err)
			}
		}()
		Metric(&awscloudwatch.MetricProps{Namespace: jsii.String("AWS/ECR"), MetricName: jsii.String("RepositorySize")}, nil)
	}()
}

func TestMetrics(t *testing.T) {
	cfntest.ExpectOK(t, func() {
		m := RuleMetric("TriggeredRules", "ecr-x-pushes", "pushes", "eu-west-1", "222222222222", &awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5))})
		got := []string{*m.Namespace(), *m.MetricName(), (*m.Dimensions())["RuleName"].(string), *m.Statistic(), *m.Label(), *m.Region(), *m.Account()}
		want := []string{"AWS/Events", "TriggeredRules", "ecr-x-pushes", "Sum", "pushes", "eu-west-1", "222222222222"}
		if strings.Join(got, " ") != strings.Join(want, " ") || *m.Period().ToSeconds(nil) != 300 {
			t.Errorf("RuleMetric = %v, period %v; want %v, 300 s", got, *m.Period().ToSeconds(nil), want)
		}
		here := DimensionMetric{Namespace: "AWS/ECR", MetricName: "RepositoryPullCount", Dimension: "RepositoryName", Value: "a/b", Statistic: "Sum", Label: "l"}.Metric(nil)
		if here.Region() != nil || here.Account() != nil || *here.Period().ToSeconds(nil) != 300 {
			t.Errorf("a metric without region and account: region %v, account %v", here.Region(), here.Account())
		}
		if WithOptions(here, nil) != here {
			t.Error("WithOptions(m, nil) is not m")
		}
	})
}
