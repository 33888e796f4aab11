package nag_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/jsiitest"
	"github.com/acme-platform/ecr-replication/internal/nag"
)

func TestMain(m *testing.M) { jsiitest.Main(m) }

const (
	wildcardReason = "a listing call that supports no resource-level permission"
	patternReason  = "the namespace holds every repository of the deployment"
	pattern        = `/^Resource::arn:aws:ecr:us-east-1:111111111111:repository\/team\/\*$/g`
	// encodedReason holds a character beyond Latin-1: cdk-nag stores such a reason base64-encoded.
	encodedReason = "granted on the namespace → every repository below it"
)

// suppressions are applied to each role in two calls, the second repeating one of the first,
// so that merging and de-duplication are compared too.
var (
	first = []nag.Suppression{
		{ID: "AwsSolutions-IAM5", Reason: wildcardReason, AppliesTo: []string{"Resource::*"}},
		{ID: "AwsSolutions-IAM5", Reason: patternReason, AppliesToRegex: []string{pattern}},
	}
	second = []nag.Suppression{
		{ID: "AwsSolutions-IAM5", Reason: wildcardReason, AppliesTo: []string{"Resource::*"}},
		{ID: "AwsSolutions-IAM4", Reason: encodedReason},
	}
)

// withCdkNag applies s with cdk-nag's own NagSuppressions.
func withCdkNag(c constructs.IConstruct, children bool, s []nag.Suppression) {
	var list []*cdknag.NagPackSuppression
	for _, one := range s {
		p := &cdknag.NagPackSuppression{Id: jsii.String(one.ID), Reason: jsii.String(one.Reason)}
		var applies []interface{}
		for _, a := range one.AppliesTo {
			applies = append(applies, jsii.String(a))
		}
		for _, r := range one.AppliesToRegex {
			applies = append(applies, &cdknag.RegexAppliesTo{Regex: jsii.String(r)})
		}
		if len(applies) > 0 {
			p.AppliesTo = &applies
		}
		list = append(list, p)
	}
	cdknag.NagSuppressions_AddResourceSuppressions(c, &list, jsii.Bool(children))
}

// newRole is a role whose default policy allows ecr:DescribeRepositories on "*" and on the
// team/* namespace: two AwsSolutions-IAM5 findings.
func newRole(scope constructs.Construct, id string) awsiam.Role {
	role := awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{AssumedBy: awsiam.NewServicePrincipal(jsii.String("states.amazonaws.com"), nil)})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ecr:DescribeRepositories"),
		Resources: jsii.Strings("*", "arn:aws:ecr:us-east-1:111111111111:repository/team/*"),
	}))
	return role
}

type fixture struct {
	template cfntest.Template
	findings []string
}

var built *fixture

// getFixture synthesizes, once, a stack with three pairs of roles and buckets: suppressed
// by this package, suppressed by cdk-nag's NagSuppressions, and not suppressed, with cdk-nag's
// AwsSolutions pack as an aspect.
func getFixture() *fixture {
	if built != nil {
		return built
	}
	app := awscdk.NewApp(nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	stack := awscdk.NewStack(app, jsii.String("Nag"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1"), Account: jsii.String("111111111111")}})
	ours, theirs := newRole(stack, "OursAll"), newRole(stack, "TheirsAll")
	newRole(stack, "Unsuppressed")
	nag.Suppress(ours, true, first...)
	nag.Suppress(ours, true, second...)
	withCdkNag(theirs, true, first)
	withCdkNag(theirs, true, second)
	// Without children, only the construct's own resource (the L2 role's default child).
	ourOwn, theirOwn := newRole(stack, "OursOwn"), newRole(stack, "TheirsOwn")
	nag.Suppress(ourOwn, false, first...)
	withCdkNag(theirOwn, false, first)

	f := &fixture{template: cfntest.FromValue(assertions.Template_FromStack(stack, nil).ToJSON())}
	for _, m := range jsiitest.Messages(stack, "AwsSolutions-") {
		f.findings = append(f.findings, *m.Id+" "+strings.SplitN(m.Entry.Data.(string), ":", 2)[0])
	}
	sort.Strings(f.findings)
	built = f
	return f
}

// nagMetadata returns the cdk_nag metadata of the role and the policy whose logical ids start
// with prefix, keyed by resource type.
func nagMetadata(tmpl cfntest.Template, prefix string) map[string]any {
	out := map[string]any{}
	for _, typ := range []string{"AWS::IAM::Role", "AWS::IAM::Policy"} {
		for _, r := range tmpl.Resources(typ) {
			if strings.HasPrefix(r.LogicalID, prefix) {
				md, _ := r.Raw["Metadata"].(map[string]any)
				out[typ] = md["cdk_nag"]
			}
		}
	}
	return out
}

func TestSameMetadataAsCdkNag(t *testing.T) {
	f := getFixture()
	for _, pair := range [][2]string{{"OursAll", "TheirsAll"}, {"OursOwn", "TheirsOwn"}} {
		t.Run(pair[0], func(t *testing.T) {
			ours, theirs := nagMetadata(f.template, pair[0]), nagMetadata(f.template, pair[1])
			if len(ours) != 2 || len(theirs) != 2 {
				t.Fatalf("expected a role and a policy under %s and %s, got %s and %s", pair[0], pair[1], cfntest.JSON(ours), cfntest.JSON(theirs))
			}
			if !reflect.DeepEqual(ours, theirs) {
				t.Errorf("metadata differs from cdk-nag's:\n ours:   %s\n theirs: %s", cfntest.JSON(ours), cfntest.JSON(theirs))
			}
		})
	}
	t.Run("children", func(t *testing.T) {
		md := nagMetadata(f.template, "OursAll")
		withRules := 0
		for _, v := range md {
			if v != nil {
				withRules++
			}
		}
		if withRules != 2 {
			t.Errorf("with children, the role and its default policy carry the suppressions; got %s", cfntest.JSON(md))
		}
	})
	t.Run("alone", func(t *testing.T) {
		md := nagMetadata(f.template, "OursOwn")
		if md["AWS::IAM::Role"] == nil || md["AWS::IAM::Policy"] != nil {
			t.Errorf("without children, only the role carries the suppressions; got %s", cfntest.JSON(md))
		}
	})
}

// TestCdkNagHonoursTheSuppressions runs the AwsSolutions pack: the role suppressed by this
// package has no finding left, the unsuppressed one keeps its IAM5 findings.
func TestCdkNagHonoursTheSuppressions(t *testing.T) {
	f := getFixture()
	var ours, unsuppressed []string
	for _, finding := range f.findings {
		switch {
		case strings.Contains(finding, "/OursAll/"):
			ours = append(ours, finding)
		case strings.Contains(finding, "/Unsuppressed/"):
			unsuppressed = append(unsuppressed, finding)
		}
	}
	if len(ours) > 0 {
		t.Errorf("cdk-nag still reports on the suppressed role: %v", ours)
	}
	if len(unsuppressed) == 0 || !strings.Contains(strings.Join(unsuppressed, " "), "AwsSolutions-IAM5") {
		t.Errorf("the unsuppressed role should keep its AwsSolutions-IAM5 findings, got %v (all: %v)", unsuppressed, f.findings)
	}
}

func TestRefusesWhatCdkNagRefuses(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Bad"), nil)
	role := newRole(stack, "Role")
	for _, c := range []struct {
		s    nag.Suppression
		want string
	}{
		{nag.Suppression{ID: "AwsSolutions-IAM5", Reason: "short"}, `reason "short": expected at least 10 characters`},
		{nag.Suppression{ID: "AwsSolutions-IAM5[Resource::*]", Reason: wildcardReason}, `id "AwsSolutions-IAM5[Resource::*]": expected a rule id without a finding`},
		{nag.Suppression{ID: "AwsSolutions-IAM5", Reason: wildcardReason, AppliesToRegex: []string{"^Resource::.*$"}}, `regex "^Resource::.*$": expected a regular-expression literal`},
	} {
		cfntest.ExpectPanic(t, func() { nag.Suppress(role, true, c.s) }, "nag.Suppress Bad/Role", c.want)
	}
}
