package pricing

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// twoTemplates holds one of each billable resource kind, over two templates of one account.
const twoTemplates = `[
 {"Resources": {
  "Single":  {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "TriggeredRules", "Namespace": "AWS/Events"}},
  "Math":    {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Metrics": [{"Expression": "a + b"}, {"MetricStat": {}}, {"MetricStat": {}}]}},
  "Band":    {"Type": "AWS::CloudWatch::Alarm", "Properties": {"ThresholdMetricId": "ad1", "Metrics": [{"Expression": "ANOMALY_DETECTION_BAND(m0, 3)"}, {"MetricStat": {}}]}},
  "D1": {"Type": "AWS::CloudWatch::Dashboard"}, "D2": {"Type": "AWS::CloudWatch::Dashboard"},
  "Key": {"Type": "AWS::KMS::Key"},
  "Rule": {"Type": "AWS::Events::Rule"},
  "Logs": {"Type": "AWS::Logs::LogGroup"},
  "Filter": {"Type": "AWS::Logs::MetricFilter", "Properties": {"MetricTransformations": [{}]}},
  "Storage": {"Type": "AWS::StepFunctions::StateMachine", "Metadata": {"ecr-replication:cost": {"customMetrics": 3, "scheduledRunsPerMonth": 1440}}}
 }},
 {"Resources": {
  "D3": {"Type": "AWS::CloudWatch::Dashboard"}, "D4": {"Type": "AWS::CloudWatch::Dashboard"},
  "Key": {"Type": "AWS::KMS::Key"},
  "Latency": {"Type": "AWS::StepFunctions::StateMachine", "Metadata": {"ecr-replication:cost": {"customMetrics": 2, "scheduledRunsPerMonth": 0}}},
  "Other": {"Type": "AWS::StepFunctions::StateMachine"},
  "Topic": {"Type": "AWS::SNS::Topic"}
 }}
]`

func templates(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(twoTemplates), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEstimateMonthlyCost: the expected figures are worked out by hand from ListPrices:
// 3 alarm metrics x $0.10 + 1 anomaly alarm x $0.30 + 6 custom metrics x $0.30 + 1 dashboard
// beyond 3 free x $3 + 2 keys x $1 + 1,440 runs x $0.00001408375 ($0.0203) = $7.42.
func TestEstimateMonthlyCost(t *testing.T) {
	got := EstimateMonthlyCost(ListPrices, templates(t)...)
	want := Estimate{
		StandardAlarms: 2, StandardAlarmMetrics: 3, AnomalyAlarms: 1, Dashboards: 4, KMSKeys: 2, Rules: 1, LogGroups: 1,
		CustomMetrics: 6, StateMachines: 3, ScheduledRunsPerMonth: 1440, FixedMonthlyUSD: 7.42,
		Lines: []string{
			"3 x standard alarm metrics at $0.10 = $0.30",
			"1 x anomaly-detection alarms at $0.30 = $0.30",
			"6 x custom metrics at $0.30 = $1.80",
			"1 x dashboards beyond the free ones at $3.00 = $3.00",
			"2 x KMS keys at $1.00 = $2.00",
			"1440 scheduled measurements at $0.000014 = $0.02",
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EstimateMonthlyCost =\n%+v\nwant\n%+v", got, want)
	}
	if s := got.String(); s != "2 standard alarms (3 alarm metrics), 1 anomaly alarms, 4 dashboards, 6 custom metrics, 2 KMS keys, 1 rules, 1 log groups, 3 state machines: "+
		"$7.42/month fixed (3 x standard alarm metrics at $0.10 = $0.30; 1 x anomaly-detection alarms at $0.30 = $0.30; 6 x custom metrics at $0.30 = $1.80; "+
		"1 x dashboards beyond the free ones at $3.00 = $3.00; 2 x KMS keys at $1.00 = $2.00; 1440 scheduled measurements at $0.000014 = $0.02)" {
		t.Errorf("String() = %s", s)
	}
	roomy := ListPrices
	roomy.FreeDashboards = 10
	if e := EstimateMonthlyCost(roomy, templates(t)...); e.FixedMonthlyUSD != 4.42 {
		t.Errorf("with 10 free dashboards: $%.2f; want $4.42", e.FixedMonthlyUSD)
	}
	if e := EstimateMonthlyCost(ListPrices); !reflect.DeepEqual(e, Estimate{}) {
		t.Errorf("no template: %+v", e)
	}
}

func TestPrices(t *testing.T) {
	if got := ListPrices.AnomalyAlarm(); math.Abs(got-0.30) > 1e-12 {
		t.Errorf("AnomalyAlarm() = %v; want 0.30 (three alarm metrics)", got)
	}
	// $1/M Scheduler + $1/M Express + 2 s x 0.0625 GB x $0.00001667 + $0.01/1,000 PutMetricData.
	if got := ListPrices.ScheduledRun(); math.Abs(got-0.00001408375) > 1e-15 {
		t.Errorf("ScheduledRun() = %v; want 0.00001408375", got)
	}
	if got := Metadata(3, 1440); !reflect.DeepEqual(got, map[string]any{"customMetrics": 3, "scheduledRunsPerMonth": 1440.0}) {
		t.Errorf("Metadata = %v", got)
	}
}

func TestEstimateByNamespace(t *testing.T) {
	tagged := func(ns string) []any {
		return []any{map[string]any{"Key": "Project", "Value": "x"}, map[string]any{"Key": NamespaceTag, "Value": ns}}
	}
	alarm := func(ns string) map[string]any {
		return map[string]any{"Type": "AWS::CloudWatch::Alarm", "Properties": map[string]any{"MetricName": "m", "Namespace": "n", "Tags": tagged(ns)}}
	}
	tmpl := map[string]any{"Resources": map[string]any{
		"A1": alarm("payments"), "A2": alarm("payments"), "A3": alarm("data"),
		"Key":  map[string]any{"Type": "AWS::KMS::Key", "Properties": map[string]any{}},
		"Dash": map[string]any{"Type": "AWS::CloudWatch::Dashboard", "Properties": map[string]any{}},
	}}
	got := EstimateByNamespace(ListPrices, tmpl)
	if len(got) != 3 {
		t.Fatalf("namespaces %v; want payments, data and the shared \"\"", got)
	}
	for ns, want := range map[string]float64{"payments": 0.20, "data": 0.10, "": 1.00} {
		if e := got[ns]; math.Abs(e.FixedMonthlyUSD-want) > 1e-9 {
			t.Errorf("%q: $%.2f; want $%.2f (%s)", ns, e.FixedMonthlyUSD, want, e)
		}
	}
	if got["payments"].StandardAlarms != 2 || got[""].KMSKeys != 1 || got[""].Dashboards != 1 {
		t.Errorf("counts: %+v", got)
	}
}
