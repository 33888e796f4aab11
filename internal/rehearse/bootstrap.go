package rehearse

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"gopkg.in/yaml.v3"
)

// bootstrapStack is the stack `cdk bootstrap` deploys in each environment (without
// --toolkit-stack-name).
const bootstrapStack = "CDKToolkit"

// bootstrapFindings checks the bootstrap stack of every environment of the deployment: complete,
// and which of its resource types moto skipped (the CDK's template, not the app's).
func bootstrapFindings(ctx context.Context, d *Deployment) ([]Finding, error) {
	var out []Finding
	for _, env := range environments(d.Stacks) {
		region := env[strings.LastIndex(env, "/")+1:]
		cf := cloudformation.NewFromConfig(AWSConfig(d.Options.Endpoint, region))
		stacks, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(bootstrapStack)})
		if err != nil {
			return nil, fmt.Errorf("%s: DescribeStacks %s: %w", env, bootstrapStack, err)
		}
		tmpl, err := cf.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String(bootstrapStack)})
		if err != nil {
			return nil, fmt.Errorf("%s: GetTemplate %s: %w", env, bootstrapStack, err)
		}
		res, err := cf.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(bootstrapStack)})
		if err != nil {
			return nil, fmt.Errorf("%s: DescribeStackResources %s: %w", env, bootstrapStack, err)
		}
		types, conditional, err := resourceTypes(aws.ToString(tmpl.TemplateBody))
		if err != nil {
			return nil, fmt.Errorf("%s: the %s template: %w", env, bootstrapStack, err)
		}
		realized := map[string]bool{}
		for _, r := range res.StackResources {
			realized[aws.ToString(r.LogicalResourceId)] = true
		}
		out = append(out, bootstrapFinding(env, string(stacks.Stacks[0].StackStatus), types, conditional, realized))
	}
	return out, nil
}

// resourceTypes reads the resource types of a template in YAML (the bootstrap template, with
// its short-form functions such as !Sub) or JSON, by logical id, and which resources have a
// Condition.
func resourceTypes(body string) (types map[string]string, conditional map[string]bool, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		return nil, nil, err
	}
	types, conditional = map[string]string{}, map[string]bool{}
	if len(doc.Content) == 0 {
		return types, conditional, nil
	}
	resources := mappingValue(doc.Content[0], "Resources")
	if resources == nil {
		return types, conditional, nil
	}
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id, r := resources.Content[i].Value, resources.Content[i+1]
		if t := mappingValue(r, "Type"); t != nil {
			types[id] = t.Value
		}
		conditional[id] = mappingValue(r, "Condition") != nil
	}
	return types, conditional, nil
}

// mappingValue returns the value of key in a YAML mapping node, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// bootstrapFinding judges one environment's bootstrap stack: its status, the types moto
// skipped (no model), and the resources not created whose Condition may be false (the
// bootstrap's own KMS key, for one, is created only on request).
func bootstrapFinding(env, status string, types map[string]string, conditional, realized map[string]bool) Finding {
	skipped, notCreated := map[string]bool{}, map[string]bool{}
	for id, typ := range types {
		switch {
		case realized[id]:
		case conditional[id]:
			notCreated[id] = true
		default:
			skipped[typ] = true
		}
	}
	detail := bootstrapStack + " " + status
	if len(skipped) > 0 {
		detail += "; moto skipped (no model): " + strings.Join(slices.Sorted(maps.Keys(skipped)), ", ")
	}
	if len(notCreated) > 0 {
		detail += "; not created, each with a Condition: " + strings.Join(slices.Sorted(maps.Keys(notCreated)), ", ")
	}
	f := Finding{Check: "bootstrap", Subject: env, Status: StatusPass, Summary: true, Detail: detail}
	if status != "CREATE_COMPLETE" && status != "UPDATE_COMPLETE" {
		f.Status = StatusFail
	}
	return f
}
