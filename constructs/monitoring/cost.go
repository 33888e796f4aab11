package monitoring

import (
	"fmt"
	"sort"
	"strings"
)

// Prices are monthly list prices in USD used by EstimateMonthlyCost. They are list prices
// of CloudWatch and KMS as stated in README.md; confirm them on the AWS pricing pages for
// your region before relying on the result.
type Prices struct {
	// AlarmMetric is the price of one standard-resolution alarm metric per month. A
	// metric-math alarm bills one alarm metric per metric it reads.
	AlarmMetric float64
	// AnomalyAlarm is the price of one anomaly-detection alarm per month (billed as three
	// alarm metrics: the metric and the two band edges).
	AnomalyAlarm float64
	// Dashboard is the price of one dashboard per month beyond FreeDashboards.
	Dashboard float64
	// FreeDashboards is the number of dashboards per account that cost nothing.
	FreeDashboards int
	// CustomMetric is the price of one custom metric per month (metric filters create them).
	CustomMetric float64
	// KMSKey is the price of one customer managed KMS key per month.
	KMSKey float64
	// LogIngestionPerGB is the price of ingesting one GB into CloudWatch Logs (variable cost,
	// not part of the fixed cost).
	LogIngestionPerGB float64
	// ScheduledRun is the price of one scheduled measurement: an EventBridge Scheduler
	// invocation plus a short Express execution (its request, about 2 s at 64 MB, and the
	// PutMetricData call). Runs are fixed by the schedule, so they count as fixed cost.
	ScheduledRun float64
}

// ListPrices are the list prices this package was costed with (us-east-1, to confirm).
var ListPrices = Prices{
	AlarmMetric:       0.10,
	AnomalyAlarm:      0.30,
	Dashboard:         3.00,
	FreeDashboards:    3,
	CustomMetric:      0.30,
	KMSKey:            1.00,
	LogIngestionPerGB: 0.50,
	// Scheduler $1.00 per million invocations; Express $1.00 per million requests and
	// $0.00001667 per GB-second (2 s x 64 MB); PutMetricData $0.01 per 1,000 requests.
	ScheduledRun: 0.000001 + 0.000001 + 2*0.0625*0.00001667 + 0.00001,
}

// CostEstimate counts what bills monthly in a set of synthesized templates.
type CostEstimate struct {
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
	// CustomMetrics are the metrics this app publishes: metric transformations of metric
	// filters, and what each measuring state machine publishes (StorageMetrics: the total and
	// each configured repository; ReplicationLatency: one per destination), as stated in its
	// template metadata.
	CustomMetrics int
	// StateMachines and ScheduledRunsPerMonth count the measuring state machines and the runs
	// their schedules make.
	StateMachines         int
	ScheduledRunsPerMonth float64
	// FixedMonthlyUSD is the monthly cost that does not depend on traffic: alarms, custom
	// metrics, dashboards beyond the free ones, keys. Log ingestion and KMS requests come on
	// top and grow with the number of events.
	FixedMonthlyUSD float64
	// Lines itemizes FixedMonthlyUSD.
	Lines []string
}

// EstimateMonthlyCost counts the billable resources of templates (the JSON of synthesized
// CloudFormation templates, as returned by assertions.Template.ToJSON) and prices them. All
// templates are assumed to belong to one account, which gets the free dashboards once.
func EstimateMonthlyCost(prices Prices, templates ...map[string]interface{}) CostEstimate {
	var c CostEstimate
	for _, tmpl := range templates {
		resources, _ := tmpl["Resources"].(map[string]interface{})
		keys := make([]string, 0, len(resources))
		for k := range resources {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			res, _ := resources[k].(map[string]interface{})
			props, _ := res["Properties"].(map[string]interface{})
			switch res["Type"] {
			case "AWS::CloudWatch::Alarm":
				if isAnomalyAlarm(props) {
					c.AnomalyAlarms++
				} else {
					c.StandardAlarms++
					c.StandardAlarmMetrics += alarmMetricCount(props)
				}
			case "AWS::CloudWatch::Dashboard":
				c.Dashboards++
			case "AWS::KMS::Key":
				c.KMSKeys++
			case "AWS::Events::Rule":
				c.Rules++
			case "AWS::Logs::LogGroup":
				c.LogGroups++
			case "AWS::StepFunctions::StateMachine":
				c.StateMachines++
				if meta, ok := res["Metadata"].(map[string]interface{})[costMetadataKey].(map[string]interface{}); ok {
					n, _ := meta["customMetrics"].(float64)
					runs, _ := meta["scheduledRunsPerMonth"].(float64)
					c.CustomMetrics += int(n)
					c.ScheduledRunsPerMonth += runs
				}
			case "AWS::Logs::MetricFilter":
				if mt, ok := props["MetricTransformations"].([]interface{}); ok {
					c.CustomMetrics += len(mt)
				}
			}
		}
	}
	paidDashboards := c.Dashboards - prices.FreeDashboards
	if paidDashboards < 0 {
		paidDashboards = 0
	}
	add := func(n int, unit float64, what string) {
		if n == 0 {
			return
		}
		cost := float64(n) * unit
		c.FixedMonthlyUSD += cost
		c.Lines = append(c.Lines, fmt.Sprintf("%d x %s at $%.2f = $%.2f", n, what, unit, cost))
	}
	add(c.StandardAlarmMetrics, prices.AlarmMetric, "standard alarm metrics")
	add(c.AnomalyAlarms, prices.AnomalyAlarm, "anomaly-detection alarms")
	add(c.CustomMetrics, prices.CustomMetric, "custom metrics")
	add(paidDashboards, prices.Dashboard, "dashboards beyond the free ones")
	add(c.KMSKeys, prices.KMSKey, "KMS keys")
	if c.ScheduledRunsPerMonth > 0 {
		cost := c.ScheduledRunsPerMonth * prices.ScheduledRun
		c.FixedMonthlyUSD += cost
		c.Lines = append(c.Lines, fmt.Sprintf("%.0f scheduled measurements at $%.6f = $%.2f", c.ScheduledRunsPerMonth, prices.ScheduledRun, cost))
	}
	c.FixedMonthlyUSD = float64(int(c.FixedMonthlyUSD*100+0.5)) / 100
	return c
}

func (c CostEstimate) String() string {
	return fmt.Sprintf("%d standard alarms (%d alarm metrics), %d anomaly alarms, %d dashboards, %d custom metrics, %d KMS keys, %d rules, %d log groups, %d state machines: $%.2f/month fixed (%s)",
		c.StandardAlarms, c.StandardAlarmMetrics, c.AnomalyAlarms, c.Dashboards, c.CustomMetrics, c.KMSKeys, c.Rules, c.LogGroups, c.StateMachines,
		c.FixedMonthlyUSD, strings.Join(c.Lines, "; "))
}

func isAnomalyAlarm(props map[string]interface{}) bool {
	if _, ok := props["ThresholdMetricId"]; ok {
		return true
	}
	metrics, _ := props["Metrics"].([]interface{})
	for _, m := range metrics {
		if e, ok := m.(map[string]interface{})["Expression"].(string); ok && strings.Contains(e, "ANOMALY_DETECTION_BAND") {
			return true
		}
	}
	return false
}

func alarmMetricCount(props map[string]interface{}) int {
	if _, ok := props["MetricName"]; ok {
		return 1
	}
	n := 0
	metrics, _ := props["Metrics"].([]interface{})
	for _, m := range metrics {
		if _, ok := m.(map[string]interface{})["MetricStat"]; ok {
			n++
		}
	}
	if n == 0 {
		n = 1
	}
	return n
}
