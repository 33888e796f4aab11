package stacks_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/jsiitest"
	"github.com/acme-platform/ecr-replication/internal/limits"
	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/pricing"
	"github.com/acme-platform/ecr-replication/replication"
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
		r := stacks.Repository{Name: fmt.Sprintf("fleet/svc-%03d", i), TagMutability: replication.Immutable, LifecyclePolicy: &production}
		if i%2 == 1 {
			r = stacks.Repository{Name: fmt.Sprintf("fleet/test-%03d", i), TagMutability: replication.Mutable, LifecyclePolicy: &testing}
		}
		repos = append(repos, r)
	}
	var dests []replication.Destination
	for i, region := range fleetRegions[:destinations] {
		d := replication.Destination{Region: region}
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

// maxedFleetProps is fleetProps with every option that adds resources to a region's stack:
// 25 watched repositories, KMS, enhanced scanning and the lifecycle trail. At 400 repositories
// the source stack then holds 524 resources, beyond CloudFormation's 500, so the repositories go
// to repositoryStacks stacks of their own.
func maxedFleetProps(n, destinations, repositoryStacks int) *stacks.DeploymentProps {
	props := fleetProps(n, destinations)
	for i := 0; i < 25; i++ {
		props.Monitoring.ActivityRepositories = append(props.Monitoring.ActivityRepositories, props.Repositories[i].Name)
	}
	props.KMS, props.EnhancedScanning, props.Monitoring.LifecycleTrail = true, true, true
	props.RepositoryStacks = repositoryStacks
	return props
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
	return synthFleetOf(t, fmt.Sprintf("%dx%d", n, destinations), fleetProps(n, destinations), n == 400, destinations+1)
}

// synthFleetOf synthesizes props once under key, with cdk-nag over the source stack when
// nagSource (over every stack with FLEET_FULL), and checks that it wrote templates templates.
func synthFleetOf(t *testing.T, key string, props *stacks.DeploymentProps, nagSource bool, templates int) *fleetFixture {
	t.Helper()
	if f, ok := fleets[key]; ok {
		return f
	}
	f := &fleetFixture{dir: t.TempDir(), templates: map[string][]byte{}, regions: map[string]string{}}
	cfntest.ExpectOK(t, func() {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(f.dir)})
		d := stacks.NewDeployment(app, replication.DefaultDeploymentID, props)
		var sample []awscdk.Stack
		switch {
		case fleetFull:
			sample = d.Stacks()
		case nagSource:
			sample = append([]awscdk.Stack{d.Source.Stack}, d.Source.RepositoryStacks...)
		}
		for _, s := range sample {
			awscdk.Aspects_Of(s).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
		}
		app.Synth(nil)
		for _, s := range d.Stacks() {
			f.regions[*s.StackName()] = *s.Region()
		}
		for _, s := range sample {
			for _, m := range jsiitest.Messages(s, "AwsSolutions-") {
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
	if len(f.templates) != templates {
		t.Fatalf("%s: %d templates; want %d", key, len(f.templates), templates)
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
			checkFleet(t, f, size)
		})
	}
	// Every option on: one source stack would hold 524 resources; two repository stacks per
	// region keep each template within the limits. `make test` checks 400 x 1 (the shape of
	// every region), FLEET_FULL 400 x 8.
	destinations := 1
	if fleetFull {
		destinations = 8
	}
	t.Run(fmt.Sprintf("400 repositories x %d destinations, every option, 2 repository stacks", destinations), func(t *testing.T) {
		f := synthFleetOf(t, fmt.Sprintf("400x%d-maxed", destinations), maxedFleetProps(400, destinations, 2), true, 3*(destinations+1))
		checkFleet(t, f, [2]int{200, destinations})
	})
}

// checkFleet checks every template of f against the limits, its cdk-nag findings, and the
// fixed monthly cost at 400 x 8; size[0] is the number of repositories some stack must hold.
func checkFleet(t *testing.T, f *fleetFixture, size [2]int) {
	t.Helper()
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
		t.Errorf("no stack has %d resources, one per repository; the fixture is not what it claims", size[0])
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
	cost := pricing.EstimateMonthlyCost(pricing.ListPrices, parsed...)
	t.Logf("fixed monthly cost: %s", cost)
	if size == [2]int{400, 8} && cost.FixedMonthlyUSD > 100 {
		t.Errorf("400 x 8: $%.2f a month; the target is at most $100", cost.FixedMonthlyUSD)
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
			if !fleetFull && stack != replication.SourceStackName(replication.DefaultDeploymentID, "us-east-1") && region != fleetRegions[0] {
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
			d := stacks.NewDeployment(app, replication.DefaultDeploymentID, props)
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

// TestRepositoryStackIndex: a repository's stack depends on its name and the number of
// stacks only, spreads a fleet evenly, and stays what it is today: the pinned values are a
// compatibility contract, since a changed hash would move deployed repositories between stacks.
func TestRepositoryStackIndex(t *testing.T) {
	for _, c := range []struct {
		name  string
		n     int
		index int
	}{
		{"anything", 0, 0}, {"anything", 1, 0},
	} {
		if got := stacks.RepositoryStackIndex(c.name, c.n); got != c.index {
			t.Errorf("RepositoryStackIndex(%q, %d) = %d, want %d", c.name, c.n, got, c.index)
		}
	}
	pinned := map[string][2]int{} // name → index with 2 and with 7 stacks
	for name, want := range pinnedIndexes {
		pinned[name] = [2]int{stacks.RepositoryStackIndex(name, 2), stacks.RepositoryStackIndex(name, 7)}
		if pinned[name] != want {
			t.Errorf("RepositoryStackIndex(%q) with 2 and 7 stacks = %v, was %v: deployed repositories would move", name, pinned[name], want)
		}
	}
	counts := make([]int, 4)
	for i := 0; i < 400; i++ {
		counts[stacks.RepositoryStackIndex(fmt.Sprintf("fleet/svc-%03d", i), 4)]++
	}
	for k, c := range counts {
		if c < 70 || c > 130 {
			t.Errorf("stack %d of 4 holds %d of 400 repositories (all: %v); want an even spread", k, c, counts)
		}
	}
}

// pinnedIndexes are RepositoryStackIndex's answers with 2 and 7 stacks, as first released.
var pinnedIndexes = map[string][2]int{
	"fleet/svc-000":              {1, 6},
	"fleet/test-001":             {1, 2},
	"enterprise-apps/production": {0, 1},
	"enterprise-apps/testing":    {0, 4},
	"team/a":                     {0, 5},
	"payments/api":               {0, 6},
}

// TestRepositoryStacks: with RepositoryStacks 3, every region's repositories are in its three
// repository stacks, each one where RepositoryStackIndex puts it and nowhere else; the region's
// own stack holds none; the source stack deploys after every replica repository stack; and
// adding a repository adds it to one stack per region and changes nothing else.
func TestRepositoryStacks(t *testing.T) {
	synth := func(skip int) (map[string]map[string]string, *stacks.Deployment, map[string][]string) {
		props := fleetProps(14, 2)
		props.Monitoring.ActivityRepositories = []string{"fleet/svc-000", "fleet/test-003"}
		props.RepositoryStacks = 3
		if skip >= 0 {
			props.Repositories = append(props.Repositories[:skip:skip], props.Repositories[skip+1:]...)
		}
		out := map[string]map[string]string{}
		deps := map[string][]string{}
		var d *stacks.Deployment
		cfntest.ExpectOK(t, func() {
			app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
			d = stacks.NewDeployment(app, replication.DefaultDeploymentID, props)
			for _, s := range d.Stacks() {
				tmpl := cfntest.FromValue(assertions.Template_FromStack(s, nil).ToJSON())
				m := map[string]string{}
				for _, r := range tmpl.Resources("") {
					m[r.LogicalID] = r.Type
					if r.Type == "AWS::ECR::Repository" {
						m["name:"+r.Properties["RepositoryName"].(string)] = "name"
					}
				}
				out[*s.StackName()] = m
				for _, dep := range *s.Dependencies() {
					deps[*s.StackName()] = append(deps[*s.StackName()], *dep.StackName())
				}
			}
		})
		return out, d, deps
	}
	all, d, deps := synth(-1)
	if len(all) != 3*4 || len(d.Source.RepositoryStacks) != 3 || len(d.Replicas[1].RepositoryStacks) != 3 {
		t.Fatalf("%d stacks (want 12: the source and 2 replica stacks, 3 repository stacks each)", len(all))
	}
	main := []string{replication.SourceStackName(replication.DefaultDeploymentID, "us-east-1"), replication.ReplicaStackName(replication.DefaultDeploymentID, "us-west-2"), replication.ReplicaStackName(replication.DefaultDeploymentID, "eu-west-1")}
	for _, region := range main {
		for id, typ := range all[region] {
			if typ == "AWS::ECR::Repository" {
				t.Errorf("%s holds repository %s; the repository stacks should", region, id)
			}
		}
		for _, r := range fleetProps(14, 2).Repositories {
			home := replication.RepositoryStackName(region, stacks.RepositoryStackIndex(r.Name, 3)+1)
			for k := 1; k <= 3; k++ {
				stack := replication.RepositoryStackName(region, k)
				if _, has := all[stack]["name:"+r.Name]; has != (stack == home) {
					t.Errorf("%s in %s: %v; want it in %s only", r.Name, stack, has, home)
				}
			}
		}
	}
	for _, region := range main[1:] {
		for k := 1; k <= 3; k++ {
			if !slices.Contains(deps[main[0]], replication.RepositoryStackName(region, k)) {
				t.Errorf("the source stack does not deploy after %s (it depends on %v): replication could start before the replicas exist",
					replication.RepositoryStackName(region, k), deps[main[0]])
			}
		}
	}

	without, _, _ := synth(6)
	for stack, after := range all {
		before := without[stack]
		for id, typ := range before {
			if after[id] != typ {
				t.Errorf("%s: %s (%s) is gone or changed after adding a repository", stack, id, typ)
			}
		}
		var added []string
		for id := range after {
			if _, ok := before[id]; !ok && !strings.HasPrefix(id, "name:") {
				added = append(added, id)
			}
		}
		home := stacks.RepositoryStackIndex(fleetProps(14, 2).Repositories[6].Name, 3) + 1
		want := 0
		for _, region := range main {
			if stack == replication.RepositoryStackName(region, home) {
				want = 1
			}
		}
		if len(added) != want || (want == 1 && after[added[0]] != "AWS::ECR::Repository") {
			t.Errorf("%s: adding one repository added %v; want %d repository", stack, added, want)
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

// namespaceFleetProps is a deployment of namespaces namespaces of perNamespace repositories
// each (half production, half testing); namespace i replicates to the first destinations fleet
// regions, every third one in account 222222222222 (so every namespace reaches every region).
func namespaceFleetProps(namespaces, perNamespace, destinations int) *stacks.DeploymentProps {
	base := fleetProps(perNamespace, destinations)
	props := &stacks.DeploymentProps{Common: base.Common, SourceRegion: base.SourceRegion, SourceAccount: base.SourceAccount}
	props.RepositoryPrefix, props.Repositories = "", nil
	for i := 0; i < namespaces; i++ {
		prefix := fmt.Sprintf("team%02d", i)
		var repos []stacks.Repository
		for _, r := range base.Repositories {
			r.Name = prefix + strings.TrimPrefix(r.Name, "fleet")
			repos = append(repos, r)
		}
		props.Namespaces = append(props.Namespaces, stacks.Namespace{Prefix: prefix, Repositories: repos, Destinations: base.Destinations})
	}
	props.Monitoring.Storage.RepositoryMetrics = []string{"team00/svc-000"}
	return props
}

// TestNamespaceFleetWithinLimits: 10 namespaces x 40 repositories x 8 destinations, in two
// repository stacks per region (400 repositories beside ten namespaces' monitoring), synthesize
// within every limit (`make test` checks 10 x 40 x 1, the shape of every region; FLEET_FULL 8).
func TestNamespaceFleetWithinLimits(t *testing.T) {
	destinations := 1
	if fleetFull {
		destinations = 8
	}
	props := namespaceFleetProps(10, 40, destinations)
	props.RepositoryStacks = 2
	f := synthFleetOf(t, fmt.Sprintf("ns10x40x%d", destinations), props, true, 3*(destinations+1))
	checkFleet(t, f, [2]int{150, destinations})
}
