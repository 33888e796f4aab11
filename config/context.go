package config

import (
	"encoding/json"
	"fmt"
	"os"
)

// Environment variables through which the CDK CLI hands the app its context (cdk.json,
// cdk.context.json and -c flags, merged): the JSON object itself, and, when it is too large
// for one variable, the path of a JSON file with the rest (aws-cdk's cx-api names them
// CONTEXT_ENV and CONTEXT_OVERFLOW_LOCATION_ENV).
const (
	ContextEnv                 = "CDK_CONTEXT_JSON"
	ContextOverflowLocationEnv = "CONTEXT_OVERFLOW_LOCATION_ENV"
)

// ContextFromEnv returns the context the CDK CLI passed to the app, read from the environment
// without starting the CDK (jsii), so that bad input is refused in milliseconds. It is the
// same map awscdk.App would see. getenv is normally os.Getenv; no variable means an empty
// context (the app run without the CLI).
func ContextFromEnv(getenv func(string) string) (map[string]any, error) {
	ctx := map[string]any{}
	if s := getenv(ContextEnv); s != "" {
		if err := json.Unmarshal([]byte(s), &ctx); err != nil {
			return nil, fmt.Errorf("%s: not a JSON object: %v", ContextEnv, err)
		}
	}
	if path := getenv(ContextOverflowLocationEnv); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", ContextOverflowLocationEnv, err)
		}
		overflow := map[string]any{}
		if err := json.Unmarshal(b, &overflow); err != nil {
			return nil, fmt.Errorf("%s: %s is not a JSON object: %v", ContextOverflowLocationEnv, path, err)
		}
		for k, v := range overflow {
			ctx[k] = v
		}
	}
	return ctx, nil
}
