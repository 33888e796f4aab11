package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
)

var update = flag.Bool("update", false, "rewrite the golden templates in testdata/snapshots")

// TestSnapshots compares the default deployment's templates with the golden files a reviewer
// has read: logical ids and properties are API, so any change must show up in review. After an
// intended change, run `go test -run TestSnapshots -update .` and review the diff like code.
func TestSnapshots(t *testing.T) {
	f := synth(t, "default")
	dir := filepath.Join("testdata", "snapshots")
	t.Run("every golden file has its stack", func(t *testing.T) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.template.json"))
		if len(files) == 0 {
			t.Fatal("no golden templates (run go test -run TestSnapshots -update .)")
		}
		for _, file := range files {
			name := strings.TrimSuffix(filepath.Base(file), ".template.json")
			if _, ok := f.templates[name]; ok {
				continue
			}
			if *update {
				if err := os.Remove(file); err != nil {
					t.Fatal(err)
				}
				continue
			}
			t.Errorf("%s has no stack in the default deployment any more: its stack disappeared or was renamed (remove the file with -update after review)", file)
		}
	})
	for _, name := range keys(f.templates) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".template.json")
			got := f.templates[name]
			if *update {
				b, err := json.MarshalIndent(got, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("no golden template (run go test -run TestSnapshots -update .): %v", err)
			}
			var want cfntest.Template
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			for _, d := range diffTemplates(want, got) {
				t.Error(d)
			}
		})
	}
}

// diffTemplates names every top-level section and resource that differs.
func diffTemplates(want, got cfntest.Template) []string {
	var out []string
	sections := map[string]bool{}
	for k := range want {
		sections[k] = true
	}
	for k := range got {
		sections[k] = true
	}
	for _, section := range keys(sections) {
		if section == "Resources" {
			continue
		}
		if !reflect.DeepEqual(want[section], got[section]) {
			out = append(out, "section "+section+" changed: "+cfntest.JSON(got[section]))
		}
	}
	wr, _ := want["Resources"].(map[string]any)
	gr, _ := got["Resources"].(map[string]any)
	ids := map[string]bool{}
	for k := range wr {
		ids[k] = true
	}
	for k := range gr {
		ids[k] = true
	}
	sorted := keys(ids)
	sort.Strings(sorted)
	for _, id := range sorted {
		w, inWant := wr[id]
		g, inGot := gr[id]
		switch {
		case !inGot:
			out = append(out, "resource "+id+" was removed")
		case !inWant:
			out = append(out, "resource "+id+" was added: "+cfntest.JSON(g))
		case !reflect.DeepEqual(w, g):
			out = append(out, "resource "+id+" changed:\n  want "+cfntest.JSON(w)+"\n  got  "+cfntest.JSON(g))
		}
	}
	return out
}
