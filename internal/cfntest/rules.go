package cfntest

import (
	"encoding/json"
	"strings"
)

// EventRule is an AWS::Events::Rule of a template that has an EventPattern.
type EventRule struct {
	LogicalID string
	// Name is the rule's Name, or "" when it is not a plain string.
	Name string
	// Pattern is the decoded EventPattern (given as an object or as a JSON string), or nil
	// when it is neither a plain object nor a JSON string holding one, for example an
	// Fn::Join or Fn::Sub; a caller must treat nil as a failure. A Ref nested inside an
	// otherwise plain pattern is kept as is (eventpattern.Match reports it as an error).
	Pattern map[string]any
}

// EventRules returns, by logical id, every AWS::Events::Rule of the template with an
// EventPattern; rules without one (schedule rules) are left out.
func EventRules(t Template) []EventRule {
	var out []EventRule
	for _, r := range t.Resources("AWS::Events::Rule") {
		raw, ok := r.Properties["EventPattern"]
		if !ok || raw == nil {
			continue
		}
		rule := EventRule{LogicalID: r.LogicalID}
		rule.Name, _ = r.Properties["Name"].(string)
		switch p := raw.(type) {
		case map[string]any:
			if !isIntrinsic(p) {
				rule.Pattern = p
			}
		case string:
			var decoded map[string]any
			if err := json.Unmarshal([]byte(p), &decoded); err == nil {
				rule.Pattern = decoded
			}
		}
		out = append(out, rule)
	}
	return out
}

// isIntrinsic reports whether v is a CloudFormation intrinsic function call such as
// {"Ref": ...} or {"Fn::Join": ...}.
func isIntrinsic(v map[string]any) bool {
	if len(v) != 1 {
		return false
	}
	for k := range v {
		return k == "Ref" || strings.HasPrefix(k, "Fn::")
	}
	return false
}
