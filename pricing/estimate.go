package pricing

import (
	"fmt"
	"sort"
	"strings"
)

// MetadataKey is the template metadata under which a measuring state machine states what it
// bills every month (see Metadata); EstimateMonthlyCost reads it.
const MetadataKey = "ecr-replication:cost"

// Metadata is the value a measuring state machine records under MetadataKey: how many custom
// metrics it publishes, and how many scheduled runs it makes a month (0 for an event-driven
// one).
func Metadata(customMetrics int, scheduledRunsPerMonth float64) map[string]any {
	return map[string]any{"customMetrics": customMetrics, "scheduledRunsPerMonth": scheduledRunsPerMonth}
}

// Estimate counts what bills monthly in a set of synthesized templates.
type Estimate struct {
	// StandardAlarms are alarms without an anomaly-detection band.
	StandardAlarms int
	// StandardAlarmMetrics are the metrics those alarms read (a math alarm reads several).
	StandardAlarmMetrics int
	// AnomalyAlarms are anomaly-detection alarms.
	AnomalyAlarms int
	// Dashboards, KMSKeys, Rules and LogGroups count resources of those types.
	Dashboards int
	KMSKeys    int
	Rules      int
	LogGroups  int
	// CustomMetrics are the metrics the app publishes: metric transformations of metric
	// filters, and what each measuring state machine states under MetadataKey.
	CustomMetrics int
	// StateMachines and ScheduledRunsPerMonth count the state machines and the runs their
	// schedules make.
	StateMachines         int
	ScheduledRunsPerMonth float64
	// FixedMonthlyUSD is the monthly cost that does not depend on traffic: alarms, custom
	// metrics, dashboards beyond the free ones, keys and scheduled runs. Log ingestion and KMS
	// requests come on top and grow with the number of events.
	FixedMonthlyUSD float64
	// Lines itemizes FixedMonthlyUSD.
	Lines []string
}

// EstimateMonthlyCost counts the billable resources of templates (synthesized CloudFormation
// templates as JSON values, such as assertions.Template.ToJSON returns) and prices them. All
// templates are assumed to belong to one account, which gets the free dashboards once.
// Rules and log groups are counted but not priced: AWS service events on the default bus are
// free, and log ingestion depends on traffic.
func EstimateMonthlyCost(prices Prices, templates ...map[string]any) Estimate {
	var e Estimate
	for _, tmpl := range templates {
		resources, _ := tmpl["Resources"].(map[string]any)
		for _, id := range sortedKeys(resources) {
			res, _ := resources[id].(map[string]any)
			e.count(res)
		}
	}
	e.price(prices)
	return e
}

// NamespaceTag is the tag that names a resource's namespace (the stacks tag every taggable
// resource of a namespace with it).
const NamespaceTag = "RepositoryNamespace"

// EstimateByNamespace is EstimateMonthlyCost per namespace: each resource counts for the
// namespace its NamespaceTag names, and those without one (the stacks' shared keys, topics and
// dashboard, and resource types that take no tags) for "". The free dashboards are counted
// once, for "" (dashboards take no tags).
func EstimateByNamespace(prices Prices, templates ...map[string]any) map[string]Estimate {
	byNamespace := map[string]*Estimate{"": {}}
	for _, tmpl := range templates {
		resources, _ := tmpl["Resources"].(map[string]any)
		for _, id := range sortedKeys(resources) {
			res, _ := resources[id].(map[string]any)
			ns := namespaceOf(res)
			if byNamespace[ns] == nil {
				byNamespace[ns] = &Estimate{}
			}
			byNamespace[ns].count(res)
		}
	}
	out := map[string]Estimate{}
	for ns, e := range byNamespace {
		e.price(prices)
		out[ns] = *e
	}
	return out
}

// namespaceOf returns the value of a resource's NamespaceTag, or "".
func namespaceOf(res map[string]any) string {
	props, _ := res["Properties"].(map[string]any)
	tags, _ := props["Tags"].([]any)
	for _, t := range tags {
		if tag, ok := t.(map[string]any); ok && tag["Key"] == NamespaceTag {
			v, _ := tag["Value"].(string)
			return v
		}
	}
	return ""
}

// count adds one template resource to the counts.
func (e *Estimate) count(res map[string]any) {
	props, _ := res["Properties"].(map[string]any)
	switch res["Type"] {
	case "AWS::CloudWatch::Alarm":
		if isAnomalyAlarm(props) {
			e.AnomalyAlarms++
		} else {
			e.StandardAlarms++
			e.StandardAlarmMetrics += alarmMetricCount(props)
		}
	case "AWS::CloudWatch::Dashboard":
		e.Dashboards++
	case "AWS::KMS::Key":
		e.KMSKeys++
	case "AWS::Events::Rule":
		e.Rules++
	case "AWS::Logs::LogGroup":
		e.LogGroups++
	case "AWS::StepFunctions::StateMachine":
		e.StateMachines++
		// A state machine that states nothing (not a measurement of this app) adds no metric.
		metadata, _ := res["Metadata"].(map[string]any)
		if meta, ok := metadata[MetadataKey].(map[string]any); ok {
			n, _ := meta["customMetrics"].(float64)
			runs, _ := meta["scheduledRunsPerMonth"].(float64)
			e.CustomMetrics += int(n)
			e.ScheduledRunsPerMonth += runs
		}
	case "AWS::Logs::MetricFilter":
		if mt, ok := props["MetricTransformations"].([]any); ok {
			e.CustomMetrics += len(mt)
		}
	}
}

// price turns the counts into FixedMonthlyUSD (rounded to cents) and its Lines.
func (e *Estimate) price(prices Prices) {
	add := func(n int, unit float64, what string) {
		if n == 0 {
			return
		}
		cost := float64(n) * unit
		e.FixedMonthlyUSD += cost
		e.Lines = append(e.Lines, fmt.Sprintf("%d x %s at $%.2f = $%.2f", n, what, unit, cost))
	}
	add(e.StandardAlarmMetrics, prices.AlarmMetric, "standard alarm metrics")
	add(e.AnomalyAlarms, prices.AnomalyAlarm(), "anomaly-detection alarms")
	add(e.CustomMetrics, prices.CustomMetric, "custom metrics")
	add(max(e.Dashboards-prices.FreeDashboards, 0), prices.Dashboard, "dashboards beyond the free ones")
	add(e.KMSKeys, prices.KMSKey, "KMS keys")
	if e.ScheduledRunsPerMonth > 0 {
		cost := e.ScheduledRunsPerMonth * prices.ScheduledRun()
		e.FixedMonthlyUSD += cost
		e.Lines = append(e.Lines, fmt.Sprintf("%.0f scheduled measurements at $%.6f = $%.2f", e.ScheduledRunsPerMonth, prices.ScheduledRun(), cost))
	}
	e.FixedMonthlyUSD = float64(int(e.FixedMonthlyUSD*100+0.5)) / 100
}

// String summarizes the counts, the fixed monthly cost and its lines.
func (e Estimate) String() string {
	return fmt.Sprintf("%d standard alarms (%d alarm metrics), %d anomaly alarms, %d dashboards, %d custom metrics, %d KMS keys, %d rules, %d log groups, %d state machines: $%.2f/month fixed (%s)",
		e.StandardAlarms, e.StandardAlarmMetrics, e.AnomalyAlarms, e.Dashboards, e.CustomMetrics, e.KMSKeys, e.Rules, e.LogGroups, e.StateMachines,
		e.FixedMonthlyUSD, strings.Join(e.Lines, "; "))
}

// isAnomalyAlarm reports whether an alarm's properties describe an anomaly-detection alarm.
func isAnomalyAlarm(props map[string]any) bool {
	if _, ok := props["ThresholdMetricId"]; ok {
		return true
	}
	metrics, _ := props["Metrics"].([]any)
	for _, m := range metrics {
		if e, ok := m.(map[string]any)["Expression"].(string); ok && strings.Contains(e, "ANOMALY_DETECTION_BAND") {
			return true
		}
	}
	return false
}

// alarmMetricCount is how many metrics a standard alarm reads: 1 for a single metric, each
// MetricStat of a math alarm (at least 1).
func alarmMetricCount(props map[string]any) int {
	if _, ok := props["MetricName"]; ok {
		return 1
	}
	n := 0
	metrics, _ := props["Metrics"].([]any)
	for _, m := range metrics {
		if _, ok := m.(map[string]any)["MetricStat"]; ok {
			n++
		}
	}
	return max(n, 1)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
