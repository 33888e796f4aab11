package monitoring

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudtrail"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	checks "github.com/acme-platform/ecr-replication/internal/props"

	"github.com/acme-platform/ecr-replication/internal/nag"
)

// LifecycleTrailProps configures LifecycleTrail.
type LifecycleTrailProps struct {
	// NamePrefix starts the trail's name.
	//
	// Default: "ecr".
	NamePrefix string
}

// LifecycleTrail is what lifecycle notifications need and the app does not otherwise create: a
// CloudTrail trail that logs management events. ECR records lifecycle expirations as the
// CloudTrail event PolicyExecutionEvent, and EventBridge receives CloudTrail-delivered events
// only where a trail logs management events in that account and region
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html).
// The trail is multi-region, so one per account covers every region; its log files go to an
// S3 bucket that is encrypted (S3-managed keys), private, TLS-only, versioned and retained by
// `cdk destroy`, with CloudTrail log file validation on.
//
// The first trail of an account delivers management events free; a second one (if the account
// has a trail already) is charged per 100,000 events: check `aws cloudtrail describe-trails`
// first, and leave this off when a trail exists.
type LifecycleTrail struct {
	constructs.Construct
	// Trail is the CloudTrail trail.
	Trail awscloudtrail.Trail
	// Bucket receives the log files.
	Bucket awss3.Bucket
}

// NewLifecycleTrail creates the trail and its bucket in scope's account and region.
func NewLifecycleTrail(scope constructs.Construct, id string, props *LifecycleTrailProps) *LifecycleTrail {
	if props == nil {
		props = &LifecycleTrailProps{}
	}
	problems := checks.For("LifecycleTrail", scope, id)
	problems.Join(checkNamePrefix("NamePrefix", props.NamePrefix))
	problems.Panic()
	prefix := props.NamePrefix
	if prefix == "" {
		prefix = "ecr"
	}
	t := &LifecycleTrail{}
	constructs.NewConstruct_Override(t, scope, &id)
	t.Bucket = awss3.NewBucket(t, jsii.String("Bucket"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		Versioned:         jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	nag.Suppress(t.Bucket, false, nag.Suppression{
		ID: "AwsSolutions-S1",
		Reason: "the bucket holds only this trail's log files, written by CloudTrail with log file validation on " +
			"(tampering is detectable from the digest files); server access logs would need another bucket just for them",
	})
	t.Trail = awscloudtrail.NewTrail(t, jsii.String("Trail"), &awscloudtrail.TrailProps{
		TrailName:                  jsii.String(fitName(prefix+"-management-events", 128)),
		Bucket:                     t.Bucket,
		IsMultiRegionTrail:         jsii.Bool(true),
		IncludeGlobalServiceEvents: jsii.Bool(true),
		ManagementEvents:           awscloudtrail.ReadWriteType_ALL,
		EnableFileValidation:       jsii.Bool(true),
		SendToCloudWatchLogs:       jsii.Bool(false),
	})
	return t
}

// TrailArn returns the trail's ARN.
func (t *LifecycleTrail) TrailArn() *string { return t.Trail.TrailArn() }
