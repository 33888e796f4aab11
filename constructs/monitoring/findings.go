package monitoring

import "strings"

// The findings segment: image scans with CRITICAL or HIGH findings, notified to the security
// topic (basic scanning's "ECR Image Scan" and, with enhanced scanning, Amazon Inspector's
// "Inspector2 Scan").

// addFindingsRules creates the scan-findings rules of the source monitor when it has a
// security topic.
func (s *SourceMonitor) addFindingsRules() {
	props := s.props
	namespace := strings.Trim(props.RepositoryPrefix, "/") + "/"
	if props.SecurityTopic == nil {
		return
	}
	{
		s.ScanFindingsRule = newRule(s, ruleSpec{
			id:          "ScanFindingsRule",
			name:        ScanFindingsRuleName(s.namePrefix),
			description: "Basic scans of " + namespace + " with CRITICAL or HIGH findings",
			pattern:     basicScanFindingsPattern(props.RepositoryPrefix),
			topic:       props.SecurityTopic,
			message: &topicMessage{
				paths: map[string]string{
					"repository": "$.detail.repository-name",
					"digest":     "$.detail.image-digest",
					"critical":   "$.detail.finding-severity-counts.CRITICAL",
					"high":       "$.detail.finding-severity-counts.HIGH",
					"region":     "$.region",
					"account":    "$.account",
					"time":       "$.time",
				},
				template: "ECR basic scan found vulnerabilities in <repository> (<digest>), region <region>, account <account>, at <time>: " +
					"CRITICAL <critical>, HIGH <high> (an empty count means none). Details: aws ecr describe-image-scan-findings.",
			},
		})
		if props.EnhancedScanning {
			s.InspectorFindingsRule = newRule(s, ruleSpec{
				id:          "InspectorFindingsRule",
				name:        InspectorFindingsRuleName(s.namePrefix),
				description: "Amazon Inspector scans of " + namespace + " with CRITICAL or HIGH findings",
				pattern:     inspectorScanFindingsPattern(props.RepositoryPrefix),
				topic:       props.SecurityTopic,
				message: &topicMessage{
					paths: map[string]string{
						"repository": "$.detail.repository-name",
						"digest":     "$.detail.image-digest",
						"critical":   "$.detail.finding-severity-counts.CRITICAL",
						"high":       "$.detail.finding-severity-counts.HIGH",
						"total":      "$.detail.finding-severity-counts.TOTAL",
						"status":     "$.detail.scan-status",
						"region":     "$.region",
						"time":       "$.time",
					},
					template: "Amazon Inspector (ECR enhanced scanning, <status>) found vulnerabilities in <repository> (<digest>), " +
						"region <region>, at <time>: CRITICAL <critical>, HIGH <high>, TOTAL <total>. Details: Amazon Inspector findings.",
				},
			})
		}
	}

}
