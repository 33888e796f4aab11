package verify

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// canonicalPolicy renders an IAM policy document so that two documents with the same meaning
// render alike: single values and one-element lists are the same, list order does not
// matter, and a bare account id principal is its root ARN (as IAM and ECR treat them).
func canonicalPolicy(doc any, partition string) (string, error) {
	var v any
	switch d := doc.(type) {
	case string:
		if err := json.Unmarshal([]byte(d), &v); err != nil {
			return "", fmt.Errorf("not JSON: %v", err)
		}
	default:
		b, err := json.Marshal(d)
		if err != nil {
			return "", err
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return "", err
		}
	}
	b, err := json.Marshal(canonical(v, "", partition))
	return string(b), err
}

func canonical(v any, key, partition string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = canonical(e, k, partition)
		}
		return out
	case []any:
		items := make([]any, 0, len(x))
		for _, e := range x {
			items = append(items, canonical(e, key, partition))
		}
		if len(items) == 1 {
			return items[0]
		}
		sort.Slice(items, func(i, j int) bool {
			a, _ := json.Marshal(items[i])
			b, _ := json.Marshal(items[j])
			return string(a) < string(b)
		})
		return items
	case string:
		if key == "AWS" && accountID.MatchString(x) {
			return fmt.Sprintf("arn:%s:iam::%s:root", partition, x)
		}
		return x
	}
	return v
}

// statement is one IAM policy statement, with single values as lists.
type statement struct {
	Effect     string
	Principals []string
	Actions    []string
	Resources  []string
}

// statements parses the statements of a policy document.
func statements(text string) ([]statement, error) {
	var doc struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	var raw []map[string]any
	if err := json.Unmarshal(doc.Statement, &raw); err != nil {
		var one map[string]any
		if err := json.Unmarshal(doc.Statement, &one); err != nil {
			return nil, fmt.Errorf("no Statement list")
		}
		raw = []map[string]any{one}
	}
	var out []statement
	for _, r := range raw {
		s := statement{Effect: fmt.Sprint(r["Effect"])}
		switch p := r["Principal"].(type) {
		case string:
			s.Principals = []string{p}
		case map[string]any:
			s.Principals = strs(p["AWS"])
		}
		s.Actions = strs(r["Action"])
		s.Resources = strs(r["Resource"])
		out = append(out, s)
	}
	return out, nil
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// globMatch matches IAM-style wildcards (* and ?) case-insensitively for actions.
func globMatch(pattern, s string, foldCase bool) bool {
	if foldCase {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	// path.Match treats / specially; IAM does not, so escape nothing but compare per rune.
	ok, err := path.Match(strings.ReplaceAll(pattern, "/", "\x00"), strings.ReplaceAll(s, "/", "\x00"))
	return err == nil && ok
}

// allows reports whether the statements allow principal every one of actions on resource.
func allows(sts []statement, principal, account string, actions []string, resource string) bool {
	for _, a := range actions {
		found := false
		for _, s := range sts {
			if s.Effect != "Allow" || !matchesPrincipal(s.Principals, principal, account) || !anyMatch(s.Actions, a, true) {
				continue
			}
			if len(s.Resources) == 0 || anyMatch(s.Resources, resource, false) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func matchesPrincipal(principals []string, arn, account string) bool {
	for _, p := range principals {
		if p == arn || p == account {
			return true
		}
	}
	return false
}

func anyMatch(patterns []string, s string, foldCase bool) bool {
	for _, p := range patterns {
		if globMatch(p, s, foldCase) {
			return true
		}
	}
	return false
}
