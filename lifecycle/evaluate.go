package lifecycle

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Image is what the evaluator needs to know about one image in a repository,
// as reported by describe-images.
type Image struct {
	// Digest identifies the image (sha256:…).
	Digest string
	// Tags are the image's tags; none means the image is untagged.
	Tags []string
	// PushedAt is when the image was pushed.
	PushedAt time.Time
	// LastPulledAt is ECR's last recorded pull.
	//
	// Default: - zero, never pulled (sinceImagePulled then uses PushedAt).
	LastPulledAt time.Time
	// SizeBytes is the image size describe-images reports.
	SizeBytes int64
	// StorageClass is where the image is stored.
	//
	// Default: - standard.
	StorageClass StorageClass
	// TransitionedAt is when the image was archived (describe-images lastArchivedAt).
	//
	// Default: - zero, unknown.
	TransitionedAt time.Time
}

// Verdict is what the policy does to one image.
type Verdict struct {
	// Image is the image the verdict is about.
	Image Image
	// Action is expire or transition, or empty when the image is kept.
	Action ActionType
	// TargetStorageClass is the storage class a transition moves the image to.
	TargetStorageClass StorageClass
	// RulePriority is the priority of the rule that acts on the image, or 0 when kept.
	RulePriority int
	// Reason is a sentence naming the rule and why it acts, or why the image is kept.
	Reason string
}

// Kept reports whether no rule acts on the image.
func (v Verdict) Kept() bool { return v.Action == "" }

// Evaluate runs ECR's lifecycle evaluation over images as of now and returns one
// verdict per image, in input order. Rules are considered by priority, lowest
// first; each image is decided by the first rule whose selection (storage class
// and tag criteria) it matches, and that rule acts on it only if the image is
// beyond the rule's count or age limit; lower-priority rules still count the
// image but never act on it. Images no rule selects are kept.
//
// Evaluate does not validate the policy; call Validate first. On an invalid
// policy it still returns a verdict per image without panicking.
func (p Policy) Evaluate(images []Image, now time.Time) []Verdict {
	verdicts := make([]Verdict, len(images))
	decided := make([]bool, len(images))
	for i := range images {
		verdicts[i].Image = images[i]
	}
	rules := sortedRules(p.Rules)
	selected := make([]int, 0, len(images))
	for _, r := range rules {
		storage := storageOf(r.Selection.StorageClass)
		selected = selected[:0]
		for i := range images {
			if storageOf(images[i].StorageClass) == storage && r.Selection.matchesTags(images[i].Tags) {
				selected = append(selected, i)
			}
		}
		if len(selected) == 0 {
			continue
		}
		if r.Selection.CountType == CountImageCountMoreThan {
			slices.SortStableFunc(selected, func(a, b int) int {
				return images[b].PushedAt.Compare(images[a].PushedAt) // newest first
			})
		}
		rc := newRuleContext(r, len(selected))
		for pos, i := range selected {
			if decided[i] {
				continue // claimed by a higher-priority rule: counted, never acted on
			}
			decided[i] = true
			verdicts[i] = rc.decide(images[i], pos+1, now)
		}
	}
	notSelected := map[string]string{}
	for i := range images {
		if decided[i] {
			continue
		}
		key := fmt.Sprintf("%s/%t", storageOf(images[i].StorageClass), len(images[i].Tags) == 0)
		reason, ok := notSelected[key]
		if !ok {
			reason = notSelectedReason(rules, images[i])
			notSelected[key] = reason
		}
		verdicts[i].Reason = reason
	}
	return verdicts
}

// ruleContext holds the parts of a rule's explanations that do not depend on the image.
type ruleContext struct {
	rule      Rule
	name      string // rule 1 ("keep …")
	selection string // 13 images tagged prod*
	limit     string // 10, or 7 days
}

func newRuleContext(r Rule, total int) ruleContext {
	rc := ruleContext{rule: r, name: ruleName(r), selection: countSelection(r.Selection, total)}
	if r.Selection.CountType == CountImageCountMoreThan {
		rc.limit = strconv.Itoa(r.Selection.CountNumber)
	} else {
		rc.limit = days(r.Selection.CountNumber)
	}
	return rc
}

// decide is the verdict of the first rule selecting img; rank is img's 1-based
// position among the rule's selected images, newest push first.
func (rc ruleContext) decide(img Image, rank int, now time.Time) Verdict {
	v := Verdict{Image: img}
	r, s := rc.rule, rc.rule.Selection
	var acts bool
	var detail string
	switch s.CountType {
	case CountImageCountMoreThan:
		acts = rank > s.CountNumber
		position := "the newest"
		if rank > 1 {
			position = ordinal(rank) + " newest"
		}
		if acts {
			detail = position + " of " + rc.selection + ", beyond the newest " + rc.limit
		} else {
			detail = position + " of " + rc.selection + ", within the newest " + rc.limit
		}
	case CountSinceImagePushed, CountSinceImagePulled, CountSinceImageTransitioned:
		ref, what := img.PushedAt, "pushed"
		switch s.CountType {
		case CountSinceImagePulled:
			if img.LastPulledAt.IsZero() {
				what = "never pulled, pushed"
			} else {
				ref, what = img.LastPulledAt, "last pulled"
			}
		case CountSinceImageTransitioned:
			ref, what = img.TransitionedAt, "archived"
		}
		if ref.IsZero() {
			detail = "no " + what + " time recorded"
			break
		}
		age := now.Sub(ref)
		acts = s.CountNumber > 0 && age > time.Duration(s.CountNumber)*24*time.Hour
		if acts {
			detail = what + " " + ago(age) + ", more than " + rc.limit + " ago"
		} else {
			detail = what + " " + ago(age) + ", not more than " + rc.limit + " ago"
		}
	default:
		detail = fmt.Sprintf("unknown countType %q", s.CountType)
	}

	if !acts {
		v.Reason = "kept: claimed by " + rc.name + ": " + detail
		return v
	}
	if r.Action.Type == ActionExpire && storageOf(img.StorageClass) == StorageArchive && !img.TransitionedAt.IsZero() {
		if archived := now.Sub(img.TransitionedAt); archived < ArchiveMinimumDays*24*time.Hour {
			v.Reason = fmt.Sprintf("kept: claimed by %s, which would expire it (%s), but it was archived %s and lifecycle policies cannot expire images archived less than %d days", rc.name, detail, ago(archived), ArchiveMinimumDays)
			return v
		}
	}
	v.RulePriority = r.RulePriority
	switch r.Action.Type {
	case ActionExpire:
		v.Action = ActionExpire
		v.Reason = "expired by " + rc.name + ": " + detail
	case ActionTransition:
		v.Action = ActionTransition
		v.TargetStorageClass = r.Action.TargetStorageClass
		v.Reason = "transitioned to " + string(storageOf(r.Action.TargetStorageClass)) + " by " + rc.name + ": " + detail
	default:
		v.RulePriority = 0
		v.Reason = fmt.Sprintf("kept: claimed by %s, whose action type %q is unknown", rc.name, r.Action.Type)
	}
	return v
}

// notSelectedReason explains why no rule selects img.
func notSelectedReason(rules []Rule, img Image) string {
	if len(rules) == 0 {
		return "kept: the policy has no rules"
	}
	storage := storageOf(img.StorageClass)
	var same []Rule
	for _, r := range rules {
		if storageOf(r.Selection.StorageClass) == storage {
			same = append(same, r)
		}
	}
	where := ""
	if storage == StorageArchive {
		where = " in archive storage"
	}
	if len(same) == 0 {
		return fmt.Sprintf("kept: no rule applies to %s images", storage)
	}
	if len(img.Tags) == 0 {
		return "kept: no rule selects untagged images" + where
	}
	var terms, phrases []string
	allSingle := true
	for _, r := range same {
		if r.Selection.TagStatus != TagStatusTagged {
			continue
		}
		entries := criteriaTerms(r.Selection)
		if len(entries) == 0 {
			continue
		}
		if len(entries) == 1 {
			terms = appendUnique(terms, entries[0])
			phrases = appendUnique(phrases, "a "+entries[0]+" tag")
		} else {
			allSingle = false
			phrases = appendUnique(phrases, "tags matching all of "+strings.Join(entries, ", "))
		}
	}
	switch {
	case len(phrases) == 0:
		return "kept: no rule selects tagged images" + where
	case allSingle:
		return fmt.Sprintf("kept: no rule selects tagged images%s without a %s tag", where, strings.Join(terms, " or "))
	default:
		return fmt.Sprintf("kept: no rule selects tagged images%s without %s", where, strings.Join(phrases, ", or "))
	}
}

// criteriaTerms renders a tagged rule's entries: prefixes as "prod*", patterns as written.
func criteriaTerms(s Selection) []string {
	if len(s.TagPrefixList) > 0 {
		out := make([]string, len(s.TagPrefixList))
		for i, p := range s.TagPrefixList {
			out[i] = p + "*"
		}
		return out
	}
	return append([]string(nil), s.TagPatternList...)
}

// describeSelection names the images a rule selects, e.g. "images tagged prod*".
func describeSelection(s Selection) string {
	var d string
	switch s.TagStatus {
	case TagStatusUntagged:
		d = "untagged images"
	case TagStatusAny:
		d = "images"
	case TagStatusTagged:
		terms := criteriaTerms(s)
		if len(s.TagPrefixList) > 0 {
			d = "images tagged " + strings.Join(terms, " and ")
		} else if len(terms) == 1 {
			d = "images with a tag matching " + terms[0]
		} else {
			d = "images with tags matching " + strings.Join(terms, " and ")
		}
	default:
		d = "images"
	}
	if storageOf(s.StorageClass) == StorageArchive {
		d += " in archive storage"
	}
	return d
}

// countSelection is describeSelection with a count: "3 images tagged prod*", "1 untagged image".
func countSelection(s Selection, n int) string {
	d := describeSelection(s)
	if n == 1 {
		d = strings.Replace(d, "images", "image", 1)
	}
	return fmt.Sprintf("%d %s", n, d)
}

// ruleName is `rule 3 ("description")`, or `rule 3` without a description;
// rules are named by priority, as ECR's CloudTrail records do.
func ruleName(r Rule) string {
	if r.Description == "" {
		return fmt.Sprintf("rule %d", r.RulePriority)
	}
	return fmt.Sprintf("rule %d (%q)", r.RulePriority, r.Description)
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// ordinal renders 1 as "1st", 12 as "12th", 22 as "22nd".
func ordinal(n int) string {
	suffix := "th"
	switch n % 100 {
	case 11, 12, 13:
	default:
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

// days renders a day count as "1 day" or "7 days".
func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// ago renders an age as "5 minutes ago", "30 hours ago" or "3.5 days ago".
func ago(d time.Duration) string {
	switch {
	case d < 0:
		return "after the evaluation time"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	default:
		// Round down so that an age shown as "7 days" is never less than 7 days.
		s := strconv.FormatFloat(math.Floor(float64(d)/float64(24*time.Hour)*10)/10, 'f', 1, 64)
		return strings.TrimSuffix(s, ".0") + " days ago"
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
