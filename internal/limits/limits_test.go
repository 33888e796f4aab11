package limits

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func template(t *testing.T, resources map[string]any, outputs int) []byte {
	t.Helper()
	out := map[string]any{}
	for i := 0; i < outputs; i++ {
		out[fmt.Sprintf("O%d", i)] = map[string]any{"Value": "x"}
	}
	b, err := json.Marshal(map[string]any{"Resources": resources, "Outputs": out, "Parameters": map[string]any{"BootstrapVersion": map[string]any{}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMeasureAndProblems(t *testing.T) {
	resources := map[string]any{}
	for i := 0; i < 501; i++ {
		resources[fmt.Sprintf("R%d", i)] = map[string]any{"Type": "AWS::SNS::Topic"}
	}
	big := strings.Repeat("x", 10_300)
	resources["Policy"] = map[string]any{"Type": "AWS::IAM::Policy", "Properties": map[string]any{
		"PolicyDocument": map[string]any{"Statement": []any{map[string]any{"Sid": big}}}, "Roles": []any{map[string]any{"Ref": "Role"}}}}
	var ws []string
	for i := 0; i < 501; i++ {
		ws = append(ws, `{"type":"metric","properties":{}}`)
	}
	resources["Dash"] = map[string]any{"Type": "AWS::CloudWatch::Dashboard", "Properties": map[string]any{
		"DashboardBody": map[string]any{"Fn::Join": []any{"", []any{`{"widgets":[` + strings.Join(ws, ",") + `],"x":"`, map[string]any{"Ref": "AWS::Region"}, `"}`}}}}}
	u, err := Measure(template(t, resources, 201))
	if err != nil {
		t.Fatal(err)
	}
	if u.Resources != 503 || u.Outputs != 201 || u.Parameters != 1 || u.MostDashboardWidgets != 501 || u.LargestInlinePolicies < 10_300 {
		t.Fatalf("usage %+v", u)
	}
	got := strings.Join(u.Problems("S"), "\n")
	for _, want := range []string{"S: the number of resources is 503, over the limit of 500", "outputs is 201", "widgets of one dashboard is 501", "inline policies (characters)"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	small, _ := Measure(template(t, map[string]any{"A": map[string]any{"Type": "AWS::SNS::Topic"}}, 1))
	if p := small.Problems("S"); len(p) != 0 {
		t.Errorf("a small template has problems: %v", p)
	}
	if _, err := Measure([]byte("not json")); err == nil {
		t.Error("Measure accepted a body that is not JSON")
	}
}
