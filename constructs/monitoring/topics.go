package monitoring

import (
	"fmt"
	"net/mail"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/internal/naming"
	"github.com/acme-platform/ecr-replication/policy"
)

// NotificationTopicsProps configures NotificationTopics.
type NotificationTopicsProps struct {
	// AlertEmail is subscribed (protocol "email") to every topic created here. The owner of
	// the address must confirm each subscription from the message SNS sends.
	//
	// Default: - no subscription.
	AlertEmail string

	// EncryptionKey encrypts the topics. When it is a key of this app, the statements that
	// let events.amazonaws.com and cloudwatch.amazonaws.com use it are added to its policy;
	// an imported key is used as is and its policy must already allow them (see README.md).
	//
	// Default: - a new KMS key with yearly rotation, retained when the stack is deleted.
	EncryptionKey awskms.IKey

	// SecurityTopic creates the topic for scan findings. Replica regions, which have no
	// scan-findings rule, can leave it out.
	//
	// Default: true
	SecurityTopic *bool

	// LifecycleTopic creates the topic for lifecycle-policy expirations.
	//
	// Default: true
	LifecycleTopic *bool

	// LogsMayUseKey lets CloudWatch Logs use the key created here for this account's log groups
	// in this region, so that log groups can be encrypted with it (the statement of the
	// CloudWatch Logs user guide, encrypt-log-data-kms.html).
	//
	// Default: false.
	LogsMayUseKey bool

	// KeyRemovalPolicy says what `cdk destroy` does to the key created here: DESTROY schedules
	// its deletion (7-day waiting period).
	//
	// Default: awscdk.RemovalPolicy_RETAIN.
	KeyRemovalPolicy awscdk.RemovalPolicy
}

// check records every problem of the props. A token e-mail address is left to SNS.
func (p *NotificationTopicsProps) check(problems *checks.Problems, _ constructs.Construct) {
	if p.AlertEmail != "" && !awsid.IsToken(p.AlertEmail) {
		if a, err := mail.ParseAddress(p.AlertEmail); err != nil || a.Address != p.AlertEmail {
			problems.Add("AlertEmail", p.AlertEmail, "a plain e-mail address such as ops@example.com")
		}
	}
}

// NotificationTopics holds the SNS topics of one region: Alert (replication failures and
// every alarm), Security (scan findings) and Lifecycle (lifecycle expirations).
//
// CloudWatch alarms can only notify topics in their own region, so place one
// NotificationTopics in every region that has alarms or rules.
type NotificationTopics struct {
	constructs.Construct

	// Key encrypts every topic: the key created here, or the one passed in.
	Key awskms.IKey
	// Alert receives replication failures and alarm state changes.
	Alert awssns.ITopic
	// Security receives scan findings; nil when SecurityTopic is false.
	Security awssns.ITopic
	// Lifecycle receives lifecycle expirations; nil when LifecycleTopic is false.
	Lifecycle awssns.ITopic
}

// NewNotificationTopics creates the topics, their TLS-only policies (publishing is denied
// when aws:SecureTransport is false), the publish grants for EventBridge (without a
// condition, as EventBridge requires) and CloudWatch (this account's alarms in this region,
// by aws:SourceArn), the KMS key unless one is passed in, and the e-mail subscriptions. props
// may be nil; invalid props panic with a *checks.Error that lists every problem.
func NewNotificationTopics(scope constructs.Construct, id string, props *NotificationTopicsProps) *NotificationTopics {
	props = naming.Checked("NotificationTopics", scope, id, props, (*NotificationTopicsProps).check)
	n := &NotificationTopics{}
	constructs.NewConstruct_Override(n, scope, &id)
	stack := awscdk.Stack_Of(n)

	n.Key = props.EncryptionKey
	if n.Key == nil {
		keyProps := &awskms.KeyProps{
			Description:       jsii.String("Encrypts the ECR replication monitoring SNS topics"),
			EnableKeyRotation: jsii.Bool(true),
		}
		if props.KeyRemovalPolicy == awscdk.RemovalPolicy_DESTROY {
			keyProps.RemovalPolicy, keyProps.PendingWindow = props.KeyRemovalPolicy, awscdk.Duration_Days(jsii.Number(7))
		}
		key := awskms.NewKey(n, jsii.String("Key"), keyProps)
		if props.LogsMayUseKey {
			key.AddToResourcePolicy(logsKeyStatement(stack), jsii.Bool(false))
		}
		// Nothing creates grants on this key (SNS encrypts and decrypts for its publishers):
		// denying grants to anything but AWS services costs nothing, and passes AWS Control
		// Tower's proactive control CT.KMS.PR.3.
		key.AddToResourcePolicy(awsiam.PolicyStatement_FromJson(policy.LimitGrantsToAWSServices()), jsii.Bool(false))
		n.Key = key
	}
	// EventBridge and CloudWatch publish to encrypted topics through SNS, which asks KMS for
	// a data key in the name of the publishing service. The encryption context SNS sends
	// names the topic, so the grant is limited to SNS topics of this account and region.
	for _, service := range []string{"events.amazonaws.com", "cloudwatch.amazonaws.com"} {
		result := n.Key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AllowSnsPublishFrom" + map[string]string{"events.amazonaws.com": "EventBridge", "cloudwatch.amazonaws.com": "CloudWatch"}[service]),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(service), nil)},
			Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]interface{}{
				"StringLike": map[string]interface{}{
					"kms:EncryptionContext:aws:sns:topicArn": fmt.Sprintf("arn:%s:sns:%s:%s:*", *stack.Partition(), *stack.Region(), *stack.Account()),
				},
			},
		}), jsii.Bool(true))
		if !*result.StatementAdded {
			awscdk.Annotations_Of(n).AddWarningV2(jsii.String("ecr-replication:monitoring-imported-key"),
				jsii.String("the encryption key is imported: its key policy must let events.amazonaws.com and cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey*, or notifications are dropped"), nil)
		}
	}

	n.Alert = n.newTopic("AlertTopic", "ECR replication alerts", props.AlertEmail)
	if props.SecurityTopic == nil || *props.SecurityTopic {
		n.Security = n.newTopic("SecurityTopic", "ECR image scan findings", props.AlertEmail)
	}
	if props.LifecycleTopic == nil || *props.LifecycleTopic {
		n.Lifecycle = n.newTopic("LifecycleTopic", "ECR lifecycle expirations", props.AlertEmail)
	}
	return n
}

// logsKeyStatement lets CloudWatch Logs use a key for this account's log groups in this region,
// as the CloudWatch Logs user guide gives it
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
func logsKeyStatement(stack awscdk.Stack) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchLogs"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(fmt.Sprintf("logs.%s.amazonaws.com", *stack.Region())), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"ArnLike": map[string]any{
			"kms:EncryptionContext:aws:logs:arn": fmt.Sprintf("arn:%s:logs:%s:%s:log-group:*", *stack.Partition(), *stack.Region(), *stack.Account()),
		}},
	})
}

func (n *NotificationTopics) newTopic(id, displayName, email string) awssns.ITopic {
	stack := awscdk.Stack_Of(n)
	topic := awssns.NewTopic(n, jsii.String(id), &awssns.TopicProps{
		DisplayName: jsii.String(displayName),
		MasterKey:   n.Key,
		EnforceSSL:  jsii.Bool(true),
	})
	// EventBridge: no Condition. The EventBridge user guide (resource-based policies, "Amazon
	// SNS permissions", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions)
	// gives exactly this statement and says Condition blocks cannot be used in SNS topic
	// policies for EventBridge: with aws:SourceArn or aws:SourceAccount the rule's deliveries
	// fail (counted only as AWS/Events FailedInvocations, which DeliveryAlarms watch). This is
	// also what aws-cdk's own SNS target grants.
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowEventBridgePublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{topic.TopicArn()},
	}))
	// CloudWatch alarms: narrowed to this account's alarms in this region with aws:SourceArn,
	// which CloudWatch sends (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger).
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarmPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{topic.TopicArn()},
		Conditions: &map[string]interface{}{
			"ArnLike": map[string]interface{}{"aws:SourceArn": fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:*", *stack.Partition(), *stack.Region(), *stack.Account())},
		},
	}))
	if email != "" {
		// What topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(email)) creates:
		// the subscription under the topic, named by the address.
		awssns.NewSubscription(topic, jsii.String(email), &awssns.SubscriptionProps{
			Topic: topic, Endpoint: jsii.String(email), Protocol: awssns.SubscriptionProtocol_EMAIL,
		})
	}
	return topic
}

// Topics returns every topic created here (Alert first), for callers that subscribe other
// endpoints.
func (n *NotificationTopics) Topics() []awssns.ITopic {
	topics := []awssns.ITopic{n.Alert}
	if n.Security != nil {
		topics = append(topics, n.Security)
	}
	if n.Lifecycle != nil {
		topics = append(topics, n.Lifecycle)
	}
	return topics
}
