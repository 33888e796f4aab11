package monitoring_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/pricing"
)

func count(t *testing.T, tmpl assertions.Template, typ string, n float64) {
	t.Helper()
	cfntest.ExpectOK(t, func() { tmpl.ResourceCountIs(jsii.String(typ), jsii.Number(n)) })
}

func TestDefaultSourceTopics(t *testing.T) {
	tmpl := getFixture(t, "default").stack("Source").template
	t.Run("creates three encrypted topics with one rotating key and no subscription", func(t *testing.T) {
		count(t, tmpl, "AWS::SNS::Topic", 3)
		count(t, tmpl, "AWS::KMS::Key", 1)
		count(t, tmpl, "AWS::SNS::Subscription", 0)
		cfntest.ExpectOK(t, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]interface{}{"EnableKeyRotation": true})
		})
		cfntest.ExpectOK(t, func() {
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::SNS::Topic"), map[string]interface{}{
				"KmsMasterKeyId": assertions.Match_ObjectLike(&map[string]interface{}{"Fn::GetAtt": assertions.Match_AnyValue()}),
			}, jsii.Number(3))
		})
	})
	t.Run("lets EventBridge and CloudWatch use the key only for SNS topics of this account and region", func(t *testing.T) {
		for _, service := range []string{"events.amazonaws.com", "cloudwatch.amazonaws.com"} {
			cfntest.ExpectOK(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]interface{}{
					"KeyPolicy": assertions.Match_ObjectLike(&map[string]interface{}{
						"Statement": assertions.Match_ArrayWith(&[]interface{}{assertions.Match_ObjectLike(&map[string]interface{}{
							"Principal": map[string]interface{}{"Service": service},
							"Action":    []interface{}{"kms:Decrypt", "kms:GenerateDataKey*"},
							"Condition": assertions.Match_ObjectLike(&map[string]interface{}{
								"StringLike": assertions.Match_ObjectLike(&map[string]interface{}{
									"kms:EncryptionContext:aws:sns:topicArn": assertions.Match_AnyValue(),
								}),
							}),
						})}),
					}),
				})
			})
		}
	})
	t.Run("denies publishing without TLS and grants EventBridge and CloudWatch on each topic", func(t *testing.T) {
		cfntest.ExpectOK(t, func() {
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::SNS::TopicPolicy"), map[string]interface{}{
				"PolicyDocument": assertions.Match_ObjectLike(&map[string]interface{}{
					"Statement": assertions.Match_ArrayWith(&[]interface{}{
						assertions.Match_ObjectLike(&map[string]interface{}{
							"Effect": "Deny", "Action": "sns:Publish", "Principal": "*",
							"Condition": map[string]interface{}{"Bool": map[string]interface{}{"aws:SecureTransport": "false"}},
						}),
						// EventBridge: exactly the statement the EventBridge user guide gives (no
						// Condition; see TestEventBridgeStatementsHaveNoCondition).
						assertions.Match_ObjectLike(&map[string]interface{}{
							"Effect": "Allow", "Principal": map[string]interface{}{"Service": "events.amazonaws.com"},
							"Action": "sns:Publish",
						}),
						assertions.Match_ObjectLike(&map[string]interface{}{
							"Effect": "Allow", "Principal": map[string]interface{}{"Service": "cloudwatch.amazonaws.com"},
							"Condition": map[string]interface{}{"ArnLike": map[string]interface{}{"aws:SourceArn": map[string]interface{}{
								"Fn::Join": []interface{}{"", []interface{}{"arn:aws:cloudwatch:us-east-1:", map[string]interface{}{"Ref": "AWS::AccountId"}, ":alarm:*"}},
							}}},
						}),
					}),
				}),
			}, jsii.Number(3))
		})
	})
}

func TestDefaultSourceStack(t *testing.T) {
	tmpl := getFixture(t, "default").stack("Source").template
	t.Run("has one push rule per repository, the scan-findings and the lifecycle rule", func(t *testing.T) {
		count(t, tmpl, "AWS::Events::Rule", 4)
		cfntest.ExpectOK(t, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]interface{}{
				"Name":  "ecr-enterprise-apps-lifecycle-expirations",
				"State": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
			})
		})
	})
	t.Run("alarms on unusual pulls and pushes of each repository with anomaly detection", func(t *testing.T) {
		count(t, tmpl, "AWS::CloudWatch::Alarm", 4)
		for _, name := range []string{"pull-anomaly-production", "pull-anomaly-testing", "push-anomaly-production", "push-anomaly-testing"} {
			cfntest.ExpectOK(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]interface{}{
					"AlarmName":          "ecr-enterprise-apps-" + name,
					"ComparisonOperator": "GreaterThanUpperThreshold",
					"ThresholdMetricId":  assertions.Match_AnyValue(),
					"TreatMissingData":   "notBreaching",
					"AlarmActions":       assertions.Match_AnyValue(),
					"OKActions":          assertions.Match_AnyValue(), // the resolved notice too

					"Metrics": assertions.Match_ArrayWith(&[]interface{}{assertions.Match_ObjectLike(&map[string]interface{}{
						"Expression": assertions.Match_StringLikeRegexp(jsii.String(`ANOMALY_DETECTION_BAND\(m0, 3\)`)),
					})}),
				})
			})
		}
	})
	t.Run("owns the dashboard", func(t *testing.T) {
		count(t, tmpl, "AWS::CloudWatch::Dashboard", 1)
		cfntest.ExpectOK(t, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Dashboard"), map[string]interface{}{
				"DashboardName": "ecr-enterprise-apps-replication",
			})
		})
	})
	t.Run("delivers push events to a log group through a native resource policy", func(t *testing.T) {
		count(t, tmpl, "AWS::Logs::LogGroup", 1)
		count(t, tmpl, "AWS::Logs::ResourcePolicy", 1)
		cfntest.ExpectOK(t, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]interface{}{"RetentionInDays": 30})
		})
	})
}

func TestDefaultReplicaStack(t *testing.T) {
	tmpl := getFixture(t, "default").stack("Replica-us-west-2").template
	t.Run("creates the alert and lifecycle topics only", func(t *testing.T) {
		count(t, tmpl, "AWS::SNS::Topic", 2)
	})
	t.Run("alarms when more than 10 percent of at least 5 attempts fail in an hour", func(t *testing.T) {
		count(t, tmpl, "AWS::CloudWatch::Alarm", 1)
		cfntest.ExpectOK(t, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]interface{}{
				"AlarmName":          "ecr-enterprise-apps-replication-failure-rate-from-us-east-1",
				"Threshold":          10,
				"ComparisonOperator": "GreaterThanThreshold",
				"EvaluationPeriods":  1,
				"TreatMissingData":   "notBreaching",
				"AlarmActions":       assertions.Match_AnyValue(),
				"OKActions":          assertions.Match_AnyValue(),
				"Metrics": assertions.Match_ArrayWith(&[]interface{}{
					assertions.Match_ObjectLike(&map[string]interface{}{
						"Expression": assertions.Match_StringLikeRegexp(jsii.String(`^IF\(\(FILL\(failed, 0\) \+ FILL\(succeeded, 0\)\) >= 5, 100 \* FILL`)),
					}),
					assertions.Match_ObjectLike(&map[string]interface{}{
						"Id": "failed",
						"MetricStat": assertions.Match_ObjectLike(&map[string]interface{}{
							"Period": 3600, "Stat": "Sum",
							"Metric": assertions.Match_ObjectLike(&map[string]interface{}{
								"Namespace": "AWS/Events", "MetricName": "TriggeredRules",
								"Dimensions": []interface{}{map[string]interface{}{"Name": "RuleName", "Value": "ecr-enterprise-apps-replication-failed-from-us-east-1"}},
							}),
						}),
					}),
				}),
			})
		})
	})
	t.Run("notifies failures at once with a readable message and logs every outcome", func(t *testing.T) {
		cfntest.ExpectOK(t, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]interface{}{
				"Name": "ecr-enterprise-apps-replication-failed-from-us-east-1",
				"Targets": assertions.Match_ArrayWith(&[]interface{}{
					assertions.Match_ObjectLike(&map[string]interface{}{
						"Id": "Topic",
						"InputTransformer": assertions.Match_ObjectLike(&map[string]interface{}{
							"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String("<repository>:<tag> \\(<digest>\\) from <sourceRegion>")),
						}),
					}),
					assertions.Match_ObjectLike(&map[string]interface{}{"Id": "EventLog"}),
				}),
			})
		})
		cfntest.ExpectOK(t, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]interface{}{
				"Name":    "ecr-enterprise-apps-replicated-from-us-east-1",
				"Targets": []interface{}{assertions.Match_ObjectLike(&map[string]interface{}{"Id": "EventLog"})},
			})
		})
	})
	t.Run("does not filter on the source account when none is given", func(t *testing.T) {
		cfntest.ExpectOK(t, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]interface{}{
				"Name": "ecr-enterprise-apps-replication-failed-from-us-east-1",
				"EventPattern": assertions.Match_ObjectLike(&map[string]interface{}{
					"detail": assertions.Match_ObjectLike(&map[string]interface{}{"source-account": assertions.Match_Absent()}),
				}),
			})
		})
	})
}

func TestEmailFixture(t *testing.T) {
	f := getFixture(t, "email")
	src, replica := f.stack("Source").template, f.stack("Replica-us-west-2").template
	t.Run("subscribes the alert e-mail to every topic", func(t *testing.T) {
		for _, c := range []struct {
			tmpl assertions.Template
			n    float64
		}{{src, 3}, {replica, 2}} {
			cfntest.ExpectOK(t, func() {
				c.tmpl.ResourcePropertiesCountIs(jsii.String("AWS::SNS::Subscription"), map[string]interface{}{
					"Protocol": "email", "Endpoint": "ops@example.com",
				}, jsii.Number(c.n))
			})
		}
	})
	t.Run("uses the key passed in and creates none", func(t *testing.T) {
		count(t, src, "AWS::KMS::Key", 1)
		keyID := onlyResource(t, f.stack("Source"), "AWS::KMS::Key", "SharedKey").LogicalID
		cfntest.ExpectOK(t, func() {
			src.ResourcePropertiesCountIs(jsii.String("AWS::SNS::Topic"), map[string]interface{}{
				"KmsMasterKeyId": map[string]interface{}{"Fn::GetAtt": []interface{}{keyID, "Arn"}},
			}, jsii.Number(3))
		})
	})
	t.Run("creates no activity alarms when they are off", func(t *testing.T) {
		count(t, src, "AWS::CloudWatch::Alarm", 0)
	})
	t.Run("adds the Inspector findings rule with enhanced scanning", func(t *testing.T) {
		cfntest.ExpectOK(t, func() {
			src.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]interface{}{
				"Name": "ecr-enterprise-apps-inspector-scan-findings",
				"EventPattern": assertions.Match_ObjectLike(&map[string]interface{}{
					"source": []interface{}{"aws.inspector2"}, "detail-type": []interface{}{"Inspector2 Scan"},
				}),
			})
		})
	})
	t.Run("reads the cross-account destination's metrics from its account", func(t *testing.T) {
		cfntest.ExpectOK(t, func() {
			src.HasResourceProperties(jsii.String("AWS::CloudWatch::Dashboard"), map[string]interface{}{
				"DashboardBody": assertions.Match_AnyValue(),
			})
		})
		dashboard := onlyResource(t, f.stack("Source"), "AWS::CloudWatch::Dashboard", "")
		body := cfntest.FlattenJoin(dashboard.Properties["DashboardBody"])
		for _, want := range []string{`"accountId":"222222222222"`, `arn:aws:cloudwatch:us-west-2:222222222222:alarm:ecr-enterprise-apps-replication-failure-rate-from-us-east-1`} {
			if !strings.Contains(body, want) {
				t.Errorf("dashboard body lacks %s", want)
			}
		}
	})
	t.Run("filters replication events on the source account and uses the custom thresholds", func(t *testing.T) {
		cfntest.ExpectOK(t, func() {
			replica.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]interface{}{
				"Name": "ecr-enterprise-apps-replication-failed-from-us-east-1",
				"EventPattern": assertions.Match_ObjectLike(&map[string]interface{}{
					"detail": assertions.Match_ObjectLike(&map[string]interface{}{"source-account": []interface{}{"111111111111"}}),
				}),
			})
		})
		cfntest.ExpectOK(t, func() {
			replica.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]interface{}{
				"Threshold": 0,
				"Metrics": assertions.Match_ArrayWith(&[]interface{}{
					assertions.Match_ObjectLike(&map[string]interface{}{"Expression": assertions.Match_StringLikeRegexp(jsii.String(`>= 1,`))}),
					assertions.Match_ObjectLike(&map[string]interface{}{"MetricStat": assertions.Match_ObjectLike(&map[string]interface{}{"Period": 900})}),
				}),
			})
		})
	})
}

// onlyResource returns the single resource of a type whose logical id starts with prefix.
func onlyResource(t *testing.T, s *stackFixture, typ, prefix string) cfntest.Resource {
	t.Helper()
	var found []cfntest.Resource
	for _, r := range s.tmpl().Resources(typ) {
		if strings.HasPrefix(r.LogicalID, prefix) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: %d resources of type %s with prefix %q, want 1", s.name, len(found), typ, prefix)
	}
	return found[0]
}

// TestMonthlyCostOfTheDefaultContext: the counts of the default fixture, priced by hand at
// pricing.ListPrices: 4 alarm metrics x $0.10 + 4 anomaly alarms x $0.30 + 3 keys x $1 = $4.60.
func TestMonthlyCostOfTheDefaultContext(t *testing.T) {
	f := getFixture(t, "default")
	var templates []map[string]interface{}
	for _, s := range f.stacks {
		templates = append(templates, s.json)
	}
	got := pricing.EstimateMonthlyCost(pricing.ListPrices, templates...)
	t.Log(got.String())
	want := pricing.Estimate{
		StandardAlarms: 2, StandardAlarmMetrics: 4, AnomalyAlarms: 4,
		Dashboards: 1, KMSKeys: 3, Rules: 10, LogGroups: 3, CustomMetrics: 0,
		FixedMonthlyUSD: 4.60, // the README cost table states these numbers
	}
	got.Lines = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EstimateMonthlyCost = %+v; want %+v", got, want)
	}
	// With three dashboards already in the account, this one costs $3.
	crowded := pricing.ListPrices
	crowded.FreeDashboards = 0
	if c := pricing.EstimateMonthlyCost(crowded, templates...); math.Abs(c.FixedMonthlyUSD-7.60) > 1e-9 {
		t.Errorf("without free dashboards: $%.2f; want $7.60", c.FixedMonthlyUSD)
	}
}

// TestDefaultNamePrefix: the prefix every construct defaults to; a long namespace is cut to
// 40 characters with the first 8 hex digits of the SHA-256 of the whole name (computed
// outside Go), so that two long namespaces stay apart.
func TestDefaultNamePrefix(t *testing.T) {
	for namespace, want := range map[string]string{
		"enterprise-apps":                       "ecr-enterprise-apps",
		"team/apps":                             "ecr-team-apps",
		strings.Repeat("a1234567890", 10):       "ecr-a1234567890a1234567890a1234-9a7615b0",
		strings.Repeat("a1234567890", 10) + "c": "ecr-a1234567890a1234567890a1234-b69ae6b2",
	} {
		if got := monitoring.DefaultNamePrefix(namespace); got != want {
			t.Errorf("DefaultNamePrefix(%q) = %q; want %q", namespace, got, want)
		}
	}
}

// TestEventBridgeStatementsHaveNoCondition: the EventBridge user guide (resource-based
// policies, "Amazon SNS permissions") says Condition blocks cannot be used in SNS topic
// policies for EventBridge: with one, deliveries fail silently. Every topic policy of every
// fixture grants events.amazonaws.com sns:Publish on its topic with no Condition, and
// cloudwatch.amazonaws.com only under aws:SourceArn of this account's alarms.
func TestEventBridgeStatementsHaveNoCondition(t *testing.T) {
	checked := 0
	for _, s := range allStacks(t) {
		for _, r := range s.tmpl().Resources("AWS::SNS::TopicPolicy") {
			doc, _ := r.Properties["PolicyDocument"].(map[string]any)
			events, alarms := 0, 0
			for _, st := range doc["Statement"].([]any) {
				st := st.(map[string]any)
				principal := cfntest.JSON(st["Principal"])
				switch principal {
				case `{"Service":"events.amazonaws.com"}`:
					events++
					if _, has := st["Condition"]; has || st["Action"] != "sns:Publish" || st["Effect"] != "Allow" {
						t.Errorf("%s/%s: EventBridge statement %s; want Allow sns:Publish with no Condition", s.name, r.LogicalID, cfntest.JSON(st))
					}
				case `{"Service":"cloudwatch.amazonaws.com"}`:
					alarms++
					if c := cfntest.JSON(st["Condition"]); !strings.Contains(c, `"ArnLike":{"aws:SourceArn"`) || !strings.Contains(c, ":alarm:*") {
						t.Errorf("%s/%s: CloudWatch statement condition %s; want ArnLike aws:SourceArn on this account's alarms", s.name, r.LogicalID, c)
					}
				}
			}
			if events != 1 || alarms != 1 {
				t.Errorf("%s/%s: %d EventBridge and %d CloudWatch statements; want one each", s.name, r.LogicalID, events, alarms)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no topic policy checked")
	}
}
