package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

const fixedNow = "2026-11-20T12:00:00Z"

// runCmd runs the command in-process and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	if strings.Contains(errOut.String(), "panic") || strings.Contains(errOut.String(), "goroutine ") {
		t.Fatalf("run(%q) panicked:\n%s", args, errOut.String())
	}
	return code, out.String(), errOut.String()
}

// runJSON runs with --json and decodes the report.
func runJSON(t *testing.T, args ...string) report {
	t.Helper()
	code, stdout, stderr := runCmd(t, append(args, "--json")...)
	if code != exitOK {
		t.Fatalf("run(%q) exit = %d; want 0\nstderr:\n%s", args, code, stderr)
	}
	var rep report
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, stdout)
	}
	return rep
}

// fixtureImage is the part of a describe-images entry the tests use as an
// oracle, read without the command's own parser.
type fixtureImage struct {
	Digest string   `json:"imageDigest"`
	Tags   []string `json:"imageTags"`
	Size   int64    `json:"imageSizeInBytes"`
	Pushed string   `json:"imagePushedAt"`
	Status string   `json:"imageStatus"`
}

func readFixtureImages(t *testing.T, name string) []fixtureImage {
	t.Helper()
	var doc struct {
		ImageDetails []fixtureImage `json:"imageDetails"`
	}
	if err := json.Unmarshal(mustRead(t, fixture(name)), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.ImageDetails
}

func hasPrefixTag(tags []string, prefix string) bool {
	for _, tag := range tags {
		if strings.HasPrefix(tag, prefix) {
			return true
		}
	}
	return false
}

func byTag(t *testing.T, rep report, tag string) verdictDoc {
	t.Helper()
	for _, v := range rep.Verdicts {
		for _, x := range v.Tags {
			if x == tag {
				return v
			}
		}
	}
	t.Fatalf("no image tagged %q in the report", tag)
	return verdictDoc{}
}

// productionOracle computes from the fixture which production images the
// production profile expires: the prod* images beyond the newest 10 among
// standard-storage images (the fixture's only multi-prefix image is within the
// newest 10 of both prefixes), the release* images beyond the newest 10 that
// have no prod* tag, and untagged standard images older than 1 day.
func productionOracle(t *testing.T, images []fixtureImage, now time.Time) map[string]bool {
	t.Helper()
	pushed := func(im fixtureImage) time.Time {
		ts, err := time.Parse(time.RFC3339, im.Pushed)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	expired := map[string]bool{}
	for _, prefix := range []string{"prod", "release"} {
		var family []fixtureImage
		for _, im := range images {
			if im.Status != "ARCHIVED" && hasPrefixTag(im.Tags, prefix) {
				family = append(family, im)
			}
		}
		sort.Slice(family, func(i, j int) bool { return pushed(family[i]).After(pushed(family[j])) })
		for rank, im := range family {
			if rank >= 10 && (prefix == "prod" || !hasPrefixTag(im.Tags, "prod")) {
				expired[im.Digest] = true
			}
		}
	}
	for _, im := range images {
		if len(im.Tags) == 0 && im.Status != "ARCHIVED" && now.Sub(pushed(im)) > 24*time.Hour {
			expired[im.Digest] = true
		}
	}
	return expired
}

func TestProductionFixtureFromCdkOut(t *testing.T) {
	args := []string{
		"--images", fixture("describe-images-production.json"),
		"--cdk-out", fixture("cdk-out"), "--repository", "enterprise-apps/production",
		"--now", fixedNow,
	}
	rep := runJSON(t, args...)
	images := readFixtureImages(t, "describe-images-production.json")
	now, _ := time.Parse(time.RFC3339, fixedNow)
	want := productionOracle(t, images, now)

	// Known facts about the fixture.
	if v := byTag(t, rep, "prod-1.3.0"); v.Verdict != "expire" || v.RulePriority != 1 || !strings.Contains(v.Reason, "11th newest of 13 images tagged prod*") {
		t.Errorf("the 11th newest prod image: %s by rule %d (%s); want expire by rule 1", v.Verdict, v.RulePriority, v.Reason)
	}
	if v := byTag(t, rep, "prod-1.4.0"); v.Verdict != "kept" || !strings.Contains(v.Reason, "10th newest of 13 images tagged prod*") {
		t.Errorf("the 10th newest prod image: %s (%s); want kept", v.Verdict, v.Reason)
	}
	if v := byTag(t, rep, "release-2026.10"); v.Verdict != "kept" || !strings.HasPrefix(v.Reason, "kept: claimed by rule 1 ") {
		t.Errorf("the prod+release image: %s (%s); want kept by the prod rule", v.Verdict, v.Reason)
	}
	if v := byTag(t, rep, "feature-login-42"); v.Verdict != "kept" || v.Reason != "kept: no rule selects tagged images without a prod* or release* tag" {
		t.Errorf("feature-login-42 (67 days old): %s (%s); want kept, no rule selects it", v.Verdict, v.Reason)
	}
	if v := byTag(t, rep, "prod-0.9.0"); v.Verdict != "kept" || v.StorageClass != "archive" || v.Reason != "kept: no rule applies to archive images" {
		t.Errorf("archived prod-0.9.0: %s %s (%s); want kept, no rule for archive", v.Verdict, v.StorageClass, v.Reason)
	}

	// Every verdict agrees with the oracle, and the totals add up.
	var wantTotals totals
	for _, im := range images {
		wantTotals.Images++
		if want[im.Digest] {
			wantTotals.Expired++
			wantTotals.ExpiredBytes += im.Size
		} else {
			wantTotals.Kept++
		}
	}
	wantTotals.ExpiredGB = float64(wantTotals.ExpiredBytes) / (1 << 30)
	wantTotals.MonthlySavingsUSD = wantTotals.ExpiredGB * 0.10
	for _, v := range rep.Verdicts {
		if got := v.Verdict == "expire"; got != want[v.Digest] {
			t.Errorf("image %v: verdict %s (%s); want expired=%v", v.Tags, v.Verdict, v.Reason, want[v.Digest])
		}
	}
	if !reflect.DeepEqual(rep.Totals, wantTotals) {
		t.Errorf("totals = %+v; want %+v", rep.Totals, wantTotals)
	}
	if wantTotals.Expired != 6 || wantTotals.Images != 26 {
		t.Errorf("fixture changed: oracle expects %d of %d images to expire; the tests assume 6 of 26", wantTotals.Expired, wantTotals.Images)
	}

	// Newest push first.
	for i := 1; i < len(rep.Verdicts); i++ {
		if rep.Verdicts[i].PushedAt.After(rep.Verdicts[i-1].PushedAt) {
			t.Errorf("verdict %d (%s) is newer than verdict %d (%s); want newest first", i, rep.Verdicts[i].PushedAt, i-1, rep.Verdicts[i-1].PushedAt)
		}
	}
	if !strings.HasSuffix(rep.PolicySource, "ecr-replication-source-us-east-1.template.json: AWS::ECR::Repository ProductionRepository3F8C6E52") {
		t.Errorf("policySource = %q; want the source stack's template and resource (the replica stack defines the repository too)", rep.PolicySource)
	}
	if rep.Repository != "enterprise-apps/production" || rep.PricePerGBMonth != 0.10 || !rep.EvaluatedAt.Equal(now) {
		t.Errorf("report header = %q, price %v, at %v; want the flags' values", rep.Repository, rep.PricePerGBMonth, rep.EvaluatedAt)
	}
}

func TestProductionFixtureTable(t *testing.T) {
	code, stdout, stderr := runCmd(t,
		"--images", fixture("describe-images-production.json"),
		"--cdk-out", fixture("cdk-out"), "--repository", "enterprise-apps/production",
		"--now", fixedNow, "--price-per-gb-month", "0.5")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit = %d, stderr = %q; want 0 and no output on stderr", code, stderr)
	}

	lines := strings.Split(stdout, "\n")
	header := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "TAGS") {
			header = i
		}
	}
	if header < 0 {
		t.Fatalf("no TAGS header in:\n%s", stdout)
	}
	for _, col := range []string{"TAGS", "PUSHED", "LAST PULL", "SIZE", "VERDICT", "RULE", "REASON"} {
		if !strings.Contains(lines[header], col) {
			t.Errorf("header %q lacks column %s", lines[header], col)
		}
	}
	row := func(tag string) string {
		for _, l := range lines[header+1:] {
			if strings.HasPrefix(l, tag+" ") || strings.HasPrefix(l, tag+",") {
				return l
			}
		}
		t.Fatalf("no row for %s in:\n%s", tag, stdout)
		return ""
	}
	first := lines[header+1]
	if !strings.HasPrefix(first, "<untagged sha256:") || !strings.Contains(first, "2026-11-20 06:00") {
		t.Errorf("first row = %q; want the newest image (untagged, pushed 2026-11-20 06:00)", first)
	}
	for tag, want := range map[string][]string{
		"prod-1.3.0":         {"2026-10-15 10:00", "212.6 MiB", " expire ", " 1 ", "11th newest"},
		"prod-1.12.0,latest": {"2026-11-20 11:58", " kept ", "the newest of 13"},
		"prod-1.1.0":         {" never ", " expire "},
		"prod-0.9.0":         {"(archived)", " kept "},
	} {
		r := row(tag)
		for _, w := range want {
			if !strings.Contains(r, w) {
				t.Errorf("row for %s = %q; want it to contain %q", tag, r, w)
			}
		}
	}

	images := readFixtureImages(t, "describe-images-production.json")
	now, _ := time.Parse(time.RFC3339, fixedNow)
	var n int
	var bytesGone int64
	for digest := range productionOracle(t, images, now) {
		for _, im := range images {
			if im.Digest == digest {
				n++
				bytesGone += im.Size
			}
		}
	}
	gb := float64(bytesGone) / (1 << 30)
	for _, w := range []string{
		fmt.Sprintf("Images: %d (kept %d, expire %d, transition 0)", len(images), len(images)-n, n),
		fmt.Sprintf("Would delete: %d images, %s (%s bytes)", n, humanBytes(bytesGone), groupDigits(bytesGone)),
		fmt.Sprintf("Storage saved: %.2f GB x $0.50 per GB-month = $%.2f per month", gb, gb*0.5),
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, stdout)
		}
	}
}

func TestTestingFixtureWithPolicyFile(t *testing.T) {
	rep := runJSON(t,
		"--images", fixture("describe-images-testing.json"),
		"--policy", fixture("policy-testing.json"),
		"--repository", "enterprise-apps/testing", "--now", fixedNow)
	cases := []struct {
		tag, verdict string
		rule         int
		reason       string
	}{
		{"test-103", "kept", 0, "5th newest of 7 images tagged test*"},
		{"test-102", "expire", 1, "6th newest of 7 images tagged test*"},
		{"test-101", "expire", 1, "7th newest of 7 images tagged test*"},
		{"dev-a3", "kept", 0, "3rd newest of 3 images tagged dev*"}, // 20 days old, kept by the dev rule
		{"staging-2026.11.05", "kept", 0, "2nd newest of 2 images tagged staging*"},
		{"feature-x", "expire", 4, "pushed 9 days ago, more than 7 days ago"},
		{"pr-123", "kept", 0, "not more than 7 days ago"},
	}
	for _, tc := range cases {
		v := byTag(t, rep, tc.tag)
		if v.Verdict != tc.verdict || v.RulePriority != tc.rule || !strings.Contains(v.Reason, tc.reason) {
			t.Errorf("%s: %s by rule %d (%s); want %s by rule %d, reason containing %q", tc.tag, v.Verdict, v.RulePriority, v.Reason, tc.verdict, tc.rule, tc.reason)
		}
	}
	// Epoch-second timestamps, including fractional ones, are read exactly.
	if v := byTag(t, rep, "test-107"); !v.PushedAt.Equal(time.Date(2026, 11, 20, 9, 15, 0, 250e6, time.UTC)) {
		t.Errorf("test-107 pushedAt = %s; want 2026-11-20T09:15:00.25Z", v.PushedAt)
	}
	var untagged []string
	for _, v := range rep.Verdicts {
		if len(v.Tags) == 0 {
			untagged = append(untagged, v.Verdict)
		}
	}
	if !reflect.DeepEqual(untagged, []string{"kept", "expire"}) {
		t.Errorf("untagged verdicts newest first = %v; want [kept expire] (2 and 10 days old)", untagged)
	}
	if rep.Totals.Expired != 4 || rep.Totals.Kept != 12 {
		t.Errorf("totals = %+v; want 4 expired, 12 kept", rep.Totals)
	}
}

// TestRecipePolicyNeverExpiresProductionImages runs the recipe's policy
// (["prod", "release"] in one list) on the production fixture: no prod* or
// release* image is selected, so none expires, only untagged ones do.
func TestRecipePolicyNeverExpiresProductionImages(t *testing.T) {
	rep := runJSON(t, "--images", fixture("describe-images-production.json"), "--policy", fixture("policy-recipe-production.json"), "--now", fixedNow)
	for _, v := range rep.Verdicts {
		if len(v.Tags) > 0 && v.Verdict != "kept" {
			t.Errorf("recipe policy: %v %s (%s); want every tagged image kept", v.Tags, v.Verdict, v.Reason)
		}
	}
	if v := byTag(t, rep, "prod-1.1.0"); v.Reason != "kept: no rule selects tagged images without tags matching all of prod*, release*" {
		t.Errorf("prod-1.1.0 reason = %q; want the AND explanation", v.Reason)
	}
	if rep.Totals.Expired != 3 {
		t.Errorf("expired = %d; want the 3 old untagged images", rep.Totals.Expired)
	}
}

func TestGetLifecyclePolicyOutputIsAccepted(t *testing.T) {
	text, _ := lifecycle.TestingProfile{}.Policy().JSON()
	wrapped, _ := json.Marshal(map[string]any{
		"registryId": "111111111111", "repositoryName": "enterprise-apps/testing",
		"lifecyclePolicyText": text, "lastEvaluatedAt": 1794129300.0,
	})
	path := filepath.Join(t.TempDir(), "get-lifecycle-policy.json")
	if err := os.WriteFile(path, wrapped, 0o644); err != nil {
		t.Fatal(err)
	}
	rep := runJSON(t, "--images", fixture("describe-images-testing.json"), "--policy", path, "--now", fixedNow)
	if rep.Totals.Expired != 4 || !strings.HasSuffix(rep.PolicySource, "(lifecyclePolicyText)") {
		t.Errorf("totals %+v from %q; want 4 expired from the wrapped policy", rep.Totals, rep.PolicySource)
	}
}

func TestHelp(t *testing.T) {
	code, stdout, stderr := runCmd(t, "-h")
	if code != exitOK || !strings.HasPrefix(stdout, "usage: lifecycle-preview") || stderr != "" {
		t.Errorf("-h: exit %d, stdout %q, stderr %q; want 0 and the usage on stdout", code, stdout, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	images := fixture("describe-images-production.json")
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"no arguments", nil, []string{
			"lifecycle-preview: --images is required: the output of aws ecr describe-images",
			"lifecycle-preview: give the policy with --policy FILE or --cdk-out DIR --repository NAME",
		}},
		{"both policy sources", []string{"--images", images, "--policy", "p.json", "--cdk-out", "cdk.out", "--repository", "r"},
			[]string{"lifecycle-preview: --policy and --cdk-out both given: use one policy source"}},
		{"cdk-out without repository", []string{"--images", images, "--cdk-out", "cdk.out"},
			[]string{"lifecycle-preview: --cdk-out needs --repository NAME to find the repository's policy"}},
		{"stack without cdk-out", []string{"--images", images, "--policy", "p.json", "--stack", "S"},
			[]string{"lifecycle-preview: --stack only applies with --cdk-out"}},
		{"bad now", []string{"--images", images, "--policy", "p.json", "--now", "2026-11-20"},
			[]string{`lifecycle-preview: --now "2026-11-20" is not an RFC 3339 time such as 2026-11-20T12:00:00Z`}},
		{"negative price", []string{"--images", images, "--policy", "p.json", "--price-per-gb-month", "-0.1"},
			[]string{"lifecycle-preview: --price-per-gb-month -0.1: expected a non-negative price in USD"}},
		{"unknown flag", []string{"--imgs", images}, []string{"lifecycle-preview: flag provided but not defined: -imgs"}},
		{"positional argument", []string{"--images", images, "--policy", "p.json", "extra"},
			[]string{`lifecycle-preview: unexpected argument "extra": every input is given with a flag`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tc.args...)
			if code != exitUsage {
				t.Errorf("exit = %d; want %d", code, exitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout = %q; want nothing", stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w+"\n") {
					t.Errorf("stderr =\n%s\nwant a line %q", stderr, w)
				}
			}
			if !strings.HasSuffix(stderr, "lifecycle-preview: run 'lifecycle-preview -h' for usage\n") {
				t.Errorf("stderr =\n%s\nwant it to end with the usage hint", stderr)
			}
		})
	}
}

func TestInputErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	images := fixture("describe-images-production.json")
	policy := fixture("policy-testing.json")
	cases := []struct {
		name string
		args []string
		want []string // lines of stderr, each prefixed with "lifecycle-preview: "
	}{
		{"malformed describe-images", []string{"--images", fixture("describe-images-malformed.json"), "--policy", policy},
			[]string{"../../testdata/lifecycle/describe-images-malformed.json: not valid describe-images JSON: line 13, column 9: invalid character '}' looking for beginning of object key string"}},
		{"missing images file", []string{"--images", filepath.Join(dir, "nope.json"), "--policy", policy},
			[]string{"cannot read --images: open " + filepath.Join(dir, "nope.json") + ": no such file or directory"}},
		{"not describe-images output", []string{"--images", write("other.json", `{"repositories": []}`), "--policy", policy},
			[]string{filepath.Join(dir, "other.json") + `: no "imageDetails" list: expected the output of aws ecr describe-images`}},
		{"bad image entries", []string{"--images", write("bad.json", `{"imageDetails":[
			{"imageDigest":"sha256:aaaaaaaaaaaaaaaaaaaa","imagePushedAt":"yesterday"},
			{"imageDigest":"sha256:bbbbbbbbbbbbbbbbbbbb","imageTags":"prod-1","imagePushedAt":1}, 
			{"imageTags":["x"],"imageSizeInBytes":-5}]}`), "--policy", policy},
			[]string{
				filepath.Join(dir, "bad.json") + `: imageDetails[0] (sha256:aaaaaaaaaaaa): imagePushedAt: got "yesterday", expected an ISO-8601 timestamp with an offset such as 2026-11-01T10:00:00+00:00`,
				filepath.Join(dir, "bad.json") + `: imageDetails[1]: imageTags: got a JSON string, expected a list of strings`,
				filepath.Join(dir, "bad.json") + `: imageDetails[2]: imageDigest is missing`,
				filepath.Join(dir, "bad.json") + `: imageDetails[2]: imageSizeInBytes: got -5, expected a size in bytes`,
				filepath.Join(dir, "bad.json") + `: imageDetails[2]: imagePushedAt is missing`,
			}},
		{"invalid policy, every problem on its own line", []string{"--images", images, "--policy", fixture("policy-invalid.json")},
			[]string{
				`policy ../../testdata/lifecycle/policy-invalid.json: rule 1 (priority 1): rulePriority: got 1 for the "any" rule, expected the highest priority in the policy (rule 2 has 2)`,
				`policy ../../testdata/lifecycle/policy-invalid.json: rule 2 (priority 2): selection.countNumber: got 0, expected a positive integer`,
			}},
		{"policy is not JSON", []string{"--images", images, "--policy", write("p.json", "rules: []")},
			[]string{"policy " + filepath.Join(dir, "p.json") + ": policy is not valid JSON: invalid character 'r' looking for beginning of value"}},
		{"repository not in cdk.out", []string{"--images", images, "--cdk-out", fixture("cdk-out"), "--repository", "payments/api"},
			[]string{"--repository payments/api: not found in ../../testdata/lifecycle/cdk-out: no AWS::ECR::Repository with that RepositoryName and no AWS::ECR::RepositoryCreationTemplate whose Prefix covers it (searched ecr-replication-replica-us-west-2.template.json, ecr-replication-source-us-east-1.template.json)"}},
		{"stack not in cdk.out", []string{"--images", images, "--cdk-out", fixture("cdk-out"), "--repository", "enterprise-apps/production", "--stack", "Replica"},
			[]string{"--stack Replica: no Replica.template.json in ../../testdata/lifecycle/cdk-out (stacks: ecr-replication-replica-us-west-2, ecr-replication-source-us-east-1)"}},
		{"cdk-out without templates", []string{"--images", images, "--cdk-out", dir, "--repository", "r"},
			[]string{"--cdk-out " + dir + ": no *.template.json files (run cdk synth first)"}},
		{"both inputs bad", []string{"--images", fixture("describe-images-malformed.json"), "--policy", fixture("policy-invalid.json")},
			[]string{"selection.countNumber: got 0", "line 13, column 9"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tc.args...)
			if code != exitInput {
				t.Errorf("exit = %d; want %d\nstderr:\n%s", code, exitInput, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q; want nothing", stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr =\n%s\nwant it to contain %q", stderr, w)
				}
			}
			for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
				if !strings.HasPrefix(line, "lifecycle-preview: ") {
					t.Errorf("stderr line %q lacks the lifecycle-preview: prefix", line)
				}
			}
		})
	}
}

func TestParseAWSTime(t *testing.T) {
	cases := []struct {
		raw  string
		want time.Time
		err  string
	}{
		{`"2026-11-01T10:00:00+00:00"`, time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), ""},
		{`"2026-11-01T05:00:00-05:00"`, time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), ""},
		{`"2026-11-19T08:12:45.123000+00:00"`, time.Date(2026, 11, 19, 8, 12, 45, 123e6, time.UTC), ""},
		{`"2026-11-01T10:00:00Z"`, time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), ""},
		{`1794129300`, time.Date(2026, 11, 8, 9, 15, 0, 0, time.UTC), ""},
		{`1794129300.0`, time.Date(2026, 11, 8, 9, 15, 0, 0, time.UTC), ""},
		{`1794129300.123456`, time.Date(2026, 11, 8, 9, 15, 0, 123456e3, time.UTC), ""},
		{`1.7941293e9`, time.Date(2026, 11, 8, 9, 15, 0, 0, time.UTC), ""},
		{`null`, time.Time{}, ""},
		{``, time.Time{}, ""},
		{`"2026-11-01 10:00:00"`, time.Time{}, `got "2026-11-01 10:00:00", expected an ISO-8601 timestamp with an offset`},
		{`true`, time.Time{}, "got true, expected an ISO-8601 timestamp or epoch seconds"},
		{`12abc`, time.Time{}, "got 12abc, expected epoch seconds"},
	}
	for _, tc := range cases {
		got, err := parseAWSTime(json.RawMessage(tc.raw))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseAWSTime(%s) error = %v; want %q", tc.raw, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseAWSTime(%s) = %v, %v; want %v", tc.raw, got, err, tc.want)
		}
	}
}

func TestHumanBytesAndDigits(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 512: "512 B", 1024: "1.0 KiB", 12897485: "12.3 MiB", 1 << 30: "1.0 GiB", 3 << 40: "3.0 TiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q; want %q", n, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1371432547: "1,371,432,547", -1234: "-1,234"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q; want %q", n, got, want)
		}
	}
}

func TestSavingsUseGiBAndThePrice(t *testing.T) {
	rep := buildReport(options{price: 0.25, now: time.Now()}, "p", []lifecycle.Verdict{
		{Image: lifecycle.Image{Digest: "a", SizeBytes: 3 << 30}, Action: lifecycle.ActionExpire, RulePriority: 1},
		{Image: lifecycle.Image{Digest: "b", SizeBytes: 1 << 30}, Action: lifecycle.ActionTransition, TargetStorageClass: lifecycle.StorageArchive, RulePriority: 2},
		{Image: lifecycle.Image{Digest: "c", SizeBytes: 1 << 30}},
	})
	want := totals{Images: 3, Kept: 1, Expired: 1, Transitioned: 1, ExpiredBytes: 3 << 30, TransitionedBytes: 1 << 30, ExpiredGB: 3, MonthlySavingsUSD: 0.75}
	if math.Abs(rep.Totals.MonthlySavingsUSD-0.75) > 1e-12 {
		t.Errorf("savings = %v; want 3 GB x $0.25 = 0.75", rep.Totals.MonthlySavingsUSD)
	}
	rep.Totals.MonthlySavingsUSD = want.MonthlySavingsUSD
	if rep.Totals != want {
		t.Errorf("totals = %+v; want %+v", rep.Totals, want)
	}
}

func TestWarningsDoNotFailTheRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "page.json")
	doc := `{"imageDetails":[
		{"repositoryName":"enterprise-apps/testing","imageDigest":"sha256:1","imageTags":["test-1"],"imageSizeInBytes":10,"imagePushedAt":"2026-11-19T10:00:00+00:00","imageStatus":"ACTIVATING"},
		{"repositoryName":"enterprise-apps/testing","imageDigest":"sha256:2","imageSizeInBytes":20,"imagePushedAt":1794129300}
	],"nextToken":"eyJ0b2tlbiI6IDJ9"}`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, "--images", path, "--policy", fixture("policy-testing.json"), "--repository", "enterprise-apps/production", "--now", fixedNow, "--json")
	if code != exitOK {
		t.Fatalf("exit = %d; want 0\n%s", code, stderr)
	}
	for _, w := range []string{
		`lifecycle-preview: warning: ` + path + `: imageDetails[0] (sha256:1): imageStatus "ACTIVATING" is treated as standard storage`,
		`lifecycle-preview: warning: ` + path + ` has a nextToken: it is one page of describe-images output, and count-based verdicts need every image of the repository`,
		`lifecycle-preview: warning: ` + path + ` lists images of enterprise-apps/testing, not of --repository enterprise-apps/production`,
	} {
		if !strings.Contains(stderr, w+"\n") {
			t.Errorf("stderr =\n%s\nwant a line %q", stderr, w)
		}
	}
	var rep report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Totals.Expired != 1 {
		t.Errorf("stdout is not the JSON report (err %v) or totals %+v; want 1 expired (the 10-day-old untagged image)", err, rep.Totals)
	}
}
