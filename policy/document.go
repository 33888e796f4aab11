package policy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
)

// Reading IAM policy documents written by someone else (a deployed policy, a synthesized
// template): IAM lets most elements be one value or a list, and list order means nothing.
// These helpers read documents as IAM means them, for cmd/verify (comparing deployed policies
// with the app's) and internal/diagram (summarizing templates).

var (
	accountID  = regexp.MustCompile(`^[0-9]{12}$`)
	accountARN = regexp.MustCompile(`^arn:[a-z-]+:iam::([0-9]{12}):root$`)
)

// decode turns a policy document given as JSON text, JSON bytes or a decoded value (a map from
// a template, a document built by this package) into plain JSON values.
func decode(doc any) (any, error) {
	var text []byte
	switch d := doc.(type) {
	case string:
		text = []byte(d)
	case []byte:
		text = d
	default:
		b, err := json.Marshal(d)
		if err != nil {
			return nil, err
		}
		text = b
	}
	var v any
	if err := json.Unmarshal(text, &v); err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	return v, nil
}

// Canonical renders a policy document so that two documents with the same meaning render
// alike: a single value and a one-element list are the same, list order does not matter, and
// a bare account ID as an AWS principal is that account's root ARN in partition (as IAM and
// ECR treat it). doc is JSON text or a decoded document; the error says when text is not JSON.
func Canonical(doc any, partition string) (string, error) {
	v, err := decode(doc)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(canonical(v, "", partitionOr(partition)))
	return string(b), err
}

// SameMeaning reports whether two policy documents mean the same (see Canonical); a document
// that is not JSON means nothing.
func SameMeaning(a, b any, partition string) bool {
	ca, err1 := Canonical(a, partition)
	cb, err2 := Canonical(b, partition)
	return err1 == nil && err2 == nil && ca == cb
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

// Statement is one statement of a policy document, every element read as a list.
type Statement struct {
	Effect string
	// Principals are the AWS principals ("*" for a Principal of "*"); other principal
	// kinds (Service, Federated) are left out.
	Principals []string
	Actions    []string
	Resources  []string
}

// Statements reads the statements of a policy document (JSON text or a decoded document),
// whether Statement is one statement or a list. Elements that are not strings (unresolved
// CloudFormation functions in a template) are left out.
func Statements(doc any) ([]Statement, error) {
	v, err := decode(doc)
	if err != nil {
		return nil, err
	}
	d, _ := v.(map[string]any)
	var raw []any
	switch s := d["Statement"].(type) {
	case []any:
		raw = s
	case map[string]any:
		raw = []any{s}
	default:
		return nil, fmt.Errorf("no Statement list")
	}
	var out []Statement
	for _, r := range raw {
		m, _ := r.(map[string]any)
		s := Statement{Effect: fmt.Sprint(m["Effect"])}
		switch p := m["Principal"].(type) {
		case string:
			s.Principals = []string{p}
		case map[string]any:
			s.Principals = Strings(p["AWS"])
		}
		s.Actions = Strings(m["Action"])
		s.Resources = Strings(m["Resource"])
		out = append(out, s)
	}
	return out, nil
}

// Strings reads an element that is one string or a list of strings; anything else (and every
// list entry that is not a string) is left out.
func Strings(v any) []string {
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
	case []string:
		return append([]string(nil), x...)
	}
	return nil
}

// PrincipalAccount returns the account an AWS principal names as a whole: a bare 12-digit
// account ID or an account's root ARN (arn:<partition>:iam::<account>:root).
func PrincipalAccount(principal string) (string, bool) {
	if accountID.MatchString(principal) {
		return principal, true
	}
	if m := accountARN.FindStringSubmatch(principal); m != nil {
		return m[1], true
	}
	return "", false
}
