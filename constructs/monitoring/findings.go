package monitoring

import (
	"maps"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
)

// The findings segment: image scans with CRITICAL or HIGH findings, notified to the security
// topic. A registry scans either basically (ECR's "ECR Image Scan" events) or, with enhanced
// scanning, through Amazon Inspector ("Inspector2 Scan" events,
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced-events.html):
// only the rule of the registry's scan type is created, so no rule is left that cannot fire.

// addFindingsRules creates the scan-findings rule of the source monitor when it has a
// security topic: Inspector's with EnhancedScanning, basic scanning's otherwise.
func (s *SourceMonitor) addFindingsRules() {
	props := s.props
	if props.SecurityTopic == nil {
		return
	}
	if props.EnhancedScanning {
		s.InspectorFindingsRule = newInspectorFindingsRule(s, s.namePrefix, props.RepositoryPrefix, props.SecurityTopic)
		return
	}
	namespace := strings.Trim(props.RepositoryPrefix, "/") + "/"
	s.ScanFindingsRule = newRule(s, ruleSpec{
		id:          "ScanFindingsRule",
		name:        scanFindingsRuleName(s.namePrefix),
		description: "Basic scans of " + namespace + " with CRITICAL or HIGH findings",
		pattern:     basicScanFindingsPattern(props.RepositoryPrefix),
		topic:       props.SecurityTopic,
		message: &topicMessage{
			paths: findingPaths(map[string]string{"account": "$.account"}),
			template: "ECR basic scan found vulnerabilities in <repository> (<digest>), region <region>, account <account>, at <time>: " +
				"CRITICAL <critical>, HIGH <high> (an empty count means none). Details: aws ecr describe-image-scan-findings.",
		},
	})
}

// newInspectorFindingsRule creates the rule that notifies topic of Amazon Inspector scans of
// the namespace with CRITICAL or HIGH findings, in scope's region (every region that scans
// ENHANCED needs one: Inspector emits its events where the image is).
func newInspectorFindingsRule(scope constructs.Construct, namePrefix, repositoryPrefix string, topic awssns.ITopic) awsevents.CfnRule {
	namespace := strings.Trim(repositoryPrefix, "/") + "/"
	return newRule(scope, ruleSpec{
		id:          "InspectorFindingsRule",
		name:        inspectorFindingsRuleName(namePrefix),
		description: "Amazon Inspector scans of " + namespace + " with CRITICAL or HIGH findings",
		pattern:     inspectorScanFindingsPattern(repositoryPrefix),
		topic:       topic,
		message: &topicMessage{
			paths: findingPaths(map[string]string{"total": "$.detail.finding-severity-counts.TOTAL", "status": "$.detail.scan-status"}),
			template: "Amazon Inspector (ECR enhanced scanning, <status>) found vulnerabilities in <repository> (<digest>), " +
				"region <region>, at <time>: CRITICAL <critical>, HIGH <high>, TOTAL <total>. Details: Amazon Inspector findings.",
		},
	})
}

// findingPaths are the input paths of a scan-findings message: the repository, the digest, the
// CRITICAL and HIGH counts, the region and the time, which ECR's "ECR Image Scan" and Inspector's
// "Inspector2 Scan" events both carry, and extra ones by name.
func findingPaths(extra map[string]string) map[string]string {
	paths := map[string]string{
		"repository": "$.detail.repository-name",
		"digest":     "$.detail.image-digest",
		"critical":   "$.detail.finding-severity-counts.CRITICAL",
		"high":       "$.detail.finding-severity-counts.HIGH",
		"region":     "$.region",
		"time":       "$.time",
	}
	maps.Copy(paths, extra)
	return paths
}
