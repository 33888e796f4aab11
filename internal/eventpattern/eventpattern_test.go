package eventpattern_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/eventpattern"
)

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return m
}

const operatorEvent = `{"source":"aws.ecr","detail":{"n":5,"s":"Enterprise-Apps/x","list":["a","b"],
	"objs":[{"k":"v1"},{"k":"v2"}],"empty":{},"nul":null,"flag":true}}`

// TestOperators covers every operator the matcher supports, including those the rules of
// this repository do not use, so that the matcher itself is trustworthy.
func TestOperators(t *testing.T) {
	event := decode(t, operatorEvent)
	cases := []struct {
		pattern string
		want    bool
	}{
		{`{}`, true},
		{`{"source":["aws.ecr"]}`, true},
		{`{"source":["aws.s3"]}`, false},
		{`{"source":["aws.s3","aws.ecr"]}`, true},
		{`{"source":["aws.ecr"],"detail":{"n":[6]}}`, false},
		{`{"detail":{"n":[5]}}`, true},
		{`{"detail":{"n":["5"]}}`, false},
		{`{"detail":{"n":[{"numeric":[">",4,"<=",5]}]}}`, true},
		{`{"detail":{"n":[{"numeric":[">",5]}]}}`, false},
		{`{"detail":{"n":[{"numeric":["=",5]}]}}`, true},
		{`{"detail":{"s":[{"numeric":[">",0]}]}}`, false},
		{`{"detail":{"s":[{"prefix":{"equals-ignore-case":"enterprise-apps/"}}]}}`, true},
		{`{"detail":{"s":[{"prefix":"enterprise-apps/"}]}}`, false},
		{`{"detail":{"s":[{"prefix":"Enterprise-Apps/"}]}}`, true},
		{`{"detail":{"s":[{"prefix":"Enterprise-Apps/x/"}]}}`, false}, // a prefix longer than the value
		{`{"detail":{"s":[{"prefix":"Enterprise-Apps-"}]}}`, false},
		{`{"detail":{"s":[{"suffix":"/x"}]}}`, true},
		{`{"detail":{"s":[{"suffix":{"equals-ignore-case":"APPS/X"}}]}}`, true},
		{`{"detail":{"s":[{"equals-ignore-case":"enterprise-apps/X"}]}}`, true},
		{`{"detail":{"s":[{"wildcard":"Enterprise-*/x"}]}}`, true},
		{`{"detail":{"s":[{"wildcard":"Enterprise-*/y"}]}}`, false},
		{`{"detail":{"s":[{"wildcard":"Enterprise.Apps*"}]}}`, false},
		{`{"detail":{"list":["b"]}}`, true},
		{`{"detail":{"list":["c"]}}`, false},
		{`{"detail":{"objs":{"k":["v2"]}}}`, true},
		{`{"detail":{"objs":{"k":["v3"]}}}`, false},
		{`{"detail":{"missing":[{"exists":false}]}}`, true},
		{`{"detail":{"missing":[{"exists":true}]}}`, false},
		{`{"detail":{"missing":{"deeper":[{"exists":false}]}}}`, true},
		{`{"detail":{"empty":[{"exists":true}]}}`, false},
		{`{"detail":{"s":[{"exists":true}]}}`, true},
		{`{"detail":{"nul":[null]}}`, true},
		{`{"detail":{"s":[null]}}`, false},
		{`{"detail":{"flag":[true]}}`, true},
		{`{"detail":{"flag":[false]}}`, false},
		{`{"detail":{"s":[{"anything-but":["x"]}]}}`, true},
		{`{"detail":{"s":[{"anything-but":"Enterprise-Apps/x"}]}}`, false},
		{`{"detail":{"s":[{"anything-but":{"prefix":"Enterprise"}}]}}`, false},
		{`{"detail":{"s":[{"anything-but":{"suffix":"/y"}}]}}`, true},
		{`{"detail":{"missing":[{"anything-but":["x"]}]}}`, false},
		{`{"detail":{"$or":[{"n":[1]},{"s":[{"suffix":"x"}]}]}}`, true},
		{`{"detail":{"$or":[{"n":[1]},{"s":[{"suffix":"y"}]}]}}`, false},
		{`{"$or":[{"source":["aws.s3"]},{"detail":{"n":[5]}}]}`, true},
		// Only leaves match: an object is neither a value nor "existing".
		{`{"detail":["Enterprise-Apps/x"]}`, false},
	}
	for _, c := range cases {
		got, err := eventpattern.Match(decode(t, c.pattern), event)
		if err != nil {
			t.Errorf("Match(%s): %v", c.pattern, err)
			continue
		}
		if got != c.want {
			t.Errorf("Match(%s) = %v; want %v", c.pattern, got, c.want)
		}
	}
}

// TestMalformedPatternsAreErrors: an unsupported or malformed operator is an error, also
// when the field it filters is missing from the event (a silent "no match" would make a
// broken pattern look like a correct negative case).
func TestMalformedPatternsAreErrors(t *testing.T) {
	event := decode(t, operatorEvent)
	for _, pattern := range []string{
		`{"detail":{"s":[{"cidr":"10.0.0.0/8"}]}}`,
		`{"detail":{"missing":[{"cidr":"10.0.0.0/8"}]}}`,
		`{"detail":{"missing":[{"Ref":"AWS::AccountId"}]}}`,
		`{"detail":{"s":[{"prefix":"a","suffix":"b"}]}}`,
		`{"detail":{"s":[]}}`,
		`{"detail":{"s":"Enterprise-Apps/x"}}`,
		`{"detail":{"s":[["Enterprise-Apps/x"]]}}`,
		`{"detail":{"s":[{"exists":"yes"}]}}`,
		`{"detail":{"n":[{"numeric":["!=",5]}]}}`,
		`{"detail":{"n":[{"numeric":[">"]}]}}`,
		`{"detail":{"missing":[{"numeric":[">","5"]}]}}`,
		`{"detail":{"s":[{"prefix":5}]}}`,
		`{"detail":{"s":[{"wildcard":5}]}}`,
		`{"detail":{"s":[{"equals-ignore-case":["x"]}]}}`,
		`{"detail":{"s":[{"anything-but":{"numeric":[">",1]}}]}}`,
		`{"detail":{"s":[{"anything-but":{"prefix":"a","suffix":"b"}}]}}`,
		`{"detail":{"$or":[{"n":[5]}]}}`,
		`{"detail":{"$or":[{"n":[5]},"x"]}}`,
		`{"detail":{"$or":{"n":[5]}}}`,
	} {
		if ok, err := eventpattern.Match(decode(t, pattern), event); err == nil {
			t.Errorf("Match(%s) = %v, nil; want an error", pattern, ok)
		}
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadSamples(t *testing.T) {
	a := writeFiles(t, map[string]string{"b.json": `{"source":"aws.ecr"}`, "README.md": "not a sample"})
	b := writeFiles(t, map[string]string{"a.json": `{"source":"aws.s3"}`})
	got, err := eventpattern.LoadSamples(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "a" || got[1].Name != "b" || got[1].Event["source"] != "aws.ecr" || string(got[0].Raw) != `{"source":"aws.s3"}` {
		t.Errorf("LoadSamples = %+v", got)
	}

	for name, dirs := range map[string][]string{
		"a missing directory":              {filepath.Join(a, "nope")},
		"a directory without JSON files":   {writeFiles(t, map[string]string{"README.md": "x"})},
		"a file that is not JSON":          {writeFiles(t, map[string]string{"x.json": "{"})},
		"a file that is not an object":     {writeFiles(t, map[string]string{"x.json": "[1]"})},
		"a file that is null":              {writeFiles(t, map[string]string{"x.json": "null"})},
		"one name in two directories":      {a, writeFiles(t, map[string]string{"b.json": "{}"})},
		"a good and a missing directory":   {a, filepath.Join(b, "nope")},
		"no directory with samples at all": {t.TempDir()},
	} {
		if _, err := eventpattern.LoadSamples(dirs...); err == nil {
			t.Errorf("%s: LoadSamples succeeded; want an error", name)
		}
	}
}

func TestSamplesDir(t *testing.T) {
	if got, want := eventpattern.SamplesDir(filepath.Join("a", "repo")), filepath.Join("a", "repo", "testdata", "events"); got != want {
		t.Errorf("SamplesDir = %s; want %s", got, want)
	}
}

// TestSamplesAreEvents checks the samples this repository's patterns are tested against: each
// is an EventBridge event with an envelope and a detail object, and the samples README names
// the AWS page each one follows.
func TestSamplesAreEvents(t *testing.T) {
	root := filepath.Join("..", "..")
	samples, err := eventpattern.LoadSamples(eventpattern.SamplesDir(root))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		for _, field := range []string{"source", "detail-type", "account", "region"} {
			if v, _ := s.Event[field].(string); strings.TrimSpace(v) == "" {
				t.Errorf("%s: no %s", s.Name, field)
			}
		}
		if _, ok := s.Event["detail"].(map[string]any); !ok {
			t.Errorf("%s: detail is not an object", s.Name)
		}
	}
	readme, err := os.ReadFile(filepath.Join(eventpattern.SamplesDir(root), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(readme), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) >= 5 && strings.HasSuffix(strings.Trim(strings.TrimSpace(cells[1]), "`"), ".json") {
			rows[strings.TrimSuffix(strings.Trim(strings.TrimSpace(cells[1]), "`"), ".json")] = cells[len(cells)-2]
		}
	}
	for _, s := range samples {
		page, ok := rows[s.Name]
		switch {
		case !ok:
			t.Errorf("%s.json has no row in testdata/events/README.md", s.Name)
		case !strings.Contains(page, "https://docs.aws.amazon.com/"):
			t.Errorf("%s.json: its README row names no AWS documentation page (last column %q)", s.Name, strings.TrimSpace(page))
		}
	}
	if len(rows) != len(samples) {
		t.Errorf("README lists %d samples; the directory has %d", len(rows), len(samples))
	}
}
