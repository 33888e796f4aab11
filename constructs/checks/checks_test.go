package checks

import (
	"errors"
	"fmt"
	"testing"
)

func TestProblems(t *testing.T) {
	p := For("Thing", nil, "Api")
	if p.Err() != nil || !p.Empty() {
		t.Fatal("a new Problems holds none")
	}
	p.Panic() // no problem: no panic
	p.Add("Name", "Bad Name", "lower-case letters")
	p.Add("Count", 0, "1 or more")
	p.Add("Key", nil, "a key")
	p.Missing("Region", "a known AWS region")
	p.Wrap("Policy", errors.New("rule 1: no action"))
	p.Wrap("Ignored", nil)
	p.Join(errors.Join(errors.New("first"), errors.Join(errors.New("second"))))
	p.Join(nil)
	want := &Error{Kind: "Thing", Path: "Api", Problems: []string{
		`Name: got "Bad Name"; expected lower-case letters`,
		"Count: got 0; expected 1 or more",
		"Key: got nothing; expected a key",
		"Region: required; expected a known AWS region",
		"Policy: rule 1: no action",
		"first",
		"second",
	}}
	err := p.Err()
	var got *Error
	if !errors.As(err, &got) || fmt.Sprint(got) != fmt.Sprint(want) || got.Kind != want.Kind || got.Path != want.Path || len(got.Problems) != len(want.Problems) {
		t.Fatalf("Err() = %#v; want %#v", err, want)
	}
	for i := range want.Problems {
		if got.Problems[i] != want.Problems[i] {
			t.Errorf("problem %d = %q; want %q", i, got.Problems[i], want.Problems[i])
		}
	}
	if msg := got.Error(); msg != "Thing Api: invalid props:\n  - "+want.Problems[0]+"\n  - "+want.Problems[1]+"\n  - "+want.Problems[2]+
		"\n  - "+want.Problems[3]+"\n  - "+want.Problems[4]+"\n  - first\n  - second" {
		t.Errorf("Error() = %q", msg)
	}
	defer func() {
		r := recover()
		var e *Error
		if err, ok := r.(error); !ok || !errors.As(err, &e) || len(e.Problems) != 7 {
			t.Errorf("Panic() panicked with %#v; want the *Error", r)
		}
	}()
	p.Panic()
}
