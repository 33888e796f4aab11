package lifecycle_test

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

// Property tests: many random image sets, fixed seeds, checked against what the
// profiles promise rather than against a second copy of the algorithm.

const propertySets = 500

// genImages draws 0–60 images with distinct push times in the last 30 days.
// Each image is untagged (about one in five) or has 1–3 tags, each from a
// family drawn from families ("prod" gives tags like prod-17).
func genImages(rng *rand.Rand, families []string) []lifecycle.Image {
	n := rng.Intn(61)
	used := map[int]bool{}
	images := make([]lifecycle.Image, 0, n)
	for i := 0; i < n; i++ {
		minute := rng.Intn(30 * 24 * 60)
		for used[minute] {
			minute = rng.Intn(30 * 24 * 60)
		}
		used[minute] = true
		im := lifecycle.Image{
			Digest:    fmt.Sprintf("sha256:%064x", rng.Int63()),
			PushedAt:  now.Add(-time.Duration(minute)*time.Minute - time.Duration(rng.Intn(60))*time.Second),
			SizeBytes: int64(rng.Intn(500 << 20)),
		}
		if rng.Intn(5) != 0 {
			for k := 1 + rng.Intn(3); k > 0; k-- {
				im.Tags = append(im.Tags, fmt.Sprintf("%s-%d", families[rng.Intn(len(families))], rng.Intn(1000)))
			}
		}
		if rng.Intn(2) == 0 {
			im.LastPulledAt = im.PushedAt.Add(time.Duration(rng.Intn(int(now.Sub(im.PushedAt)/time.Minute)+1)) * time.Minute)
		}
		images = append(images, im)
	}
	return images
}

// familiesOf lists, in the order of prefixes, the prefixes of which img has a tag.
func familiesOf(img lifecycle.Image, prefixes []string) []string {
	var out []string
	for _, p := range prefixes {
		for _, tag := range img.Tags {
			if strings.HasPrefix(tag, p) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// ranks gives each image's 1-based rank, newest push first, within each prefix family.
func ranks(images []lifecycle.Image, prefixes []string) map[string]map[int]int {
	out := map[string]map[int]int{}
	for _, p := range prefixes {
		var members []int
		for i, im := range images {
			for _, f := range familiesOf(im, prefixes) {
				if f == p {
					members = append(members, i)
				}
			}
		}
		sort.Slice(members, func(a, b int) bool { return images[members[a]].PushedAt.After(images[members[b]].PushedAt) })
		out[p] = map[int]int{}
		for r, i := range members {
			out[p][i] = r + 1
		}
	}
	return out
}

func olderThanDays(im lifecycle.Image, days int) bool {
	return now.Sub(im.PushedAt) > time.Duration(days)*24*time.Hour
}

func TestProductionProfileProperties(t *testing.T) {
	rng := rand.New(rand.NewSource(20261120))
	prefixes := []string{"prod", "release"}
	checked := map[string]int{}
	for set := 0; set < propertySets; set++ {
		profile := lifecycle.ProductionProfile{}
		if set%2 == 1 { // half the sets use other limits
			profile.ImageCount = 1 + rng.Intn(12)
			profile.UntaggedExpiryDays = 1 + rng.Intn(10)
		}
		policy := profile.Policy()
		count, days := policy.Rules[0].Selection.CountNumber, policy.Rules[2].Selection.CountNumber
		images := genImages(rng, []string{"prod", "release", "other"})
		verdicts := policy.Evaluate(images, now)
		rank := ranks(images, prefixes)

		fail := func(i int, format string, args ...any) {
			t.Helper()
			v := verdicts[i]
			t.Errorf("set %d (count %d, untagged days %d): image %v pushed %s: %s\n  got %q by rule %d: %s",
				set, count, days, v.Image.Tags, v.Image.PushedAt.Format(time.RFC3339), fmt.Sprintf(format, args...), v.Action, v.RulePriority, v.Reason)
		}
		if len(verdicts) != len(images) {
			t.Fatalf("set %d: %d verdicts for %d images", set, len(verdicts), len(images))
		}
		for i, im := range images {
			v := verdicts[i]
			if v.Image.Digest != im.Digest {
				t.Fatalf("set %d: verdict %d is for %s; want %s (input order)", set, i, v.Image.Digest, im.Digest)
			}
			if v.Action == lifecycle.ActionTransition {
				fail(i, "the production profile never transitions")
			}
			fams := familiesOf(im, prefixes)
			switch {
			case len(im.Tags) == 0:
				checked["untagged"]++
				if want := olderThanDays(im, days); v.Kept() == want {
					fail(i, "untagged images expire exactly when older than %d days (want expired=%v)", days, want)
				}
			case len(fams) == 0:
				checked["other tagged"]++
				if !v.Kept() {
					fail(i, "tagged images without a production prefix are never expired")
				}
			case len(fams) == 1:
				checked["single family"]++
				r := rank[fams[0]][i]
				if r <= count && !v.Kept() {
					fail(i, "the newest %d images of %s* are never expired (rank %d)", count, fams[0], r)
				}
				if r > count && v.Action != lifecycle.ActionExpire {
					fail(i, "images beyond the newest %d of %s* expire (rank %d)", count, fams[0], r)
				}
			default:
				// Several production prefixes: the first (highest-priority) prefix rule decides.
				checked["several families"]++
				r := rank[fams[0]][i]
				if want := r > count; v.Kept() == want {
					fail(i, "an image of several prefixes is decided by the %s* rule alone (rank %d, want expired=%v)", fams[0], r, want)
				}
			}
		}
	}
	t.Logf("checked images by kind: %v", checked)
}

func TestTestingProfileProperties(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	prefixes := []string{"test", "dev", "staging"}
	checked := map[string]int{}
	for set := 0; set < propertySets; set++ {
		profile := lifecycle.TestingProfile{}
		if set%2 == 1 {
			profile.ImageCount = 1 + rng.Intn(8)
			profile.MaxAgeDays = 1 + rng.Intn(20)
		}
		policy := profile.Policy()
		count, maxAge := policy.Rules[0].Selection.CountNumber, policy.Rules[3].Selection.CountNumber
		images := genImages(rng, []string{"test", "dev", "staging", "other"})
		verdicts := policy.Evaluate(images, now)
		rank := ranks(images, prefixes)

		fail := func(i int, format string, args ...any) {
			t.Helper()
			v := verdicts[i]
			t.Errorf("set %d (count %d, max age %d): image %v pushed %s: %s\n  got %q by rule %d: %s",
				set, count, maxAge, v.Image.Tags, v.Image.PushedAt.Format(time.RFC3339), fmt.Sprintf(format, args...), v.Action, v.RulePriority, v.Reason)
		}
		for i, im := range images {
			v := verdicts[i]
			fams := familiesOf(im, prefixes)
			switch {
			case len(fams) == 0:
				checked["no testing prefix"]++
				if want := olderThanDays(im, maxAge); v.Kept() == want {
					fail(i, "images without a testing prefix expire exactly when older than %d days (want expired=%v)", maxAge, want)
				}
				if !v.Kept() && v.RulePriority != 4 {
					fail(i, "the any rule (priority 4) expires them")
				}
			case len(fams) == 1:
				checked["single family"]++
				r := rank[fams[0]][i]
				if r <= count && !v.Kept() {
					fail(i, "the newest %d images of %s* are kept whatever their age (rank %d)", count, fams[0], r)
				}
				if r > count && v.Action != lifecycle.ActionExpire {
					fail(i, "images beyond the newest %d of %s* expire whatever their age (rank %d)", count, fams[0], r)
				}
			default:
				checked["several families"]++
				r := rank[fams[0]][i]
				if want := r > count; v.Kept() == want {
					fail(i, "an image of several prefixes is decided by the %s* rule alone (rank %d, want expired=%v)", fams[0], r, want)
				}
			}
		}
	}
	t.Logf("checked images by kind: %v", checked)
}

// TestEveryImageIsActedOnByAtMostOneRule checks general invariants on random
// policies built from random rules: one verdict per image, an action only with
// a rule priority that exists, and each acting rule is the first that selects
// the image.
func TestEveryImageIsActedOnByAtMostOneRule(t *testing.T) {
	rng := rand.New(rand.NewSource(42))
	families := []string{"a", "b", "c"}
	for set := 0; set < propertySets; set++ {
		var rules []lifecycle.Rule
		for p, n := 1, 1+rng.Intn(4); p <= n; p++ {
			r := keepNewest(p*10, 1+rng.Intn(5), families[rng.Intn(3)])
			if rng.Intn(2) == 0 {
				r = olderThan(p*10, lifecycle.TagStatusTagged, 1+rng.Intn(20))
				r.Selection.TagPrefixList = []string{families[rng.Intn(3)]}
			}
			rules = append(rules, r)
		}
		policy := lifecycle.Policy{Rules: rules}
		images := genImages(rng, families)
		priorities := map[int]bool{}
		for _, r := range rules {
			priorities[r.RulePriority] = true
		}
		for i, v := range policy.Evaluate(images, now) {
			if v.Image.Digest != images[i].Digest {
				t.Fatalf("set %d: verdict %d out of order", set, i)
			}
			if v.Kept() {
				continue
			}
			if !priorities[v.RulePriority] {
				t.Errorf("set %d: image acted on by rule %d, which is not in the policy", set, v.RulePriority)
			}
			for _, r := range rules {
				if r.RulePriority < v.RulePriority && len(familiesOf(v.Image, r.Selection.TagPrefixList)) > 0 {
					t.Errorf("set %d: image %v acted on by rule %d although rule %d selects it first: %s", set, v.Image.Tags, v.RulePriority, r.RulePriority, v.Reason)
				}
			}
		}
	}
}
