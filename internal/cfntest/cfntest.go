// Package cfntest holds test helpers for synthesized CloudFormation templates: plain-Go access to
// a template's resources (one jsii call per template instead of one per assertion), a recover
// wrapper for jsii assertions, cfn-lint runs grouped by region, and the monitoring checks that
// every template must pass: every alarm has an action (AlarmsWithoutActions), alarms and
// dashboards use only metrics AWS publishes or a metric filter of the template produces
// (UnpublishedMetrics, DashboardWidgets), and the event patterns of its rules (EventRules),
// for internal/eventpattern to match against sample events.
//
// The package works on decoded JSON only and imports no jsii package.
package cfntest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Template is a synthesized CloudFormation template decoded into Go values.
type Template map[string]any

// Resource is one resource of a template.
type Resource struct {
	LogicalID  string
	Type       string
	Properties map[string]any
	Raw        map[string]any
}

// FromValue converts a template as returned by assertions.Template.ToJSON into a Template.
func FromValue(v any) Template {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var t Template
	if err := json.Unmarshal(b, &t); err != nil {
		panic(err)
	}
	return t
}

// Resources returns the resources of the given type ("" for all), sorted by logical id.
func (t Template) Resources(typ string) []Resource {
	res, _ := t["Resources"].(map[string]any)
	var out []Resource
	for id, v := range res {
		r, _ := v.(map[string]any)
		rt, _ := r["Type"].(string)
		if typ != "" && rt != typ {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		out = append(out, Resource{LogicalID: id, Type: rt, Properties: props, Raw: r})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LogicalID < out[j].LogicalID })
	return out
}

// Outputs returns the template's outputs by name.
func (t Template) Outputs() map[string]map[string]any {
	out := map[string]map[string]any{}
	o, _ := t["Outputs"].(map[string]any)
	for k, v := range o {
		out[k], _ = v.(map[string]any)
	}
	return out
}

// JSON renders v compactly, for messages and substring checks.
func JSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// ExpectOK runs f, turning a panic (how jsii reports a failed assertion) into a test error so
// the remaining subtests still run.
func ExpectOK(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("unexpected panic: %v", r)
		}
	}()
	f()
}

// ExpectPanic runs f and fails unless it panics with a message containing every fragment.
func ExpectPanic(t *testing.T, f func(), fragments ...string) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("expected a panic mentioning %q, got none", fragments)
			return
		}
		msg := fmt.Sprint(r)
		for _, f := range fragments {
			if !strings.Contains(msg, f) {
				t.Errorf("panic %q does not mention %q", msg, f)
			}
		}
	}()
	f()
}

// LintFile is one template to lint, with the region its stack deploys to.
type LintFile struct {
	Name     string
	Region   string
	Template Template
}

// RequireTool returns the path of an external tool a test needs (cfn-lint, moto_server). When
// the tool is missing, the test fails naming it, except under `go test -short`, where it is
// skipped with a message saying so: `make unit` may leave the tools out, `make test` and CI
// may not.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if testing.Short() {
		t.Skipf("skipped with -short: this test needs %s, which is not on PATH", name)
	}
	t.Fatalf("this test needs %s, which is not on PATH (%v); install it or run go test -short to skip the tests that need it", name, err)
	return ""
}

// CfnLint runs cfn-lint over every file, each against its own stack's region, and fails the
// test on any error or warning, printing cfn-lint's findings, except the one finding cfn-lint
// 1.51 is wrong about ([KnownSchemaGap]). Each file carries its region in the template-level
// cfn-lint configuration (Metadata "cfn-lint": {"config": {"regions": [...]}}, which cfn-lint
// reads per template), so that two cfn-lint processes lint everything: most of cfn-lint's time
// is its start-up, and one process per region cost more than the linting itself.
func CfnLint(t testing.TB, files []LintFile) {
	t.Helper()
	lint := RequireTool(t, "cfn-lint")
	dir := t.TempDir()
	var paths []string
	templates := map[string]Template{}
	for _, f := range files {
		path := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(f.Name)+".template.json")
		b, err := json.MarshalIndent(WithLintRegion(f.Template, f.Region), "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
		templates[path] = f.Template
	}
	sort.Strings(paths)
	// Two processes at a time (cfn-lint is single-threaded), each with half of the files.
	halves := [][]string{paths[:len(paths)/2], paths[len(paths)/2:]}
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, part := range halves {
		if len(part) == 0 {
			continue
		}
		wg.Add(1)
		go func(i int, part []string) {
			defer wg.Done()
			cmd := exec.Command(lint, append([]string{"--format", "json", "--"}, part...)...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			outs[i], errs[i] = cmd.Output()
			if stderr.Len() > 0 {
				errs[i] = fmt.Errorf("%v: %s", errs[i], stderr.String())
			}
		}(i, part)
	}
	wg.Wait()
	for i := range halves {
		if len(halves[i]) == 0 {
			continue
		}
		findings, err := parseLintFindings(outs[i])
		if err != nil || (errs[i] != nil && len(findings) == 0) {
			t.Errorf("cfn-lint did not report (%v, %v):\n%s", errs[i], err, outs[i])
			continue
		}
		for _, f := range findings {
			if !KnownSchemaGap(f, templates[f.Filename]) {
				t.Errorf("cfn-lint: %s", f)
			}
		}
	}
}

// LintFinding is one finding of cfn-lint's JSON output.
type LintFinding struct {
	Filename string
	Level    string
	Message  string
	Rule     struct{ Id string }
	Location struct{ Path []any }
}

// String renders the finding as cfn-lint's parseable format does, with the path.
func (f LintFinding) String() string {
	return fmt.Sprintf("%s: %s %s %s at %v", filepath.Base(f.Filename), f.Level, f.Rule.Id, f.Message, f.Location.Path)
}

// parseLintFindings reads cfn-lint's --format json output (an empty output is no finding).
func parseLintFindings(out []byte) ([]LintFinding, error) {
	if len(strings.TrimSpace(string(out))) == 0 {
		return nil, nil
	}
	var findings []LintFinding
	err := json.Unmarshal(out, &findings)
	return findings, err
}

// KnownSchemaGap reports whether f is exactly the finding cfn-lint 1.51 is wrong about:
// E3002 "Additional properties are not allowed ('DeleteReplication' was unexpected)" at
// Resources/<id>/Properties/ReplicationConfiguration/Rules/<n>/DeleteReplication of an
// AWS::ECR::ReplicationConfiguration. CloudFormation documents the property
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecr-replicationconfiguration-deletereplication.html);
// cfn-lint 1.51's bundled schema predates it. Any other finding, or this one anywhere else, is
// not a gap.
func KnownSchemaGap(f LintFinding, tmpl Template) bool {
	p := f.Location.Path
	if f.Rule.Id != "E3002" || f.Message != "Additional properties are not allowed ('DeleteReplication' was unexpected)" || len(p) != 7 {
		return false
	}
	id, _ := p[1].(string)
	_, index := p[5].(float64)
	if p[0] != "Resources" || p[2] != "Properties" || p[3] != "ReplicationConfiguration" || p[4] != "Rules" || !index || p[6] != "DeleteReplication" {
		return false
	}
	res, _ := tmpl["Resources"].(map[string]any)
	r, _ := res[id].(map[string]any)
	return r["Type"] == "AWS::ECR::ReplicationConfiguration"
}

// WithLintRegion returns a copy of the template whose top-level Metadata tells cfn-lint the
// region to lint it against (keeping any other cfn-lint configuration of the template).
func WithLintRegion(t Template, region string) Template {
	out := Template{}
	for k, v := range t {
		out[k] = v
	}
	meta := map[string]any{}
	if m, ok := t["Metadata"].(map[string]any); ok {
		for k, v := range m {
			meta[k] = v
		}
	}
	lintMeta := map[string]any{}
	if m, ok := meta["cfn-lint"].(map[string]any); ok {
		for k, v := range m {
			lintMeta[k] = v
		}
	}
	config := map[string]any{}
	if m, ok := lintMeta["config"].(map[string]any); ok {
		for k, v := range m {
			config[k] = v
		}
	}
	config["regions"] = []any{region}
	lintMeta["config"] = config
	meta["cfn-lint"] = lintMeta
	out["Metadata"] = meta
	return out
}
