package monitoring

import "testing"

// TestNames: the names that connect the stacks, literally. A name too long for its limit is cut
// and ends with the first 8 hex digits of the SHA-256 of the whole name (computed outside Go).
func TestNames(t *testing.T) {
	const p = "ecr-enterprise-apps"
	for _, c := range []struct{ got, want string }{
		{replicationSucceededRuleName(p, "us-east-1"), "ecr-enterprise-apps-replicated-from-us-east-1"},
		{replicationFailedRuleName(p, "us-east-1"), "ecr-enterprise-apps-replication-failed-from-us-east-1"},
		{replicationFailureRateAlarmName(p, "us-east-1"), "ecr-enterprise-apps-replication-failure-rate-from-us-east-1"},
		{lifecycleRuleName(p), "ecr-enterprise-apps-lifecycle-expirations"},
		{pushRuleName(p, "enterprise-apps", "enterprise-apps/production"), "ecr-enterprise-apps-pushes-to-production"},
		{pushRuleName(p, "enterprise-apps", "enterprise-apps/team/service"), "ecr-enterprise-apps-pushes-to-team-service"},
		{namespacePushRuleName(p), "ecr-enterprise-apps-pushes"},
		{scanFindingsRuleName(p), "ecr-enterprise-apps-scan-findings"},
		{inspectorFindingsRuleName(p), "ecr-enterprise-apps-inspector-scan-findings"},
		{anomalyAlarmName(p, "pull", "enterprise-apps", "enterprise-apps/production"), "ecr-enterprise-apps-pull-anomaly-production"},
		{anomalyAlarmName(p, "push", "enterprise-apps", "enterprise-apps/team/service"), "ecr-enterprise-apps-push-anomaly-team-service"},
		{anomalyAlarmName(p, "push", "enterprise-apps", ""), "ecr-enterprise-apps-push-anomaly"},
		{deliveryAlarmName(p, 0), "ecr-enterprise-apps-undelivered-events"},
		{deliveryAlarmName(p, 1), "ecr-enterprise-apps-undelivered-events-2"},
		{replicationSucceededRuleName("ecr-a-very-long-namespace-prefix-for-names", "ap-southeast-2"), "ecr-a-very-long-namespace-prefix-for-names-replicated-f-bfb0b98b"},
		{replicationSucceededRuleName("ecr-a-very-long-namespace-prefix-for-names", "ap-southeast-1"), "ecr-a-very-long-namespace-prefix-for-names-replicated-f-bd05fc97"},
	} {
		if c.got != c.want {
			t.Errorf("name %q; want %q", c.got, c.want)
		}
	}
}
