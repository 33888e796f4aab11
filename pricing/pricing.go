// Package pricing prices what ecr-replication deploys, from one table of list prices
// ([Prices], [ListPrices]): [EstimateMonthlyCost] counts the billable resources of synthesized
// templates, and the measurement constructs (package constructs/measurement) estimate their own
// fixed and variable cost from the same table.
//
// It is plain Go (no jsii): it reads templates as JSON values. The prices are us-east-1 list
// prices; confirm them on the AWS pricing pages of CloudWatch, KMS, Step Functions, EventBridge
// and X-Ray before relying on a result.
package pricing

// Prices are list prices in USD.
type Prices struct {
	// AlarmMetric is one standard-resolution alarm metric per month. A metric-math alarm bills
	// one alarm metric per metric it reads; an anomaly-detection alarm bills three (the metric
	// and the two band edges), see AnomalyAlarm.
	AlarmMetric float64
	// Dashboard is one dashboard per month beyond FreeDashboards per account.
	Dashboard      float64
	FreeDashboards int
	// CustomMetric is one standard custom metric per month (metric filters and PutMetricData
	// create them).
	CustomMetric float64
	// PutMetricDataPer1000 is 1,000 CloudWatch PutMetricData requests.
	PutMetricDataPer1000 float64
	// LogIngestionPerGB is ingesting one GB into CloudWatch Logs (traffic-dependent).
	LogIngestionPerGB float64
	// KMSKey is one customer managed KMS key per month.
	KMSKey float64
	// ExpressPerMillion is a million Step Functions Express requests; ExpressPerGBSecond one
	// GB-second of Express duration (first 1,000 GB-hours); ExpressMinimumGB the memory an
	// execution is billed for at least (64 MB).
	ExpressPerMillion  float64
	ExpressPerGBSecond float64
	ExpressMinimumGB   float64
	// EventsPerMillion is a million EventBridge cross-Region or cross-account events (AWS
	// service events on the default bus are free).
	EventsPerMillion float64
	// SchedulerPerMillion is a million EventBridge Scheduler invocations beyond the
	// FreeSchedulerPerMonth of each month.
	SchedulerPerMillion   float64
	FreeSchedulerPerMonth float64
	// XRayTracesPerMillion is a million X-Ray traces beyond the FreeXRayTracesPerMonth.
	XRayTracesPerMillion   float64
	FreeXRayTracesPerMonth float64
}

// ListPrices are the prices ecr-replication is costed with (us-east-1, checked 2026-12).
var ListPrices = Prices{
	AlarmMetric:            0.10,
	Dashboard:              3.00,
	FreeDashboards:         3,
	CustomMetric:           0.30,
	PutMetricDataPer1000:   0.01,
	LogIngestionPerGB:      0.50,
	KMSKey:                 1.00,
	ExpressPerMillion:      1.00,
	ExpressPerGBSecond:     0.00001667,
	ExpressMinimumGB:       0.0625,
	EventsPerMillion:       1.00,
	SchedulerPerMillion:    1.00,
	FreeSchedulerPerMonth:  14_000_000,
	XRayTracesPerMillion:   5.00,
	FreeXRayTracesPerMonth: 100_000,
}

// AnomalyAlarm is one anomaly-detection alarm per month: three alarm metrics (the metric and
// the two band edges).
func (p Prices) AnomalyAlarm() float64 { return 3 * p.AlarmMetric }

// ScheduledRun is one scheduled measurement: an EventBridge Scheduler invocation, one Express
// request of about 2 s at the minimum memory, and one PutMetricData request. Runs follow the
// schedule, so they count as fixed cost.
func (p Prices) ScheduledRun() float64 {
	return p.SchedulerPerMillion/1e6 + p.ExpressPerMillion/1e6 + 2*p.ExpressMinimumGB*p.ExpressPerGBSecond + p.PutMetricDataPer1000/1000
}
