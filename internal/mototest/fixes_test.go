package mototest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// fixedTemplate meets both CloudFormation fixes: a tagged KMS key with a key policy object
// (kms-key-from-template), and a dashboard that reads the Arn of an alarm, a type moto has no
// model for (getatt-of-unsupported-type).
const fixedTemplate = `{
  "Resources": {
    "Key": {"Type": "AWS::KMS::Key", "Properties": {
      "KeyPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]},
      "Tags": [{"Key": "Project", "Value": "ecr-replication"}]}},
    "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 1, "Threshold": 1,
      "MetricName": "RepositoryPullCount", "Namespace": "AWS/ECR", "Period": 300, "Statistic": "Sum"}},
    "Dashboard": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardName": "fixes",
      "DashboardBody": {"Fn::Join": ["", ["{\"widgets\":[{\"type\":\"alarm\",\"properties\":{\"alarms\":[\"", {"Fn::GetAtt": ["Alarm", "Arn"]}, "\"]}}]}"]]}}}
  }
}`

// createStack creates the stack from fixedTemplate on the server and returns its status.
func createStack(t *testing.T, s *Server) (cfntypes.StackStatus, error) {
	t.Helper()
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(awsConfig(s.Endpoint))
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("fixes"), TemplateBody: aws.String(fixedTemplate)}); err != nil {
		return "", err
	}
	out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("fixes")})
	if err != nil {
		return "", err
	}
	return out.Stacks[0].StackStatus, nil
}

func awsConfig(endpoint string) aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}
}

func TestLaunchOnLocalhostWithFixes(t *testing.T) {
	s := StartWith(t, Options{Host: "localhost", CloudFormationFixes: true})
	if !strings.HasPrefix(s.Endpoint, "http://localhost:") {
		t.Errorf("endpoint %q", s.Endpoint)
	}
	if err := get(s.Endpoint + "/moto-api/"); err != nil {
		t.Fatal(err)
	}
	status, err := createStack(t, s)
	if err != nil || status != cfntypes.StackStatusCreateComplete {
		t.Fatalf("stack with a tagged key and a GetAtt of an alarm: %s, %v\n%s", status, err, s.Output())
	}
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(awsConfig(s.Endpoint))
	res, err := cf.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String("fixes")})
	if err != nil {
		t.Fatalf("DescribeStackResources: %v", err)
	}
	physical := map[string]string{}
	for _, r := range res.StackResources {
		physical[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
	}
	key := physical["Key"]
	if _, alarm := physical["Alarm"]; key == "" || physical["Dashboard"] != "fixes" || alarm || len(res.StackResources) != 3 {
		t.Errorf("resources %v: the key and the dashboard realized, the alarm (no moto model) listed without a logical id", physical)
	}
	k := kms.NewFromConfig(awsConfig(s.Endpoint))
	if _, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(key)}); err != nil {
		t.Errorf("DescribeKey of the key the template created: %v", err)
	}
	tags, err := k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(key)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].TagKey) != "Project" || aws.ToString(tags.Tags[0].TagValue) != "ecr-replication" {
		t.Errorf("the key's tags: %+v, %v", tags, err)
	}
}

// TestFixesAreStillNeeded fails when moto itself deploys the template: the fixes should then go.
func TestFixesAreStillNeeded(t *testing.T) {
	s := StartWith(t, Options{Host: "localhost"})
	status, err := createStack(t, s)
	if err == nil && status == cfntypes.StackStatusCreateComplete {
		ctx := context.Background()
		_, err = cloudformation.NewFromConfig(awsConfig(s.Endpoint)).DescribeStackResources(ctx,
			&cloudformation.DescribeStackResourcesInput{StackName: aws.String("fixes")})
	}
	if err == nil {
		t.Fatalf("moto deployed the template without the fixes (status %s): remove CloudFormationFixes", status)
	}
}

func TestFixesApplied(t *testing.T) {
	applied := fixesMarker + "applied: kms-key-from-template, getatt-of-unsupported-type\n"
	for _, c := range []struct {
		name, output string
		fixes        bool
		want         error // nil, errFixesFailed, or any other error (not yet)
	}{
		{"no fixes asked for", "", false, nil},
		{"applied", "moto starting\n" + applied + " * Running on http://localhost:1\n", true, nil},
		{"not yet", "moto starting\n", true, errors.New("not yet")},
		{"failed", fixesMarker + "FAILED: ImportError('moto.kms')\n", true, errFixesFailed},
		{"another list", fixesMarker + "applied: kms-key-from-template\n", true, errFixesFailed},
	} {
		err := fixesApplied(c.output, c.fixes)
		switch {
		case c.want == nil && err != nil, c.want != nil && err == nil:
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		case errors.Is(c.want, errFixesFailed) != errors.Is(err, errFixesFailed):
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func TestLaunchRefusesANonLoopbackHost(t *testing.T) {
	_, err := launch(Tool, Options{Host: "0.0.0.0"})
	if err == nil || !strings.Contains(err.Error(), `Options.Host "0.0.0.0": expected 127.0.0.1 or localhost`) {
		t.Errorf("got %v", err)
	}
}

func TestJoinPath(t *testing.T) {
	if got := joinPath("/fixes", ""); got != "/fixes" {
		t.Errorf("got %q", got)
	}
	if got := joinPath("/fixes", "/a:/b"); got != "/fixes:/a:/b" {
		t.Errorf("got %q", got)
	}
}
