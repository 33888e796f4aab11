package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Problem is one thing wrong with the context.
type Problem struct {
	// Key is the context key the problem is about.
	Key string
	// Value is the offending value (the entry, for list keys) in string
	// form, after trimming; "" for an empty value or an unknown key.
	Value string
	// Expected says what the key accepts. For an unknown key (one that is
	// not in [Keys]) it holds the hint, e.g. `did you mean "sourceRegion"?`.
	Expected string
}

// shownValueRunes is how much of a long value a message shows.
const shownValueRunes = 60

// Error renders the problem as `<key>: got "<value>"; expected <expected>`,
// or `<key>: unknown context key; <hint>` for a key that is not in [Keys].
// Values longer than 60 characters are shortened to their first 60
// characters plus "…" and their length.
func (p Problem) Error() string {
	if !isKey(p.Key) {
		return fmt.Sprintf("%s: unknown context key; %s", p.Key, p.Expected)
	}
	v, n := p.Value, utf8.RuneCountInString(p.Value)
	if n > shownValueRunes {
		r := []rune(v)
		return fmt.Sprintf("%s: got %q (%d characters); expected %s", p.Key, string(r[:shownValueRunes])+"…", n, p.Expected)
	}
	return fmt.Sprintf("%s: got %q; expected %s", p.Key, v, p.Expected)
}

// ValidationError lists every problem found in the context.
type ValidationError struct {
	Problems []Problem
}

// Error renders one problem per line, sorted by the order of [Keys] (unknown
// keys first), then by message.
func (e *ValidationError) Error() string {
	ps := slices.Clone(e.Problems)
	sortProblems(ps)
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	if len(lines) == 0 {
		return "invalid context"
	}
	return strings.Join(lines, "\n")
}

// sortProblems orders problems by key (unknown keys first, then in [Keys]
// order) and then by message.
func sortProblems(ps []Problem) {
	rank := func(key string) int {
		if i, ok := keyIndex[key]; ok {
			return i
		}
		return -1
	}
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(rank(a.Key), rank(b.Key)), strings.Compare(a.Error(), b.Error()))
	})
}
