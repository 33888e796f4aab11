package backfill_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/internal/backfill"
)

// runBare runs the command without AWS: only for refusals that come before any call.
func runBare(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := backfill.Run(context.Background(), append([]string{"--dir", t.TempDir()}, args...), backfill.Env{
		Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
		LoadAWS: func(context.Context, string, string) (aws.Config, error) {
			t.Fatal("bad flags must be refused before AWS is involved")
			return aws.Config{}, nil
		},
	})
	return code, stdout.String(), stderr.String()
}

func TestBadFlagsAreRefusedEveryProblemAtOnce(t *testing.T) {
	const id = "0f3c7a52-9a43-4c2e-8d1b-2a4b6c8d0e1f"
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--wait", "0s"}, []string{"--wait 0s: expected a positive duration such as 2h or 45m"}},
		{[]string{"--wait", "1h", "--status"}, []string{"--wait and --status are separate modes"}},
		{[]string{"--stop", id, "--stop-all", "--results", id}, []string{"--stop and --stop-all and --results are separate modes"}},
		{[]string{"--stop", "abc"}, []string{`--stop "abc": expected a backfill ID, a UUID such as`}},
		{[]string{"--stop", id, "--stop", strings.ToUpper(id)}, []string{"given twice; give each backfill once"}},
		{[]string{"--results", "12"}, []string{`--results "12": expected a backfill ID`}},
		{[]string{"--destination", "mars-1"}, []string{`--destination "mars-1": "mars-1" is not a known AWS region; expected REGION or REGION@ACCOUNT`}},
		{[]string{"--destination", "US-WEST-2"}, []string{`(did you mean "us-west-2"?)`}},
		{[]string{"--destination", "us-west-2@12"}, []string{`"12" is not a 12-digit AWS account ID`}},
		{[]string{"--poll-interval", "5s"}, []string{"--poll-interval only applies with --wait"}},
		{[]string{"--wait", "1h", "--poll-interval", "100ms"}, []string{"--poll-interval 100ms: expected a duration of at least 1s"}},
		{[]string{"--stop", id, "--destination", "us-west-2"}, []string{"--destination does not apply to --stop ID or --results ID"}},
		{[]string{"--destination-profile", "12=admin"}, []string{`"12" is not a 12-digit AWS account ID`}},
		{[]string{"extra"}, []string{`unexpected argument "extra"`}},
		{[]string{"--no-such-flag"}, []string{"flag provided but not defined: -no-such-flag"}},
		// Every problem at once, each on its own line.
		{[]string{"--wait", "0s", "--destination", "mars-1", "--stop", "x"}, []string{
			"backfill: --destination \"mars-1\"", "backfill: --wait and --stop are separate modes", "backfill: --wait 0s", "backfill: --stop \"x\""}},
	} {
		code, out, stderr := runBare(t, tc.args...)
		if code != 2 || out != "" || !strings.HasSuffix(stderr, "backfill: run 'backfill -h' for usage\n") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, code, out, stderr)
		}
		expectDetail(t, strings.Join(tc.args, " "), stderr, tc.want...)
		noTrace(t, stderr)
	}
	code, out, _ := runBare(t, "-h")
	if code != 0 || !strings.Contains(out, "usage: backfill") || !strings.Contains(out, "--destination-profile") {
		t.Errorf("-h: exit %d %q", code, out)
	}
}

func TestDestinationsOutsideTheConfigurationAreRefused(t *testing.T) {
	w := newWorld(t, nil)
	code, out, stderr := w.run("--destination", "us-east-2", "--destination", "us-west-2@999999999999",
		"--destination", "eu-west-1", "--destination", "eu-west-1@"+sourceAccount)
	if code != 2 || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	expectDetail(t, "stderr", stderr,
		"backfill: --destination us-east-2: us-east-2 is not a destination of the configuration (destinations: us-west-2 (123456789012), eu-west-1 (123456789012)); a backfill replicates only to a destination of the replication rule: add the region to the configuration (such as -c additionalRegions=us-east-2), cdk deploy, then run backfill",
		"backfill: --destination us-west-2@999999999999: the configuration's destination in us-west-2 is in account 123456789012, not 999999999999; expected us-west-2 or us-west-2@123456789012",
		"backfill: --destination eu-west-1@123456789012: eu-west-1 (123456789012) is already given (--destination eu-west-1); give each destination once")
	if strings.Contains(stderr, "run 'backfill -h'") {
		t.Errorf("a problem with the configuration is not one of usage: %s", stderr)
	}
	if n := w.fake.count("ListReplicationBackfills") + w.fake.count("StartReplicationBackfill"); n != 0 {
		t.Errorf("%d backfill calls despite the refusal", n)
	}
}

func TestNotDeployedDestinationsAreRefusedNamingCdkDeploy(t *testing.T) {
	w := newWorld(t, nil)
	w.deploy(dw2) // the source stack was deployed before eu-west-1 was added
	code, _, stderr := w.run()
	if code != 2 || w.fake.count("StartReplicationBackfill") != 0 {
		t.Fatalf("exit %d, %d starts: nothing may start when a destination is not deployed", code, w.fake.count("StartReplicationBackfill"))
	}
	expectDetail(t, "stderr", stderr, "backfill: eu-west-1 (123456789012) is not in the deployed replication configuration of registry 123456789012 in us-east-1 (this app's rule replicates to us-west-2 (123456789012)): deploy first (cdk deploy ecr-replication-source-us-east-1, or cdk deploy --all), then run backfill")
	if code, _, _ := w.run("--destination", dw2); code != 0 {
		t.Errorf("--destination us-west-2 (deployed): exit %d", code)
	}

	// Someone else's rule only: not this app's.
	if _, err := w.motoECR.PutReplicationConfiguration(context.Background(), &ecr.PutReplicationConfigurationInput{
		ReplicationConfiguration: &types.ReplicationConfiguration{Rules: []types.ReplicationRule{{
			Destinations:      []types.ReplicationDestination{{Region: aws.String(dw2), RegistryId: aws.String(sourceAccount)}},
			RepositoryFilters: []types.RepositoryFilter{{Filter: aws.String("team-x/"), FilterType: types.RepositoryFilterTypePrefixMatch}},
		}}},
	}); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = w.run("--destination", dw2)
	if code != 2 {
		t.Errorf("another team's rule: exit %d", code)
	}
	expectDetail(t, "stderr", stderr, "(the registry has no replication rule that filters PREFIX_MATCH enterprise-apps/ (1 rule(s))): deploy first")
}

func TestBadConfigurationIsRefusedWithTheAppsMessages(t *testing.T) {
	w := newWorld(t, nil)
	code, _, stderr := w.run("-c", "sourceRegion=mars-1", "-c", "additionalRegions=moon-1")
	if code != 2 {
		t.Fatalf("exit %d", code)
	}
	expectDetail(t, "stderr", stderr, "invalid context (the same checks as the app's)", `sourceRegion: got "mars-1"`, `additionalRegions: got "moon-1"`)
	noTrace(t, stderr)
}

func TestDestinationCredentialsAreCheckedButNotNeeded(t *testing.T) {
	w := newWorld(t, map[string]any{"additionalRegions": "ap-southeast-2@" + otherAccount})
	// w.load fails the test for any named profile: the destination's is never loaded.
	if code, _, stderr := w.run("--status", "--destination-profile", otherAccount+"=replica-admin"); code != 0 {
		t.Errorf("a destination account's profile: exit %d %s", code, stderr)
	}
	code, _, stderr := w.run("--status", "--destination-profile", "333333333333=nobody")
	if code != 2 {
		t.Errorf("a profile for an account the configuration does not have: exit %d", code)
	}
	expectDetail(t, "stderr", stderr, "--destination-profile 333333333333=nobody: 333333333333 is not a destination account of the configuration")
}

// sdkEnv points the SDK's default configuration at endpoint through the environment, as a user
// would (AWS_ENDPOINT_URL), with empty shared files so that nothing of the machine's leaks in.
func sdkEnv(t *testing.T, endpoint string) {
	t.Helper()
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty,
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_RETRY_MODE": "", "AWS_MAX_ATTEMPTS": "",
	} {
		t.Setenv(k, v)
	}
}

func TestEndpointFromTheEnvironment(t *testing.T) {
	w := newWorld(t, map[string]any{"secondaryRegion": "none"})
	sdkEnv(t, w.fake.server.URL)
	var stdout, stderr bytes.Buffer
	code := backfill.Run(context.Background(), []string{"--dir", w.dir}, backfill.Env{Stdout: &stdout, Stderr: &stderr, Now: w.clock})
	if code != 0 || w.fake.count("StartReplicationBackfill") != 1 {
		t.Fatalf("exit %d, %d starts\n%s%s", code, w.fake.count("StartReplicationBackfill"), stdout.String(), stderr.String())
	}
}

func TestUnreachableEndpointExitsTwo(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // nothing listens there any more
	sdkEnv(t, closed.URL)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cdk.json"), []byte(`{"app": "go run ."}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := backfill.Run(context.Background(), []string{"--dir", dir, "--status"}, backfill.Env{Stdout: &stdout, Stderr: &stderr})
	if code != 2 || stdout.Len() != 0 {
		t.Fatalf("exit %d, stdout %q", code, stdout.String())
	}
	expectDetail(t, "stderr", stderr.String(), "backfill: AWS is not reachable (source account, default credential chain)", "connection refused")
	noTrace(t, stderr.String())
}
