package lifecycle_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

// valid returns a small valid policy: keep 10 prod*, expire untagged after 1 day.
func valid() lifecycle.Policy {
	return lifecycle.Policy{Rules: []lifecycle.Rule{keepNewest(1, 10, "prod"), olderThan(7, lifecycle.TagStatusUntagged, 1)}}
}

// with returns valid() with rule i (0-based) changed by f.
func with(i int, f func(r *lifecycle.Rule)) lifecycle.Policy {
	p := valid()
	f(&p.Rules[i])
	return p
}

func archiveRules() []lifecycle.Rule {
	return []lifecycle.Rule{
		{
			RulePriority: 1, Description: "archive prod* images not pulled for 30 days",
			Selection: lifecycle.Selection{TagStatus: lifecycle.TagStatusTagged, TagPatternList: []string{"prod*"}, CountType: lifecycle.CountSinceImagePulled, CountUnit: "days", CountNumber: 30},
			Action:    lifecycle.Action{Type: lifecycle.ActionTransition, TargetStorageClass: lifecycle.StorageArchive},
		},
		{
			RulePriority: 2, Description: "expire images archived for a year",
			Selection: lifecycle.Selection{TagStatus: lifecycle.TagStatusAny, StorageClass: lifecycle.StorageArchive, CountType: lifecycle.CountSinceImageTransitioned, CountUnit: "days", CountNumber: 365},
			Action:    lifecycle.Action{Type: lifecycle.ActionExpire},
		},
	}
}

func TestValidateAcceptsValidPolicies(t *testing.T) {
	twoUntagged := []lifecycle.Rule{olderThan(1, lifecycle.TagStatusUntagged, 1), olderThan(2, lifecycle.TagStatusUntagged, 100)}
	twoUntagged[1].Selection.StorageClass = lifecycle.StorageArchive
	fiftyRules := make([]lifecycle.Rule, 50)
	for i := range fiftyRules {
		fiftyRules[i] = keepNewest(i+1, 5, fmt.Sprintf("p%d", i))
	}
	cases := map[string]lifecycle.Policy{
		"small":                                    valid(),
		"production profile":                       lifecycle.ProductionProfile{}.Policy(),
		"testing profile":                          lifecycle.TestingProfile{}.Policy(),
		"transition then expire archived":          {Rules: archiveRules()},
		"untagged once per storage class":          {Rules: twoUntagged},
		"four wildcards":                           {Rules: []lifecycle.Rule{patternRule(1, "*test*1*2*3", "test*1*2*3*")}},
		"non-consecutive priorities":               {Rules: []lifecycle.Rule{keepNewest(10, 1, "a"), keepNewest(3, 1, "b"), olderThan(99, lifecycle.TagStatusAny, 3)}},
		"50 rules":                                 {Rules: fiftyRules},
		"same prefixes, different storage classes": {Rules: []lifecycle.Rule{keepNewest(1, 5, "prod"), archived(keepNewest(2, 5, "prod"))}},
		"explicit standard storage class":          {Rules: []lifecycle.Rule{standard(keepNewest(1, 5, "prod"))}},
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			if err := p.Validate(); err != nil {
				t.Errorf("Validate() = %v; want nil", err)
			}
		})
	}
}

func patternRule(priority int, patterns ...string) lifecycle.Rule {
	r := keepNewest(priority, 5)
	r.Selection.TagPrefixList = nil
	r.Selection.TagPatternList = patterns
	return r
}

func archived(r lifecycle.Rule) lifecycle.Rule {
	r.Selection.StorageClass = lifecycle.StorageArchive
	return r
}

func standard(r lifecycle.Rule) lifecycle.Rule {
	r.Selection.StorageClass = lifecycle.StorageStandard
	return r
}

func TestValidateReportsEachConstraint(t *testing.T) {
	tooMany := make([]lifecycle.Rule, 51)
	for i := range tooMany {
		tooMany[i] = keepNewest(i+1, 5, fmt.Sprintf("p%d", i))
	}
	long := valid()
	long.Rules[0].Description = strings.Repeat("x", lifecycle.MaxPolicyLength)

	cases := []struct {
		name   string
		policy lifecycle.Policy
		// want is the complete message of the expected problem (other problems may be reported too).
		want string
		// rule and field are the ValidationError's RuleIndex and Field.
		rule  int
		field string
	}{
		{
			name:   "priority below 1",
			policy: with(0, func(r *lifecycle.Rule) { r.RulePriority = 0 }),
			want:   "rule 1 (priority 0): rulePriority: got 0, expected an integer of at least 1",
			rule:   1, field: "rulePriority",
		},
		{
			name:   "duplicate priority",
			policy: with(1, func(r *lifecycle.Rule) { r.RulePriority = 1 }),
			want:   "rule 2 (priority 1): rulePriority: got 1, expected a unique priority (rule 1 has it too)",
			rule:   2, field: "rulePriority",
		},
		{
			name:   "more than 50 rules",
			policy: lifecycle.Policy{Rules: tooMany},
			want:   "rules: got 51 rules, expected at most 50",
			field:  "rules",
		},
		{
			name:   "no rules",
			policy: lifecycle.Policy{},
			want:   "rules: got no rules, expected at least 1",
			field:  "rules",
		},
		{
			name:   "rendered JSON shorter than 100 characters",
			policy: lifecycle.Policy{},
			want:   "policy: rendered JSON is 12 characters, expected 100 to 30720",
			field:  "policy",
		},
		{
			name:   "rendered JSON longer than 30720 characters",
			policy: long,
			want:   fmt.Sprintf("policy: rendered JSON is %d characters, expected 100 to 30720", lifecycle.MaxPolicyLength+len(mustRender(valid()))+len(`"description":"",`)),
			field:  "policy",
		},
		{
			name:   "any rule without the highest priority",
			policy: lifecycle.Policy{Rules: []lifecycle.Rule{olderThan(1, lifecycle.TagStatusAny, 7), keepNewest(2, 5, "test")}},
			want:   `rule 1 (priority 1): rulePriority: got 1 for the "any" rule, expected the highest priority in the policy (rule 2 has 2)`,
			rule:   1, field: "rulePriority",
		},
		{
			name:   "two any rules",
			policy: lifecycle.Policy{Rules: []lifecycle.Rule{olderThan(1, lifecycle.TagStatusAny, 7), olderThan(2, lifecycle.TagStatusAny, 9)}},
			want:   `rule 2 (priority 2): selection.tagStatus: got a second "any" rule (rule 1 is one), expected at most one`,
			rule:   2, field: "selection.tagStatus",
		},
		{
			name:   "two untagged rules for the same storage class",
			policy: lifecycle.Policy{Rules: []lifecycle.Rule{olderThan(1, lifecycle.TagStatusUntagged, 1), standard(olderThan(2, lifecycle.TagStatusUntagged, 3))}},
			want:   `rule 2 (priority 2): selection.tagStatus: got a second "untagged" rule for standard images (rule 1 is one), expected at most one per storage class`,
			rule:   2, field: "selection.tagStatus",
		},
		{
			name:   "unknown tag status",
			policy: with(0, func(r *lifecycle.Rule) { r.Selection.TagStatus = "TAGGED" }),
			want:   `rule 1 (priority 1): selection.tagStatus: got "TAGGED", expected "tagged", "untagged" or "any"`,
			rule:   1, field: "selection.tagStatus",
		},
		{
			name:   "tagged without a list",
			policy: with(0, func(r *lifecycle.Rule) { r.Selection.TagPrefixList = nil }),
			want:   `rule 1 (priority 1): selection.tagPrefixList: got neither tagPrefixList nor tagPatternList, expected exactly one non-empty list with tagStatus "tagged"`,
			rule:   1, field: "selection.tagPrefixList",
		},
		{
			name:   "tagged with an empty list",
			policy: with(0, func(r *lifecycle.Rule) { r.Selection.TagPrefixList = []string{} }),
			want:   `rule 1 (priority 1): selection.tagPrefixList: got neither tagPrefixList nor tagPatternList, expected exactly one non-empty list with tagStatus "tagged"`,
			rule:   1, field: "selection.tagPrefixList",
		},
		{
			name:   "tagged with both lists",
			policy: with(0, func(r *lifecycle.Rule) { r.Selection.TagPatternList = []string{"prod*"} }),
			want:   `rule 1 (priority 1): selection.tagPrefixList: got both tagPrefixList and tagPatternList, expected exactly one of them with tagStatus "tagged"`,
			rule:   1, field: "selection.tagPrefixList",
		},
		{
			name:   "untagged with a prefix list",
			policy: with(1, func(r *lifecycle.Rule) { r.Selection.TagPrefixList = []string{"prod"} }),
			want:   `rule 2 (priority 7): selection.tagPrefixList: got ["prod"], expected no tagPrefixList with tagStatus "untagged"`,
			rule:   2, field: "selection.tagPrefixList",
		},
		{
			name: "any with a pattern list",
			policy: lifecycle.Policy{Rules: []lifecycle.Rule{func() lifecycle.Rule {
				r := olderThan(3, lifecycle.TagStatusAny, 7)
				r.Selection.TagPatternList = []string{"*"}
				return r
			}()}},
			want: `rule 1 (priority 3): selection.tagPatternList: got ["*"], expected no tagPatternList with tagStatus "any"`,
			rule: 1, field: "selection.tagPatternList",
		},
		{
			name:   "empty prefix",
			policy: with(0, func(r *lifecycle.Rule) { r.Selection.TagPrefixList = []string{"prod", ""} }),
			want:   `rule 1 (priority 1): selection.tagPrefixList[1]: got an empty string, expected a tag prefix`,
			rule:   1, field: "selection.tagPrefixList[1]",
		},
		{
			name:   "empty pattern",
			policy: lifecycle.Policy{Rules: []lifecycle.Rule{patternRule(1, "")}},
			want:   `rule 1 (priority 1): selection.tagPatternList[0]: got an empty string, expected a tag pattern`,
			rule:   1, field: "selection.tagPatternList[0]",
		},
		{
			name:   "more than four wildcards",
			policy: lifecycle.Policy{Rules: []lifecycle.Rule{patternRule(1, "prod*", "test*1*2*3*4*5*6")}},
			want:   `rule 1 (priority 1): selection.tagPatternList[1]: got "test*1*2*3*4*5*6" with 6 wildcards, expected at most 4`,
			rule:   1, field: "selection.tagPatternList[1]",
		},
		{
			name:   "same tag criteria twice",
			policy: lifecycle.Policy{Rules: []lifecycle.Rule{keepNewest(1, 5, "prod", "release"), keepNewest(2, 9, "release", "prod")}},
			want:   `rule 2 (priority 2): selection.tagPrefixList: got ["release","prod"], the same tag criteria as rule 1 for standard images, expected a unique set per rule (the lower-priority rule could never act on an image)`,
			rule:   2, field: "selection.tagPrefixList",
		},
		{
			name:   "unknown storage class",
			policy: with(0, func(r *lifecycle.Rule) { r.Selection.StorageClass = "glacier" }),
			want:   `rule 1 (priority 1): selection.storageClass: got "glacier", expected "standard" or "archive"`,
			rule:   1, field: "selection.storageClass",
		},
		{
			name:   "unknown count type",
			policy: with(0, func(r *lifecycle.Rule) { r.Selection.CountType = "imageCountLessThan" }),
			want:   `rule 1 (priority 1): selection.countType: got "imageCountLessThan", expected "imageCountMoreThan", "sinceImagePushed", "sinceImagePulled" or "sinceImageTransitioned"`,
			rule:   1, field: "selection.countType",
		},
		{
			name:   "count number zero",
			policy: with(1, func(r *lifecycle.Rule) { r.Selection.CountNumber = 0 }),
			want:   "rule 2 (priority 7): selection.countNumber: got 0, expected a positive integer",
			rule:   2, field: "selection.countNumber",
		},
		{
			name:   "count number negative",
			policy: with(0, func(r *lifecycle.Rule) { r.Selection.CountNumber = -3 }),
			want:   "rule 1 (priority 1): selection.countNumber: got -3, expected a positive integer",
			rule:   1, field: "selection.countNumber",
		},
		{
			name:   "age count type without countUnit",
			policy: with(1, func(r *lifecycle.Rule) { r.Selection.CountUnit = "" }),
			want:   `rule 2 (priority 7): selection.countUnit: got "", expected "days" with countType "sinceImagePushed"`,
			rule:   2, field: "selection.countUnit",
		},
		{
			name:   "age count type with another unit",
			policy: with(1, func(r *lifecycle.Rule) { r.Selection.CountUnit = "hours" }),
			want:   `rule 2 (priority 7): selection.countUnit: got "hours", expected "days" with countType "sinceImagePushed"`,
			rule:   2, field: "selection.countUnit",
		},
		{
			name:   "countUnit with imageCountMoreThan",
			policy: with(0, func(r *lifecycle.Rule) { r.Selection.CountUnit = "days" }),
			want:   `rule 1 (priority 1): selection.countUnit: got "days", expected no countUnit with countType "imageCountMoreThan"`,
			rule:   1, field: "selection.countUnit",
		},
		{
			name:   "unknown action type",
			policy: with(0, func(r *lifecycle.Rule) { r.Action.Type = "delete" }),
			want:   `rule 1 (priority 1): action.type: got "delete", expected "expire" or "transition"`,
			rule:   1, field: "action.type",
		},
		{
			name:   "transition without target storage class",
			policy: with(0, func(r *lifecycle.Rule) { r.Action.Type = lifecycle.ActionTransition }),
			want:   `rule 1 (priority 1): action.targetStorageClass: got "", expected "archive" with action.type "transition"`,
			rule:   1, field: "action.targetStorageClass",
		},
		{
			name: "transition to standard",
			policy: with(0, func(r *lifecycle.Rule) {
				r.Action = lifecycle.Action{Type: lifecycle.ActionTransition, TargetStorageClass: lifecycle.StorageStandard}
			}),
			want: `rule 1 (priority 1): action.targetStorageClass: got "standard", expected "archive" with action.type "transition"`,
			rule: 1, field: "action.targetStorageClass",
		},
		{
			name: "transition from archive",
			policy: with(0, func(r *lifecycle.Rule) {
				r.Selection.StorageClass = lifecycle.StorageArchive
				r.Action = lifecycle.Action{Type: lifecycle.ActionTransition, TargetStorageClass: lifecycle.StorageArchive}
			}),
			want: `rule 1 (priority 1): selection.storageClass: got "archive" with action.type "transition", expected "standard" or none (transition moves standard images to archive)`,
			rule: 1, field: "selection.storageClass",
		},
		{
			name:   "target storage class with expire",
			policy: with(0, func(r *lifecycle.Rule) { r.Action.TargetStorageClass = lifecycle.StorageArchive }),
			want:   `rule 1 (priority 1): action.targetStorageClass: got "archive", expected no targetStorageClass with action.type "expire"`,
			rule:   1, field: "action.targetStorageClass",
		},
		{
			name:   "sinceImagePulled with expire",
			policy: with(1, func(r *lifecycle.Rule) { r.Selection.CountType = lifecycle.CountSinceImagePulled }),
			want:   `rule 2 (priority 7): selection.countType: got "sinceImagePulled" with action.type "expire", expected action.type "transition" (ECR uses sinceImagePulled only to archive images)`,
			rule:   2, field: "selection.countType",
		},
		{
			name: "sinceImageTransitioned with transition",
			policy: lifecycle.Policy{Rules: []lifecycle.Rule{func() lifecycle.Rule {
				r := archiveRules()[0]
				r.Selection.CountType = lifecycle.CountSinceImageTransitioned
				return r
			}()}},
			want: `rule 1 (priority 1): selection.countType: got "sinceImageTransitioned" with action.type "transition", expected action.type "expire"`,
			rule: 1, field: "selection.countType",
		},
		{
			name:   "sinceImageTransitioned on standard images",
			policy: with(1, func(r *lifecycle.Rule) { r.Selection.CountType = lifecycle.CountSinceImageTransitioned }),
			want:   `rule 2 (priority 7): selection.storageClass: got "", expected "archive" with countType "sinceImageTransitioned"`,
			rule:   2, field: "selection.storageClass",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.Validate()
			if err == nil {
				t.Fatalf("Validate() = nil; want an error containing %q", tc.want)
			}
			var verrs lifecycle.ValidationErrors
			if !errors.As(err, &verrs) {
				t.Fatalf("Validate() returned %T; want lifecycle.ValidationErrors", err)
			}
			var found *lifecycle.ValidationError
			for _, e := range verrs {
				if e.Error() == tc.want {
					found = e
				}
			}
			if found == nil {
				t.Fatalf("Validate() =\n%v\nwant a line %q", err, tc.want)
			}
			if found.RuleIndex != tc.rule || found.Field != tc.field {
				t.Errorf("problem names rule %d field %q; want rule %d field %q", found.RuleIndex, found.Field, tc.rule, tc.field)
			}
			if _, jerr := tc.policy.JSON(); jerr == nil {
				t.Errorf("JSON() succeeded on an invalid policy; want the validation error")
			}
		})
	}
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	p := lifecycle.Policy{Rules: []lifecycle.Rule{
		{RulePriority: 0, Selection: lifecycle.Selection{TagStatus: lifecycle.TagStatusTagged, CountType: lifecycle.CountSinceImagePushed, CountNumber: 0}, Action: lifecycle.Action{Type: "remove"}},
		olderThan(5, lifecycle.TagStatusAny, 7),
		keepNewest(2, 3, "prod"),
	}}
	err := p.Validate()
	want := []string{
		"rule 1 (priority 0): rulePriority: got 0, expected an integer of at least 1",
		`rule 1 (priority 0): selection.tagPrefixList: got neither tagPrefixList nor tagPatternList, expected exactly one non-empty list with tagStatus "tagged"`,
		`rule 1 (priority 0): selection.countUnit: got "", expected "days" with countType "sinceImagePushed"`,
		"rule 1 (priority 0): selection.countNumber: got 0, expected a positive integer",
		`rule 1 (priority 0): action.type: got "remove", expected "expire" or "transition"`,
	}
	if err == nil {
		t.Fatalf("Validate() = nil; want %d problems", len(want))
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Validate() =\n%s\nwant\n%s", err, strings.Join(want, "\n"))
	}
	var one *lifecycle.ValidationError
	if !errors.As(err, &one) || one.RuleIndex != 1 {
		t.Errorf("errors.As(err, *ValidationError) = %v; want the first problem of rule 1", one)
	}
}

func mustRender(p lifecycle.Policy) string {
	s, err := p.JSON()
	if err != nil {
		panic(err)
	}
	return s
}
