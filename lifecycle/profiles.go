package lifecycle

import "fmt"

// Recipe defaults for the two profiles.
const (
	// DefaultProductionImageCount is how many images of each production prefix are kept.
	DefaultProductionImageCount = 10
	// DefaultUntaggedExpiryDays is how long untagged production images live.
	DefaultUntaggedExpiryDays = 1
	// DefaultTestingImageCount is how many images of each testing prefix are kept.
	DefaultTestingImageCount = 5
	// DefaultTestingMaxAgeDays is how long other testing images live.
	DefaultTestingMaxAgeDays = 7
)

// DefaultProductionTagPrefixes returns the recipe's production tag prefixes: prod, release.
func DefaultProductionTagPrefixes() []string { return []string{"prod", "release"} }

// DefaultTestingTagPrefixes returns the recipe's testing tag prefixes: test, dev, staging.
func DefaultTestingTagPrefixes() []string { return []string{"test", "dev", "staging"} }

// ProductionProfile is the production repository's retention: keep the newest
// images of each production tag prefix, expire untagged images quickly, and
// never expire other tagged images.
type ProductionProfile struct {
	// TagPrefixes are the production tag prefixes; each gets its own rule, so an
	// image needs only one of them (a single tagPrefixList would AND them).
	//
	// Default: - ["prod", "release"] when nil.
	TagPrefixes []string
	// ImageCount is how many images of each prefix are kept.
	//
	// Default: 10
	ImageCount int
	// UntaggedExpiryDays is the age in days after which untagged images expire.
	//
	// Default: 1
	UntaggedExpiryDays int
}

// Policy builds the production policy: one tagged rule per prefix at priorities
// 1..n (tagPrefixList [prefix], imageCountMoreThan ImageCount, expire), then one
// untagged rule (sinceImagePushed UntaggedExpiryDays days, expire). It has no
// "any" rule, so tagged images without a production prefix are never expired.
// Call Validate (or JSON) on the result to check the inputs.
func (p ProductionProfile) Policy() Policy {
	prefixes := p.TagPrefixes
	if prefixes == nil {
		prefixes = DefaultProductionTagPrefixes()
	}
	count := orDefault(p.ImageCount, DefaultProductionImageCount)
	untaggedDays := orDefault(p.UntaggedExpiryDays, DefaultUntaggedExpiryDays)

	return keepNewestThenExpire(prefixes, count, TagStatusUntagged, untaggedDays,
		fmt.Sprintf("expire untagged images older than %s", days(untaggedDays)))
}

// TestingProfile is the testing repository's retention: keep the newest images
// of each testing tag prefix and expire everything else after a few days.
type TestingProfile struct {
	// TagPrefixes are the testing tag prefixes; each gets its own rule.
	//
	// Default: - ["test", "dev", "staging"] when nil.
	TagPrefixes []string
	// ImageCount is how many images of each prefix are kept.
	//
	// Default: 5
	ImageCount int
	// MaxAgeDays is the age in days after which every image not kept by a prefix
	// rule expires.
	//
	// Default: 7
	MaxAgeDays int
}

// Policy builds the testing policy: one tagged rule per prefix at priorities
// 1..n (tagPrefixList [prefix], imageCountMoreThan ImageCount, expire), then an
// "any" rule at the highest priority (sinceImagePushed MaxAgeDays days, expire).
// Images of a testing prefix are decided by their prefix rule alone, so the
// newest ImageCount of each prefix are kept whatever their age; every other
// image expires once older than MaxAgeDays.
func (t TestingProfile) Policy() Policy {
	prefixes := t.TagPrefixes
	if prefixes == nil {
		prefixes = DefaultTestingTagPrefixes()
	}
	count := orDefault(t.ImageCount, DefaultTestingImageCount)
	maxAge := orDefault(t.MaxAgeDays, DefaultTestingMaxAgeDays)

	return keepNewestThenExpire(prefixes, count, TagStatusAny, maxAge,
		fmt.Sprintf("expire testing images older than %s", days(maxAge)))
}

// ExpireUntaggedPolicy is a policy with one rule: untagged images older than ageDays expire;
// tagged images are never expired. It suits repositories whose tags mean nothing to the
// policy's author, such as repositories ECR creates later through a creation template.
func ExpireUntaggedPolicy(ageDays int) Policy {
	return keepNewestThenExpire(nil, 0, TagStatusUntagged, ageDays,
		fmt.Sprintf("expire untagged images older than %s", days(ageDays)))
}

// keepNewestThenExpire is the shape of both profiles: one rule per tag prefix keeping its
// newest count images (priorities 1..n), then one rule expiring the images of status older than
// ageDays (priority n+1).
func keepNewestThenExpire(prefixes []string, count int, status TagStatus, ageDays int, description string) Policy {
	rules := make([]Rule, 0, len(prefixes)+1)
	for i, prefix := range prefixes {
		rules = append(rules, keepNewestRule(i+1, prefix, count))
	}
	rules = append(rules, Rule{
		RulePriority: len(prefixes) + 1,
		Description:  description,
		Selection: Selection{
			TagStatus:   status,
			CountType:   CountSinceImagePushed,
			CountUnit:   CountUnitDays,
			CountNumber: ageDays,
		},
		Action: Action{Type: ActionExpire},
	})
	return Policy{Rules: rules}
}

func keepNewestRule(priority int, prefix string, count int) Rule {
	description := fmt.Sprintf("keep the newest %d images tagged %s*", count, prefix)
	if count == 1 {
		description = fmt.Sprintf("keep the newest image tagged %s*", prefix)
	}
	return Rule{
		RulePriority: priority,
		Description:  description,
		Selection: Selection{
			TagStatus:     TagStatusTagged,
			TagPrefixList: []string{prefix},
			CountType:     CountImageCountMoreThan,
			CountNumber:   count,
		},
		Action: Action{Type: ActionExpire},
	}
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
