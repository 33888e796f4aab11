package backfill_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/internal/backfill"
	"github.com/acme-platform/ecr-replication/internal/mototest"
)

// The tests run the command in process. Everything it sends goes to a fakeECR (see
// fakeecr_test.go), which answers the backfill operations itself and forwards the rest
// (sts:GetCallerIdentity, ecr:DescribeRegistry) to moto_server, started once for the package
// (internal/mototest), reset before every test and stopped by TestMain. The command's clock
// and the fake's are one virtual clock that only the command's Sleep moves: a two-hour wait
// takes milliseconds.

const (
	sourceAccount = "123456789012" // moto's default account
	otherAccount  = "222222222222"
	src           = "us-east-1"
	dw2           = "us-west-2"
	de1           = "eu-west-1"
)

var motoShared mototest.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	motoShared.Stop()
	os.Exit(code)
}

// world is one moto state, one fake ECR in front of it, one project directory and one clock.
type world struct {
	t    *testing.T
	fake *fakeECR
	dir  string
	cfg  *config.Config
	// motoECR writes the source registry's replication configuration straight into moto.
	motoECR *ecr.Client

	mu     sync.Mutex
	now    time.Time
	sleeps int
	// interruptAt cancels the run at that Sleep (0: never), as Ctrl-C does.
	interruptAt int
	// terminal makes the command believe stderr is a terminal.
	terminal bool
}

// newWorld writes a project whose context is the defaults (source us-east-1, destinations
// us-west-2 and eu-west-1, prefix enterprise-apps) changed by extra, and deploys its
// replication rule to moto.
func newWorld(t *testing.T, extra map[string]any) *world {
	t.Helper()
	m := motoShared.Get(t)
	w := &world{t: t, dir: t.TempDir(), now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	ctx := map[string]any{"sourceRegion": src, "destinationRegion": dw2, "secondaryRegion": de1, "repoPrefix": "enterprise-apps"}
	for k, v := range extra {
		ctx[k] = v
	}
	project, _ := json.Marshal(map[string]any{"app": "go run .", "context": ctx})
	cfg, err := config.Parse(ctx, config.Env{DefaultAccount: sourceAccount})
	if err == nil {
		err = os.WriteFile(filepath.Join(w.dir, "cdk.json"), project, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	w.cfg = cfg
	w.motoECR = ecr.NewFromConfig(w.awsConfig(m.Endpoint, src))
	w.fake = newFakeECR(t, m.Endpoint, sourceAccount, src, w.clock, w.motoECR)
	w.deploy(w.cfg.DestinationRegions...)
	return w
}

// awsConfig is an SDK configuration with moto's credentials, pointed at endpoint.
func (w *world) awsConfig(endpoint, region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}

// deploy writes the app's replication rule (PREFIX_MATCH enterprise-apps/) to moto, with the
// configuration's destinations in the given regions, as the source stack would.
func (w *world) deploy(regions ...string) {
	w.t.Helper()
	rule := types.ReplicationRule{RepositoryFilters: []types.RepositoryFilter{{Filter: aws.String("enterprise-apps/"), FilterType: types.RepositoryFilterTypePrefixMatch}}}
	for _, d := range w.cfg.Destinations() {
		for _, r := range regions {
			if r == d.Region {
				rule.Destinations = append(rule.Destinations, types.ReplicationDestination{Region: aws.String(d.Region), RegistryId: aws.String(d.Account)})
			}
		}
	}
	if _, err := w.motoECR.PutReplicationConfiguration(context.Background(), &ecr.PutReplicationConfigurationInput{
		ReplicationConfiguration: &types.ReplicationConfiguration{Rules: []types.ReplicationRule{rule}},
	}); err != nil {
		w.t.Fatalf("PutReplicationConfiguration: %v", err)
	}
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

// advance moves the clock, as if time passed between two runs.
func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

// load is the command's LoadAWS: moto's credentials for the default chain, through the fake.
func (w *world) load(_ context.Context, profile, region string) (aws.Config, error) {
	if profile != "" {
		w.t.Fatalf("unexpected profile %q", profile)
	}
	return w.awsConfig(w.fake.server.URL, region), nil
}

// run runs the command in the project directory; its Sleep moves the clock.
func (w *world) run(args ...string) (int, string, string) {
	w.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	env := backfill.Env{
		Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, StderrIsTerminal: w.terminal,
		Now: w.clock, LoadAWS: w.load,
		Sleep: func(ctx context.Context, d time.Duration) error {
			w.mu.Lock()
			w.sleeps++
			interrupt := w.sleeps == w.interruptAt
			if !interrupt {
				w.now = w.now.Add(d)
			}
			w.mu.Unlock()
			if interrupt {
				cancel()
			}
			return ctx.Err()
		},
	}
	code := backfill.Run(ctx, append([]string{"--dir", w.dir}, args...), env)
	return code, stdout.String(), stderr.String()
}

// reportJSON is the command's --json document.
type reportJSON struct {
	Mode      string         `json:"mode"`
	OK        bool           `json:"ok"`
	Registry  string         `json:"registry"`
	Region    string         `json:"region"`
	End       string         `json:"end"`
	Backfills []backfillJSON `json:"backfills"`
}

type backfillJSON struct {
	Destination struct {
		Region  string `json:"region"`
		Account string `json:"account"`
	} `json:"destination"`
	InConfiguration bool   `json:"inConfiguration"`
	ID              string `json:"id"`
	Action          string `json:"action"`
	Status          string `json:"status"`
	StartedAt       string `json:"startedAt"`
	EndedAt         string `json:"endedAt"`
	FailureCode     string `json:"failureCode"`
	Progress        *struct {
		Total        int      `json:"total"`
		Completed    int      `json:"completed"`
		Failed       int      `json:"failed"`
		FailureCodes []string `json:"failureCodes"`
	} `json:"progress"`
	Failed []struct {
		Repository  string   `json:"repository"`
		ImageDigest string   `json:"imageDigest"`
		ImageTag    string   `json:"imageTag"`
		FailureCode string   `json:"failureCode"`
		Sub         []string `json:"subImageFailureCodes"`
	} `json:"failedReplications"`
	Detail string `json:"detail"`
	Note   string `json:"note"`
}

// runJSON runs with --json and decodes the report, which must be one JSON document with only
// the fields reportJSON knows (those docs/backfill.md lists).
func (w *world) runJSON(args ...string) (int, reportJSON, string) {
	w.t.Helper()
	code, stdout, stderr := w.run(append(args, "--json")...)
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var r reportJSON
	err := dec.Decode(&r)
	if err == nil && dec.More() {
		err = errors.New("more than one document")
	}
	if err != nil {
		w.t.Fatalf("exit %d, not the JSON report: %v\nstdout: %s\nstderr: %s", code, err, stdout, stderr)
	}
	return code, r, stderr
}

// to returns the report's backfill to region, failing the test unless there is exactly one.
func (r reportJSON) to(t *testing.T, region string) backfillJSON {
	t.Helper()
	var found []backfillJSON
	for _, b := range r.Backfills {
		if b.Destination.Region == region {
			found = append(found, b)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one backfill to %s, got %d: %+v", region, len(found), r.Backfills)
	}
	return found[0]
}

// expectDetail fails the test unless detail contains every fragment.
func expectDetail(t *testing.T, what, detail string, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(detail, f) {
			t.Errorf("%s: %q lacks %q", what, detail, f)
		}
	}
}

// goPanic matches what a Go panic or a stack trace prints.
var goPanic = regexp.MustCompile(`goroutine \d|panic:|\.go:\d`)

// noTrace fails when stderr looks like a Go panic.
func noTrace(t *testing.T, stderr string) {
	t.Helper()
	if goPanic.MatchString(stderr) {
		t.Errorf("stderr has a stack trace: %s", stderr)
	}
}
