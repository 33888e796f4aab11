package verify

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The stack names must be the app's (stacks/names.go), which this package cannot import.
func TestStackNamesMatchTheApp(t *testing.T) {
	b, err := os.ReadFile("../../stacks/names.go")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	for _, want := range []string{
		`func SourceStackName(region string) string { return "ecr-replication-source-" + region }`,
		`func ReplicaStackName(region string) string { return "ecr-replication-replica-" + region }`,
	} {
		if !strings.Contains(src, want) {
			t.Errorf("stacks/names.go no longer has %s: update verifier.go", want)
		}
	}
	if sourceStackName("us-east-1") != "ecr-replication-source-us-east-1" || replicaStackName("eu-west-1") != "ecr-replication-replica-eu-west-1" {
		t.Error("stack names differ")
	}
}

// verify must start in milliseconds without Node.js: neither the CDK nor jsii may be linked in.
func TestNoCDKDependency(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../cmd/verify").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "aws-cdk-go") || strings.Contains(dep, "jsii-runtime-go") || strings.Contains(dep, "constructs-go") {
			t.Errorf("cmd/verify depends on %s", dep)
		}
	}
}

func TestCanonicalPolicyComparesByMeaning(t *testing.T) {
	a := `{"Version":"2012-10-17","Statement":[{"Sid":"PullFromAccounts","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::333333333333:root","444444444444"]},"Action":["ecr:BatchGetImage","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer"]}]}`
	b := `{"Statement":{"Action":["ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability","ecr:BatchGetImage"],"Effect":"Allow","Sid":"PullFromAccounts",
	        "Principal":{"AWS":["arn:aws:iam::444444444444:root","arn:aws:iam::333333333333:root"]}},"Version":"2012-10-17"}`
	ca, err1 := canonicalPolicy(a, "aws")
	cb, err2 := canonicalPolicy(b, "aws")
	if err1 != nil || err2 != nil || ca != cb {
		t.Fatalf("same meaning, different canonical forms:\n%s\n%s\n%v %v", ca, cb, err1, err2)
	}
	c := strings.Replace(a, "ecr:BatchGetImage", "ecr:PutImage", 1)
	if cc, _ := canonicalPolicy(c, "aws"); cc == ca {
		t.Fatal("another action must compare different")
	}
}

func TestRegistryPolicyAllows(t *testing.T) {
	sts, err := statements(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"ecr:*","Resource":"arn:aws:ecr:us-west-2:222222222222:repository/*"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	res := "arn:aws:ecr:us-west-2:222222222222:repository/enterprise-apps/any"
	if !allows(sts, "arn:aws:iam::111111111111:root", "111111111111", []string{"ecr:ReplicateImage", "ecr:CreateRepository"}, res) {
		t.Error("ecr:* on repository/* for the account id allows replication")
	}
	if allows(sts, "arn:aws:iam::999999999999:root", "999999999999", []string{"ecr:ReplicateImage"}, res) {
		t.Error("another account is not allowed")
	}
	deny, _ := statements(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":["ecr:ReplicateImage"],"Resource":"*"}]}`)
	if allows(deny, "arn:aws:iam::111111111111:root", "111111111111", []string{"ecr:ReplicateImage", "ecr:CreateRepository"}, res) {
		t.Error("ecr:CreateRepository is missing")
	}
}
