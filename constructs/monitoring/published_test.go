package monitoring

import (
	"strings"
	"testing"
)

// TestOnlyPublishedMetrics: the metrics the recipe charted that AWS does not publish are
// refused before the CDK sees them, and every listed metric names its AWS page.
func TestOnlyPublishedMetrics(t *testing.T) {
	for _, name := range []string{"RepositoryPushCount", "RepositorySize", "ReplicationLatency", "ReplicationFailureRate"} {
		if IsPublished("AWS/ECR", name) {
			t.Errorf("AWS/ECR %s is listed as published; AWS publishes only RepositoryPullCount", name)
		}
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), "AWS/ECR "+name+" is not a metric AWS publishes") {
					t.Errorf("mustBePublished(AWS/ECR, %s) = %v; want a panic naming it", name, r)
				}
			}()
			mustBePublished("AWS/ECR", name)
		}()
	}
	if !IsPublished("AWS/ECR", "RepositoryPullCount") || !IsPublished("AWS/Events", "FailedInvocations") {
		t.Error("RepositoryPullCount and FailedInvocations are published")
	}
	if IsPublished(DefaultMeasureNamespace, "NoSuchMetric") {
		t.Errorf("%s NoSuchMetric is not published by any construct", DefaultMeasureNamespace)
	}
}
