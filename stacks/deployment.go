package stacks

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/policy"
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

// deploymentIDPattern is what a deployment id may be: the start of a CloudFormation stack name.
var deploymentIDPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,63}$`)

// Deployment is every stack of one deployment.
type Deployment struct {
	// Source is the stack of the source region.
	Source *SourceStack
	// Replicas are the stacks of the destination regions, in Destinations order.
	Replicas []*ReplicaStack
	id       string
	props    DeploymentProps
}

// ID returns the deployment's id, which starts every one of its stack names.
func (d *Deployment) ID() string { return d.id }

// Replica returns the replica stack of a destination region, or nil.
func (d *Deployment) Replica(region string) *ReplicaStack {
	for _, r := range d.Replicas {
		if *r.Region() == region {
			return r
		}
	}
	return nil
}

// Stacks returns every stack: the source stack, its repository stacks, then each replica
// stack followed by its repository stacks.
func (d *Deployment) Stacks() []awscdk.Stack {
	out := append([]awscdk.Stack{d.Source}, d.Source.RepositoryStacks...)
	for _, r := range d.Replicas {
		out = append(append(out, r), r.RepositoryStacks...)
	}
	return out
}

// NewDeployment adds the source stack (named replication.SourceStackName(id, SourceRegion)) and
// one replica stack per destination (replication.ReplicaStackName(id, region)) to scope, normally the app; with
// RepositoryStacks of 2 or more, each of them has that many repository stacks beside it
// (replication.RepositoryStackName). id starts every stack name, so that several deployments (a staging
// and a production registry, or two source accounts) fit in one app: a letter, then up to 63
// letters, digits and hyphens. The app's own is replication.DefaultDeploymentID.
//
// Every replica stack deploys before the source stack: the replicas and the creation template
// must exist before replication starts, or ECR creates the replicas itself (with defaults) and
// the replica stack's repositories then fail to create; across accounts the destination
// registry policy must also exist before the first replication.
func NewDeployment(scope constructs.Construct, id string, props *DeploymentProps) *Deployment {
	if props == nil {
		props = &DeploymentProps{}
	}
	if props.many() && len(props.Destinations) == 0 {
		props.Destinations = props.namespaceDestinations()
	}
	checkDeployment(scope, id, props)
	var sourceAccount *string
	if props.SourceAccount != "" {
		sourceAccount = jsii.String(props.SourceAccount)
	}
	d := &Deployment{id: id, props: *props}
	d.Source = NewSourceStack(scope, replication.SourceStackName(id, props.SourceRegion), &SourceStackProps{
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
		d.addReplica(scope, dest, sourceAccount, trail)
	}
	return d
}

// checkDeployment refuses, every problem at once, what the stacks cannot check alone.
func checkDeployment(scope constructs.Construct, id string, props *DeploymentProps) {
	problems := checks.For("Deployment", scope, id)
	if !deploymentIDPattern.MatchString(id) {
		problems.Add("id", id, "a letter, then up to 63 letters, digits and hyphens: it starts every stack name, such as \""+replication.DefaultDeploymentID+"\"")
	}
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
}

// addReplica adds the replica stack of one destination, which the source stack deploys after.
func (d *Deployment) addReplica(scope constructs.Construct, dest replication.Destination, sourceAccount *string, trail bool) {
	account := sourceAccount
	if dest.Account != "" {
		account = jsii.String(dest.Account)
	}
	p := &d.props
	r := NewReplicaStack(scope, replication.ReplicaStackName(d.id, dest.Region), &ReplicaStackProps{
		StackProps: awscdk.StackProps{
			Env:         &awscdk.Environment{Account: account, Region: jsii.String(dest.Region)},
			Description: jsii.String(fmt.Sprintf("ecr-replication: replicas of %s/ in %s, replicated from %s", p.RepositoryPrefix, dest.Region, p.SourceRegion)),
		},
		Common:            p.Common,
		SourceRegion:      p.SourceRegion,
		SourceAccount:     p.SourceAccount,
		TemplateLifecycle: p.TemplateLifecycle,
		LifecycleTrail:    trail,
	})
	d.Source.AddStackDependency(r, jsii.String("replicas, their creation template and registry policy must exist before replication starts"))
	for _, holder := range r.RepositoryStacks {
		d.Source.AddStackDependency(holder, jsii.String("the replicas must exist before replication starts"))
	}
	d.Replicas = append(d.Replicas, r)
}

// namespaceDestinations returns every destination of every namespace, each once, in order of
// first appearance.
func (c *Common) namespaceDestinations() []replication.Destination {
	var out []replication.Destination
	for _, n := range c.Namespaces {
		for _, dest := range n.Destinations {
			if !slices.Contains(out, dest) {
				out = append(out, dest)
			}
		}
	}
	return out
}

// registries returns the source registry followed by a namespace's destinations.
func (d *Deployment) registries(p part) []replication.Destination {
	return append([]replication.Destination{{Region: d.props.SourceRegion, Account: d.props.SourceAccount}}, p.Destinations...)
}

// GrantPull lets grantee (a role or user of this app, or one imported by a literal ARN) pull
// every repository of the deployment, and those ECR creates later under its namespace, in every
// region and account: an identity-policy statement on one ARN pattern per registry (plain
// names, no cross-region reference) with ecr:GetAuthorizationToken, and, in every account
// other than the grantee's, a statement in each repository policy and creation template that
// admits it (registry.CrossAccountPrincipalOf says how). It panics with a *checks.Error when a
// policy in another account cannot admit grantee, naming the account and what to use instead:
// a grant is never void.
func (d *Deployment) GrantPull(grantee awsiam.IGrantable) awsiam.Grant {
	replicas, templates := d.Source.repositoryList(), []*registry.CreationTemplate(nil)
	for _, r := range d.Replicas {
		replicas = append(replicas, r.repositoryList()...)
		for _, n := range r.Namespaces {
			templates = append(templates, n.Template)
		}
	}
	return d.grant(grantee, "GrantPull", "Pull", policy.PullActions, false, replicas, templates)
}

// GrantPullPush lets grantee (a CI role, say) push to and pull from the source repositories
// only, like the deployment's CI role: replicas are written by replication alone. Across
// accounts, the source repositories' policies admit it as GrantPull's do.
func (d *Deployment) GrantPullPush(grantee awsiam.IGrantable) awsiam.Grant {
	return d.grant(grantee, "GrantPullPush", "PullPush", policy.PullPushActions(), true, d.Source.repositoryList(), nil)
}

// grant gives grantee actions on each namespace of the deployment through its identity policy
// (in the source registry alone with sourceOnly, else in the namespace's every registry), and
// admits it in the resource policies of other accounts.
func (d *Deployment) grant(grantee awsiam.IGrantable, method, what string, actions []string, sourceOnly bool,
	replicas []*registry.ReplicatedRepository, templates []*registry.CreationTemplate) awsiam.Grant {
	if _, err := registry.AdmitCrossAccount(grantee, actions, replicas, templates); err != nil {
		problems := checks.For("Deployment", nil, d.id+"."+method)
		problems.Wrap("grantee", err)
		problems.Panic()
	}
	var grant awsiam.Grant
	for _, p := range d.props.parts(d.props.Destinations) {
		registries := d.registries(p)
		if sourceOnly {
			registries = registries[:1]
		}
		sid := awsid.ConstructID(d.id) + awsid.ConstructID(p.id) + what
		g := registry.GrantOnNamespace(grantee, sid, registry.NamespaceGrant{Prefix: p.Prefix, Registries: registries}, actions)
		if grant == nil {
			grant = g
		} else {
			grant = grant.Combine(g)
		}
	}
	return grant
}
