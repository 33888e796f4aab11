package lifecycle_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

func TestMatchPattern(t *testing.T) {
	cases := []struct {
		pattern, tag string
		want         bool
	}{
		{"prod*", "prod-1.0", true},
		{"prod*", "prod", true},
		{"prod*", "preprod-1", false},
		{"prod", "prod", true},
		{"prod", "prod-1", false}, // no wildcard: the whole tag must match
		{"*-rc*", "1.4.0-rc2", true},
		{"*-rc*", "1.4.0", false},
		{"*", "anything", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "acb", false},
		{"a*a", "a", false}, // prefix and suffix may not overlap
		{"a*a", "aa", true},
		{"*test*1*2*3", "my-test-1-2-3", true},
		{"*test*1*2*3", "my-test-1-2-3-4", false},
		{"v*.*.*", "v1.22.3", true},
		{"v*.*.*", "v1.22", false},
	}
	for _, tc := range cases {
		if got := lifecycle.MatchPattern(tc.pattern, tc.tag); got != tc.want {
			t.Errorf("MatchPattern(%q, %q) = %v; want %v", tc.pattern, tc.tag, got, tc.want)
		}
	}
}

func TestEvaluateExplainsEachVerdict(t *testing.T) {
	policy := lifecycle.ProductionProfile{ImageCount: 2}.Policy()
	images := []lifecycle.Image{
		img("prod-3", 1, "prod-1.3", "latest"),
		img("prod-2", 2, "prod-1.2"),
		img("prod-1", 3, "prod-1.1"),
		img("release-1", 40, "release-7"),
		img("feature", 90, "feature-login"),
		img("untagged-old", 3.25),
		img("untagged-new", 0.25),
	}
	want := map[string]string{
		"prod-3":       `kept: claimed by rule 1 ("keep the newest 2 images tagged prod*"): the newest of 3 images tagged prod*, within the newest 2`,
		"prod-2":       `kept: claimed by rule 1 ("keep the newest 2 images tagged prod*"): 2nd newest of 3 images tagged prod*, within the newest 2`,
		"prod-1":       `expired by rule 1 ("keep the newest 2 images tagged prod*"): 3rd newest of 3 images tagged prod*, beyond the newest 2`,
		"release-1":    `kept: claimed by rule 2 ("keep the newest 2 images tagged release*"): the newest of 1 image tagged release*, within the newest 2`,
		"feature":      `kept: no rule selects tagged images without a prod* or release* tag`,
		"untagged-old": `expired by rule 3 ("expire untagged images older than 1 day"): pushed 3.2 days ago, more than 1 day ago`,
		"untagged-new": `kept: claimed by rule 3 ("expire untagged images older than 1 day"): pushed 6 hours ago, not more than 1 day ago`,
	}
	verdicts := policy.Evaluate(images, now)
	if len(verdicts) != len(images) {
		t.Fatalf("got %d verdicts; want %d", len(verdicts), len(images))
	}
	for i, v := range verdicts {
		if v.Image.Digest != images[i].Digest {
			t.Errorf("verdict %d is for %s; want %s (input order)", i, v.Image.Digest, images[i].Digest)
		}
		name := v.Image.Digest[len("sha256:"):]
		if v.Reason != want[name] {
			t.Errorf("reason for %s =\n  %q\nwant\n  %q", name, v.Reason, want[name])
		}
		if v.Kept() != (v.RulePriority == 0) {
			t.Errorf("%s: Action %q with RulePriority %d; want priority 0 exactly when kept", name, v.Action, v.RulePriority)
		}
	}
	if got, want := acted(verdicts), []string{"prod-1", "untagged-old"}; !reflect.DeepEqual(got, want) {
		t.Errorf("expired = %v; want %v", got, want)
	}
}

func TestEvaluateTransitionsAndArchive(t *testing.T) {
	policy := lifecycle.Policy{Rules: archiveRules()} // archive prod* unpulled 30 days; expire archived after 365 days
	pulled := func(i lifecycle.Image, d float64) lifecycle.Image { i.LastPulledAt = daysAgo(d); return i }
	arch := func(i lifecycle.Image, d float64) lifecycle.Image {
		i.StorageClass = lifecycle.StorageArchive
		i.TransitionedAt = daysAgo(d)
		return i
	}
	images := []lifecycle.Image{
		pulled(img("pulled-recently", 200, "prod-1"), 3),
		pulled(img("pulled-long-ago", 200, "prod-2"), 45),
		img("never-pulled-old", 31, "prod-3"),
		img("never-pulled-new", 29, "prod-4"),
		arch(img("archived-long-ago", 800, "prod-0"), 400),
		arch(img("archived-recently", 500, "prod-5"), 100),
		img("other", 400, "feature-x"),
	}
	cases := map[string]struct {
		action lifecycle.ActionType
		rule   int
		reason string
	}{
		"pulled-recently":   {"", 0, `kept: claimed by rule 1 ("archive prod* images not pulled for 30 days"): last pulled 3 days ago, not more than 30 days ago`},
		"pulled-long-ago":   {lifecycle.ActionTransition, 1, `transitioned to archive by rule 1 ("archive prod* images not pulled for 30 days"): last pulled 45 days ago, more than 30 days ago`},
		"never-pulled-old":  {lifecycle.ActionTransition, 1, `transitioned to archive by rule 1 ("archive prod* images not pulled for 30 days"): never pulled, pushed 31 days ago, more than 30 days ago`},
		"never-pulled-new":  {"", 0, `kept: claimed by rule 1 ("archive prod* images not pulled for 30 days"): never pulled, pushed 29 days ago, not more than 30 days ago`},
		"archived-long-ago": {lifecycle.ActionExpire, 2, `expired by rule 2 ("expire images archived for a year"): archived 400 days ago, more than 365 days ago`},
		"archived-recently": {"", 0, `kept: claimed by rule 2 ("expire images archived for a year"): archived 100 days ago, not more than 365 days ago`},
		"other":             {"", 0, `kept: no rule selects tagged images without a prod* tag`},
	}
	for _, v := range policy.Evaluate(images, now) {
		name := v.Image.Digest[len("sha256:"):]
		want := cases[name]
		if v.Action != want.action || v.RulePriority != want.rule || v.Reason != want.reason {
			t.Errorf("%s: got %q by rule %d: %q\nwant %q by rule %d: %q", name, v.Action, v.RulePriority, v.Reason, want.action, want.rule, want.reason)
		}
		if v.Action == lifecycle.ActionTransition && v.TargetStorageClass != lifecycle.StorageArchive {
			t.Errorf("%s: TargetStorageClass = %q; want archive", name, v.TargetStorageClass)
		}
	}
}

func TestEvaluateRespectsTheArchiveMinimum(t *testing.T) {
	rule := lifecycle.Rule{
		RulePriority: 1,
		Selection:    lifecycle.Selection{TagStatus: lifecycle.TagStatusAny, StorageClass: lifecycle.StorageArchive, CountType: lifecycle.CountSinceImageTransitioned, CountUnit: "days", CountNumber: 30},
		Action:       lifecycle.Action{Type: lifecycle.ActionExpire},
	}
	young := img("young", 300, "v1")
	young.StorageClass, young.TransitionedAt = lifecycle.StorageArchive, daysAgo(60)
	old := img("old", 300, "v0")
	old.StorageClass, old.TransitionedAt = lifecycle.StorageArchive, daysAgo(91)
	verdicts := lifecycle.Policy{Rules: []lifecycle.Rule{rule}}.Evaluate([]lifecycle.Image{young, old}, now)

	want := "kept: claimed by rule 1, which would expire it (archived 60 days ago, more than 30 days ago), but it was archived 60 days ago and lifecycle policies cannot expire images archived less than 90 days"
	if got := verdicts[0]; !got.Kept() || got.Reason != want {
		t.Errorf("young: %q %q; want kept: %q", got.Action, got.Reason, want)
	}
	if got := verdicts[1]; got.Action != lifecycle.ActionExpire {
		t.Errorf("old: %q %q; want expire", got.Action, got.Reason)
	}
}

func TestEvaluateStorageClassFiltersRules(t *testing.T) {
	policy := lifecycle.ProductionProfile{ImageCount: 1}.Policy()
	a := img("archived", 500)
	a.StorageClass = lifecycle.StorageArchive
	b := img("archived-prod", 500, "prod-0")
	b.StorageClass = lifecycle.StorageArchive
	verdicts := policy.Evaluate([]lifecycle.Image{a, b, img("prod-1", 2, "prod-1"), img("prod-2", 1, "prod-2")}, now)
	for _, i := range []int{0, 1} {
		if want := "kept: no rule applies to archive images"; verdicts[i].Reason != want {
			t.Errorf("%s reason = %q; want %q", verdicts[i].Image.Digest, verdicts[i].Reason, want)
		}
	}
	// The archived prod image is not counted by the standard prod rule either.
	if got, want := acted(verdicts), []string{"prod-1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("expired = %v; want %v", got, want)
	}
}

func TestEvaluateTagPatternListIsANDed(t *testing.T) {
	rule := patternRule(1, "*-rc*", "v2*")
	rule.Selection.CountNumber = 1
	policy := lifecycle.Policy{Rules: []lifecycle.Rule{rule}}
	images := []lifecycle.Image{
		img("both-old", 5, "v2.1.0-rc1"),        // one tag matches both patterns
		img("both-new", 1, "v2.2.0", "main-rc"), // two tags, one per pattern
		img("rc-only", 9, "v1.0.0-rc1"),
		img("v2-only", 9, "v2.0.0"),
	}
	verdicts := policy.Evaluate(images, now)
	if got, want := acted(verdicts), []string{"both-old"}; !reflect.DeepEqual(got, want) {
		t.Errorf("expired = %v; want %v%s", got, want, describeVerdicts(verdicts))
	}
	if got, want := verdicts[2].Reason, "kept: no rule selects tagged images without tags matching all of *-rc*, v2*"; got != want {
		t.Errorf("rc-only reason = %q; want %q", got, want)
	}
	if got, want := verdicts[0].Reason, "expired by rule 1: 2nd newest of 2 images with tags matching *-rc* and v2*, beyond the newest 1"; got != want {
		t.Errorf("both-old reason = %q; want %q", got, want)
	}
}

func TestEvaluateEdgeCases(t *testing.T) {
	t.Run("no images", func(t *testing.T) {
		if got := (lifecycle.ProductionProfile{}.Policy()).Evaluate(nil, now); len(got) != 0 {
			t.Errorf("Evaluate(nil) = %v; want no verdicts", got)
		}
	})
	t.Run("empty policy keeps everything", func(t *testing.T) {
		got := lifecycle.Policy{}.Evaluate([]lifecycle.Image{img("x", 999)}, now)
		if len(got) != 1 || !got[0].Kept() || got[0].Reason != "kept: the policy has no rules" {
			t.Errorf("Evaluate = %+v; want one kept verdict explaining the policy has no rules", got)
		}
	})
	t.Run("untagged images with no untagged rule", func(t *testing.T) {
		got := lifecycle.Policy{Rules: []lifecycle.Rule{keepNewest(1, 1, "prod")}}.Evaluate([]lifecycle.Image{img("x", 999)}, now)
		if want := "kept: no rule selects untagged images"; got[0].Reason != want {
			t.Errorf("reason = %q; want %q", got[0].Reason, want)
		}
	})
	t.Run("tagged images with only an untagged rule", func(t *testing.T) {
		got := lifecycle.Policy{Rules: []lifecycle.Rule{olderThan(1, lifecycle.TagStatusUntagged, 1)}}.Evaluate([]lifecycle.Image{img("x", 999, "v1")}, now)
		if want := "kept: no rule selects tagged images"; got[0].Reason != want {
			t.Errorf("reason = %q; want %q", got[0].Reason, want)
		}
	})
	t.Run("exactly at the age limit is not older", func(t *testing.T) {
		got := lifecycle.Policy{Rules: []lifecycle.Rule{olderThan(1, lifecycle.TagStatusAny, 7)}}.Evaluate(
			[]lifecycle.Image{img("at", 7), img("past", 7+1.0/86400)}, now)
		if !got[0].Kept() || got[1].Kept() {
			t.Errorf("at the limit: %q; a second past it: %q; want kept, then expired", got[0].Reason, got[1].Reason)
		}
	})
	t.Run("invalid policy does not panic", func(t *testing.T) {
		bad := lifecycle.Policy{Rules: []lifecycle.Rule{{RulePriority: 1, Selection: lifecycle.Selection{TagStatus: lifecycle.TagStatusAny, CountType: "bogus"}, Action: lifecycle.Action{Type: "zap"}}}}
		got := bad.Evaluate([]lifecycle.Image{img("x", 1)}, now)
		if !got[0].Kept() {
			t.Errorf("verdict = %+v; want kept", got[0])
		}
	})
	t.Run("any rule ranks every image, claimed or not", func(t *testing.T) {
		policy := lifecycle.Policy{Rules: []lifecycle.Rule{keepNewest(1, 5, "prod"), {
			RulePriority: 2,
			Selection:    lifecycle.Selection{TagStatus: lifecycle.TagStatusAny, CountType: lifecycle.CountImageCountMoreThan, CountNumber: 2},
			Action:       lifecycle.Action{Type: lifecycle.ActionExpire},
		}}}
		var images []lifecycle.Image
		for i := 0; i < 3; i++ {
			images = append(images, img(fmt.Sprintf("prod-%d", i), float64(i)/10, fmt.Sprintf("prod-%d", i)))
		}
		images = append(images, img("dev", 1, "dev-1"))
		got := policy.Evaluate(images, now)
		if want := "expired by rule 2: 4th newest of 4 images, beyond the newest 2"; got[3].Reason != want {
			t.Errorf("dev reason = %q; want %q", got[3].Reason, want)
		}
	})
}

func TestVerdictKept(t *testing.T) {
	if !(lifecycle.Verdict{}).Kept() || (lifecycle.Verdict{Action: lifecycle.ActionExpire}).Kept() {
		t.Error("Kept() must be true exactly when Action is empty")
	}
}
