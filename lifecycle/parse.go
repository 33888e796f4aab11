package lifecycle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// Parse reads an ECR lifecycle policy document strictly: field names are
// case-sensitive, unknown fields, wrong types, nulls and trailing data are
// errors (all reported at once, each naming the rule and the field), and the
// text must not exceed ECR's 30,720 characters. A well-formed document is then
// validated; if it is invalid, Parse returns the decoded policy together with
// the ValidationErrors.
func Parse(data []byte) (Policy, error) {
	d := &decoder{}
	var raw json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return Policy{}, fmt.Errorf("policy is not valid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Policy{}, errors.New("policy is not valid JSON: unexpected data after the top-level object")
	}

	var p Policy
	top := d.object(raw, "policy", "")
	if top != nil {
		d.known(top, "", "", "rules")
		rulesRaw, ok := top["rules"]
		switch {
		case !ok:
			d.fail("", "rules", "missing, expected a list of rules")
		default:
			var items []json.RawMessage
			if d.decode(rulesRaw, "", "rules", "a list of rules", &items) {
				for i, item := range items {
					p.Rules = append(p.Rules, d.rule(item, fmt.Sprintf("rule %d: ", i+1)))
				}
			}
		}
	}
	if len(d.errs) > 0 {
		return Policy{}, errors.Join(d.errs...)
	}

	err := p.Validate()
	if n := utf8.RuneCount(data); n > MaxPolicyLength {
		lengthErr := &ValidationError{Field: "policy", Problem: fmt.Sprintf("text is %d characters, expected at most %d", n, MaxPolicyLength)}
		var verrs ValidationErrors
		errors.As(err, &verrs)
		err = append(verrs, lengthErr)
	}
	return p, err
}

// decoder collects every structural problem instead of stopping at the first.
type decoder struct {
	errs []error
}

func (d *decoder) fail(where, field, format string, args ...any) {
	d.errs = append(d.errs, fmt.Errorf("%s%s: %s", where, field, fmt.Sprintf(format, args...)))
}

// object decodes raw as a JSON object; it reports and returns nil otherwise.
func (d *decoder) object(raw json.RawMessage, field, where string) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if isNull(raw) || json.Unmarshal(raw, &m) != nil {
		d.fail(where, field, "got %s, expected an object", describeJSON(raw))
		return nil
	}
	return m
}

// known reports fields of m not in allowed, suggesting the right spelling when
// only the case differs.
func (d *decoder) known(m map[string]json.RawMessage, where, path string, allowed ...string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		found := false
		hint := ""
		for _, a := range allowed {
			if k == a {
				found = true
				break
			}
			if strings.EqualFold(k, a) {
				hint = fmt.Sprintf(" (did you mean %q?)", a)
			}
		}
		if !found {
			d.fail(where, path+k, "unknown field%s", hint)
		}
	}
}

// decode unmarshals raw into out, reporting nulls and type mismatches.
func (d *decoder) decode(raw json.RawMessage, where, field, expected string, out any) bool {
	if isNull(raw) || json.Unmarshal(raw, out) != nil {
		d.fail(where, field, "got %s, expected %s", describeJSON(raw), expected)
		return false
	}
	return true
}

func (d *decoder) rule(raw json.RawMessage, where string) Rule {
	var r Rule
	m := d.object(raw, strings.TrimSuffix(where, ": "), "")
	if m == nil {
		return r
	}
	d.known(m, where, "", "rulePriority", "description", "selection", "action")
	if v, ok := m["rulePriority"]; ok {
		d.decode(v, where, "rulePriority", "an integer", &r.RulePriority)
	} else {
		d.fail(where, "rulePriority", "missing, expected an integer")
	}
	if v, ok := m["description"]; ok {
		d.decode(v, where, "description", "a string", &r.Description)
	}
	if v, ok := m["selection"]; !ok {
		d.fail(where, "selection", "missing, expected an object")
	} else if s := d.object(v, "selection", where); s != nil {
		d.known(s, where, "selection.", "tagStatus", "tagPrefixList", "tagPatternList", "storageClass", "countType", "countUnit", "countNumber")
		sel := &r.Selection
		d.optional(s, where, "selection.", "tagStatus", "a string", &sel.TagStatus)
		d.optional(s, where, "selection.", "tagPrefixList", "a list of strings", &sel.TagPrefixList)
		d.optional(s, where, "selection.", "tagPatternList", "a list of strings", &sel.TagPatternList)
		d.optional(s, where, "selection.", "storageClass", "a string", &sel.StorageClass)
		d.optional(s, where, "selection.", "countType", "a string", &sel.CountType)
		d.optional(s, where, "selection.", "countUnit", "a string", &sel.CountUnit)
		d.optional(s, where, "selection.", "countNumber", "an integer", &sel.CountNumber)
	}
	if v, ok := m["action"]; !ok {
		d.fail(where, "action", "missing, expected an object")
	} else if a := d.object(v, "action", where); a != nil {
		d.known(a, where, "action.", "type", "targetStorageClass")
		d.optional(a, where, "action.", "type", "a string", &r.Action.Type)
		d.optional(a, where, "action.", "targetStorageClass", "a string", &r.Action.TargetStorageClass)
	}
	return r
}

// optional decodes m[key] into out when present. Missing required fields are
// left zero for Validate to report with the rule's priority.
func (d *decoder) optional(m map[string]json.RawMessage, where, path, key, expected string, out any) {
	if v, ok := m[key]; ok {
		d.decode(v, where, path+key, expected, out)
	}
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// describeJSON shows a short form of a JSON value in error messages.
func describeJSON(raw json.RawMessage) string {
	s := string(bytes.TrimSpace(raw))
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}
