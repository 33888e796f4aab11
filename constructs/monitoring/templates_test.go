package monitoring_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// Metrics AWS publishes that this package may chart or alarm on. AWS/ECR has exactly one
// metric; RepositoryPushCount, RepositorySize, ReplicationLatency and
// ReplicationFailureRate do not exist.
var publishedMetrics = map[string]bool{
	"AWS/ECR RepositoryPullCount":  true,
	"AWS/Usage CallCount":          true,
	"AWS/Usage ResourceCount":      true,
	"AWS/Events TriggeredRules":    true,
	"AWS/Events Invocations":       true,
	"AWS/Events FailedInvocations": true,
	"AWS/Events MatchedEvents":     true,
	"AWS/Billing EstimatedCharges": true,
}

// metricFilterMetrics returns "namespace name" of every metric a metric filter of the
// template produces.
func metricFilterMetrics(tmpl map[string]interface{}) map[string]bool {
	out := map[string]bool{}
	for _, res := range resourcesOfType(tmpl, "AWS::Logs::MetricFilter") {
		mts, _ := props(res)["MetricTransformations"].([]interface{})
		for _, mt := range mts {
			m, _ := mt.(map[string]interface{})
			out[fmt.Sprintf("%v %v", m["MetricNamespace"], m["MetricName"])] = true
		}
	}
	return out
}

var (
	searchSchema = regexp.MustCompile(`SEARCH\('\{([^,}]+)`)
	searchName   = regexp.MustCompile(`MetricName="([^"]+)"`)
	exprFuncs    = regexp.MustCompile(`\b([A-Z_]+)\(`)
	allowedFuncs = map[string]bool{"SEARCH": true, "IF": true, "FILL": true, "ANOMALY_DETECTION_BAND": true, "SUM": true, "MAX": true}
)

// checkExpression validates a metric-math expression: known functions only, and a SEARCH
// must name a published namespace and metric.
func checkExpression(expr string, allowed map[string]bool) error {
	for _, m := range exprFuncs.FindAllStringSubmatch(expr, -1) {
		if !allowedFuncs[m[1]] {
			return fmt.Errorf("expression %q uses %s", expr, m[1])
		}
	}
	if strings.Contains(expr, "SEARCH(") {
		ns, name := searchSchema.FindStringSubmatch(expr), searchName.FindStringSubmatch(expr)
		if ns == nil || name == nil {
			return fmt.Errorf("SEARCH %q must name a namespace schema and a MetricName", expr)
		}
		if key := ns[1] + " " + name[1]; !allowed[key] {
			return fmt.Errorf("SEARCH %q reads %s, which is not a published metric", expr, key)
		}
	}
	return nil
}

// flattenJoin turns a CloudFormation string (plain or Fn::Join) into text, with every
// reference replaced by a placeholder.
func flattenJoin(v interface{}) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]interface{}:
		if j, ok := x["Fn::Join"].([]interface{}); ok && len(j) == 2 {
			sep, _ := j[0].(string)
			parts, _ := j[1].([]interface{})
			var out []string
			for _, p := range parts {
				out = append(out, flattenJoin(p))
			}
			return strings.Join(out, sep)
		}
	}
	return "TOKEN"
}

// dashboardMetric is one metric line of a dashboard widget.
type dashboardMetric struct {
	key     string // "namespace name", or "" for an expression
	expr    string
	dims    map[string]string
	region  string
	account string
}

type dashboardWidget struct {
	typ     string
	title   string
	region  string
	account string
	metrics []dashboardMetric
	alarms  []string
}

func dashboardWidgets(t *testing.T, res map[string]interface{}) []dashboardWidget {
	t.Helper()
	var body struct {
		Widgets []struct {
			Type       string                 `json:"type"`
			Properties map[string]interface{} `json:"properties"`
		} `json:"widgets"`
	}
	text := flattenJoin(props(res)["DashboardBody"])
	if err := json.Unmarshal([]byte(text), &body); err != nil {
		t.Fatalf("dashboard body is not JSON: %v\n%s", err, text)
	}
	var out []dashboardWidget
	for _, w := range body.Widgets {
		dw := dashboardWidget{typ: w.Type}
		dw.title, _ = w.Properties["title"].(string)
		dw.region, _ = w.Properties["region"].(string)
		dw.account, _ = w.Properties["accountId"].(string)
		if ann, ok := w.Properties["annotations"].(map[string]interface{}); ok {
			for _, a := range asSlice(ann["alarms"]) {
				dw.alarms = append(dw.alarms, fmt.Sprint(a))
			}
		}
		for _, a := range asSlice(w.Properties["alarms"]) {
			dw.alarms = append(dw.alarms, fmt.Sprint(a))
		}
		for _, line := range asSlice(w.Properties["metrics"]) {
			items := asSlice(line)
			m := dashboardMetric{dims: map[string]string{}, region: dw.region, account: dw.account}
			var opts map[string]interface{}
			if len(items) > 0 {
				opts, _ = items[len(items)-1].(map[string]interface{})
			}
			if opts != nil {
				if e, ok := opts["expression"].(string); ok {
					m.expr = e
				}
				if r, ok := opts["region"].(string); ok {
					m.region = r
				}
				if a, ok := opts["accountId"].(string); ok {
					m.account = a
				}
				items = items[:len(items)-1]
			}
			if m.expr == "" {
				if len(items) < 2 {
					t.Fatalf("dashboard metric line %v has no namespace and name", line)
				}
				m.key = fmt.Sprintf("%v %v", items[0], items[1])
				for i := 2; i+1 < len(items); i += 2 {
					m.dims[fmt.Sprint(items[i])] = fmt.Sprint(items[i+1])
				}
			}
			dw.metrics = append(dw.metrics, m)
		}
		out = append(out, dw)
	}
	return out
}

func asSlice(v interface{}) []interface{} {
	s, _ := v.([]interface{})
	return s
}

func TestEveryAlarmHasAnAction(t *testing.T) {
	for _, s := range allStacks(t) {
		for id, res := range resourcesOfType(s.json, "AWS::CloudWatch::Alarm") {
			if actions := asSlice(props(res)["AlarmActions"]); len(actions) == 0 {
				t.Errorf("%s/%s: alarm without AlarmActions", s.name, id)
			}
		}
	}
}

func TestAlarmsAndDashboardsUseOnlyPublishedMetrics(t *testing.T) {
	for _, s := range allStacks(t) {
		allowed := map[string]bool{}
		for k := range publishedMetrics {
			allowed[k] = true
		}
		for k := range metricFilterMetrics(s.json) {
			allowed[k] = true
		}
		for id, res := range resourcesOfType(s.json, "AWS::CloudWatch::Alarm") {
			p := props(res)
			if ns, ok := p["Namespace"]; ok {
				if key := fmt.Sprintf("%v %v", ns, p["MetricName"]); !allowed[key] {
					t.Errorf("%s/%s: alarm on unpublished metric %s", s.name, id, key)
				}
			}
			for _, m := range asSlice(p["Metrics"]) {
				entry, _ := m.(map[string]interface{})
				if stat, ok := entry["MetricStat"].(map[string]interface{}); ok {
					metric, _ := stat["Metric"].(map[string]interface{})
					if key := fmt.Sprintf("%v %v", metric["Namespace"], metric["MetricName"]); !allowed[key] {
						t.Errorf("%s/%s: alarm on unpublished metric %s", s.name, id, key)
					}
				}
				if expr, ok := entry["Expression"].(string); ok {
					if err := checkExpression(expr, allowed); err != nil {
						t.Errorf("%s/%s: %v", s.name, id, err)
					}
				}
			}
		}
		for id, res := range resourcesOfType(s.json, "AWS::CloudWatch::Dashboard") {
			for _, w := range dashboardWidgets(t, res) {
				for _, m := range w.metrics {
					if m.expr != "" {
						if err := checkExpression(m.expr, allowed); err != nil {
							t.Errorf("%s/%s widget %q: %v", s.name, id, w.title, err)
						}
					} else if !allowed[m.key] {
						t.Errorf("%s/%s widget %q: unpublished metric %s", s.name, id, w.title, m.key)
					}
				}
			}
		}
	}
}

// TestDashboardFindsReplicaRulesAndAlarmsByName checks that every rule metric and alarm
// the source dashboard shows for another region names a rule or alarm that the stack of
// that region really creates: the names are the only link between the regions.
func TestDashboardFindsReplicaRulesAndAlarmsByName(t *testing.T) {
	for _, fixtureName := range []string{"default", "email"} {
		f := getFixture(t, fixtureName)
		rules := map[string]bool{}  // region/name
		alarms := map[string]bool{} // region/name
		for _, s := range f.stacks {
			for _, res := range resourcesOfType(s.json, "AWS::Events::Rule") {
				rules[s.region+"/"+fmt.Sprint(props(res)["Name"])] = true
			}
			for _, res := range resourcesOfType(s.json, "AWS::CloudWatch::Alarm") {
				alarms[s.region+"/"+fmt.Sprint(props(res)["AlarmName"])] = true
			}
		}
		src := f.stack("Source")
		checked := 0
		for _, res := range resourcesOfType(src.json, "AWS::CloudWatch::Dashboard") {
			for _, w := range dashboardWidgets(t, res) {
				for _, m := range w.metrics {
					if m.key != "AWS/Events TriggeredRules" {
						continue
					}
					region := m.region
					if region == "" || region == "TOKEN" {
						region = src.region
					}
					if !rules[region+"/"+m.dims["RuleName"]] {
						t.Errorf("%s: widget %q shows rule %s in %s, which no stack creates", fixtureName, w.title, m.dims["RuleName"], region)
					}
					checked++
				}
				for _, arn := range w.alarms {
					parts := strings.SplitN(arn, ":", 7)
					if len(parts) != 7 || parts[5] != "alarm" {
						continue // alarms of this stack are referenced by a token
					}
					if !alarms[parts[3]+"/"+parts[6]] {
						t.Errorf("%s: widget %q shows alarm %s, which no stack creates", fixtureName, w.title, arn)
					}
					checked++
				}
			}
		}
		if checked == 0 {
			t.Errorf("%s: the dashboard references no rule or alarm", fixtureName)
		}
	}
}

func TestNoLambdaAndNoCustomResources(t *testing.T) {
	for _, s := range allStacks(t) {
		resources, _ := s.json["Resources"].(map[string]interface{})
		for id, r := range resources {
			typ := fmt.Sprint(r.(map[string]interface{})["Type"])
			if strings.HasPrefix(typ, "Custom::") || typ == "AWS::Lambda::Function" || typ == "AWS::CloudFormation::CustomResource" {
				t.Errorf("%s/%s: %s", s.name, id, typ)
			}
		}
	}
}

func TestCfnLintReportsNothing(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatalf("cfn-lint is not on PATH: %v", err)
	}
	dir := t.TempDir()
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, 2)
	for _, fx := range []string{"default", "email"} {
		for _, s := range getFixture(t, fx).stacks {
			file := filepath.Join(dir, fx+"-"+s.name+".json")
			b, _ := json.MarshalIndent(s.json, "", "  ")
			if err := os.WriteFile(file, b, 0o600); err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func(region, file string) {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				out, err := exec.Command(lint, "--regions", region, "--", file).CombinedOutput()
				mu.Lock()
				defer mu.Unlock()
				if err != nil || len(strings.TrimSpace(string(out))) > 0 {
					t.Errorf("cfn-lint %s (%s): %v\n%s", filepath.Base(file), region, err, out)
				}
			}(s.region, file)
		}
	}
	wg.Wait()
}

// TestCdkNagAwsSolutionsFindsNothing: the AwsSolutions pack ran as an aspect on every
// fixture app before synthesis (see getFixture); no unsuppressed finding may remain.
func TestCdkNagAwsSolutionsFindsNothing(t *testing.T) {
	pattern := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	for _, s := range allStacks(t) {
		annotations := assertions.Annotations_FromStack(s.stack)
		for _, found := range []*[]*cxapi.SynthesisMessage{
			annotations.FindError(jsii.String("*"), pattern),
			annotations.FindWarning(jsii.String("*"), pattern),
		} {
			for _, m := range *found {
				t.Errorf("%s: %s %s: %v", s.name, m.Level, *m.Id, m.Entry.Data)
			}
		}
	}
}

func TestRuleNamesAreUniquePerRegion(t *testing.T) {
	// Rule names are the contract between stacks; two rules may not share a name in one region.
	for _, fx := range []string{"default", "email"} {
		seen := map[string]string{}
		for _, s := range getFixture(t, fx).stacks {
			for _, r := range rulesOf(t, s) {
				key := s.region + "/" + r.name
				if other, ok := seen[key]; ok {
					t.Errorf("%s: rule %s exists in %s and %s", fx, key, other, s.name)
				}
				seen[key] = s.name
			}
		}
		keys := make([]string, 0, len(seen))
		for k := range seen {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Logf("%s rules: %v", fx, keys)
	}
}
