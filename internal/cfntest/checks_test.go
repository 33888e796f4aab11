package cfntest_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
)

func template(t *testing.T, resources string) cfntest.Template {
	t.Helper()
	var tmpl cfntest.Template
	if err := json.Unmarshal([]byte(`{"Resources":`+resources+`}`), &tmpl); err != nil {
		t.Fatalf("%v\n%s", err, resources)
	}
	return tmpl
}

// dashboard renders widgets as a DashboardBody the way CDK does: an Fn::Join whose parts
// hold references (here the alarm's ARN).
func dashboard(widgets string) string {
	body, _ := json.Marshal(map[string]any{"Fn::Join": []any{"", []any{
		`{"widgets":` + strings.Replace(widgets, "ALARM_ARN", `"`, 1),
		map[string]any{"Fn::GetAtt": []any{"Alarm", "Arn"}},
		`"]}}]}`,
	}}})
	return `{"Type":"AWS::CloudWatch::Dashboard","Properties":{"DashboardBody":` + string(body) + `}}`
}

const topic = `{"Ref":"Topic"}`

// A template that passes every check: an alarm on a published metric, an anomaly alarm
// (metric math), an alarm on a metric of its own metric filter, a composite alarm and a
// dashboard using all of them.
func goodTemplate(t *testing.T) cfntest.Template {
	return template(t, `{
		"Topic": {"Type":"AWS::SNS::Topic"},
		"Pulls": {"Type":"AWS::CloudWatch::Alarm","Properties":{
			"Namespace":"AWS/ECR","MetricName":"RepositoryPullCount","AlarmActions":[`+topic+`]}},
		"Anomaly": {"Type":"AWS::CloudWatch::Alarm","Properties":{"AlarmActions":[`+topic+`],
			"ThresholdMetricId":"band","Metrics":[
				{"Id":"m1","MetricStat":{"Metric":{"Namespace":"AWS/Events","MetricName":"TriggeredRules","Dimensions":[{"Name":"RuleName","Value":"r"}]},"Period":300,"Stat":"Sum"}},
				{"Id":"band","Expression":"ANOMALY_DETECTION_BAND(m1, 2)"}]}},
		"Rate": {"Type":"AWS::CloudWatch::Alarm","Properties":{"AlarmActions":[`+topic+`],"Metrics":[
				{"Id":"f","MetricStat":{"Metric":{"Namespace":"AWS/Events","MetricName":"TriggeredRules"},"Period":300,"Stat":"Sum"}},
				{"Id":"s","MetricStat":{"Metric":{"Namespace":"AWS/Events","MetricName":"MatchedEvents"},"Period":300,"Stat":"Sum"}},
				{"Id":"r","Expression":"IF(s >= 1, 100 * FILL(f, 0) / s, 0)"}]}},
		"Errors": {"Type":"AWS::CloudWatch::Alarm","Properties":{
			"Namespace":"Acme/Replication","MetricName":"Errors","AlarmActions":[`+topic+`]}},
		"Filter": {"Type":"AWS::Logs::MetricFilter","Properties":{"LogGroupName":"g","FilterPattern":"ERROR",
			"MetricTransformations":[{"MetricNamespace":"Acme/Replication","MetricName":"Errors","MetricValue":"1"}]}},
		"Both": {"Type":"AWS::CloudWatch::CompositeAlarm","Properties":{
			"AlarmRule":"ALARM(Pulls) OR ALARM(Rate)","AlarmActions":[`+topic+`]}},
		"Dashboard": `+dashboard(`[
			{"type":"metric","properties":{"title":"pulls","region":"us-east-1","metrics":[
				["AWS/ECR","RepositoryPullCount","RepositoryName","enterprise-apps/production",{"label":"production"}],
				[{"expression":"SEARCH('{AWS/Events,RuleName} MetricName=\"TriggeredRules\"', 'Sum', 300)","label":"rules"}],
				["AWS/Events","TriggeredRules","RuleName","replicated",{"region":"us-west-2","accountId":"222222222222"}],
				["Acme/Replication","Errors"]]}},
			{"type":"text","properties":{"markdown":"hello"}},
			{"type":"alarm","properties":{"title":"alarms","alarms":[ALARM_ARN`)+`
	}`)
}

func TestGoodTemplatePassesEveryCheck(t *testing.T) {
	tmpl := goodTemplate(t)
	if got := cfntest.AlarmsWithoutActions(tmpl); len(got) != 0 {
		t.Errorf("AlarmsWithoutActions = %v; want none", got)
	}
	if got := cfntest.UnpublishedMetrics(tmpl); len(got) != 0 {
		t.Errorf("UnpublishedMetrics = %q; want none", got)
	}
}

func TestAlarmsWithoutActions(t *testing.T) {
	tmpl := template(t, `{
		"Topic": {"Type":"AWS::SNS::Topic"},
		"Ok": {"Type":"AWS::CloudWatch::Alarm","Properties":{"Namespace":"AWS/ECR","MetricName":"RepositoryPullCount","AlarmActions":[`+topic+`]}},
		"NoActions": {"Type":"AWS::CloudWatch::Alarm","Properties":{"Namespace":"AWS/ECR","MetricName":"RepositoryPullCount"}},
		"EmptyActions": {"Type":"AWS::CloudWatch::Alarm","Properties":{"Namespace":"AWS/ECR","MetricName":"RepositoryPullCount","AlarmActions":[]}},
		"OnlyOk": {"Type":"AWS::CloudWatch::Alarm","Properties":{"Namespace":"AWS/ECR","MetricName":"RepositoryPullCount","OKActions":[`+topic+`]}},
		"Disabled": {"Type":"AWS::CloudWatch::Alarm","Properties":{"Namespace":"AWS/ECR","MetricName":"RepositoryPullCount","AlarmActions":[`+topic+`],"ActionsEnabled":false}},
		"Composite": {"Type":"AWS::CloudWatch::CompositeAlarm","Properties":{"AlarmRule":"ALARM(Ok)"}}
	}`)
	want := []string{"Composite", "Disabled", "EmptyActions", "NoActions", "OnlyOk"}
	if got := cfntest.AlarmsWithoutActions(tmpl); !reflect.DeepEqual(got, want) {
		t.Errorf("AlarmsWithoutActions = %v; want %v", got, want)
	}
	if got := cfntest.AlarmsWithoutActions(template(t, `{}`)); len(got) != 0 {
		t.Errorf("AlarmsWithoutActions(empty) = %v", got)
	}
}

// TestUnpublishedMetrics: every way of using a metric AWS does not publish is reported, once,
// with the logical id of the resource that uses it.
func TestUnpublishedMetrics(t *testing.T) {
	cases := []struct {
		name      string
		resources string
		want      []string // fragments, one finding each
	}{
		{"an alarm on AWS/ECR RepositorySize", `{
			"A": {"Type":"AWS::CloudWatch::Alarm","Properties":{"Namespace":"AWS/ECR","MetricName":"RepositorySize","AlarmActions":["x"]}}}`,
			[]string{"A: alarm on unpublished metric AWS/ECR RepositorySize"}},
		{"a dashboard widget on AWS/ECR ReplicationFailureRate", `{"D": ` + dashboard(`[
			{"type":"metric","properties":{"title":"replication","metrics":[
				["AWS/ECR","RepositoryPullCount"],
				["AWS/ECR","ReplicationFailureRate","RepositoryName","enterprise-apps/production",{"region":"us-west-2"}]]}},
			{"type":"alarm","properties":{"alarms":[ALARM_ARN`) + `}`,
			[]string{`D: widget "replication": unpublished metric AWS/ECR ReplicationFailureRate`}},
		{"an alarm on a metric-stat of AWS/ECR RepositoryPushCount", `{
			"A": {"Type":"AWS::CloudWatch::Alarm","Properties":{"AlarmActions":["x"],"Metrics":[
				{"Id":"m","MetricStat":{"Metric":{"Namespace":"AWS/ECR","MetricName":"RepositoryPushCount"},"Period":60,"Stat":"Sum"}},
				{"Id":"e","Expression":"m * 2"}]}}}`,
			[]string{"A: alarm on unpublished metric AWS/ECR RepositoryPushCount"}},
		{"an alarm SEARCH on AWS/ECR ReplicationLatency", `{
			"A": {"Type":"AWS::CloudWatch::Alarm","Properties":{"AlarmActions":["x"],"Metrics":[
				{"Id":"e","Expression":"MAX(SEARCH('{AWS/ECR,RepositoryName} MetricName=\"ReplicationLatency\"', 'Maximum', 300))"}]}}}`,
			[]string{"A: alarm SEARCH", "AWS/ECR ReplicationLatency"}},
		{"a second SEARCH of one expression on an unpublished metric", `{
			"A": {"Type":"AWS::CloudWatch::Alarm","Properties":{"AlarmActions":["x"],"Metrics":[
				{"Id":"e","Expression":"SUM([SEARCH('{AWS/Events,RuleName} MetricName=\"TriggeredRules\"', 'Sum', 300), SEARCH('{AWS/ECR,RepositoryName} MetricName=\"RepositorySize\"', 'Sum', 300)])"}]}}}`,
			[]string{"A: alarm SEARCH", "AWS/ECR RepositorySize"}},
		{"a SEARCH without a namespace schema", `{
			"A": {"Type":"AWS::CloudWatch::Alarm","Properties":{"AlarmActions":["x"],"Metrics":[
				{"Id":"e","Expression":"SEARCH('MetricName=\"TriggeredRules\"', 'Sum', 300)"}]}}}`,
			[]string{"A: alarm SEARCH", "must name a namespace schema"}},
		{"an expression with an unknown function", `{
			"A": {"Type":"AWS::CloudWatch::Alarm","Properties":{"AlarmActions":["x"],"Metrics":[
				{"Id":"e","Expression":"METRIC_INSIGHTS(m1)"}]}}}`,
			[]string{"A: alarm expression", "uses METRIC_INSIGHTS"}},
		{"an alarm query with neither metric nor expression", `{
			"A": {"Type":"AWS::CloudWatch::Alarm","Properties":{"AlarmActions":["x"],"Metrics":[{"Id":"m"}]}}}`,
			[]string{"A: alarm query"}},
		{"an alarm without any metric", `{
			"A": {"Type":"AWS::CloudWatch::Alarm","Properties":{"AlarmActions":["x"]}}}`,
			[]string{"A: alarm names no metric"}},
		{"an alarm whose metric name is a reference", `{
			"A": {"Type":"AWS::CloudWatch::Alarm","Properties":{"AlarmActions":["x"],"Namespace":"AWS/ECR","MetricName":{"Ref":"Name"}}}}`,
			[]string{"A: alarm on unpublished metric AWS/ECR TOKEN"}},
		{"a metric filter of another namespace does not allow the metric", `{
			"F": {"Type":"AWS::Logs::MetricFilter","Properties":{"MetricTransformations":[{"MetricNamespace":"Acme/Other","MetricName":"Errors","MetricValue":"1"}]}},
			"A": {"Type":"AWS::CloudWatch::Alarm","Properties":{"Namespace":"Acme/Replication","MetricName":"Errors","AlarmActions":["x"]}}}`,
			[]string{"A: alarm on unpublished metric Acme/Replication Errors"}},
		{"an anomaly detector on AWS/ECR RepositorySize", `{
			"X": {"Type":"AWS::CloudWatch::AnomalyDetector","Properties":{"SingleMetricAnomalyDetector":{"Namespace":"AWS/ECR","MetricName":"RepositorySize","Stat":"Average"}}}}`,
			[]string{"X: anomaly detector on unpublished metric AWS/ECR RepositorySize"}},
		{"a dashboard SEARCH on an unpublished metric", `{"D": ` + dashboard(`[
			{"type":"metric","properties":{"title":"search","metrics":[[{"expression":"SEARCH('{AWS/ECR,RepositoryName} MetricName=\"RepositorySize\"', 'Average', 300)"}]]}},
			{"type":"alarm","properties":{"alarms":[ALARM_ARN`) + `}`,
			[]string{`D: widget "search": SEARCH`, "AWS/ECR RepositorySize"}},
		{"a dashboard metric line without a name", `{"D": ` + dashboard(`[
			{"type":"metric","properties":{"title":"broken","metrics":[["AWS/ECR",{"label":"x"}]]}},
			{"type":"alarm","properties":{"alarms":[ALARM_ARN`) + `}`,
			[]string{`D: widget "broken": metric line`}},
		{"a dashboard body that is not JSON", `{
			"D": {"Type":"AWS::CloudWatch::Dashboard","Properties":{"DashboardBody":{"Fn::Sub":"{\"widgets\":[]}"}}}}`,
			[]string{"D: dashboard body is not JSON"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := cfntest.UnpublishedMetrics(template(t, c.resources))
			if len(got) != 1 {
				t.Fatalf("UnpublishedMetrics = %q; want exactly one finding containing %q", got, c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("finding %q does not contain %q", got[0], w)
				}
			}
		})
	}
}

// TestUnpublishedMetricsInAnOtherwiseGoodTemplate: one bad alarm and one bad widget among
// good ones are both reported, and nothing else is.
func TestUnpublishedMetricsInAnOtherwiseGoodTemplate(t *testing.T) {
	tmpl := goodTemplate(t)
	res := tmpl["Resources"].(map[string]any)
	var bad map[string]any
	_ = json.Unmarshal([]byte(`{"Type":"AWS::CloudWatch::Alarm","Properties":{"Namespace":"AWS/ECR","MetricName":"RepositorySize"}}`), &bad)
	res["Size"] = bad
	dash := res["Dashboard"].(map[string]any)["Properties"].(map[string]any)
	parts := dash["DashboardBody"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
	parts[0] = strings.Replace(parts[0].(string), `["Acme/Replication","Errors"]`, `["Acme/Replication","Errors"],["AWS/ECR","ReplicationFailureRate"]`, 1)

	got := cfntest.UnpublishedMetrics(tmpl)
	want := []string{
		`Dashboard: widget "pulls": unpublished metric AWS/ECR ReplicationFailureRate`,
		"Size: alarm on unpublished metric AWS/ECR RepositorySize",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UnpublishedMetrics = %q; want %q", got, want)
	}
	if got, want := cfntest.AlarmsWithoutActions(tmpl), []string{"Size"}; !reflect.DeepEqual(got, want) {
		t.Errorf("AlarmsWithoutActions = %v; want %v", got, want)
	}
}

func TestMetricFilterMetrics(t *testing.T) {
	if got := cfntest.MetricFilterMetrics(goodTemplate(t)); !reflect.DeepEqual(got, []string{"Acme/Replication Errors"}) {
		t.Errorf("MetricFilterMetrics = %v", got)
	}
}

func TestDashboardWidgets(t *testing.T) {
	widgets, err := cfntest.DashboardWidgets(goodTemplate(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(widgets) != 3 {
		t.Fatalf("widgets = %d; want 3", len(widgets))
	}
	w := widgets[0]
	if w.Dashboard != "Dashboard" || w.Type != "metric" || w.Title != "pulls" || w.Region != "us-east-1" || len(w.Metrics) != 4 {
		t.Fatalf("first widget = %+v", w)
	}
	if m := w.Metrics[0]; m.Key() != "AWS/ECR RepositoryPullCount" || m.Dimensions["RepositoryName"] != "enterprise-apps/production" || m.Region != "us-east-1" {
		t.Errorf("metric 0 = %+v", m)
	}
	if m := w.Metrics[1]; m.Key() != "" || !strings.HasPrefix(m.Expression, "SEARCH(") {
		t.Errorf("metric 1 = %+v", m)
	}
	if m := w.Metrics[2]; m.Region != "us-west-2" || m.Account != "222222222222" || m.Dimensions["RuleName"] != "replicated" {
		t.Errorf("metric 2 = %+v", m)
	}
	if got := widgets[2].Alarms; !reflect.DeepEqual(got, []string{"TOKEN"}) {
		t.Errorf("alarm widget alarms = %v; want the reference as TOKEN", got)
	}
	if _, err := cfntest.DashboardWidgets(template(t, `{"D":{"Type":"AWS::CloudWatch::Dashboard","Properties":{"DashboardBody":"{"}}}`)); err == nil {
		t.Errorf("a body that is not JSON must be an error")
	}
}

func TestFlattenJoin(t *testing.T) {
	var v any
	_ = json.Unmarshal([]byte(`{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":x:",{"Fn::Join":["-",["a","b"]]}]]}`), &v)
	if got, want := cfntest.FlattenJoin(v), "arn:TOKEN:x:a-b"; got != want {
		t.Errorf("FlattenJoin = %q; want %q", got, want)
	}
	if got := cfntest.FlattenJoin("plain"); got != "plain" {
		t.Errorf("FlattenJoin(plain) = %q", got)
	}
}

func TestEventRules(t *testing.T) {
	tmpl := template(t, `{
		"B": {"Type":"AWS::Events::Rule","Properties":{"Name":"object","EventPattern":{"source":["aws.ecr"]}}},
		"A": {"Type":"AWS::Events::Rule","Properties":{"Name":"string","EventPattern":"{\"source\":[\"aws.s3\"]}"}},
		"C": {"Type":"AWS::Events::Rule","Properties":{"ScheduleExpression":"rate(1 day)"}},
		"D": {"Type":"AWS::Events::Rule","Properties":{"Name":{"Ref":"N"},"EventPattern":{"Fn::Join":["",["{}"]]}}},
		"E": {"Type":"AWS::SNS::Topic"}
	}`)
	got := cfntest.EventRules(tmpl)
	want := []cfntest.EventRule{
		{LogicalID: "A", Name: "string", Pattern: map[string]any{"source": []any{"aws.s3"}}},
		{LogicalID: "B", Name: "object", Pattern: map[string]any{"source": []any{"aws.ecr"}}},
		{LogicalID: "D"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EventRules = %+v; want %+v", got, want)
	}
}

// TestCfnLintUsesEachFilesRegion: a resource type that does not exist in one region fails
// the template linted against that region and passes the same template in another, in one
// CfnLint call (the region travels in each template's cfn-lint metadata).
func TestCfnLintUsesEachFilesRegion(t *testing.T) {
	tmpl := func() cfntest.Template {
		return cfntest.Template{"Resources": map[string]any{"Rule": map[string]any{
			"Type":       "AWS::ECR::PullThroughCacheRule",
			"Properties": map[string]any{"EcrRepositoryPrefix": "hub", "UpstreamRegistryUrl": "public.ecr.aws"},
		}}}
	}
	ok := t.Run("the type exists in us-east-1", func(t *testing.T) {
		cfntest.CfnLint(t, []cfntest.LintFile{{Name: "us", Region: "us-east-1", Template: tmpl()}})
	})
	if !ok {
		t.Error("a template valid in us-east-1 failed cfn-lint")
	}
	// cn-north-1 has no AWS::ECR::PullThroughCacheRule: CfnLint must report it. Run cfn-lint
	// the way CfnLint does, to see the finding without failing this test.
	lint := cfntest.RequireTool(t, "cfn-lint")
	dir := t.TempDir()
	path := filepath.Join(dir, "cn.json")
	b, _ := json.Marshal(cfntest.WithLintRegion(tmpl(), "cn-north-1"))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lint, "--format", "parseable", "--", path).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "E3006") || !strings.Contains(string(out), "cn-north-1") {
		t.Errorf("cfn-lint did not lint the template against cn-north-1 (%v):\n%s", err, out)
	}
}

// lintRecorder is a testing.TB that records CfnLint's errors instead of failing the test.
type lintRecorder struct {
	testing.TB
	errors []string
}

func (r *lintRecorder) Helper() {}
func (r *lintRecorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestCfnLintIgnoresExactlyTheDeleteReplicationGap: cfn-lint 1.51 does not know
// ReplicationRule.DeleteReplication (E3002); CfnLint ignores that finding at that path of an
// AWS::ECR::ReplicationConfiguration and nothing else: the same property one level up, or a
// misspelt one, still fails.
func TestCfnLintIgnoresExactlyTheDeleteReplicationGap(t *testing.T) {
	rule := func(extra string) string {
		return `{"Destinations":[{"Region":"us-west-2","RegistryId":"111111111111"}],"RepositoryFilters":[{"Filter":"team/","FilterType":"PREFIX_MATCH"}]` + extra + `}`
	}
	config := func(rules, extra string) cfntest.Template {
		return template(t, `{"Replication":{"Type":"AWS::ECR::ReplicationConfiguration","Properties":{"ReplicationConfiguration":{"Rules":[`+rules+`]`+extra+`}}}}`)
	}
	for _, tc := range []struct {
		name string
		tmpl cfntest.Template
		want string // "" for no finding
	}{
		{"on a rule, where CloudFormation documents it", config(rule(`,"DeleteReplication":{"Enabled":true}`)+","+rule(""), ""), ""},
		{"one level up", config(rule(""), `,"DeleteReplication":{"Enabled":true}`), "E3002"},
		{"misspelt", config(rule(`,"DeleteReplications":{"Enabled":true}`), ""), "'DeleteReplications' was unexpected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &lintRecorder{TB: t}
			cfntest.CfnLint(r, []cfntest.LintFile{{Name: "t", Region: "us-east-1", Template: tc.tmpl}})
			got := strings.Join(r.errors, "\n")
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("CfnLint errors = %q; want %q", got, tc.want)
			}
		})
	}
}
