package monitoring

import (
	"fmt"
	"sort"
	"strings"
)

// PublishedMetric is a metric this package may chart or alarm on: one AWS publishes, named by
// the AWS page that documents it.
type PublishedMetric struct {
	Namespace, Name string
	// Doc is the AWS documentation page that lists the metric.
	Doc string
}

// Key renders the metric as "namespace name".
func (m PublishedMetric) Key() string { return m.Namespace + " " + m.Name }

// publishedMetrics is every metric the monitoring constructs use. AWS/ECR publishes exactly one
// metric, RepositoryPullCount: RepositoryPushCount, RepositorySize, ReplicationLatency and
// ReplicationFailureRate do not exist, and no construct here can chart or alarm on them.
var publishedMetrics = []PublishedMetric{
	{"AWS/ECR", "RepositoryPullCount", "https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-repository-metrics.html"},
	{"AWS/Usage", "CallCount", "https://docs.aws.amazon.com/AmazonECR/latest/userguide/monitoring-usage.html"},
	{"AWS/Usage", "ResourceCount", "https://docs.aws.amazon.com/AmazonECR/latest/userguide/monitoring-usage.html"},
	{"AWS/Events", "TriggeredRules", "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html"},
	{"AWS/Events", "Invocations", "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html"},
	{"AWS/Events", "FailedInvocations", "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html"},
	{"AWS/Events", "MatchedEvents", "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html"},
	{"AWS/Billing", "EstimatedCharges", "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/monitor_estimated_charges_with_cloudwatch.html"},
	{"AWS/States", "ExecutionsFailed", "https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html"},
	{"AWS/States", "ExecutionsTimedOut", "https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html"},
}

// customMetrics are the metrics this package's own state machines publish with PutMetricData
// ("namespace name"): they exist because a construct of this app writes them. A construct
// registers its metrics when it creates the state machine that publishes them.
var customMetrics = map[string]bool{}

// registerCustomMetric records a metric that a state machine of this package publishes.
func registerCustomMetric(namespace, name string) {
	customMetrics[namespace+" "+name] = true
}

// PublishedMetrics returns, sorted by key, every AWS-published metric the monitoring
// constructs may use. Tests check synthesized templates against the same list.
func PublishedMetrics() []PublishedMetric {
	out := append([]PublishedMetric(nil), publishedMetrics...)
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// IsPublished reports whether namespace/name is a metric AWS publishes (PublishedMetrics) or
// one that a construct of this package publishes itself (StorageMetrics, ReplicationLatency).
func IsPublished(namespace, name string) bool {
	if customMetrics[namespace+" "+name] {
		return true
	}
	for _, m := range publishedMetrics {
		if m.Namespace == namespace && m.Name == name {
			return true
		}
	}
	return false
}

// mustBePublished panics when a construct of this package is about to chart or alarm on a
// metric that nobody publishes: such a widget stays empty and such an alarm never fires.
func mustBePublished(namespace, name string) {
	if !IsPublished(namespace, name) {
		known := make([]string, 0, len(publishedMetrics))
		for _, m := range PublishedMetrics() {
			known = append(known, m.Key())
		}
		panic(fmt.Sprintf("monitoring: %s %s is not a metric AWS publishes (known: %s); a widget or alarm on it would stay empty",
			namespace, name, strings.Join(known, ", ")))
	}
}
