package measurement

import (
	"fmt"
	"math"

	"github.com/acme-platform/ecr-replication/pricing"
)

// Cost is a monthly estimate for one measuring construct in one region.
type Cost struct {
	// CustomMetrics is the number of custom metrics published; AlarmMetrics the number of
	// metrics read by alarms.
	CustomMetrics int
	AlarmMetrics  int
	// ExecutionsPerMonth and PutMetricDataPerMonth count requests.
	ExecutionsPerMonth    float64
	PutMetricDataPerMonth float64
	// FixedUSD is what bills whatever happens (metrics and alarms); VariableUSD the
	// requests, execution time and events at the assumed volume; both per month.
	FixedUSD    float64
	VariableUSD float64
	// Lines itemizes both.
	Lines []string
}

func (c *Cost) fixed(label string, usd float64) {
	c.FixedUSD += usd
	c.Lines = append(c.Lines, fmt.Sprintf("%s: $%.4f (fixed)", label, usd))
}

func (c *Cost) variable(label string, usd float64) {
	c.VariableUSD += usd
	c.Lines = append(c.Lines, fmt.Sprintf("%s: $%.4f (variable)", label, usd))
}

// TotalUSD is FixedUSD + VariableUSD.
func (c Cost) TotalUSD() float64 { return c.FixedUSD + c.VariableUSD }

// hoursPerMonth is the month the variable estimates assume.
const hoursPerMonth = 730.0

// EstimatedMonthlyCost estimates this construct's monthly cost in one region at prices for
// repositories repositories of about pagesPerRepository DescribeImages pages each. It assumes
// about 200 ms per SDK call and the minimum billed memory per execution.
func (s *StorageMetrics) EstimatedMonthlyCost(prices pricing.Prices, repositories int, pagesPerRepository float64) Cost {
	c := Cost{CustomMetrics: 1 + len(s.repositories), AlarmMetrics: 1 + 2}
	c.ExecutionsPerMonth = hoursPerMonth * 60 / s.scheduleMinutes
	c.PutMetricDataPerMonth = c.ExecutionsPerMonth
	c.fixed(fmt.Sprintf("%d custom metrics", c.CustomMetrics), float64(c.CustomMetrics)*prices.CustomMetric)
	c.fixed("growth alarm (1 metric) and execution-failure alarm (2 metrics)", float64(c.AlarmMetrics)*prices.AlarmMetric)
	c.variable(fmt.Sprintf("%.0f PutMetricData requests", c.PutMetricDataPerMonth), c.PutMetricDataPerMonth/1000*prices.PutMetricDataPer1000)
	pages := math.Max(pagesPerRepository, 1)
	calls := math.Ceil(float64(repositories)/storageMapConcurrency)*pages + 2
	seconds := math.Ceil(calls*0.2*10) / 10 // billed in 100 ms increments
	c.variable(fmt.Sprintf("%.0f Express executions of about %.1f s", c.ExecutionsPerMonth, seconds),
		c.ExecutionsPerMonth*(prices.ExpressPerMillion/1e6+seconds*prices.ExpressMinimumGB*prices.ExpressPerGBSecond))
	// About 2 log events of ~300 bytes per state transition, without execution data.
	transitions := 6 + float64(repositories)*(3+2*pages)
	c.variable("log ingestion", c.ExecutionsPerMonth*transitions*2*300/1e9*prices.LogIngestionPerGB)
	if c.ExecutionsPerMonth > prices.FreeSchedulerPerMonth {
		c.variable("scheduler invocations", (c.ExecutionsPerMonth-prices.FreeSchedulerPerMonth)/1e6*prices.SchedulerPerMillion)
	}
	return c
}

// EstimatedMonthlyCost estimates this construct's monthly cost at prices for replications
// (successful replications to all destinations together) a month. The forwarded events cost
// the EventBridge cross-Region event price, paid in the destination regions.
func (r *ReplicationLatency) EstimatedMonthlyCost(prices pricing.Prices, replications float64) Cost {
	destinations := len(r.regions)
	c := Cost{CustomMetrics: destinations, AlarmMetrics: destinations + 2}
	c.ExecutionsPerMonth = replications
	c.PutMetricDataPerMonth = replications
	c.fixed(fmt.Sprintf("%d custom metrics (one per destination region)", destinations), float64(destinations)*prices.CustomMetric)
	c.fixed(fmt.Sprintf("%d p90 alarms and the execution-failure alarm (2 metrics)", destinations), float64(c.AlarmMetrics)*prices.AlarmMetric)
	c.variable(fmt.Sprintf("%.0f PutMetricData requests", replications), replications/1000*prices.PutMetricDataPer1000)
	// Two SDK calls of about 200 ms, billed in 100 ms increments at the minimum memory.
	c.variable(fmt.Sprintf("%.0f Express executions", replications), replications*(prices.ExpressPerMillion/1e6+0.4*prices.ExpressMinimumGB*prices.ExpressPerGBSecond))
	c.variable("forwarded events (cross-Region, paid in the destinations)", replications/1e6*prices.EventsPerMillion)
	c.variable("log ingestion", replications*8*300/1e9*prices.LogIngestionPerGB)
	if replications > prices.FreeXRayTracesPerMonth {
		c.variable("X-Ray traces beyond the free tier", (replications-prices.FreeXRayTracesPerMonth)/1e6*prices.XRayTracesPerMillion)
	}
	return c
}
