package cfntest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/acme-platform/ecr-replication/published"
)

// MetricFilterMetrics returns, sorted, the metrics ("namespace metric") that the
// AWS::Logs::MetricFilter resources of the template produce.
func MetricFilterMetrics(t Template) []string {
	seen := map[string]bool{}
	for _, r := range t.Resources("AWS::Logs::MetricFilter") {
		for _, mt := range asSlice(r.Properties["MetricTransformations"]) {
			m, _ := mt.(map[string]any)
			seen[metricKey(m["MetricNamespace"], m["MetricName"])] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// allowedMetrics is the allow-list for one template: the published metrics and the metrics
// of its own metric filters.
func allowedMetrics(t Template) map[string]bool {
	allowed := map[string]bool{}
	for _, k := range published.Keys() {
		allowed[k] = true
	}
	for _, k := range MetricFilterMetrics(t) {
		allowed[k] = true
	}
	return allowed
}

// metricKey renders a namespace and a metric name as "namespace metric"; a value that is not
// a plain string (a CloudFormation intrinsic) renders as TOKEN and so is never allowed.
func metricKey(namespace, name any) string {
	str := func(v any) string {
		if s, ok := v.(string); ok {
			return s
		}
		return "TOKEN"
	}
	return str(namespace) + " " + str(name)
}

// alarmTypes are the resource types AlarmsWithoutActions checks.
var alarmTypes = []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"}

// AlarmsWithoutActions returns, sorted, the logical ids of the alarms (AWS::CloudWatch::Alarm
// and AWS::CloudWatch::CompositeAlarm) of the template that notify nobody: no AlarmActions,
// or ActionsEnabled false.
func AlarmsWithoutActions(t Template) []string {
	var out []string
	for _, typ := range alarmTypes {
		for _, r := range t.Resources(typ) {
			if len(asSlice(r.Properties["AlarmActions"])) == 0 || r.Properties["ActionsEnabled"] == false {
				out = append(out, r.LogicalID)
			}
		}
	}
	sort.Strings(out)
	return out
}

// UnpublishedMetrics returns one finding per metric of the template that neither AWS
// publishes (package published, which the monitoring constructs enforce at synth) nor a metric filter of the same template produces
// (MetricFilterMetrics), each prefixed with the logical id of the resource that uses it:
//
//   - alarms: Namespace/MetricName, every Metrics[].MetricStat.Metric, and every
//     Metrics[].Expression (metric math: only SEARCH, IF, FILL, ANOMALY_DETECTION_BAND,
//     SUM and MAX, and a SEARCH must name an allowed namespace and MetricName);
//   - anomaly detectors: their metric or metric-math queries, likewise;
//   - dashboards: every metric and expression of every widget of the DashboardBody, after
//     flattening its Fn::Join (FlattenJoin); a body that is not JSON, or a metric line
//     without namespace and name, is a finding too.
//
// A namespace or name that is not a plain string is reported as TOKEN.
//
// Metrics that a state machine of the template publishes with PutMetricData (StateMachineMetrics)
// are allowed too, and so are the extra ones, such as those the state machines of the
// deployment's other stacks publish (a dashboard shows every region).
func UnpublishedMetrics(t Template, extra ...string) []string {
	allowed := allowedMetrics(t)
	for _, k := range append(StateMachineMetrics(t), extra...) {
		allowed[k] = true
	}
	var out []string
	report := func(id, format string, args ...any) {
		out = append(out, id+": "+fmt.Sprintf(format, args...))
	}
	checkQueries := func(id, what string, queries []any) {
		for _, q := range queries {
			entry, _ := q.(map[string]any)
			stat, hasStat := entry["MetricStat"].(map[string]any)
			expr, hasExpr := entry["Expression"].(string)
			switch {
			case hasStat:
				metric, _ := stat["Metric"].(map[string]any)
				if key := metricKey(metric["Namespace"], metric["MetricName"]); !allowed[key] {
					report(id, "%s on unpublished metric %s", what, key)
				}
			case hasExpr:
				if err := checkExpression(expr, allowed); err != nil {
					report(id, "%s %v", what, err)
				}
			default:
				report(id, "%s query %s has neither MetricStat nor Expression", what, JSON(entry))
			}
		}
	}

	for _, r := range t.Resources("AWS::CloudWatch::Alarm") {
		p := r.Properties
		_, single := p["MetricName"]
		queries := asSlice(p["Metrics"])
		if single || p["Namespace"] != nil {
			if key := metricKey(p["Namespace"], p["MetricName"]); !allowed[key] {
				report(r.LogicalID, "alarm on unpublished metric %s", key)
			}
		} else if len(queries) == 0 {
			report(r.LogicalID, "alarm names no metric")
		}
		checkQueries(r.LogicalID, "alarm", queries)
	}

	for _, r := range t.Resources("AWS::CloudWatch::AnomalyDetector") {
		p := r.Properties
		if single, ok := p["SingleMetricAnomalyDetector"].(map[string]any); ok {
			p = single
		}
		if p["Namespace"] != nil || p["MetricName"] != nil {
			if key := metricKey(p["Namespace"], p["MetricName"]); !allowed[key] {
				report(r.LogicalID, "anomaly detector on unpublished metric %s", key)
			}
		}
		if math, ok := r.Properties["MetricMathAnomalyDetector"].(map[string]any); ok {
			checkQueries(r.LogicalID, "anomaly detector", asSlice(math["MetricDataQueries"]))
		}
	}

	widgets, errs := dashboardWidgets(t)
	out = append(out, errs...)
	for _, w := range widgets {
		for _, m := range w.Metrics {
			switch {
			case m.Expression != "":
				if err := checkExpression(m.Expression, allowed); err != nil {
					report(w.Dashboard, "widget %q: %v", w.Title, err)
				}
			case !allowed[m.Key()]:
				report(w.Dashboard, "widget %q: unpublished metric %s", w.Title, m.Key())
			}
		}
	}
	sort.Strings(out)
	return out
}

var (
	smNamespace  = regexp.MustCompile(`\\?"Namespace\\?"\s*:\s*\\?"([^"\\]+)\\?"`)
	smMetricName = regexp.MustCompile(`\\?"MetricName\\?"\s*:\s*\\?"([^"\\]+)\\?"`)
)

// StateMachineMetrics returns, sorted, the metrics ("namespace metric") that the template's
// Step Functions state machines publish with cloudwatch:putMetricData: every Namespace of a
// definition paired with every MetricName in it.
func StateMachineMetrics(t Template) []string {
	seen := map[string]bool{}
	for _, r := range t.Resources("AWS::StepFunctions::StateMachine") {
		def := FlattenJoin(r.Properties["DefinitionString"])
		if !strings.Contains(def, "cloudwatch:putMetricData") {
			continue
		}
		for _, ns := range smNamespace.FindAllStringSubmatch(def, -1) {
			for _, name := range smMetricName.FindAllStringSubmatch(def, -1) {
				seen[ns[1]+" "+name[1]] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var (
	exprFuncs    = regexp.MustCompile(`\b([A-Z_]+)\s*\(`)
	allowedFuncs = map[string]bool{"SEARCH": true, "IF": true, "FILL": true, "ANOMALY_DETECTION_BAND": true, "SUM": true, "MAX": true, "DIFF": true, "SORT": true}
	searchCall   = regexp.MustCompile(`SEARCH\s*\(\s*'([^']*)'`)
	searchSchema = regexp.MustCompile(`^\s*\{\s*([^,}\s]+)`)
	searchName   = regexp.MustCompile(`MetricName\s*=\s*"([^"]+)"`)
)

// checkExpression validates a metric-math expression: known functions only, and every
// SEARCH must name an allowed namespace (as the first element of its schema) and MetricName.
func checkExpression(expr string, allowed map[string]bool) error {
	for _, m := range exprFuncs.FindAllStringSubmatch(expr, -1) {
		if !allowedFuncs[m[1]] {
			return fmt.Errorf("expression %q uses %s", expr, m[1])
		}
	}
	calls := searchCall.FindAllStringSubmatch(expr, -1)
	if n := strings.Count(expr, "SEARCH"); n != len(calls) {
		return fmt.Errorf("expression %q: every SEARCH must take a quoted search expression", expr)
	}
	for _, c := range calls {
		ns, name := searchSchema.FindStringSubmatch(c[1]), searchName.FindStringSubmatch(c[1])
		if ns == nil || name == nil {
			return fmt.Errorf("SEARCH %q must name a namespace schema and a MetricName", c[1])
		}
		if key := ns[1] + " " + name[1]; !allowed[key] {
			return fmt.Errorf("SEARCH %q reads %s, which is not a published metric", c[1], key)
		}
	}
	return nil
}

// FlattenJoin turns a CloudFormation string value (plain, or an Fn::Join of such values)
// into text, with every other intrinsic (Ref, Fn::GetAtt, ...) replaced by "TOKEN".
func FlattenJoin(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if j, ok := x["Fn::Join"].([]any); ok && len(j) == 2 {
			sep, _ := j[0].(string)
			var out []string
			for _, p := range asSlice(j[1]) {
				out = append(out, FlattenJoin(p))
			}
			return strings.Join(out, sep)
		}
	}
	return "TOKEN"
}

// DashboardMetric is one metric line of a dashboard widget: a metric or an expression.
type DashboardMetric struct {
	// Namespace and MetricName are empty for an expression.
	Namespace  string
	MetricName string
	// Expression is the metric-math expression of an expression line.
	Expression string
	// Dimensions of a metric, by name.
	Dimensions map[string]string
	// Region and Account of the line, inherited from the widget unless the line sets them.
	Region  string
	Account string
}

// Key returns "namespace metric", as in published.Keys ("" for an expression).
func (m DashboardMetric) Key() string {
	if m.Expression != "" {
		return ""
	}
	return m.Namespace + " " + m.MetricName
}

// DashboardWidget is one widget of a dashboard.
type DashboardWidget struct {
	// Dashboard is the logical id of the AWS::CloudWatch::Dashboard.
	Dashboard string
	Type      string
	Title     string
	Region    string
	Account   string
	Metrics   []DashboardMetric
	// Alarms are the alarm ARNs of an alarm widget and of a graph's alarm annotations, as
	// flattened text (references of the template read TOKEN).
	Alarms []string
}

// DashboardWidgets returns the widgets of every AWS::CloudWatch::Dashboard of the template
// (ordered by logical id, then as in the body), after flattening each DashboardBody with
// FlattenJoin. It fails when a body is not JSON or a metric line has no namespace and name.
func DashboardWidgets(t Template) ([]DashboardWidget, error) {
	widgets, errs := dashboardWidgets(t)
	if len(errs) > 0 {
		return widgets, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return widgets, nil
}

func dashboardWidgets(t Template) ([]DashboardWidget, []string) {
	var out []DashboardWidget
	var errs []string
	for _, r := range t.Resources("AWS::CloudWatch::Dashboard") {
		var body struct {
			Widgets []struct {
				Type       string         `json:"type"`
				Properties map[string]any `json:"properties"`
			} `json:"widgets"`
		}
		text := FlattenJoin(r.Properties["DashboardBody"])
		if err := json.Unmarshal([]byte(text), &body); err != nil {
			errs = append(errs, fmt.Sprintf("%s: dashboard body is not JSON: %v", r.LogicalID, err))
			continue
		}
		for _, w := range body.Widgets {
			dw := DashboardWidget{Dashboard: r.LogicalID, Type: w.Type}
			dw.Title, _ = w.Properties["title"].(string)
			dw.Region, _ = w.Properties["region"].(string)
			dw.Account, _ = w.Properties["accountId"].(string)
			if ann, ok := w.Properties["annotations"].(map[string]any); ok {
				for _, a := range asSlice(ann["alarms"]) {
					dw.Alarms = append(dw.Alarms, fmt.Sprint(a))
				}
			}
			for _, a := range asSlice(w.Properties["alarms"]) {
				dw.Alarms = append(dw.Alarms, fmt.Sprint(a))
			}
			for _, line := range asSlice(w.Properties["metrics"]) {
				items := asSlice(line)
				m := DashboardMetric{Dimensions: map[string]string{}, Region: dw.Region, Account: dw.Account}
				if len(items) > 0 {
					if opts, ok := items[len(items)-1].(map[string]any); ok {
						m.Expression, _ = opts["expression"].(string)
						if r, ok := opts["region"].(string); ok {
							m.Region = r
						}
						if a, ok := opts["accountId"].(string); ok {
							m.Account = a
						}
						items = items[:len(items)-1]
					}
				}
				if m.Expression == "" {
					if len(items) < 2 {
						errs = append(errs, fmt.Sprintf("%s: widget %q: metric line %s has no namespace and name", r.LogicalID, dw.Title, JSON(line)))
						continue
					}
					m.Namespace, m.MetricName = fmt.Sprint(items[0]), fmt.Sprint(items[1])
					for i := 2; i+1 < len(items); i += 2 {
						m.Dimensions[fmt.Sprint(items[i])] = fmt.Sprint(items[i+1])
					}
				}
				dw.Metrics = append(dw.Metrics, m)
			}
			out = append(out, dw)
		}
	}
	return out, errs
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
