package monitoring

import (
	"strings"
)

// Event patterns of this package, as plain Go values rendered into AWS::Events::Rule
// EventPattern. Field names and values come from the AWS documentation of each event
// (see README.md "Events"); nothing else is assumed about the events.

// namespaceFilter matches repository names under the namespace and only there: the
// trailing slash keeps "enterprise-apps-legacy/api" out of "enterprise-apps".
func namespaceFilter(repositoryPrefix string) []interface{} {
	return []interface{}{map[string]interface{}{"prefix": strings.Trim(repositoryPrefix, "/") + "/"}}
}

// criticalOrHigh matches a finding-severity-counts object with a CRITICAL or HIGH count
// above zero. ECR and Inspector omit severities without findings, so a clean scan
// ({} or only MEDIUM/LOW) does not match.
func criticalOrHigh() []interface{} {
	above0 := []interface{}{map[string]interface{}{"numeric": []interface{}{">", 0}}}
	return []interface{}{
		map[string]interface{}{"finding-severity-counts": map[string]interface{}{"CRITICAL": above0}},
		map[string]interface{}{"finding-severity-counts": map[string]interface{}{"HIGH": above0}},
	}
}

// replicationPattern matches "ECR Replication Action" events with the given result
// (SUCCESS or FAILED) for repositories of the namespace replicated from sourceRegion
// (and sourceAccount when it is known).
func replicationPattern(repositoryPrefix, result, sourceRegion, sourceAccount string) map[string]interface{} {
	detail := map[string]interface{}{
		"result":          []interface{}{result},
		"action-type":     []interface{}{"REPLICATE"},
		"repository-name": namespaceFilter(repositoryPrefix),
		"source-region":   []interface{}{sourceRegion},
	}
	if sourceAccount != "" {
		detail["source-account"] = []interface{}{sourceAccount}
	}
	return map[string]interface{}{
		"source":      []interface{}{"aws.ecr"},
		"detail-type": []interface{}{"ECR Replication Action"},
		"detail":      detail,
	}
}

// pushPattern matches successful pushes to exactly one repository.
func pushPattern(repositoryName string) map[string]interface{} {
	return pushesTo(repositoryName)
}

// namespacePushPattern matches successful pushes to every repository under the namespace.
func namespacePushPattern(repositoryPrefix string) map[string]interface{} {
	return pushesTo(map[string]interface{}{"prefix": strings.Trim(repositoryPrefix, "/") + "/"})
}

// pushesTo matches "ECR Image Action" PUSH events with result SUCCESS whose repository-name
// matches the given filter (a name, or a prefix matcher).
func pushesTo(repository interface{}) map[string]interface{} {
	return map[string]interface{}{
		"source":      []interface{}{"aws.ecr"},
		"detail-type": []interface{}{"ECR Image Action"},
		"detail": map[string]interface{}{
			"action-type":     []interface{}{"PUSH"},
			"result":          []interface{}{"SUCCESS"},
			"repository-name": []interface{}{repository},
		},
	}
}

// basicScanFindingsPattern matches completed basic scans of the namespace with CRITICAL or
// HIGH findings.
func basicScanFindingsPattern(repositoryPrefix string) map[string]interface{} {
	return map[string]interface{}{
		"source":      []interface{}{"aws.ecr"},
		"detail-type": []interface{}{"ECR Image Scan"},
		"detail": map[string]interface{}{
			"scan-status":     []interface{}{"COMPLETE"},
			"repository-name": namespaceFilter(repositoryPrefix),
			"$or":             criticalOrHigh(),
		},
	}
}

// inspectorScanFindingsPattern matches Amazon Inspector "Inspector2 Scan" events (enhanced
// scanning, initial scan of an image) of the namespace with CRITICAL or HIGH findings.
// In these events detail.repository-name holds the repository ARN.
func inspectorScanFindingsPattern(repositoryPrefix string) map[string]interface{} {
	return map[string]interface{}{
		"source":      []interface{}{"aws.inspector2"},
		"detail-type": []interface{}{"Inspector2 Scan"},
		"detail": map[string]interface{}{
			"repository-name": []interface{}{map[string]interface{}{
				"wildcard": "arn:*:ecr:*:*:repository/" + strings.Trim(repositoryPrefix, "/") + "/*",
			}},
			"$or": criticalOrHigh(),
		},
	}
}

// lifecyclePattern matches the CloudTrail record ECR writes when a lifecycle policy expires
// images of the namespace (eventName PolicyExecutionEvent, an AWS service event).
func lifecyclePattern(repositoryPrefix string) map[string]interface{} {
	return map[string]interface{}{
		"source":      []interface{}{"aws.ecr"},
		"detail-type": []interface{}{"AWS Service Event via CloudTrail"},
		"detail": map[string]interface{}{
			"eventSource": []interface{}{"ecr.amazonaws.com"},
			"eventName":   []interface{}{"PolicyExecutionEvent"},
			"serviceEventDetails": map[string]interface{}{
				"repositoryName": namespaceFilter(repositoryPrefix),
			},
		},
	}
}
