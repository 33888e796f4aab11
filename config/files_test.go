package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/config"
)

func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadContextMergesLikeTheCDKCLI(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, config.ProjectConfigFile, `{"app": "go run .", "context": {
		"sourceRegion": "us-east-1", "repoPrefix": "from-cdk-json", "productionImageCount": 7,
		"productionRepositories": ["api", "web"]}}`)
	writeFile(t, dir, config.ProjectContextFile, `{"repoPrefix": "from-cache", "availability-zones:account=1:region=x": ["a"]}`)

	got, err := config.ReadContext(dir, []string{"destinationRegion=eu-central-1", "productionImageCount=12", "alertEmail=ops=team"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"sourceRegion": "us-east-1",
		// cdk.json wins over cdk.context.json, as in the CLI.
		"repoPrefix":                            "from-cdk-json",
		"availability-zones:account=1:region=x": []any{"a"},
		// -c wins over both, and its values stay strings.
		"productionImageCount":   "12",
		"productionRepositories": []any{"api", "web"},
		"destinationRegion":      "eu-central-1",
		// split at the first "=" only
		"alertEmail": "ops=team",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ReadContext:\n got %#v\nwant %#v", got, want)
	}

	// The merged map is what Parse validates, with the same messages as the app.
	_, err = config.Parse(got, config.Env{})
	if err == nil || !strings.Contains(err.Error(), "alertEmail") {
		t.Fatalf("Parse of the merged context: want the alertEmail problem, got %v", err)
	}
}

func TestReadContextWithoutCacheOrContextObject(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, config.ProjectConfigFile, `{"app": "go run ."}`)
	got, err := config.ReadContext(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("want an empty context, got %v", got)
	}
	cfg, err := config.Parse(got, config.Env{})
	if err != nil || cfg.RepoPrefix != config.Default().RepoPrefix {
		t.Fatalf("an empty context must parse to the defaults: %v %v", cfg, err)
	}
}

func TestReadContextEmptyOverrideIsAnEmptyString(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, config.ProjectConfigFile, `{"context": {"repoPrefix": "x"}}`)
	got, err := config.ReadContext(dir, []string{"repoPrefix="})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := got["repoPrefix"]; !ok || v != "" {
		t.Fatalf("-c repoPrefix= must set the empty string (which Parse refuses), got %#v", got)
	}
}

func TestReadContextErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := config.ReadContext(dir, nil); err == nil || !strings.Contains(err.Error(), "cdk.json: not found") {
		t.Fatalf("missing cdk.json: got %v", err)
	}

	writeFile(t, dir, config.ProjectConfigFile, `{"context": ["not", "an", "object"]}`)
	writeFile(t, dir, config.ProjectContextFile, `{not json`)
	_, err := config.ReadContext(dir, []string{"novalue", "=x", "aws:cdk:foo=1"})
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{
		`cdk.json: "context": not a JSON object`,
		"cdk.context.json: not a JSON object",
		"-c novalue: expected key=value",
		"-c =x: the key is empty",
		"-c aws:cdk:foo=1: context keys starting with aws: are reserved",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// The repository's own cdk.json reads and validates.
func TestReadContextOfThisRepository(t *testing.T) {
	ctx, err := config.ReadContext("..", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(ctx, config.Env{})
	if err != nil {
		t.Fatalf("the repository's cdk.json does not validate: %v", err)
	}
	if cfg.SourceRegion != "us-east-1" {
		t.Fatalf("sourceRegion = %q", cfg.SourceRegion)
	}
}
