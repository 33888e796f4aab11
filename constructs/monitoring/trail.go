package monitoring

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/internal/naming"
	"github.com/acme-platform/ecr-replication/internal/nag"
)

// LifecycleTrailProps configures LifecycleTrail.
type LifecycleTrailProps struct {
	// NamePrefix starts the trail's name.
	//
	// Default: "ecr".
	NamePrefix string
	// Tags are the trail's tags, in order. The trail is a plain CfnResource (see
	// LifecycleTrail), which awscdk.Tags_Of does not reach: give here the tags the stack's
	// other resources get. The bucket is tagged by Tags_Of as usual.
	Tags []Tag
}

// Tag is one resource tag.
type Tag struct{ Key, Value string }

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
//
// The trail is the template awscloudtrail.Trail renders (the same resource, bucket policy and
// logical ids), written here as a CfnResource: the awscloudtrail Go package links Lambda, EC2,
// load balancing and Secrets Manager bindings, whose thousands of registered jsii types every
// Go-overriding object of the app (a ReplicatedRepository per repository and region) is
// checked against at synthesis.
type LifecycleTrail struct {
	constructs.Construct
	// Trail is the AWS::CloudTrail::Trail resource.
	Trail awscdk.CfnResource
	// Bucket receives the log files.
	Bucket awss3.Bucket
}

// check records every problem of the props. CloudTrail's tag limits (AWS::CloudTrail::Trail
// Tag): keys of 1 to 128 characters, values of at most 256, at most 50 tags.
func (p *LifecycleTrailProps) check(problems *checks.Problems, _ constructs.Construct) {
	naming.NamePrefix(problems, "NamePrefix", p.NamePrefix)
	if len(p.Tags) > 50 {
		problems.Add("Tags", len(p.Tags), "at most 50 tags")
	}
	for i, tag := range p.Tags {
		if len(tag.Key) == 0 || len(tag.Key) > 128 {
			problems.Add(fmt.Sprintf("Tags[%d].Key", i), tag.Key, "1 to 128 characters")
		}
		if len(tag.Value) > 256 {
			problems.Add(fmt.Sprintf("Tags[%d].Value", i), tag.Value, "at most 256 characters")
		}
	}
}

// NewLifecycleTrail creates the trail and its bucket in scope's account and region. Invalid
// props panic with a *checks.Error that lists every problem.
func NewLifecycleTrail(scope constructs.Construct, id string, props *LifecycleTrailProps) *LifecycleTrail {
	props = naming.Checked("LifecycleTrail", scope, id, props, (*LifecycleTrailProps).check)
	prefix := props.NamePrefix
	if prefix == "" {
		prefix = "ecr"
	}
	t := &LifecycleTrail{}
	constructs.NewConstruct_Override(t, scope, &id)
	trailName := naming.Fit(prefix+"-management-events", 128)
	t.addBucket(trailName)
	// Trail/Resource, where awscloudtrail.Trail puts its CfnTrail: the same logical id.
	holder := constructs.NewConstruct(t, jsii.String("Trail"))
	t.Trail = awscdk.NewCfnResource(holder, jsii.String("Resource"), &awscdk.CfnResourceProps{
		Type: jsii.String("AWS::CloudTrail::Trail"),
		Properties: &map[string]any{
			"IsLogging":                  true,
			"EnableLogFileValidation":    true,
			"IsMultiRegionTrail":         true,
			"IncludeGlobalServiceEvents": true,
			"TrailName":                  trailName,
			"S3BucketName":               t.Bucket.BucketName(),
			"EventSelectors":             []any{map[string]any{"IncludeManagementEvents": true, "ReadWriteType": "All"}},
		},
	})
	if len(props.Tags) > 0 {
		var tags []any
		for _, tag := range props.Tags {
			tags = append(tags, map[string]any{"Key": tag.Key, "Value": tag.Value})
		}
		t.Trail.AddPropertyOverride(jsii.String("Tags"), tags)
	}
	t.Trail.Node().AddDependency(t.Bucket.Policy())
	return t
}

// addBucket creates the bucket of the log files, with what the CloudTrail user guide's bucket
// policy grants CloudTrail on it (create-s3-bucket-policy-for-cloudtrail.html): reading the
// bucket ACL, and writing log files under AWSLogs/<account>/ with the bucket owner in full
// control, both for this trail only (aws:SourceArn, which the page recommends). A lifecycle
// rule that only aborts incomplete uploads and EventBridge notifications cost nothing and pass
// AWS Control Tower's proactive controls CT.S3.PR.3/PR.6 and PR.4.
func (t *LifecycleTrail) addBucket(trailName string) {
	t.Bucket = awss3.NewBucket(t, jsii.String("Bucket"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		Versioned:         jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("AbortIncompleteUploads"),
			Enabled:                             jsii.Bool(true),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
		}},
	})
	// EventBridge notifications through the bucket's own property: awss3.BucketProps'
	// EventBridgeEnabled would add a Lambda-backed custom resource.
	t.Bucket.Node().DefaultChild().(awscdk.CfnResource).AddPropertyOverride(
		jsii.String("NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled"), true)
	nag.Suppress(t.Bucket, false, nag.Suppression{
		ID: "AwsSolutions-S1",
		Reason: "the bucket holds only this trail's log files, written by CloudTrail with log file validation on " +
			"(tampering is detectable from the digest files); server access logs would need another bucket just for them",
	})
	stack := awscdk.Stack_Of(t)
	cloudTrail := awsiam.NewServicePrincipal(jsii.String("cloudtrail.amazonaws.com"), nil)
	trailArn := stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("cloudtrail"), Resource: jsii.String("trail"), ResourceName: jsii.String(trailName)})
	t.Bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Resources:  jsii.Strings(*t.Bucket.BucketArn()),
		Actions:    jsii.Strings("s3:GetBucketAcl"),
		Principals: &[]awsiam.IPrincipal{cloudTrail},
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceArn": trailArn}},
	}))
	t.Bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Resources:  jsii.Strings(*t.Bucket.ArnForObjects(jsii.String("AWSLogs/" + *stack.Account() + "/*"))),
		Actions:    jsii.Strings("s3:PutObject"),
		Principals: &[]awsiam.IPrincipal{cloudTrail},
		Conditions: &map[string]any{"StringEquals": map[string]any{"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn}},
	}))
}

// TrailArn returns the trail's ARN.
func (t *LifecycleTrail) TrailArn() *string {
	return awscdk.Token_AsString(t.Trail.GetAtt(jsii.String("Arn"), awscdk.ResolutionTypeHint_STRING), nil)
}
