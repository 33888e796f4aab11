package lifecycle

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
)

// TagStatus says which images a rule considers by their tags.
type TagStatus string

const (
	// TagStatusTagged selects tagged images matching tagPrefixList or tagPatternList.
	TagStatusTagged TagStatus = "tagged"
	// TagStatusUntagged selects images without tags.
	TagStatusUntagged TagStatus = "untagged"
	// TagStatusAny selects every image; such a rule must have the highest priority.
	TagStatusAny TagStatus = "any"
)

// CountType says how a rule decides which selected images to act on.
type CountType string

const (
	// CountImageCountMoreThan keeps the newest countNumber selected images and acts on the rest.
	CountImageCountMoreThan CountType = "imageCountMoreThan"
	// CountSinceImagePushed acts on images pushed more than countNumber days ago.
	CountSinceImagePushed CountType = "sinceImagePushed"
	// CountSinceImagePulled acts on images last pulled (or, never pulled, pushed)
	// more than countNumber days ago; ECR allows it only with the transition action.
	CountSinceImagePulled CountType = "sinceImagePulled"
	// CountSinceImageTransitioned acts on images archived more than countNumber days
	// ago; ECR allows it only with the expire action on archive-class images.
	CountSinceImageTransitioned CountType = "sinceImageTransitioned"
)

// CountUnitDays is the only countUnit ECR accepts; the age-based count types require it.
const CountUnitDays = "days"

// ActionType is what a rule does to the images it acts on.
type ActionType string

const (
	// ActionExpire deletes the image.
	ActionExpire ActionType = "expire"
	// ActionTransition moves the image to another storage class (archive).
	ActionTransition ActionType = "transition"
)

// StorageClass is where an image is stored.
type StorageClass string

const (
	// StorageStandard is the default storage class; an empty StorageClass means standard.
	StorageStandard StorageClass = "standard"
	// StorageArchive holds archived images, which cannot be pulled until restored.
	StorageArchive StorageClass = "archive"
)

// Limits ECR enforces on lifecycle policies (https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html,
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html).
const (
	// MaxRules is the number of rules a policy may hold (service quota, not adjustable).
	MaxRules = 50
	// MinPolicyLength is the shortest lifecycle policy text ECR accepts, in characters.
	MinPolicyLength = 100
	// MaxPolicyLength is the longest lifecycle policy text ECR accepts, in characters.
	MaxPolicyLength = 30720
	// MaxPatternWildcards is the number of * wildcards allowed in one tagPatternList entry.
	MaxPatternWildcards = 4
	// ArchiveMinimumDays is how long an archived image must stay archived before a
	// lifecycle policy may expire it.
	ArchiveMinimumDays = 90
)

// Selection is the "selection" object of a rule: which images the rule considers
// and how it counts them.
type Selection struct {
	// TagStatus is tagged, untagged or any. Required.
	TagStatus TagStatus
	// TagPrefixList selects tagged images having, for every entry, a tag that
	// starts with it (entries are ANDed). Only with TagStatusTagged.
	TagPrefixList []string
	// TagPatternList selects tagged images having, for every entry, a tag that
	// matches it with * as a wildcard (entries are ANDed). Only with TagStatusTagged.
	TagPatternList []string
	// StorageClass limits the rule to images of that storage class.
	//
	// Default: - standard (the field is omitted from the JSON).
	StorageClass StorageClass
	// CountType is how the rule counts. Required.
	CountType CountType
	// CountUnit is "days" for the age-based count types and empty for
	// imageCountMoreThan.
	CountUnit string
	// CountNumber is the image count or the number of days; it must be positive. Required.
	CountNumber int
}

// Action is the "action" object of a rule.
type Action struct {
	// Type is expire or transition. Required.
	Type ActionType
	// TargetStorageClass is archive for transition actions and empty otherwise.
	TargetStorageClass StorageClass
}

// Rule is one lifecycle policy rule.
type Rule struct {
	// RulePriority orders the rules, lowest first; unique, at least 1, not
	// necessarily consecutive. Required.
	RulePriority int
	// Description says what the rule is for; it appears in ECR's console and in
	// the explanations of Evaluate.
	//
	// Default: - none (the field is omitted from the JSON).
	Description string
	// Selection says which images the rule considers.
	Selection Selection
	// Action says what happens to the images the rule acts on.
	Action Action
}

// Policy is an ECR lifecycle policy: up to 50 rules.
type Policy struct {
	// Rules are the policy's rules in any order; JSON sorts them by priority.
	Rules []Rule
}

// JSON validates the policy and renders it as the compact JSON ECR expects,
// rules sorted by priority, optional fields omitted when empty. The output is
// deterministic: the same policy always renders to the same string.
func (p Policy) JSON() (string, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	return p.render(), nil
}

type jsonPolicy struct {
	Rules []jsonRule `json:"rules"`
}

type jsonRule struct {
	RulePriority int           `json:"rulePriority"`
	Description  string        `json:"description,omitempty"`
	Selection    jsonSelection `json:"selection"`
	Action       jsonAction    `json:"action"`
}

type jsonSelection struct {
	TagStatus      TagStatus    `json:"tagStatus"`
	TagPrefixList  []string     `json:"tagPrefixList,omitempty"`
	TagPatternList []string     `json:"tagPatternList,omitempty"`
	StorageClass   StorageClass `json:"storageClass,omitempty"`
	CountType      CountType    `json:"countType"`
	CountUnit      string       `json:"countUnit,omitempty"`
	CountNumber    int          `json:"countNumber"`
}

type jsonAction struct {
	Type               ActionType   `json:"type"`
	TargetStorageClass StorageClass `json:"targetStorageClass,omitempty"`
}

// sortedRules returns a copy of the rules ordered by priority; rules with
// equal priorities (an invalid policy) keep their relative order.
func sortedRules(rules []Rule) []Rule {
	out := append([]Rule(nil), rules...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].RulePriority < out[j].RulePriority })
	return out
}

// render produces the JSON text without validating the policy.
func (p Policy) render() string {
	doc := jsonPolicy{Rules: make([]jsonRule, 0, len(p.Rules))}
	for _, r := range sortedRules(p.Rules) {
		doc.Rules = append(doc.Rules, jsonRule{
			RulePriority: r.RulePriority,
			Description:  r.Description,
			Selection: jsonSelection{
				TagStatus:      r.Selection.TagStatus,
				TagPrefixList:  r.Selection.TagPrefixList,
				TagPatternList: r.Selection.TagPatternList,
				StorageClass:   r.Selection.StorageClass,
				CountType:      r.Selection.CountType,
				CountUnit:      r.Selection.CountUnit,
				CountNumber:    r.Selection.CountNumber,
			},
			Action: jsonAction{Type: r.Action.Type, TargetStorageClass: r.Action.TargetStorageClass},
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// Encoding plain strings, ints and slices cannot fail.
	_ = enc.Encode(doc)
	return strings.TrimSuffix(buf.String(), "\n")
}

// storageOf normalises a storage class: empty means standard.
func storageOf(c StorageClass) StorageClass {
	if c == "" {
		return StorageStandard
	}
	return c
}
