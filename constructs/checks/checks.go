// Package checks gives every construct of ecr-replication one way to refuse bad props: all
// problems at once, each naming the field, the value and what is expected, under the path
// the construct would have had. A construct panics with an [*Error] (the CDK's contract for
// construct misuse); a caller that recovers the panic reads it with errors.As.
package checks

import (
	"fmt"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
)

// Error is what a construct panics with when its props are invalid.
type Error struct {
	// Kind is the construct's kind, such as "ReplicatedRepository".
	Kind string
	// Path is the construct path the construct would have had.
	Path string
	// Problems are one line each: "Field: got "value"; expected what".
	Problems []string
}

// Error renders every problem, one a line, under the construct's kind and path.
func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: invalid props:\n  - %s", e.Kind, e.Path, strings.Join(e.Problems, "\n  - "))
}

// Problems collects what is wrong with one construct's props.
type Problems struct {
	kind, id string
	scope    constructs.IConstruct
	list     []string
}

// For starts the checks of a construct of the given kind ("ReplicatedRepository") that is
// about to be created as id in scope. A nil scope names the construct by id alone. The path is
// asked of the CDK only when there is a problem to report: a fleet creates thousands of
// constructs, and each question is a round trip to jsii.
func For(kind string, scope constructs.IConstruct, id string) *Problems {
	return &Problems{kind: kind, scope: scope, id: id}
}

// path is the path the construct would have had.
func (p *Problems) path() string {
	if p.scope != nil {
		if parent := *p.scope.Node().Path(); parent != "" {
			return parent + "/" + p.id
		}
	}
	return p.id
}

// Add records that field holds value where expected was wanted. value is printed with %q
// for strings and %v otherwise.
func (p *Problems) Add(field string, value any, expected string) {
	var got string
	switch v := value.(type) {
	case string:
		got = fmt.Sprintf("%q", v)
	case nil:
		got = "nothing"
	default:
		got = fmt.Sprintf("%v", v)
	}
	p.list = append(p.list, fmt.Sprintf("%s: got %s; expected %s", field, got, expected))
}

// Missing records a required field that was left empty.
func (p *Problems) Missing(field, expected string) {
	p.list = append(p.list, fmt.Sprintf("%s: required; expected %s", field, expected))
}

// Wrap records a problem that another package described (such as a lifecycle policy's
// validation error) under field.
func (p *Problems) Wrap(field string, err error) {
	if err != nil {
		p.list = append(p.list, fmt.Sprintf("%s: %v", field, err))
	}
}

// Join records every error err joins (errors.Join), one problem each; a nil err adds none.
func (p *Problems) Join(err error) {
	if err == nil {
		return
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			p.Join(e)
		}
		return
	}
	p.list = append(p.list, err.Error())
}

// Empty reports whether no problem was recorded.
func (p *Problems) Empty() bool { return len(p.list) == 0 }

// Err returns every problem as an *Error, or nil when there is none.
func (p *Problems) Err() error {
	if p.Empty() {
		return nil
	}
	return &Error{Kind: p.kind, Path: p.path(), Problems: append([]string(nil), p.list...)}
}

// Panic panics with the *Error of every problem when there is any: the CDK contract for
// construct misuse (the app reports it as a message, not a trace).
func (p *Problems) Panic() {
	if err := p.Err(); err != nil {
		panic(err)
	}
}
