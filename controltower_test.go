package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme-platform/ecr-replication/internal/guard"
)

// The AWS Control Tower proactive controls that the app's templates fail today, per variant, as
// cfn-guard 3.1.1 with the rules of @cdklabs/cdk-validator-cfnguard 0.0.62 reports them. Every
// variant without controlTower=true fails three (four with encryption=KMS, whose repository keys
// allow grants); the variants with the lifecycle trail (lifecycleTrail=true, which
// controlTower=true refuses) fail five more on the trail and its bucket. With
// controlTower=true, none fails. The README's "AWS Control Tower proactive controls" table says
// what each checks and how the app passes it. When a construct starts passing a control (or
// starts failing one), this list changes with it.
var (
	controlTowerDefaultFailures = []string{
		"CT.CLOUDWATCH.PR.2", // log groups keep events 30 days, not 365 or forever
		"CT.CLOUDWATCH.PR.3", // log groups are not encrypted with a KMS key
		"CT.ECR.PR.3",        // testing repositories are MUTABLE
	}
	controlTowerKMSFailures = append(slices.Clone(controlTowerDefaultFailures),
		"CT.KMS.PR.3", // the repository keys' policies do not deny CreateGrant to callers other than AWS services
	)
	controlTowerTrailFailures = []string{
		"CT.CLOUDTRAIL.PR.1", // the trail has no KMSKeyId
		"CT.CLOUDTRAIL.PR.3", // the trail does not deliver to CloudWatch Logs
		"CT.S3.PR.10",        // the trail bucket's default encryption is AES256, not aws:kms
		"CT.S3.PR.2",         // the trail bucket has no server access logging
		"CT.S3.PR.9",         // the trail bucket has no Object Lock
	}
	controlTowerFailures = map[string][]string{
		"default":                 controlTowerDefaultFailures,
		"cross-account":           append(slices.Clone(controlTowerDefaultFailures), controlTowerTrailFailures...),
		"extra-regions":           controlTowerDefaultFailures,
		"many-repositories":       controlTowerDefaultFailures,
		"email":                   controlTowerDefaultFailures,
		"limits-max":              append(slices.Clone(controlTowerKMSFailures), controlTowerTrailFailures...),
		"limits-min":              controlTowerDefaultFailures,
		"per-destination-account": controlTowerKMSFailures,
		"no-measurements":         controlTowerDefaultFailures,
		"kms-no-account":          controlTowerKMSFailures,
		"sandbox":                 controlTowerKMSFailures,
		"namespaces":              controlTowerKMSFailures,
		"kms":                     controlTowerKMSFailures,
		"control-tower":           nil,
	}
)

// TestControlTowerProactiveControls runs cfn-guard with the rules of the AWS Control Tower
// proactive controls (which Control Tower enforces as CloudFormation hooks) over every template
// of every variant the app tests synthesize. It logs, per variant, each failing control with
// the stacks and resources that fail it, and checks the failing controls against
// controlTowerFailures.
func TestControlTowerProactiveControls(t *testing.T) {
	rules := guard.Require(t)
	templates := map[string]any{}
	names := keys(variants)
	for _, v := range names {
		f := synth(t, v)
		for stack, tmpl := range f.templates {
			templates[v+"/"+stack] = map[string]any(tmpl)
		}
	}
	start := time.Now()
	findings, err := rules.CheckTemplates(t.TempDir(), templates)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cfn-guard %s, rules of %s %s: %d templates of %d variants in %.1f s",
		rules.GuardVersion, guard.NPMPackage, rules.PackageVersion, len(templates), len(names), time.Since(start).Seconds())
	byVariant := map[string][]guard.Finding{}
	for _, f := range findings {
		v, _, _ := strings.Cut(f.Template, "/")
		byVariant[v] = append(byVariant[v], f)
	}
	for _, v := range names {
		t.Run(v, func(t *testing.T) {
			fs := byVariant[v]
			t.Logf("%s: %d controls fail%s", v, len(guard.Controls(fs)), describeFindings(v, fs))
			want, listed := controlTowerFailures[v]
			if !listed {
				t.Fatalf("variant %s is not in controlTowerFailures: add it with the controls it fails", v)
			}
			if got := guard.Controls(fs); !slices.Equal(got, sorted(want)) {
				t.Errorf("variant %s fails the controls %v; controlTowerFailures says %v (update it, and the README's table, when a control starts passing or failing)",
					v, got, sorted(want))
			}
		})
	}
}

// describeFindings renders findings one control a line, each with its title and the failing
// stacks and resources: "CT.ECR.PR.3 (title): stack Resource, ...".
func describeFindings(variant string, fs []guard.Finding) string {
	var b strings.Builder
	for _, control := range guard.Controls(fs) {
		var title string
		var where []string
		for _, f := range fs {
			if f.Control == control {
				title = f.Message
				where = append(where, strings.TrimPrefix(f.Template, variant+"/")+" "+f.Resource)
			}
		}
		fmt.Fprintf(&b, "\n  %s (%s): %s", control, title, strings.Join(where, ", "))
	}
	return b.String()
}

// sorted returns a sorted copy.
func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
