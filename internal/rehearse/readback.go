package rehearse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/acme-platform/ecr-replication/internal/session"
)

// live is a realized resource as read back through the AWS API, in the template's terms.
type live struct {
	// props are the properties read back, named and shaped as in the template; a property
	// the API says is not set is present with a nil value. A property missing from props is
	// one the rehearsal does not read back.
	props map[string]any
	// attrs are the Fn::GetAtt attributes read back.
	attrs map[string]string
	// state is a KMS key's KeyState ("" for other types).
	state string
}

// reader reads one realized resource of a type by its physical id. want are the template's
// properties, for the readers that need to know where to look (an IAM policy's roles).
type reader func(ctx context.Context, cfg aws.Config, physicalID string, want map[string]any, res *resolver) (live, error)

// errNotFound is returned by a reader whose API lists resources and lacks this one.
var errNotFound = errors.New("not found")

// notFoundCodes are the error codes with which the read-back APIs say a resource does not
// exist (ECR, IAM, KMS, SNS, EventBridge, CloudWatch Logs, Step Functions, CloudWatch).
var notFoundCodes = []string{
	"RepositoryNotFoundException", "NoSuchEntity", "NotFoundException", "NotFound",
	"ResourceNotFoundException", "StateMachineDoesNotExist", "ResourceNotFound",
}

// notFound reports whether a reader's error says the resource does not exist.
func notFound(err error) bool {
	return errors.Is(err, errNotFound) || session.IsCode(err, notFoundCodes...)
}

// readers are the resource types whose settings the rehearsal reads back. A realized resource
// of another type is reported as not read back.
var readers = map[string]reader{
	"AWS::ECR::Repository":             readRepository,
	"AWS::IAM::Role":                   readRole,
	"AWS::IAM::Policy":                 readPolicy,
	"AWS::KMS::Key":                    readKey,
	"AWS::SNS::Topic":                  readTopic,
	"AWS::Events::Rule":                readRule,
	"AWS::Logs::LogGroup":              readLogGroup,
	"AWS::Logs::ResourcePolicy":        readLogResourcePolicy,
	"AWS::StepFunctions::StateMachine": readStateMachine,
	"AWS::CloudWatch::Dashboard":       readDashboard,
}

// readRepository: DescribeRepositories, ListTagsForResource, GetLifecyclePolicy,
// GetRepositoryPolicy.
func readRepository(ctx context.Context, cfg aws.Config, name string, _ map[string]any, _ *resolver) (live, error) {
	c := ecr.NewFromConfig(cfg)
	out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
	if err != nil {
		return live{}, err
	}
	if len(out.Repositories) != 1 {
		return live{}, fmt.Errorf("DescribeRepositories %s: %d repositories", name, len(out.Repositories))
	}
	r := out.Repositories[0]
	p := map[string]any{
		"RepositoryName":     aws.ToString(r.RepositoryName),
		"ImageTagMutability": string(r.ImageTagMutability),
	}
	if r.ImageScanningConfiguration != nil {
		p["ImageScanningConfiguration"] = map[string]any{"ScanOnPush": r.ImageScanningConfiguration.ScanOnPush}
	}
	if e := r.EncryptionConfiguration; e != nil {
		enc := map[string]any{"EncryptionType": string(e.EncryptionType)}
		if e.KmsKey != nil {
			enc["KmsKey"] = aws.ToString(e.KmsKey)
		}
		p["EncryptionConfiguration"] = enc
	}
	tags, err := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: r.RepositoryArn})
	if err != nil {
		return live{}, err
	}
	p["Tags"] = jsonValue(tags.Tags)
	p["LifecyclePolicy"] = nil
	lp, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: r.RepositoryName})
	switch {
	case err == nil:
		p["LifecyclePolicy"] = map[string]any{"LifecyclePolicyText": aws.ToString(lp.LifecyclePolicyText)}
	case !session.IsCode(err, "LifecyclePolicyNotFoundException"):
		return live{}, err
	}
	p["RepositoryPolicyText"] = nil
	rp, err := c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: r.RepositoryName})
	switch {
	case err == nil:
		p["RepositoryPolicyText"] = aws.ToString(rp.PolicyText)
	case !session.IsCode(err, "RepositoryPolicyNotFoundException"):
		return live{}, err
	}
	return live{props: p, attrs: map[string]string{"Arn": aws.ToString(r.RepositoryArn), "RepositoryUri": aws.ToString(r.RepositoryUri)}}, nil
}

// readRole: GetRole, its inline policies (which include those of AWS::IAM::Policy resources)
// and attached managed policies.
func readRole(ctx context.Context, cfg aws.Config, name string, _ map[string]any, _ *resolver) (live, error) {
	c := iam.NewFromConfig(cfg)
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return live{}, err
	}
	r := out.Role
	trust, err := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument))
	if err != nil {
		return live{}, fmt.Errorf("role %s: AssumeRolePolicyDocument: %w", name, err)
	}
	p := map[string]any{
		"RoleName":                 aws.ToString(r.RoleName),
		"AssumeRolePolicyDocument": trust,
		"Description":              aws.ToString(r.Description),
		"Path":                     aws.ToString(r.Path),
		"MaxSessionDuration":       jsonValue(r.MaxSessionDuration),
		"Tags":                     jsonValue(r.Tags),
	}
	names, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: r.RoleName})
	if err != nil {
		return live{}, err
	}
	var inline []any
	for _, n := range names.PolicyNames {
		doc, err := rolePolicy(ctx, c, name, n)
		if err != nil {
			return live{}, err
		}
		inline = append(inline, map[string]any{"PolicyName": n, "PolicyDocument": doc})
	}
	p["Policies"] = inline
	attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: r.RoleName})
	if err != nil {
		return live{}, err
	}
	var arns []any
	for _, a := range attached.AttachedPolicies {
		arns = append(arns, aws.ToString(a.PolicyArn))
	}
	p["ManagedPolicyArns"] = arns
	return live{props: p, attrs: map[string]string{"Arn": aws.ToString(r.Arn), "RoleId": aws.ToString(r.RoleId)}}, nil
}

// rolePolicy reads one inline policy of a role, URL-decoded as IAM returns it.
func rolePolicy(ctx context.Context, c *iam.Client, role, name string) (string, error) {
	out, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
	if err != nil {
		return "", err
	}
	doc, err := url.QueryUnescape(aws.ToString(out.PolicyDocument))
	if err != nil {
		return "", fmt.Errorf("role %s policy %s: %w", role, name, err)
	}
	return doc, nil
}

// readPolicy reads an AWS::IAM::Policy as the inline policy of each role the template names:
// Roles are those that have it, PolicyDocument the first role's (a role whose copy differs is
// an error).
func readPolicy(ctx context.Context, cfg aws.Config, _ string, want map[string]any, res *resolver) (live, error) {
	c := iam.NewFromConfig(cfg)
	name, _ := want["PolicyName"].(string)
	roles, err := res.resolve(want["Roles"])
	if err != nil {
		return live{}, err
	}
	p := map[string]any{"PolicyName": name, "PolicyDocument": nil}
	var has []any
	for _, role := range asList(roles) {
		doc, err := rolePolicy(ctx, c, scalar(role), name)
		if session.IsCode(err, "NoSuchEntity") {
			continue
		}
		if err != nil {
			return live{}, err
		}
		if p["PolicyDocument"] == nil {
			p["PolicyDocument"] = doc
		} else if doc != p["PolicyDocument"] {
			return live{}, fmt.Errorf("policy %s differs between roles %v and %s", name, has[0], role)
		}
		has = append(has, role)
	}
	if len(has) == 0 {
		return live{}, fmt.Errorf("inline policy %s on roles %v: %w", name, roles, errNotFound)
	}
	p["Roles"] = has
	return live{props: p, attrs: map[string]string{}}, nil
}

// readKey: DescribeKey, GetKeyPolicy, GetKeyRotationStatus, ListResourceTags.
func readKey(ctx context.Context, cfg aws.Config, id string, _ map[string]any, _ *resolver) (live, error) {
	c := kms.NewFromConfig(cfg)
	out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil {
		return live{}, err
	}
	m := out.KeyMetadata
	pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default")})
	if err != nil {
		return live{}, err
	}
	rot, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	if err != nil {
		return live{}, err
	}
	tags, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id)})
	if err != nil {
		return live{}, err
	}
	var cfnTags []any
	for _, t := range tags.Tags {
		cfnTags = append(cfnTags, map[string]any{"Key": aws.ToString(t.TagKey), "Value": aws.ToString(t.TagValue)})
	}
	p := map[string]any{
		"Description":       aws.ToString(m.Description),
		"Enabled":           m.Enabled,
		"KeyUsage":          string(m.KeyUsage),
		"KeySpec":           string(m.KeySpec),
		"KeyPolicy":         aws.ToString(pol.Policy),
		"EnableKeyRotation": rot.KeyRotationEnabled,
		"Tags":              cfnTags,
	}
	return live{props: p, attrs: map[string]string{"Arn": aws.ToString(m.Arn), "KeyId": aws.ToString(m.KeyId)}, state: string(m.KeyState)}, nil
}

// readTopic: GetTopicAttributes and ListTagsForResource; the physical id is the topic's ARN.
func readTopic(ctx context.Context, cfg aws.Config, arn string, _ map[string]any, _ *resolver) (live, error) {
	c := sns.NewFromConfig(cfg)
	out, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil {
		return live{}, err
	}
	a := out.Attributes
	name := arn[strings.LastIndex(arn, ":")+1:]
	p := map[string]any{"TopicName": name, "DisplayName": a["DisplayName"], "KmsMasterKeyId": nil}
	if k := a["KmsMasterKeyId"]; k != "" {
		p["KmsMasterKeyId"] = k
	}
	tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return live{}, err
	}
	p["Tags"] = jsonValue(tags.Tags)
	return live{props: p, attrs: map[string]string{"TopicArn": arn, "TopicName": name}}, nil
}

// readRule: DescribeRule and ListTargetsByRule.
func readRule(ctx context.Context, cfg aws.Config, name string, _ map[string]any, _ *resolver) (live, error) {
	c := eventbridge.NewFromConfig(cfg)
	out, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name)})
	if err != nil {
		return live{}, err
	}
	p := map[string]any{
		"Name":               aws.ToString(out.Name),
		"Description":        aws.ToString(out.Description),
		"State":              string(out.State),
		"EventPattern":       nilIfEmpty(aws.ToString(out.EventPattern)),
		"ScheduleExpression": nilIfEmpty(aws.ToString(out.ScheduleExpression)),
	}
	targets, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
	if err != nil {
		return live{}, err
	}
	p["Targets"] = jsonValue(targets.Targets)
	tags, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: out.Arn})
	if err != nil {
		return live{}, err
	}
	p["Tags"] = jsonValue(tags.Tags)
	return live{props: p, attrs: map[string]string{"Arn": aws.ToString(out.Arn)}}, nil
}

// readLogGroup: DescribeLogGroups (by name prefix, then the exact name).
func readLogGroup(ctx context.Context, cfg aws.Config, name string, _ map[string]any, _ *resolver) (live, error) {
	c := cloudwatchlogs.NewFromConfig(cfg)
	out, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	if err != nil {
		return live{}, err
	}
	for _, g := range out.LogGroups {
		if aws.ToString(g.LogGroupName) != name {
			continue
		}
		tags, err := c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: g.LogGroupArn})
		if err != nil {
			return live{}, err
		}
		p := map[string]any{
			"LogGroupName":    name,
			"RetentionInDays": jsonValue(g.RetentionInDays),
			"KmsKeyId":        jsonValue(g.KmsKeyId),
			"Tags":            cfnTags(tags.Tags),
		}
		return live{props: p, attrs: map[string]string{"Arn": aws.ToString(g.Arn)}}, nil
	}
	return live{}, fmt.Errorf("DescribeLogGroups: log group %s: %w", name, errNotFound)
}

// readLogResourcePolicy: DescribeResourcePolicies.
func readLogResourcePolicy(ctx context.Context, cfg aws.Config, name string, _ map[string]any, _ *resolver) (live, error) {
	out, err := cloudwatchlogs.NewFromConfig(cfg).DescribeResourcePolicies(ctx, &cloudwatchlogs.DescribeResourcePoliciesInput{})
	if err != nil {
		return live{}, err
	}
	for _, rp := range out.ResourcePolicies {
		if aws.ToString(rp.PolicyName) == name {
			return live{props: map[string]any{"PolicyName": name, "PolicyDocument": aws.ToString(rp.PolicyDocument)}}, nil
		}
	}
	return live{}, fmt.Errorf("DescribeResourcePolicies: policy %s: %w", name, errNotFound)
}

// readStateMachine: DescribeStateMachine; the physical id is its ARN.
func readStateMachine(ctx context.Context, cfg aws.Config, arn string, _ map[string]any, _ *resolver) (live, error) {
	c := sfn.NewFromConfig(cfg)
	out, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	if err != nil {
		return live{}, err
	}
	tags, err := c.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return live{}, err
	}
	p := map[string]any{
		"StateMachineName":     aws.ToString(out.Name),
		"DefinitionString":     aws.ToString(out.Definition),
		"RoleArn":              aws.ToString(out.RoleArn),
		"StateMachineType":     string(out.Type),
		"LoggingConfiguration": jsonValue(out.LoggingConfiguration),
		"TracingConfiguration": jsonValue(out.TracingConfiguration),
		"Tags":                 jsonValue(tags.Tags),
	}
	return live{props: p, attrs: map[string]string{"Arn": arn, "Name": aws.ToString(out.Name)}}, nil
}

// readDashboard: GetDashboard, over CloudWatch's awsQuery protocol: moto 5.2.1 does not serve
// the rpcv2Cbor protocol the SDK uses by default for CloudWatch (it answers 404), and CloudWatch
// serves both (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/making-api-requests.html).
func readDashboard(ctx context.Context, cfg aws.Config, name string, _ map[string]any, _ *resolver) (live, error) {
	c := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801) })
	out, err := c.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String(name)})
	if err != nil {
		return live{}, err
	}
	return live{props: map[string]any{"DashboardName": name, "DashboardBody": aws.ToString(out.DashboardBody)}}, nil
}

// jsonValue renders an SDK value the way a template writes it: through JSON, so that field
// names are the API's (the same as CloudFormation's for these types), numbers float64, and
// nil pointers and empty values left out.
func jsonValue(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	return prune(out)
}

// prune drops nulls, empty strings, empty lists and empty objects from a decoded JSON value.
func prune(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if pe := prune(e); pe != nil {
				out[k] = pe
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		var out []any
		for _, e := range x {
			if pe := prune(e); pe != nil {
				out = append(out, pe)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case string:
		if x == "" {
			return nil
		}
	}
	return v
}

// cfnTags renders a tag map as a template's [{Key, Value}] list.
func cfnTags(tags map[string]string) []any {
	var out []any
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, map[string]any{"Key": k, "Value": tags[k]})
	}
	return out
}

// nilIfEmpty is nil for "", else s.
func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// asList reads a resolved value as a list (a lone value is a list of one).
func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}
