package monitoring_test

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/eventpattern"
)

// expectedMatches lists, per fixture and stack, every rule (by its deterministic name) and
// exactly the samples it must match. Every other sample must not match it.
var expectedMatches = map[string]map[string]map[string][]string{
	"default": {
		"Source": {
			"ecr-enterprise-apps-pushes-to-production":  {"image-push"},
			"ecr-enterprise-apps-pushes-to-testing":     {"image-push-testing"},
			"ecr-enterprise-apps-scan-findings":         {"image-scan-critical", "image-scan-high-only"},
			"ecr-enterprise-apps-lifecycle-expirations": {"lifecycle-expiry"},
		},
		"Replica-us-west-2": replicaExpectations(true),
		"Replica-eu-west-1": replicaExpectations(true),
	},
	"email": {
		"Source": {
			"ecr-enterprise-apps-pushes-to-production":    {"image-push"},
			"ecr-enterprise-apps-pushes-to-testing":       {"image-push-testing"},
			"ecr-enterprise-apps-inspector-scan-findings": {"inspector2-scan-critical"},
			"ecr-enterprise-apps-lifecycle-expirations":   {"lifecycle-expiry"},
		},
		"Replica-us-west-2": replicaExpectations(false),
	},
	"delivery": {
		"Delivery": {
			"ecr-enterprise-apps-pushes-to-api": nil, // no sample pushes enterprise-apps/api
			"ecr-enterprise-apps-pushes":        {"image-push", "image-push-testing"},
			"ecr-enterprise-apps-scan-findings": {"image-scan-critical", "image-scan-high-only"},
		},
	},
}

func replicaExpectations(anySourceAccount bool) map[string][]string {
	failed := []string{"replication-failed"}
	if anySourceAccount {
		failed = append(failed, "replication-failed-other-source-account")
	}
	return map[string][]string{
		"ecr-enterprise-apps-replicated-from-us-east-1":         {"replication-success"},
		"ecr-enterprise-apps-replication-failed-from-us-east-1": failed,
		"ecr-enterprise-apps-lifecycle-expirations":             {"lifecycle-expiry"},
	}
}

// synthesizedRule is an AWS::Events::Rule read from a template.
type synthesizedRule struct {
	stack   *stackFixture
	name    string
	pattern map[string]interface{}
	props   map[string]interface{}
}

// rulesOf returns the event rules of a stack, by name; every rule must have a plain name
// and a plain event pattern.
func rulesOf(t *testing.T, s *stackFixture) []synthesizedRule {
	t.Helper()
	tmpl := s.tmpl()
	props := map[string]map[string]interface{}{}
	for _, r := range tmpl.Resources("AWS::Events::Rule") {
		props[r.LogicalID] = r.Properties
	}
	var out []synthesizedRule
	for _, r := range cfntest.EventRules(tmpl) {
		if r.Name == "" {
			t.Fatalf("%s/%s: rule without a plain Name", s.name, r.LogicalID)
		}
		if r.Pattern == nil {
			t.Fatalf("%s/%s: EventPattern is not a plain object: %v", s.name, r.Name, props[r.LogicalID]["EventPattern"])
		}
		out = append(out, synthesizedRule{stack: s, name: r.Name, pattern: r.Pattern, props: props[r.LogicalID]})
	}
	if len(out) != len(props) {
		t.Fatalf("%s: %d rules, %d with an event pattern", s.name, len(props), len(out))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// TestEventPatternsMatchExactlyTheExpectedSamples runs every synthesized rule of every
// fixture against every sample event with the Go matcher.
func TestEventPatternsMatchExactlyTheExpectedSamples(t *testing.T) {
	samples := loadSamples(t)
	for fixtureName, stacks := range expectedMatches {
		f := getFixture(t, fixtureName)
		for _, s := range f.stacks {
			want, ok := stacks[s.name]
			if !ok {
				t.Fatalf("no expectations for %s/%s", fixtureName, s.name)
			}
			rules := rulesOf(t, s)
			var names []string
			for _, r := range rules {
				names = append(names, r.name)
			}
			var wantNames []string
			for n := range want {
				wantNames = append(wantNames, n)
			}
			sort.Strings(wantNames)
			if !reflect.DeepEqual(names, wantNames) {
				t.Errorf("%s/%s rules = %v; want %v", fixtureName, s.name, names, wantNames)
			}
			for _, r := range rules {
				r := r
				t.Run(fixtureName+"/"+s.name+"/"+r.name, func(t *testing.T) {
					got := []string{}
					for _, smp := range samples {
						ok, err := eventpattern.Match(r.pattern, smp.Event)
						if err != nil {
							t.Fatalf("pattern %v: %v", r.pattern, err)
						}
						if ok {
							got = append(got, smp.Name)
						}
					}
					exp := append([]string{}, want[r.name]...)
					sort.Strings(exp)
					if !reflect.DeepEqual(got, exp) {
						b, _ := json.Marshal(r.pattern)
						t.Errorf("matched samples = %v; want %v\npattern: %s", got, exp, b)
					}
				})
			}
		}
	}
}

// The cases the issue names, stated one by one against the default fixture.
func TestNamedSampleCases(t *testing.T) {
	samples := map[string]map[string]interface{}{}
	for _, s := range loadSamples(t) {
		samples[s.Name] = s.Event
	}
	f := getFixture(t, "default")
	rule := func(stack, name string) map[string]interface{} {
		for _, r := range rulesOf(t, f.stack(stack)) {
			if r.name == name {
				return r.pattern
			}
		}
		t.Fatalf("no rule %s in %s", name, stack)
		return nil
	}
	match := func(pattern map[string]interface{}, sampleName string) bool {
		ev, ok := samples[sampleName]
		if !ok {
			t.Fatalf("no sample %s", sampleName)
		}
		ok, err := eventpattern.Match(pattern, ev)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	failed := rule("Replica-us-west-2", "ecr-enterprise-apps-replication-failed-from-us-east-1")
	succeeded := rule("Replica-us-west-2", "ecr-enterprise-apps-replicated-from-us-east-1")
	cases := []struct {
		name    string
		pattern map[string]interface{}
		sample  string
		want    bool
	}{
		{"replication-failed matches the failure rule", failed, "replication-failed", true},
		{"a failure in enterprise-apps-legacy does not match the failure rule", failed, "replication-failed-other-prefix", false},
		{"a failure from another source region does not match", failed, "replication-failed-other-source-region", false},
		{"replication-success does not match the failure rule", failed, "replication-success", false},
		{"replication-success matches the success rule", succeeded, "replication-success", true},
		{"replication-failed does not match the success rule", succeeded, "replication-failed", false},
		{"image-scan-critical matches the security rule", rule("Source", "ecr-enterprise-apps-scan-findings"), "image-scan-critical", true},
		{"image-scan-clean does not match the security rule", rule("Source", "ecr-enterprise-apps-scan-findings"), "image-scan-clean", false},
		{"lifecycle-expiry matches the lifecycle rule", rule("Source", "ecr-enterprise-apps-lifecycle-expirations"), "lifecycle-expiry", true},
		{"a push to production matches the production push rule", rule("Source", "ecr-enterprise-apps-pushes-to-production"), "image-push", true},
		{"a push to production does not match the testing push rule", rule("Source", "ecr-enterprise-apps-pushes-to-testing"), "image-push", false},
		{"an image delete does not match the production push rule", rule("Source", "ecr-enterprise-apps-pushes-to-production"), "image-delete", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := match(c.pattern, c.sample); got != c.want {
				t.Errorf("match(%s) = %v; want %v", c.sample, got, c.want)
			}
		})
	}
}
