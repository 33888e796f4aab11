// Package published lists the CloudWatch metrics that AWS publishes and ecr-replication may chart
// or alarm on, each with the AWS page that documents it. AWS/ECR publishes exactly one metric,
// RepositoryPullCount: RepositoryPushCount, RepositorySize, ReplicationLatency and
// ReplicationFailureRate do not exist, so nothing may use them.
//
// It is plain Go (no jsii): the monitoring constructs enforce the list at synth, and the tests
// check every synthesized template against the same list, so the two cannot disagree.
package published

import "sort"

// Metric is one metric AWS publishes.
type Metric struct {
	Namespace, Name string
	// Doc is the AWS documentation page that lists the metric.
	Doc string
}

// Key renders the metric as "namespace name".
func (m Metric) Key() string { return m.Namespace + " " + m.Name }

const (
	ecrMetrics    = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-repository-metrics.html"
	ecrUsage      = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/monitoring-usage.html"
	eventsMetrics = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html"
	billing       = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/monitor_estimated_charges_with_cloudwatch.html"
	statesMetrics = "https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html"
)

// metrics is every AWS-published metric the monitoring constructs use.
var metrics = []Metric{
	{"AWS/ECR", "RepositoryPullCount", ecrMetrics},
	{"AWS/Usage", "CallCount", ecrUsage},
	{"AWS/Usage", "ResourceCount", ecrUsage},
	{"AWS/Events", "TriggeredRules", eventsMetrics},
	{"AWS/Events", "Invocations", eventsMetrics},
	{"AWS/Events", "FailedInvocations", eventsMetrics},
	{"AWS/Events", "MatchedEvents", eventsMetrics},
	{"AWS/Billing", "EstimatedCharges", billing},
	{"AWS/States", "ExecutionsFailed", statesMetrics},
	{"AWS/States", "ExecutionsTimedOut", statesMetrics},
}

// Metrics returns every AWS-published metric the monitoring may use, sorted by key.
func Metrics() []Metric {
	out := append([]Metric(nil), metrics...)
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// Keys returns the keys ("namespace name") of Metrics, sorted.
func Keys() []string {
	out := make([]string, 0, len(metrics))
	for _, m := range Metrics() {
		out = append(out, m.Key())
	}
	return out
}

// Is reports whether AWS publishes the metric namespace/name (one of Metrics).
func Is(namespace, name string) bool {
	for _, m := range metrics {
		if m.Namespace == namespace && m.Name == name {
			return true
		}
	}
	return false
}
