package lifecycle_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

// The worked examples of the ECR user guide ("Examples of lifecycle policies")
// and the recipe's bug, as executable tests.

// TestUserGuideMultiplePrefixesAreANDed is the user guide's "filtering on
// multiple tags in a single rule" example: one rule with tagPrefixList
// ["alpha", "beta"] and sinceImagePushed 5 days selects only images carrying
// both an alpha* and a beta* tag, so only the old alpha-2+beta-2 image expires.
func TestUserGuideMultiplePrefixesAreANDed(t *testing.T) {
	rule := olderThan(1, lifecycle.TagStatusTagged, 5)
	rule.Selection.TagPrefixList = []string{"alpha", "beta"}
	policy := lifecycle.Policy{Rules: []lifecycle.Rule{rule}}
	if err := policy.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	images := []lifecycle.Image{
		img("alpha-1", 10, "alpha-1"),
		img("beta-1", 10, "beta-1"),
		img("alpha-2+beta-2", 8, "alpha-2", "beta-2"),
		img("alpha-3", 7, "alpha-3"),
		img("beta-3", 6, "beta-3"),
		img("alpha-4+beta-4", 2, "alpha-4", "beta-4"),
	}
	verdicts := policy.Evaluate(images, now)
	if got, want := acted(verdicts), []string{"alpha-2+beta-2"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("expired = %v; want %v%s", got, want, describeVerdicts(verdicts))
	}
	checks := map[string]string{
		"alpha-2+beta-2": `expired by rule 1: pushed 8 days ago, more than 5 days ago`,
		"alpha-4+beta-4": `kept: claimed by rule 1: pushed 2 days ago, not more than 5 days ago`,
		"alpha-1":        `kept: no rule selects tagged images without tags matching all of alpha*, beta*`,
	}
	for name, want := range checks {
		if got := verdictOf(t, verdicts, name).Reason; got != want {
			t.Errorf("reason for %s = %q; want %q", name, got, want)
		}
	}
}

// TestUserGuidePriorityChangesTheOutcome is the user guide's "filtering on
// multiple rules" example: A=beta-1+prod-1 (oldest), B=beta-2+prod-2,
// C=beta-3 (newest), two rules keeping 1 image each. Which images expire
// depends on which rule comes first, because the first rule to select an image
// claims it.
func TestUserGuidePriorityChangesTheOutcome(t *testing.T) {
	images := []lifecycle.Image{
		img("A", 3, "beta-1", "prod-1"),
		img("B", 2, "beta-2", "prod-2"),
		img("C", 1, "beta-3"),
	}
	cases := []struct {
		name   string
		policy lifecycle.Policy
		want   []string
	}{
		{"prod at 1, beta at 2", lifecycle.Policy{Rules: []lifecycle.Rule{keepNewest(1, 1, "prod"), keepNewest(2, 1, "beta")}}, []string{"A"}},
		{"beta at 1, prod at 2", lifecycle.Policy{Rules: []lifecycle.Rule{keepNewest(1, 1, "beta"), keepNewest(2, 1, "prod")}}, []string{"A", "B"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			verdicts := tc.policy.Evaluate(images, now)
			if got := acted(verdicts); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("expired = %v; want %v%s", got, tc.want, describeVerdicts(verdicts))
			}
		})
	}

	// With prod first, B is the newest prod image: the prod rule keeps it, and
	// the beta rule, which ranks it 2nd of 3 beta* images, cannot expire it.
	verdicts := cases[0].policy.Evaluate(images, now)
	if got, want := verdictOf(t, verdicts, "B").Reason, "kept: claimed by rule 1: the newest of 2 images tagged prod*, within the newest 1"; got != want {
		t.Errorf("reason for B = %q; want %q", got, want)
	}
}

// TestRecipeSingleListRuleNeverExpiresProdOnlyImages shows the recipe's bug:
// tagPrefixList ["prod", "release"] selects only images carrying both kinds of
// tag, so images tagged only prod-… accumulate forever, while the production
// profile (one rule per prefix) keeps exactly the newest 10.
func TestRecipeSingleListRuleNeverExpiresProdOnlyImages(t *testing.T) {
	recipe := lifecycle.Policy{Rules: []lifecycle.Rule{
		keepNewest(1, 10, "prod", "release"),
		olderThan(2, lifecycle.TagStatusUntagged, 1),
	}}
	if err := recipe.Validate(); err != nil {
		t.Fatalf("the recipe's policy is valid for ECR, but Validate() = %v", err)
	}
	var images []lifecycle.Image
	for i := 0; i < 15; i++ {
		images = append(images, img(fmt.Sprintf("prod-1.%d", i), float64(60-i), fmt.Sprintf("prod-1.%d", i)))
	}

	verdicts := recipe.Evaluate(images, now)
	if got := acted(verdicts); len(got) != 0 {
		t.Errorf("recipe policy expired %v; want nothing (the rule never selects prod-only images)", got)
	}
	want := "kept: no rule selects tagged images without tags matching all of prod*, release*"
	if got := verdictOf(t, verdicts, "prod-1.0").Reason; got != want {
		t.Errorf("reason for prod-1.0 = %q; want %q", got, want)
	}

	fixed := lifecycle.ProductionProfile{}.Policy().Evaluate(images, now)
	if got, want := acted(fixed), []string{"prod-1.0", "prod-1.1", "prod-1.2", "prod-1.3", "prod-1.4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("production profile expired %v; want the 5 oldest %v", got, want)
	}
}

// TestImageWithTwoProductionPrefixesIsDecidedByTheHigherPriorityRule documents
// an ECR edge case of one-rule-per-prefix policies: an image tagged both prod-…
// and release-… is claimed by the prod rule (priority 1) alone. The release rule
// still counts it, so it also takes one of the release rule's 10 places.
func TestImageWithTwoProductionPrefixesIsDecidedByTheHigherPriorityRule(t *testing.T) {
	policy := lifecycle.ProductionProfile{}.Policy()

	t.Run("newest release image expired by the prod rule", func(t *testing.T) {
		// dual is the newest of 10 release images but the 11th newest prod image.
		images := []lifecycle.Image{img("dual", 1, "prod-0.9", "release-2026.11")}
		for i := 0; i < 10; i++ {
			images = append(images, img(fmt.Sprintf("prod-%d", i), 0.5-float64(i)/100, fmt.Sprintf("prod-1.%d", i)))
			if i < 9 {
				images = append(images, img(fmt.Sprintf("release-%d", i), float64(2+i), fmt.Sprintf("release-2026.%d", i)))
			}
		}
		verdicts := policy.Evaluate(images, now)
		v := verdictOf(t, verdicts, "dual")
		want := `expired by rule 1 ("keep the newest 10 images tagged prod*"): 11th newest of 11 images tagged prod*, beyond the newest 10`
		if v.Action != lifecycle.ActionExpire || v.RulePriority != 1 || v.Reason != want {
			t.Errorf("dual verdict = %s by rule %d: %q; want expire by rule 1: %q", v.Action, v.RulePriority, v.Reason, want)
		}
		if got := acted(verdicts); !reflect.DeepEqual(got, []string{"dual"}) {
			t.Errorf("expired = %v; want only [dual]%s", got, describeVerdicts(verdicts))
		}
	})

	t.Run("11th newest release image kept by the prod rule; it still counts for release", func(t *testing.T) {
		// dual is the newest prod image and the newest release image; with 10
		// release-only images behind it, the oldest release-only image is 11th.
		images := []lifecycle.Image{img("dual", 0.1, "prod-2.0", "release-2026.12")}
		for i := 0; i < 10; i++ {
			images = append(images, img(fmt.Sprintf("release-%d", i), float64(1+i), fmt.Sprintf("release-2026.%d", i)))
		}
		verdicts := policy.Evaluate(images, now)
		if v := verdictOf(t, verdicts, "dual"); !v.Kept() || !strings.HasPrefix(v.Reason, "kept: claimed by rule 1 ") {
			t.Errorf("dual reason = %q; want kept by rule 1", v.Reason)
		}
		want := `expired by rule 2 ("keep the newest 10 images tagged release*"): 11th newest of 11 images tagged release*, beyond the newest 10`
		if got := verdictOf(t, verdicts, "release-9").Reason; got != want {
			t.Errorf("release-9 reason = %q; want %q", got, want)
		}
	})
}
