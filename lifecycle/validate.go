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
	v := &validator{
		priorityOwner: map[int]int{}, untaggedOwner: map[StorageClass]int{}, criteriaOwner: map[criteriaKey]int{},
	}
	if len(p.Rules) == 0 {
		v.policyErr("rules", "got no rules, expected at least 1")
	}
	if len(p.Rules) > MaxRules {
		v.policyErr("rules", "got %d rules, expected at most %d", len(p.Rules), MaxRules)
	}
	for i, r := range p.Rules {
		if i == 0 || r.RulePriority > v.maxPriority {
			v.maxPriority, v.maxIdx = r.RulePriority, i+1
		}
	}
	for i, r := range p.Rules {
		v.rule(i+1, r)
	}
	if n := utf8.RuneCountInString(p.render()); n < MinPolicyLength || n > MaxPolicyLength {
		v.policyErr("policy", "rendered JSON is %d characters, expected %d to %d", n, MinPolicyLength, MaxPolicyLength)
	}
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

// criteriaKey identifies a tagged rule's criteria: two rules with the same key select the same
// images, so the lower-priority one could never act.
type criteriaKey struct {
	storage StorageClass
	kind    string
	entries string
}

// validator collects a policy's problems, rule by rule, with what earlier rules claimed.
type validator struct {
	errs                ValidationErrors
	maxPriority, maxIdx int // the highest priority, and the (1-based) rule that has it
	priorityOwner       map[int]int
	anyRule             int
	untaggedOwner       map[StorageClass]int
	criteriaOwner       map[criteriaKey]int
	idx                 int // the rule being checked (1-based)
	current             Rule
}

func (v *validator) add(field, format string, args ...any) {
	v.errs = append(v.errs, &ValidationError{RuleIndex: v.idx, RulePriority: v.current.RulePriority, Field: field, Problem: fmt.Sprintf(format, args...)})
}

func (v *validator) policyErr(field, format string, args ...any) {
	v.errs = append(v.errs, &ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// rule checks one rule (idx from 1).
func (v *validator) rule(idx int, r Rule) {
	v.idx, v.current = idx, r
	v.priority(r)
	storageValid := v.storageClass(r.Selection)
	v.tagLists(r.Selection)
	if storageValid {
		v.tagStatusOnce(r)
	} else if r.Selection.TagStatus == TagStatusAny {
		v.anyRuleOnce(r)
	}
	v.counting(r.Selection)
	v.action(r.Selection, r.Action)
}

func (v *validator) priority(r Rule) {
	if r.RulePriority < 1 {
		v.add("rulePriority", "got %d, expected an integer of at least 1", r.RulePriority)
	} else if owner, dup := v.priorityOwner[r.RulePriority]; dup {
		v.add("rulePriority", "got %d, expected a unique priority (rule %d has it too)", r.RulePriority, owner)
	} else {
		v.priorityOwner[r.RulePriority] = v.idx
	}
}

// storageClass reports whether the selection's storage class is valid.
func (v *validator) storageClass(s Selection) bool {
	switch s.StorageClass {
	case "", StorageStandard, StorageArchive:
		return true
	}
	v.add("selection.storageClass", "got %q, expected %q or %q", s.StorageClass, StorageStandard, StorageArchive)
	return false
}

// tagLists checks tagStatus against the tag lists, and each list entry.
func (v *validator) tagLists(s Selection) {
	switch s.TagStatus {
	case TagStatusTagged:
		switch {
		case len(s.TagPrefixList) > 0 && len(s.TagPatternList) > 0:
			v.add("selection.tagPrefixList", "got both tagPrefixList and tagPatternList, expected exactly one of them with tagStatus \"tagged\"")
		case len(s.TagPrefixList) == 0 && len(s.TagPatternList) == 0:
			v.add("selection.tagPrefixList", "got neither tagPrefixList nor tagPatternList, expected exactly one non-empty list with tagStatus \"tagged\"")
		}
	case TagStatusUntagged, TagStatusAny:
		if len(s.TagPrefixList) > 0 {
			v.add("selection.tagPrefixList", "got %s, expected no tagPrefixList with tagStatus %q", quoteList(s.TagPrefixList), s.TagStatus)
		}
		if len(s.TagPatternList) > 0 {
			v.add("selection.tagPatternList", "got %s, expected no tagPatternList with tagStatus %q", quoteList(s.TagPatternList), s.TagStatus)
		}
	default:
		v.add("selection.tagStatus", "got %q, expected %q, %q or %q", s.TagStatus, TagStatusTagged, TagStatusUntagged, TagStatusAny)
	}
	for j, prefix := range s.TagPrefixList {
		if prefix == "" {
			v.add(fmt.Sprintf("selection.tagPrefixList[%d]", j), "got an empty string, expected a tag prefix")
		}
	}
	for j, pattern := range s.TagPatternList {
		if pattern == "" {
			v.add(fmt.Sprintf("selection.tagPatternList[%d]", j), "got an empty string, expected a tag pattern")
		}
		if n := strings.Count(pattern, "*"); n > MaxPatternWildcards {
			v.add(fmt.Sprintf("selection.tagPatternList[%d]", j), "got %q with %d wildcards, expected at most %d", pattern, n, MaxPatternWildcards)
		}
	}
}

// tagStatusOnce checks what may appear once: one "any" rule (with the highest priority), one
// "untagged" rule per storage class, one rule per set of tag criteria.
func (v *validator) tagStatusOnce(r Rule) {
	s := r.Selection
	storage := storageOf(s.StorageClass)
	switch s.TagStatus {
	case TagStatusAny:
		v.anyRuleOnce(r)
	case TagStatusUntagged:
		if owner, dup := v.untaggedOwner[storage]; dup {
			v.add("selection.tagStatus", "got a second \"untagged\" rule for %s images (rule %d is one), expected at most one per storage class", storage, owner)
		} else {
			v.untaggedOwner[storage] = v.idx
		}
	case TagStatusTagged:
		if (len(s.TagPrefixList) == 0) == (len(s.TagPatternList) == 0) {
			return // reported by tagLists
		}
		kind, list := "tagPrefixList", s.TagPrefixList
		if len(s.TagPatternList) > 0 {
			kind, list = "tagPatternList", s.TagPatternList
		}
		sorted := slices.Compact(slices.Sorted(slices.Values(list)))
		key := criteriaKey{storage: storage, kind: kind, entries: strings.Join(sorted, "\x00")}
		if owner, dup := v.criteriaOwner[key]; dup {
			v.add("selection."+kind, "got %s, the same tag criteria as rule %d for %s images, expected a unique set per rule (the lower-priority rule could never act on an image)", quoteList(list), owner, storage)
		} else {
			v.criteriaOwner[key] = v.idx
		}
	}
}

// anyRuleOnce checks that there is one "any" rule, with the highest priority.
func (v *validator) anyRuleOnce(r Rule) {
	if v.anyRule != 0 {
		v.add("selection.tagStatus", "got a second \"any\" rule (rule %d is one), expected at most one", v.anyRule)
	} else {
		v.anyRule = v.idx
	}
	if v.maxIdx != v.idx && r.RulePriority <= v.maxPriority {
		v.add("rulePriority", "got %d for the \"any\" rule, expected the highest priority in the policy (rule %d has %d)", r.RulePriority, v.maxIdx, v.maxPriority)
	}
}

func (v *validator) counting(s Selection) {
	switch s.CountType {
	case CountImageCountMoreThan:
		if s.CountUnit != "" {
			v.add("selection.countUnit", "got %q, expected no countUnit with countType %q", s.CountUnit, s.CountType)
		}
	case CountSinceImagePushed, CountSinceImagePulled, CountSinceImageTransitioned:
		if s.CountUnit != CountUnitDays {
			v.add("selection.countUnit", "got %q, expected %q with countType %q", s.CountUnit, CountUnitDays, s.CountType)
		}
	default:
		v.add("selection.countType", "got %q, expected %q, %q, %q or %q", s.CountType,
			CountImageCountMoreThan, CountSinceImagePushed, CountSinceImagePulled, CountSinceImageTransitioned)
	}
	if s.CountNumber < 1 {
		v.add("selection.countNumber", "got %d, expected a positive integer", s.CountNumber)
	}
}

// action checks the action and the selection fields that go with it.
func (v *validator) action(s Selection, a Action) {
	switch a.Type {
	case ActionExpire:
		if a.TargetStorageClass != "" {
			v.add("action.targetStorageClass", "got %q, expected no targetStorageClass with action.type %q", a.TargetStorageClass, a.Type)
		}
		if s.CountType == CountSinceImagePulled {
			v.add("selection.countType", "got %q with action.type %q, expected action.type %q (ECR uses sinceImagePulled only to archive images)", s.CountType, a.Type, ActionTransition)
		}
	case ActionTransition:
		if a.TargetStorageClass != StorageArchive {
			v.add("action.targetStorageClass", "got %q, expected %q with action.type %q", a.TargetStorageClass, StorageArchive, a.Type)
		}
		if s.StorageClass == StorageArchive {
			v.add("selection.storageClass", "got %q with action.type %q, expected %q or none (transition moves standard images to archive)", s.StorageClass, a.Type, StorageStandard)
		}
		if s.CountType == CountSinceImageTransitioned {
			v.add("selection.countType", "got %q with action.type %q, expected action.type %q", s.CountType, a.Type, ActionExpire)
		}
	default:
		v.add("action.type", "got %q, expected %q or %q", a.Type, ActionExpire, ActionTransition)
	}
	if s.CountType == CountSinceImageTransitioned && s.StorageClass != StorageArchive {
		v.add("selection.storageClass", "got %q, expected %q with countType %q", s.StorageClass, StorageArchive, s.CountType)
	}
}

// quoteList formats a string list the way it appears in JSON.
func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ",") + "]"
}
