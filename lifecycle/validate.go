package lifecycle

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// ValidationError is one problem ECR would reject a policy for.
type ValidationError struct {
	// RuleIndex is the rule's 1-based position in Policy.Rules, or 0 for a
	// problem with the policy as a whole.
	RuleIndex int
	// RulePriority is the rule's rulePriority as written (meaningless when
	// RuleIndex is 0).
	RulePriority int
	// Field is the JSON path of the offending field inside the rule, such as
	// "selection.countNumber", or "rules" / "policy" for policy-wide problems.
	Field string
	// Problem says what was found and what was expected, in lower case.
	Problem string
}

// Error formats the problem as "rule 2 (priority 7): selection.countNumber: got 0, expected a positive integer".
func (e *ValidationError) Error() string {
	if e.RuleIndex == 0 {
		return e.Field + ": " + e.Problem
	}
	return fmt.Sprintf("rule %d (priority %d): %s: %s", e.RuleIndex, e.RulePriority, e.Field, e.Problem)
}

// ValidationErrors is every problem found in a policy, in rule order.
type ValidationErrors []*ValidationError

// Error joins the problems, one per line.
func (v ValidationErrors) Error() string {
	lines := make([]string, len(v))
	for i, e := range v {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the individual problems so errors.As can reach them.
func (v ValidationErrors) Unwrap() []error {
	out := make([]error, len(v))
	for i, e := range v {
		out[i] = e
	}
	return out
}

// Validate checks every constraint ECR enforces on a lifecycle policy and
// returns all problems at once as ValidationErrors, or nil when the policy is
// valid:
//
//   - 1 to 50 rules; rendered JSON of 100 to 30,720 characters;
//   - rulePriority at least 1 and unique;
//   - at most one "any" rule, and it has the highest priority;
//   - at most one "untagged" rule per storage class;
//   - tagged rules have exactly one non-empty tagPrefixList or tagPatternList,
//     untagged and any rules neither; no empty entries; at most 4 wildcards per
//     pattern; no two tagged rules with the same tag criteria on the same
//     storage class (the second could never act);
//   - known tagStatus, storageClass, countType, action type and target;
//   - countNumber positive; countUnit "days" with the age-based count types and
//     absent with imageCountMoreThan;
//   - transition needs targetStorageClass archive and applies only to standard
//     images; targetStorageClass only with transition; sinceImagePulled only
//     with transition; sinceImageTransitioned only with expire on archive images.
func (p Policy) Validate() error {
	var errs ValidationErrors
	add := func(idx int, r Rule, field, format string, args ...any) {
		errs = append(errs, &ValidationError{RuleIndex: idx, RulePriority: r.RulePriority, Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	policyErr := func(field, format string, args ...any) {
		errs = append(errs, &ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)})
	}

	if len(p.Rules) == 0 {
		policyErr("rules", "got no rules, expected at least 1")
	}
	if len(p.Rules) > MaxRules {
		policyErr("rules", "got %d rules, expected at most %d", len(p.Rules), MaxRules)
	}

	maxPriority, maxIdx := 0, 0
	for i, r := range p.Rules {
		if i == 0 || r.RulePriority > maxPriority {
			maxPriority, maxIdx = r.RulePriority, i+1
		}
	}

	priorityOwner := map[int]int{}
	anyRule := 0
	untaggedOwner := map[StorageClass]int{}
	type criteriaKey struct {
		storage StorageClass
		kind    string
		entries string
	}
	criteriaOwner := map[criteriaKey]int{}

	for i, r := range p.Rules {
		idx := i + 1
		s, a := r.Selection, r.Action

		// rulePriority
		if r.RulePriority < 1 {
			add(idx, r, "rulePriority", "got %d, expected an integer of at least 1", r.RulePriority)
		} else if owner, dup := priorityOwner[r.RulePriority]; dup {
			add(idx, r, "rulePriority", "got %d, expected a unique priority (rule %d has it too)", r.RulePriority, owner)
		} else {
			priorityOwner[r.RulePriority] = idx
		}

		// storageClass
		storageValid := true
		switch s.StorageClass {
		case "", StorageStandard, StorageArchive:
		default:
			storageValid = false
			add(idx, r, "selection.storageClass", "got %q, expected %q or %q", s.StorageClass, StorageStandard, StorageArchive)
		}
		storage := storageOf(s.StorageClass)

		// tagStatus and the tag lists
		switch s.TagStatus {
		case TagStatusTagged:
			switch {
			case len(s.TagPrefixList) > 0 && len(s.TagPatternList) > 0:
				add(idx, r, "selection.tagPrefixList", "got both tagPrefixList and tagPatternList, expected exactly one of them with tagStatus \"tagged\"")
			case len(s.TagPrefixList) == 0 && len(s.TagPatternList) == 0:
				add(idx, r, "selection.tagPrefixList", "got neither tagPrefixList nor tagPatternList, expected exactly one non-empty list with tagStatus \"tagged\"")
			}
		case TagStatusUntagged, TagStatusAny:
			if len(s.TagPrefixList) > 0 {
				add(idx, r, "selection.tagPrefixList", "got %s, expected no tagPrefixList with tagStatus %q", quoteList(s.TagPrefixList), s.TagStatus)
			}
			if len(s.TagPatternList) > 0 {
				add(idx, r, "selection.tagPatternList", "got %s, expected no tagPatternList with tagStatus %q", quoteList(s.TagPatternList), s.TagStatus)
			}
		default:
			add(idx, r, "selection.tagStatus", "got %q, expected %q, %q or %q", s.TagStatus, TagStatusTagged, TagStatusUntagged, TagStatusAny)
		}
		for j, prefix := range s.TagPrefixList {
			if prefix == "" {
				add(idx, r, fmt.Sprintf("selection.tagPrefixList[%d]", j), "got an empty string, expected a tag prefix")
			}
		}
		for j, pattern := range s.TagPatternList {
			if pattern == "" {
				add(idx, r, fmt.Sprintf("selection.tagPatternList[%d]", j), "got an empty string, expected a tag pattern")
			}
			if n := strings.Count(pattern, "*"); n > MaxPatternWildcards {
				add(idx, r, fmt.Sprintf("selection.tagPatternList[%d]", j), "got %q with %d wildcards, expected at most %d", pattern, n, MaxPatternWildcards)
			}
		}

		switch s.TagStatus {
		case TagStatusAny:
			if anyRule != 0 {
				add(idx, r, "selection.tagStatus", "got a second \"any\" rule (rule %d is one), expected at most one", anyRule)
			} else {
				anyRule = idx
			}
			if maxIdx != idx && r.RulePriority <= maxPriority {
				add(idx, r, "rulePriority", "got %d for the \"any\" rule, expected the highest priority in the policy (rule %d has %d)", r.RulePriority, maxIdx, maxPriority)
			}
		case TagStatusUntagged:
			if !storageValid {
				break
			}
			if owner, dup := untaggedOwner[storage]; dup {
				add(idx, r, "selection.tagStatus", "got a second \"untagged\" rule for %s images (rule %d is one), expected at most one per storage class", storage, owner)
			} else {
				untaggedOwner[storage] = idx
			}
		case TagStatusTagged:
			if !storageValid {
				break
			}
			if (len(s.TagPrefixList) == 0) == (len(s.TagPatternList) == 0) {
				break // reported above
			}
			kind, list := "tagPrefixList", s.TagPrefixList
			if len(s.TagPatternList) > 0 {
				kind, list = "tagPatternList", s.TagPatternList
			}
			sorted := slices.Clone(list)
			slices.Sort(sorted)
			sorted = slices.Compact(sorted)
			key := criteriaKey{storage: storage, kind: kind, entries: strings.Join(sorted, "\x00")}
			if owner, dup := criteriaOwner[key]; dup {
				add(idx, r, "selection."+kind, "got %s, the same tag criteria as rule %d for %s images, expected a unique set per rule (the lower-priority rule could never act on an image)", quoteList(list), owner, storage)
			} else {
				criteriaOwner[key] = idx
			}
		}

		// counting
		switch s.CountType {
		case CountImageCountMoreThan:
			if s.CountUnit != "" {
				add(idx, r, "selection.countUnit", "got %q, expected no countUnit with countType %q", s.CountUnit, s.CountType)
			}
		case CountSinceImagePushed, CountSinceImagePulled, CountSinceImageTransitioned:
			if s.CountUnit != CountUnitDays {
				add(idx, r, "selection.countUnit", "got %q, expected %q with countType %q", s.CountUnit, CountUnitDays, s.CountType)
			}
		default:
			add(idx, r, "selection.countType", "got %q, expected %q, %q, %q or %q", s.CountType,
				CountImageCountMoreThan, CountSinceImagePushed, CountSinceImagePulled, CountSinceImageTransitioned)
		}
		if s.CountNumber < 1 {
			add(idx, r, "selection.countNumber", "got %d, expected a positive integer", s.CountNumber)
		}

		// action and the fields that go with it
		switch a.Type {
		case ActionExpire:
			if a.TargetStorageClass != "" {
				add(idx, r, "action.targetStorageClass", "got %q, expected no targetStorageClass with action.type %q", a.TargetStorageClass, a.Type)
			}
			if s.CountType == CountSinceImagePulled {
				add(idx, r, "selection.countType", "got %q with action.type %q, expected action.type %q (ECR uses sinceImagePulled only to archive images)", s.CountType, a.Type, ActionTransition)
			}
		case ActionTransition:
			if a.TargetStorageClass != StorageArchive {
				add(idx, r, "action.targetStorageClass", "got %q, expected %q with action.type %q", a.TargetStorageClass, StorageArchive, a.Type)
			}
			if s.StorageClass == StorageArchive {
				add(idx, r, "selection.storageClass", "got %q with action.type %q, expected %q or none (transition moves standard images to archive)", s.StorageClass, a.Type, StorageStandard)
			}
			if s.CountType == CountSinceImageTransitioned {
				add(idx, r, "selection.countType", "got %q with action.type %q, expected action.type %q", s.CountType, a.Type, ActionExpire)
			}
		default:
			add(idx, r, "action.type", "got %q, expected %q or %q", a.Type, ActionExpire, ActionTransition)
		}
		if s.CountType == CountSinceImageTransitioned && s.StorageClass != StorageArchive {
			add(idx, r, "selection.storageClass", "got %q, expected %q with countType %q", s.StorageClass, StorageArchive, s.CountType)
		}
	}

	if n := utf8.RuneCountInString(p.render()); n < MinPolicyLength || n > MaxPolicyLength {
		policyErr("policy", "rendered JSON is %d characters, expected %d to %d", n, MinPolicyLength, MaxPolicyLength)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// quoteList formats a string list the way it appears in JSON.
func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ",") + "]"
}
