// Package limits checks synthesized CloudFormation templates against the AWS limits a
// deployment hits at fleet scale, so that the app refuses at synth what CloudFormation or IAM
// would refuse at deploy: a template body of at most 1,000,000 bytes (uploaded through S3),
// 500 resources, 200 outputs and 200 parameters per stack
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html);
// an IAM role's inline policies together at most 10,240 characters and a managed policy at
// most 6,144 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html);
// and at most 500 widgets per CloudWatch dashboard
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
package limits

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// The limits checked.
const (
	MaxTemplateBytes        = 1_000_000
	MaxResources            = 500
	MaxOutputs              = 200
	MaxParameters           = 200
	MaxInlinePolicyChars    = 10_240
	MaxManagedPolicyChars   = 6_144
	MaxManagedPoliciesRole  = 10
	MaxDashboardWidgets     = 500
	widgetMarker            = `"type":"`
	dashboardBodyJoinMarker = "Fn::Join"
)

// Usage is what one template uses of each limit.
type Usage struct {
	Bytes, Resources, Outputs, Parameters int
	// LargestInlinePolicies is the largest total of one role's inline policies (characters of
	// the policy documents as synthesized, whitespace removed); LargestManagedPolicy likewise.
	LargestInlinePolicies, LargestManagedPolicy int
	// MostManagedPolicies is the largest number of this template's managed policies attached
	// to one role.
	MostManagedPolicies int
	// MostDashboardWidgets is the largest number of widgets of one dashboard.
	MostDashboardWidgets int
}

// Measure reads a synthesized template (the JSON `cdk synth` writes) and reports its usage.
func Measure(raw []byte) (Usage, error) {
	var t struct {
		Resources  map[string]map[string]any
		Outputs    map[string]any
		Parameters map[string]any
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return Usage{}, err
	}
	u := Usage{Bytes: len(raw), Resources: len(t.Resources), Outputs: len(t.Outputs), Parameters: len(t.Parameters)}
	inline := map[string]int{}
	managed := map[string]int{}
	for _, r := range t.Resources {
		props, _ := r["Properties"].(map[string]any)
		switch r["Type"] {
		case "AWS::IAM::Policy":
			n := compactLen(props["PolicyDocument"])
			for _, role := range asSlice(props["Roles"]) {
				inline[key(role)] += n
			}
		case "AWS::IAM::ManagedPolicy":
			if n := compactLen(props["PolicyDocument"]); n > u.LargestManagedPolicy {
				u.LargestManagedPolicy = n
			}
			for _, role := range asSlice(props["Roles"]) {
				managed[key(role)]++
			}
		case "AWS::IAM::Role":
			for _, p := range asSlice(props["Policies"]) {
				pm, _ := p.(map[string]any)
				inline["role-inline"] += compactLen(pm["PolicyDocument"])
			}
		case "AWS::CloudWatch::Dashboard":
			if n := widgets(flatten(props["DashboardBody"])); n > u.MostDashboardWidgets {
				u.MostDashboardWidgets = n
			}
		}
	}
	for _, n := range inline {
		u.LargestInlinePolicies = max(u.LargestInlinePolicies, n)
	}
	for _, n := range managed {
		u.MostManagedPolicies = max(u.MostManagedPolicies, n)
	}
	return u, nil
}

// Problems returns one sentence per limit the usage exceeds, naming the stack.
func (u Usage) Problems(stack string) []string {
	var out []string
	check := func(what string, got, limit int, fix string) {
		if got > limit {
			out = append(out, fmt.Sprintf("%s: %s is %d, over the limit of %d; %s", stack, what, got, limit, fix))
		}
	}
	check("the template body (bytes)", u.Bytes, MaxTemplateBytes, "fewer repositories per stack, or fewer destination regions")
	check("the number of resources", u.Resources, MaxResources, "fewer repositories per stack (each is one resource in every region), or fewer watched repositories (activityAlarmRepositories)")
	check("the number of outputs", u.Outputs, MaxOutputs, "this is a bug: outputs are bounded")
	check("the number of parameters", u.Parameters, MaxParameters, "this is a bug")
	check("one role's inline policies (characters)", u.LargestInlinePolicies, MaxInlinePolicyChars, "grant by namespace")
	check("a managed policy (characters)", u.LargestManagedPolicy, MaxManagedPolicyChars, "grant by namespace")
	check("the managed policies of one role", u.MostManagedPolicies, MaxManagedPoliciesRole, "grant by namespace")
	check("the widgets of one dashboard", u.MostDashboardWidgets, MaxDashboardWidgets, "fewer watched repositories")
	sort.Strings(out)
	return out
}

// widgets counts a dashboard body's widgets: its "widgets" array when the body (with
// intrinsics flattened to empty strings) parses, else the widget type markers.
func widgets(body string) int {
	var b struct {
		Widgets []json.RawMessage `json:"widgets"`
	}
	if json.Unmarshal([]byte(body), &b) == nil {
		return len(b.Widgets)
	}
	return strings.Count(body, widgetMarker)
}

func compactLen(v any) int {
	b, _ := json.Marshal(v)
	return len(b)
}

func key(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// flatten renders a DashboardBody (a string, or a Fn::Join of strings and intrinsics) as text.
func flatten(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if j, ok := x[dashboardBodyJoinMarker].([]any); ok && len(j) == 2 {
			var b strings.Builder
			for _, part := range asSlice(j[1]) {
				b.WriteString(flatten(part))
			}
			return b.String()
		}
	}
	return ""
}
