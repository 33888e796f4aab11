// Package watch builds every CloudWatch metric and alarm of the monitoring and measurement
// constructs, so that two rules hold everywhere:
//
//   - no metric that nobody publishes reaches a widget or an alarm: [Metric] refuses it, and
//     [NewAlarm] checks every metric an alarm reads. A metric is published when AWS publishes it
//     (package published; AWS/ECR has only RepositoryPullCount) or when a state machine of the
//     app does ([RegisterCustomMetric]);
//   - every alarm is made by [NewAlarm], which notifies one topic of both transitions an operator
//     acts on: ALARM (something is wrong) and OK (it is resolved).
package watch

import (
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/published"
)

// custom holds the metrics ("namespace name") that the app's own state machines publish with
// PutMetricData. It is process-wide: once a construct has registered a metric, every later
// construct of the process may chart and alarm on it.
var custom = struct {
	sync.Mutex
	metrics map[string]bool
}{metrics: map[string]bool{}}

// RegisterCustomMetric records a metric that a state machine of the app publishes itself (the
// measurement constructs register theirs when they create the state machine).
func RegisterCustomMetric(namespace, name string) {
	custom.Lock()
	defer custom.Unlock()
	custom.metrics[namespace+" "+name] = true
}

// IsPublished reports whether namespace/name is a metric AWS publishes (package published) or
// one registered with RegisterCustomMetric.
func IsPublished(namespace, name string) bool {
	custom.Lock()
	defer custom.Unlock()
	return custom.metrics[namespace+" "+name] || published.Is(namespace, name)
}

// MustBePublished panics, with an error, when namespace/name is not published: a widget on it
// would stay empty and an alarm on it would never fire.
func MustBePublished(namespace, name string) {
	if !IsPublished(namespace, name) {
		panic(fmt.Errorf("%s %s is not a metric AWS publishes (known: %s); a widget or alarm on it would stay empty",
			namespace, name, strings.Join(published.Keys(), ", ")))
	}
}

// Metric builds a CloudWatch metric after checking that it is published; opts, when not nil,
// override what props say.
func Metric(props *awscloudwatch.MetricProps, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	MustBePublished(*props.Namespace, *props.MetricName)
	return WithOptions(awscloudwatch.NewMetric(props), opts)
}

// WithOptions returns m with opts applied, or m itself when opts is nil.
func WithOptions(m awscloudwatch.Metric, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	if opts == nil {
		return m
	}
	return m.With(opts)
}

// DimensionMetric is a metric of one dimension (Namespace, MetricName, Dimension=Value) with a
// statistic and a label, read in Region and Account when they are not "" (the stack's
// otherwise).
type DimensionMetric struct {
	Namespace, MetricName, Dimension, Value, Statistic, Label, Region, Account string
}

// Metric builds the metric through the package function Metric.
func (d DimensionMetric) Metric(opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	props := &awscloudwatch.MetricProps{
		Namespace:     jsii.String(d.Namespace),
		MetricName:    jsii.String(d.MetricName),
		DimensionsMap: &map[string]*string{d.Dimension: jsii.String(d.Value)},
		Statistic:     jsii.String(d.Statistic),
		Label:         jsii.String(d.Label),
	}
	if d.Region != "" {
		props.Region = jsii.String(d.Region)
	}
	if d.Account != "" {
		props.Account = jsii.String(d.Account)
	}
	return Metric(props, opts)
}

// RuleMetric is an AWS/Events metric (TriggeredRules, FailedInvocations, …; Sum) of a rule on
// the default bus, by the rule's name, in region and account when they are not "". EventBridge
// publishes these metrics only for periods in which they are not zero
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html), so a quiet
// period has no data point: FILL it, or treat missing data as not breaching.
func RuleMetric(metricName, ruleName, label, region, account string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return DimensionMetric{Namespace: "AWS/Events", MetricName: metricName, Dimension: "RuleName", Value: ruleName,
		Statistic: "Sum", Label: label, Region: region, Account: account}.Metric(opts)
}

// Spec describes one alarm: what it reads, when it fires, and the topic it notifies.
type Spec struct {
	// Name is the alarm's plain, deterministic name; Description says what to check.
	Name, Description string
	// Metric is what the alarm reads: a metric, or a math expression over metrics.
	Metric awscloudwatch.IMetric
	// Threshold and Comparison make a static alarm.
	Threshold  float64
	Comparison awscloudwatch.ComparisonOperator
	// AnomalyStdDevs, when above 0, makes an anomaly-detection alarm instead, which fires above
	// a band of that many standard deviations (Threshold and Comparison are then unused).
	AnomalyStdDevs float64
	// Periods is how many consecutive periods must breach (EvaluationPeriods and
	// DatapointsToAlarm alike). Default: 1.
	Periods float64
	// Topic receives the alarm's ALARM and OK transitions. Required.
	Topic awssns.ITopic
}

// NewAlarm creates the alarm of spec in scope as id. Every alarm treats missing data as not
// breaching (EventBridge, Step Functions and the app's custom metrics publish nothing for a
// quiet period), checks that every metric it reads is published, and notifies spec.Topic of
// ALARM and of OK: the operator who was paged learns that the condition ended. An alarm never
// notifies INSUFFICIENT_DATA, which missing data, treated as not breaching, does not cause.
func NewAlarm(scope constructs.Construct, id string, spec Spec) awscloudwatch.Alarm {
	mustBePublishedMetric(spec.Metric)
	periods := spec.Periods
	if periods == 0 {
		periods = 1
	}
	var alarm awscloudwatch.Alarm
	if spec.AnomalyStdDevs > 0 {
		alarm = awscloudwatch.NewAnomalyDetectionAlarm(scope, jsii.String(id), &awscloudwatch.AnomalyDetectionAlarmProps{
			AlarmName:          jsii.String(spec.Name),
			AlarmDescription:   jsii.String(spec.Description),
			Metric:             spec.Metric,
			StdDevs:            jsii.Number(spec.AnomalyStdDevs),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_UPPER_THRESHOLD,
			EvaluationPeriods:  jsii.Number(periods),
			DatapointsToAlarm:  jsii.Number(periods),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
	} else {
		alarm = awscloudwatch.NewAlarm(scope, jsii.String(id), &awscloudwatch.AlarmProps{
			AlarmName:          jsii.String(spec.Name),
			AlarmDescription:   jsii.String(spec.Description),
			Metric:             spec.Metric,
			Threshold:          jsii.Number(spec.Threshold),
			ComparisonOperator: spec.Comparison,
			EvaluationPeriods:  jsii.Number(periods),
			DatapointsToAlarm:  jsii.Number(periods),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
	}
	action := &topicAction{topic: spec.Topic}
	alarm.AddAlarmAction(action)
	alarm.AddOkAction(action)
	return alarm
}

// mustBePublishedMetric checks a metric, or every metric a math expression uses.
func mustBePublishedMetric(m awscloudwatch.IMetric) {
	switch x := m.(type) {
	case awscloudwatch.MathExpression:
		for _, used := range *x.UsingMetrics() {
			mustBePublishedMetric(used)
		}
	case awscloudwatch.Metric:
		MustBePublished(*x.Namespace(), *x.MetricName())
	default:
		panic(fmt.Errorf("an alarm reads a %T, which is neither a metric nor a math expression", m))
	}
}

// topicAction is the alarm action that notifies an SNS topic, as awscloudwatchactions.SnsAction
// does (its Bind returns the topic's ARN). The app links neither that package nor
// awssnssubscriptions: both bring in the Lambda, EC2 and load-balancing bindings, whose
// thousands of registered jsii types jsii-runtime-go checks every Go-overriding object against
// (a ReplicatedRepository per repository and region).
type topicAction struct{ topic awssns.ITopic }

// Bind implements awscloudwatch.IAlarmAction.
func (a *topicAction) Bind(_ constructs.Construct, _ awscloudwatch.IAlarm) *awscloudwatch.AlarmActionConfig {
	return &awscloudwatch.AlarmActionConfig{AlarmActionArn: a.topic.TopicArn()}
}
