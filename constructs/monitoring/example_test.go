package monitoring_test

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/monitoring"
)

// The monitoring of one destination region: its notification topics, and the replication
// monitor that notifies each failed replication from us-east-1 at once and alarms on the
// failure rate over 30 minutes.
func Example() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Replicas"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-west-2")},
	})
	topics := monitoring.NewNotificationTopics(stack, "Notifications", &monitoring.NotificationTopicsProps{
		AlertEmail:    "ops@example.com",
		SecurityTopic: jsii.Bool(false),
	})
	monitor := monitoring.NewReplicationMonitor(stack, "Replication", &monitoring.ReplicationMonitorProps{
		RepositoryPrefix:  "shop",
		SourceRegion:      "us-east-1",
		SourceAccount:     "111111111111",
		AlertTopic:        topics.Alert,
		ReplicationWindow: awscdk.Duration_Minutes(jsii.Number(30)),
	})
	fmt.Println("rules:", monitor.FailedRuleName, monitor.SucceededRuleName)
	fmt.Println("alarm:", monitor.FailureRateAlarmName)

	var types []string
	for _, r := range (*assertions.Template_FromStack(stack, nil).ToJSON())["Resources"].(map[string]any) {
		types = append(types, r.(map[string]any)["Type"].(string))
	}
	sort.Strings(types)
	fmt.Println(types)
	// Output:
	// rules: ecr-shop-replication-failed-from-us-east-1 ecr-shop-replicated-from-us-east-1
	// alarm: ecr-shop-replication-failure-rate-from-us-east-1
	// [AWS::CloudWatch::Alarm AWS::Events::Rule AWS::Events::Rule AWS::KMS::Key AWS::Logs::LogGroup AWS::Logs::ResourcePolicy AWS::SNS::Subscription AWS::SNS::Subscription AWS::SNS::Topic AWS::SNS::Topic AWS::SNS::TopicPolicy AWS::SNS::TopicPolicy]
}
