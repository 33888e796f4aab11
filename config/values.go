package config

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// This file reads raw context values: strings (from -c), JSON numbers,
// booleans and arrays (from cdk.json), and Go numbers (from callers).

// display renders a raw context value for a message.
func display(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return strings.TrimSpace(t)
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(t), 'g', -1, 32)
	case bool:
		return strconv.FormatBool(t)
	case []any, []string, map[string]any:
		if b, err := json.Marshal(t); err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(v)
}

// kindOf names the JSON type of a value that has the wrong type.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, json.Number:
		return "a number"
	case []any, []string:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a Go %T", v)
}

// get reads a key and records that it was read.
func (p *parser) get(key string) (any, bool) {
	if !isKey(key) {
		panic("config: reading undocumented key " + key) // a bug: add it to keyTable
	}
	p.read = append(p.read, key)
	v, ok := p.ctx[key]
	return v, ok
}

func (p *parser) add(key, value, expected string) {
	p.problems = append(p.problems, Problem{Key: key, Value: value, Expected: expected})
}

func (p *parser) wrongType(key string, v any, expected string) {
	p.add(key, display(v), expected+", not "+kindOf(v))
}

// text reads a string key, trimmed. given is false when the key is absent;
// ok is false when a problem was recorded (empty value, wrong type).
func (p *parser) text(key, expected string) (s string, given, ok bool) {
	v, present := p.get(key)
	if !present {
		return "", false, true
	}
	t, isString := v.(string)
	if !isString {
		p.wrongType(key, v, expected)
		return "", true, false
	}
	s = strings.TrimSpace(t)
	if s == "" {
		p.add(key, "", expected)
		return "", true, false
	}
	return s, true, true
}

// listValue is a list key as given.
type listValue struct {
	given   bool     // the key is present
	raw     string   // the whole value, for messages
	entries []string // trimmed, non-empty entries
	none    bool     // the literal none (only when allowed)
	bad     bool     // a problem was recorded for the value as a whole
}

// list reads a list key: a comma-separated string or a JSON array of
// strings. Entries are trimmed; empty entries are problems. With allowNone
// the literal none (alone) means an empty list.
func (p *parser) list(key, expected string, allowNone bool) listValue {
	v, present := p.get(key)
	if !present {
		return listValue{}
	}
	lv := listValue{given: true, raw: display(v)}
	var items []string
	switch t := v.(type) {
	case string:
		s := strings.TrimSpace(t)
		if s == "" {
			p.add(key, "", expected)
			lv.bad = true
			return lv
		}
		items = strings.Split(s, ",")
	case []string:
		items = t
	case []any:
		for _, e := range t {
			s, isString := e.(string)
			if !isString {
				p.add(key, display(e), expected+"; each list entry a string, not "+kindOf(e))
				lv.bad = true
				continue
			}
			items = append(items, s)
		}
	default:
		p.wrongType(key, v, expected)
		lv.bad = true
		return lv
	}
	empty := false
	for _, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			empty = true
			continue
		}
		lv.entries = append(lv.entries, it)
	}
	if empty {
		p.add(key, lv.raw, expected+"; found an empty entry")
		lv.bad = true
	}
	if allowNone && len(lv.entries) == 1 && lv.entries[0] == "none" && !lv.bad {
		lv.none, lv.entries = true, nil
	}
	return lv
}

// decimal is the form of a number given as a string.
var decimal = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// number reads a numeric key: a JSON number, a Go number or a numeric
// string. NaN and ±Inf are refused. disp is the value for messages.
func (p *parser) number(key, expected string) (f float64, disp string, given, ok bool) {
	v, present := p.get(key)
	if !present {
		return 0, "", false, true
	}
	f, disp, ok = toFloat(v)
	if !ok {
		if _, isString := v.(string); isString || isNumber(v) {
			p.add(key, disp, expected)
		} else {
			p.wrongType(key, v, expected)
		}
		return 0, disp, true, false
	}
	return f, disp, true, true
}

func isNumber(v any) bool { return kindOf(v) == "a number" }

// toFloat converts a raw value to a finite float64.
func toFloat(v any) (f float64, disp string, ok bool) {
	disp = display(v)
	switch t := v.(type) {
	case string:
		s := strings.TrimSpace(t)
		if !decimal.MatchString(s) {
			return 0, disp, false
		}
		var err error
		if f, err = strconv.ParseFloat(s, 64); err != nil {
			return 0, disp, false
		}
	case float64:
		f = t
	case float32:
		f = float64(t)
	case int:
		f = float64(t)
	case int8:
		f = float64(t)
	case int16:
		f = float64(t)
	case int32:
		f = float64(t)
	case int64:
		f = float64(t)
	case uint:
		f = float64(t)
	case uint8:
		f = float64(t)
	case uint16:
		f = float64(t)
	case uint32:
		f = float64(t)
	case uint64:
		f = float64(t)
	case json.Number:
		var err error
		if f, err = t.Float64(); err != nil {
			return 0, disp, false
		}
	default:
		return 0, disp, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, disp, false
	}
	return f, disp, true
}

// integer reads an integer key in [lo, hi]; def applies when it is absent.
func (p *parser) integer(key string, def, lo, hi int, expected string) (int, bool) {
	f, disp, given, ok := p.number(key, expected)
	switch {
	case !given:
		return def, true
	case !ok:
		return 0, false
	case f != math.Trunc(f) || f < float64(lo) || f > float64(hi):
		p.add(key, disp, expected)
		return 0, false
	}
	return int(f), true
}

// boolean reads a boolean key: a JSON boolean or the strings true/false.
func (p *parser) boolean(key string, def bool) (bool, bool) {
	const expected = "true or false"
	v, present := p.get(key)
	if !present {
		return def, true
	}
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		switch strings.TrimSpace(t) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		p.add(key, display(v), expected)
	default:
		p.wrongType(key, v, expected)
	}
	return false, false
}
