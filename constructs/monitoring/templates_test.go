package monitoring_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/jsiitest"
)

// The metric checks live in internal/cfntest (cfntest.AlarmsWithoutActions,
// cfntest.UnpublishedMetrics: AWS-published metrics and those of the template's own metric
// filters only), so that the app tests apply the same checks to every synthesized stack.

// TestEveryAlarmHasAnAction: every alarm notifies its topic, of ALARM and of OK alike (the
// action strategy of README.md "Alarms"), and never of INSUFFICIENT_DATA.
func TestEveryAlarmHasAnAction(t *testing.T) {
	checked := 0
	for _, s := range allStacks(t) {
		for _, id := range cfntest.AlarmsWithoutActions(s.tmpl()) {
			t.Errorf("%s/%s: alarm without AlarmActions", s.name, id)
		}
		for _, a := range s.tmpl().Resources("AWS::CloudWatch::Alarm") {
			checked++
			if alarm, ok := cfntest.JSON(a.Properties["AlarmActions"]), cfntest.JSON(a.Properties["OKActions"]); alarm != ok {
				t.Errorf("%s/%s: AlarmActions %s, OKActions %s; want the same topic", s.name, a.LogicalID, alarm, ok)
			}
			if _, has := a.Properties["InsufficientDataActions"]; has {
				t.Errorf("%s/%s: notifies INSUFFICIENT_DATA", s.name, a.LogicalID)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no alarm checked")
	}
}

func TestAlarmsAndDashboardsUseOnlyPublishedMetrics(t *testing.T) {
	for _, s := range allStacks(t) {
		for _, finding := range cfntest.UnpublishedMetrics(s.tmpl()) {
			t.Errorf("%s/%s", s.name, finding)
		}
	}
}

// TestDashboardFindsReplicaRulesAndAlarmsByName checks that every rule metric and alarm
// the source dashboard shows for another region names a rule or alarm that the stack of
// that region really creates: the names are the only link between the regions.
func TestDashboardFindsReplicaRulesAndAlarmsByName(t *testing.T) {
	for _, fixtureName := range []string{"default", "email"} {
		f := getFixture(t, fixtureName)
		rules := map[string]bool{}  // region/name
		alarms := map[string]bool{} // region/name
		for _, s := range f.stacks {
			for _, r := range s.tmpl().Resources("AWS::Events::Rule") {
				rules[s.region+"/"+fmt.Sprint(r.Properties["Name"])] = true
			}
			for _, r := range s.tmpl().Resources("AWS::CloudWatch::Alarm") {
				alarms[s.region+"/"+fmt.Sprint(r.Properties["AlarmName"])] = true
			}
		}
		src := f.stack("Source")
		widgets, err := cfntest.DashboardWidgets(src.tmpl())
		if err != nil {
			t.Fatalf("%s: %v", fixtureName, err)
		}
		checked := 0
		for _, w := range widgets {
			for _, m := range w.Metrics {
				if m.Key() != "AWS/Events TriggeredRules" {
					continue
				}
				region := m.Region
				if region == "" || region == "TOKEN" {
					region = src.region
				}
				if !rules[region+"/"+m.Dimensions["RuleName"]] {
					t.Errorf("%s: widget %q shows rule %s in %s, which no stack creates", fixtureName, w.Title, m.Dimensions["RuleName"], region)
				}
				checked++
			}
			for _, arn := range w.Alarms {
				parts := strings.SplitN(arn, ":", 7)
				if len(parts) != 7 || parts[5] != "alarm" {
					continue // alarms of this stack are referenced by a token
				}
				if !alarms[parts[3]+"/"+parts[6]] {
					t.Errorf("%s: widget %q shows alarm %s, which no stack creates", fixtureName, w.Title, arn)
				}
				checked++
			}
		}
		if checked == 0 {
			t.Errorf("%s: the dashboard references no rule or alarm", fixtureName)
		}
	}
}

func TestNoLambdaAndNoCustomResources(t *testing.T) {
	for _, s := range allStacks(t) {
		for _, r := range s.tmpl().Resources("") {
			if strings.HasPrefix(r.Type, "Custom::") || r.Type == "AWS::Lambda::Function" || r.Type == "AWS::CloudFormation::CustomResource" {
				t.Errorf("%s/%s: %s", s.name, r.LogicalID, r.Type)
			}
		}
	}
}

func TestCfnLintReportsNothing(t *testing.T) {
	var files []cfntest.LintFile
	for _, fx := range []string{"default", "email", "delivery"} {
		for _, s := range getFixture(t, fx).stacks {
			files = append(files, cfntest.LintFile{Name: fx + "-" + s.name, Region: s.region, Template: s.tmpl()})
		}
	}
	cfntest.CfnLint(t, files)
}

// TestCdkNagAwsSolutionsFindsNothing: the AwsSolutions pack ran as an aspect on every
// fixture app before synthesis (see getFixture); no unsuppressed finding may remain.
func TestCdkNagAwsSolutionsFindsNothing(t *testing.T) {
	for _, s := range allStacks(t) {
		for _, m := range jsiitest.Messages(s.stack, "AwsSolutions-") {
			t.Errorf("%s: %s %s: %v", s.name, m.Level, *m.Id, m.Entry.Data)
		}
	}
}

func TestRuleNamesAreUniquePerRegion(t *testing.T) {
	// Rule names are the contract between stacks; two rules may not share a name in one region.
	for _, fx := range []string{"default", "email", "delivery"} {
		seen := map[string]string{}
		for _, s := range getFixture(t, fx).stacks {
			for _, r := range rulesOf(t, s) {
				key := s.region + "/" + r.name
				if other, ok := seen[key]; ok {
					t.Errorf("%s: rule %s exists in %s and %s", fx, key, other, s.name)
				}
				seen[key] = s.name
			}
		}
		keys := make([]string, 0, len(seen))
		for k := range seen {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Logf("%s rules: %v", fx, keys)
	}
}
