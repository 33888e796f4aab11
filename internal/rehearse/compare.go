package rehearse

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/acme-platform/ecr-replication/policy"
)

// equalFunc says whether a realized value (got) carries the template's value (want), both
// resolved and decoded, and if not, what differs.
type equalFunc func(want, got any, partition string) (bool, string)

// comparators are the properties not compared by plain equality, by type and property.
var comparators = map[string]map[string]equalFunc{
	"AWS::ECR::Repository": {
		"Tags":                 tagsInclude,
		"RepositoryPolicyText": samePolicy,
		"LifecyclePolicy":      sameLifecyclePolicy,
	},
	"AWS::IAM::Role": {
		"AssumeRolePolicyDocument": samePolicy,
		"Tags":                     tagsInclude,
		"Policies":                 policiesInclude,
		"ManagedPolicyArns":        sameSet,
	},
	"AWS::IAM::Policy":                 {"PolicyDocument": samePolicy, "Roles": sameSet},
	"AWS::KMS::Key":                    {"KeyPolicy": samePolicy, "Tags": tagsInclude},
	"AWS::SNS::Topic":                  {"Tags": tagsInclude},
	"AWS::Events::Rule":                {"EventPattern": sameJSON, "Tags": tagsInclude, "Targets": targetsInclude},
	"AWS::Logs::LogGroup":              {"Tags": tagsInclude},
	"AWS::Logs::ResourcePolicy":        {"PolicyDocument": samePolicy},
	"AWS::StepFunctions::StateMachine": {"DefinitionString": sameJSON, "Tags": tagsInclude},
	"AWS::CloudWatch::Dashboard":       {"DashboardBody": sameJSON},
}

// compareProperty compares one resolved template property with what was read back.
func compareProperty(typ, prop string, want, got any, partition string) (bool, string) {
	if eq, ok := comparators[typ][prop]; ok {
		return eq(want, got, partition)
	}
	return plainEqual(want, got, partition)
}

// plainEqual compares two decoded JSON values after normalizing numbers and booleans written
// as strings (CloudFormation accepts "true" and "30" where the API returns true and 30).
func plainEqual(want, got any, _ string) (bool, string) {
	if reflect.DeepEqual(normalize(want), normalize(got)) {
		return true, ""
	}
	return false, fmt.Sprintf("template %s, realized %s", short(want), short(got))
}

// normalize decodes JSON text, and renders scalars as strings, recursively.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case nil:
		return nil
	}
	return scalar(v)
}

// decodeJSON returns v decoded when it is JSON text, else v.
func decodeJSON(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	var out any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return v
	}
	return out
}

// sameJSON compares JSON text (or decoded JSON) by meaning: key order and spacing aside.
func sameJSON(want, got any, p string) (bool, string) {
	return plainEqual(decodeJSON(want), decodeJSON(got), p)
}

// samePolicy compares two policy documents as IAM means them (policy.SameMeaning).
func samePolicy(want, got any, partition string) (bool, string) {
	if want == nil || got == nil {
		return plainEqual(want, got, partition)
	}
	if policy.SameMeaning(want, got, partition) {
		return true, ""
	}
	w, _ := policy.Canonical(want, partition)
	g, _ := policy.Canonical(got, partition)
	return false, fmt.Sprintf("template %s, realized %s", truncate(w), truncate(g))
}

// sameLifecyclePolicy compares the LifecyclePolicyText of two LifecyclePolicy properties.
func sameLifecyclePolicy(want, got any, p string) (bool, string) {
	text := func(v any) any {
		if m, ok := v.(map[string]any); ok {
			return decodeJSON(m["LifecyclePolicyText"])
		}
		return v
	}
	return plainEqual(text(want), text(got), p)
}

// tagsInclude checks that every template tag is realized with its value (AWS may add tags of
// its own, such as aws:cloudformation:stack-name).
func tagsInclude(want, got any, _ string) (bool, string) {
	have := map[string]string{}
	for _, t := range asList(got) {
		m, _ := t.(map[string]any)
		have[scalar(m["Key"])] = scalar(m["Value"])
	}
	var missing []string
	for _, t := range asList(want) {
		m, _ := t.(map[string]any)
		k, v := scalar(m["Key"]), scalar(m["Value"])
		if g, ok := have[k]; !ok || g != v {
			missing = append(missing, k+"="+v)
		}
	}
	if len(missing) > 0 {
		return false, fmt.Sprintf("tags not realized: %s (realized: %s)", strings.Join(missing, ", "), short(got))
	}
	return true, ""
}

// sameSet compares two lists as sets of scalars.
func sameSet(want, got any, p string) (bool, string) {
	set := func(v any) map[string]bool {
		s := map[string]bool{}
		for _, e := range asList(v) {
			s[scalar(e)] = true
		}
		return s
	}
	if reflect.DeepEqual(set(want), set(got)) {
		return true, ""
	}
	return plainEqual(want, got, p)
}

// policiesInclude checks that every inline policy of the template is on the role with the
// same meaning (the role also carries the policies of AWS::IAM::Policy resources).
func policiesInclude(want, got any, partition string) (bool, string) {
	docs := map[string]any{}
	for _, g := range asList(got) {
		m, _ := g.(map[string]any)
		docs[scalar(m["PolicyName"])] = m["PolicyDocument"]
	}
	for _, w := range asList(want) {
		m, _ := w.(map[string]any)
		name := scalar(m["PolicyName"])
		doc, ok := docs[name]
		if !ok {
			return false, fmt.Sprintf("inline policy %s not realized", name)
		}
		if same, why := samePolicy(m["PolicyDocument"], doc, partition); !same {
			return false, "inline policy " + name + ": " + why
		}
	}
	return true, ""
}

// targetsInclude compares a rule's targets by Id: every property the template gives a target
// must be realized with the same value (JSON text by meaning).
func targetsInclude(want, got any, p string) (bool, string) {
	byID := map[string]map[string]any{}
	for _, g := range asList(got) {
		m, _ := g.(map[string]any)
		byID[scalar(m["Id"])] = m
	}
	for _, w := range asList(want) {
		m, _ := w.(map[string]any)
		id := scalar(m["Id"])
		g, ok := byID[id]
		if !ok {
			return false, fmt.Sprintf("target %s not realized (realized: %s)", id, short(got))
		}
		for k, v := range m {
			if same, why := sameJSON(v, g[k], p); !same {
				return false, fmt.Sprintf("target %s %s: %s", id, k, why)
			}
		}
	}
	if len(asList(got)) != len(asList(want)) {
		return false, fmt.Sprintf("%d targets in the template, %d realized", len(asList(want)), len(asList(got)))
	}
	return true, ""
}

// short renders a value for a detail, cut to a readable length.
func short(v any) string {
	if v == nil {
		return "(not set)"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return truncate(string(b))
}

func truncate(s string) string {
	const max = 160
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
