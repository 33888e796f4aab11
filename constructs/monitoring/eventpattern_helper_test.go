package monitoring_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// An EventBridge event-pattern matcher for the operators this package uses, and a few
// more: exact values (string, number, boolean, null), prefix, suffix, equals-ignore-case,
// wildcard, numeric, exists, anything-but (values, prefix, suffix) and $or.
//
// Semantics follow the EventBridge user guide ("Event patterns", "Content filtering"):
// every field of the pattern must match (AND); a field matches when any of its values
// matches any entry of the pattern array (OR); arrays in the event are flattened, so a
// path through an array of objects yields the values of every element; only leaf values
// (not objects) take part; a missing field fails every filter except exists:false.
// An unknown operator is an error, never a silent match.

// matchEventPattern reports whether event matches pattern.
func matchEventPattern(pattern map[string]interface{}, event map[string]interface{}) (bool, error) {
	return matchObject(pattern, []interface{}{event})
}

// matchObject matches a pattern object against the nodes reached so far (several when the
// path went through arrays).
func matchObject(pattern map[string]interface{}, nodes []interface{}) (bool, error) {
	keys := make([]string, 0, len(pattern))
	for k := range pattern {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		value := pattern[key]
		if key == "$or" {
			alternatives, ok := value.([]interface{})
			if !ok || len(alternatives) < 2 {
				return false, fmt.Errorf("$or needs an array of at least two patterns, got %v", value)
			}
			any := false
			for _, alt := range alternatives {
				altPattern, ok := alt.(map[string]interface{})
				if !ok {
					return false, fmt.Errorf("$or entry is not an object: %v", alt)
				}
				ok, err := matchObject(altPattern, nodes)
				if err != nil {
					return false, err
				}
				any = any || ok
			}
			if !any {
				return false, nil
			}
			continue
		}
		children := childValues(nodes, key)
		switch v := value.(type) {
		case map[string]interface{}:
			ok, err := matchObject(v, children)
			if err != nil || !ok {
				return false, err
			}
		case []interface{}:
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
func childValues(nodes []interface{}, key string) []interface{} {
	var out []interface{}
	for _, n := range nodes {
		switch v := n.(type) {
		case map[string]interface{}:
			if c, ok := v[key]; ok {
				out = append(out, c)
			}
		case []interface{}:
			out = append(out, childValues(v, key)...)
		}
	}
	return out
}

// leaves flattens arrays and drops objects: EventBridge matches leaf values only.
func leaves(values []interface{}) []interface{} {
	var out []interface{}
	for _, v := range values {
		switch x := v.(type) {
		case []interface{}:
			out = append(out, leaves(x)...)
		case map[string]interface{}:
		default:
			out = append(out, x)
		}
	}
	return out
}

func matchField(filters []interface{}, values []interface{}) (bool, error) {
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

func matchFilter(filter interface{}, values []interface{}) (bool, error) {
	op, ok := filter.(map[string]interface{})
	if !ok {
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
		for _, v := range values {
			ok, err := matchOperator(name, arg, v)
			if err != nil || ok {
				return ok, err
			}
		}
	}
	return false, nil
}

func matchOperator(name string, arg, value interface{}) (bool, error) {
	switch name {
	case "prefix", "suffix":
		s, isString := value.(string)
		if !isString {
			return false, nil
		}
		want, ignoreCase, err := stringArg(name, arg)
		if err != nil {
			return false, err
		}
		if ignoreCase {
			s, want = strings.ToLower(s), strings.ToLower(want)
		}
		if name == "prefix" {
			return strings.HasPrefix(s, want), nil
		}
		return strings.HasSuffix(s, want), nil
	case "equals-ignore-case":
		s, isString := value.(string)
		want, isWant := arg.(string)
		if !isWant {
			return false, fmt.Errorf("equals-ignore-case takes a string, got %v", arg)
		}
		return isString && strings.EqualFold(s, want), nil
	case "wildcard":
		s, isString := value.(string)
		want, isWant := arg.(string)
		if !isWant {
			return false, fmt.Errorf("wildcard takes a string, got %v", arg)
		}
		parts := strings.Split(want, "*")
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		return isString && regexp.MustCompile("^"+strings.Join(parts, ".*")+"$").MatchString(s), nil
	case "numeric":
		n, isNumber := value.(float64)
		conds, ok := arg.([]interface{})
		if !ok || len(conds) == 0 || len(conds)%2 != 0 || len(conds) > 4 {
			return false, fmt.Errorf("numeric takes one or two operator/value pairs, got %v", arg)
		}
		if !isNumber {
			return false, nil
		}
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
			if !ok {
				return false, nil
			}
		}
		return true, nil
	case "anything-but":
		switch a := arg.(type) {
		case []interface{}:
			for _, x := range a {
				if equalValues(x, value) {
					return false, nil
				}
			}
			return true, nil
		case map[string]interface{}:
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
		default:
			return !equalValues(a, value), nil
		}
	}
	return false, fmt.Errorf("unsupported pattern operator %q", name)
}

func stringArg(name string, arg interface{}) (string, bool, error) {
	switch a := arg.(type) {
	case string:
		return a, false, nil
	case map[string]interface{}:
		if s, ok := a["equals-ignore-case"].(string); ok && len(a) == 1 {
			return s, true, nil
		}
	}
	return "", false, fmt.Errorf("%s takes a string or {\"equals-ignore-case\": string}, got %v", name, arg)
}

func equalValues(a, b interface{}) bool {
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
