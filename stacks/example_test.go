package stacks_test

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/replication"
	"github.com/acme-platform/ecr-replication/stacks"
)

// A source stack and a replica stack built from typed props, without the app's context
// parser: two repositories under "shop/", replicated from us-east-1 to us-west-2.
func Example() {
	app := awscdk.NewApp(nil)
	keep := lifecycle.ProductionProfile{TagPrefixes: []string{"v"}, ImageCount: 30}.Policy()
	common := stacks.Common{
		RepositoryPrefix: "shop",
		Repositories: []stacks.Repository{
			{Name: "shop/api", TagMutability: replication.Immutable, LifecyclePolicy: &keep},
			{Name: "shop/web", TagMutability: replication.Mutable},
		},
	}
	env := func(region string) awscdk.StackProps {
		return awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String(region)}}
	}
	replica := stacks.NewReplicaStack(app, "ShopReplicas", &stacks.ReplicaStackProps{
		StackProps: env("us-west-2"), Common: common, SourceRegion: "us-east-1",
	})
	source := stacks.NewSourceStack(app, "ShopSource", &stacks.SourceStackProps{
		StackProps: env("us-east-1"), Common: common,
		Destinations: []replication.Destination{{Region: "us-west-2"}},
	})
	source.AddDependency(replica, jsii.String("replicas first"))

	for _, s := range []awscdk.Stack{source, replica} {
		counts := map[string]int{}
		for _, r := range (*assertions.Template_FromStack(s, nil).ToJSON())["Resources"].(map[string]any) {
			counts[r.(map[string]any)["Type"].(string)]++
		}
		kinds := []string{"AWS::ECR::Repository", "AWS::ECR::ReplicationConfiguration", "AWS::ECR::RepositoryCreationTemplate", "AWS::IAM::Role"}
		sort.Strings(kinds)
		fmt.Printf("%s (%s):", *s.StackName(), *s.Region())
		for _, k := range kinds {
			fmt.Printf(" %s=%d", k[len("AWS::"):], counts[k])
		}
		fmt.Println()
	}
	// Output:
	// ShopSource (us-east-1): ECR::ReplicationConfiguration=1 ECR::Repository=2 ECR::RepositoryCreationTemplate=0 IAM::Role=2
	// ShopReplicas (us-west-2): ECR::ReplicationConfiguration=0 ECR::Repository=2 ECR::RepositoryCreationTemplate=1 IAM::Role=0
}
