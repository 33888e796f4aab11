package monitoring_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
)

// metricText renders a metric's namespace, name, dimensions, statistic, label, region and
// account, and its period in seconds, on one line.
func metricText(m awscloudwatch.Metric) string {
	opt := func(s *string) string {
		if s == nil {
			return "-"
		}
		return *s
	}
	return fmt.Sprintf("%s %s %v %s %q %s %s %gs", *m.Namespace(), *m.MetricName(), *m.Dimensions(), *m.Statistic(), opt(m.Label()),
		opt(m.Region()), opt(m.Account()), *m.Period().ToSeconds(nil))
}

func TestDeliveryAlarms(t *testing.T) {
	f := getFixture(t, "delivery")
	alarms := alarmsByName(f.stack("Delivery").tmpl())
	first, second := alarms["ecr-enterprise-apps-undelivered-events"], alarms["ecr-enterprise-apps-undelivered-events-2"]
	if first == nil || second == nil {
		t.Fatalf("alarms %v; want ecr-enterprise-apps-undelivered-events and -2 (11 rules, 10 a alarm)", keysOf(alarms))
	}
	t.Run("one alarm per 10 rules, each the sum of their FailedInvocations", func(t *testing.T) {
		var terms []string
		for i := 0; i < 10; i++ {
			terms = append(terms, fmt.Sprintf("FILL(r%d, 0)", i))
		}
		for _, c := range []struct {
			alarm map[string]any
			expr  string
			rules []string
		}{{first, strings.Join(terms, " + "), []string{"rule-00", "rule-09"}}, {second, "FILL(r0, 0)", []string{"rule-10"}}} {
			metrics := cfntest.JSON(c.alarm["Metrics"])
			if !strings.Contains(metrics, `"Expression":"`+c.expr+`"`) || strings.Count(metrics, `"MetricName":"FailedInvocations"`) != strings.Count(c.expr, "FILL") ||
				!strings.Contains(metrics, `"Period":300`) {
				t.Errorf("metrics %s; want %s over 5 minutes", metrics, c.expr)
			}
			for _, r := range c.rules {
				if !strings.Contains(metrics, `{"Name":"RuleName","Value":"`+r+`"}`) {
					t.Errorf("metrics lack rule %s: %s", r, metrics)
				}
			}
			if c.alarm["Threshold"] != 1.0 || c.alarm["ComparisonOperator"] != "GreaterThanOrEqualToThreshold" || c.alarm["TreatMissingData"] != "notBreaching" {
				t.Errorf("alarm %s", cfntest.JSON(c.alarm))
			}
		}
		if d := second["AlarmDescription"].(string); !strings.HasPrefix(d, "EventBridge failed to deliver events of rule-10 to their targets") {
			t.Errorf("description %q", d)
		}
	})
	t.Run("Alarms() and AlarmNames", func(t *testing.T) {
		if got := len(f.delivery.Alarms()); got != 2 || strings.Join(f.delivery.AlarmNames, " ") != "ecr-enterprise-apps-undelivered-events ecr-enterprise-apps-undelivered-events-2" {
			t.Errorf("Alarms() = %d, AlarmNames = %v", got, f.delivery.AlarmNames)
		}
	})
}

func TestLifecycleTrail(t *testing.T) {
	f := getFixture(t, "delivery")
	trail := onlyResource(t, f.stack("Delivery"), "AWS::CloudTrail::Trail", "Trail")
	if got := cfntest.JSON(trail.Properties); !strings.Contains(got, `"EnableLogFileValidation":true,"EventSelectors":[{"IncludeManagementEvents":true,"ReadWriteType":"All"}],"IncludeGlobalServiceEvents":true,"IsLogging":true,"IsMultiRegionTrail":true`) ||
		!strings.Contains(got, `"Tags":[{"Key":"Project","Value":"ecr-replication"}],"TrailName":"ecr-enterprise-apps-management-events"`) {
		t.Errorf("trail %s", got)
	}
	bucket := onlyResource(t, f.stack("Delivery"), "AWS::S3::Bucket", "TrailBucket")
	bp := cfntest.JSON(bucket.Properties)
	for _, want := range []string{`"VersioningConfiguration":{"Status":"Enabled"}`,
		// CT.S3.PR.3/PR.6 and PR.4, at no cost: no log file is ever expired.
		`"LifecycleConfiguration":{"Rules":[{"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7},"Id":"AbortIncompleteUploads","Status":"Enabled"}]}`,
		`"NotificationConfiguration":{"EventBridgeConfiguration":{"EventBridgeEnabled":true}}`} {
		if !strings.Contains(bp, want) {
			t.Errorf("bucket lacks %s: %s", want, bp)
		}
	}
	if bucket.Raw["DeletionPolicy"] != "Retain" {
		t.Errorf("bucket %s", cfntest.JSON(bucket.Raw))
	}
	// Both statements for this trail only (aws:SourceArn, CloudTrail user guide,
	// create-s3-bucket-policy-for-cloudtrail.html).
	sourceArn := `"aws:SourceArn":"arn:aws:cloudtrail:eu-west-1:111111111111:trail/ecr-enterprise-apps-management-events"`
	policy := cfntest.JSON(onlyResource(t, f.stack("Delivery"), "AWS::S3::BucketPolicy", "TrailBucket").Properties)
	for _, want := range []string{`"Action":"s3:GetBucketAcl","Condition":{"StringEquals":{` + sourceArn + `}},"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"}`,
		`"Action":"s3:PutObject","Condition":{"StringEquals":{` + sourceArn + `,"s3:x-amz-acl":"bucket-owner-full-control"}},"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"}`,
		`"/AWSLogs/111111111111/*"`} {
		if !strings.Contains(policy, want) {
			t.Errorf("bucket policy lacks %s: %s", want, policy)
		}
	}
	cfntest.ExpectOK(t, func() {
		arn := cfntest.JSON(awscdk.Stack_Of(f.trail).Resolve(f.trail.TrailArn()))
		if arn != `{"Fn::GetAtt":["`+trail.LogicalID+`","Arn"]}` {
			t.Errorf("TrailArn() resolves to %s", arn)
		}
	})
}

func TestSourceMonitorAccessors(t *testing.T) {
	f, all := getFixture(t, "delivery"), getFixture(t, "default")
	cfntest.ExpectOK(t, func() {
		hour := &awscloudwatch.MetricOptions{Period: awscdk.Duration_Hours(jsii.Number(1))}
		for got, want := range map[string]string{
			metricText(f.source.MetricPulls("enterprise-apps/web", "", hour)):         `AWS/ECR RepositoryPullCount map[RepositoryName:enterprise-apps/web] Sum "enterprise-apps/web" - - 3600s`,
			metricText(f.source.MetricPulls("enterprise-apps/web", "us-west-2", nil)): `AWS/ECR RepositoryPullCount map[RepositoryName:enterprise-apps/web] Sum "us-west-2" us-west-2 222222222222 300s`,
			metricText(f.source.MetricPushes("enterprise-apps/api", nil)):             `AWS/Events TriggeredRules map[RuleName:ecr-enterprise-apps-pushes-to-api] Sum "enterprise-apps/api" - - 300s`,
			metricText(f.source.MetricNamespacePushes(hour).(awscloudwatch.Metric)):   `AWS/Events TriggeredRules map[RuleName:ecr-enterprise-apps-pushes] Sum "pushes to enterprise-apps/" - - 3600s`,
		} {
			if got != want {
				t.Errorf("metric %s; want %s", got, want)
			}
		}
		// Every repository watched one by one: the namespace's pushes are their sum.
		if e := *all.source.MetricNamespacePushes(nil).(awscloudwatch.MathExpression).Expression(); e != "FILL(p0, 0) + FILL(p1, 0)" {
			t.Errorf("MetricNamespacePushes = %q", e)
		}
		if a := f.source.Alarms(); len(a) != 3 || a[0] != f.source.PullAlarms[0] || a[1] != f.source.PushAlarms[0] || a[2] != f.source.NamespacePushAlarm {
			t.Errorf("Alarms() = %v; want the pull, the push and the namespace alarm", a)
		}
	})
	cfntest.ExpectPanic(t, func() { f.source.MetricPushes("enterprise-apps/web", nil) }, "enterprise-apps/web is not one of the repositories watched one by one")
	for fx, want := range map[string]string{
		"delivery": "ecr-enterprise-apps-scan-findings",
		"default":  "ecr-enterprise-apps-scan-findings ecr-enterprise-apps-lifecycle-expirations",
	} {
		if got := strings.Join(getFixture(t, fx).source.NotifyingRuleNames(), " "); got != want {
			t.Errorf("%s: NotifyingRuleNames() = %s; want %s", fx, got, want)
		}
	}
}

func TestReplicationMonitorAccessors(t *testing.T) {
	f := getFixture(t, "default")
	r := f.replica
	cfntest.ExpectOK(t, func() {
		for got, want := range map[string]string{
			metricText(r.MetricSucceeded(nil)):                                                         `AWS/Events TriggeredRules map[RuleName:ecr-enterprise-apps-replicated-from-us-east-1] Sum "Replicated" - - 3600s`,
			metricText(r.MetricFailed(nil)):                                                            `AWS/Events TriggeredRules map[RuleName:ecr-enterprise-apps-replication-failed-from-us-east-1] Sum "Failed" - - 3600s`,
			metricText(r.Lifecycle.MetricExpirationEvents(nil)):                                        `AWS/Events TriggeredRules map[RuleName:ecr-enterprise-apps-lifecycle-expirations] Sum "Lifecycle expiration records" - - 300s`,
			*r.MetricFailureRate().Expression():                                                        "IF((FILL(failed, 0) + FILL(succeeded, 0)) >= 5, 100 * FILL(failed, 0) / (FILL(failed, 0) + FILL(succeeded, 0)), 0)",
			strings.Join([]string{r.SucceededRuleName, r.FailedRuleName, r.FailureRateAlarmName}, " "): "ecr-enterprise-apps-replicated-from-us-east-1 ecr-enterprise-apps-replication-failed-from-us-east-1 ecr-enterprise-apps-replication-failure-rate-from-us-east-1",
			strings.Join(r.NotifyingRuleNames(), " "):                                                  "ecr-enterprise-apps-replication-failed-from-us-east-1 ecr-enterprise-apps-lifecycle-expirations",
		} {
			if got != want {
				t.Errorf("got %s\nwant %s", got, want)
			}
		}
		if a := r.Alarms(); len(a) != 1 || a[0] != r.FailureRateAlarm {
			t.Errorf("Alarms() = %v", a)
		}
		if topics := f.topics.Topics(); len(topics) != 3 || topics[0] != f.topics.Alert || topics[1] != f.topics.Security || topics[2] != f.topics.Lifecycle {
			t.Errorf("Topics() = %v; want Alert, Security, Lifecycle", topics)
		}
		if topics := getFixture(t, "delivery").topics.Topics(); len(topics) != 2 {
			t.Errorf("Topics() without the lifecycle topic = %d topics", len(topics))
		}
	})
}

// TestStorageWidgets: with Storage, the dashboard charts every region's storage, each line in
// the region (and the account) that measures it.
func TestStorageWidgets(t *testing.T) {
	widgets, err := cfntest.DashboardWidgets(getFixture(t, "delivery").stack("Delivery").tmpl())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range widgets {
		for _, m := range w.Metrics {
			if m.Key() == "ECRReplication StoredLogicalBytes" {
				got = append(got, fmt.Sprintf("%s %s %v", m.Region, m.Account, m.Dimensions))
			}
		}
	}
	want := "eu-west-1  map[RepositoryPrefix:enterprise-apps]|eu-west-1  map[RepositoryName:enterprise-apps/api]|" +
		"us-west-2 222222222222 map[RepositoryPrefix:enterprise-apps]|us-west-2 222222222222 map[RepositoryName:enterprise-apps/api]"
	if strings.Join(got, "|") != want {
		t.Errorf("storage lines\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
}

// alarmsByName returns the alarms of a template by AlarmName.
func alarmsByName(tmpl cfntest.Template) map[string]map[string]any {
	alarms := map[string]map[string]any{}
	for _, a := range tmpl.Resources("AWS::CloudWatch::Alarm") {
		alarms[fmt.Sprint(a.Properties["AlarmName"])] = a.Properties
	}
	return alarms
}

func keysOf(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
