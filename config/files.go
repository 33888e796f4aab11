package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Files the CDK CLI reads the context from, relative to the project directory (PROJECT_CONFIG
// and PROJECT_CONTEXT in the CLI's settings).
const (
	ProjectConfigFile  = "cdk.json"
	ProjectContextFile = "cdk.context.json"
)

// ReadContext returns the context the CDK CLI would hand the app when run in dir with the given
// -c arguments (each "key=value"), without starting the CLI: the map to pass to [Parse].
//
// It merges, as the CLI's Context does, from lowest to highest precedence: cdk.context.json
// (the cached lookups, optional), the "context" object of cdk.json (required: it marks the
// project directory), then the -c overrides. The CLI lets cdk.json win over cdk.context.json
// (its context bags are command line, cdk.json, cdk.context.json, in that order, the first
// that has a key deciding), so a key present in both keeps cdk.json's value here too. -c values
// stay strings, exactly as the CLI passes them: "-c productionImageCount=10" is the string
// "10", and [Parse] accepts numeric strings. A -c argument is split at its first "=", so a
// value may itself contain "="; an argument without "=" is an error (the CLI only warns and
// drops it, which would verify something else than what the user asked for), and so is a key
// starting with "aws:", which the CLI refuses.
//
// The user defaults file ~/.cdk.json is not read: this app keeps its settings in the project.
func ReadContext(dir string, overrides []string) (map[string]any, error) {
	ctx := map[string]any{}
	var problems []error

	cached, err := readContextObject(filepath.Join(dir, ProjectContextFile), "", true)
	if err != nil {
		problems = append(problems, err)
	}
	project, err := readContextObject(filepath.Join(dir, ProjectConfigFile), "context", false)
	if err != nil {
		problems = append(problems, err)
	}
	for k, v := range cached {
		ctx[k] = v
	}
	for k, v := range project {
		ctx[k] = v
	}
	for _, o := range overrides {
		key, value, ok := strings.Cut(o, "=")
		key = strings.TrimSpace(key)
		switch {
		case !ok:
			problems = append(problems, fmt.Errorf("-c %s: expected key=value", o))
		case key == "":
			problems = append(problems, fmt.Errorf("-c %s: the key is empty; expected key=value", o))
		case strings.HasPrefix(key, "aws:"):
			problems = append(problems, fmt.Errorf("-c %s: context keys starting with aws: are reserved (the CDK CLI refuses them too)", o))
		default:
			ctx[key] = value
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return ctx, nil
}

// readContextObject reads a JSON object file and returns its field (the whole object when
// field is ""). A missing file is an error unless optional; a missing field is an empty map.
func readContextObject(path, field string, optional bool) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if optional && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: not found; run from the project directory (the one with %s)", path, ProjectConfigFile)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object: %v", path, err)
	}
	raw := json.RawMessage(b)
	if field != "" {
		var ok bool
		if raw, ok = doc[field]; !ok || string(raw) == "null" {
			return map[string]any{}, nil
		}
	}
	out := map[string]any{}
	if err := json.Unmarshal(raw, &out); err != nil {
		where := path
		if field != "" {
			where = fmt.Sprintf("%s: %q", path, field)
		}
		return nil, fmt.Errorf("%s: not a JSON object: %v", where, err)
	}
	return out, nil
}
