package config

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
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
	// At places the problem inside the file the key names (repositoriesFile);
	// the zero Location for a problem with the context value itself.
	At Location
}

// Location is a place in a file that a context key names.
type Location struct {
	// File is the path as given in the context, e.g. "fleet.yaml".
	File string
	// Line and Column are 1-based; 0 when unknown (a problem with the whole
	// file, or a parser error without a column).
	Line, Column int
	// Path is the key path of the offending value in the document, with
	// 0-based list indices, e.g. "repositories[3].imageCount"; "" for the
	// document as a whole.
	Path string
}

// String renders the location as "file:line:column: path", leaving out
// what is unknown.
func (l Location) String() string {
	s := l.File
	if l.Line > 0 {
		s += ":" + strconv.Itoa(l.Line)
		if l.Column > 0 {
			s += ":" + strconv.Itoa(l.Column)
		}
	}
	if l.Path != "" {
		s += ": " + l.Path
	}
	return s
}

// shownValueRunes is how much of a long value a message shows.
const shownValueRunes = 60

// Error renders the problem as `<key>: got "<value>"; expected <expected>`,
// or `<key>: unknown context key; <hint>` for a key that is not in [Keys].
// A problem inside a file names its place after the key:
// `repositoriesFile: fleet.yaml:7:17: repositories[2].imageCount: got "0"; expected …`.
// Values longer than 60 characters are shortened to their first 60
// characters plus "…" and their length.
func (p Problem) Error() string {
	if !isKey(p.Key) {
		return fmt.Sprintf("%s: unknown context key; %s", p.Key, p.Expected)
	}
	where := p.Key
	if p.At != (Location{}) {
		where += ": " + p.At.String()
	}
	v, n := p.Value, utf8.RuneCountInString(p.Value)
	if n > shownValueRunes {
		r := []rune(v)
		return fmt.Sprintf("%s: got %q (%d characters); expected %s", where, string(r[:shownValueRunes])+"…", n, p.Expected)
	}
	return fmt.Sprintf("%s: got %q; expected %s", where, v, p.Expected)
}

// ValidationError lists every problem found in the context.
type ValidationError struct {
	Problems []Problem
}

// Error renders one problem per line, sorted by the order of [Keys] (unknown
// keys first), then by place in a file, then by message.
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
// order), then by place in a file (line and column, as numbers), and then by
// message.
func sortProblems(ps []Problem) {
	rank := func(key string) int {
		if i, ok := keyIndex[key]; ok {
			return i
		}
		return -1
	}
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(rank(a.Key), rank(b.Key)),
			strings.Compare(a.At.File, b.At.File), cmp.Compare(a.At.Line, b.At.Line), cmp.Compare(a.At.Column, b.At.Column),
			strings.Compare(a.Error(), b.Error()))
	})
}
