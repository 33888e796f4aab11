package checkstest

import (
	"errors"
	"testing"

	"github.com/acme-platform/ecr-replication/constructs/checks"
)

func TestExpectProblems(t *testing.T) {
	refuse := func() {
		p := checks.For("Thing", nil, "T")
		p.Missing("Name", "a name")
		p.Add("Size", 0, "1 or more")
		p.Panic()
	}
	got := ExpectProblems(t, refuse, "Thing", "Name: required; expected a name", "Size: got 0; expected 1 or more")
	if got == nil || got.Path != "T" || len(got.Problems) != 2 {
		t.Errorf("ExpectProblems returned %#v", got)
	}

	// Each way a construct can get it wrong fails the test.
	for name, c := range map[string]struct {
		create func()
		kind   string
		want   []string
	}{
		"no panic":          {func() {}, "Thing", nil},
		"a string panic":    {func() { panic("bad") }, "Thing", nil},
		"another error":     {func() { panic(errors.New("bad")) }, "Thing", nil},
		"another kind":      {refuse, "Other", nil},
		"a missing problem": {refuse, "Thing", []string{"Name: required"}},
	} {
		inner := &testing.T{}
		done := make(chan struct{})
		go func() {
			defer close(done)
			ExpectProblems(inner, c.create, c.kind, c.want...)
		}()
		<-done
		if !inner.Failed() {
			t.Errorf("%s: ExpectProblems did not fail", name)
		}
	}
}
