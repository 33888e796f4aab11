package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

const (
	typeRepository       = "AWS::ECR::Repository"
	typeCreationTemplate = "AWS::ECR::RepositoryCreationTemplate"
	templateSuffix       = ".template.json"
)

// foundPolicy is a lifecycle policy text located in a cloud assembly.
type foundPolicy struct {
	stack  string
	source string // where it came from, for the report
	text   string
}

type cfnTemplate struct {
	Resources map[string]struct {
		Type       string          `json:"Type"`
		Properties json.RawMessage `json:"Properties"`
	} `json:"Resources"`
}

type repositoryProps struct {
	RepositoryName  json.RawMessage `json:"RepositoryName"`
	LifecyclePolicy *struct {
		LifecyclePolicyText json.RawMessage `json:"LifecyclePolicyText"`
	} `json:"LifecyclePolicy"`
}

type creationTemplateProps struct {
	Prefix          string          `json:"Prefix"`
	LifecyclePolicy json.RawMessage `json:"LifecyclePolicy"`
}

// findPolicyInCdkOut finds the lifecycle policy of repository in the
// *.template.json files of dir (only stack's file when stack is set):
// the LifecyclePolicyText of the AWS::ECR::Repository whose RepositoryName is
// repository (the first stack by file name when several define it), or else
// the LifecyclePolicy of the AWS::ECR::RepositoryCreationTemplate with the
// most specific Prefix covering it (ROOT covering everything else). When several
// stacks define the repository, the one in prefer's family (inStackFamily) wins, else the
// first by file name; prefer is normally the source stack, "" for none.
func findPolicyInCdkOut(dir, repository, stack, prefer string) (foundPolicy, []string, error) {
	files, err := templateFiles(dir, stack)
	if err != nil {
		return foundPolicy{}, nil, err
	}
	s := &policySearch{repository: repository}
	for _, file := range files {
		if err := s.scan(file); err != nil {
			return foundPolicy{}, nil, err
		}
	}
	return s.result(dir, files, prefer)
}

// templateFiles lists the templates of dir, sorted, only stack's when stack is set.
func templateFiles(dir, stack string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*"+templateSuffix))
	if err != nil {
		return nil, fmt.Errorf("--cdk-out %s: %w", dir, err)
	}
	if info, statErr := os.Stat(dir); statErr != nil || !info.IsDir() {
		return nil, fmt.Errorf("--cdk-out %s: not a readable directory", dir)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("--cdk-out %s: no *%s files (run cdk synth first)", dir, templateSuffix)
	}
	if stack == "" {
		return files, nil
	}
	var stacks []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), templateSuffix)
		stacks = append(stacks, name)
		if name == stack {
			return []string{f}, nil
		}
	}
	return nil, fmt.Errorf("--stack %s: no %s%s in %s (stacks: %s)", stack, stack, templateSuffix, dir, strings.Join(stacks, ", "))
}

// templateMatch is a creation template whose prefix covers the repository.
type templateMatch struct {
	found     foundPolicy
	prefixLen int // -1 for ROOT
	hasPolicy bool
}

// policySearch collects, template by template, the repositories named like the one searched
// and the most specific creation template covering it.
type policySearch struct {
	repository string
	repos      []foundPolicy
	best       *templateMatch
}

// readTemplate reads a template file and returns it with its resource ids sorted.
func readTemplate(file string) (cfnTemplate, []string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return cfnTemplate{}, nil, fmt.Errorf("cannot read %s: %w", file, err)
	}
	var tpl cfnTemplate
	if err := json.Unmarshal(data, &tpl); err != nil {
		return cfnTemplate{}, nil, fmt.Errorf("%s: not a CloudFormation template: %s", file, jsonProblem(data, err))
	}
	return tpl, slices.Sorted(maps.Keys(tpl.Resources)), nil
}

// stackName is the stack a template file belongs to: its name without .template.json.
func stackName(file string) string { return strings.TrimSuffix(filepath.Base(file), templateSuffix) }

// inStackFamily reports whether stack is name itself or one of the stacks of its own that
// hold part of its repositories (name-repositories-k, as replication.RepositoryStackName).
func inStackFamily(stack, name string) bool {
	return stack == name || strings.HasPrefix(stack, name+"-repositories-")
}

// isReplicaStackOf reports whether stack is a replica stack (or one of its repository stacks) of
// the deployment whose source stack is source: <deployment>-replica-… next to
// <deployment>-source-<region>.
func isReplicaStackOf(stack, source string) bool {
	i := strings.LastIndex(source, "-source-")
	return i >= 0 && strings.HasPrefix(stack, source[:i]+"-replica-")
}

// scan reads one template file.
func (s *policySearch) scan(file string) error {
	tpl, ids, err := readTemplate(file)
	if err != nil {
		return err
	}
	stack := stackName(file)
	for _, id := range ids {
		res := tpl.Resources[id]
		where := fmt.Sprintf("%s: %s %s", file, res.Type, id)
		var err error
		switch res.Type {
		case typeRepository:
			err = s.repositoryResource(stack, where, res.Properties)
		case typeCreationTemplate:
			err = s.templateResource(stack, where, res.Properties)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// repositoryResource records a repository resource named like the one searched.
func (s *policySearch) repositoryResource(stack, where string, raw json.RawMessage) error {
	var props repositoryProps
	if json.Unmarshal(raw, &props) != nil {
		return nil
	}
	var name string
	if json.Unmarshal(props.RepositoryName, &name) != nil || name != s.repository {
		return nil // unnamed, or named with CloudFormation functions, or another repository
	}
	if props.LifecyclePolicy == nil || len(props.LifecyclePolicy.LifecyclePolicyText) == 0 {
		return fmt.Errorf("%s: repository %s has no LifecyclePolicy.LifecyclePolicyText", where, s.repository)
	}
	var text string
	if err := json.Unmarshal(props.LifecyclePolicy.LifecyclePolicyText, &text); err != nil {
		return fmt.Errorf("%s: LifecyclePolicyText is not a literal string (built with CloudFormation functions?), cannot preview it", where)
	}
	s.repos = append(s.repos, foundPolicy{stack: stack, source: where, text: text})
	return nil
}

// templateResource records a creation template that covers the repository more specifically
// than the best one so far (an earlier, equally specific one wins).
func (s *policySearch) templateResource(stack, where string, raw json.RawMessage) error {
	var props creationTemplateProps
	if json.Unmarshal(raw, &props) != nil {
		return nil
	}
	prefixLen := -1
	if props.Prefix != "ROOT" {
		p := strings.TrimSuffix(props.Prefix, "/")
		if p == "" || !strings.HasPrefix(s.repository, p+"/") {
			return nil
		}
		prefixLen = len(p)
	}
	if s.best != nil && s.best.prefixLen >= prefixLen {
		return nil
	}
	m := &templateMatch{found: foundPolicy{stack: stack, source: fmt.Sprintf("%s (prefix %s)", where, props.Prefix)}, prefixLen: prefixLen}
	if len(props.LifecyclePolicy) > 0 {
		if err := json.Unmarshal(props.LifecyclePolicy, &m.found.text); err != nil {
			return fmt.Errorf("%s: LifecyclePolicy is not a literal string (built with CloudFormation functions?), cannot preview it", where)
		}
		m.hasPolicy = true
	}
	s.best = m
	return nil
}

// result is the repository's own policy (prefer's if it defines one, warning when stacks
// other than prefer's replica stacks disagree), else the best template's, else an error naming what was searched.
func (s *policySearch) result(dir string, files []string, prefer string) (foundPolicy, []string, error) {
	if len(s.repos) > 0 {
		chosen, preferred := s.repos[0], false
		for _, r := range s.repos {
			if prefer != "" && inStackFamily(r.stack, prefer) {
				chosen, preferred = r, true
				break
			}
		}
		var warnings []string
		for _, other := range s.repos {
			if preferred && isReplicaStackOf(other.stack, prefer) {
				continue // a replica's own policy: the destinations part shows it
			}
			if other.stack != chosen.stack && other.text != chosen.text {
				warnings = append(warnings, fmt.Sprintf("stacks %s and %s define different lifecycle policies for %s; using %s (choose with --stack)", chosen.stack, other.stack, s.repository, chosen.stack))
			}
		}
		return chosen, warnings, nil
	}
	if s.best != nil {
		if !s.best.hasPolicy {
			return foundPolicy{}, nil, fmt.Errorf("%s: the creation template that applies to %s has no LifecyclePolicy, so repositories it creates get none", s.best.found.source, s.repository)
		}
		return s.best.found, nil, nil
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
	}
	return foundPolicy{}, nil, fmt.Errorf("--repository %s: not found in %s: no %s with that RepositoryName and no %s whose Prefix covers it (searched %s)",
		s.repository, dir, typeRepository, typeCreationTemplate, strings.Join(names, ", "))
}
