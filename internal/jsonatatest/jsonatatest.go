// Package jsonatatest evaluates the JSONata of synthesized Step Functions definitions in tests,
// with the reference implementation: the npm package jsonata (pinned in package.json, installed by
// `make deps`), run by eval.js in this folder, one Node.js process per batch of cases.
//
// A [Case] is either one expression ({% ... %}) with its $states and workflow variables, or a
// whole execution of a definition with mocked AWS SDK results; eval.js describes the subset of
// the Amazon States Language it interprets. [RunChecks] runs a table of [Check]s and reports
// each as a subtest. [Definition], [At] and [Expr] read a state machine out of a template.
package jsonatatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
)

// Case is one input of eval.js: Expr (with States and Vars), or Run (a definition) with Input
// and Mocks.
type Case struct {
	Expr   string         `json:"expr,omitempty"`
	States map[string]any `json:"states,omitempty"`
	Vars   map[string]any `json:"vars,omitempty"`
	Run    map[string]any `json:"run,omitempty"`
	Input  any            `json:"input,omitempty"`
	Mocks  []Mock         `json:"mocks,omitempty"`
}

// Mock answers one Task call of an execution: a call of Resource with exactly Arguments gets
// Result, or fails with the error name Error (such as "Ecr.ImageNotFoundException").
type Mock struct {
	Resource  string `json:"resource"`
	Arguments any    `json:"arguments"`
	Result    any    `json:"result,omitempty"`
	Error     string `json:"error,omitempty"`
}

// Call is one Task call an execution made.
type Call struct {
	Resource  string `json:"resource"`
	Arguments any    `json:"arguments"`
}

// Result is one output of eval.js: Value (or Undefined, or Error) of an expression; Output,
// Calls and Path (the states visited) of an execution, or its Error.
type Result struct {
	Value     any      `json:"value"`
	Undefined bool     `json:"undefined"`
	Error     string   `json:"error"`
	Output    any      `json:"output"`
	Calls     []Call   `json:"calls"`
	Path      []string `json:"path"`
}

// Check is a named Case with what it must give: Want (an expression's value, compared as JSON),
// or Verify for an execution's Result.
type Check struct {
	Name   string
	Case   Case
	Want   any
	Verify func(t *testing.T, r Result)
}

// RunChecks evaluates every check's case in one Node.js process, then checks each result in a
// subtest of its name.
func RunChecks(t *testing.T, checks []Check) {
	t.Helper()
	cases := make([]Case, len(checks))
	for i, c := range checks {
		cases[i] = c.Case
	}
	results := Run(t, cases)
	for i, c := range checks {
		t.Run(c.Name, func(t *testing.T) {
			r := results[i]
			if c.Verify != nil {
				c.Verify(t, r)
				return
			}
			if r.Error != "" || r.Undefined {
				t.Fatalf("error %q (undefined %v) for %s", r.Error, r.Undefined, c.Case.Expr)
			}
			if !SameJSON(r.Value, c.Want) {
				t.Errorf("got %s\nwant %s\nexpr %s", cfntest.JSON(r.Value), cfntest.JSON(c.Want), c.Case.Expr)
			}
		})
	}
}

// Run evaluates every case in one Node.js process and returns one result per case.
func Run(t *testing.T, cases []Case) []Result {
	t.Helper()
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nodeBinary(t), filepath.Join(here(), "eval.js"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node internal/jsonatatest/eval.js: %v\n%s(the npm package jsonata comes from make deps)", err, stderr.String())
	}
	var results []Result
	if err := json.Unmarshal(out, &results); err != nil || len(results) != len(cases) {
		t.Fatalf("eval.js returned %d results for %d cases (%v): %s", len(results), len(cases), err, out)
	}
	return results
}

// here is this package's folder, where eval.js is (the tests run in their own package's folder).
func here() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// nodeBinary is Node.js from the pinned npm package (make deps), else the one on PATH.
func nodeBinary(t *testing.T) string {
	t.Helper()
	local := filepath.Join(here(), "..", "..", "node_modules", ".bin", "node")
	if _, err := os.Stat(local); err == nil {
		return local
	}
	path, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("Node.js is required to evaluate JSONata (run make deps): %v", err)
	}
	return path
}

// SameJSON compares two values after a JSON round trip (so that numbers compare as float64).
func SameJSON(a, b any) bool {
	norm := func(v any) any {
		raw, _ := json.Marshal(v)
		var out any
		_ = json.Unmarshal(raw, &out)
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// Definition returns the decoded DefinitionString of the only state machine of a template, and
// its DefinitionSubstitutions.
func Definition(t *testing.T, tmpl cfntest.Template) (definition, substitutions map[string]any) {
	t.Helper()
	sms := tmpl.Resources("AWS::StepFunctions::StateMachine")
	if len(sms) != 1 {
		t.Fatalf("%d state machines, want 1", len(sms))
	}
	text, ok := sms[0].Properties["DefinitionString"].(string)
	if !ok {
		t.Fatalf("DefinitionString is not a plain string: %s", cfntest.JSON(sms[0].Properties["DefinitionString"]))
	}
	if err := json.Unmarshal([]byte(text), &definition); err != nil {
		t.Fatalf("DefinitionString is not JSON: %v", err)
	}
	substitutions, _ = sms[0].Properties["DefinitionSubstitutions"].(map[string]any)
	return definition, substitutions
}

// At walks a decoded JSON value along keys (object keys, or decimal indexes of arrays).
func At(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for i, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[k]
			if !ok {
				t.Fatalf("no %q at %s", k, strings.Join(keys[:i], "."))
			}
			v = next
		case []any:
			var n int
			if _, err := fmt.Sscan(k, &n); err != nil || n < 0 || n >= len(x) {
				t.Fatalf("no index %q at %s", k, strings.Join(keys[:i], "."))
			}
			v = x[n]
		default:
			t.Fatalf("cannot index %T with %q at %s", v, k, strings.Join(keys[:i], "."))
		}
	}
	return v
}

// Expr returns the JSONata expression string ({% ... %}) at keys of a definition.
func Expr(t *testing.T, definition map[string]any, keys ...string) string {
	t.Helper()
	s, ok := At(t, definition, keys...).(string)
	if !ok || !strings.HasPrefix(s, "{%") {
		t.Fatalf("%s is not a JSONata expression: %v", strings.Join(keys, "."), At(t, definition, keys...))
	}
	return s
}
