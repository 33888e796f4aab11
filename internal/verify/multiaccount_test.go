package verify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/policy"
)

// Destinations in their own accounts: the source account 123456789012 replicates to
// destinationAccount 222222222222 (us-west-2, eu-west-1, profile "dest") and to 333333333333
// (ap-southeast-2, and us-east-1: the source region itself, in another account), named with
// region@account and reached with the profile "third". moto keeps one state per account and
// tells the account from the credentials (assumeInto).

const (
	thirdAccount = "333333333333"
	ap2          = "ap-southeast-2"
)

// place is one registry: a region in an account.
type place struct{ region, account string }

type multiWorld struct {
	*world
	creds map[string]aws.Credentials // by account
}

var (
	sourcePlace = place{src, sourceAccount}
	multiDests  = []place{{dw2, destAccount}, {de1, destAccount}, {ap2, thirdAccount}, {src, thirdAccount}}
	// multiProfiles are the flags of the healthy setup: the bare form is destinationAccount's.
	multiProfiles = []string{"--destination-profile", "dest", "--destination-profile", thirdAccount + "=third"}
)

func newMultiWorld(t *testing.T) *multiWorld {
	t.Helper()
	w := newWorld(t, map[string]any{
		"sourceAccount": sourceAccount, "destinationAccount": destAccount,
		"additionalRegions": ap2 + "@" + thirdAccount + "," + src + "@" + thirdAccount,
	})
	m := &multiWorld{world: w, creds: map[string]aws.Credentials{sourceAccount: testingCreds}}
	for account, profile := range map[string]string{destAccount: "dest", thirdAccount: "third"} {
		m.creds[account] = assumeInto(t, w.moto.endpoint, account)
		addProfile(t, w.creds, profile, m.creds[account])
	}
	return m
}

func (m *multiWorld) ecrIn(p place) *ecr.Client { return m.ecr(p.region, m.creds[p.account]) }

// appRuleTo is the app's rule, to every place.
func appRuleTo(places ...place) types.ReplicationRule {
	r := appRule(sourceAccount)
	for _, p := range places {
		r.Destinations = append(r.Destinations, types.ReplicationDestination{Region: aws.String(p.region), RegistryId: aws.String(p.account)})
	}
	return r
}

// registryPolicy is the registry policy the replica stack deploys in p.
func (w *world) registryPolicy(p place) string {
	b, _ := json.Marshal(policy.ReplicationRegistryPolicy("aws", []string{sourceAccount}, policy.NamespaceArn(p.region, p.account, w.cfg.RepoPrefix)))
	return string(b)
}

func (m *multiWorld) putRegistryPolicy(p place, text string) {
	m.t.Helper()
	if _, err := m.ecrIn(p).PutRegistryPolicy(context.Background(), &ecr.PutRegistryPolicyInput{PolicyText: aws.String(text)}); err != nil {
		m.t.Fatalf("PutRegistryPolicy %v: %v", p, err)
	}
}

// replica creates a repository in p as the app's stacks would, with the repository policy of a
// replica in another account (the source deploy role may pull).
func (m *multiWorld) replica(p place, repo string) {
	m.t.Helper()
	m.createRepo(p.region, m.creds[p.account], repo, m.expectedLifecycle(repo))
	if _, err := m.ecrIn(p).SetRepositoryPolicy(context.Background(), &ecr.SetRepositoryPolicyInput{
		RepositoryName: aws.String(repo), PolicyText: aws.String(m.cfg.PullAccess(true).JSON()),
	}); err != nil {
		m.t.Fatalf("SetRepositoryPolicy %v %s: %v", p, repo, err)
	}
}

// healthy seeds the deployment as the app leaves it, every image replicated everywhere;
// skip lists the replicas not to create ("region/account/repository").
func (m *multiWorld) healthy(skip ...string) {
	m.t.Helper()
	for _, repo := range []string{production, testingRep} {
		m.createRepo(src, testingCreds, repo, m.expectedLifecycle(repo))
	}
	for _, p := range multiDests {
		for _, repo := range []string{production, testingRep} {
			if !slices.Contains(skip, p.region+"/"+p.account+"/"+repo) {
				m.replica(p, repo)
			}
		}
		m.putRegistryPolicy(p, m.registryPolicy(p))
	}
	m.replicationConfig(testingCreds, appRuleTo(multiDests...))
	for _, p := range append([]place{sourcePlace}, multiDests...) {
		for _, img := range [][3]string{{production, "release-1.0", "prod-a"}, {production, "release-1.1", "prod-b"}, {testingRep, "dev-1", "test-a"}} {
			if !slices.Contains(skip, p.region+"/"+p.account+"/"+img[0]) {
				m.putImage(p.region, m.creds[p.account], img[0], img[1], img[2])
			}
		}
	}
}

func TestMultiAccountHealthy(t *testing.T) {
	m := newMultiWorld(t)
	m.healthy()
	code, r, stderr := m.runJSON(multiProfiles...)
	if code != 0 || !r.Healthy {
		t.Fatalf("exit %d, healthy %v; problems %+v\nstderr %s", code, r.Healthy, r.problems(), stderr)
	}
	r.expectIn(t, sourceAccount, "replication-rule", src, "", "ok", "333333333333/ap-southeast-2", "333333333333/us-east-1", "222222222222/eu-west-1")
	for _, p := range multiDests {
		r.expectIn(t, p.account, "replication-destination", p.region, "", "ok", "in the rule (registry "+p.account+")")
		r.expectIn(t, p.account, "registry-policy", p.region, "", "ok", "for the source account 123456789012 in account "+p.account)
		r.expectIn(t, p.account, "creation-template", p.region, "", "skipped")
		for _, repo := range []string{production, testingRep} {
			r.expectIn(t, p.account, "repository", p.region, repo, "ok", p.account+".dkr.ecr."+p.region+".amazonaws.com/"+repo)
			r.expectIn(t, p.account, "lifecycle-policy", p.region, repo, "ok", "matches the configuration")
			r.expectIn(t, p.account, "repository-policy", p.region, repo, "ok", "matches the configuration")
			r.expectIn(t, p.account, "images", p.region, repo, "ok", "recent images replicated", "digest comparison")
		}
	}
	// The source region is checked twice, once per account: the source repositories (no
	// repository policy) and the replicas of 333333333333 (the deploy role's pull).
	r.expectIn(t, sourceAccount, "repository-policy", src, production, "ok", "no repository policy, as configured")
	r.expectIn(t, sourceAccount, "repository", src, testingRep, "ok", "123456789012.dkr.ecr.us-east-1.amazonaws.com/")
	if n := len(r.find("repository", src, production)); n != 2 {
		t.Errorf("want the source repository and its replica in 333333333333 in us-east-1, got %d checks", n)
	}
	for _, c := range r.Checks {
		if c.Account == "" {
			t.Errorf("check without an account: %+v", c)
		}
	}

	// The table names every account in its title and has an ACCOUNT column.
	code, table, _ := m.run(multiProfiles...)
	if code != 0 {
		t.Fatalf("table: exit %d\n%s", code, table)
	}
	expectText(t, "table", table,
		"ecr-replication verify (after deploy): enterprise-apps/ from us-east-1 to us-west-2, eu-west-1, ap-southeast-2, us-east-1, "+
			"accounts 123456789012 (source us-east-1), 222222222222 (us-west-2, eu-west-1), 333333333333 (ap-southeast-2, us-east-1)\n",
		"STATUS   ACCOUNT       REGION",
		"ok       333333333333  ap-southeast-2  enterprise-apps/testing",
		": healthy\n")
}

func TestMultiAccountProblemsAreReportedExactly(t *testing.T) {
	m := newMultiWorld(t)
	// ap-southeast-2 of 333333333333 has no testing replica (nor its image).
	m.healthy(ap2 + "/" + thirdAccount + "/" + testingRep)
	// The registry policy of 333333333333 in us-east-1 is gone; in ap-southeast-2 it lets
	// another account replicate, not the source.
	if _, err := m.ecrIn(place{src, thirdAccount}).DeleteRegistryPolicy(context.Background(), &ecr.DeleteRegistryPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	m.putRegistryPolicy(place{ap2, thirdAccount}, strings.ReplaceAll(m.registryPolicy(place{ap2, thirdAccount}), "iam::"+sourceAccount, "iam::999999999999"))
	// The rule sends eu-west-1 to the third account instead of destinationAccount.
	m.replicationConfig(testingCreds, appRuleTo(place{dw2, destAccount}, place{de1, thirdAccount}, place{ap2, thirdAccount}, place{src, thirdAccount}))

	code, r, stderr := m.runJSON(multiProfiles...)
	if code != 1 || r.Healthy {
		t.Fatalf("exit %d healthy %v, want 1 and unhealthy; stderr %s", code, r.Healthy, stderr)
	}
	r.expectIn(t, thirdAccount, "repository", ap2, testingRep, "problem", "replica missing", "deploy ecr-replication-replica-ap-southeast-2")
	r.expectIn(t, thirdAccount, "images", ap2, testingRep, "problem", "0 of 1", "the replica repository does not exist")
	r.expectIn(t, thirdAccount, "repository", ap2, production, "ok")
	r.expectIn(t, thirdAccount, "registry-policy", src, "", "problem", "no registry policy in account 333333333333", "deploy ecr-replication-replica-us-east-1")
	r.expectIn(t, thirdAccount, "registry-policy", ap2, "", "problem",
		"does not allow ecr:CreateRepository and ecr:ReplicateImage for arn:aws:iam::123456789012:root on arn:aws:ecr:ap-southeast-2:333333333333:repository/enterprise-apps/*")
	r.expectIn(t, destAccount, "registry-policy", de1, "", "ok")
	r.expectIn(t, destAccount, "replication-destination", de1, "", "problem",
		"expected registry 222222222222, region eu-west-1", "the rule replicates eu-west-1 to registry 333333333333 instead")
	r.expectIn(t, thirdAccount, "replication-destination", de1, "", "problem", "registry 333333333333 here, which the configuration does not list")
	r.expectIn(t, thirdAccount, "replication-destination", ap2, "", "ok")

	want := map[string]bool{
		"repository/" + thirdAccount + "/" + ap2 + "/" + testingRep: true,
		"images/" + thirdAccount + "/" + ap2 + "/" + testingRep:     true,
		"registry-policy/" + thirdAccount + "/" + src + "/":         true,
		"registry-policy/" + thirdAccount + "/" + ap2 + "/":         true,
		"replication-destination/" + destAccount + "/" + de1 + "/":  true,
		"replication-destination/" + thirdAccount + "/" + de1 + "/": true,
	}
	for _, p := range r.problems() {
		if !want[p.Name+"/"+p.Account+"/"+p.Region+"/"+p.Repository] {
			t.Errorf("unexpected problem: %+v", p)
		}
	}
	if len(r.problems()) != len(want) {
		t.Errorf("want %d problems, got %d: %+v", len(want), len(r.problems()), r.problems())
	}
}

func TestMultiAccountPreflight(t *testing.T) {
	m := newMultiWorld(t)
	for _, p := range append([]place{sourcePlace}, multiDests...) {
		m.bootstrap(p.region, m.creds[p.account], "21")
	}
	// The third account has a registry policy in ap-southeast-2 and a repository in us-east-1
	// (the source region, where the source account has none).
	m.putRegistryPolicy(place{ap2, thirdAccount}, m.registryPolicy(place{ap2, thirdAccount}))
	m.createRepo(src, m.creds[thirdAccount], production, "")

	code, r, stderr := m.runJSON(append([]string{"--preflight"}, multiProfiles...)...)
	if code != 1 {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	r.expectIn(t, thirdAccount, "registry-policy", ap2, "", "problem", "the registry of account 333333333333 already has a policy",
		"AlreadyExists", "aws ecr get-registry-policy --region ap-southeast-2 --profile third")
	r.expectIn(t, thirdAccount, "repository", src, production, "problem", "already exists",
		"cdk import ecr-replication-replica-us-east-1 --profile third")
	r.expectIn(t, sourceAccount, "repository", src, production, "ok", "does not exist")
	r.expectIn(t, thirdAccount, "bootstrap", ap2, "", "ok", "account 333333333333 bootstrapped")
	r.expectIn(t, destAccount, "registry-policy", dw2, "", "ok", "no registry policy yet")
	r.expectIn(t, thirdAccount, "registry-policy", src, "", "ok", "no registry policy yet")
	r.expectIn(t, sourceAccount, "replication-configuration", src, "", "ok")
	r.expectIn(t, thirdAccount, "logs-resource-policies", src, "", "ok", "0 of 10")
	r.expectIn(t, thirdAccount, "cloudtrail", ap2, "", "warning", "--profile third")
	if n := len(r.problems()); n != 2 {
		t.Errorf("want 2 problems, got %d: %+v", n, r.problems())
	}

	// Before bootstrap, the third account's command names its profile.
	m2 := newMultiWorld(t)
	_, r, _ = m2.runJSON(append([]string{"--preflight"}, multiProfiles...)...)
	r.expectIn(t, thirdAccount, "bootstrap", src, "", "problem", "run cdk bootstrap aws://333333333333/us-east-1 --profile third")
	r.expectIn(t, sourceAccount, "bootstrap", src, "", "problem", "run cdk bootstrap aws://123456789012/us-east-1")
}

func TestMultiAccountWaitAndCanary(t *testing.T) {
	m := newMultiWorld(t)
	m.healthy()
	// --wait: a new image reaches the third account's ap-southeast-2 only after a poll.
	dev2 := m.putImage(src, testingCreds, testingRep, "dev-2", "test-b")
	m.onSleep = func(n int) {
		if n == 1 {
			for _, p := range multiDests {
				m.putImage(p.region, m.creds[p.account], testingRep, "dev-2", "test-b")
			}
		}
	}
	code, r, stderr := m.runJSON(append([]string{"--wait", "1m", "--poll-interval", "5s"}, multiProfiles...)...)
	if code != 0 || m.sleeps != 1 {
		t.Fatalf("wait: exit %d after %d sleeps; problems %+v; stderr %s", code, m.sleeps, r.problems(), stderr)
	}
	r.expectIn(t, thirdAccount, "images", ap2, testingRep, "ok", "all 2 recent images replicated")
	r.expectIn(t, thirdAccount, "images", src, testingRep, "ok", "all 2 recent images replicated")

	// --canary: the tag arrives in every destination account, and is removed in each.
	m.sleeps, m.slept = 0, 0
	m.onSleep = func(n int) {
		if n != 1 {
			return
		}
		out, err := m.ecr(src, testingCreds).ListImages(context.Background(), &ecr.ListImagesInput{RepositoryName: aws.String(testingRep)})
		if err != nil {
			t.Error(err)
			return
		}
		for _, id := range out.ImageIds {
			if tag := aws.ToString(id.ImageTag); strings.HasPrefix(tag, "replication-canary-") {
				seed := "test-a" // dev-1, unless the canary chose dev-2
				if aws.ToString(id.ImageDigest) == dev2 {
					seed = "test-b"
				}
				for _, p := range multiDests {
					m.putImage(p.region, m.creds[p.account], testingRep, tag, seed)
				}
			}
		}
	}
	code, r, stderr = m.runJSON(append([]string{"--canary", "testing", "--poll-interval", "10s"}, multiProfiles...)...)
	if code != 0 {
		t.Fatalf("canary: exit %d; problems %+v; stderr %s", code, r.problems(), stderr)
	}
	for _, p := range multiDests {
		r.expectIn(t, p.account, "canary-arrival", p.region, testingRep, "ok", "arrived after")
		r.expectIn(t, p.account, "canary-cleanup", p.region, testingRep, "ok", "removed the tag replication-canary-")
		out, err := m.ecrIn(p).ListImages(context.Background(), &ecr.ListImagesInput{RepositoryName: aws.String(testingRep)})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range out.ImageIds {
			if strings.HasPrefix(aws.ToString(id.ImageTag), "replication-canary-") {
				t.Errorf("%v: canary tag left behind: %s", p, aws.ToString(id.ImageTag))
			}
		}
	}
	r.expectIn(t, sourceAccount, "canary-cleanup", src, testingRep, "ok", "removed the tag replication-canary-")
}

func TestMultiAccountCredentials(t *testing.T) {
	m := newMultiWorld(t)
	cfgFile := os.Getenv("AWS_CONFIG_FILE")
	if err := os.WriteFile(cfgFile, []byte("[profile nokeys]\nregion = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		args      []string
		fragments []string
	}{
		{"credentials of another account", []string{"--destination-profile", "dest", "--destination-profile", thirdAccount + "=dest"}, []string{
			"verify: the destination credentials (destination account 333333333333, profile dest) are for account 222222222222, " +
				"but the destinations ap-southeast-2, us-east-1 live in account 333333333333: pass --destination-profile 333333333333=NAME with credentials of 333333333333"}},
		{"no profile for the third account", []string{"--destination-profile", "dest"}, []string{
			"verify: the destinations ap-southeast-2, us-east-1 are in account 333333333333, and the source credentials (source account, default credential chain) are for account 123456789012: " +
				"pass --destination-profile 333333333333=NAME with credentials of 333333333333"}},
		{"unknown profile", []string{"--destination-profile", "dest", "--destination-profile", thirdAccount + "=nope"}, []string{
			`verify: AWS profile "nope" not found`}},
		{"profile without credentials", []string{"--destination-profile", "dest", "--destination-profile", thirdAccount + "=nokeys"}, []string{
			"verify: no AWS credentials found for the destination account 333333333333, profile nokeys"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := m.run(tc.args...)
			if code != 2 || out != "" {
				t.Fatalf("exit %d, want 2; stdout %q; stderr %s", code, out, stderr)
			}
			for _, f := range tc.fragments {
				if !strings.Contains(stderr, f) {
					t.Errorf("stderr lacks %q:\n%s", f, stderr)
				}
			}
			noTrace(t, stderr)
		})
	}
}

func TestDestinationProfileValues(t *testing.T) {
	m := newMultiWorld(t)
	accounts := "expected a destination account other than the source: 222222222222 (us-west-2, eu-west-1), 333333333333 (ap-southeast-2, us-east-1)"
	for _, tc := range []struct {
		args     []string
		fragment string
	}{
		{[]string{"--destination-profile", ""}, `verify: --destination-profile "": empty; expected NAME (the profile of the one destination account other than the source) or ACCOUNT=NAME`},
		{[]string{"--destination-profile", "3333=third"}, `verify: --destination-profile "3333=third": "3333" is not a 12-digit AWS account ID; expected NAME`},
		{[]string{"--destination-profile", thirdAccount + "="}, `verify: --destination-profile "333333333333=": "" is not a profile name; expected`},
		{[]string{"--destination-profile", "444444444444=x"}, "verify: --destination-profile 444444444444=x: 444444444444 is not a destination account of the configuration; " + accounts},
		{[]string{"--destination-profile", sourceAccount + "=x"}, "verify: --destination-profile 123456789012=x: 123456789012 is the source account, whose destinations use the source credentials (--profile); " + accounts},
		{[]string{"--destination-profile", "dest", "--destination-profile", destAccount + "=other"},
			"verify: --destination-profile 222222222222=other: account 222222222222 already has a profile (--destination-profile dest); give each destination account once"},
	} {
		code, out, stderr := m.run(tc.args...)
		if code != 2 || out != "" || !strings.Contains(stderr, tc.fragment) || !strings.Contains(stderr, "run 'verify -h' for usage") {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s\nwant %q", tc.args, code, out, stderr, tc.fragment)
		}
		noTrace(t, stderr)
	}

	// Without destinationAccount, the bare form is ambiguous between two other accounts.
	w := newWorld(t, map[string]any{"sourceAccount": sourceAccount,
		"destinationRegion": dw2 + "@" + destAccount, "secondaryRegion": de1 + "@" + thirdAccount})
	code, out, stderr := w.run("--destination-profile", "dest")
	if code != 2 || out != "" || !strings.Contains(stderr, "verify: --destination-profile dest: ambiguous, the destinations are in 2 accounts other than the source "+
		"(222222222222 (us-west-2), 333333333333 (eu-west-1)) and destinationAccount names none of them: give one --destination-profile ACCOUNT=NAME per account") {
		t.Errorf("ambiguous: exit %d, stdout %q, stderr:\n%s", code, out, stderr)
	}
	noTrace(t, stderr)

	// With one other account, the bare form is that account's, without destinationAccount.
	w = newWorld(t, map[string]any{"sourceAccount": sourceAccount, "secondaryRegion": de1 + "@" + thirdAccount})
	addProfile(t, w.creds, "third", assumeInto(t, w.moto.endpoint, thirdAccount))
	// us-west-2 stays in the source account: its replica stack grants no pull to the deploy
	// role (the app adds it only in another account), so its replica has no repository policy.
	w.createRepo(dw2, testingCreds, production, w.expectedLifecycle(production))
	code, r, stderr := w.runJSON("--destination-profile", "third")
	if code != 1 { // the rest is not deployed
		t.Fatalf("one other account: exit %d; stderr %s", code, stderr)
	}
	r.expectIn(t, thirdAccount, "registry-policy", de1, "", "problem", "no registry policy in account 333333333333")
	r.expectIn(t, thirdAccount, "repository", de1, production, "problem", "replica missing")
	r.expectIn(t, sourceAccount, "repository", dw2, production, "ok")
	r.expectIn(t, sourceAccount, "repository-policy", dw2, production, "ok", "no repository policy, as configured")
	r.expectIn(t, sourceAccount, "repository", dw2, testingRep, "problem", "replica missing")
	if len(r.find("registry-policy", dw2, "")) != 0 {
		t.Errorf("us-west-2 is in the source account: no registry policy check expected")
	}

	// Every destination in the source account: a --destination-profile is a mistake.
	w = newWorld(t, nil)
	code, _, stderr = w.run("--destination-profile", "dest")
	if code != 2 || !strings.Contains(stderr, fmt.Sprintf("verify: --destination-profile dest: every destination is in the source account %s, whose credentials are --profile's: drop --destination-profile", sourceAccount)) {
		t.Errorf("same account: exit %d, stderr:\n%s", code, stderr)
	}
}
