package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildApp compiles the app binary once per test run, the way `cdk synth` runs it.
func buildApp(t *testing.T) string {
	t.Helper()
	if appBinary != "" {
		return appBinary
	}
	dir, err := os.MkdirTemp("", "ecr-replication-app")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "ecr-replication")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	appBinary = bin
	return bin
}

var appBinary string

// runApp runs the app binary as the CDK CLI does: the context as JSON in CDK_CONTEXT_JSON and
// the output directory in CDK_OUTDIR. It returns the exit code, stderr and the files written.
func runApp(t *testing.T, ctx map[string]any) (code int, stderr string, written []string) {
	t.Helper()
	b, err := json.Marshal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	outdir := t.TempDir()
	cmd := exec.Command(buildApp(t))
	cmd.Env = append(os.Environ(), "CDK_CONTEXT_JSON="+string(b), "CDK_OUTDIR="+outdir, "CDK_DEFAULT_ACCOUNT=", "CDK_DEFAULT_REGION=")
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	cmd.Stdout = &errBuf
	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	default:
		t.Fatalf("running the app: %v", err)
	}
	entries, _ := os.ReadDir(outdir)
	for _, e := range entries {
		written = append(written, e.Name())
	}
	return code, errBuf.String(), written
}

// TestHostileInput runs the built app with bad context values, the way a user meets it: each
// must exit non-zero with a message naming the key, the bad value and what is expected, with
// no Go panic trace and no template written.
func TestHostileInput(t *testing.T) {
	huge := strings.Repeat("a", 10000)
	tests := []struct {
		name     string
		ctx      map[string]any
		key      string
		value    string // "" when the message cannot quote a value (unknown keys)
		expected string // a fragment of what is expected
	}{
		{"unknown region", map[string]any{"sourceRegion": "us-east-9"}, "sourceRegion", "us-east-9", "known AWS region"},
		{"region in upper case", map[string]any{"sourceRegion": "US-EAST-1"}, "sourceRegion", "US-EAST-1", "region"},
		{"empty source region", map[string]any{"sourceRegion": ""}, "sourceRegion", "", "region"},
		{"destination equals source", map[string]any{"destinationRegion": "us-east-1"}, "destinationRegion", "us-east-1", "other than sourceRegion"},
		{"secondary equals destination", map[string]any{"secondaryRegion": "us-west-2"}, "secondaryRegion", "us-west-2", "once"},
		{"destination in another partition", map[string]any{"destinationRegion": "cn-north-1"}, "destinationRegion", "cn-north-1", "partition"},
		{"gov-cloud secondary", map[string]any{"secondaryRegion": "us-gov-west-1"}, "secondaryRegion", "us-gov-west-1", "partition"},
		{"additional region repeats the source", map[string]any{"additionalRegions": "ap-south-1,us-east-1"}, "additionalRegions", "us-east-1", "other than sourceRegion"},
		{"additional region listed twice", map[string]any{"additionalRegions": "ap-south-1,ap-south-1"}, "additionalRegions", "ap-south-1", "once"},
		{"additional region misspelt", map[string]any{"additionalRegions": "ap-south-1,eu-west-9"}, "additionalRegions", "eu-west-9", "region"},
		{"too many destinations", map[string]any{"additionalRegions": strings.Join(allCommercialRegionsExcept("us-east-1", "us-west-2", "eu-west-1"), ",")}, "additionalRegions", "", "25"},
		{"prefix with upper case and underscore", map[string]any{"repoPrefix": "Enterprise_Apps"}, "repoPrefix", "Enterprise_Apps", "lower-case"},
		{"prefix with trailing slash", map[string]any{"repoPrefix": "enterprise-apps/"}, "repoPrefix", "enterprise-apps/", "lower-case"},
		{"empty prefix", map[string]any{"repoPrefix": ""}, "repoPrefix", "", "expected"},
		{"huge prefix", map[string]any{"repoPrefix": huge}, "repoPrefix", "aaaaaaaaaaaaaaaaaaaa", "characters"},
		{"duplicate production repositories", map[string]any{"productionRepositories": "api,api"}, "productionRepositories", "api", "once"},
		{"testing name collides with production", map[string]any{"productionRepositories": "api", "testingRepositories": "api"}, "testingRepositories", "api", "productionRepositories"},
		{"repository name with spaces", map[string]any{"testingRepositories": "my app"}, "testingRepositories", "my app", "lower-case"},
		{"no repositories at all", map[string]any{"productionRepositories": "none", "testingRepositories": "none"}, "productionRepositories", "none", "at least one"},
		{"zero images kept", map[string]any{"productionImageCount": "0"}, "productionImageCount", "0", "1"},
		{"negative image count", map[string]any{"testingImageCount": -3}, "testingImageCount", "-3", "1"},
		{"fractional days", map[string]any{"untaggedExpiryDays": "1.5"}, "untaggedExpiryDays", "1.5", "integer"},
		{"days as words", map[string]any{"testingMaxAgeDays": "seven"}, "testingMaxAgeDays", "seven", "integer"},
		{"absurd age", map[string]any{"testingMaxAgeDays": "100000"}, "testingMaxAgeDays", "100000", "3650"},
		{"overlapping production prefixes", map[string]any{"productionTagPrefixes": "prod,prod-eu"}, "productionTagPrefixes", "prod-eu", "prefix"},
		{"tag prefix with a space", map[string]any{"testingTagPrefixes": "test,qa env"}, "testingTagPrefixes", "qa env", "characters"},
		{"empty tag prefix list", map[string]any{"testingTagPrefixes": ""}, "testingTagPrefixes", "", "expected"},
		{"short source account", map[string]any{"sourceAccount": "12345"}, "sourceAccount", "12345", "12-digit"},
		{"destination account with letters", map[string]any{"destinationAccount": "12345678901x"}, "destinationAccount", "12345678901x", "12-digit"},
		{"cross-account without a known source account", map[string]any{"destinationAccount": "222222222222"}, "sourceAccount", "", "sourceAccount"},
		{"pull account listed twice", map[string]any{"pullAccounts": "111111111111,111111111111"}, "pullAccounts", "111111111111", "once"},
		{"malformed organization id", map[string]any{"organizationId": "org-123"}, "organizationId", "org-123", "o-"},
		{"unknown encryption", map[string]any{"encryption": "ROT13"}, "encryption", "ROT13", "AES256 or KMS"},
		{"e-mail without domain", map[string]any{"alertEmail": "ops@"}, "alertEmail", "ops@", "e-mail"},
		{"two e-mails", map[string]any{"alertEmail": "a@example.com,b@example.com"}, "alertEmail", "a@example.com,b@example.com", "e-mail"},
		{"failure threshold above 100", map[string]any{"replicationFailureThreshold": "150"}, "replicationFailureThreshold", "150", "100"},
		{"failure threshold of 100 can never fire", map[string]any{"replicationFailureThreshold": "100"}, "replicationFailureThreshold", "100", "below 100"},
		{"zero minimum attempts", map[string]any{"replicationMinimumAttempts": "0"}, "replicationMinimumAttempts", "0", "1"},
		{"window not a multiple of 5", map[string]any{"replicationWindowMinutes": "7"}, "replicationWindowMinutes", "7", "multiple of 5"},
		{"boolean that is not", map[string]any{"activityAlarms": "yes please"}, "activityAlarms", "yes please", "true"},
		{"anomaly band out of range", map[string]any{"anomalyStdDevs": "0"}, "anomalyStdDevs", "0", "1"},
		{"wrong JSON type", map[string]any{"enhancedScanning": map[string]any{"on": true}}, "enhancedScanning", "", "true"},
		{"typo of a key", map[string]any{"destinationRegions": "us-west-2"}, "destinationRegions", "", `did you mean "destinationRegion"`},
		{"typo in case", map[string]any{"repoprefix": "apps"}, "repoprefix", "", `did you mean "repoPrefix"`},
	}
	if len(tests) < 30 {
		t.Fatalf("the suite must hold at least 30 hostile inputs, has %d", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr, written := runApp(t, tt.ctx)
			if code == 0 {
				t.Fatalf("exit code 0; want non-zero\n%s", stderr)
			}
			if strings.Contains(stderr, "panic:") || strings.Contains(stderr, "goroutine ") {
				t.Errorf("output has a Go panic trace:\n%s", stderr)
			}
			if !strings.Contains(stderr, tt.key+":") {
				t.Errorf("message does not name the key %q:\n%s", tt.key, stderr)
			}
			if tt.value != "" && !strings.Contains(stderr, tt.value) {
				t.Errorf("message does not show the bad value %q:\n%s", tt.value, stderr)
			}
			if !strings.Contains(stderr, tt.expected) {
				t.Errorf("message does not say what is expected (%q):\n%s", tt.expected, stderr)
			}
			for _, f := range written {
				if strings.HasSuffix(f, ".template.json") || f == "manifest.json" {
					t.Errorf("wrote %s despite bad input", f)
				}
			}
		})
	}
	t.Run("every problem is reported at once", func(t *testing.T) {
		_, stderr, _ := runApp(t, map[string]any{"sourceRegion": "us-east-9", "repoPrefix": "Bad", "encryption": "ROT13",
			"productionImageCount": "0", "sourceAccount": "12345", "destinationRegions": "x"})
		for _, key := range []string{"sourceRegion:", "repoPrefix:", "encryption:", "productionImageCount:", "sourceAccount:", "destinationRegions:"} {
			if !strings.Contains(stderr, key) {
				t.Errorf("missing %s in:\n%s", key, stderr)
			}
		}
	})
	t.Run("good input synthesizes every stack", func(t *testing.T) {
		code, stderr, written := runApp(t, map[string]any{"sourceAccount": "111111111111"})
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, stderr)
		}
		templates := 0
		for _, f := range written {
			if strings.HasSuffix(f, ".template.json") {
				templates++
			}
		}
		if templates != 3 {
			t.Errorf("templates written = %d (%v); want 3", templates, written)
		}
	})
}

func allCommercialRegionsExcept(except ...string) []string {
	all := []string{"af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
		"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ca-central-1", "ca-west-1", "eu-central-1",
		"eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1",
		"me-central-1", "me-south-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"}
	skip := map[string]bool{}
	for _, e := range except {
		skip[e] = true
	}
	var out []string
	for _, r := range all {
		if !skip[r] {
			out = append(out, r)
		}
	}
	return out
}

// TestHostileFleetInput runs the built app with a bad fleet file (repositoriesFile, read
// from the project directory, here the repository root) or bad destination accounts: each
// must exit non-zero with a message naming the key, where the problem is (the file, line,
// column and key path), the bad value and what is expected, and write no template.
func TestHostileFleetInput(t *testing.T) {
	const src = "111111111111"
	var mixed []string // 24 further destinations, some in their own accounts: 26 in all
	for i, r := range allCommercialRegionsExcept("us-east-1", "us-west-2", "eu-west-1")[:24] {
		if i%2 == 0 {
			r += "@222222222222"
		}
		mixed = append(mixed, r)
	}
	tests := []struct {
		name     string
		ctx      map[string]any
		key      string
		where    string // the place in the file, "" for a context value
		value    string
		expected string
	}{
		{"missing fleet file", map[string]any{"repositoriesFile": "testdata/fleet/missing.yaml"},
			"repositoriesFile", "", "testdata/fleet/missing.yaml", "an existing file"},
		{"fleet file outside the project", map[string]any{"repositoriesFile": "../fleet.yaml"},
			"repositoriesFile", "", "../fleet.yaml", "leaves the project directory"},
		{"malformed YAML", map[string]any{"repositoriesFile": "testdata/fleet/bad-malformed.yaml"},
			"repositoriesFile", "testdata/fleet/bad-malformed.yaml:5:", "profile: testing", "well-formed YAML"},
		{"malformed JSON", map[string]any{"repositoriesFile": "testdata/fleet/bad-malformed.json"},
			"repositoriesFile", "testdata/fleet/bad-malformed.json:4:20:", `{\"name\": \"web\" \"profile\": \"testing\"}`, "well-formed JSON"},
		{"unknown field", map[string]any{"repositoriesFile": "testdata/fleet/bad-unknown-field.yaml"},
			"repositoriesFile", "testdata/fleet/bad-unknown-field.yaml:4:5: repositories[0].imagecount:", "imagecount", `did you mean "imageCount"?`},
		{"repository over ECR's limits", map[string]any{"repositoriesFile": "testdata/fleet/bad-name.yaml"},
			"repositoriesFile", "testdata/fleet/bad-name.yaml:2:11: repositories[0].name:", "nnnnnnnnnn", "at most 256 characters"},
		{"repository name grammar", map[string]any{"repositoriesFile": "testdata/fleet/bad-name.yaml"},
			"repositoriesFile", "testdata/fleet/bad-name.yaml:4:11: repositories[1].name:", "Web_App", "lower-case letters"},
		{"same repository in both profiles", map[string]any{"repositoriesFile": "testdata/fleet/bad-both-profiles.yaml"},
			"repositoriesFile", "testdata/fleet/bad-both-profiles.yaml:4:11: repositories[1].name:", "api", "both profiles"},
		{"fleet repository also in a list", map[string]any{"repositoriesFile": "testdata/fleet/good.yaml", "testingRepositories": "sandbox"},
			"repositoriesFile", "testdata/fleet/good.yaml:11:11: repositories[2].name:", "sandbox", "testingRepositories"},
		{"override of the wrong profile", map[string]any{"repositoriesFile": "testdata/fleet/bad-many.yaml"},
			"repositoriesFile", "testdata/fleet/bad-many.yaml:5:5: repositories[0].maxAgeDays:", "14", "no maxAgeDays in a production repository"},
		{"destination account not 12 digits", map[string]any{"sourceAccount": src, "destinationRegion": "us-west-2@12345"},
			"destinationRegion", "", "us-west-2@12345", "12-digit AWS account ID after the @"},
		{"one region in two accounts", map[string]any{"sourceAccount": src, "additionalRegions": "us-west-2@222222222222"},
			"additionalRegions", "", "us-west-2@222222222222", "one replica stack per region"},
		{"destination account without a source account", map[string]any{"secondaryRegion": "eu-west-1@333333333333"},
			"sourceAccount", "", "", "eu-west-1@333333333333 needs it"},
		{"more than 25 destinations", map[string]any{"sourceAccount": src, "additionalRegions": strings.Join(mixed, ",")},
			"additionalRegions", "", "", "at most 25 destinations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr, written := runApp(t, tt.ctx)
			if code == 0 {
				t.Fatalf("exit code 0; want non-zero\n%s", stderr)
			}
			if strings.Contains(stderr, "panic:") || strings.Contains(stderr, "goroutine ") {
				t.Errorf("output has a Go panic trace:\n%s", stderr)
			}
			prefix := tt.key + ":"
			if tt.where != "" {
				prefix += " " + tt.where
			}
			if !strings.Contains(stderr, prefix) {
				t.Errorf("message does not name %q:\n%s", prefix, stderr)
			}
			if tt.value != "" && !strings.Contains(stderr, `got "`+tt.value) {
				t.Errorf("message does not show the bad value %q:\n%s", tt.value, stderr)
			}
			if !strings.Contains(stderr, tt.expected) {
				t.Errorf("message does not say what is expected (%q):\n%s", tt.expected, stderr)
			}
			for _, f := range written {
				if strings.HasSuffix(f, ".template.json") || f == "manifest.json" {
					t.Errorf("wrote %s despite bad input", f)
				}
			}
		})
	}
	t.Run("every problem of the file is reported at once", func(t *testing.T) {
		_, stderr, _ := runApp(t, map[string]any{"repositoriesFile": "testdata/fleet/bad-many.yaml", "encryption": "ROT13"})
		for _, line := range []int{4, 5, 7, 10, 11, 12, 13, 17, 18} {
			if !strings.Contains(stderr, fmt.Sprintf("repositoriesFile: testdata/fleet/bad-many.yaml:%d:", line)) {
				t.Errorf("no problem on line %d in:\n%s", line, stderr)
			}
		}
		if !strings.Contains(stderr, "encryption:") {
			t.Errorf("the other keys' problems are missing:\n%s", stderr)
		}
	})
	t.Run("a fleet with destinations in their own accounts synthesizes every stack", func(t *testing.T) {
		code, stderr, written := runApp(t, map[string]any{"sourceAccount": src, "repositoriesFile": "testdata/fleet/good.yaml",
			"destinationRegion": "us-west-2@222222222222", "additionalRegions": []any{"ap-southeast-2@444444444444", "ca-central-1"}})
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, stderr)
		}
		templates := 0
		for _, f := range written {
			if strings.HasSuffix(f, ".template.json") {
				templates++
			}
		}
		if templates != 5 {
			t.Errorf("templates written = %d (%v); want 5 (the source and four replica stacks)", templates, written)
		}
	})
}
