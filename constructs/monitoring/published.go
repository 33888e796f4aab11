package monitoring

import (
	"fmt"
	"strings"

	"github.com/acme-platform/ecr-replication/published"
)

// customMetrics are the metrics this package's own state machines publish with PutMetricData
// ("namespace name"): they exist because a construct of this app writes them. A construct
// registers its metrics when it creates the state machine that publishes them.
var customMetrics = map[string]bool{}

// registerCustomMetric records a metric that a state machine of this package publishes.
func registerCustomMetric(namespace, name string) {
	customMetrics[namespace+" "+name] = true
}

// IsPublished reports whether namespace/name is a metric AWS publishes (package published) or
// one that a construct of this package publishes itself (StorageMetrics, ReplicationLatency).
func IsPublished(namespace, name string) bool {
	return customMetrics[namespace+" "+name] || published.Is(namespace, name)
}

// mustBePublished panics when a construct of this package is about to chart or alarm on a
// metric that nobody publishes: such a widget stays empty and such an alarm never fires.
func mustBePublished(namespace, name string) {
	if !IsPublished(namespace, name) {
		panic(fmt.Sprintf("monitoring: %s %s is not a metric AWS publishes (known: %s); a widget or alarm on it would stay empty",
			namespace, name, strings.Join(published.Keys(), ", ")))
	}
}
