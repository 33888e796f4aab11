package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/eventpattern"
	"github.com/acme-platform/ecr-replication/pricing"
	"github.com/acme-platform/ecr-replication/replication"
)

// The monitoring requirements, enforced over every synthesized stack of every context
// variant: every alarm has an action; alarms and dashboard widgets use only metrics that AWS
// publishes or that a metric filter of the same template produces; every event pattern
// matches exactly the sample events it must catch.

func TestEveryAlarmHasAnActionInEveryVariant(t *testing.T) {
	for _, v := range keys(variants) {
		f := synth(t, v)
		alarms := 0
		for _, name := range keys(f.templates) {
			tmpl := f.templates[name]
			alarms += len(tmpl.Resources("AWS::CloudWatch::Alarm")) + len(tmpl.Resources("AWS::CloudWatch::CompositeAlarm"))
			for _, id := range cfntest.AlarmsWithoutActions(tmpl) {
				t.Errorf("%s %s: alarm %s has no action (no AlarmActions, or actions disabled)", v, name, id)
			}
		}
		if alarms == 0 {
			t.Errorf("%s: no alarm in any stack; the check would prove nothing", v)
		}
	}
}

func TestOnlyPublishedMetricsInEveryVariant(t *testing.T) {
	for _, v := range keys(variants) {
		f := synth(t, v)
		metrics := 0
		// The source dashboard charts what the state machines of every region publish.
		var published []string
		for _, tmpl := range f.templates {
			published = append(published, cfntest.StateMachineMetrics(tmpl)...)
		}
		for _, name := range keys(f.templates) {
			tmpl := f.templates[name]
			for _, finding := range cfntest.UnpublishedMetrics(tmpl, published...) {
				t.Errorf("%s %s: %s", v, name, finding)
			}
			widgets, _ := cfntest.DashboardWidgets(tmpl) // errors are findings of UnpublishedMetrics
			for _, w := range widgets {
				metrics += len(w.Metrics)
			}
		}
		if metrics == 0 {
			t.Errorf("%s: no dashboard metric in any stack; the check would prove nothing", v)
		}
	}
}

// sampleEvents loads the repository's sample events (testdata/events); a missing directory
// fails the test.
func sampleEvents(t *testing.T) map[string]eventpattern.Sample {
	t.Helper()
	dir := eventpattern.SamplesDir(".")
	list, err := eventpattern.LoadSamples(dir)
	if err != nil {
		t.Fatalf("sample events: %v", err)
	}
	out := map[string]eventpattern.Sample{}
	for _, s := range list {
		out[s.Name] = s
	}
	return out
}

// expectedRuleMatches returns, for every stack of the deployment, every event rule it must
// have (by name) and exactly the samples each must match; every other sample must
// not match it. Replication events carry the destination region in the envelope, which no
// pattern filters on, so a replication sample matches the rule of every replica stack alike
// (and a lifecycle sample every lifecycle rule).
func expectedRuleMatches(cfg *config.Config) map[string]map[string][]string {
	prefix := monitoring.DefaultNamePrefix(cfg.RepoPrefix)
	lifecycle := prefix + "-lifecycle-expirations"
	source := map[string][]string{lifecycle: {"lifecycle-expiry"}}
	// A registry scans either basically or through Inspector: only that scan type's rule exists.
	if cfg.EnhancedScanning {
		source[prefix+"-inspector-scan-findings"] = []string{"inspector2-scan-critical"}
	} else {
		source[prefix+"-scan-findings"] = []string{"image-scan-critical", "image-scan-high-only"}
	}
	if cfg.ReplicationLatency {
		// A forwarded event keeps its envelope (region: the destination), so the replication
		// success seen in us-west-2 is exactly what the latency rule receives in the source
		// region; testdata/events/forwarded has the other forwarded cases.
		// With known accounts the rule also requires a destination account in the envelope;
		// the sample was seen in the source account 111111111111, so it matches when some
		// destination is in the source account.
		source[prefix+"-replication-latency"] = nil
		for _, d := range cfg.Destinations() {
			if !d.CrossAccount(cfg.SourceAccount) {
				source[prefix+"-replication-latency"] = []string{"replication-success"}
			}
		}
	}
	for _, repo := range cfg.Repositories() {
		var want []string
		switch repo.FullName {
		case cfg.RepoPrefix + "/production":
			want = []string{"image-push"} // the sample pushes enterprise-apps/production
		case cfg.RepoPrefix + "/testing":
			want = []string{"image-push-testing"}
		}
		source[prefix+"-pushes-to-"+strings.ReplaceAll(strings.TrimPrefix(repo.FullName, cfg.RepoPrefix+"/"), "/", "-")] = want
	}
	out := map[string]map[string][]string{replication.SourceStackName(replication.DefaultDeploymentID, cfg.SourceRegion): source}
	failed := []string{"replication-failed"}
	if cfg.SourceAccount == "" {
		// With the source account unknown, the rules cannot filter on it.
		failed = append(failed, "replication-failed-other-source-account")
	}
	for _, region := range cfg.DestinationRegions {
		replica := map[string][]string{
			prefix + "-replication-failed-from-" + cfg.SourceRegion: failed,
			prefix + "-replicated-from-" + cfg.SourceRegion:         {"replication-success"},
			lifecycle: {"lifecycle-expiry"},
		}
		if cfg.EnhancedScanning {
			replica[prefix+"-inspector-scan-findings"] = []string{"inspector2-scan-critical"}
		}
		if cfg.ReplicationLatency {
			replica[prefix+"-forward-replications-to-"+cfg.SourceRegion] = []string{"replication-success"}
		}
		out[replication.ReplicaStackName(replication.DefaultDeploymentID, region)] = replica
	}
	return out
}

// samplesThatMatchNothing are the samples no rule of the app may catch: they appear
// in no expectation of expectedRuleMatches.
var samplesThatMatchNothing = []string{"replication-failed-other-prefix", "image-scan-clean", "image-delete"}

func TestAppEventPatternsAgainstSamples(t *testing.T) {
	samples := sampleEvents(t)
	for _, name := range append([]string{"replication-failed", "replication-success", "image-scan-critical", "image-push", "lifecycle-expiry"}, samplesThatMatchNothing...) {
		if _, ok := samples[name]; !ok {
			t.Fatalf("testdata/events lacks %s.json", name)
		}
	}
	sampleNames := keys(samples)

	for _, v := range []string{"default", "cross-account", "per-destination-account"} {
		f := synth(t, v)
		expected := expectedRuleMatches(f.cfg)
		if got, want := keys(f.templates), keys(expected); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("%s: stacks = %v; want %v", v, got, want)
		}

		// matches[sample] = every "stack rule" that matches it, and the expected sets.
		matches, wantMatches := map[string][]string{}, map[string][]string{}
		for _, stack := range keys(f.templates) {
			rules := cfntest.EventRules(f.templates[stack])
			var names []string
			for _, r := range rules {
				names = append(names, r.Name)
			}
			sort.Strings(names)
			if want := keys(expected[stack]); strings.Join(names, " ") != strings.Join(want, " ") {
				t.Errorf("%s %s: rules = %v; want %v", v, stack, names, want)
			}
			if n := len(f.templates[stack].Resources("AWS::Events::Rule")); n != len(rules) {
				t.Errorf("%s %s: %d rules, only %d with an event pattern", v, stack, n, len(rules))
			}
			for _, r := range rules {
				if r.Name == "" || r.Pattern == nil {
					t.Errorf("%s %s: rule %s has no plain name or no plain event pattern", v, stack, r.LogicalID)
					continue
				}
				for _, s := range expected[stack][r.Name] {
					wantMatches[s] = append(wantMatches[s], stack+" "+r.Name)
				}
				for _, s := range sampleNames {
					ok, err := eventpattern.Match(r.Pattern, samples[s].Event)
					if err != nil {
						t.Errorf("%s %s %s (%s): %v", v, stack, r.Name, r.LogicalID, err)
						continue
					}
					if ok {
						matches[s] = append(matches[s], stack+" "+r.Name)
					}
				}
			}
		}
		for _, s := range sampleNames {
			got, want := matches[s], wantMatches[s]
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, ", ") != strings.Join(want, ", ") {
				t.Errorf("%s: sample %s matches [%s]; want [%s]", v, s, strings.Join(got, ", "), strings.Join(want, ", "))
			}
		}

		// The failure sample, emitted in the destination region us-west-2, reaches the
		// failure rule of that region's replica stack.
		prefix := monitoring.DefaultNamePrefix(f.cfg.RepoPrefix)
		failedRule := prefix + "-replication-failed-from-" + f.cfg.SourceRegion
		region, _ := samples["replication-failed"].Event["region"].(string)
		if want := replication.ReplicaStackName(replication.DefaultDeploymentID, region) + " " + failedRule; !slices.Contains(matches["replication-failed"], want) {
			t.Errorf("%s: replication-failed (region %s) does not match %s", v, region, want)
		}

		// Replication rules filter on the source account exactly when the app knows it; the
		// samples come from 111111111111, which is the cross-account variant's source account.
		checkSourceAccountFilter(t, v, f, samples["replication-failed"])
	}
}

// checkSourceAccountFilter checks what the replication rules of every replica stack filter
// detail.source-account on: the configured source account, or nothing when it is unknown.
// With a filter, the failure sample re-addressed from another account must not match.
func checkSourceAccountFilter(t *testing.T, v string, f *fixture, failed eventpattern.Sample) {
	t.Helper()
	prefix := monitoring.DefaultNamePrefix(f.cfg.RepoPrefix)
	failedRule := prefix + "-replication-failed-from-" + f.cfg.SourceRegion
	names := map[string]bool{
		failedRule: true,
		prefix + "-replicated-from-" + f.cfg.SourceRegion: true,
	}
	var other map[string]any
	if err := json.Unmarshal(failed.Raw, &other); err != nil {
		t.Fatal(err)
	}
	detail, _ := other["detail"].(map[string]any)
	if detail == nil || detail["source-account"] == nil {
		t.Fatalf("replication-failed has no detail.source-account")
	}
	if v == "cross-account" && detail["source-account"] != f.cfg.SourceAccount {
		t.Errorf("%s: the sample comes from %v, not the variant's source account %s; the expectations assume they agree", v, detail["source-account"], f.cfg.SourceAccount)
	}
	detail["source-account"] = "999999999999"

	checked := 0
	for _, region := range f.cfg.DestinationRegions {
		stack := replication.ReplicaStackName(replication.DefaultDeploymentID, region)
		for _, r := range cfntest.EventRules(f.templates[stack]) {
			if !names[r.Name] {
				continue
			}
			checked++
			d, _ := r.Pattern["detail"].(map[string]any)
			got := cfntest.JSON(d["source-account"])
			want := "null"
			if f.cfg.SourceAccount != "" {
				want = fmt.Sprintf(`[%q]`, f.cfg.SourceAccount)
			}
			if got != want {
				t.Errorf("%s %s %s: detail.source-account filter = %s; want %s", v, stack, r.Name, got, want)
			}
			if r.Name != failedRule {
				continue
			}
			ok, err := eventpattern.Match(r.Pattern, other)
			if err != nil {
				t.Errorf("%s %s %s: %v", v, stack, r.Name, err)
			}
			if wantMatch := f.cfg.SourceAccount == ""; ok != wantMatch {
				t.Errorf("%s %s %s: a failure from account 999999999999 matches = %v; want %v", v, stack, r.Name, ok, wantMatch)
			}
		}
	}
	if checked != 2*len(f.cfg.DestinationRegions) {
		t.Errorf("%s: checked %d replication rules; want %d", v, checked, 2*len(f.cfg.DestinationRegions))
	}
}

// TestMonthlyCost prices the fixed monthly monitoring cost of every variant from its
// templates (pricing.EstimateMonthlyCost): the default deployment must stay at or below
// $12 a month, and every variant's figure is logged for the README's cost table.
func TestMonthlyCost(t *testing.T) {
	for _, v := range keys(variants) {
		f := synth(t, v)
		var templates []map[string]interface{}
		for _, name := range keys(f.templates) {
			templates = append(templates, f.templates[name])
		}
		c := pricing.EstimateMonthlyCost(pricing.ListPrices, templates...)
		t.Logf("%s: %s", v, c)
		if c.StateMachines == 0 && f.cfg.StorageMetrics {
			t.Errorf("%s: storage is measured but no state machine was counted", v)
		}
		if v == "default" {
			if c.FixedMonthlyUSD > 12 {
				t.Errorf("default deployment: $%.2f a month; the target is at most $12 (%s)", c.FixedMonthlyUSD, c)
			}
			// 3 storage metrics (one per region) and 2 latency metrics (one per destination).
			if c.CustomMetrics != 5 {
				t.Errorf("default deployment: %d custom metrics; want 5 (%s)", c.CustomMetrics, c)
			}
		}
	}
}

// TestEveryDeliveryIsWatched: in every stack of every variant, each rule whose target is a
// topic, an event bus or a state machine (anything but a log group) is watched by an alarm on
// its AWS/Events FailedInvocations, and that alarm notifies the stack's alert topic.
func TestEveryDeliveryIsWatched(t *testing.T) {
	for _, v := range keys(variants) {
		f := synth(t, v)
		for _, name := range keys(f.templates) {
			tmpl := f.templates[name]
			watched := map[string]bool{}
			for _, a := range tmpl.Resources("AWS::CloudWatch::Alarm") {
				for _, q := range a.Properties["Metrics"].([]any) {
					stat, _ := q.(map[string]any)["MetricStat"].(map[string]any)
					metric, _ := stat["Metric"].(map[string]any)
					if metric["MetricName"] != "FailedInvocations" {
						continue
					}
					if len(a.Properties["AlarmActions"].([]any)) == 0 {
						t.Errorf("%s %s: delivery alarm %s notifies nobody", v, name, a.LogicalID)
					}
					for _, d := range metric["Dimensions"].([]any) {
						if d := d.(map[string]any); d["Name"] == "RuleName" {
							watched[d["Value"].(string)] = true
						}
					}
				}
			}
			delivering := 0
			for _, r := range tmpl.Resources("AWS::Events::Rule") {
				targets := cfntest.JSON(r.Properties["Targets"])
				if strings.Contains(targets, "log-group") {
					continue
				}
				delivering++
				if rule, _ := r.Properties["Name"].(string); !watched[rule] {
					t.Errorf("%s %s: rule %s delivers to %s but no alarm watches its FailedInvocations", v, name, rule, targets)
				}
			}
			if delivering == 0 {
				t.Errorf("%s %s: no delivering rule; the check would prove nothing", v, name)
			}
		}
	}
}
