package diagram

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// UnknownAccount and UnknownRegion are what a cloud assembly records for an environment-agnostic
// stack: the account (or region) is decided when the stack is deployed.
const (
	UnknownAccount = "unknown-account"
	UnknownRegion  = "unknown-region"
)

const stackArtifactType = "aws:cloudformation:stack"

// manifest is the part of a cloud assembly's manifest.json the diagram reads.
type manifest struct {
	Artifacts map[string]struct {
		Type         string   `json:"type"`
		Environment  string   `json:"environment"`
		Dependencies []string `json:"dependencies"`
		Properties   struct {
			TemplateFile string `json:"templateFile"`
			StackName    string `json:"stackName"`
		} `json:"properties"`
	} `json:"artifacts"`
}

// FromAssembly reads the cloud assembly that `cdk synth` wrote to dir (its manifest.json and the
// template of every aws:cloudformation:stack artifact) and returns the diagram of its stacks.
func FromAssembly(dir string) (string, error) {
	stacks, err := ReadAssembly(dir)
	if err != nil {
		return "", err
	}
	return FromTemplates(stacks), nil
}

// ReadAssembly returns the stacks of the cloud assembly in dir, sorted by name: each with the
// account and region of its environment, its decoded template, and the stacks it depends on
// (dependencies on other artifacts, such as asset manifests, are left out).
func ReadAssembly(dir string) ([]Stack, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("cloud assembly %s: %w (run cdk synth first)", dir, err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("cloud assembly %s: manifest.json: %w", dir, err)
	}
	names := map[string]string{} // artifact id -> stack name
	for id, a := range m.Artifacts {
		if a.Type == stackArtifactType {
			names[id] = id
			if a.Properties.StackName != "" {
				names[id] = a.Properties.StackName
			}
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("cloud assembly %s: no %s artifact", dir, stackArtifactType)
	}
	var out []Stack
	for id, name := range names {
		a := m.Artifacts[id]
		account, region, err := parseEnvironment(a.Environment)
		if err != nil {
			return nil, fmt.Errorf("cloud assembly %s: stack %s: %w", dir, name, err)
		}
		file := a.Properties.TemplateFile
		if !filepath.IsLocal(file) {
			return nil, fmt.Errorf("cloud assembly %s: stack %s: template file %q is not inside the assembly", dir, name, file)
		}
		tb, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			return nil, fmt.Errorf("cloud assembly %s: stack %s: %w", dir, name, err)
		}
		var tmpl map[string]any
		if err := json.Unmarshal(tb, &tmpl); err != nil {
			return nil, fmt.Errorf("cloud assembly %s: %s: %w", dir, file, err)
		}
		var deps []string
		for _, d := range a.Dependencies {
			if n, ok := names[d]; ok {
				deps = append(deps, n)
			}
		}
		sort.Strings(deps)
		out = append(out, Stack{Name: name, Account: account, Region: region, Template: tmpl, TemplateFile: file, DependsOn: deps})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// parseEnvironment splits aws://<account>/<region>.
func parseEnvironment(env string) (account, region string, err error) {
	rest, ok := strings.CutPrefix(env, "aws://")
	account, region, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || account == "" || region == "" || strings.Contains(region, "/") {
		return "", "", fmt.Errorf("environment %q is not aws://<account>/<region>", env)
	}
	return account, region, nil
}
