package measurement

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/internal/naming"
	"github.com/acme-platform/ecr-replication/constructs/internal/watch"
)

// How ECR Replication Action events look (Amazon ECR user guide, ecr-eventbridge.html): they
// are emitted in the destination region, with detail.result SUCCESS or FAILED,
// detail.action-type REPLICATE, detail.repository-name, detail.image-digest,
// detail.source-region and detail.source-account; the envelope region and account are the
// destination's. A rule that forwards them to another region's bus (a cross-Region
// event-bus target, EventBridge user guide eb-cross-region.html) delivers them with the
// envelope unchanged: source stays aws.ecr, region and account stay the destination's
// (LocalStack reproduces this in AWS-validated tests, localstack/localstack#11027 and
// #12554; not stated in the AWS guide itself).

// replicationPattern matches successful replications of prefix/ from sourceRegion (and
// sourceAccount when known). regions and accounts, when set, restrict the envelope (the
// destination that emitted the event).
func replicationPattern(prefix, sourceRegion, sourceAccount string, regions, accounts []string) map[string]any {
	detail := map[string]any{
		"result":          []any{"SUCCESS"},
		"action-type":     []any{"REPLICATE"},
		"repository-name": []any{map[string]any{"prefix": prefix + "/"}},
		"source-region":   []any{sourceRegion},
	}
	if sourceAccount != "" {
		detail["source-account"] = []any{sourceAccount}
	}
	p := map[string]any{
		"source":      []any{"aws.ecr"},
		"detail-type": []any{"ECR Replication Action"},
		"detail":      detail,
	}
	if len(regions) > 0 {
		p["region"] = regions
	}
	if len(accounts) > 0 {
		p["account"] = accounts
	}
	return p
}

// forwarderRuleName is the name of the rule a LatencyForwarder creates in a destination region
// to forward replication events to sourceRegion; the source bus admits exactly these rules.
func forwarderRuleName(namePrefix, sourceRegion string) string {
	return naming.Fit(namePrefix+"-forward-replications-to-"+sourceRegion, naming.MaxRule)
}

// LatencyForwarderProps configures LatencyForwarder.
type LatencyForwarderProps struct {
	// RepositoryPrefix is the repository namespace, such as "enterprise-apps". Required.
	RepositoryPrefix string
	// SourceRegion is the region the images are replicated from, where ReplicationLatency
	// runs. Required; it must differ from this stack's region.
	SourceRegion string
	// SourceAccount owns the source registry and its default event bus.
	//
	// Default: - this stack's account (same-account replication); when that is a deploy-time
	// token, the rule does not filter on detail.source-account.
	SourceAccount string
	// NamePrefix starts the rule name; use the same value as ReplicationLatency.
	//
	// Default: - monitoring.DefaultNamePrefix(RepositoryPrefix).
	NamePrefix string
}

// check records every problem of the props for a forwarder in scope.
func (p *LatencyForwarderProps) check(problems *checks.Problems, scope constructs.Construct) {
	naming.Namespace(problems, "RepositoryPrefix", p.RepositoryPrefix)
	naming.Region(problems, "SourceRegion", p.SourceRegion)
	naming.Account(problems, "SourceAccount", p.SourceAccount)
	naming.NamePrefix(problems, "NamePrefix", p.NamePrefix)
	if p.SourceRegion != "" && p.SourceRegion == regionOf(scope) {
		problems.Add("SourceRegion", p.SourceRegion, "a region other than this stack's: LatencyForwarder belongs in the destination regions")
	}
}

// LatencyForwarder lives in each destination region: it forwards the successful
// "ECR Replication Action" events of the namespace from SourceRegion to the default event
// bus of the source region and account, where ReplicationLatency measures them. Across
// accounts, the source bus must admit this account (ReplicationLatency creates that
// policy for every destination account it is given).
type LatencyForwarder struct {
	constructs.Construct

	// Rule matches the replication events and targets the source bus; Role lets EventBridge
	// put them there.
	Rule awsevents.CfnRule
	Role awsiam.Role
	// RuleName is the deterministic rule name; SourceBusArn the target.
	RuleName     string
	SourceBusArn *string
}

// NewLatencyForwarder creates the forwarding rule and its role in a destination region.
// Invalid props panic with a *checks.Error that lists every problem.
func NewLatencyForwarder(scope constructs.Construct, id string, props *LatencyForwarderProps) *LatencyForwarder {
	props = naming.Checked("LatencyForwarder", scope, id, props, (*LatencyForwarderProps).check)
	f := &LatencyForwarder{}
	constructs.NewConstruct_Override(f, scope, &id)
	stack := awscdk.Stack_Of(f)
	account, patternAccount := props.SourceAccount, props.SourceAccount
	if account == "" {
		account, patternAccount = *stack.Account(), accountOf(f)
	}
	f.SourceBusArn = stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("events"), Region: jsii.String(props.SourceRegion), Account: jsii.String(account),
		Resource: jsii.String("event-bus"), ResourceName: jsii.String("default"),
	})
	f.RuleName = forwarderRuleName(naming.PrefixOr(props.NamePrefix, props.RepositoryPrefix), props.SourceRegion)
	// Cross-Region event-bus targets need a role with events:PutEvents on the target bus
	// (EventBridge user guide, eb-cross-region.html).
	f.Role = awsiam.NewRole(f, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
		Description: jsii.String("Lets EventBridge forward ECR replication events to the source region's default bus"),
		InlinePolicies: &map[string]awsiam.PolicyDocument{"PutEventsOnSourceBus": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
			Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("events:PutEvents"),
				Resources: &[]*string{f.SourceBusArn},
			})},
		})},
	})
	f.Rule = awsevents.NewCfnRule(f, jsii.String("Rule"), &awsevents.CfnRuleProps{
		Name:         jsii.String(f.RuleName),
		Description:  jsii.String("Forwards successful ECR replications of " + props.RepositoryPrefix + "/ from " + props.SourceRegion + " to its default event bus, to measure latency"),
		EventPattern: replicationPattern(props.RepositoryPrefix, props.SourceRegion, patternAccount, nil, nil),
		State:        jsii.String("ENABLED"),
		Targets: &[]*awsevents.CfnRule_TargetProperty{{
			Id:      jsii.String("SourceRegionBus"),
			Arn:     f.SourceBusArn,
			RoleArn: f.Role.RoleArn(),
		}},
	})
	return f
}

// MetricFailedInvocations counts events the rule could not deliver to the source bus
// (AWS/Events FailedInvocations of Rule, Sum over 1 hour unless opts says otherwise;
// published only when non-zero, EventBridge user guide eb-monitoring.html). A missing bus
// policy or role permission shows here.
func (f *LatencyForwarder) MetricFailedInvocations(opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	m := watch.RuleMetric("FailedInvocations", f.RuleName, "Replication events not forwarded", "", "", &awscloudwatch.MetricOptions{Period: hour()})
	return watch.WithOptions(m, opts)
}
