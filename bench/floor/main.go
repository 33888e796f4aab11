// Command floor is the second baseline of the synthesis benchmarks: a CDK for Go app that
// synthesizes the same stacks as the app, resource for resource, from plain CfnResource L1s
// whose properties are already rendered. It reads the cloud assembly the app wrote in the same
// benchmark run (FLOOR_ASSEMBLY, a cdk.out directory), so its templates are the app's, and it
// measures what the CDK costs for them alone (jsii, aws-cdk-lib's synthesis and its built-in
// template validation, writing the assembly): the least any construct library could take to
// produce these templates, against which `make bench` puts the app's own construct logic.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// manifest is the part of a cloud assembly's manifest.json that names the stacks.
type manifest struct {
	Artifacts map[string]struct {
		Type        string `json:"type"`
		Environment string `json:"environment"`
		Properties  struct {
			TemplateFile string `json:"templateFile"`
		} `json:"properties"`
	} `json:"artifacts"`
}

// template is the part of a template the floor re-creates; the bootstrap-version parameter and
// rule are added again by the CDK's default synthesizer.
type template struct {
	Description string                    `json:"Description"`
	Resources   map[string]map[string]any `json:"Resources"`
	Outputs     map[string]map[string]any `json:"Outputs"`
}

func main() {
	dir := os.Getenv("FLOOR_ASSEMBLY")
	if err := run(dir); err != nil {
		fmt.Fprintf(os.Stderr, "floor: %v\n", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return fmt.Errorf("FLOOR_ASSEMBLY must name a cloud assembly: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	names := make([]string, 0, len(m.Artifacts))
	for name, a := range m.Artifacts {
		if a.Type == "aws:cloudformation:stack" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return fmt.Errorf("no stack in %s", dir)
	}
	app := awscdk.NewApp(nil)
	for _, name := range names {
		a := m.Artifacts[name]
		raw, err := os.ReadFile(filepath.Join(dir, a.Properties.TemplateFile))
		if err != nil {
			return err
		}
		var t template
		if err := json.Unmarshal(raw, &t); err != nil {
			return fmt.Errorf("%s: %w", a.Properties.TemplateFile, err)
		}
		// aws://account/region, where account may be unknown-account.
		env := &awscdk.Environment{}
		if parts := strings.Split(strings.TrimPrefix(a.Environment, "aws://"), "/"); len(parts) == 2 {
			if parts[0] != "unknown-account" {
				env.Account = jsii.String(parts[0])
			}
			env.Region = jsii.String(parts[1])
		}
		stack := awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{Env: env, Description: jsii.String(t.Description)})
		addResources(stack, t)
	}
	app.Synth(nil)
	jsii.Close()
	return nil
}

// addResources adds t's resources, with their logical ids and attributes, and its outputs.
func addResources(stack awscdk.Stack, t template) {
	ids := make([]string, 0, len(t.Resources))
	for id := range t.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		body := t.Resources[id]
		typ, _ := body["Type"].(string)
		props, _ := body["Properties"].(map[string]any)
		r := awscdk.NewCfnResource(stack, jsii.String(id), &awscdk.CfnResourceProps{Type: jsii.String(typ), Properties: &props})
		r.OverrideLogicalId(jsii.String(id))
		for _, attr := range []string{"DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata", "Condition"} {
			if v, ok := body[attr]; ok {
				r.AddOverride(jsii.String(attr), v)
			}
		}
	}
	for id, o := range t.Outputs {
		props := &awscdk.CfnOutputProps{Value: awscdk.Token_AsString(o["Value"], nil)}
		if d, ok := o["Description"].(string); ok {
			props.Description = jsii.String(d)
		}
		if e, ok := o["Export"].(map[string]any); ok {
			props.ExportName = awscdk.Token_AsString(e["Name"], nil)
		}
		awscdk.NewCfnOutput(stack, jsii.String(id), props).OverrideLogicalId(jsii.String(id))
	}
}
