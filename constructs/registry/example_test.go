package registry_test

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/replication"
)

// A source repository with a production lifecycle, replicated to eu-west-1, where a replica is
// pre-created with the source's settings; a deploy role may pull in both regions.
func Example() {
	app := awscdk.NewApp(nil)
	env := func(region string) *awscdk.StackProps {
		return &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String(region)}}
	}
	source := awscdk.NewStack(app, jsii.String("Source"), env("us-east-1"))
	replicas := awscdk.NewStack(app, jsii.String("Replicas"), env("eu-west-1"))

	keep := lifecycle.ProductionProfile{TagPrefixes: []string{"v"}, ImageCount: 20, UntaggedExpiryDays: 3}.Policy()
	api := registry.NewReplicatedRepository(source, "Api", &registry.ReplicatedRepositoryProps{
		RepositoryName:     "team/api",
		RepositorySettings: registry.RepositorySettings{LifecyclePolicy: &keep},
	})
	destinations := []replication.Destination{{Region: "eu-west-1"}}
	registry.NewReplication(source, "Replication", &registry.ReplicationProps{
		Rules: []registry.ReplicationRule{{Destinations: destinations, RepositoryPrefixes: []string{"team/"}}},
	})
	registry.NewReplicatedRepository(replicas, "Api", api.ReplicaProps())

	deploy := awsiam.NewRole(source, jsii.String("Deploy"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	api.GrantPull(deploy) // an awsecr.Repository method: the source, plus ecr:GetAuthorizationToken
	registry.GrantPullFromReplicas(deploy, []string{"team/api"}, destinations)

	for _, stack := range []awscdk.Stack{source, replicas} {
		var tmpl struct {
			Resources map[string]struct {
				Type       string
				Properties map[string]any
			}
		}
		b, _ := json.Marshal(assertions.Template_FromStack(stack, nil).ToJSON())
		_ = json.Unmarshal(b, &tmpl)
		for _, r := range tmpl.Resources {
			if r.Type == "AWS::ECR::Repository" {
				lc := r.Properties["LifecyclePolicy"].(map[string]any)["LifecyclePolicyText"].(string)
				policy, _ := lifecycle.Parse([]byte(lc))
				fmt.Printf("%s: %s %s, %d lifecycle rules\n", *stack.Region(), r.Properties["RepositoryName"], r.Properties["ImageTagMutability"], len(policy.Rules))
			}
		}
	}
	// Output:
	// us-east-1: team/api IMMUTABLE, 2 lifecycle rules
	// eu-west-1: team/api IMMUTABLE, 2 lifecycle rules
}
