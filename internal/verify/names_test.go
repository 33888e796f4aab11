package verify

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/policy"
)

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

func TestRegistryPolicyAllows(t *testing.T) {
	sts, err := policy.Statements(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"ecr:*","Resource":"arn:aws:ecr:us-west-2:222222222222:repository/*"}]}`)
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
	deny, _ := policy.Statements(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":["ecr:ReplicateImage"],"Resource":"*"}]}`)
	if allows(deny, "arn:aws:iam::111111111111:root", "111111111111", []string{"ecr:ReplicateImage", "ecr:CreateRepository"}, res) {
		t.Error("ecr:CreateRepository is missing")
	}
}
