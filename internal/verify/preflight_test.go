package verify_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

const destAccount = "222222222222"

// crossAccount makes a world whose replicas live in destAccount, reached with the profile
// "dest" (moto credentials of that account).
func crossAccount(t *testing.T) (*world, aws.Credentials) {
	w := newWorld(t, map[string]any{"destinationAccount": destAccount, "sourceAccount": sourceAccount})
	dest := assumeInto(t, w.moto.endpoint, destAccount)
	addProfile(t, w.creds, "dest", dest)
	return w, dest
}

func (w *world) bootstrap(region string, creds aws.Credentials, version string) {
	w.t.Helper()
	c := ssm.NewFromConfig(seedConfig(w.t, w.moto.endpoint, region, creds))
	if _, err := c.PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String("/cdk-bootstrap/hnb659fds/version"), Value: aws.String(version), Type: ssmtypes.ParameterTypeString,
	}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) trail(region string, creds aws.Credentials) {
	w.t.Helper()
	// CloudTrail needs its bucket to exist: create it with a plain S3 request to moto.
	req, _ := http.NewRequest(http.MethodPut, w.moto.endpoint+"/trail-bucket", nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		w.t.Fatalf("creating the trail bucket: %v %v", err, resp)
	}
	_ = resp.Body.Close()
	c := cloudtrail.NewFromConfig(seedConfig(w.t, w.moto.endpoint, region, creds))
	if _, err := c.CreateTrail(context.Background(), &cloudtrail.CreateTrailInput{
		Name: aws.String("org-trail"), S3BucketName: aws.String("trail-bucket"), IsMultiRegionTrail: aws.Bool(true),
	}); err != nil {
		w.t.Fatal(err)
	}
	if _, err := c.StartLogging(context.Background(), &cloudtrail.StartLoggingInput{Name: aws.String("org-trail")}); err != nil {
		w.t.Fatal(err)
	}
}

func TestPreflightBeforeBootstrap(t *testing.T) {
	w, _ := crossAccount(t)
	code, r, stderr := w.runJSON("--preflight", "--destination-profile", "dest")
	if code != 1 || r.Mode != "preflight" {
		t.Fatalf("exit %d mode %s; stderr %s", code, r.Mode, stderr)
	}
	r.expect(t, "bootstrap", src, "", "problem", "account 123456789012 is not bootstrapped in us-east-1", "run cdk bootstrap aws://123456789012/us-east-1")
	r.expect(t, "bootstrap", dw2, "", "problem", "run cdk bootstrap aws://222222222222/us-west-2 --profile dest")
	r.expect(t, "bootstrap", de1, "", "problem", "run cdk bootstrap aws://222222222222/eu-west-1 --profile dest")
	r.expect(t, "stack", dw2, "", "ok", "ecr-replication-replica-us-west-2 does not exist yet")
	r.expect(t, "replication-configuration", src, "", "ok")
	r.expect(t, "registry-policy", dw2, "", "ok", "no registry policy yet")
	r.expect(t, "repository", de1, production, "ok", "does not exist")
	r.expect(t, "logs-resource-policies", src, "", "ok", "0 of 10 used")
	r.expect(t, "cloudtrail", de1, "", "warning", "no CloudTrail trail logs eu-west-1", "lifecycle expiration notices never arrive", "--profile dest")
	if n := len(r.problems()); n != 3 {
		t.Errorf("want the 3 bootstrap problems only, got %+v", r.problems())
	}
}

func TestPreflightFindsWhatTheDeployWouldHit(t *testing.T) {
	w, dest := crossAccount(t)
	ctx := context.Background()
	w.bootstrap(src, testingCreds, "21")
	w.bootstrap(dw2, dest, "21")
	w.bootstrap(de1, dest, "5") // too old for the templates
	w.trail(src, testingCreds)

	// Someone set up replication by hand: a rule in the source registry, a replica, and
	// a registry policy in the destination account.
	w.replicationConfig(testingCreds, appRule(destAccount, dw2))
	w.createRepo(dw2, dest, production, "")
	if _, err := w.ecr(dw2, dest).PutRegistryPolicy(ctx, &ecr.PutRegistryPolicyInput{PolicyText: aws.String(fmt.Sprintf(
		`{"Version":"2012-10-17","Statement":[{"Sid":"Manual","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":["ecr:ReplicateImage"],"Resource":"*"}]}`, sourceAccount))}); err != nil {
		t.Fatal(err)
	}
	// eu-west-1 of the destination account has every Logs resource policy taken.
	logs := cloudwatchlogs.NewFromConfig(seedConfig(t, w.moto.endpoint, de1, dest))
	for i := range 10 {
		if _, err := logs.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{
			PolicyName:     aws.String(fmt.Sprintf("other-%d", i)),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"es.amazonaws.com"},"Action":"logs:PutLogEvents","Resource":"*"}]}`),
		}); err != nil {
			t.Fatal(err)
		}
	}

	code, r, stderr := w.runJSON("--preflight", "--destination-profile", "dest")
	if code != 1 {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	r.expect(t, "bootstrap", src, "", "ok", "version 21")
	r.expect(t, "bootstrap", de1, "", "problem", `bootstrap version "5"`, "need 6 or later", "cdk bootstrap aws://222222222222/eu-west-1 --profile dest")
	r.expect(t, "replication-configuration", src, "", "problem", "already has a replication configuration", "222222222222/us-west-2", "AlreadyExists", "put-replication-configuration")
	r.expect(t, "registry-policy", dw2, "", "problem", "already has a policy", "AlreadyExists", "aws ecr get-registry-policy --region us-west-2 --profile dest")
	r.expect(t, "registry-policy", de1, "", "ok")
	r.expect(t, "repository", dw2, production, "problem", "already exists", "cdk import ecr-replication-replica-us-west-2 --profile dest")
	r.expect(t, "repository", dw2, testingRep, "ok")
	r.expect(t, "logs-resource-policies", de1, "", "problem", "10 of 10", "other-0", "LimitExceeded", "aws logs delete-resource-policy")
	r.expect(t, "logs-resource-policies", dw2, "", "ok", "0 of 10")
	r.expect(t, "cloudtrail", src, "", "ok", "trail org-trail logs us-east-1")
	r.expect(t, "cloudtrail", dw2, "", "warning", "no CloudTrail trail") // another account
	if n := len(r.problems()); n != 5 {
		t.Errorf("want 5 problems, got %d: %+v", n, r.problems())
	}
}

func TestPreflightClean(t *testing.T) {
	w := newWorld(t, nil)
	for _, region := range []string{src, dw2, de1} {
		w.bootstrap(region, testingCreds, "21")
	}
	w.trail(src, testingCreds)
	code, out, stderr := w.run("--preflight")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{"ecr-replication verify (preflight)", "nothing found that would make cdk deploy fail", "trail org-trail logs eu-west-1"} {
		if !contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestCrossAccountRegistryPolicy(t *testing.T) {
	w, dest := crossAccount(t)
	for _, region := range []string{dw2, de1} {
		w.createRepo(region, dest, production, w.expectedLifecycle(production))
		w.createRepo(region, dest, testingRep, w.expectedLifecycle(testingRep))
	}
	w.createRepo(src, testingCreds, production, w.expectedLifecycle(production))
	w.createRepo(src, testingCreds, testingRep, w.expectedLifecycle(testingRep))
	w.replicationConfig(testingCreds, appRule(destAccount, dw2, de1))
	// us-west-2 lets the source account replicate; eu-west-1 has no registry policy.
	if _, err := w.ecr(dw2, dest).PutRegistryPolicy(context.Background(), &ecr.PutRegistryPolicyInput{PolicyText: aws.String(fmt.Sprintf(
		`{"Version":"2012-10-17","Statement":[{"Sid":"ReplicateFromSourceAccounts","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":["ecr:CreateRepository","ecr:ReplicateImage"],"Resource":"arn:aws:ecr:us-west-2:%s:repository/enterprise-apps/*"}]}`,
		sourceAccount, destAccount))}); err != nil {
		t.Fatal(err)
	}
	code, r, stderr := w.runJSON("--destination-profile", "dest")
	if code != 1 {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	r.expect(t, "replication-destination", dw2, "", "ok", "registry 222222222222")
	r.expect(t, "registry-policy", dw2, "", "ok", "allows ecr:CreateRepository and ecr:ReplicateImage for the source account 123456789012")
	r.expect(t, "registry-policy", de1, "", "problem", "no registry policy", "deploy ecr-replication-replica-eu-west-1")
	// In another account the replicas' policy must let the source account's deploy role pull.
	r.expect(t, "repository-policy", dw2, production, "problem", "no repository policy; expected", "enterprise-apps-us-east-1-ecr-pull")
	r.expect(t, "repository-policy", src, production, "ok", "no repository policy, as configured")

	// Without --destination-profile the source credentials cannot read the replicas: refused.
	code, _, stderr = w.run()
	if code != 2 || !contains(stderr, "the destinations us-west-2, eu-west-1 are in account 222222222222") ||
		!contains(stderr, "pass --destination-profile 222222222222=NAME with credentials of 222222222222") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
}
