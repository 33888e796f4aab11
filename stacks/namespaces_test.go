package stacks_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/replication"
	"github.com/acme-platform/ecr-replication/stacks"
)

// teams returns the namespaces of a registry several teams share: payments (us-west-2 and
// eu-west-1 in 222222222222), data (ap-southeast-2 in 333333333333) and web (us-west-2),
// keeping only those named.
func teams(names ...string) []stacks.Namespace {
	all := map[string]stacks.Namespace{
		"payments": {Prefix: "payments", Repositories: []stacks.Repository{{Name: "payments/api"}, {Name: "payments/ledger"}},
			Destinations: []replication.Destination{{Region: "us-west-2"}, {Region: "eu-west-1", Account: replicaAcct}}, DeleteReplication: true},
		"data": {Prefix: "data", Repositories: []stacks.Repository{{Name: "data/etl", TagMutability: replication.Mutable}},
			Destinations: []replication.Destination{{Region: "ap-southeast-2", Account: stagingAcct}}},
		"web": {Prefix: "web", Repositories: []stacks.Repository{{Name: "web/frontend"}},
			Destinations: []replication.Destination{{Region: "us-west-2"}}},
	}
	var out []stacks.Namespace
	for _, n := range names {
		out = append(out, all[n])
	}
	return out
}

// synthTeams synthesizes a deployment of the named namespaces (KMS on) and returns its templates
// by stack name.
func synthTeams(t *testing.T, names ...string) map[string]cfntest.Template {
	t.Helper()
	out := map[string]cfntest.Template{}
	cfntest.ExpectOK(t, func() {
		app := awscdk.NewApp(nil)
		d := stacks.NewDeployment(app, "shared", &stacks.DeploymentProps{
			Common:       stacks.Common{Namespaces: teams(names...), KMS: true},
			SourceRegion: "us-east-1", SourceAccount: prodAcct,
		})
		asm := app.Synth(nil)
		for _, s := range d.Stacks() {
			out[*s.StackName()] = cfntest.FromValue(asm.GetStackByName(s.StackName()).Template())
		}
	})
	return out
}

// repositoryNames returns the repositories of a template, sorted.
func repositoryNames(tmpl cfntest.Template) []string {
	var out []string
	for _, r := range tmpl.Resources("AWS::ECR::Repository") {
		out = append(out, r.Properties["RepositoryName"].(string))
	}
	slices.Sort(out)
	return out
}

func TestNamespaces(t *testing.T) {
	f := synthTeams(t, "payments", "data", "web")
	source := f["shared-source-us-east-1"]
	t.Run("one replication configuration, one rule per namespace, each to its own destinations", func(t *testing.T) {
		confs := source.Resources("AWS::ECR::ReplicationConfiguration")
		if len(confs) != 1 {
			t.Fatalf("%d replication configurations", len(confs))
		}
		want := `{"Rules":[` +
			`{"DeleteReplication":{"Enabled":true},"Destinations":[{"Region":"us-west-2","RegistryId":"111111111111"},{"Region":"eu-west-1","RegistryId":"222222222222"}],"RepositoryFilters":[{"Filter":"payments/","FilterType":"PREFIX_MATCH"}]},` +
			`{"Destinations":[{"Region":"ap-southeast-2","RegistryId":"333333333333"}],"RepositoryFilters":[{"Filter":"data/","FilterType":"PREFIX_MATCH"}]},` +
			`{"Destinations":[{"Region":"us-west-2","RegistryId":"111111111111"}],"RepositoryFilters":[{"Filter":"web/","FilterType":"PREFIX_MATCH"}]}]}`
		if got := cfntest.JSON(confs[0].Properties["ReplicationConfiguration"]); got != want {
			t.Errorf("replication configuration\n got %s\nwant %s", got, want)
		}
	})
	t.Run("repositories in the source and only in their namespace's destinations, with a template each", func(t *testing.T) {
		for stack, want := range map[string][]string{
			"shared-source-us-east-1":       {"data/etl", "payments/api", "payments/ledger", "web/frontend"},
			"shared-replica-us-west-2":      {"payments/api", "payments/ledger", "web/frontend"},
			"shared-replica-eu-west-1":      {"payments/api", "payments/ledger"},
			"shared-replica-ap-southeast-2": {"data/etl"},
		} {
			if got := repositoryNames(f[stack]); !slices.Equal(got, want) {
				t.Errorf("%s repositories %v; want %v", stack, got, want)
			}
			if stack == "shared-source-us-east-1" {
				continue
			}
			var prefixes []string
			for _, tpl := range f[stack].Resources("AWS::ECR::RepositoryCreationTemplate") {
				prefixes = append(prefixes, tpl.Properties["Prefix"].(string))
			}
			slices.Sort(prefixes)
			wantPrefixes := slices.Compact(slices.Sorted(slices.Values(func() []string {
				var p []string
				for _, r := range want {
					p = append(p, r[:strings.Index(r, "/")])
				}
				return p
			}())))
			if !slices.Equal(prefixes, wantPrefixes) {
				t.Errorf("%s creation templates %v; want %v", stack, prefixes, wantPrefixes)
			}
		}
	})
	t.Run("a namespace's creation template is IMMUTABLE when every repository it declares is", func(t *testing.T) {
		want := map[string]string{"payments": "IMMUTABLE", "web": "IMMUTABLE", "data": "MUTABLE"}
		seen := 0
		for _, stack := range []string{"shared-replica-us-west-2", "shared-replica-eu-west-1", "shared-replica-ap-southeast-2"} {
			for _, tpl := range f[stack].Resources("AWS::ECR::RepositoryCreationTemplate") {
				seen++
				prefix := tpl.Properties["Prefix"].(string)
				if got := tpl.Properties["ImageTagMutability"]; got != want[prefix] {
					t.Errorf("%s template %s: ImageTagMutability %v; want %s", stack, prefix, got, want[prefix])
				}
			}
		}
		if seen != 4 {
			t.Errorf("%d creation templates; want 4", seen)
		}
	})
	t.Run("a registry policy admits exactly the namespaces that replicate into its account", func(t *testing.T) {
		for stack, want := range map[string]string{
			"shared-replica-eu-west-1":      ":ecr:eu-west-1:222222222222:repository/payments/*",
			"shared-replica-ap-southeast-2": ":ecr:ap-southeast-2:333333333333:repository/data/*",
		} {
			pols := f[stack].Resources("AWS::ECR::RegistryPolicy")
			if len(pols) != 1 {
				t.Fatalf("%s: %d registry policies", stack, len(pols))
			}
			doc := cfntest.JSON(pols[0].Properties["PolicyText"])
			if !strings.Contains(doc, want) || strings.Count(doc, ":repository/") != 1 {
				t.Errorf("%s registry policy %s; want %s alone", stack, doc, want)
			}
		}
		if n := len(f["shared-replica-us-west-2"].Resources("AWS::ECR::RegistryPolicy")); n != 0 {
			t.Errorf("us-west-2 (the source account) has %d registry policies", n)
		}
	})
	t.Run("each namespace's roles reach its own repositories only", func(t *testing.T) {
		for _, ns := range []string{"payments", "data", "web"} {
			for _, kind := range []string{"DeployRole", "CIRole"} {
				var doc string
				for _, p := range source.Resources("AWS::IAM::Policy") {
					if strings.HasPrefix(p.LogicalID, strings.ToUpper(ns[:1])+ns[1:]+kind) {
						doc = cfntest.JSON(p.Properties["PolicyDocument"])
					}
				}
				if doc == "" {
					t.Fatalf("no policy of %s's %s", ns, kind)
				}
				for _, other := range []string{"payments", "data", "web"} {
					if mentions := strings.Contains(doc, ":repository/"+other+"/*"); mentions != (other == ns) {
						t.Errorf("%s %s mentions %s/: %v\n%s", ns, kind, other, mentions, doc)
					}
				}
				if kind == "CIRole" && strings.Count(doc, ":repository/") != 1 {
					t.Errorf("%s CI role reaches more than its source namespace: %s", ns, doc)
				}
			}
		}
	})
	t.Run("monitoring per namespace: its own rules and alarms, one dashboard with a section each, one event log per stack", func(t *testing.T) {
		var alarms []string
		for _, a := range source.Resources("AWS::CloudWatch::Alarm") {
			alarms = append(alarms, a.Properties["AlarmName"].(string))
		}
		for _, ns := range []string{"payments", "data", "web"} {
			if !slices.ContainsFunc(alarms, func(a string) bool { return strings.Contains(a, "-"+ns+"-") }) {
				t.Errorf("no alarm of %s among %v", ns, alarms)
			}
		}
		dashboards := source.Resources("AWS::CloudWatch::Dashboard")
		if len(dashboards) != 1 {
			t.Fatalf("%d dashboards; want 1", len(dashboards))
		}
		body := cfntest.JSON(dashboards[0].Properties["DashboardBody"])
		for _, ns := range []string{"payments", "data", "web"} {
			if !strings.Contains(body, "# ECR replication of `"+ns+"/`") {
				t.Errorf("the dashboard has no section for %s", ns)
			}
		}
		for name, tmpl := range f {
			if n := len(tmpl.Resources("AWS::Logs::ResourcePolicy")); n != 1 {
				t.Errorf("%s has %d CloudWatch Logs resource policies; want 1 (an account holds 10 per region)", name, n)
			}
		}
	})
}

// TestAddingANamespaceMovesNothing: adding a namespace in the middle adds its resources and
// changes the logical id of no other resource, in any stack.
func TestAddingANamespaceMovesNothing(t *testing.T) {
	before, after := synthTeams(t, "payments", "web"), synthTeams(t, "payments", "data", "web")
	for stack, tmpl := range before {
		grown, ok := after[stack]
		if !ok {
			t.Errorf("stack %s is gone", stack)
			continue
		}
		ids := map[string]string{}
		for _, r := range grown.Resources("") {
			ids[r.LogicalID] = r.Type
		}
		for _, r := range tmpl.Resources("") {
			if ids[r.LogicalID] != r.Type {
				t.Errorf("%s: %s (%s) moved or changed type", stack, r.LogicalID, r.Type)
			}
		}
		if len(grown.Resources("")) < len(tmpl.Resources("")) {
			t.Errorf("%s lost resources", stack)
		}
	}
	if _, ok := after["shared-replica-ap-southeast-2"]; !ok {
		t.Errorf("no stack for data's destination: %v", slices.Sorted(maps.Keys(after)))
	}
}

func TestNamespacesRefused(t *testing.T) {
	app := awscdk.NewApp(nil)
	nested := teams("payments")
	nested = append(nested, stacks.Namespace{Prefix: "payments/sub", Repositories: []stacks.Repository{{Name: "payments/sub/x"}}})
	cfntest.ExpectPanic(t, func() {
		stacks.NewDeployment(app, "bad", &stacks.DeploymentProps{
			Common:       stacks.Common{RepositoryPrefix: "team", Namespaces: nested},
			SourceRegion: "us-east-1", SourceAccount: prodAcct,
		})
	}, `RepositoryPrefix: got "team"; expected nothing with Namespaces`,
		`Namespaces[1].Prefix: got "payments/sub"; expected a prefix neither equal to nor nested with Namespaces[0].Prefix "payments"`,
		"Namespaces[1].Destinations: required")
}
