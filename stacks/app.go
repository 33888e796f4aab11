package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/config"
)

// Deployment is every stack the app deploys for one configuration.
type Deployment struct {
	// Source is the stack of the source region.
	Source *SourceStack
	// Replicas are the stacks of the destination regions, in the configuration's order.
	Replicas []*ReplicaStack
}

// Stacks returns every stack, the source first.
func (d *Deployment) Stacks() []awscdk.Stack {
	out := []awscdk.Stack{d.Source.Stack}
	for _, r := range d.Replicas {
		out = append(out, r.Stack)
	}
	return out
}

// Build adds the stacks of cfg to scope (normally the app). cfg must come from config.Parse.
//
// Every replica stack deploys before the source stack: the replicas and the creation template
// must exist before replication starts, or ECR creates the replicas itself (with defaults) and
// the replica stack's repositories then fail to create; across accounts the destination
// registry policy must also exist before the first replication.
func Build(scope constructs.Construct, cfg *config.Config) *Deployment {
	d := &Deployment{}
	var sourceAccount *string
	if cfg.SourceAccount != "" {
		sourceAccount = jsii.String(cfg.SourceAccount)
	}
	replicaAccount := sourceAccount
	if cfg.CrossAccount() {
		replicaAccount = jsii.String(cfg.DestinationAccount)
	}
	d.Source = NewSourceStack(scope, SourceStackName(cfg.SourceRegion), &SourceStackProps{
		StackProps: awscdk.StackProps{
			Env:         &awscdk.Environment{Account: sourceAccount, Region: jsii.String(cfg.SourceRegion)},
			Description: jsii.String(fmt.Sprintf("ecr-replication: source repositories under %s/ and their replication from %s", cfg.RepoPrefix, cfg.SourceRegion)),
		},
		Config: cfg,
	})
	for _, region := range cfg.DestinationRegions {
		r := NewReplicaStack(scope, ReplicaStackName(region), &ReplicaStackProps{
			StackProps: awscdk.StackProps{
				Env:         &awscdk.Environment{Account: replicaAccount, Region: jsii.String(region)},
				Description: jsii.String(fmt.Sprintf("ecr-replication: replicas of %s/ in %s, replicated from %s", cfg.RepoPrefix, region, cfg.SourceRegion)),
			},
			Config: cfg,
		})
		d.Source.AddStackDependency(r.Stack, jsii.String("replicas, their creation template and registry policy must exist before replication starts"))
		d.Replicas = append(d.Replicas, r)
	}
	// Dashboards are left untagged: cfn-lint 1.51's schema has no Tags on AWS::CloudWatch::Dashboard.
	tagProps := &awscdk.TagProps{ExcludeResourceTypes: jsii.Strings("AWS::CloudWatch::Dashboard")}
	for _, s := range d.Stacks() {
		awscdk.Tags_Of(s).Add(jsii.String("Project"), jsii.String("ecr-replication"), tagProps)
		awscdk.Tags_Of(s).Add(jsii.String("RepositoryNamespace"), jsii.String(cfg.RepoPrefix), tagProps)
	}
	return d
}
