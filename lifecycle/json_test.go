package lifecycle_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

const (
	productionGolden = `{"rules":[` +
		`{"rulePriority":1,"description":"keep the newest 10 images tagged prod*","selection":{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}},` +
		`{"rulePriority":2,"description":"keep the newest 10 images tagged release*","selection":{"tagStatus":"tagged","tagPrefixList":["release"],"countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}},` +
		`{"rulePriority":3,"description":"expire untagged images older than 1 day","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}` +
		`]}`
	testingGolden = `{"rules":[` +
		`{"rulePriority":1,"description":"keep the newest 5 images tagged test*","selection":{"tagStatus":"tagged","tagPrefixList":["test"],"countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}},` +
		`{"rulePriority":2,"description":"keep the newest 5 images tagged dev*","selection":{"tagStatus":"tagged","tagPrefixList":["dev"],"countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}},` +
		`{"rulePriority":3,"description":"keep the newest 5 images tagged staging*","selection":{"tagStatus":"tagged","tagPrefixList":["staging"],"countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}},` +
		`{"rulePriority":4,"description":"expire testing images older than 7 days","selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}}` +
		`]}`
)

func TestProfilesRenderGoldenJSON(t *testing.T) {
	cases := []struct {
		name   string
		policy lifecycle.Policy
		want   string
	}{
		{"production defaults", lifecycle.ProductionProfile{}.Policy(), productionGolden},
		{"production explicit recipe values", lifecycle.ProductionProfile{TagPrefixes: []string{"prod", "release"}, ImageCount: 10, UntaggedExpiryDays: 1}.Policy(), productionGolden},
		{"testing defaults", lifecycle.TestingProfile{}.Policy(), testingGolden},
		{"testing explicit recipe values", lifecycle.TestingProfile{TagPrefixes: []string{"test", "dev", "staging"}, ImageCount: 5, MaxAgeDays: 7}.Policy(), testingGolden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.policy.JSON()
			if err != nil {
				t.Fatalf("JSON() error = %v; want nil", err)
			}
			if got != tc.want {
				t.Errorf("JSON() =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestJSONSortsRulesAndOmitsEmptyFields(t *testing.T) {
	p := lifecycle.Policy{Rules: []lifecycle.Rule{
		{
			RulePriority: 9,
			Selection:    lifecycle.Selection{TagStatus: lifecycle.TagStatusAny, StorageClass: lifecycle.StorageArchive, CountType: lifecycle.CountSinceImageTransitioned, CountUnit: "days", CountNumber: 120},
			Action:       lifecycle.Action{Type: lifecycle.ActionExpire},
		},
		{
			RulePriority: 2, Description: "archive <rc> & beta images",
			Selection: lifecycle.Selection{TagStatus: lifecycle.TagStatusTagged, TagPatternList: []string{"*-rc*"}, CountType: lifecycle.CountSinceImagePulled, CountUnit: "days", CountNumber: 30},
			Action:    lifecycle.Action{Type: lifecycle.ActionTransition, TargetStorageClass: lifecycle.StorageArchive},
		},
	}}
	want := `{"rules":[` +
		`{"rulePriority":2,"description":"archive <rc> & beta images","selection":{"tagStatus":"tagged","tagPatternList":["*-rc*"],"countType":"sinceImagePulled","countUnit":"days","countNumber":30},"action":{"type":"transition","targetStorageClass":"archive"}},` +
		`{"rulePriority":9,"selection":{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":120},"action":{"type":"expire"}}` +
		`]}`
	got, err := p.JSON()
	if err != nil {
		t.Fatalf("JSON() error = %v; want nil", err)
	}
	if got != want {
		t.Errorf("JSON() =\n%s\nwant\n%s", got, want)
	}
	if p.Rules[0].RulePriority != 9 {
		t.Errorf("JSON() reordered the caller's rules: first rule has priority %d; want 9", p.Rules[0].RulePriority)
	}
}

func TestParseRoundTrips(t *testing.T) {
	policies := map[string]lifecycle.Policy{
		"production": lifecycle.ProductionProfile{}.Policy(),
		"testing":    lifecycle.TestingProfile{TagPrefixes: []string{"qa", "dev"}, ImageCount: 3, MaxAgeDays: 14}.Policy(),
		"archive":    {Rules: archiveRules()},
	}
	for name, p := range policies {
		t.Run(name, func(t *testing.T) {
			text, err := p.JSON()
			if err != nil {
				t.Fatalf("JSON() error = %v", err)
			}
			got, err := lifecycle.Parse([]byte(text))
			if err != nil {
				t.Fatalf("Parse(JSON()) error = %v; want nil", err)
			}
			if !reflect.DeepEqual(got, p) {
				t.Errorf("Parse(JSON()) = %+v; want %+v", got, p)
			}
			again, _ := got.JSON()
			if again != text {
				t.Errorf("JSON(Parse(JSON())) =\n%s\nwant\n%s", again, text)
			}

			// Whitespace and key order do not matter.
			var generic any
			if err := json.Unmarshal([]byte(text), &generic); err != nil {
				t.Fatal(err)
			}
			pretty, _ := json.MarshalIndent(generic, "", "    ")
			fromPretty, err := lifecycle.Parse(pretty)
			if err != nil {
				t.Fatalf("Parse(indented JSON) error = %v; want nil", err)
			}
			if !reflect.DeepEqual(fromPretty, p) {
				t.Errorf("Parse(indented JSON) = %+v; want %+v", fromPretty, p)
			}
		})
	}
}

func TestParseIsStrict(t *testing.T) {
	const rule = `"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}`
	cases := []struct {
		name string
		doc  string
		want []string // every line must appear in the error
	}{
		{"not JSON", `{"rules": [`, []string{"policy is not valid JSON"}},
		{"trailing data", `{"rules":[{` + rule + `}]} {}`, []string{"unexpected data after the top-level object"}},
		{"top level not an object", `[]`, []string{"policy: got [], expected an object"}},
		{"missing rules", `{}`, []string{"rules: missing, expected a list of rules"}},
		{"rules not a list", `{"rules":{}}`, []string{"rules: got {}, expected a list of rules"}},
		{"unknown top-level field", `{"rules":[{` + rule + `}],"version":1}`, []string{"version: unknown field"}},
		{"wrong case", `{"rules":[{` + rule + `,"Description":"x"}]}`, []string{`rule 1: Description: unknown field (did you mean "description"?)`}},
		{"unknown selection field", `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagprefixlist":["prod"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`,
			[]string{`rule 1: selection.tagprefixlist: unknown field (did you mean "tagPrefixList"?)`}},
		{"unknown action field", `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire","days":3}}]}`,
			[]string{"rule 1: action.days: unknown field"}},
		{"count number as string", `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":"10"},"action":{"type":"expire"}}]}`,
			[]string{`rule 1: selection.countNumber: got "10", expected an integer`}},
		{"fractional count number", `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1.5},"action":{"type":"expire"}}]}`,
			[]string{"rule 1: selection.countNumber: got 1.5, expected an integer"}},
		{"null field", `{"rules":[{"rulePriority":null,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`,
			[]string{"rule 1: rulePriority: got null, expected an integer"}},
		{"prefix list of numbers", `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":[1],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`,
			[]string{"rule 1: selection.tagPrefixList: got [1], expected a list of strings"}},
		{"rule not an object", `{"rules":["expire everything"]}`, []string{`rule 1: got "expire everything", expected an object`}},
		{"missing parts", `{"rules":[{"description":"nothing"}]}`,
			[]string{"rule 1: rulePriority: missing", "rule 1: selection: missing", "rule 1: action: missing"}},
		{"several problems at once", `{"rules":[{` + rule + `,"x":1},{` + rule + `,"y":2}]}`,
			[]string{"rule 1: x: unknown field", "rule 2: y: unknown field"}},
		{"valid JSON, invalid policy", `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":0},"action":{"type":"expire"}},{` + strings.Replace(rule, `"rulePriority":1`, `"rulePriority":2`, 1) + `}]}`,
			[]string{"rule 1 (priority 1): rulePriority: got 1 for the \"any\" rule", "rule 1 (priority 1): selection.countNumber: got 0, expected a positive integer"}},
		{"text over 30720 characters", `{"rules":[{` + rule + `}]}` + strings.Repeat(" ", lifecycle.MaxPolicyLength),
			[]string{"policy: text is 30880 characters, expected at most 30720"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := lifecycle.Parse([]byte(tc.doc))
			if err == nil {
				t.Fatalf("Parse(%s) = nil error; want %q", tc.doc, tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse() error =\n%v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestParseReturnsTheInvalidPolicyWithItsProblems(t *testing.T) {
	doc := `{"rules":[{"rulePriority":4,"selection":{"tagStatus":"tagged","tagPrefixList":["prod","release"],"countType":"imageCountMoreThan","countNumber":0},"action":{"type":"expire"}}]}`
	p, err := lifecycle.Parse([]byte(doc))
	var verrs lifecycle.ValidationErrors
	if !errors.As(err, &verrs) || len(verrs) != 1 {
		t.Fatalf("Parse() error = %v; want exactly one ValidationError", err)
	}
	if got := verrs[0].Error(); got != "rule 1 (priority 4): selection.countNumber: got 0, expected a positive integer" {
		t.Errorf("problem = %q; want the countNumber problem of rule 1 (priority 4)", got)
	}
	if len(p.Rules) != 1 || !reflect.DeepEqual(p.Rules[0].Selection.TagPrefixList, []string{"prod", "release"}) {
		t.Errorf("Parse() policy = %+v; want the decoded rule", p)
	}
}
