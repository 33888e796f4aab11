package stacks_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-platform/ecr-replication/constructs/lifecycle"
	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/limits"
	"github.com/acme-platform/ecr-replication/stacks"
)

// The fleet sizes the "real fleet" targets name: 400 repositories replicated to 8 destination
// regions, and 100 repositories to 25 (ECR's quota of unique destinations), some of them in
// their own accounts.
var fleetRegions = []string{"us-west-2", "eu-west-1", "ap-southeast-2", "ca-central-1", "sa-east-1", "eu-north-1",
	"ap-northeast-1", "eu-central-1", "us-east-2", "us-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2",
	"eu-central-2", "ap-south-1", "ap-south-2", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-3",
	"ap-southeast-4", "ap-east-1", "me-central-1", "il-central-1"}

// fleetProps is a deployment of n repositories (half production, half testing) to the first
// destinations fleet regions; every third destination is in account 222222222222.
func fleetProps(n, destinations int) *stacks.DeploymentProps {
	production := lifecycle.ProductionProfile{}.Policy()
	testing := lifecycle.TestingProfile{}.Policy()
	var repos []stacks.Repository
	for i := 0; i < n; i++ {
		r := stacks.Repository{Name: fmt.Sprintf("fleet/svc-%03d", i), TagMutability: "IMMUTABLE", LifecyclePolicy: &production}
		if i%2 == 1 {
			r = stacks.Repository{Name: fmt.Sprintf("fleet/test-%03d", i), TagMutability: "MUTABLE", LifecyclePolicy: &testing}
		}
		repos = append(repos, r)
	}
	var dests []registry.Destination
	for i, region := range fleetRegions[:destinations] {
		d := registry.Destination{Region: region}
		if i%3 == 2 {
			d.Account = "222222222222"
		}
		dests = append(dests, d)
	}
	return &stacks.DeploymentProps{
		Common: stacks.Common{
			RepositoryPrefix: "fleet",
			Repositories:     repos,
			Monitoring: stacks.Monitoring{
				Storage: &stacks.StorageOptions{RepositoryMetrics: []string{"fleet/svc-000", "fleet/svc-002"}},
				Latency: &stacks.LatencyOptions{},
			},
		},
		SourceRegion:  "us-east-1",
		SourceAccount: "111111111111",
		Destinations:  dests,
	}
}

// fleetFixture is one synthesized fleet: every template, as written to the cloud assembly.
type fleetFixture struct {
	dir       string
	templates map[string][]byte // stack name → template file
	regions   map[string]string
	nag       []string // unsuppressed cdk-nag findings of the sampled stacks
}

var fleets = map[string]*fleetFixture{}

// fleetFull (FLEET_FULL=1, which `make bench` sets) runs cdk-nag and cfn-lint over every stack
// of both fleets; `make test` samples them: cdk-nag over the 400 x 8 source stack and cfn-lint
// over it and its first replica stack (the replica stacks repeat one shape, and the context
// variants of the app tests run both tools over every stack of theirs).
var fleetFull = os.Getenv("FLEET_FULL") != ""

// synthFleet synthesizes a fleet once, with cdk-nag's AwsSolutions pack over the sampled
// stacks (every stack with FLEET_FULL).
func synthFleet(t *testing.T, n, destinations int) *fleetFixture {
	t.Helper()
	key := fmt.Sprintf("%dx%d", n, destinations)
	if f, ok := fleets[key]; ok {
		return f
	}
	f := &fleetFixture{dir: t.TempDir(), templates: map[string][]byte{}, regions: map[string]string{}}
	cfntest.ExpectOK(t, func() {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(f.dir)})
		d := stacks.NewDeployment(app, fleetProps(n, destinations))
		var sample []awscdk.Stack
		switch {
		case fleetFull:
			sample = d.Stacks()
		case n == 400:
			sample = []awscdk.Stack{d.Source.Stack}
		}
		for _, s := range sample {
			awscdk.Aspects_Of(s).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
		}
		app.Synth(nil)
		for _, s := range d.Stacks() {
			f.regions[*s.StackName()] = *s.Region()
		}
		pattern := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
		for _, s := range sample {
			ann := assertions.Annotations_FromStack(s)
			for _, m := range append(*ann.FindError(jsii.String("*"), pattern), *ann.FindWarning(jsii.String("*"), pattern)...) {
				f.nag = append(f.nag, fmt.Sprintf("%s %s: %v", *s.StackName(), *m.Id, m.Entry.Data))
			}
		}
	})
	files, _ := filepath.Glob(filepath.Join(f.dir, "*.template.json"))
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f.templates[strings.TrimSuffix(filepath.Base(file), ".template.json")] = raw
	}
	if len(f.templates) != destinations+1 {
		t.Fatalf("%s: %d templates; want %d", key, len(f.templates), destinations+1)
	}
	fleets[key] = f
	return f
}

// TestFleetWithinLimits: 400 repositories × 8 destinations and 100 × 25 synthesize, and every
// template stays within CloudFormation's, IAM's and CloudWatch's limits (internal/limits: the
// same check the app runs after synthesis); the sampled stacks pass cdk-nag; the fixed monthly
// cost at 400 × 8 is at most $100.
//
// `make test` checks 400 x 8; with FLEET_FULL (`make bench`) 100 x 25 too.
func TestFleetWithinLimits(t *testing.T) {
	sizes := [][2]int{{400, 8}}
	if fleetFull {
		sizes = append(sizes, [2]int{100, 25})
	}
	for _, size := range sizes {
		name := fmt.Sprintf("%d repositories x %d destinations", size[0], size[1])
		t.Run(name, func(t *testing.T) {
			f := synthFleet(t, size[0], size[1])
			worst := limits.Usage{}
			for _, stack := range sortedKeys(f.templates) {
				u, err := limits.Measure(f.templates[stack])
				if err != nil {
					t.Fatalf("%s: %v", stack, err)
				}
				for _, p := range u.Problems(stack) {
					t.Error(p)
				}
				worst.Bytes, worst.Resources = max(worst.Bytes, u.Bytes), max(worst.Resources, u.Resources)
				worst.Outputs, worst.MostDashboardWidgets = max(worst.Outputs, u.Outputs), max(worst.MostDashboardWidgets, u.MostDashboardWidgets)
				worst.LargestInlinePolicies = max(worst.LargestInlinePolicies, u.LargestInlinePolicies)
			}
			t.Logf("largest template %d bytes, most resources %d, outputs %d, widgets %d, inline policies %d characters",
				worst.Bytes, worst.Resources, worst.Outputs, worst.MostDashboardWidgets, worst.LargestInlinePolicies)
			if worst.Resources < size[0] {
				t.Errorf("no stack has the %d repositories; the fixture is not what it claims", size[0])
			}
			for _, finding := range f.nag {
				t.Errorf("cdk-nag: %s", finding)
			}
			var parsed []map[string]interface{}
			for _, stack := range sortedKeys(f.templates) {
				var m map[string]interface{}
				if err := json.Unmarshal(f.templates[stack], &m); err != nil {
					t.Fatal(err)
				}
				parsed = append(parsed, m)
			}
			cost := monitoring.EstimateMonthlyCost(monitoring.ListPrices, parsed...)
			t.Logf("fixed monthly cost: %s", cost)
			if size == [2]int{400, 8} && cost.FixedMonthlyUSD > 100 {
				t.Errorf("400 x 8: $%.2f a month; the target is at most $100", cost.FixedMonthlyUSD)
			}
		})
	}
}

// TestFleetTemplatesPassCfnLint lints the 400 x 8 source stack and its first replica stack
// (with FLEET_FULL, every stack of both fleets), each against its own region.
func TestFleetTemplatesPassCfnLint(t *testing.T) {
	var files []cfntest.LintFile
	for _, size := range [][2]int{{400, 8}, {100, 25}} {
		if !fleetFull && size[0] != 400 {
			continue
		}
		f := synthFleet(t, size[0], size[1])
		for _, stack := range sortedKeys(f.templates) {
			region := f.regions[stack]
			if !fleetFull && stack != stacks.SourceStackName("us-east-1") && region != fleetRegions[0] {
				continue
			}
			var tmpl cfntest.Template
			if err := json.Unmarshal(f.templates[stack], &tmpl); err != nil {
				t.Fatal(err)
			}
			files = append(files, cfntest.LintFile{Name: fmt.Sprintf("%dx%d-%s", size[0], size[1], stack), Region: region, Template: tmpl})
		}
	}
	cfntest.CfnLint(t, files)
}

// TestAddingARepositoryMovesNothing: adding a repository in the middle of the list (with the
// watched repositories given) adds that repository's resources and changes the logical id of
// no other resource, in any stack.
func TestAddingARepositoryMovesNothing(t *testing.T) {
	ids := func(n int, skip int) map[string]map[string]string {
		props := fleetProps(n, 2)
		props.Monitoring.ActivityRepositories = []string{"fleet/svc-000", "fleet/test-003"}
		if skip >= 0 {
			props.Repositories = append(props.Repositories[:skip:skip], props.Repositories[skip+1:]...)
		}
		out := map[string]map[string]string{}
		cfntest.ExpectOK(t, func() {
			app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
			d := stacks.NewDeployment(app, props)
			for _, s := range d.Stacks() {
				tmpl := cfntest.FromValue(assertions.Template_FromStack(s, nil).ToJSON())
				m := map[string]string{}
				for _, r := range tmpl.Resources("") {
					m[r.LogicalID] = r.Type
				}
				out[*s.StackName()] = m
			}
		})
		return out
	}
	without, with := ids(14, 6), ids(14, -1) // repository 6 is added between 5 and 7
	if len(without) == 0 || len(with) == 0 {
		t.Fatal("no stack synthesized")
	}
	for stack, before := range without {
		after := with[stack]
		for id, typ := range before {
			if after[id] != typ {
				t.Errorf("%s: %s (%s) is gone or changed after adding a repository", stack, id, typ)
			}
		}
		var added []string
		for id := range after {
			if _, ok := before[id]; !ok {
				added = append(added, id)
			}
		}
		// The added repository is one AWS::ECR::Repository in every stack, and nothing else.
		if len(added) != 1 || after[added[0]] != "AWS::ECR::Repository" {
			t.Errorf("%s: adding one repository added %v", stack, added)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
