package config

import (
	"fmt"
	"strings"
)

// keyAliases maps normalized names that are plausible but far (by edit
// distance) from a documented key.
var keyAliases = map[string]string{
	"repositoryprefix": keyRepoPrefix,
}

// cdkOwnKey reports whether a context key belongs to CDK itself: feature
// flags (@aws-cdk/…), metadata and lookup caches (anything with a colon),
// and cdk-/aws-cdk… settings.
func cdkOwnKey(k string) bool {
	return strings.HasPrefix(k, "@") || strings.Contains(k, ":") ||
		strings.HasPrefix(k, "cdk-") || strings.HasPrefix(k, "aws-cdk")
}

// checkUnknownKeys refuses context keys that look like typos of documented
// ones; other unknown keys are ignored (CDK injects context of its own).
func (p *parser) checkUnknownKeys() {
	for k := range p.ctx {
		if isKey(k) || cdkOwnKey(k) {
			continue
		}
		if s := suggestKey(k); s != "" {
			p.problems = append(p.problems, Problem{Key: k, Expected: fmt.Sprintf("did you mean %q?", s)})
		}
	}
}

// normalizeKey lower-cases a key and drops separators, so that
// source_region and Source-Region compare equal to sourceregion.
func normalizeKey(k string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', '.', ' ', '\t':
			return -1
		}
		return r
	}, strings.ToLower(k))
}

// suggestKey returns the documented key that k most likely meant, or "":
// equal ignoring case and separators, a plural or singular form, or within
// Levenshtein distance 2.
func suggestKey(k string) string {
	names := make([]string, len(keyTable))
	for i, key := range keyTable {
		names[i] = key.Name
	}
	return suggestAmong(k, names, keyAliases)
}

// suggestAmong returns the name among names that k most likely meant, or "":
// an alias (by normalized name), else equal ignoring case and separators, a
// plural or singular form, or within Levenshtein distance 2.
func suggestAmong(k string, names []string, aliases map[string]string) string {
	n := normalizeKey(k)
	if n == "" {
		return ""
	}
	if a, ok := aliases[n]; ok {
		return a
	}
	const maxDistance = 2
	best, bestDistance := "", maxDistance+1
	for _, name := range names {
		kn := strings.ToLower(name)
		var d int
		switch {
		case n == kn:
			d = 0
		case pluralOf(n, kn) || pluralOf(kn, n):
			d = 1
		default:
			d = levenshtein(n, kn, maxDistance)
		}
		if d < bestDistance {
			best, bestDistance = name, d
		}
	}
	return best
}

// pluralOf reports whether a is an English plural of b.
func pluralOf(a, b string) bool {
	return a == b+"s" || a == b+"es" ||
		(strings.HasSuffix(b, "y") && a == b[:len(b)-1]+"ies")
}

// levenshtein returns the edit distance between a and b, or limit+1 when
// it exceeds limit.
func levenshtein(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	if prev[len(rb)] > limit {
		return limit + 1
	}
	return prev[len(rb)]
}
