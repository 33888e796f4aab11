// Package nag records cdk-nag suppressions on template resources without loading cdk-nag.
//
// cdk-nag reads a resource's suppressions from its template metadata: the "cdk_nag" entry's
// rules_to_suppress, a list of {id, reason, applies_to} (cdk-nag's README, "Suppressing a
// rule", and its NagSuppressionHelper.toCfnFormat). NagSuppressions.addResourceSuppressions
// writes exactly that; calling it from Go loads the cdk-nag module into the jsii kernel,
// about a tenth of the app's default synthesis time, for metadata that only a nag check
// reads. Suppress writes the same metadata from Go; the tests run cdk-nag's AwsSolutions pack
// over every stack, and this package's test compares its output with cdk-nag's own.
package nag

import (
	"encoding/base64"
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// metadataKey is the template metadata entry cdk-nag reads.
const metadataKey = "cdk_nag"

// Suppression is one cdk-nag rule suppressed on a resource.
type Suppression struct {
	// ID is the rule, such as "AwsSolutions-IAM5".
	ID string
	// Reason says why the finding is acceptable: at least 10 characters, as cdk-nag requires.
	Reason string
	// AppliesTo narrows a granular rule to these findings ("Resource::*"); none suppresses
	// every finding of the rule on the resource.
	AppliesTo []string
	// AppliesToRegex narrows it to the findings matching these JavaScript regular-expression
	// literals ("/^Resource::arn:...$/g").
	AppliesToRegex []string
}

// jsRegexLiteral is the form cdk-nag accepts for a regular expression: /source/flags.
var jsRegexLiteral = regexp.MustCompile(`^/(.*)/([dgimsuvy]*)$`)

// findingInID is a finding written into a rule id, which cdk-nag refuses.
var findingInID = regexp.MustCompile(`\[.*\]`)

// problems returns what cdk-nag would refuse in s.
func (s Suppression) problems() []string {
	var out []string
	if s.ID == "" || findingInID.MatchString(s.ID) {
		out = append(out, fmt.Sprintf("id %q: expected a rule id without a finding (findings go in AppliesTo)", s.ID))
	}
	if len(s.Reason) < 10 {
		out = append(out, fmt.Sprintf("reason %q: expected at least 10 characters", s.Reason))
	}
	for _, r := range s.AppliesToRegex {
		if !jsRegexLiteral.MatchString(r) {
			out = append(out, fmt.Sprintf("regex %q: expected a regular-expression literal /source/flags", r))
		}
	}
	return out
}

// rule renders s as cdk-nag's template format: the reason base64-encoded, and marked so,
// when it holds a character beyond Latin-1, as cdk-nag does.
func (s Suppression) rule() map[string]any {
	rule := map[string]any{"id": s.ID, "reason": s.Reason}
	for _, c := range s.Reason {
		if c > 255 {
			rule["reason"] = base64.StdEncoding.EncodeToString([]byte(s.Reason))
			rule["is_reason_encoded"] = true
			break
		}
	}
	if len(s.AppliesTo)+len(s.AppliesToRegex) > 0 {
		var applies []any
		for _, a := range s.AppliesTo {
			applies = append(applies, a)
		}
		for _, r := range s.AppliesToRegex {
			applies = append(applies, map[string]any{"regex": r})
		}
		rule["applies_to"] = applies
	}
	return rule
}

// Suppress records the suppressions on the template resource of c: c itself when it is a
// CfnResource, else its default child (an L2's resource). With children, every resource
// below c gets them too, as NagSuppressions.addResourceSuppressions(c, s, true) does.
// Suppressions already recorded are kept; one recorded twice is recorded once. It panics,
// naming c, on a suppression cdk-nag would refuse: a programming error in this repository.
func Suppress(c constructs.IConstruct, children bool, s ...Suppression) {
	var bad []string
	for _, one := range s {
		bad = append(bad, one.problems()...)
	}
	if len(bad) > 0 {
		panic(fmt.Sprintf("nag.Suppress %s: %v", *c.Node().Path(), bad))
	}
	targets := []constructs.IConstruct{c}
	if children {
		targets = *c.Node().FindAll(constructs.ConstructOrder_PREORDER)
	}
	// jsii-runtime-go hands out one Go value per JavaScript object, so a resource reached
	// twice (an L2 and its default child) is the same map key: no round trip to compare.
	seen := map[awscdk.CfnResource]bool{}
	for _, t := range targets {
		r, ok := t.(awscdk.CfnResource)
		if !ok {
			if r, ok = t.Node().DefaultChild().(awscdk.CfnResource); !ok {
				continue
			}
		}
		if !seen[r] {
			seen[r] = true
			record(r, s)
		}
	}
}

// record adds rules to r's cdk_nag metadata, after those already there, without duplicates.
func record(r awscdk.CfnResource, s []Suppression) {
	var rules []any
	if existing, ok := r.GetMetadata(jsii.String(metadataKey)).(map[string]any); ok {
		if list, ok := existing["rules_to_suppress"].([]any); ok {
			rules = list
		}
	}
	for _, one := range s {
		rule := one.rule()
		dup := false
		for _, have := range rules {
			if fmt.Sprint(have) == fmt.Sprint(rule) {
				dup = true
				break
			}
		}
		if !dup {
			rules = append(rules, rule)
		}
	}
	r.AddMetadata(jsii.String(metadataKey), map[string]any{"rules_to_suppress": rules})
}
