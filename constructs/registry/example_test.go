package registry_test

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/lifecycle"
	"github.com/acme-platform/ecr-replication/constructs/registry"
)

// A repository with a production lifecycle, replicated to eu-west-1, pulled by a deploy role.
func Example() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Registry"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-east-1")},
	})
	deployRole := awsiam.NewRole(stack, jsii.String("Deploy"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})

	policy := lifecycle.ProductionProfile{TagPrefixes: []string{"v"}, ImageCount: 20, UntaggedExpiryDays: 3}.Policy()
	repo := registry.NewReplicatedRepository(stack, "Api", &registry.ReplicatedRepositoryProps{
		RepositoryName:     "team/api",
		RepositorySettings: registry.RepositorySettings{LifecyclePolicy: &policy},
	})
	repo.GrantPull(deployRole)
	registry.NewReplication(stack, "Replication", &registry.ReplicationProps{
		Rules: []registry.ReplicationRule{{
			Destinations:       []registry.Destination{{Region: "eu-west-1"}},
			RepositoryPrefixes: []string{"team/"},
		}},
	})
	app.Synth(nil)
}
