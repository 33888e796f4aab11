package monitoring

import (
	"fmt"

	"github.com/acme-platform/ecr-replication/constructs/internal/naming"
)

// DefaultNamePrefix returns the name prefix used when a props struct leaves NamePrefix
// empty: "ecr-" followed by the repository namespace with "/" turned into "-", for example
// "ecr-enterprise-apps" for the namespace "enterprise-apps". The measurement constructs
// (package constructs/measurement) default to the same prefix.
//
// Every stack of one app must use the same prefix, because the source dashboard finds the
// replica rules and alarms by name. A namespace too long for the 40 characters a name prefix
// may hold is cut, with a hash of the whole namespace so that two long namespaces stay apart.
func DefaultNamePrefix(repositoryPrefix string) string {
	return naming.DefaultPrefix(repositoryPrefix)
}

// The names below connect the stacks: the source dashboard reads the replica regions' rules
// and alarms by them. Each construct also exposes the names it gives (RuleName, …) and its
// rules and alarms.

// replicationSucceededRuleName is the rule, in a destination region, that matches successful
// replications from sourceRegion; its AWS/Events TriggeredRules counts replicated images.
func replicationSucceededRuleName(namePrefix, sourceRegion string) string {
	return naming.Fit(fmt.Sprintf("%s-replicated-from-%s", namePrefix, sourceRegion), naming.MaxRule)
}

// replicationFailedRuleName is the rule, in a destination region, that matches failed
// replications from sourceRegion; its AWS/Events TriggeredRules counts failures.
func replicationFailedRuleName(namePrefix, sourceRegion string) string {
	return naming.Fit(fmt.Sprintf("%s-replication-failed-from-%s", namePrefix, sourceRegion), naming.MaxRule)
}

// replicationFailureRateAlarmName is the failure-rate alarm of a destination region, whose ARN
// is arn:<partition>:cloudwatch:<destination region>:<destination account>:alarm:<name>.
func replicationFailureRateAlarmName(namePrefix, sourceRegion string) string {
	return naming.Fit(fmt.Sprintf("%s-replication-failure-rate-from-%s", namePrefix, sourceRegion), naming.MaxAlarm)
}

// lifecycleRuleName is the rule of LifecycleNotifications; its TriggeredRules counts
// PolicyExecutionEvent records.
func lifecycleRuleName(namePrefix string) string {
	return naming.Fit(namePrefix+"-lifecycle-expirations", naming.MaxRule)
}

// pushRuleName is the source-region rule that matches successful pushes to one watched
// repository; its TriggeredRules counts pushes to it.
func pushRuleName(namePrefix, repositoryPrefix, repositoryName string) string {
	return naming.Fit(fmt.Sprintf("%s-pushes-to-%s", namePrefix, naming.ShortRepositoryName(repositoryPrefix, repositoryName)), naming.MaxRule)
}

// namespacePushRuleName is the source-region rule that matches successful pushes to every
// repository of the namespace, when some repositories are not watched one by one.
func namespacePushRuleName(namePrefix string) string {
	return naming.Fit(namePrefix+"-pushes", naming.MaxRule)
}

// scanFindingsRuleName is the source-region rule that matches basic scans with CRITICAL or
// HIGH findings.
func scanFindingsRuleName(namePrefix string) string {
	return naming.Fit(namePrefix+"-scan-findings", naming.MaxRule)
}

// inspectorFindingsRuleName is the rule, in every region that scans ENHANCED, that matches
// Amazon Inspector scans with CRITICAL or HIGH findings.
func inspectorFindingsRuleName(namePrefix string) string {
	return naming.Fit(namePrefix+"-inspector-scan-findings", naming.MaxRule)
}

// anomalyAlarmName is the anomaly-detection alarm on one watched repository's pulls ("pull") or
// pushes ("push"), or on the namespace's pushes when repositoryName is "".
func anomalyAlarmName(namePrefix, what, repositoryPrefix, repositoryName string) string {
	if repositoryName == "" {
		return naming.Fit(namePrefix+"-"+what+"-anomaly", naming.MaxAlarm)
	}
	return naming.Fit(fmt.Sprintf("%s-%s-anomaly-%s", namePrefix, what, naming.ShortRepositoryName(repositoryPrefix, repositoryName)), naming.MaxAlarm)
}

// deliveryAlarmName is the i-th (from 0) delivery alarm of a region.
func deliveryAlarmName(namePrefix string, i int) string {
	name := namePrefix + "-undelivered-events"
	if i > 0 {
		name += fmt.Sprintf("-%d", i+1)
	}
	return naming.Fit(name, naming.MaxAlarm)
}
