package verify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/acme-platform/ecr-replication/policy"
)

// Several teams, one registry: three namespaces as in testdata/fleet/namespaces.yaml, one of
// them replicating to another account. payments replicates to us-west-2 and eu-west-1 with
// delete replication; data to ap-southeast-2 of 222222222222 (profile "dest"); web/storefront
// to the context's destinations (us-west-2, eu-west-1), without delete replication.
//
// moto keeps one replication rule at most and lacks DescribeRepositoryCreationTemplates, so a
// replay proxy answers DescribeRegistry with the namespaces' rules (rulesJSON) and the
// templates per prefix (nsTemplateAnswer), in the shapes of service/ecr v1.69.0; every other
// request is moto's.

const teamsYAML = `namespaces:
  - prefix: payments
    destinations: [us-west-2, eu-west-1]
    deleteReplication: true
    repositories:
      - {name: api, profile: production}
      - {name: sandbox, profile: testing}
  - prefix: data
    destinations: [ap-southeast-2@222222222222]
    repositories:
      - {name: etl, profile: testing}
  - prefix: web/storefront
    repositories:
      - {name: frontend, profile: production}
`

const (
	paymentsAPI     = "payments/api"
	paymentsSandbox = "payments/sandbox"
	dataETL         = "data/etl"
	frontend        = "web/storefront/frontend"
)

// nsWorld is a world of the three namespaces with the replayed rules and templates.
type nsWorld struct {
	*world
	dest  aws.Credentials // destAccount's
	rules []nsRule        // what DescribeRegistry answers
	// template changes the template of a prefix in a region (nil: the app's).
	template func(region, prefix string, tmpl map[string]any)
	proxy    *proxy
}

// nsRule is one replication rule of the replayed configuration.
type nsRule struct {
	filter string
	dests  []place
	// deleteReplication: nil leaves the field out, as the API does when a rule has none.
	deleteReplication *bool
}

// appRules are the rules the source stack deploys for the three namespaces.
func appRules() []nsRule {
	on := true
	return []nsRule{
		{filter: "payments/", dests: []place{{dw2, sourceAccount}, {de1, sourceAccount}}, deleteReplication: &on},
		{filter: "data/", dests: []place{{ap2, destAccount}}},
		{filter: "web/storefront/", dests: []place{{dw2, sourceAccount}, {de1, sourceAccount}}},
	}
}

func newNSWorld(t *testing.T) *nsWorld {
	t.Helper()
	w := newWorld(t, map[string]any{"repoPrefix": nil, "repositoriesFile": "teams.yaml", "sourceAccount": sourceAccount},
		[2]string{"teams.yaml", teamsYAML})
	n := &nsWorld{world: w, dest: assumeInto(t, w.moto.endpoint, destAccount), rules: appRules()}
	addProfile(t, w.creds, "dest", n.dest)
	n.proxy = replayProxy(t, w.moto.endpoint, map[string]answer{
		"DescribeRegistry":                    n.registryAnswer,
		"DescribeRepositoryCreationTemplates": n.templateAnswer,
	})
	w.via(n.proxy.URL)
	return n
}

// registryAnswer replays DescribeRegistry with n.rules.
func (n *nsWorld) registryAnswer(string, []byte) (int, string) {
	var rules []map[string]any
	for _, r := range n.rules {
		var dests []map[string]any
		for _, d := range r.dests {
			dests = append(dests, map[string]any{"region": d.region, "registryId": d.account})
		}
		rule := map[string]any{"destinations": dests, "repositoryFilters": []map[string]any{{"filter": r.filter, "filterType": "PREFIX_MATCH"}}}
		if r.deleteReplication != nil {
			rule["deleteReplication"] = map[string]any{"enabled": *r.deleteReplication}
		}
		rules = append(rules, rule)
	}
	b, _ := json.Marshal(map[string]any{"registryId": sourceAccount, "replicationConfiguration": map[string]any{"rules": rules}})
	return http.StatusOK, string(b)
}

// templateAnswer replays the creation template the replica stack deploys for the one prefix
// asked for: in ap-southeast-2 (another account) its repository policy lets the namespace's
// deploy role pull.
func (n *nsWorld) templateAnswer(region string, body []byte) (int, string) {
	var req struct{ Prefixes []string }
	_ = json.Unmarshal(body, &req)
	if len(req.Prefixes) != 1 {
		return http.StatusBadRequest, `{"__type":"InvalidParameterException","message":"test: one prefix at a time"}`
	}
	prefix := req.Prefixes[0]
	lc, _ := n.cfg.TemplateLifecycle().JSON()
	tmpl := map[string]any{
		"prefix": prefix, "encryptionConfiguration": map[string]any{"encryptionType": "AES256"},
		"imageTagMutability": "MUTABLE", "lifecyclePolicy": lc, "appliedFor": []string{"REPLICATION"},
		"createdAt": 1.764e9, "updatedAt": 1.764e9,
	}
	if region == ap2 {
		tmpl["repositoryPolicy"] = nsPullAccess(prefix).JSON()
	}
	if n.template != nil {
		n.template(region, prefix, tmpl)
	}
	list := []any{tmpl}
	if tmpl["prefix"] == nil {
		list = []any{}
	}
	b, _ := json.Marshal(map[string]any{"registryId": sourceAccount, "repositoryCreationTemplates": list})
	return http.StatusOK, string(b)
}

// nsPullAccess is the pull access of a namespace's replicas in another account: its own deploy
// role of the source account.
func nsPullAccess(prefix string) policy.PullAccess {
	return policy.PullAccess{Partition: "aws", Roles: []policy.RoleRef{{Account: sourceAccount, Name: policy.RoleName(prefix, src, "pull")}}}
}

// nsReplicas are where each repository lives: the source and its namespace's destinations.
var nsReplicas = map[string][]place{
	paymentsAPI:     {sourcePlace, {dw2, sourceAccount}, {de1, sourceAccount}},
	paymentsSandbox: {sourcePlace, {dw2, sourceAccount}, {de1, sourceAccount}},
	dataETL:         {sourcePlace, {ap2, destAccount}},
	frontend:        {sourcePlace, {dw2, sourceAccount}, {de1, sourceAccount}},
}

// credsOf are the seeding credentials of an account.
func (n *nsWorld) credsOf(account string) aws.Credentials {
	if account == destAccount {
		return n.dest
	}
	return testingCreds
}

// healthy seeds the deployment as the stacks leave it, one image per repository replicated
// everywhere; skip lists "region/repository" replicas (or images, "region/repository@image")
// not to create.
func (n *nsWorld) healthy(skip ...string) {
	n.t.Helper()
	for _, repo := range []string{paymentsAPI, paymentsSandbox, dataETL, frontend} {
		for _, p := range nsReplicas[repo] {
			if slices.Contains(skip, p.region+"/"+repo) {
				continue
			}
			n.createRepo(p.region, n.credsOf(p.account), repo, n.expectedLifecycle(repo))
			if p.account == destAccount {
				if _, err := n.ecr(p.region, n.dest).SetRepositoryPolicy(context.Background(), &ecr.SetRepositoryPolicyInput{
					RepositoryName: aws.String(repo), PolicyText: aws.String(nsPullAccess("data").JSON()),
				}); err != nil {
					n.t.Fatal(err)
				}
			}
			if !slices.Contains(skip, p.region+"/"+repo+"@image") {
				n.putImage(p.region, n.credsOf(p.account), repo, "v1", "seed-"+repo)
			}
		}
	}
	n.registryPolicy(place{ap2, destAccount}, "data")
}

// registryPolicy puts the registry policy the replica stack deploys, for prefixes, in p.
func (n *nsWorld) registryPolicy(p place, prefixes ...string) {
	n.t.Helper()
	var resources []any
	for _, prefix := range prefixes {
		resources = append(resources, policy.NamespaceArn(p.region, p.account, prefix))
	}
	var resource any = resources
	if len(resources) == 1 {
		resource = resources[0]
	}
	b, _ := json.Marshal(policy.ReplicationRegistryPolicy("aws", []string{sourceAccount}, resource))
	if _, err := n.ecr(p.region, n.credsOf(p.account)).PutRegistryPolicy(context.Background(), &ecr.PutRegistryPolicyInput{PolicyText: aws.String(string(b))}); err != nil {
		n.t.Fatal(err)
	}
}

// expectNS is expect for the check of one namespace.
func (r reportJSON) expectNS(t *testing.T, namespace, name, region, repo, status string, fragments ...string) {
	t.Helper()
	var cs []checkJSON
	for _, c := range r.find(name, region, repo) {
		if c.Namespace == namespace {
			cs = append(cs, c)
		}
	}
	r.expectChecks(t, cs, name, region+" of namespace "+namespace, repo, status, fragments...)
}

func TestNamespacesHealthy(t *testing.T) {
	n := newNSWorld(t)
	n.healthy()
	code, r, stderr := n.runJSON("--destination-profile", "dest")
	if code != 0 || !r.Healthy {
		t.Fatalf("exit %d; problems %+v; stderr %s", code, r.problems(), stderr)
	}
	r.expectNS(t, "payments", "replication-rule", src, "", "ok", "the rule of payments/: filter PREFIX_MATCH payments/ → 123456789012/us-west-2, 123456789012/eu-west-1")
	r.expectNS(t, "data", "replication-rule", src, "", "ok", "the rule of data/: filter PREFIX_MATCH data/ → 222222222222/ap-southeast-2")
	r.expectNS(t, "payments", "delete-replication", src, "", "ok", "on, as configured")
	r.expectNS(t, "data", "delete-replication", src, "", "ok", "off, as configured")
	r.expectNS(t, "web/storefront", "delete-replication", src, "", "ok", "off, as configured")
	r.expectNS(t, "data", "replication-destination", ap2, "", "ok", "in the rule (registry 222222222222)")
	r.expectNS(t, "web/storefront", "replication-destination", de1, "", "ok", "in the rule (registry 123456789012)")
	// Replicas only in their namespace's destinations.
	r.expectNS(t, "data", "repository", ap2, dataETL, "ok", "exists")
	r.expectNS(t, "data", "repository-policy", ap2, dataETL, "ok", "matches the configuration")
	for _, absent := range [][2]string{{ap2, paymentsAPI}, {dw2, dataETL}, {de1, dataETL}, {ap2, frontend}} {
		if cs := r.find("repository", absent[0], absent[1]); len(cs) != 0 {
			t.Errorf("%s is not replicated to %s, yet checked there: %+v", absent[1], absent[0], cs)
		}
	}
	// One creation template per namespace and destination region.
	r.expectNS(t, "payments", "creation-template", dw2, "", "ok", "prefix payments, applied for REPLICATION")
	r.expectNS(t, "web/storefront", "creation-template", de1, "", "ok", "prefix web/storefront")
	r.expectNS(t, "data", "creation-template", ap2, "", "ok", "prefix data")
	if cs := r.find("creation-template", ap2, ""); len(cs) != 1 {
		t.Errorf("ap-southeast-2 holds the template of data only, got %+v", cs)
	}
	r.expect(t, "registry-policy", ap2, "", "ok", "allows ecr:CreateRepository and ecr:ReplicateImage for the source account 123456789012 in account 222222222222, into data/")
	r.expectNS(t, "data", "images", ap2, dataETL, "ok", "all 1 recent images replicated")
	r.expectNS(t, "web/storefront", "images", de1, frontend, "ok", "all 1 recent images replicated")
	if cs := r.find("images", ap2, paymentsAPI); len(cs) != 0 {
		t.Errorf("payments images are not looked for in ap-southeast-2: %+v", cs)
	}
	for _, c := range r.Checks {
		if c.Status != "ok" {
			t.Errorf("healthy: %+v", c)
		}
	}

	// The table has a NAMESPACE column, and the title names every namespace.
	_, table, _ := n.run("--destination-profile", "dest")
	expectText(t, "table", table,
		"ecr-replication verify (after deploy): payments/, data/, web/storefront/ from us-east-1 to us-west-2, eu-west-1, ap-southeast-2, accounts 123456789012 (source us-east-1, us-west-2, eu-west-1), 222222222222 (ap-southeast-2)\n",
		"\nSTATUS  ACCOUNT       REGION          NAMESPACE       REPOSITORY               CHECK                    DETAIL\n",
		"\nok      222222222222  ap-southeast-2  data            data/etl                 repository               exists (")
}

func TestNamespacesProblems(t *testing.T) {
	n := newNSWorld(t)
	// data/etl's replica is missing in ap-southeast-2, and storefront's image in eu-west-1.
	n.healthy(ap2+"/"+dataETL, de1+"/"+frontend+"@image")
	off := false
	n.rules = []nsRule{
		// payments: delete replication off, though configured on.
		{filter: "payments/", dests: []place{{dw2, sourceAccount}, {de1, sourceAccount}}, deleteReplication: &off},
		// web/storefront: eu-west-1 missing, ap-southeast-2 extra; no rule for data at all.
		{filter: "web/storefront/", dests: []place{{dw2, sourceAccount}, {ap2, destAccount}}},
	}
	n.template = func(region, prefix string, tmpl map[string]any) {
		if region == de1 && prefix == "web/storefront" {
			tmpl["prefix"] = nil
		}
	}
	// The registry policy of ap-southeast-2 lets the source replicate into payments/, not data/.
	n.registryPolicy(place{ap2, destAccount}, "payments")
	code, r, stderr := n.runJSON("--destination-profile", "dest")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	r.expectNS(t, "data", "replication-rule", src, "", "problem", "no replication rule filters PREFIX_MATCH data/ (2 rule(s) in the registry): deploy ecr-replication-source-us-east-1")
	r.expectNS(t, "payments", "delete-replication", src, "", "problem", "off, but the namespace's deleteReplication is true", "stay in the destinations", "redeploy ecr-replication-source-us-east-1")
	r.expectNS(t, "web/storefront", "replication-destination", de1, "", "problem", "missing from the replication rule (expected registry 123456789012, region eu-west-1)")
	r.expectNS(t, "web/storefront", "replication-destination", ap2, "", "problem", "the rule replicates to registry 222222222222 here, which the configuration does not list")
	r.expectNS(t, "data", "repository", ap2, dataETL, "problem", "replica missing: deploy ecr-replication-replica-ap-southeast-2")
	r.expectNS(t, "web/storefront", "creation-template", de1, "", "problem", "no creation template for prefix web/storefront")
	r.expect(t, "registry-policy", ap2, "", "problem", "does not allow ecr:CreateRepository and ecr:ReplicateImage for arn:aws:iam::123456789012:root on arn:aws:ecr:ap-southeast-2:222222222222:repository/data/*",
		"also allows it into payments/, which the configuration does not replicate to ap-southeast-2", "redeploy ecr-replication-replica-ap-southeast-2")
	r.expectNS(t, "data", "images", ap2, dataETL, "problem", "0 of 1 recent images replicated", "the replica repository does not exist")
	r.expectNS(t, "web/storefront", "images", de1, frontend, "problem", "0 of 1 recent images replicated", "missing")
	want := 9
	if got := len(r.problems()); got != want {
		t.Errorf("want %d problems, got %d: %+v", want, got, r.problems())
	}
}

func TestNamespacesRepositoryPolicyNamesTheNamespaceRole(t *testing.T) {
	n := newNSWorld(t)
	n.healthy()
	// data/etl's replica lets payments' deploy role pull instead of data's.
	if _, err := n.ecr(ap2, n.dest).SetRepositoryPolicy(context.Background(), &ecr.SetRepositoryPolicyInput{
		RepositoryName: aws.String(dataETL), PolicyText: aws.String(nsPullAccess("payments").JSON()),
	}); err != nil {
		t.Fatal(err)
	}
	code, r, _ := n.runJSON("--destination-profile", "dest")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	r.expectNS(t, "data", "repository-policy", ap2, dataETL, "problem", "differs from the configuration", "role/"+policy.RoleName("payments", src, "pull"),
		"expected", "role/"+policy.RoleName("data", src, "pull"))
	if got := len(r.problems()); got != 1 {
		t.Errorf("want the one problem, got %+v", r.problems())
	}
}

func TestNamespaceFlagNarrows(t *testing.T) {
	n := newNSWorld(t)
	n.healthy()
	n.rules = n.rules[:2] // no rule for web/storefront: a problem, but not of data's
	code, r, stderr := n.runJSON("--destination-profile", "dest", "--namespace", "data")
	if code != 0 {
		t.Fatalf("exit %d; problems %+v; stderr %s", code, r.problems(), stderr)
	}
	for _, c := range r.Checks {
		if c.Namespace != "" && c.Namespace != "data" {
			t.Errorf("--namespace data: a check of %s: %+v", c.Namespace, c)
		}
		if c.Region == dw2 || c.Region == de1 {
			t.Errorf("--namespace data: data replicates to ap-southeast-2 only: %+v", c)
		}
		if c.Name == "replication-other-rule" {
			t.Errorf("the rules of other declared namespaces are not others': %+v", c)
		}
	}
	r.expectNS(t, "data", "replication-rule", src, "", "ok")
	r.expectNS(t, "data", "images", ap2, dataETL, "ok")
	r.expect(t, "registry-policy", ap2, "", "ok", "into data/")
	if got := len(r.find("repository", src, paymentsAPI)); got != 0 {
		t.Errorf("--namespace data checks no payments repository, got %d", got)
	}
	_, table, _ := n.run("--destination-profile", "dest", "--namespace", "data")
	if !strings.HasPrefix(table, "ecr-replication verify (after deploy): data/ from us-east-1 to ap-southeast-2, accounts") || strings.Contains(table, "NAMESPACE") {
		t.Errorf("one namespace: named in the title, no NAMESPACE column:\n%s", table)
	}

	// Two namespaces: the storefront's missing rule is found.
	code, r, _ = n.runJSON("--destination-profile", "dest", "--namespace", "data", "--namespace", "web/storefront")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	r.expectNS(t, "web/storefront", "replication-rule", src, "", "problem", "no replication rule filters PREFIX_MATCH web/storefront/")

	// The canary takes a repository of any namespace, and looks only in its destinations.
	code, r, stderr = n.runJSON("--destination-profile", "dest", "--canary", dataETL, "--canary-timeout", "1s", "--poll-interval", "1s")
	if code != 1 {
		t.Fatalf("canary: exit %d, want 1 (moto does not replicate); stderr %s", code, stderr)
	}
	r.expectNS(t, "data", "canary-arrival", ap2, dataETL, "problem", "did not arrive within 1s")
	if got := len(r.find("canary-arrival", dw2, dataETL)); got != 0 {
		t.Errorf("the canary of data/etl waits in ap-southeast-2 only, got a us-west-2 arrival")
	}
}

func TestNamespaceFlagRefusesUnknownPrefixes(t *testing.T) {
	n := newNSWorld(t)
	code, stdout, stderr := n.run("--destination-profile", "dest", "--namespace", "payment", "--namespace", "data", "--namespace", "web")
	if code != 2 || stdout != "" {
		t.Fatalf("exit %d, want 2; stdout %q", code, stdout)
	}
	expectText(t, "stderr", stderr,
		"verify: --namespace payment: not a namespace of the configuration; expected one of payments, data, web/storefront\n",
		"verify: --namespace web: not a namespace of the configuration; expected one of payments, data, web/storefront\n",
		"verify: run 'verify -h' for usage\n")
	code, _, stderr = n.run("--namespace", "", "--concurrency", "0")
	if code != 2 || !strings.Contains(stderr, `verify: --namespace "": expected the prefix of a namespace of the configuration, such as payments`) ||
		!strings.Contains(stderr, "verify: --concurrency 0:") {
		t.Errorf("exit %d; every flag problem at once:\n%s", code, stderr)
	}
}

func TestPreflightListsRulesOfNoNamespace(t *testing.T) {
	n := newNSWorld(t)
	for _, p := range []place{sourcePlace, {dw2, sourceAccount}, {de1, sourceAccount}} {
		n.bootstrap(p.region, testingCreds, "21")
	}
	n.bootstrap(ap2, n.dest, "21")
	// Another team's rule, before the namespaces' rules (made by hand, say).
	n.rules = append([]nsRule{{filter: "team-x/", dests: []place{{ap2, "999999999999"}}}}, appRules()...)
	code, r, stderr := n.runJSON("--preflight", "--destination-profile", "dest")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	r.expect(t, "replication-foreign-rule", src, "", "problem",
		"rule 1 (filter PREFIX_MATCH team-x/ → 999999999999/ap-southeast-2) belongs to no namespace of the configuration (payments/, data/, web/storefront/)",
		"the deploy of ecr-replication-source-us-east-1 replaces the registry's whole replication configuration and removes it",
		"To keep it, add it as a namespace (namespaces: - prefix: team-x, with its repositories and these destinations); or remove it on purpose (record it first: aws ecr describe-registry --region us-east-1)")
	if got := len(r.find("replication-foreign-rule", src, "")); got != 1 {
		t.Errorf("the namespaces' own rules are not foreign: %d foreign-rule checks", got)
	}
	// Each destination's stack creates the repositories of the namespaces that replicate there.
	r.expectNS(t, "data", "repository", ap2, dataETL, "ok", "does not exist: the deploy creates it")
	r.expectNS(t, "payments", "repository", de1, paymentsAPI, "ok", "does not exist: the deploy creates it")
	for _, absent := range [][2]string{{dw2, dataETL}, {ap2, paymentsAPI}, {ap2, frontend}} {
		if cs := r.find("repository", absent[0], absent[1]); len(cs) != 0 {
			t.Errorf("preflight: %s is not created in %s: %+v", absent[1], absent[0], cs)
		}
	}
	// --namespace narrows the checks, not what a deploy would remove.
	code, r, _ = n.runJSON("--preflight", "--destination-profile", "dest", "--namespace", "data")
	if code != 1 {
		t.Fatalf("--namespace data: exit %d, want 1", code)
	}
	r.expect(t, "replication-foreign-rule", src, "", "problem", "PREFIX_MATCH team-x/")
	r.expect(t, "backfill", src, "", "ok", "every destination is in the deployed replication rule already")
	if _, table, _ := n.run("--preflight", "--destination-profile", "dest"); !strings.Contains(table, ": cdk deploy would fail, and would remove replication rules of no declared namespace\n") {
		t.Errorf("verdict:\n%s", table)
	}
}

func TestNamespaceWait(t *testing.T) {
	n := newNSWorld(t)
	// storefront's image has not reached eu-west-1; data's is everywhere it goes.
	n.healthy(de1 + "/" + frontend + "@image")
	code, r, stderr := n.runJSON("--destination-profile", "dest", "--wait", "1m", "--namespace", "data")
	if code != 0 {
		t.Fatalf("--namespace data: exit %d; problems %+v; stderr %s", code, r.problems(), stderr)
	}
	r.expectNS(t, "data", "images", ap2, dataETL, "ok", "all 1 recent images replicated")
	expectText(t, "progress", stderr, "waiting 0:00 of 1:00: ap-southeast-2 1/1\n")
	if strings.Contains(stderr, "us-west-2") {
		t.Errorf("--namespace data waits in ap-southeast-2 only:\n%s", stderr)
	}

	code, r, _ = n.runJSON("--destination-profile", "dest", "--wait", "1m", "--poll-interval", "30s", "--namespace", "web/storefront")
	if code != 1 {
		t.Fatalf("--namespace web/storefront: exit %d, want 1", code)
	}
	r.expectNS(t, "web/storefront", "images", de1, frontend, "problem", "not replicated before the deadline")
}
