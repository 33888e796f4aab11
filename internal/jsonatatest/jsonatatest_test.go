package jsonatatest

import (
	"reflect"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
)

const listTask = "arn:aws:states:::aws-sdk:ecr:describeRepositories"

// machine lists repositories page by page, counts each one's name length in a Map, and ends
// in a Succeed state when the listing fails with a caught error.
var machine = map[string]any{
	"StartAt": "Start",
	"States": map[string]any{
		"Start": map[string]any{"Type": "Pass", "Assign": map[string]any{"names": []any{}, "token": nil}, "Next": "List"},
		"List": map[string]any{
			"Type": "Task", "Resource": listTask,
			"Arguments": `{% $type($token) = "string" ? {"NextToken": $token} : {} %}`,
			"Assign":    map[string]any{"names": `{% $append($names, [$states.result.Names]) %}`, "token": `{% $states.result.NextToken ? $states.result.NextToken : null %}`},
			"Catch":     []any{map[string]any{"ErrorEquals": []any{"Ecr.ServerException"}, "Next": "Gone"}},
			"Next":      "More",
		},
		"More": map[string]any{"Type": "Choice", "Choices": []any{map[string]any{"Condition": `{% $type($token) = "string" %}`, "Next": "List"}}, "Default": "Count"},
		"Count": map[string]any{
			"Type": "Map", "Items": "{% $names %}",
			"ItemProcessor": map[string]any{"StartAt": "Len", "States": map[string]any{
				"Len": map[string]any{"Type": "Pass", "Output": "{% $length($states.input) %}", "End": true},
			}},
			"Output": `{% {"Total": $sum($states.result)} %}`,
			"End":    true,
		},
		"Gone": map[string]any{"Type": "Succeed"},
	},
}

func TestRunChecks(t *testing.T) {
	RunChecks(t, []Check{
		{Name: "an expression reads $states and variables", Case: Case{Expr: "{% $states.input.a + $b %}", States: map[string]any{"input": map[string]any{"a": 2}}, Vars: map[string]any{"b": 3}}, Want: 5},
		{Name: "an expression returns an object", Case: Case{Expr: `{% {"x": [1, 2]} %}`}, Want: map[string]any{"x": []any{1, 2}}},
		{Name: "an undefined result is reported", Case: Case{Expr: "{% $states.input.missing %}"}, Verify: func(t *testing.T, r Result) {
			if !r.Undefined || r.Error != "" {
				t.Errorf("result %+v; want undefined", r)
			}
		}},
		{Name: "an execution pages, loops, maps and publishes its output", Case: Case{Run: machine, Input: map[string]any{}, Mocks: []Mock{
			{Resource: listTask, Arguments: map[string]any{}, Result: map[string]any{"Names": []any{"ab", "cde"}, "NextToken": "p2"}},
			{Resource: listTask, Arguments: map[string]any{"NextToken": "p2"}, Result: map[string]any{"Names": []any{"f"}}},
		}}, Verify: func(t *testing.T, r Result) {
			if r.Error != "" || !SameJSON(r.Output, map[string]any{"Total": 6}) || len(r.Calls) != 2 ||
				!reflect.DeepEqual(r.Path, []string{"Start", "List", "More", "List", "More", "Count", "Len", "Len", "Len"}) {
				t.Errorf("result %+v", r)
			}
		}},
		{Name: "a caught error goes to the Catch state", Case: Case{Run: machine, Input: map[string]any{}, Mocks: []Mock{
			{Resource: listTask, Arguments: map[string]any{}, Error: "Ecr.ServerException"},
		}}, Verify: func(t *testing.T, r Result) {
			if r.Error != "" || !reflect.DeepEqual(r.Path, []string{"Start", "List", "Gone"}) {
				t.Errorf("result %+v", r)
			}
		}},
		{Name: "a call without a mock fails the execution", Case: Case{Run: machine, Input: map[string]any{}}, Verify: func(t *testing.T, r Result) {
			if r.Error != `no mock for `+listTask+` {}` {
				t.Errorf("error %q", r.Error)
			}
		}},
	})
}

func TestDefinitionAtAndExpr(t *testing.T) {
	tmpl := cfntest.Template{"Resources": map[string]any{"SM": map[string]any{"Type": "AWS::StepFunctions::StateMachine", "Properties": map[string]any{
		"DefinitionString":        `{"States": {"A": {"Output": "{% 1 %}", "List": [10, 20]}}}`,
		"DefinitionSubstitutions": map[string]any{"Partition": "aws"},
	}}}}
	def, subs := Definition(t, tmpl)
	if !SameJSON(subs, map[string]any{"Partition": "aws"}) {
		t.Errorf("substitutions %v", subs)
	}
	if got := At(t, def, "States", "A", "List", "1"); got != 20.0 {
		t.Errorf("At = %v; want 20", got)
	}
	if got := Expr(t, def, "States", "A", "Output"); got != "{% 1 %}" {
		t.Errorf("Expr = %q", got)
	}
	if SameJSON(map[string]any{"a": 1}, map[string]any{"a": 2}) || !SameJSON([]int{1}, []any{1.0}) {
		t.Error("SameJSON compares JSON values")
	}
}
