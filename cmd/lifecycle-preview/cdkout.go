package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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
// most specific Prefix covering it (ROOT covering everything else).
func findPolicyInCdkOut(dir, repository, stack string) (foundPolicy, []string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*"+templateSuffix))
	if err != nil {
		return foundPolicy{}, nil, fmt.Errorf("--cdk-out %s: %w", dir, err)
	}
	if info, statErr := os.Stat(dir); statErr != nil || !info.IsDir() {
		return foundPolicy{}, nil, fmt.Errorf("--cdk-out %s: not a readable directory", dir)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return foundPolicy{}, nil, fmt.Errorf("--cdk-out %s: no *%s files (run cdk synth first)", dir, templateSuffix)
	}
	if stack != "" {
		var stacks []string
		keep := files[:0:0]
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), templateSuffix)
			stacks = append(stacks, name)
			if name == stack {
				keep = append(keep, f)
			}
		}
		if len(keep) == 0 {
			return foundPolicy{}, nil, fmt.Errorf("--stack %s: no %s%s in %s (stacks: %s)", stack, stack, templateSuffix, dir, strings.Join(stacks, ", "))
		}
		files = keep
	}

	type templateMatch struct {
		found     foundPolicy
		prefixLen int // -1 for ROOT
		hasPolicy bool
	}
	var repos []foundPolicy
	var best *templateMatch
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return foundPolicy{}, nil, fmt.Errorf("cannot read %s: %w", file, err)
		}
		var tpl cfnTemplate
		if err := json.Unmarshal(data, &tpl); err != nil {
			return foundPolicy{}, nil, fmt.Errorf("%s: not a CloudFormation template: %s", file, jsonProblem(data, err))
		}
		stackName := strings.TrimSuffix(filepath.Base(file), templateSuffix)
		ids := make([]string, 0, len(tpl.Resources))
		for id := range tpl.Resources {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			res := tpl.Resources[id]
			where := fmt.Sprintf("%s: %s %s", file, res.Type, id)
			switch res.Type {
			case typeRepository:
				var props repositoryProps
				if json.Unmarshal(res.Properties, &props) != nil {
					continue
				}
				var name string
				if json.Unmarshal(props.RepositoryName, &name) != nil || name != repository {
					continue // unnamed, or named with CloudFormation functions, or another repository
				}
				if props.LifecyclePolicy == nil || len(props.LifecyclePolicy.LifecyclePolicyText) == 0 {
					return foundPolicy{}, nil, fmt.Errorf("%s: repository %s has no LifecyclePolicy.LifecyclePolicyText", where, repository)
				}
				var text string
				if err := json.Unmarshal(props.LifecyclePolicy.LifecyclePolicyText, &text); err != nil {
					return foundPolicy{}, nil, fmt.Errorf("%s: LifecyclePolicyText is not a literal string (built with CloudFormation functions?), cannot preview it", where)
				}
				repos = append(repos, foundPolicy{stack: stackName, source: where, text: text})
			case typeCreationTemplate:
				var props creationTemplateProps
				if json.Unmarshal(res.Properties, &props) != nil {
					continue
				}
				prefixLen := -1
				if props.Prefix != "ROOT" {
					p := strings.TrimSuffix(props.Prefix, "/")
					if p == "" || !strings.HasPrefix(repository, p+"/") {
						continue
					}
					prefixLen = len(p)
				}
				if best != nil && best.prefixLen >= prefixLen {
					continue // a more specific (or earlier, equally specific) template wins
				}
				m := &templateMatch{found: foundPolicy{stack: stackName, source: fmt.Sprintf("%s (prefix %s)", where, props.Prefix)}, prefixLen: prefixLen}
				if len(props.LifecyclePolicy) > 0 {
					if err := json.Unmarshal(props.LifecyclePolicy, &m.found.text); err != nil {
						return foundPolicy{}, nil, fmt.Errorf("%s: LifecyclePolicy is not a literal string (built with CloudFormation functions?), cannot preview it", where)
					}
					m.hasPolicy = true
				}
				best = m
			}
		}
	}

	if len(repos) > 0 {
		var warnings []string
		for _, other := range repos[1:] {
			if other.text != repos[0].text {
				warnings = append(warnings, fmt.Sprintf("stacks %s and %s define different lifecycle policies for %s; using %s (choose with --stack)", repos[0].stack, other.stack, repository, repos[0].stack))
			}
		}
		return repos[0], warnings, nil
	}
	if best != nil {
		if !best.hasPolicy {
			return foundPolicy{}, nil, fmt.Errorf("%s: the creation template that applies to %s has no LifecyclePolicy, so repositories it creates get none", best.found.source, repository)
		}
		return best.found, nil, nil
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
	}
	return foundPolicy{}, nil, fmt.Errorf("--repository %s: not found in %s: no %s with that RepositoryName and no %s whose Prefix covers it (searched %s)",
		repository, dir, typeRepository, typeCreationTemplate, strings.Join(names, ", "))
}
