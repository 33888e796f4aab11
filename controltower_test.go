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
// variant fails four; the variants with the lifecycle trail (lifecycleTrail=true) fail eight more
// on the trail and its bucket. The README's "AWS Control Tower proactive controls" table says
// what each checks and how to pass it. When a construct starts passing a control (or starts
// failing one), this list changes with it.
var (
	controlTowerDefaultFailures = []string{
		"CT.CLOUDWATCH.PR.2", // log groups keep events 30 days, not 365 or forever
		"CT.CLOUDWATCH.PR.3", // log groups are not encrypted with a KMS key
		"CT.ECR.PR.3",        // testing repositories are MUTABLE
		"CT.KMS.PR.3",        // no key policy denies CreateGrant to callers other than AWS services
	}
	controlTowerTrailFailures = []string{
		"CT.CLOUDTRAIL.PR.1", // the trail has no KMSKeyId
		"CT.CLOUDTRAIL.PR.3", // the trail does not deliver to CloudWatch Logs
		"CT.CLOUDWATCH.PR.2", "CT.CLOUDWATCH.PR.3", "CT.ECR.PR.3", "CT.KMS.PR.3",
		"CT.S3.PR.10", // the trail bucket's default encryption is AES256, not aws:kms
		"CT.S3.PR.2",  // the trail bucket has no server access logging
		"CT.S3.PR.3",  // the versioned trail bucket has no lifecycle rule
		"CT.S3.PR.4",  // the trail bucket has no event notifications
		"CT.S3.PR.6",  // the trail bucket has no lifecycle rule
		"CT.S3.PR.9",  // the trail bucket has no Object Lock
	}
	controlTowerFailures = map[string][]string{
		"default":                 controlTowerDefaultFailures,
		"cross-account":           controlTowerTrailFailures,
		"extra-regions":           controlTowerDefaultFailures,
		"many-repositories":       controlTowerDefaultFailures,
		"email":                   controlTowerDefaultFailures,
		"limits-max":              controlTowerTrailFailures,
		"limits-min":              controlTowerDefaultFailures,
		"per-destination-account": controlTowerDefaultFailures,
		"no-measurements":         controlTowerDefaultFailures,
		"kms-no-account":          controlTowerDefaultFailures,
		"sandbox":                 controlTowerDefaultFailures,
		"kms":                     controlTowerDefaultFailures,
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
			if got, want := guard.Controls(fs), controlTowerFailures[v]; !slices.Equal(got, sorted(want)) {
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
