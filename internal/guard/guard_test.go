package guard

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The fixtures: resources shaped as the app synthesizes them today, and the same resources
// with the fixes the README's AWS Control Tower table gives.
var (
	failsTemplate  = filepath.Join("testdata", "fails.template.json")
	passesTemplate = filepath.Join("testdata", "passes.template.json")
)

// failsFindings are the findings of cfn-guard 3.1.1 and the rules of the npm package
// @cdklabs/cdk-validator-cfnguard 0.0.62 over testdata/fails.template.json: the twelve controls
// the app's templates fail (four by default, eight more on the lifecycle trail).
func failsFindings(template string) []Finding {
	return []Finding{
		{template, "CT.CLOUDTRAIL.PR.1", "Trail", "Require an AWS CloudTrail trail to have encryption at rest activated", ""},
		{template, "CT.CLOUDTRAIL.PR.3", "Trail", "Require an AWS CloudTrail trail to have an Amazon CloudWatch log group configuration", ""},
		{template, "CT.CLOUDWATCH.PR.2", "EventLog", "Require an Amazon CloudWatch log group to be retained for at least one year", ""},
		{template, "CT.CLOUDWATCH.PR.3", "EventLog", "Require an Amazon CloudWatch log group to be encrypted at rest with an AWS KMS key", ""},
		{template, "CT.ECR.PR.3", "TestingRepository", "Require Amazon ECR private repositories to have tag immutability enabled", ""},
		{template, "CT.KMS.PR.3", "NotificationsKey", "Require an AWS KMS key policy to have a statement that limits creation of AWS KMS grants to AWS services", ""},
		{template, "CT.S3.PR.10", "TrailBucket", "Require an Amazon S3 bucket to have server-side encryption configured using an AWS KMS key", ""},
		{template, "CT.S3.PR.2", "TrailBucket", "Require an Amazon S3 bucket to have server access logging configured", ""},
		{template, "CT.S3.PR.3", "TrailBucket", "Require an Amazon S3 buckets to have versioning configured and a lifecycle policy", ""},
		{template, "CT.S3.PR.4", "TrailBucket", "Require an Amazon S3 bucket to have event notifications configured", ""},
		{template, "CT.S3.PR.6", "TrailBucket", "Require an Amazon S3 bucket to have lifecycle policies configured", ""},
		{template, "CT.S3.PR.9", "TrailBucket", "Require that an Amazon S3 bucket has S3 Object Lock activated", ""},
	}
}

// withoutFix returns the findings with Fix emptied, after checking that each has one.
func withoutFix(t *testing.T, fs []Finding) []Finding {
	t.Helper()
	out := make([]Finding, len(fs))
	for i, f := range fs {
		if f.Fix == "" {
			t.Errorf("%s: no remediation text", f)
		}
		f.Fix = ""
		out[i] = f
	}
	return out
}

// TestCheckReportsEachFailingControl runs cfn-guard over both fixtures: the first fails exactly
// the twelve controls, each on its resource; the fixed one fails none.
func TestCheckReportsEachFailingControl(t *testing.T) {
	r := Require(t)
	findings, err := r.Check([]string{failsTemplate, passesTemplate})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := withoutFix(t, findings), failsFindings(failsTemplate); !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", lines(got), lines(want))
	}
	for _, f := range findings {
		if f.Control == "CT.ECR.PR.3" && f.Fix != "Set 'ImageTagMutability' to 'IMMUTABLE'." {
			t.Errorf("CT.ECR.PR.3 remediation %q", f.Fix)
		}
	}
	if got, want := Controls(findings), []string{"CT.CLOUDTRAIL.PR.1", "CT.CLOUDTRAIL.PR.3", "CT.CLOUDWATCH.PR.2",
		"CT.CLOUDWATCH.PR.3", "CT.ECR.PR.3", "CT.KMS.PR.3", "CT.S3.PR.10", "CT.S3.PR.2", "CT.S3.PR.3",
		"CT.S3.PR.4", "CT.S3.PR.6", "CT.S3.PR.9"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Controls = %v, want %v", got, want)
	}
}

// TestSelectedRulesFindWhatEveryRuleFinds: running only the rules of each template's resource
// types gives the findings of all 237 rules.
func TestSelectedRulesFindWhatEveryRuleFinds(t *testing.T) {
	r := Require(t)
	paths := []string{failsTemplate, passesTemplate}
	all, err := r.check(paths, true)
	if err != nil {
		t.Fatal(err)
	}
	selected, err := r.check(paths, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(selected, all) {
		t.Errorf("selected rules:\n%s\nevery rule:\n%s", lines(selected), lines(all))
	}
	jobs, err := r.plan(paths, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if n := len(j.rules); n == 0 || n >= len(r.rules)/4 {
			t.Errorf("%v: %d of %d rules selected; want a few", j.templates, n, len(r.rules))
		}
	}
}

// TestCheckTemplatesNamesFindingsByTemplate checks decoded templates under names that are not
// file names, and reports them by those names.
func TestCheckTemplatesNamesFindingsByTemplate(t *testing.T) {
	r := Require(t)
	var fails, passes map[string]any
	for path, v := range map[string]*map[string]any{failsTemplate: &fails, passesTemplate: &passes} {
		if err := readJSON(path, v); err != nil {
			t.Fatal(err)
		}
	}
	findings, err := r.CheckTemplates(t.TempDir(), map[string]any{"variant/fails": fails, "variant/passes": passes})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := withoutFix(t, findings), failsFindings("variant/fails"); !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", lines(got), lines(want))
	}
}

// TestLocateChecksThePinnedVersion: Locate refuses a missing package and one that is not the
// version package.json pins, naming both versions.
func TestLocateChecksThePinnedVersion(t *testing.T) {
	root := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sub := filepath.Join(root, "internal", "guard")
	write(filepath.Join(root, "package.json"), `{"devDependencies": {"`+NPMPackage+`": "0.0.62"}}`)
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Locate(sub); err == nil || !strings.Contains(err.Error(), NPMPackage+" is not installed") {
		t.Errorf("Locate without node_modules: %v; want 'is not installed'", err)
	}
	write(filepath.Join(root, "node_modules", NPMPackage, "package.json"), `{"version": "0.0.61"}`)
	if _, err := Locate(sub); err == nil || !strings.Contains(err.Error(), "node_modules has "+NPMPackage+" 0.0.61, package.json pins 0.0.62") {
		t.Errorf("Locate with another version: %v; want both versions named", err)
	}
	write(filepath.Join(root, "package.json"), `{"devDependencies": {}}`)
	if _, err := Locate(sub); err == nil || !strings.Contains(err.Error(), "does not pin "+NPMPackage) {
		t.Errorf("Locate without the devDependency: %v", err)
	}
}

// TestParse turns a structured cfn-guard result (the shape cfn-guard 3.1.1 writes, cut down)
// into findings, and refuses output that names an unknown rule or leaves a template out.
func TestParse(t *testing.T) {
	r := &Rules{rules: []rule{{name: "ecr_private_tag_immutability_enabled_check", control: "CT.ECR.PR.3", title: "metadata title"}}}
	out := `[{"name": "a.json", "status": "FAIL", "not_compliant": [{"Rule": {"name": "ecr_private_tag_immutability_enabled_check",
	  "messages": {"custom_message": null},
	  "checks": [{"Rule": {"name": "check", "messages": {"custom_message": "\n  [CT.ECR.PR.3]: Require immutability\n  [FIX]: Set it.\n  "},
	    "checks": [{"Clause": {"Binary": {"messages": {"custom_message": "", "error_message": "Path=/Resources/Other/Properties"},
	      "check": {"Resolved": {"from": {"path": "/Resources/Repo/Properties/ImageTagMutability", "value": "MUTABLE"},
	        "to": {"path": "", "value": "IMMUTABLE"}}}}}},
	      {"Clause": {"Unary": {"check": {"UnResolved": {"value": {"traversed_to": {"path": "/Resources/Repo2/Properties"}}}}}}}]}}]}}]},
	 {"name": "b.json", "status": "PASS", "not_compliant": []}]`
	got, err := r.parse([]byte(out), []string{"a.json", "b.json"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{
		{"a.json", "CT.ECR.PR.3", "Repo", "Require immutability", "Set it."},
		{"a.json", "CT.ECR.PR.3", "Repo2", "Require immutability", "Set it."},
	}
	if got = sortFindings(got); !reflect.DeepEqual(got, want) {
		t.Errorf("parse:\n%s\nwant:\n%s", lines(got), lines(want))
	}
	if _, err := r.parse([]byte(out), []string{"a.json", "b.json", "c.json"}); err == nil || !strings.Contains(err.Error(), "nothing for c.json") {
		t.Errorf("a template without a result: %v", err)
	}
	unknown := strings.Replace(out, `"name": "ecr_private_tag_immutability_enabled_check"`, `"name": "other_check"`, 1)
	if _, err := r.parse([]byte(unknown), []string{"a.json", "b.json"}); err == nil || !strings.Contains(err.Error(), `rule "other_check"`) {
		t.Errorf("an unknown rule: %v", err)
	}
	noMessage := strings.Replace(out, "[CT.ECR.PR.3]: Require immutability", "", 1)
	if fs, err := r.parse([]byte(noMessage), []string{"a.json", "b.json"}); err != nil || fs[0].Message != "metadata title" {
		t.Errorf("without the rule's message: %v, %v; want the metadata title", fs, err)
	}
}

// lines renders findings one per line, for messages.
func lines(fs []Finding) string {
	b, _ := json.MarshalIndent(fs, "", " ")
	return string(b)
}
