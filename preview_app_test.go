package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLifecyclePreviewReadsTheAppsTemplates runs lifecycle-preview on the templates this app
// synthesizes (not on a hand-made fixture), for a pre-created repository and for one that only
// the creation template covers, so the reviewer's tool keeps reading what the app deploys.
func TestLifecyclePreviewReadsTheAppsTemplates(t *testing.T) {
	f := synth(t, "default")
	cdkOut := t.TempDir()
	for name, tmpl := range f.templates {
		b, err := json.Marshal(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cdkOut, name+".template.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(t.TempDir(), "lifecycle-preview")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/lifecycle-preview").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	preview := func(t *testing.T, repository, images string) map[string]any {
		t.Helper()
		out, err := exec.Command(bin, "--cdk-out", cdkOut, "--repository", repository,
			"--images", filepath.Join("testdata", "lifecycle", images), "--now", "2026-11-27T12:00:00Z", "--json").Output()
		if err != nil {
			t.Fatalf("lifecycle-preview: %v", err)
		}
		var doc map[string]any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatalf("--json output does not parse: %v\n%s", err, out)
		}
		return doc
	}
	t.Run("a pre-created repository uses the policy the app deploys", func(t *testing.T) {
		doc := preview(t, "enterprise-apps/production", "describe-images-production.json")
		text := strings.ToLower(string(mustJSON(t, doc)))
		for _, want := range []string{"keep the newest 10 images tagged prod*", "keep the newest 10 images tagged release*", "expire untagged images older than 1 day"} {
			if !strings.Contains(text, want) {
				t.Errorf("preview does not mention the deployed rule %q", want)
			}
		}
	})
	t.Run("a repository created later falls back to the creation template, which expires no tagged image", func(t *testing.T) {
		doc := preview(t, "enterprise-apps/new-service", "describe-images-testing.json")
		text := string(mustJSON(t, doc))
		if !strings.Contains(text, "RepositoryCreationTemplate") {
			t.Errorf("preview did not use the creation template: %.400s", text)
		}
		if strings.Contains(text, "tagged test*") {
			t.Errorf("the creation template policy must not keep-or-expire by tag prefix: %.400s", text)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
