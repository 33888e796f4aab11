package stacks_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
)

// TestOutsideModule builds testdata/outside-app, another team's CDK app in a Go module of its
// own (its go.mod replaces this module with the checkout), and runs it as `cdk synth` would:
// two deployments in one app, and a role created in a deployment's source stack that may pull
// payments/api in a destination of another account, through its identity policy and that
// replica's repository policy.
func TestOutsideModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a separate CDK app (about 20 s); run without -short")
	}
	dir, err := filepath.Abs(filepath.Join("..", "testdata", "outside-app"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(tmp, "outside-app"), ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the outside module does not build: %v\n%s", err, out)
	}
	outdir := filepath.Join(tmp, "cdk.out")
	run := exec.Command(filepath.Join(tmp, "outside-app"))
	run.Dir = tmp
	run.Env = append(os.Environ(), "CDK_OUTDIR="+outdir)
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("the outside app does not synthesize: %v\n%s", err, out)
	}
	read := func(stack string) cfntest.Template {
		raw, err := os.ReadFile(filepath.Join(outdir, stack+".template.json"))
		if err != nil {
			t.Fatalf("no template for %s: %v", stack, err)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		return cfntest.FromValue(v)
	}
	for _, s := range []string{"payments-staging-source-us-east-1", "payments-staging-replica-us-west-2", "payments-prod-replica-us-west-2"} {
		read(s)
	}
	source, replica := read("payments-prod-source-us-east-1"), read("payments-prod-replica-eu-west-1")

	var taskTag, identity string
	for _, r := range source.Resources("AWS::IAM::Role") {
		if strings.Contains(cfntest.JSON(r.Properties["AssumeRolePolicyDocument"]), "ecs-tasks.amazonaws.com") {
			for _, tag := range r.Properties["Tags"].([]any) {
				if tag := tag.(map[string]any); tag["Key"] == "aws-cdk:id" {
					taskTag, _ = tag["Value"].(string)
				}
			}
		}
	}
	for _, p := range source.Resources("AWS::IAM::Policy") {
		if doc := cfntest.JSON(p.Properties["PolicyDocument"]); strings.Contains(doc, `"Sid":"PaymentsProdPull"`) {
			identity = doc
		}
	}
	if !strings.HasPrefix(taskTag, "payments-prod-source-us-east-1_") {
		t.Fatalf("the task role in the source stack carries no aws-cdk:id tag (%q)", taskTag)
	}
	if !strings.Contains(identity, `"ecr:BatchGetImage"`) || !strings.Contains(identity, ":ecr:eu-west-1:222222222222:repository/payments/*") {
		t.Errorf("the task role's policy does not let it pull in eu-west-1 of 222222222222:\n%s", identity)
	}
	admitted := false
	for _, r := range replica.Resources("AWS::ECR::Repository") {
		if r.Properties["RepositoryName"] == "payments/api" {
			p := cfntest.JSON(r.Properties["RepositoryPolicyText"])
			admitted = strings.Contains(p, `"Condition":{"StringEquals":{"aws:PrincipalTag/aws-cdk:id":"`+taskTag+`"}}`) &&
				strings.Contains(p, `"Principal":{"AWS":"arn:aws:iam::111111111111:root"}`) && strings.Contains(p, `"ecr:BatchGetImage"`)
			if !admitted {
				t.Errorf("payments/api in eu-west-1 does not admit the task role:\n%s", p)
			}
		}
	}
	if !admitted {
		t.Error("no payments/api replica in eu-west-1")
	}
}
