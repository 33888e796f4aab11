package monitoring

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/internal/naming"
)

// LifecycleNotificationsProps configures LifecycleNotifications.
type LifecycleNotificationsProps struct {
	// RepositoryPrefix is the repository namespace, such as "enterprise-apps"; expirations in
	// "enterprise-apps/..." are notified, those in "enterprise-apps-legacy/..." are not.
	// Required.
	RepositoryPrefix string

	// Topic receives one readable message per PolicyExecutionEvent record. Required.
	Topic awssns.ITopic

	// NamePrefix starts the rule name; use the same value in every stack of the app.
	//
	// Default: - DefaultNamePrefix(RepositoryPrefix)
	NamePrefix string
}

// check records every problem of the props.
func (p *LifecycleNotificationsProps) check(problems *checks.Problems, _ constructs.Construct) {
	naming.Namespace(problems, "RepositoryPrefix", p.RepositoryPrefix)
	if p.Topic == nil {
		problems.Missing("Topic", "the lifecycle topic that receives expirations")
	}
	naming.NamePrefix(problems, "NamePrefix", p.NamePrefix)
}

// LifecycleNotifications notifies a topic when a lifecycle policy expires images of the
// namespace in this region. Replicas carry their own lifecycle policies (set by a creation
// template), so it is useful in the source region and in every destination region.
//
// ECR records expirations only in CloudTrail (eventName PolicyExecutionEvent, eventType
// AwsServiceEvent, readOnly true) and EventBridge receives them as "AWS Service Event via
// CloudTrail". EventBridge documents that CloudTrail-delivered events need a CloudTrail
// trail with logging enabled in the account and region; and because the record is marked
// read-only, the rule is created in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
// (state ENABLED does not receive read-only management events). See README.md.
type LifecycleNotifications struct {
	constructs.Construct

	// Rule matches PolicyExecutionEvent records of the namespace.
	Rule awsevents.CfnRule
	// RuleName is the deterministic name of Rule.
	RuleName string
}

// NewLifecycleNotifications creates the rule and its topic target. Invalid props panic with a
// *checks.Error that lists every problem.
func NewLifecycleNotifications(scope constructs.Construct, id string, props *LifecycleNotificationsProps) *LifecycleNotifications {
	props = naming.Checked("LifecycleNotifications", scope, id, props, (*LifecycleNotificationsProps).check)
	l := &LifecycleNotifications{}
	constructs.NewConstruct_Override(l, scope, &id)
	l.RuleName = lifecycleRuleName(naming.PrefixOr(props.NamePrefix, props.RepositoryPrefix))
	l.Rule = newRule(l, ruleSpec{
		id:          "Rule",
		name:        l.RuleName,
		description: "ECR lifecycle-policy expirations (CloudTrail PolicyExecutionEvent) in " + props.RepositoryPrefix + "/",
		pattern:     lifecyclePattern(props.RepositoryPrefix),
		state:       "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
		topic:       props.Topic,
		message: &topicMessage{
			paths: map[string]string{
				"repository": "$.detail.serviceEventDetails.repositoryName",
				"region":     "$.region",
				"account":    "$.account",
				"time":       "$.time",
			},
			template: "ECR lifecycle policy expired images in <repository> (region <region>, account <account>) at <time>. " +
				"The digests, tags and rule priorities are in the CloudTrail record PolicyExecutionEvent of that time.",
		},
	})
	return l
}

// MetricExpirationEvents counts PolicyExecutionEvent records matched in this region
// (AWS/Events TriggeredRules, Sum). It counts records, not images: ECR splits an
// expiration of 10 or more images into several records.
func (l *LifecycleNotifications) MetricExpirationEvents(opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return ruleMetric(l.RuleName, "Lifecycle expiration records", "", "", opts)
}
