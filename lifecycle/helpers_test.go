package lifecycle_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

// now is the evaluation time used throughout the tests.
var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// daysAgo is a push time d days (possibly fractional) before now.
func daysAgo(d float64) time.Time {
	return now.Add(-time.Duration(d * float64(24*time.Hour)))
}

// img builds a standard-class image; the digest is derived from the name.
func img(name string, pushedDaysAgo float64, tags ...string) lifecycle.Image {
	return lifecycle.Image{Digest: "sha256:" + name, Tags: tags, PushedAt: daysAgo(pushedDaysAgo), SizeBytes: 100 << 20}
}

// keepNewest is a tagged rule that keeps the newest n images with all the prefixes.
func keepNewest(priority, n int, prefixes ...string) lifecycle.Rule {
	return lifecycle.Rule{
		RulePriority: priority,
		Selection: lifecycle.Selection{
			TagStatus: lifecycle.TagStatusTagged, TagPrefixList: prefixes,
			CountType: lifecycle.CountImageCountMoreThan, CountNumber: n,
		},
		Action: lifecycle.Action{Type: lifecycle.ActionExpire},
	}
}

// olderThan is a rule with the given tag status expiring images pushed more than n days ago.
func olderThan(priority int, status lifecycle.TagStatus, n int) lifecycle.Rule {
	return lifecycle.Rule{
		RulePriority: priority,
		Selection: lifecycle.Selection{
			TagStatus: status, CountType: lifecycle.CountSinceImagePushed,
			CountUnit: lifecycle.CountUnitDays, CountNumber: n,
		},
		Action: lifecycle.Action{Type: lifecycle.ActionExpire},
	}
}

// acted returns the digests (without "sha256:") of the images a rule acts on, sorted.
func acted(verdicts []lifecycle.Verdict) []string {
	var out []string
	for _, v := range verdicts {
		if !v.Kept() {
			out = append(out, strings.TrimPrefix(v.Image.Digest, "sha256:"))
		}
	}
	sort.Strings(out)
	return out
}

// verdictOf finds the verdict of the image with the given name.
func verdictOf(t *testing.T, verdicts []lifecycle.Verdict, name string) lifecycle.Verdict {
	t.Helper()
	for _, v := range verdicts {
		if v.Image.Digest == "sha256:"+name {
			return v
		}
	}
	t.Fatalf("no verdict for image %q", name)
	return lifecycle.Verdict{}
}

// describeVerdicts lists every verdict, for failure messages.
func describeVerdicts(verdicts []lifecycle.Verdict) string {
	var b strings.Builder
	for _, v := range verdicts {
		fmt.Fprintf(&b, "\n  %s %v pushed %s: %s", v.Image.Digest, v.Image.Tags, v.Image.PushedAt.Format(time.RFC3339), v.Reason)
	}
	return b.String()
}
