package verify_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/internal/verify"
)

const (
	src = "us-east-1"
	dw2 = "us-west-2"
	de1 = "eu-west-1"

	production = "enterprise-apps/production"
	testingRep = "enterprise-apps/testing"
)

// world is one moto state and one project directory.
type world struct {
	t        testing.TB
	moto     *motoServer
	endpoint string // what the command talks to (moto, or a replay proxy in front of it)
	creds    string // the shared credentials file
	dir      string // the project directory (cdk.json)
	context  map[string]any
	cfg      *config.Config

	// offset sets the command's clock: an hour ahead, so that an image moto stamped as pushed
	// just now is past ReplicationGrace and a missing replica counts as missing. The clock
	// stands still but for the command's sleeps, so that durations in the report do not
	// depend on how fast the machine answers.
	offset time.Duration
	// onSleep runs at every Sleep of the command (wait and canary polling) with the number
	// of sleeps so far; it stands for time passing (and replication happening).
	onSleep func(n int)
	// terminal makes the command believe stderr is a terminal.
	terminal bool
	mu       sync.Mutex
	slept    time.Duration
	sleeps   int
}

// newWorld starts from a moto state and a project directory whose context is the default
// deployment's, with extra's keys set (or, for a nil value, removed); files are written into the
// project directory before the configuration is read.
func newWorld(t testing.TB, extra map[string]any, files ...[2]string) *world {
	t.Helper()
	m := moto(t)
	w := &world{t: t, moto: m, endpoint: m.endpoint, offset: time.Hour}
	w.creds = awsEnv(t, m.endpoint)
	w.dir = t.TempDir()
	w.context = map[string]any{
		"sourceRegion": src, "destinationRegion": dw2, "secondaryRegion": de1, "repoPrefix": "enterprise-apps",
		"@aws-cdk/aws-iam:minimizePolicies": true,
	}
	for k, v := range extra {
		w.context[k] = v
		if v == nil { // a nil value takes a default key out
			delete(w.context, k)
		}
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(w.dir, f[0]), []byte(f[1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := json.Marshal(map[string]any{"app": "go run .", "context": w.context})
	if err := os.WriteFile(filepath.Join(w.dir, "cdk.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, err := config.ReadContext(w.dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.cfg, err = config.Parse(ctx, config.Env{DefaultAccount: sourceAccount, ProjectFiles: os.DirFS(w.dir)}); err != nil {
		t.Fatal(err)
	}
	return w
}

// via makes the command talk to endpoint (a replay proxy) instead of moto itself.
func (w *world) via(endpoint string) {
	w.endpoint = endpoint
	w.t.Setenv("AWS_ENDPOINT_URL", endpoint)
}

func (w *world) ecr(region string, creds aws.Credentials) *ecr.Client {
	return ecrClient(w.t, w.moto.endpoint, region, creds)
}

func (w *world) settings(name string) config.RepositorySettings {
	for _, rs := range w.cfg.RepositorySettings() {
		if rs.FullName == name {
			return rs
		}
	}
	w.t.Fatalf("no repository %s", name)
	return config.RepositorySettings{}
}

// createRepo creates a repository as the app's stacks would, with lifecycle (if not "") as
// its lifecycle policy text.
func (w *world) createRepo(region string, creds aws.Credentials, name, lifecycle string) {
	w.t.Helper()
	c := w.ecr(region, creds)
	ctx := context.Background()
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{
		RepositoryName:     aws.String(name),
		ImageTagMutability: types.ImageTagMutability(w.settings(name).TagMutability),
	}); err != nil {
		w.t.Fatalf("CreateRepository %s %s: %v", region, name, err)
	}
	if lifecycle != "" {
		if _, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String(name), LifecyclePolicyText: aws.String(lifecycle)}); err != nil {
			w.t.Fatalf("PutLifecyclePolicy: %v", err)
		}
	}
}

// expectedLifecycle is the policy the app deploys on a repository, reformatted (indented, keys
// of each rule in another order) so that only a comparison by meaning accepts it.
func (w *world) expectedLifecycle(name string) string {
	text, err := w.settings(name).Lifecycle.JSON()
	if err != nil {
		w.t.Fatal(err)
	}
	var doc struct {
		Rules []map[string]any `json:"rules"`
	}
	_ = json.Unmarshal([]byte(text), &doc)
	// Reverse the rules: order in the text does not matter, priorities do.
	for i, j := 0, len(doc.Rules)-1; i < j; i, j = i+1, j-1 {
		doc.Rules[i], doc.Rules[j] = doc.Rules[j], doc.Rules[i]
	}
	b, _ := json.MarshalIndent(doc, "", "    ")
	return string(b)
}

// manifest is a schema 2 manifest whose digest (as moto computes it) depends on seed.
func manifest(seed string) string {
	sum := func(s string) string { return fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(s))) }
	return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",`+
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1470,"digest":"%s"},`+
		`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2811478,"digest":"%s"}]}`,
		sum("config "+seed), sum("layer "+seed))
}

// putImage pushes a manifest (moto needs no layers) and returns the image's digest.
func (w *world) putImage(region string, creds aws.Credentials, repo, tag, seed string) string {
	w.t.Helper()
	out, err := w.ecr(region, creds).PutImage(context.Background(), &ecr.PutImageInput{
		RepositoryName: aws.String(repo), ImageManifest: aws.String(manifest(seed)), ImageTag: aws.String(tag),
	})
	if err != nil {
		w.t.Fatalf("PutImage %s %s:%s: %v", region, repo, tag, err)
	}
	return aws.ToString(out.Image.ImageId.ImageDigest)
}

// replicationConfig sets the source registry's replication configuration.
func (w *world) replicationConfig(creds aws.Credentials, rules ...types.ReplicationRule) {
	w.t.Helper()
	if _, err := w.ecr(src, creds).PutReplicationConfiguration(context.Background(), &ecr.PutReplicationConfigurationInput{
		ReplicationConfiguration: &types.ReplicationConfiguration{Rules: rules},
	}); err != nil {
		w.t.Fatalf("PutReplicationConfiguration: %v", err)
	}
}

// appRule is the rule the app deploys, to the given destination regions of account.
func appRule(account string, regions ...string) types.ReplicationRule {
	r := types.ReplicationRule{RepositoryFilters: []types.RepositoryFilter{{Filter: aws.String("enterprise-apps/"), FilterType: types.RepositoryFilterTypePrefixMatch}}}
	for _, region := range regions {
		r.Destinations = append(r.Destinations, types.ReplicationDestination{Region: aws.String(region), RegistryId: aws.String(account)})
	}
	return r
}

// healthy seeds a same-account deployment in three regions as the app leaves it, with the
// images of the source replicated everywhere.
func (w *world) healthy() {
	w.t.Helper()
	for _, region := range []string{src, dw2, de1} {
		w.createRepo(region, testingCreds, production, w.expectedLifecycle(production))
		w.createRepo(region, testingCreds, testingRep, w.expectedLifecycle(testingRep))
	}
	w.replicationConfig(testingCreds, appRule(sourceAccount, dw2, de1))
	for _, region := range []string{src, dw2, de1} {
		w.putImage(region, testingCreds, production, "release-1.0", "prod-a")
		w.putImage(region, testingCreds, production, "release-1.1", "prod-b")
		w.putImage(region, testingCreds, testingRep, "dev-1", "test-a")
	}
}

// run runs the command in the project directory with a clock an hour ahead that only its
// Sleep advances.
func (w *world) run(args ...string) (int, string, string) {
	w.t.Helper()
	var stdout, stderr bytes.Buffer
	started := time.Now()
	env := verify.Env{
		Stdout: &stdout, Stderr: &stderr, Getenv: os.Getenv, StderrIsTerminal: w.terminal,
		Now: func() time.Time {
			w.mu.Lock()
			defer w.mu.Unlock()
			return started.Add(w.offset + w.slept)
		},
		Sleep: func(ctx context.Context, d time.Duration) error {
			w.mu.Lock()
			w.slept += d
			w.sleeps++
			n := w.sleeps
			w.mu.Unlock()
			if w.onSleep != nil {
				w.onSleep(n)
			}
			return ctx.Err()
		},
	}
	code := verify.Run(context.Background(), append([]string{"--dir", w.dir}, args...), env)
	return code, stdout.String(), stderr.String()
}

type reportJSON struct {
	Mode    string         `json:"mode"`
	Healthy bool           `json:"healthy"`
	Summary map[string]int `json:"summary"`
	Checks  []checkJSON    `json:"checks"`
}

type checkJSON struct {
	Name           string   `json:"name"`
	Region         string   `json:"region"`
	Account        string   `json:"account"`
	Namespace      string   `json:"namespace"`
	Repository     string   `json:"repository"`
	Status         string   `json:"status"`
	Detail         string   `json:"detail"`
	LatencySeconds *float64 `json:"latency_seconds"`
}

// runJSON runs with --json and decodes the report.
func (w *world) runJSON(args ...string) (int, reportJSON, string) {
	w.t.Helper()
	code, out, errOut := w.run(append(args, "--json")...)
	var r reportJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		w.t.Fatalf("exit %d, not a JSON report: %v\nstdout: %s\nstderr: %s", code, err, out, errOut)
	}
	return code, r, errOut
}

// find returns the checks with name, region and repository.
func (r reportJSON) find(name, region, repo string) []checkJSON {
	var out []checkJSON
	for _, c := range r.Checks {
		if c.Name == name && c.Region == region && c.Repository == repo {
			out = append(out, c)
		}
	}
	return out
}

// expect asserts exactly one check with that identity, status and detail containing every
// fragment.
func (r reportJSON) expect(t *testing.T, name, region, repo, status string, fragments ...string) {
	t.Helper()
	r.expectChecks(t, r.find(name, region, repo), name, region, repo, status, fragments...)
}

// findIn returns the checks with name, account, region and repository.
func (r reportJSON) findIn(account, name, region, repo string) []checkJSON {
	var out []checkJSON
	for _, c := range r.find(name, region, repo) {
		if c.Account == account {
			out = append(out, c)
		}
	}
	return out
}

// expectIn is expect for the check about one account's registry.
func (r reportJSON) expectIn(t *testing.T, account, name, region, repo, status string, fragments ...string) {
	t.Helper()
	r.expectChecks(t, r.findIn(account, name, region, repo), name, region+" of "+account, repo, status, fragments...)
}

func (r reportJSON) expectChecks(t *testing.T, cs []checkJSON, name, where, repo, status string, fragments ...string) {
	t.Helper()
	if len(cs) != 1 {
		t.Errorf("want one %s check in %s for %q, got %d: %+v", name, where, repo, len(cs), cs)
		return
	}
	c := cs[0]
	if c.Status != status {
		t.Errorf("%s %s %s: status %s, want %s (%s)", name, where, repo, c.Status, status, c.Detail)
	}
	for _, f := range fragments {
		if !strings.Contains(c.Detail, f) {
			t.Errorf("%s %s %s: detail %q lacks %q", name, where, repo, c.Detail, f)
		}
	}
}

// problems returns the problem checks, for "nothing else is wrong" assertions.
func (r reportJSON) problems() []checkJSON {
	var out []checkJSON
	for _, c := range r.Checks {
		if c.Status == "problem" {
			out = append(out, c)
		}
	}
	return out
}

func putLifecycle(repo, text string) *ecr.PutLifecyclePolicyInput {
	return &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String(repo), LifecyclePolicyText: aws.String(text)}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// expectText asserts that text (a table, or stderr: what) contains every fragment.
func expectText(t *testing.T, what, text string, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(text, f) {
			t.Errorf("%s lacks %q:\n%s", what, f, text)
		}
	}
}

// projectDir writes a project directory with the repository's defaults (an empty context).
func projectDir(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cdk.json"), []byte(`{"app": "go run ."}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
