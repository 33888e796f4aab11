package verify

import (
	"path"
	"strings"

	"github.com/acme-platform/ecr-replication/policy"
)

// Policy documents are read with package policy (policy.Canonical, policy.Statements); this
// file evaluates them as IAM would for the few questions verify asks.

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
func allows(sts []policy.Statement, principal, account string, actions []string, resource string) bool {
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
