// Package eventpattern is an Amazon EventBridge event-pattern matcher in plain Go, for tests:
// it answers, without an AWS account, whether an event pattern of a synthesized
// AWS::Events::Rule matches a sample event.
//
// It supports exact values (string, number, boolean, null), prefix, suffix (both also with
// {"equals-ignore-case": ...}), equals-ignore-case, wildcard, numeric, exists, anything-but
// (a value, a list of values, or a nested prefix, suffix, equals-ignore-case or wildcard)
// and $or.
//
// Semantics follow the EventBridge user guide ("Event patterns", "Content filtering"):
// every field of the pattern must match (AND); a field matches when any of its values
// matches any entry of the pattern array (OR); arrays in the event are flattened, so a path
// through an array of objects yields the values of every element; only leaf values (not
// objects) take part; a missing field fails every filter except exists:false.
//
// An unknown or malformed operator (cidr, an empty array, a CloudFormation intrinsic such
// as {"Ref": ...} left in a pattern) is an error, never a silent match or mismatch.
package eventpattern

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Match reports whether event (a decoded EventBridge event, envelope and detail) matches
// pattern (a decoded event pattern). It returns an error when the pattern uses an operator
// this matcher does not support or is malformed.
func Match(pattern, event map[string]any) (bool, error) {
	return matchObject(pattern, []any{event})
}

// matchObject matches a pattern object against the nodes reached so far (several when the
// path went through arrays).
func matchObject(pattern map[string]any, nodes []any) (bool, error) {
	keys := make([]string, 0, len(pattern))
	for k := range pattern {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		value := pattern[key]
		if key == "$or" {
			alternatives, ok := value.([]any)
			if !ok || len(alternatives) < 2 {
				return false, fmt.Errorf("$or needs an array of at least two patterns, got %v", value)
			}
			matched := false
			for _, alt := range alternatives {
				altPattern, ok := alt.(map[string]any)
				if !ok {
					return false, fmt.Errorf("$or entry is not an object: %v", alt)
				}
				ok, err := matchObject(altPattern, nodes)
				if err != nil {
					return false, err
				}
				matched = matched || ok
			}
			if !matched {
				return false, nil
			}
			continue
		}
		children := childValues(nodes, key)
		switch v := value.(type) {
		case map[string]any:
			ok, err := matchObject(v, children)
			if err != nil || !ok {
				return false, err
			}
		case []any:
			ok, err := matchField(v, leaves(children))
			if err != nil || !ok {
				return false, err
			}
		default:
			return false, fmt.Errorf("pattern field %q must be an object or an array, got %T", key, value)
		}
	}
	return true, nil
}

// childValues returns the values of key in every object among nodes, descending into arrays.
func childValues(nodes []any, key string) []any {
	var out []any
	for _, n := range nodes {
		switch v := n.(type) {
		case map[string]any:
			if c, ok := v[key]; ok {
				out = append(out, c)
			}
		case []any:
			out = append(out, childValues(v, key)...)
		}
	}
	return out
}

// leaves flattens arrays and drops objects: EventBridge matches leaf values only.
func leaves(values []any) []any {
	var out []any
	for _, v := range values {
		switch x := v.(type) {
		case []any:
			out = append(out, leaves(x)...)
		case map[string]any:
		default:
			out = append(out, x)
		}
	}
	return out
}

// matchField reports whether any filter of a pattern array matches any of the values.
func matchField(filters []any, values []any) (bool, error) {
	if len(filters) == 0 {
		return false, fmt.Errorf("empty arrays are not allowed in a pattern")
	}
	for _, f := range filters {
		ok, err := matchFilter(f, values)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// matchFilter matches one entry of a pattern array: an exact value or an operator object.
func matchFilter(filter any, values []any) (bool, error) {
	op, ok := filter.(map[string]any)
	if !ok {
		if _, isArray := filter.([]any); isArray {
			return false, fmt.Errorf("nested arrays are not allowed in a pattern: %v", filter)
		}
		for _, v := range values {
			if equalValues(filter, v) {
				return true, nil
			}
		}
		return false, nil
	}
	if len(op) != 1 {
		return false, fmt.Errorf("a filter object must have exactly one operator, got %v", op)
	}
	for name, arg := range op {
		if name == "exists" {
			want, ok := arg.(bool)
			if !ok {
				return false, fmt.Errorf("exists takes true or false, got %v", arg)
			}
			return (len(values) > 0) == want, nil
		}
		if err := checkOperator(name, arg); err != nil {
			return false, err
		}
		for _, v := range values {
			ok, err := matchOperator(name, arg, v)
			if err != nil || ok {
				return ok, err
			}
		}
	}
	return false, nil
}

// noValue stands for "no leaf value" when an operator is only being validated.
type noValue struct{}

// checkOperator validates an operator even when there is no value to apply it to (a missing
// field), so that a malformed pattern is an error whatever the event.
func checkOperator(name string, arg any) error {
	_, err := matchOperator(name, arg, noValue{})
	return err
}

// matchOperator applies one content-filter operator to one leaf value.
func matchOperator(name string, arg, value any) (bool, error) {
	switch name {
	case "prefix", "suffix":
		return matchAffix(name, arg, value)
	case "equals-ignore-case":
		want, isWant := arg.(string)
		if !isWant {
			return false, fmt.Errorf("equals-ignore-case takes a string, got %v", arg)
		}
		s, isString := value.(string)
		return isString && strings.EqualFold(s, want), nil
	case "wildcard":
		return matchWildcard(arg, value)
	case "numeric":
		return matchNumeric(arg, value)
	case "anything-but":
		return matchAnythingBut(arg, value)
	}
	return false, fmt.Errorf("unsupported pattern operator %q", name)
}

// matchAffix is the prefix and suffix operators.
func matchAffix(name string, arg, value any) (bool, error) {
	want, ignoreCase, err := stringArg(name, arg)
	if err != nil {
		return false, err
	}
	s, isString := value.(string)
	if !isString {
		return false, nil
	}
	if ignoreCase {
		s, want = strings.ToLower(s), strings.ToLower(want)
	}
	if name == "prefix" {
		return strings.HasPrefix(s, want), nil
	}
	return strings.HasSuffix(s, want), nil
}

// matchWildcard is the wildcard operator: * matches any run of characters.
func matchWildcard(arg, value any) (bool, error) {
	want, isWant := arg.(string)
	if !isWant {
		return false, fmt.Errorf("wildcard takes a string, got %v", arg)
	}
	s, isString := value.(string)
	if !isString {
		return false, nil
	}
	parts := strings.Split(want, "*")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(s), nil
}

// matchNumeric is the numeric operator: one or two operator/limit pairs, all of which must hold.
func matchNumeric(arg, value any) (bool, error) {
	conds, ok := arg.([]any)
	if !ok || len(conds) == 0 || len(conds)%2 != 0 || len(conds) > 4 {
		return false, fmt.Errorf("numeric takes one or two operator/value pairs, got %v", arg)
	}
	n, isNumber := value.(float64)
	matched := true
	for i := 0; i < len(conds); i += 2 {
		op, _ := conds[i].(string)
		limit, isLimit := conds[i+1].(float64)
		if !isLimit {
			return false, fmt.Errorf("numeric limit must be a number, got %v", conds[i+1])
		}
		var ok bool
		switch op {
		case "<":
			ok = n < limit
		case "<=":
			ok = n <= limit
		case "=":
			ok = n == limit
		case ">=":
			ok = n >= limit
		case ">":
			ok = n > limit
		default:
			return false, fmt.Errorf("unknown numeric operator %q", op)
		}
		matched = matched && ok
	}
	return isNumber && matched, nil
}

// matchAnythingBut is the anything-but operator: a list of values, one value, or one nested
// string operator, none of which may match.
func matchAnythingBut(arg, value any) (bool, error) {
	switch a := arg.(type) {
	case []any:
		for _, x := range a {
			if equalValues(x, value) {
				return false, nil
			}
		}
		return true, nil
	case map[string]any:
		if len(a) != 1 {
			return false, fmt.Errorf("anything-but takes one nested operator, got %v", a)
		}
		for inner, innerArg := range a {
			if inner != "prefix" && inner != "suffix" && inner != "equals-ignore-case" && inner != "wildcard" {
				return false, fmt.Errorf("unsupported anything-but operator %q", inner)
			}
			ok, err := matchOperator(inner, innerArg, value)
			return !ok, err
		}
	}
	return !equalValues(arg, value), nil
}

// stringArg reads the argument of prefix or suffix: a string, or {"equals-ignore-case": s}.
func stringArg(name string, arg any) (string, bool, error) {
	switch a := arg.(type) {
	case string:
		return a, false, nil
	case map[string]any:
		if s, ok := a["equals-ignore-case"].(string); ok && len(a) == 1 {
			return s, true, nil
		}
	}
	return "", false, fmt.Errorf("%s takes a string or {\"equals-ignore-case\": string}, got %v", name, arg)
}

// equalValues compares two decoded JSON leaf values: same type and same value.
func equalValues(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	return false
}

// Sample is one sample event read from a directory of JSON files.
type Sample struct {
	// Name is the file name without ".json", for example "replication-failed".
	Name string
	// Event is the decoded event.
	Event map[string]any
	// Raw is the file's content, for APIs that take the event as text.
	Raw []byte
}

// SamplesDir returns the directory of the repository's sample events, testdata/events under
// repoRoot (which may be relative to the working directory). The samples are the
// repository's own: nothing outside it is read.
func SamplesDir(repoRoot string) string {
	return filepath.Join(repoRoot, "testdata", "events")
}

// LoadSamples reads every *.json file of each directory as an event, sorted by name. It is
// an error when a directory holds no JSON file (or does not exist), when a file is not a
// JSON object, or when two files share a name.
func LoadSamples(dirs ...string) ([]Sample, error) {
	var out []Sample
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("no sample events (*.json) in %s", dir)
		}
		for _, file := range files {
			raw, err := os.ReadFile(file)
			if err != nil {
				return nil, err
			}
			var ev map[string]any
			if err := json.Unmarshal(raw, &ev); err != nil {
				return nil, fmt.Errorf("%s: %v", file, err)
			}
			if ev == nil {
				return nil, fmt.Errorf("%s: not a JSON object", file)
			}
			out = append(out, Sample{Name: strings.TrimSuffix(filepath.Base(file), ".json"), Event: ev, Raw: raw})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	for i := 1; i < len(out); i++ {
		if out[i].Name == out[i-1].Name {
			return nil, fmt.Errorf("sample %s exists twice", out[i].Name)
		}
	}
	return out, nil
}
