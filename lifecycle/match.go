package lifecycle

import "strings"

// MatchPattern reports whether tag matches an ECR tagPatternList entry: * matches
// any run of characters (including none), every other character matches
// itself, and the pattern must cover the whole tag.
func MatchPattern(pattern, tag string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == tag
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(tag) < len(first)+len(last) || !strings.HasPrefix(tag, first) || !strings.HasSuffix(tag, last) {
		return false
	}
	// Greedy leftmost matching of the middle parts is exact for patterns whose
	// only metacharacter is *.
	rest := tag[len(first) : len(tag)-len(last)]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, part)
		if i < 0 {
			return false
		}
		rest = rest[i+len(part):]
	}
	return true
}

// matchesTags reports whether an image with these tags satisfies the rule's tag
// criteria (ignoring storage class).
func (s Selection) matchesTags(tags []string) bool {
	switch s.TagStatus {
	case TagStatusAny:
		return true
	case TagStatusUntagged:
		return len(tags) == 0
	case TagStatusTagged:
		if len(tags) == 0 {
			return false
		}
		if len(s.TagPrefixList) > 0 {
			return everyEntryMatches(s.TagPrefixList, tags, strings.HasPrefix)
		}
		if len(s.TagPatternList) > 0 {
			return everyEntryMatches(s.TagPatternList, tags, func(tag, pattern string) bool { return MatchPattern(pattern, tag) })
		}
	}
	return false
}

// everyEntryMatches implements ECR's AND semantics: each entry must match at
// least one tag (not necessarily the same tag).
func everyEntryMatches(entries, tags []string, match func(tag, entry string) bool) bool {
	for _, entry := range entries {
		found := false
		for _, tag := range tags {
			if match(tag, entry) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
