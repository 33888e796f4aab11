// Command outside-app is another team's CDK app, in a Go module of its own, that builds on the
// ecr-replication library exactly as the README's "Using the constructs in your own app" shows:
// two deployments of the library in one app, and a role of the team's own, created in a
// deployment's source stack, that may pull in every region and account of that deployment.
// stacks.TestOutsideModule builds and synthesizes it.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/replication"
	"github.com/acme-platform/ecr-replication/stacks"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)

	keep := lifecycle.ProductionProfile{TagPrefixes: []string{"v"}, ImageCount: 20}.Policy()
	payments := stacks.Common{
		RepositoryPrefix: "payments",
		Repositories: []stacks.Repository{
			{Name: "payments/api", TagMutability: replication.Immutable, LifecyclePolicy: &keep},
			{Name: "payments/worker", TagMutability: replication.Mutable},
		},
	}
	// Production replicates to us-west-2 (same account) and to eu-west-1 in account 222222222222.
	prod := stacks.NewDeployment(app, "payments-prod", &stacks.DeploymentProps{
		Common:        payments,
		SourceRegion:  "us-east-1",
		SourceAccount: "111111111111",
		Destinations:  []replication.Destination{{Region: "us-west-2"}, {Region: "eu-west-1", Account: "222222222222"}},
	})
	// Staging, in its own account, in the same app: its stacks are named payments-staging-….
	stacks.NewDeployment(app, "payments-staging", &stacks.DeploymentProps{
		Common:        payments,
		SourceRegion:  "us-east-1",
		SourceAccount: "333333333333",
		Destinations:  []replication.Destination{{Region: "us-west-2"}},
	})

	// The team's own task role, in the production source stack: it may pull payments/* in
	// us-east-1, us-west-2 and, across accounts, eu-west-1 (its identity policy, and the
	// repository policies of the replicas and of the creation template in 222222222222).
	task := awsiam.NewRole(prod.Source, jsii.String("TaskRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("ecs-tasks.amazonaws.com"), nil),
	})
	prod.GrantPull(task)

	app.Synth(nil)
}
