package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/replication"
)

const namespacesFile = "testdata/fleet/namespaces.yaml"

// wantNamespaces is what testdata/fleet/namespaces.yaml gives with sourceAccount 111111111111
// and the context's deleteReplication.
func wantNamespaces(deleteReplication bool) []Namespace {
	const src, other = "111111111111", "222222222222"
	sourceOnly := []TrustPrincipal{{Account: src}}
	return []Namespace{
		{
			Prefix:            "payments",
			Destinations:      []replication.Destination{{Region: "us-west-2", Account: src}, {Region: "eu-west-1", Account: src}},
			DeleteReplication: true,
			DeployRoleTrust:   sourceOnly,
			CIRoleTrust:       []TrustPrincipal{{OIDCHost: "token.actions.githubusercontent.com", Subject: "repo:acme/payments:*"}},
			Repositories: []Repository{
				{Name: "api", FullName: "payments/api", Namespace: "payments", Profile: ProfileProduction},
				{Name: "ledger", FullName: "payments/ledger", Namespace: "payments", Profile: ProfileProduction, Overrides: Overrides{ImageCount: 50}},
				{Name: "sandbox", FullName: "payments/sandbox", Namespace: "payments", Profile: ProfileTesting, Overrides: Overrides{MaxAgeDays: 3}},
			},
		},
		{
			Prefix:            "data",
			Destinations:      []replication.Destination{{Region: "ap-southeast-2", Account: other}},
			DeleteReplication: deleteReplication,
			DeployRoleTrust:   sourceOnly,
			CIRoleTrust:       sourceOnly,
			Repositories:      []Repository{{Name: "etl", FullName: "data/etl", Namespace: "data", Profile: ProfileTesting}},
		},
		{
			Prefix:            "web/storefront",
			Destinations:      []replication.Destination{{Region: "us-west-2", Account: src}, {Region: "eu-west-1", Account: src}},
			DeleteReplication: deleteReplication,
			DeployRoleTrust:   sourceOnly,
			CIRoleTrust:       []TrustPrincipal{{Account: src, ARN: "arn:aws:iam::111111111111:role/ci/storefront-deployer"}},
			Repositories: []Repository{{Name: "frontend", FullName: "web/storefront/frontend", Namespace: "web/storefront", Profile: ProfileProduction,
				Overrides: Overrides{TagPrefixes: []string{"v"}}}},
		},
	}
}

// The namespaces sample: each namespace with its settings, the context's where it sets none,
// and the configuration-wide views (repositories, destinations) over all of them.
func TestNamespacesFile(t *testing.T) {
	for _, deleteReplication := range []bool{false, true} {
		c := mustParse(t, map[string]any{"repositoriesFile": namespacesFile, "sourceAccount": "111111111111", "deleteReplication": deleteReplication},
			Env{ProjectFiles: repoRoot})
		if got, want := c.Namespaces(), wantNamespaces(deleteReplication); !reflect.DeepEqual(got, want) {
			t.Errorf("deleteReplication=%v: Namespaces() =\n%+v\nwant\n%+v", deleteReplication, got, want)
		}
	}
	c := mustParse(t, map[string]any{"repositoriesFile": namespacesFile, "sourceAccount": "111111111111"}, Env{ProjectFiles: repoRoot})
	if !c.ManyNamespaces() || c.RepoPrefix != "" || c.ProductionRepositories != nil || c.TestingRepositories != nil || c.RepositoryOverrides != nil {
		t.Errorf("ManyNamespaces=%v RepoPrefix=%q Production=%v Testing=%v Overrides=%v; want true, \"\" and nil lists",
			c.ManyNamespaces(), c.RepoPrefix, c.ProductionRepositories, c.TestingRepositories, c.RepositoryOverrides)
	}
	var full []string
	for _, r := range c.Repositories() {
		full = append(full, r.FullName)
	}
	if want := []string{"payments/api", "payments/ledger", "payments/sandbox", "data/etl", "web/storefront/frontend"}; !slices.Equal(full, want) {
		t.Errorf("Repositories() = %v, want %v", full, want)
	}
	wantDests := []replication.Destination{{Region: "us-west-2", Account: "111111111111"}, {Region: "eu-west-1", Account: "111111111111"},
		{Region: "ap-southeast-2", Account: "222222222222"}}
	if got := c.Destinations(); !reflect.DeepEqual(got, wantDests) {
		t.Errorf("Destinations() = %+v, want %+v", got, wantDests)
	}
	if want := []string{"us-west-2", "eu-west-1", "ap-southeast-2"}; !slices.Equal(c.DestinationRegions, want) {
		t.Errorf("DestinationRegions = %v, want %v", c.DestinationRegions, want)
	}
	if want := []string{"", "", "222222222222"}; !slices.Equal(c.DestinationRegionAccounts, want) {
		t.Errorf("DestinationRegionAccounts = %q, want %q", c.DestinationRegionAccounts, want)
	}
	if !c.CrossAccount() {
		t.Error("CrossAccount() = false with a namespace in another account")
	}
	settings := map[string]RepositorySettings{}
	for _, s := range c.RepositorySettings() {
		settings[s.FullName] = s
	}
	if got, want := settings["payments/ledger"].Lifecycle, (lifecycle.ProductionProfile{TagPrefixes: []string{"prod", "release"}, ImageCount: 50, UntaggedExpiryDays: 1}.Policy()); !reflect.DeepEqual(got, want) {
		t.Errorf("payments/ledger lifecycle\n%+v\nwant\n%+v", got, want)
	}
	if got := settings["web/storefront/frontend"]; got.TagMutability != replication.Immutable || got.Namespace != "web/storefront" {
		t.Errorf("web/storefront/frontend: %+v", got)
	}

	// Namespaces() hands out copies.
	ns := c.Namespaces()
	ns[0].Repositories[0].Name, ns[0].Destinations[0].Region, ns[0].CIRoleTrust[0].Subject = "changed", "changed", "changed"
	if again := c.Namespaces(); !reflect.DeepEqual(again, wantNamespaces(false)) {
		t.Errorf("changing Namespaces()'s result changed the configuration:\n%+v", again)
	}
}

// The one-namespace form gives one namespace: repoPrefix, the context's destinations and
// repositories, deleteReplication and the trust keys.
func TestNamespacesOneNamespaceForm(t *testing.T) {
	d := Default()
	want := []Namespace{{
		Prefix:          "enterprise-apps",
		Destinations:    []replication.Destination{{Region: "us-west-2"}, {Region: "eu-west-1"}},
		DeployRoleTrust: []TrustPrincipal{{}},
		CIRoleTrust:     []TrustPrincipal{{}},
		Repositories: []Repository{
			{Name: "production", FullName: "enterprise-apps/production", Namespace: "enterprise-apps", Profile: ProfileProduction},
			{Name: "testing", FullName: "enterprise-apps/testing", Namespace: "enterprise-apps", Profile: ProfileTesting},
		},
	}}
	if got := d.Namespaces(); d.ManyNamespaces() || !reflect.DeepEqual(got, want) {
		t.Errorf("Default(): ManyNamespaces=%v Namespaces() =\n%+v\nwant\n%+v", d.ManyNamespaces(), got, want)
	}

	c := mustParse(t, map[string]any{"repositoriesFile": "testdata/fleet/good.yaml", "repoPrefix": "shop", "sourceAccount": "111111111111",
		"additionalRegions": "ap-southeast-2@222222222222", "deleteReplication": "true", "deployRoleTrust": "333333333333",
		"ciRoleTrust": "oidc:token.actions.githubusercontent.com:repo:acme/shop:ref:refs/heads/main"}, Env{ProjectFiles: repoRoot})
	got := c.Namespaces()
	if len(got) != 1 {
		t.Fatalf("Namespaces() = %+v, want one", got)
	}
	n := got[0]
	wantDests := []replication.Destination{{Region: "us-west-2", Account: "111111111111"}, {Region: "eu-west-1", Account: "111111111111"},
		{Region: "ap-southeast-2", Account: "222222222222"}}
	if n.Prefix != "shop" || !n.DeleteReplication || !reflect.DeepEqual(n.Destinations, wantDests) ||
		!reflect.DeepEqual(n.DeployRoleTrust, []TrustPrincipal{{Account: "333333333333"}}) ||
		!reflect.DeepEqual(n.CIRoleTrust, []TrustPrincipal{{OIDCHost: "token.actions.githubusercontent.com", Subject: "repo:acme/shop:ref:refs/heads/main"}}) ||
		!reflect.DeepEqual(n.Repositories, c.Repositories()) || len(n.Repositories) != 4 || n.Repositories[0].FullName != "shop/api" {
		t.Errorf("the one namespace = %+v", n)
	}
}

// The repository keys take full names with namespaces, and refuse names of no namespace.
func TestNamespacesRepositoryKeys(t *testing.T) {
	ctx := map[string]any{"repositoriesFile": namespacesFile, "sourceAccount": "111111111111",
		"activityAlarmRepositories": "payments/api,web/storefront/frontend", "storageRepositoryMetrics": []any{"data/etl"}}
	c := mustParse(t, ctx, Env{ProjectFiles: repoRoot})
	if want := []string{"payments/api", "web/storefront/frontend"}; !slices.Equal(c.ActivityAlarmRepositories, want) {
		t.Errorf("ActivityAlarmRepositories = %v, want %v", c.ActivityAlarmRepositories, want)
	}
	if want := []string{"data/etl"}; !slices.Equal(c.StorageRepositoryMetrics, want) {
		t.Errorf("StorageRepositoryMetrics = %v, want %v", c.StorageRepositoryMetrics, want)
	}
	ctx["activityAlarmRepositories"], ctx["storageRepositoryMetrics"] = "ledger,payments/api", "payments/nope,data/etl"
	_, ve := problems(t, ctx, Env{ProjectFiles: repoRoot})
	want := strings.Join([]string{
		`activityAlarmRepositories: got "ledger"; expected the full name of a repository of a namespace of repositoriesFile (<prefix>/<name>, such as payments/api) (did you mean "payments/ledger"?)`,
		`storageRepositoryMetrics: got "payments/nope"; expected the full name of a repository of a namespace of repositoriesFile (<prefix>/<name>, such as payments/api)`,
	}, "\n")
	if got := ve.Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// The fixtures of testdata/fleet that hold namespaces fail with exactly these messages.
func TestNamespacesFixtures(t *testing.T) {
	const at = "repositoriesFile: testdata/fleet/"
	cases := map[string][]string{
		"bad-namespaces.yaml": {
			at + `bad-namespaces.yaml:5:31: namespaces[0].destinations[1]: got "us-east-1"; expected a region other than sourceRegion "us-east-1" in the source account ` +
				`(the same region in another account is written us-east-1@<account>)`,
			at + `bad-namespaces.yaml:8:13: namespaces[1].prefix: got "team/sub"; expected a prefix that neither contains nor extends another namespace's: ` +
				`it extends "team" (namespaces[0].prefix, line 4), so a repository team/sub/… would match the replication rules of both (PREFIX_MATCH team/ and team/sub/); ` +
				`rename one, or list the repositories of team/sub under team`,
			at + `bad-namespaces.yaml:9:20: namespaces[1].destinations[0]: got "us-west-2@222222222222"; expected each destination region once: us-west-2 is already ` +
				`namespaces[0].destinations[0] ("us-west-2", in the source account); the app deploys one replica stack per region (ecr-replication-replica-us-west-2), ` +
				`so one region cannot receive replicas in two accounts`,
			at + `bad-namespaces.yaml:11:16: namespaces[1].repositories[0].name: got "api"; expected a repository in one namespace: team/sub/api is already namespaces[0].repositories[0] (line 7)`,
			at + `bad-namespaces.yaml:12:13: namespaces[2].prefix: got "team"; expected each namespace once: "team" is already namespaces[0].prefix (line 4)`,
			at + `bad-namespaces.yaml:13:19: namespaces[2].repositories: got "[]"; expected at least one repository in each namespace, such as [{name: api, profile: production}]: ` +
				`a namespace without one replicates nothing`,
			at + `bad-namespaces.yaml:15:5: namespaces[3].destination: got "destination"; expected a known field in namespaces[3]: ` +
				`prefix, destinations, deleteReplication, deployRoleTrust, ciRoleTrust, repositories (did you mean "destinations"?)`,
			at + `bad-namespaces.yaml:16:23: namespaces[3].deployRoleTrust[0]: got "oidc:https://token.actions.githubusercontent.com"; expected ` + expOIDCHost +
				` (the host alone, without https://)`,
		},
		"bad-namespaces-and-repositories.yaml": {
			at + `bad-namespaces-and-repositories.yaml:4:1: namespaces: got "namespaces"; expected either repositories (the repositories of one namespace, repoPrefix) ` +
				`or namespaces (several, each with its prefix and repositories), not both: repositories is on line 2; move those repositories under a namespace`,
		},
		"bad-namespaces-too-many.yaml": {
			at + `bad-namespaces-too-many.yaml:3:3: namespaces: got "[{prefix: team0, destinations: [us-west-1, us-west-2, us-eas…" (1319 characters); ` +
				`expected at most 10 namespaces: the registry's replication configuration holds at most 10 rules (ECR quota), one per namespace; got 11`,
			at + `bad-namespaces-too-many.yaml:3:3: namespaces: got "[{prefix: team0, destinations: [us-west-1, us-west-2, us-eas…" (1319 characters); ` +
				`expected at most 25 destinations over all namespaces, a destination being a region in an account ` +
				`(ECR service quota on unique replication destinations across all rules); got 33`,
		},
	}
	for file, want := range cases {
		t.Run(file, func(t *testing.T) {
			_, ve := problems(t, map[string]any{"repositoriesFile": "testdata/fleet/" + file, "sourceAccount": "111111111111"}, Env{ProjectFiles: repoRoot})
			if got := ve.Error(); got != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
			}
		})
	}
}

// Each refusal of a namespace, with its exact message (the file is ns.yaml).
func TestNamespacesBadInput(t *testing.T) {
	one := func(fields string) string {
		return "namespaces:\n  - prefix: payments\n" + fields + "    repositories: [{name: api, profile: production}]\n"
	}
	const f = "repositoriesFile: ns.yaml:"
	cases := []struct {
		name string
		file string
		ctx  map[string]any // with repositoriesFile ns.yaml and sourceAccount 111111111111 unless set
		want []string
	}{
		{"namespaces not a list", "namespaces:\n  prefix: payments\n", nil,
			[]string{f + `2:3: namespaces: got "{prefix: payments}"; expected ` + expNamespaces + `, not a mapping`}},
		{"no namespace", "namespaces: []\n", nil, []string{f + `1:13: namespaces: got "[]"; expected ` + expNamespaces + `; got none`}},
		{"a namespace that is a string", "namespaces: [payments]\n", nil,
			[]string{f + `1:14: namespaces[0]: got "payments"; expected ` + expNamespace + `, not a string`}},
		{"no prefix", "namespaces:\n  - repositories: [{name: api, profile: production}]\n", nil,
			[]string{f + `2:5: namespaces[0]: got "{repositories: [{name: api, profile: production}]}"; expected ` + expNamespace + `; the prefix field is missing`}},
		{"no repositories", "namespaces:\n  - prefix: payments\n", nil,
			[]string{f + `2:5: namespaces[0]: got "{prefix: payments}"; expected ` + expNamespace + `; the repositories field is missing`}},
		{"a prefix in capitals", strings.Replace(one(""), "payments", "Payments", 1), nil,
			[]string{f + `2:13: namespaces[0].prefix: got "Payments"; expected ` + expPrefix}},
		{"a one-letter prefix", strings.Replace(one(""), "payments", "p", 1), nil,
			[]string{f + `2:13: namespaces[0].prefix: got "p"; expected ` + expPrefix + `; got 1 character`}},
		{"a prefix that is a list", strings.Replace(one(""), "payments", "[payments]", 1), nil,
			[]string{f + `2:13: namespaces[0].prefix: got "[payments]"; expected ` + expPrefix + `, not a list`}},
		{"a context key as a field", "namespaces:\n  - repoPrefix: payments\n    repositories: [{name: api, profile: production}]\n", nil,
			[]string{f + `2:5: namespaces[0].repoPrefix: got "repoPrefix"; expected a known field in namespaces[0]: prefix, destinations, deleteReplication, deployRoleTrust, ciRoleTrust, repositories (did you mean "prefix"?)`,
				f + `2:5: namespaces[0]: got "{repoPrefix: payments, repositories: [{name: api, profile: p…" (72 characters); expected ` + expNamespace + `; the prefix field is missing`}},
		{"an unknown region", one("    destinations: [us-west-9, us-west-2a@222222222222]\n"), nil,
			[]string{f + `3:20: namespaces[0].destinations[0]: got "us-west-9"; expected ` + expRegion,
				f + `3:31: namespaces[0].destinations[1]: got "us-west-2a@222222222222"; expected ` + expRegion + ` (did you mean "us-west-2"?)`}},
		{"a bad @account", one("    destinations: [us-west-2@2222]\n"), nil,
			[]string{f + `3:20: namespaces[0].destinations[0]: got "us-west-2@2222"; expected ` + expAtAccount}},
		{"another partition", one("    destinations: [cn-north-1]\n"), nil,
			[]string{f + `3:20: namespaces[0].destinations[0]: got "cn-north-1"; expected a region in the aws partition of sourceRegion "us-east-1": ` +
				`ECR does not replicate to regions of another partition (cn-north-1 is in aws-cn)`}},
		{"a destination twice", one("    destinations: [us-west-2, us-west-2@111111111111]\n"), nil,
			[]string{f + `3:31: namespaces[0].destinations[1]: got "us-west-2@111111111111"; expected each destination once: "us-west-2@111111111111" is already ` +
				`namespaces[0].destinations[0] as "us-west-2" (both are us-west-2 in the source account)`}},
		{"destinations as a string", one("    destinations: us-west-2\n"), nil,
			[]string{f + `3:19: namespaces[0].destinations: got "us-west-2"; expected ` + expFileDests + `, not a string`}},
		{"no destinations", one("    destinations: []\n"), nil,
			[]string{f + `3:19: namespaces[0].destinations: got "[]"; expected ` + expFileDests + `; got none`}},
		{"deleteReplication as a string", one("    deleteReplication: \"true\"\n"), nil,
			[]string{f + `3:24: namespaces[0].deleteReplication: got "true"; expected true or false, not a string`}},
		{"an OIDC principal without a source account", one("    ciRoleTrust: [\"oidc:token.actions.githubusercontent.com:repo:acme/x:*\"]\n"),
			map[string]any{"repositoriesFile": "ns.yaml"},
			[]string{f + `3:19: namespaces[0].ciRoleTrust[0]: got "oidc:token.actions.githubusercontent.com:repo:acme/x:*"; expected an OIDC principal only with the source account known at synth: ` +
				`its provider is arn:aws:iam::<sourceAccount>:oidc-provider/token.actions.githubusercontent.com (pass -c sourceAccount=… or run with AWS credentials so CDK_DEFAULT_ACCOUNT is set)`}},
		{"a principal twice", one("    deployRoleTrust: [222222222222, \"222222222222\"]\n"), nil,
			[]string{f + `3:37: namespaces[0].deployRoleTrust[1]: got "222222222222"; expected each principal once: "222222222222" is listed more than once in namespaces[0].deployRoleTrust`}},
		{"a principal that is a list", one("    deployRoleTrust: [[222222222222]]\n"), nil,
			[]string{f + `3:23: namespaces[0].deployRoleTrust[0]: got "[222222222222]"; expected a principal, not a list`}},
		{"prefixes with one construct id", "namespaces:\n" +
			"  - {prefix: team-a, repositories: [{name: api, profile: production}]}\n" +
			"  - {prefix: team/a, repositories: [{name: web, profile: production}]}\n", nil,
			[]string{f + `3:14: namespaces[1].prefix: got "team/a"; expected a prefix whose letters and digits differ from those of "team-a" (namespaces[0].prefix, line 2): ` +
				`both would be the construct id "TeamA" (and give the same role names), so their resources would collide`}},
		{"a prefix that contains a later one", "namespaces:\n" +
			"  - {prefix: team/sub, repositories: [{name: api, profile: production}]}\n" +
			"  - {prefix: team, repositories: [{name: web, profile: production}]}\n", nil,
			[]string{f + `3:14: namespaces[1].prefix: got "team"; expected a prefix that neither contains nor extends another namespace's: it contains "team/sub" ` +
				`(namespaces[0].prefix, line 2), so a repository team/sub/… would match the replication rules of both (PREFIX_MATCH team/ and team/sub/); ` +
				`rename one, or list the repositories of team/sub under team`}},
		{"prefixes that share a beginning only", "namespaces:\n" +
			"  - {prefix: team, repositories: [{name: api, profile: production}]}\n" +
			"  - {prefix: teammates, repositories: [{name: api, profile: production}]}\n" +
			"  - {prefix: a/b-c, repositories: [{name: d, profile: production}]}\n" +
			"  - {prefix: a/b, repositories: [{name: c-d, profile: production}]}\n", nil,
			[]string{f + `5:41: namespaces[3].repositories[0].name: got "c-d"; expected a name whose letters and digits differ from those of a/b-c/d ` +
				`(namespaces[2].repositories[0], line 4): both would be the construct id "ABCD", so their resources would collide`}},
		{"a region in two accounts, one of them the context's", "namespaces:\n" +
			"  - {prefix: payments, destinations: [us-west-2@222222222222], repositories: [{name: api, profile: production}]}\n" +
			"  - {prefix: data, repositories: [{name: etl, profile: testing}]}\n", nil,
			[]string{f + `2:39: namespaces[0].destinations[0]: got "us-west-2@222222222222"; expected each destination region once: us-west-2 is already ` +
				`destinationRegion (the context's destination, which namespaces[1] has) ("us-west-2", in the source account); the app deploys one replica stack per region ` +
				`(ecr-replication-replica-us-west-2), so one region cannot receive replicas in two accounts`}},
		{"a source account for another account", one("    destinations: [us-west-2, ap-southeast-2@222222222222]\n"),
			map[string]any{"repositoriesFile": "ns.yaml"},
			[]string{`sourceAccount: got ""; expected the 12-digit source account: pass -c sourceAccount=… or run with AWS credentials so CDK_DEFAULT_ACCOUNT is set ` +
				`(cross-account replication to repositoriesFile namespaces[0].destinations[1] ap-southeast-2@222222222222 needs it)`}},
		{"the one-namespace keys", one(""),
			map[string]any{"repositoriesFile": "ns.yaml", "repoPrefix": "shop", "productionRepositories": "api", "testingRepositories": []any{"qa"}},
			[]string{`repoPrefix: got "shop"; expected no repoPrefix with a fleet file of namespaces (repositoriesFile ns.yaml): each namespace names its own (namespaces[i].prefix); ` +
				`remove repoPrefix, or list the repositories of one namespace under repositories: instead of namespaces:`,
				`productionRepositories: got "api"; expected no productionRepositories with a fleet file of namespaces (repositoriesFile ns.yaml): ` +
					`list each repository under its namespace's repositories, with profile: production`,
				`testingRepositories: got "[\"qa\"]"; expected no testingRepositories with a fleet file of namespaces (repositoriesFile ns.yaml): ` +
					`list each repository under its namespace's repositories, with profile: testing`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = map[string]any{"repositoriesFile": "ns.yaml", "sourceAccount": "111111111111"}
			}
			_, ve := problems(t, ctx, fleetEnv(map[string]string{"ns.yaml": tc.file}))
			if got, want := ve.Error(), strings.Join(tc.want, "\n"); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// Namespaces that agree: the same destination in several namespaces is one destination, and
// a namespace's destination in the source account's region list may repeat the context's.
func TestNamespacesShareDestinations(t *testing.T) {
	file := "namespaces:\n" +
		"  - {prefix: payments, destinations: [us-west-2@222222222222, eu-west-1], repositories: [{name: api, profile: production}]}\n" +
		"  - {prefix: data, destinations: [us-west-2], repositories: [{name: etl, profile: testing}]}\n" +
		"  - {prefix: web, repositories: [{name: site, profile: testing}]}\n"
	c := mustParse(t, map[string]any{"repositoriesFile": "ns.yaml", "sourceAccount": "111111111111", "destinationAccount": "222222222222",
		"destinationRegion": "us-west-2", "secondaryRegion": "none"}, fleetEnv(map[string]string{"ns.yaml": file}))
	want := []replication.Destination{{Region: "us-west-2", Account: "222222222222"}, {Region: "eu-west-1", Account: "222222222222"}}
	if got := c.Destinations(); !reflect.DeepEqual(got, want) {
		t.Errorf("Destinations() = %+v, want %+v", got, want)
	}
	var per [][]replication.Destination
	for _, n := range c.Namespaces() {
		per = append(per, n.Destinations)
	}
	wantPer := [][]replication.Destination{want, want[:1], want[:1]}
	if !reflect.DeepEqual(per, wantPer) {
		t.Errorf("per namespace %+v, want %+v", per, wantPer)
	}
	if want := []string{"222222222222", ""}; !slices.Equal(c.DestinationRegionAccounts, want) {
		t.Errorf("DestinationRegionAccounts = %q, want %q", c.DestinationRegionAccounts, want)
	}
}
