package rehearse

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/internal/mototest"
)

// The rehearsal tests deploy the app to a moto_server of their own with the pinned CDK CLI
// (node_modules/.bin/cdk, installed by make deps): they are the deploy rehearsal. The one of
// the default deployment takes under a minute and runs in `make test`; the others (the KMS
// variant, a sandbox teardown) are built with -tags rehearsal, and `make rehearse` runs all
// of them (CI runs the tagged ones after `make test`). Without moto_server or the CLI a test
// fails naming what is missing; with -short it is skipped, saying so.

// projectDir returns the repository root, which must hold the pinned CLI.
func projectDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".bin", "cdk")); err != nil {
		if testing.Short() {
			t.Skip("skipped with -short: this test needs the pinned CDK CLI (node_modules/.bin/cdk), which is not installed")
		}
		t.Fatalf("this test needs the pinned CDK CLI in node_modules/.bin (%v): run make deps, or go test -short to skip the tests that need it", err)
	}
	return dir
}

// deploy deploys a variant to a new moto_server.
func deploy(t *testing.T, v Variant) *Deployment {
	t.Helper()
	dir := projectDir(t)
	moto := mototest.StartWith(t, mototest.Options{Host: "localhost", CloudFormationFixes: true})
	d, err := Deploy(context.Background(), Options{Dir: dir, Endpoint: moto.Endpoint, Context: v.Context, Output: filepath.Join(t.TempDir(), "cdk.out")})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// logReport logs what the rehearsal checked, as make rehearse shows it.
func logReport(t *testing.T, r *Report) {
	t.Helper()
	var b strings.Builder
	if err := r.Write(&b, false); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + b.String())
}

// failures returns the failed findings, as text.
func failures(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Status == StatusFail {
			out = append(out, f.Check+" "+f.Stack+" "+f.Subject+": "+f.Detail)
		}
	}
	return out
}

// requireNoFailure stops the test when a step could not run or a finding failed.
func requireNoFailure(t *testing.T, step string, fs []Finding, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if f := failures(fs); len(f) > 0 {
		t.Fatalf("%s failed:\n%s", step, strings.Join(f, "\n"))
	}
}

// requireFinding fails the test unless a finding has the check, stack, subject and status,
// and its detail contains detail.
func requireFinding(t *testing.T, fs []Finding, check, stack, subject string, status Status, detail string) {
	t.Helper()
	for _, f := range fs {
		if f.Check == check && f.Stack == stack && f.Subject == subject && f.Status == status && strings.Contains(f.Detail, detail) {
			return
		}
	}
	t.Errorf("no %s finding %s %q %q with %q", status, check, stack, subject, detail)
}

const (
	sourceStack = "ecr-replication-source-us-east-1"
	westStack   = "ecr-replication-replica-us-west-2"
	euStack     = "ecr-replication-replica-eu-west-1"
)

// TestRehearsalOfTheDefaultDeployment deploys the default deployment, checks it, and shows
// that each check fails when moto holds something else: a replica's tag mutability changed
// behind CloudFormation's back fails the settings check and verify's, and a retained
// repository deleted after destroy fails the destroy check.
func TestRehearsalOfTheDefaultDeployment(t *testing.T) {
	ctx := context.Background()
	d := deploy(t, Variants[0])
	fs, states, err := Check(ctx, d)
	requireNoFailure(t, "check", fs, err)
	for _, stack := range []string{sourceStack, westStack, euStack} {
		requireFinding(t, fs, "deploy", stack, "change set", StatusPass, "deployed through change set cdk-deploy-change-set (EXECUTE_COMPLETE)")
	}
	for _, stack := range []string{westStack, euStack} {
		requireFinding(t, fs, "order", sourceStack, "after "+stack, StatusPass, "as the documented order (it holds AWS::ECR::Repository, AWS::ECR::RepositoryCreationTemplate of destination")
		requireFinding(t, fs, "realized", stack, "ReplicationTemplate1DD04BE0", StatusGap, "AWS::ECR::RepositoryCreationTemplate not realized")
		requireFinding(t, fs, "setting", stack, "ProductionRepositoryE6138F87 ImageTagMutability", StatusPass, "")
	}
	requireFinding(t, fs, "realized", sourceStack, "Replication7B503FD6", StatusGap, "AWS::ECR::ReplicationConfiguration not realized")
	for _, region := range []string{"us-east-1", "us-west-2", "eu-west-1"} {
		requireFinding(t, fs, "bootstrap", "", "aws://123456789012/"+region, StatusPass, "CDKToolkit CREATE_COMPLETE; moto skipped (no model): AWS::S3::BucketPolicy; not created, each with a Condition:")
	}
	requireFinding(t, fs, "asset", "", "template over 51,200 bytes", StatusPass, "above CloudFormation's inline limit")
	requireFinding(t, fs, "asset", sourceStack, sourceStack+".template.json", StatusPass, "published to s3://cdk-hnb659fds-assets-123456789012-us-east-1/")

	vf, err := CheckVerify(ctx, d, states)
	requireNoFailure(t, "verify", vf, err)
	report := &Report{Name: Variants[0].Name, Findings: append(fs, vf...)}
	report.timing("synth", d.Synth)
	report.timing("bootstrap", d.Bootstrap)
	report.timing("deploy", d.Deploy)
	requireFinding(t, vf, "verify", "", "replication-rule us-east-1", StatusGap, "moto did not realize Replication7B503FD6")

	// A replica's tag mutability changed outside CloudFormation: both checks see it.
	west := ecr.NewFromConfig(AWSConfig(d.Options.Endpoint, "us-west-2"))
	setMutability := func(m ecrtypes.ImageTagMutability) {
		if _, err := west.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{
			RepositoryName: aws.String("enterprise-apps/production"), ImageTagMutability: m}); err != nil {
			t.Fatal(err)
		}
	}
	setMutability(ecrtypes.ImageTagMutabilityMutable)
	tampered, tamperedStates, err := Check(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if f := failures(tampered); len(f) != 1 || !strings.Contains(f[0], `ImageTagMutability (AWS::ECR::Repository) differs: template "IMMUTABLE", realized "MUTABLE"`) {
		t.Errorf("after the change, the settings check: %q", f)
	}
	if vf, err = CheckVerify(ctx, d, tamperedStates); err != nil {
		t.Fatal(err)
	}
	if f := failures(vf); len(f) != 1 || !strings.HasPrefix(f[0], "verify  tag-mutability us-west-2 enterprise-apps/production: problem, and no moto gap explains it") {
		t.Errorf("after the change, the verify check: %q", f)
	}
	setMutability(ecrtypes.ImageTagMutabilityImmutable)

	took, err := Destroy(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	report.timing("destroy", took)
	df, err := CheckDestroyed(ctx, d, states)
	requireNoFailure(t, "destroy", df, err)
	report.add(df...)
	logReport(t, report)
	for _, stack := range []string{sourceStack, westStack, euStack} {
		requireFinding(t, df, "destroy", stack, "stack", StatusPass, "DELETE_COMPLETE")
		requireFinding(t, df, "destroy", stack, "ProductionRepositoryE6138F87", StatusPass, "AWS::ECR::Repository enterprise-apps/production retained")
		requireFinding(t, df, "destroy", stack, "resources", StatusPass, "AWS::IAM::Role")
	}
	requireFinding(t, df, "destroy", sourceStack, "before "+westStack, StatusPass, "deleted before the stack it depends on")

	// Deploying again fails on the retained repositories, as on AWS (README, "What cdk destroy
	// leaves and removes"; cdk import adopts them).
	if err := Redeploy(ctx, d); err == nil || !strings.Contains(err.Error(), "RepositoryAlreadyExistsException: The repository with name 'enterprise-apps/production' already exists") {
		t.Errorf("a redeploy after destroy: %v", err)
	}

	// A retained repository that is gone fails the destroy check.
	if _, err := west.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("enterprise-apps/testing")}); err != nil {
		t.Fatal(err)
	}
	if df, err = CheckDestroyed(ctx, d, states); err != nil {
		t.Fatal(err)
	}
	if f := failures(df); len(f) != 1 || !strings.Contains(f[0], "AWS::ECR::Repository enterprise-apps/testing has DeletionPolicy Retain but was deleted") {
		t.Errorf("after deleting a retained repository: %q", f)
	}
}
