// Package checkstest checks, in tests, how a construct refuses bad props: with a panic whose
// value is a *checks.Error (which callers read with errors.As), of the construct's kind, listing
// given problems line for line.
package checkstest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/constructs/checks"
)

// ExpectProblems calls create, which must panic with a *checks.Error of kind whose Problems
// contain each of want exactly; it returns the error (nil after reporting a failure). A
// construct that panics otherwise, or not at all, fails the test without ending the run.
func ExpectProblems(t *testing.T, create func(), kind string, want ...string) (got *checks.Error) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		err, _ := r.(error)
		if !errors.As(err, &got) {
			t.Errorf("%s: panicked with %#v; want a *checks.Error", kind, r)
			got = nil
			return
		}
		if got.Kind != kind {
			t.Errorf("the error is of kind %q; want %q", got.Kind, kind)
		}
		for _, w := range want {
			if !slices.Contains(got.Problems, w) {
				t.Errorf("%s: no problem\n  %s\namong\n  %s", kind, w, strings.Join(got.Problems, "\n  "))
			}
		}
	}()
	create()
	return nil
}
