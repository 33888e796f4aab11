package verify

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/policy"
)

// Preflight reads the stacks that hold a region's repositories and its repository key by the
// names and construct ids stacks/source.go and stacks/replica.go give them (that package imports
// the CDK, which verify must not load).
func TestRepositoryStackNamesMatchTheApp(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"source.go", `return fmt.Sprintf("%s-repositories-%d", stack, k)`},
		{"source.go", `registry.NewReplicatedRepository(stack, ids[i]+"Repository", props)`},
		{"source.go", `registry.NewRepositoryKey(s, "` + stackKeyPrefix + `"`},
		{"replica.go", `registry.NewRepositoryKey(s, "` + stackKeyPrefix + `"`},
	} {
		b, err := os.ReadFile("../../stacks/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), tc.want) {
			t.Errorf("stacks/%s no longer has %s: update replacement.go", tc.file, tc.want)
		}
	}
	if repositoryStackName("ecr-replication-replica-eu-west-1", 2) != "ecr-replication-replica-eu-west-1-repositories-2" {
		t.Error("repository stack names differ")
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
