package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/replication"
)

// DeploymentProps configures a whole deployment: the source stack and one replica stack per
// destination.
type DeploymentProps struct {
	Common
	// SourceRegion holds the source repositories and the replication configuration. Required.
	SourceRegion string
	// SourceAccount owns the source registry.
	//
	// Default: - the deploy-time account (environment-agnostic stacks); only for same-account
	// replication.
	SourceAccount string
	// Destinations receive the replicas, each in its region and account (Account "" for the
	// source account). Required: 1 to 25.
	Destinations []replication.Destination
	// TemplateLifecycle is the lifecycle policy of repositories ECR creates later under the
	// namespace in each destination.
	//
	// Default: registry.DefaultLifecyclePolicy().
	TemplateLifecycle *lifecycle.Policy
}

// Deployment is every stack of one deployment.
type Deployment struct {
	// Source is the stack of the source region.
	Source *SourceStack
	// Replicas are the stacks of the destination regions, in Destinations order.
	Replicas []*ReplicaStack
}

// Stacks returns every stack: the source stack, its repository stacks, then each replica
// stack followed by its repository stacks.
func (d *Deployment) Stacks() []awscdk.Stack {
	out := append([]awscdk.Stack{d.Source.Stack}, d.Source.RepositoryStacks...)
	for _, r := range d.Replicas {
		out = append(append(out, r.Stack), r.RepositoryStacks...)
	}
	return out
}

// NewDeployment adds the source stack (named SourceStackName(SourceRegion)) and one replica
// stack per destination (ReplicaStackName(region)) to scope, normally the app; with
// RepositoryStacks of 2 or more, each of them has that many repository stacks beside it
// (RepositoryStackName).
//
// Every replica stack deploys before the source stack: the replicas and the creation template
// must exist before replication starts, or ECR creates the replicas itself (with defaults) and
// the replica stack's repositories then fail to create; across accounts the destination
// registry policy must also exist before the first replication.
func NewDeployment(scope constructs.Construct, props *DeploymentProps) *Deployment {
	if props == nil {
		props = &DeploymentProps{}
	}
	problems := checks.For("Deployment", scope, "")
	if !awsid.IsRegion(props.SourceRegion) {
		problems.Add("SourceRegion", props.SourceRegion, "a known AWS region such as us-east-1")
	}
	if props.SourceAccount != "" && !awsid.IsAccount(props.SourceAccount) {
		problems.Add("SourceAccount", props.SourceAccount, awsid.AccountRule)
	}
	for i, dest := range props.Destinations {
		if dest.Account != "" && dest.Account != props.SourceAccount && props.SourceAccount == "" {
			problems.Add(fmt.Sprintf("Destinations[%d].Account", i), dest.Account,
				"the source account as well (SourceAccount): cross-account replication names it in the destination's registry policy")
		}
	}
	problems.Panic()

	var sourceAccount *string
	if props.SourceAccount != "" {
		sourceAccount = jsii.String(props.SourceAccount)
	}
	d := &Deployment{}
	d.Source = NewSourceStack(scope, SourceStackName(props.SourceRegion), &SourceStackProps{
		StackProps: awscdk.StackProps{
			Env:         &awscdk.Environment{Account: sourceAccount, Region: jsii.String(props.SourceRegion)},
			Description: jsii.String(fmt.Sprintf("ecr-replication: source repositories under %s/ and their replication from %s", props.RepositoryPrefix, props.SourceRegion)),
		},
		Common:       props.Common,
		Destinations: props.Destinations,
	})
	trailed := map[string]bool{props.SourceAccount: true}
	for _, dest := range props.Destinations {
		// One multi-region trail per account: the source stack's, and the first replica
		// stack's of each other destination account.
		trail := props.Monitoring.LifecycleTrail && dest.Account != "" && !trailed[dest.Account]
		trailed[dest.Account] = trailed[dest.Account] || trail
		account := sourceAccount
		if dest.Account != "" {
			account = jsii.String(dest.Account)
		}
		r := NewReplicaStack(scope, ReplicaStackName(dest.Region), &ReplicaStackProps{
			StackProps: awscdk.StackProps{
				Env:         &awscdk.Environment{Account: account, Region: jsii.String(dest.Region)},
				Description: jsii.String(fmt.Sprintf("ecr-replication: replicas of %s/ in %s, replicated from %s", props.RepositoryPrefix, dest.Region, props.SourceRegion)),
			},
			Common:            props.Common,
			SourceRegion:      props.SourceRegion,
			SourceAccount:     props.SourceAccount,
			TemplateLifecycle: props.TemplateLifecycle,
			LifecycleTrail:    trail,
		})
		d.Source.AddStackDependency(r.Stack, jsii.String("replicas, their creation template and registry policy must exist before replication starts"))
		for _, holder := range r.RepositoryStacks {
			d.Source.AddStackDependency(holder, jsii.String("the replicas must exist before replication starts"))
		}
		d.Replicas = append(d.Replicas, r)
	}
	return d
}
