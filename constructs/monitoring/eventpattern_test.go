package monitoring_test

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"
)

// expectedMatches lists, per fixture and stack, every rule (by its deterministic name) and
// exactly the samples it must match. Every other sample must not match it.
var expectedMatches = map[string]map[string]map[string][]string{
	"default": {
		"Source": {
			"ecr-enterprise-apps-pushes-production":     {"image-push"},
			"ecr-enterprise-apps-pushes-testing":        {"image-push-testing"},
			"ecr-enterprise-apps-scan-findings":         {"image-scan-critical", "image-scan-high-only"},
			"ecr-enterprise-apps-lifecycle-expirations": {"lifecycle-expiry"},
		},
		"Replica-us-west-2": replicaExpectations(true),
		"Replica-eu-west-1": replicaExpectations(true),
	},
	"email": {
		"Source": {
			"ecr-enterprise-apps-pushes-production":       {"image-push"},
			"ecr-enterprise-apps-pushes-testing":          {"image-push-testing"},
			"ecr-enterprise-apps-scan-findings":           {"image-scan-critical", "image-scan-high-only"},
			"ecr-enterprise-apps-inspector-scan-findings": {"inspector2-scan-critical"},
			"ecr-enterprise-apps-lifecycle-expirations":   {"lifecycle-expiry"},
		},
		"Replica-us-west-2": replicaExpectations(false),
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

func rulesOf(t *testing.T, s *stackFixture) []synthesizedRule {
	t.Helper()
	var out []synthesizedRule
	for id, res := range resourcesOfType(s.json, "AWS::Events::Rule") {
		p := props(res)
		name, ok := p["Name"].(string)
		if !ok {
			t.Fatalf("%s/%s: rule without a plain Name", s.name, id)
		}
		pattern, ok := p["EventPattern"].(map[string]interface{})
		if !ok {
			t.Fatalf("%s/%s: EventPattern is not a plain object: %v", s.name, name, p["EventPattern"])
		}
		out = append(out, synthesizedRule{stack: s, name: name, pattern: pattern, props: p})
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
						ok, err := matchEventPattern(r.pattern, smp.event)
						if err != nil {
							t.Fatalf("pattern %v: %v", r.pattern, err)
						}
						if ok {
							got = append(got, smp.name)
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
		samples[s.name] = s.event
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
		ok, err := matchEventPattern(pattern, ev)
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
		{"a push to production matches the production push rule", rule("Source", "ecr-enterprise-apps-pushes-production"), "image-push", true},
		{"a push to production does not match the testing push rule", rule("Source", "ecr-enterprise-apps-pushes-testing"), "image-push", false},
		{"an image delete does not match the production push rule", rule("Source", "ecr-enterprise-apps-pushes-production"), "image-delete", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := match(c.pattern, c.sample); got != c.want {
				t.Errorf("match(%s) = %v; want %v", c.sample, got, c.want)
			}
		})
	}
}

// TestMatcherOperators covers the operators of the Go matcher that the synthesized rules
// do not use, so that the matcher itself is trustworthy.
func TestMatcherOperators(t *testing.T) {
	event := map[string]interface{}{}
	_ = json.Unmarshal([]byte(`{"source":"aws.ecr","detail":{"n":5,"s":"Enterprise-Apps/x","list":["a","b"],
		"objs":[{"k":"v1"},{"k":"v2"}],"empty":{},"nul":null,"flag":true}}`), &event)
	cases := []struct {
		pattern string
		want    bool
	}{
		{`{"source":["aws.ecr"]}`, true},
		{`{"source":["aws.s3"]}`, false},
		{`{"detail":{"n":[5]}}`, true},
		{`{"detail":{"n":[{"numeric":[">",4,"<=",5]}]}}`, true},
		{`{"detail":{"n":[{"numeric":[">",5]}]}}`, false},
		{`{"detail":{"s":[{"prefix":{"equals-ignore-case":"enterprise-apps/"}}]}}`, true},
		{`{"detail":{"s":[{"prefix":"enterprise-apps/"}]}}`, false},
		{`{"detail":{"s":[{"suffix":"/x"}]}}`, true},
		{`{"detail":{"s":[{"equals-ignore-case":"enterprise-apps/X"}]}}`, true},
		{`{"detail":{"s":[{"wildcard":"Enterprise-*/x"}]}}`, true},
		{`{"detail":{"list":["b"]}}`, true},
		{`{"detail":{"objs":{"k":["v2"]}}}`, true},
		{`{"detail":{"objs":{"k":["v3"]}}}`, false},
		{`{"detail":{"missing":[{"exists":false}]}}`, true},
		{`{"detail":{"missing":[{"exists":true}]}}`, false},
		{`{"detail":{"empty":[{"exists":true}]}}`, false},
		{`{"detail":{"nul":[null]}}`, true},
		{`{"detail":{"flag":[true]}}`, true},
		{`{"detail":{"s":[{"anything-but":["x"]}]}}`, true},
		{`{"detail":{"s":[{"anything-but":{"prefix":"Enterprise"}}]}}`, false},
		{`{"detail":{"missing":[{"anything-but":["x"]}]}}`, false},
		{`{"detail":{"$or":[{"n":[1]},{"s":[{"suffix":"x"}]}]}}`, true},
		{`{"detail":{"$or":[{"n":[1]},{"s":[{"suffix":"y"}]}]}}`, false},
	}
	for _, c := range cases {
		var p map[string]interface{}
		if err := json.Unmarshal([]byte(c.pattern), &p); err != nil {
			t.Fatal(err)
		}
		got, err := matchEventPattern(p, event)
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		if got != c.want {
			t.Errorf("match(%s) = %v; want %v", c.pattern, got, c.want)
		}
	}
	var bad map[string]interface{}
	_ = json.Unmarshal([]byte(`{"detail":{"s":[{"cidr":"10.0.0.0/8"}]}}`), &bad)
	if _, err := matchEventPattern(bad, event); err == nil {
		t.Errorf("an unsupported operator must be an error")
	}
}
