package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/acme-platform/ecr-replication/internal/diagram"
)

// architectureDiagram is the checked-in diagram of the default deployment (README.md, "The diagram").
var architectureDiagram = filepath.Join("docs", "architecture.dot")

// TestArchitectureDiagram fails when the checked-in diagram of the default deployment is not
// what the current code derives. It reuses the default fixture's templates (no second
// synthesis) with each stack's environment and dependencies, as cmd/diagram reads them from
// cdk.out. After an intended change, run `make diagram` (or `go test -run
// TestArchitectureDiagram -update .`, which also renders the SVG).
func TestArchitectureDiagram(t *testing.T) {
	f := synth(t, "default")
	var stacks []diagram.Stack
	for _, s := range f.deployment.Stacks() {
		name := *s.StackName()
		var deps []string
		for _, d := range *s.Dependencies() {
			deps = append(deps, *d.StackName())
		}
		stacks = append(stacks, diagram.Stack{
			Name:      name,
			Account:   resolvedOr(s.Account(), diagram.UnknownAccount),
			Region:    resolvedOr(s.Region(), diagram.UnknownRegion),
			Template:  f.templates[name],
			DependsOn: deps,
		})
	}
	got := diagram.FromTemplates(stacks)

	if *update {
		if err := os.MkdirAll(filepath.Dir(architectureDiagram), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(architectureDiagram, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		svg, err := diagram.SVG(got)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(strings.TrimSuffix(architectureDiagram, ".dot")+".svg", svg, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}

	b, err := os.ReadFile(architectureDiagram)
	if err != nil {
		t.Fatalf("%v: run `make diagram` (or `go test -run TestArchitectureDiagram -update .`)", err)
	}
	if want := string(b); got != want {
		t.Errorf("%s is not the diagram the current code derives: run `make diagram` (or `go test -run TestArchitectureDiagram -update .`) and review the diff.\n%s",
			architectureDiagram, firstDifference(want, got))
	}
}

// resolvedOr returns *v, or placeholder when v is a token (an environment-agnostic stack), as
// the cloud assembly records it.
func resolvedOr(v *string, placeholder string) string {
	if v == nil || *awscdk.Token_IsUnresolved(v) {
		return placeholder
	}
	return *v
}

// firstDifference describes where two texts first differ, line by line.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	differing := 0
	first := -1
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			differing++
			if first < 0 {
				first = i
			}
		}
	}
	line := func(lines []string, i int) string {
		if i >= len(lines) {
			return "(end of file)"
		}
		return fmt.Sprintf("%q", lines[i])
	}
	return fmt.Sprintf("%d of %d lines differ, the first at line %d:\n  checked in: %s\n  derived:    %s",
		differing, max(len(w), len(g)), first+1, line(w, first), line(g, first))
}
