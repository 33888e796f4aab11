package rehearse

import (
	"strings"
	"testing"
	"time"
)

// deployment is a source stack replicating to two regions, one replica stack per region and
// a repository stack holding us-west-2's repositories, as the app deploys with repositoryStacks.
func deployment(t *testing.T) (source, west, westRepos, eu *StackState) {
	source = stackState(t, "source", "us-east-1", `{
	  "Replication": {"Type": "AWS::ECR::ReplicationConfiguration", "Properties": {"ReplicationConfiguration": {"Rules": [
	    {"Destinations": [{"Region": "us-west-2", "RegistryId": "123456789012"}, {"Region": "eu-west-1", "RegistryId": {"Ref": "AWS::AccountId"}}]}]}}},
	  "Repo": {"Type": "AWS::ECR::Repository", "Properties": {}}
	}`, map[string]string{"Repo": "r"})
	west = stackState(t, "replica-west", "us-west-2", `{"Template": {"Type": "AWS::ECR::RepositoryCreationTemplate", "Properties": {}}}`, map[string]string{})
	westRepos = stackState(t, "replica-west-repositories-1", "us-west-2", `{"Repo": {"Type": "AWS::ECR::Repository", "Properties": {}}}`, map[string]string{"Repo": "r"})
	eu = stackState(t, "replica-eu", "eu-west-1", `{"Repo": {"Type": "AWS::ECR::Repository", "Properties": {}}}`, map[string]string{"Repo": "r"})
	source.DependsOn = []string{"replica-eu", "replica-west", "replica-west-repositories-1"}
	t0 := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	for i, st := range []*StackState{west, westRepos, eu, source} {
		st.Created = t0.Add(time.Duration(2*i) * time.Second)
		st.Completed = st.Created.Add(time.Second)
	}
	return source, west, westRepos, eu
}

func TestOrderFollowsTheDocumentedOrder(t *testing.T) {
	source, west, westRepos, eu := deployment(t)
	fs := orderFindings([]*StackState{source, west, westRepos, eu})
	// Three stacks before the source by the documented order, three by the assembly.
	if len(fs) != 6 {
		t.Fatalf("%d findings: %+v", len(fs), fs)
	}
	for _, f := range fs {
		if f.Status != StatusPass || f.Stack != "source" {
			t.Errorf("got %+v", f)
		}
	}
	if !strings.Contains(fs[0].Detail+fs[1].Detail+fs[2].Detail, "as the documented order (it holds AWS::ECR::RepositoryCreationTemplate of destination us-west-2) requires") {
		t.Errorf("the documented order is not named: %+v", fs[:3])
	}
}

func TestOrderFailsWhenTheSourceStartsEarly(t *testing.T) {
	source, west, westRepos, eu := deployment(t)
	source.Created = eu.Completed.Add(-time.Millisecond) // before the last replica stack completed
	var failed []string
	for _, f := range orderFindings([]*StackState{source, west, westRepos, eu}) {
		if f.Status == StatusFail {
			failed = append(failed, f.Subject+": "+f.Detail)
		}
	}
	// Once by the documented order, once by the assembly's dependency.
	if len(failed) != 2 || failed[0] != "after replica-eu: created at 02:00:04.999, before replica-eu completed at 02:00:05.000, "+
		"against the documented order (it holds AWS::ECR::Repository of destination eu-west-1)" ||
		!strings.HasSuffix(failed[1], "against the assembly's dependency") {
		t.Errorf("got %q", failed)
	}
}

func TestOrderFailsWhenADestinationHasNoStack(t *testing.T) {
	source, west, westRepos, _ := deployment(t)
	source.DependsOn = []string{"replica-west", "replica-west-repositories-1"}
	fs := orderFindings([]*StackState{source, west, westRepos})
	var failed []Finding
	for _, f := range fs {
		if f.Status == StatusFail {
			failed = append(failed, f)
		}
	}
	if len(failed) != 1 || failed[0].Subject != "destination 123456789012/eu-west-1" ||
		!strings.Contains(failed[0].Detail, "no stack of the deployment holds replicas, a creation template or a registry policy") {
		t.Errorf("got %+v", failed)
	}
}

func TestOrderWithoutReplicationIsSkipped(t *testing.T) {
	st := stackState(t, "alone", "us-east-1", `{"Repo": {"Type": "AWS::ECR::Repository", "Properties": {}}}`, map[string]string{"Repo": "r"})
	fs := orderFindings([]*StackState{st})
	if len(fs) != 1 || fs[0].Status != StatusSkipped {
		t.Errorf("got %+v", fs)
	}
}
