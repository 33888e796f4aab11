package published

import (
	"reflect"
	"strings"
	"testing"
)

// TestOnlyWhatAWSPublishes: the metrics the recipe charted that AWS does not publish are not
// listed, the real ones are, and every listed metric names its AWS page.
func TestOnlyWhatAWSPublishes(t *testing.T) {
	for _, name := range []string{"RepositoryPushCount", "RepositorySize", "ReplicationLatency", "ReplicationFailureRate"} {
		if Is("AWS/ECR", name) {
			t.Errorf("AWS/ECR %s is listed as published; AWS publishes only RepositoryPullCount", name)
		}
	}
	for _, m := range [][2]string{{"AWS/ECR", "RepositoryPullCount"}, {"AWS/Events", "FailedInvocations"}, {"AWS/States", "ExecutionsFailed"}} {
		if !Is(m[0], m[1]) {
			t.Errorf("%s %s is published", m[0], m[1])
		}
	}
	if Is("ECRReplication", "StoredLogicalBytes") {
		t.Error("a metric of the app's own measurements is not AWS's")
	}
	want := []string{
		"AWS/Billing EstimatedCharges",
		"AWS/ECR RepositoryPullCount",
		"AWS/Events FailedInvocations",
		"AWS/Events Invocations",
		"AWS/Events MatchedEvents",
		"AWS/Events TriggeredRules",
		"AWS/States ExecutionsFailed",
		"AWS/States ExecutionsTimedOut",
		"AWS/Usage CallCount",
		"AWS/Usage ResourceCount",
	}
	if got := Keys(); !reflect.DeepEqual(got, want) {
		t.Errorf("Keys() = %q; want %q", got, want)
	}
	for _, m := range Metrics() {
		if !strings.HasPrefix(m.Doc, "https://docs.aws.amazon.com/") {
			t.Errorf("%s names no AWS page (%q)", m.Key(), m.Doc)
		}
	}
}
