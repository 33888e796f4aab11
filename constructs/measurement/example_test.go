package measurement_test

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/measurement"
	"github.com/acme-platform/ecr-replication/pricing"
)

// The measurements of one destination region: its storage, measured hourly with a metric of its
// own for one repository, and the forwarder that sends its successful replications to the
// source region, where a ReplicationLatency turns them into latency.
func Example() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Replicas"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String("eu-west-1")},
	})
	alerts := awssns.Topic_FromTopicArn(stack, jsii.String("Alerts"), jsii.String("arn:aws:sns:eu-west-1:222222222222:alerts"))
	storage := measurement.NewStorageMetrics(stack, "Storage", &measurement.StorageMetricsProps{
		RepositoryPrefix:  "shop",
		RepositoryMetrics: []string{"shop/api"},
		AlertTopic:        alerts,
	})
	forwarder := measurement.NewLatencyForwarder(stack, "LatencyForwarder", &measurement.LatencyForwarderProps{
		RepositoryPrefix: "shop",
		SourceRegion:     "us-east-1",
		SourceAccount:    "111111111111",
	})
	fmt.Println("schedule:", storage.ScheduleName)
	fmt.Println("alarms:", storage.GrowthAlarmName, storage.ExecutionFailureAlarmName)
	fmt.Println("forwarder rule:", forwarder.RuleName)
	// 2 custom metrics at $0.30 and 3 alarm metrics at $0.10.
	fmt.Printf("fixed cost: $%.2f a month\n", storage.EstimatedMonthlyCost(pricing.ListPrices, 20, 1).FixedUSD)

	var types []string
	for _, r := range (*assertions.Template_FromStack(stack, nil).ToJSON())["Resources"].(map[string]any) {
		types = append(types, r.(map[string]any)["Type"].(string))
	}
	sort.Strings(types)
	fmt.Println(types)
	// Output:
	// schedule: ecr-shop-storage-metrics
	// alarms: ecr-shop-storage-growth ecr-shop-storage-metrics-failed
	// forwarder rule: ecr-shop-forward-replications-to-us-east-1
	// fixed cost: $0.90 a month
	// [AWS::CloudWatch::Alarm AWS::CloudWatch::Alarm AWS::Events::Rule AWS::IAM::Policy AWS::IAM::Role AWS::IAM::Role AWS::IAM::Role AWS::Logs::LogGroup AWS::Scheduler::Schedule AWS::StepFunctions::StateMachine]
}
