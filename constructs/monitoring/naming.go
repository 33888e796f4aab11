package monitoring

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/acme-platform/ecr-replication/awsid"
)

// Names of EventBridge rules may hold at most 64 characters of [.-_A-Za-z0-9]; alarm names
// may be longer, but this package keeps them to the same alphabet so that they can be
// typed into the console and built into ARNs without escaping.
const (
	maxRuleNameLength  = 64
	maxAlarmNameLength = 255
	// maxNamePrefixLength leaves room in a 64-character rule name for what follows the prefix.
	maxNamePrefixLength = 40
)

var unsafeNameChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// DefaultNamePrefix returns the name prefix used when a props struct leaves NamePrefix
// empty: "ecr-" followed by the repository namespace with "/" turned into "-", for example
// "ecr-enterprise-apps" for the namespace "enterprise-apps".
//
// Every stack of one app must use the same prefix, because the source dashboard finds the
// replica rules and alarms by name. A namespace too long for the 40 characters a name prefix
// may hold is cut, with a hash of the whole namespace so that two long namespaces stay apart.
func DefaultNamePrefix(repositoryPrefix string) string {
	return fitName("ecr-"+strings.Trim(repositoryPrefix, "/"), maxNamePrefixLength)
}

// ReplicationSucceededRuleName is the name of the EventBridge rule, in a destination region,
// that matches successful replications from sourceRegion. Its AWS/Events TriggeredRules
// metric counts replicated images.
func ReplicationSucceededRuleName(namePrefix, sourceRegion string) string {
	return fitName(fmt.Sprintf("%s-replicated-from-%s", namePrefix, sourceRegion), maxRuleNameLength)
}

// ReplicationFailedRuleName is the name of the EventBridge rule, in a destination region,
// that matches failed replications from sourceRegion. Its AWS/Events TriggeredRules metric
// counts failures.
func ReplicationFailedRuleName(namePrefix, sourceRegion string) string {
	return fitName(fmt.Sprintf("%s-replication-failed-from-%s", namePrefix, sourceRegion), maxRuleNameLength)
}

// ReplicationFailureRateAlarmName is the name of the failure-rate alarm that a
// ReplicationMonitor creates in a destination region for replications from sourceRegion.
// The alarm ARN is arn:<partition>:cloudwatch:<destination region>:<destination account>:alarm:<name>.
func ReplicationFailureRateAlarmName(namePrefix, sourceRegion string) string {
	return fitName(fmt.Sprintf("%s-replication-failure-rate-from-%s", namePrefix, sourceRegion), maxAlarmNameLength)
}

// LifecycleRuleName is the name of the EventBridge rule that LifecycleNotifications creates
// in its region. Its AWS/Events TriggeredRules metric counts PolicyExecutionEvent records.
func LifecycleRuleName(namePrefix string) string {
	return fitName(namePrefix+"-lifecycle-expirations", maxRuleNameLength)
}

// PushRuleName is the name of the source-region EventBridge rule that matches successful
// pushes to one watched repository. Its AWS/Events TriggeredRules metric counts pushes to it.
func PushRuleName(namePrefix, repositoryPrefix, repositoryName string) string {
	return fitName(fmt.Sprintf("%s-pushes-to-%s", namePrefix, shortRepositoryName(repositoryPrefix, repositoryName)), maxRuleNameLength)
}

// NamespacePushRuleName is the name of the source-region rule that matches successful pushes
// to every repository of the namespace, when some repositories are not watched one by one.
func NamespacePushRuleName(namePrefix string) string {
	return fitName(namePrefix+"-pushes", maxRuleNameLength)
}

// NamespacePushAnomalyAlarmName is the name of the anomaly-detection alarm on the pushes to
// the whole namespace.
func NamespacePushAnomalyAlarmName(namePrefix string) string {
	return fitName(namePrefix+"-push-anomaly", maxAlarmNameLength)
}

// ScanFindingsRuleName is the name of the source-region rule that matches basic scans with
// CRITICAL or HIGH findings.
func ScanFindingsRuleName(namePrefix string) string {
	return fitName(namePrefix+"-scan-findings", maxRuleNameLength)
}

// InspectorFindingsRuleName is the name of the rule, in every region that scans ENHANCED, that matches Amazon
// Inspector (enhanced scanning) scans with CRITICAL or HIGH findings.
func InspectorFindingsRuleName(namePrefix string) string {
	return fitName(namePrefix+"-inspector-scan-findings", maxRuleNameLength)
}

// PullAnomalyAlarmName is the name of the anomaly-detection alarm on the pulls of one
// repository.
func PullAnomalyAlarmName(namePrefix, repositoryPrefix, repositoryName string) string {
	return fitName(fmt.Sprintf("%s-pull-anomaly-%s", namePrefix, shortRepositoryName(repositoryPrefix, repositoryName)), maxAlarmNameLength)
}

// PushAnomalyAlarmName is the name of the anomaly-detection alarm on the pushes of one
// repository.
func PushAnomalyAlarmName(namePrefix, repositoryPrefix, repositoryName string) string {
	return fitName(fmt.Sprintf("%s-push-anomaly-%s", namePrefix, shortRepositoryName(repositoryPrefix, repositoryName)), maxAlarmNameLength)
}

// shortRepositoryName drops the namespace ("enterprise-apps/production" -> "production")
// and makes the rest name-safe.
func shortRepositoryName(repositoryPrefix, repositoryName string) string {
	short := strings.TrimPrefix(repositoryName, strings.Trim(repositoryPrefix, "/")+"/")
	return sanitizeName(short)
}

func sanitizeName(s string) string {
	return strings.Trim(unsafeNameChars.ReplaceAllString(s, "-"), "-")
}

// fitName keeps name as is when it fits, otherwise shortens it with a hash of the full name
// (awsid.Fit), so that distinct long names stay distinct and deterministic.
func fitName(name string, max int) string {
	return awsid.Fit(sanitizeName(name), max)
}
