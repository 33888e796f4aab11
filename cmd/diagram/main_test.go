package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/diagram"
)

const assembly = "../../internal/diagram/testdata/assembly"

func TestRun(t *testing.T) {
	want, err := diagram.FromAssembly(assembly)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("writes the DOT to standard output by default", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"-assembly", assembly}, &stdout, &stderr); code != 0 || stdout.String() != want || stderr.Len() != 0 {
			t.Errorf("exit %d, stderr %q, stdout %d bytes; want 0, none, the diagram (%d bytes)", code, stderr.String(), stdout.Len(), len(want))
		}
	})
	t.Run("-o writes a file and nothing to standard output", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "architecture.dot")
		var stdout, stderr bytes.Buffer
		if code := run([]string{"-assembly", assembly, "-o", out}, &stdout, &stderr); code != 0 || stdout.Len() != 0 {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
		}
		got, err := os.ReadFile(out)
		if err != nil || string(got) != want {
			t.Errorf("file: %v, %d bytes; want the diagram", err, len(got))
		}
	})
	t.Run("-svg renders the diagram as SVG beside the DOT", func(t *testing.T) {
		dir := t.TempDir()
		var stdout, stderr bytes.Buffer
		if code := run([]string{"-assembly", assembly, "-o", filepath.Join(dir, "a.dot"), "-svg", filepath.Join(dir, "a.svg")}, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d, stderr %q", code, stderr.String())
		}
		svg, err := os.ReadFile(filepath.Join(dir, "a.svg"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(bytes.TrimSpace(svg), []byte("<?xml")) || !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte(">us&#45;west&#45;2<")) {
			t.Errorf("a.svg is not the rendered diagram (no us-west-2 text):\n%.400s", svg)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"a missing assembly", []string{"-assembly", filepath.Join(t.TempDir(), "cdk.out")}, 1, "run cdk synth first"},
		{"an unwritable output", []string{"-assembly", assembly, "-o", filepath.Join(t.TempDir(), "no", "such", "dir.dot")}, 1, "diagram: "},
		{"an unknown flag", []string{"-png"}, 2, "flag provided but not defined"},
		{"an unwritable SVG", []string{"-assembly", assembly, "-o", filepath.Join(t.TempDir(), "a.dot"), "-svg", filepath.Join(t.TempDir(), "no", "a.svg")}, 1, "diagram: "},
		{"a stray argument", []string{"-assembly", assembly, "cdk.out"}, 2, "unexpected arguments"},
	} {
		t.Run("reports "+tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tc.args, &stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) || stdout.Len() != 0 {
				t.Errorf("exit %d, stderr %q, stdout %q; want %d and %q", code, stderr.String(), stdout.String(), tc.code, tc.want)
			}
		})
	}
}
