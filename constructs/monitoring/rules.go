package monitoring

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Rules are L1 AWS::Events::Rule resources: the L2 SnsTopic target would also grant
// events.amazonaws.com an unconditioned use of the topic key, and the L2 CloudWatchLogGroup
// target adds a Lambda-backed custom resource. The grants they need are made explicitly by
// NotificationTopics (topic and key policies) and eventLog (log resource policy).

// topicMessage is a readable SNS message built by an EventBridge input transformer.
type topicMessage struct {
	paths    map[string]string
	template string // plain text with <name> placeholders
}

func (m *topicMessage) render() *awsevents.CfnRule_InputTransformerProperty {
	paths := map[string]*string{}
	for k, v := range m.paths {
		paths[k] = jsii.String(v)
	}
	// A quoted template makes EventBridge send a JSON string, which SNS delivers as text.
	return &awsevents.CfnRule_InputTransformerProperty{
		InputPathsMap: &paths,
		InputTemplate: jsii.String(`"` + m.template + `"`),
	}
}

type ruleSpec struct {
	id          string
	name        string
	description string
	pattern     map[string]interface{}
	state       string // default ENABLED
	topic       awssns.ITopic
	message     *topicMessage
	log         awslogs.ILogGroup
}

func newRule(scope constructs.Construct, spec ruleSpec) awsevents.CfnRule {
	var targets []interface{}
	if spec.topic != nil {
		targets = append(targets, &awsevents.CfnRule_TargetProperty{
			Id:               jsii.String("Topic"),
			Arn:              spec.topic.TopicArn(),
			InputTransformer: spec.message.render(),
		})
	}
	if spec.log != nil {
		stack := awscdk.Stack_Of(scope)
		targets = append(targets, &awsevents.CfnRule_TargetProperty{
			Id: jsii.String("EventLog"),
			Arn: stack.FormatArn(&awscdk.ArnComponents{
				Service:      jsii.String("logs"),
				Resource:     jsii.String("log-group"),
				ResourceName: spec.log.LogGroupName(),
				ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
			}),
		})
	}
	state := spec.state
	if state == "" {
		state = "ENABLED"
	}
	return awsevents.NewCfnRule(scope, jsii.String(spec.id), &awsevents.CfnRuleProps{
		Name:         jsii.String(spec.name),
		Description:  jsii.String(spec.description),
		State:        jsii.String(state),
		EventPattern: spec.pattern,
		Targets:      &targets,
	})
}

// EventLogProps configures an event log (NewEventLog).
type EventLogProps struct {
	// Retention is how long the events are kept.
	//
	// Default: awslogs.RetentionDays_ONE_MONTH.
	Retention awslogs.RetentionDays
	// EncryptionKey encrypts the log group; its key policy must let logs.<region>.amazonaws.com
	// use it (NotificationTopicsProps.LogsMayUseKey does, for the topics' key).
	//
	// Default: - CloudWatch Logs' own encryption.
	EncryptionKey awskms.IKey
	// RemovalPolicy says what `cdk destroy` does to the log group and its events.
	//
	// Default: awscdk.RemovalPolicy_RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
}

// NewEventLog creates the CloudWatch Logs sink of rules whose only purpose is counting: a rule
// with a target is certain to publish its AWS/Events metrics; the log also keeps the raw events
// for investigation (Logs Insights). Its resource policy lets EventBridge deliver to it, as a
// native AWS::Logs::ResourcePolicy, no custom resource. An account holds at most 10 such
// policies per region (a hard limit), so monitors of several namespaces in one stack share one
// log (SourceMonitorProps.EventLog, ReplicationMonitorProps.EventLog). props may be nil.
func NewEventLog(scope constructs.Construct, id string, props *EventLogProps) awslogs.LogGroup {
	if props == nil {
		props = &EventLogProps{}
	}
	retention := props.Retention
	if retention == "" {
		retention = awslogs.RetentionDays_ONE_MONTH
	}
	lgProps := &awslogs.LogGroupProps{Retention: retention, EncryptionKey: props.EncryptionKey}
	if props.RemovalPolicy != "" {
		lgProps.RemovalPolicy = props.RemovalPolicy
	}
	lg := awslogs.NewLogGroup(scope, jsii.String(id), lgProps)
	lg.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowEventBridgeDelivery"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
		Actions:    jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources:  &[]*string{lg.LogGroupArn()},
	}))
	return lg
}
