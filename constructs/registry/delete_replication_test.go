package registry_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/replication"
)

// TestDeleteReplicationAsAwsCdkLib278: aws-cdk-go v2.276's typed L1 has no DeleteReplication,
// so Replication sets it through a property override; the rendered property must be exactly
// what aws-cdk-lib 2.278.0's typed CfnReplicationConfiguration renders for the same rules (the
// npm package, pinned in package.json, run by node). A rule without it renders no property.
func TestDeleteReplicationAsAwsCdkLib278(t *testing.T) {
	node := cfntest.RequireTool(t, "node")
	stack := newStack(awscdk.NewApp(nil), "Stack", sourceAcct, "us-east-1")
	registry.NewReplication(stack, "Replication", &registry.ReplicationProps{Rules: []registry.ReplicationRule{
		{Destinations: []replication.Destination{{Region: "us-west-2"}}, RepositoryPrefixes: []string{"team/"}, DeleteReplication: true},
		{Destinations: []replication.Destination{{Region: "eu-west-1", Account: replicaAcct}}, RepositoryPrefixes: []string{"data/"}},
	}})
	ours := cfntest.FromValue(assertions.Template_FromStack(stack, nil).ToJSON()).Resources("AWS::ECR::ReplicationConfiguration")[0].Properties

	typed := `[{"destinations":[{"region":"us-west-2","registryId":"111111111111"}],"repositoryFilters":[{"filter":"team/","filterType":"PREFIX_MATCH"}],"deleteReplication":{"enabled":true}},` +
		`{"destinations":[{"region":"eu-west-1","registryId":"222222222222"}],"repositoryFilters":[{"filter":"data/","filterType":"PREFIX_MATCH"}]}]`
	var stderr strings.Builder
	cmd := exec.Command(node, "testdata/render-replication-278.js", typed)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws-cdk-lib 2.278.0 (npm, make deps installs it): %v\n%s", err, stderr.String())
	}
	var theirs map[string]any
	if err := json.Unmarshal(out, &theirs); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got, want := cfntest.JSON(ours), cfntest.JSON(theirs); got != want {
		t.Errorf("our ReplicationConfiguration differs from aws-cdk-lib 2.278.0's typed L1:\n ours:   %s\n theirs: %s", got, want)
	}
	want := `{"ReplicationConfiguration":{"Rules":[{"DeleteReplication":{"Enabled":true},"Destinations":[{"Region":"us-west-2","RegistryId":"111111111111"}],"RepositoryFilters":[{"Filter":"team/","FilterType":"PREFIX_MATCH"}]},` +
		`{"Destinations":[{"Region":"eu-west-1","RegistryId":"222222222222"}],"RepositoryFilters":[{"Filter":"data/","FilterType":"PREFIX_MATCH"}]}]}}`
	if got := cfntest.JSON(ours); got != want {
		t.Errorf("ReplicationConfiguration = %s; want %s", got, want)
	}
}
