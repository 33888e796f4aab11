package registry_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
)

const existingProfile = "arn:aws:signer:us-east-1:444444444444:/signing-profiles/platform_images"

func TestManagedSigning(t *testing.T) {
	app := awscdk.NewApp(nil)
	created := newStack(app, "Created", sourceAcct, "us-east-1")
	given := newStack(app, "Given", replicaAcct, "us-east-1")
	var signing, existing *registry.ManagedSigning
	cfntest.ExpectOK(t, func() {
		signing = registry.NewManagedSigning(created, "Signing", &registry.ManagedSigningProps{RepositoryFilters: []string{"payments/*", "data/*"}})
		existing = registry.NewManagedSigning(given, "Signing", &registry.ManagedSigningProps{SigningProfileArn: existingProfile, RepositoryFilters: []string{"payments/*"}})
		ci := awsiam.NewRole(created, jsii.String("CI"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
		signing.GrantSign(ci)
		existing.GrantSign(awsiam.NewRole(given, jsii.String("CI"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()}))
	})
	tmpl := func(s awscdk.Stack) cfntest.Template {
		return cfntest.FromValue(assertions.Template_FromStack(s, nil).ToJSON())
	}
	c, g := tmpl(created), tmpl(given)
	t.Run("a created Notation profile, retained, and the configuration signing with it", func(t *testing.T) {
		profiles := c.Resources("AWS::Signer::SigningProfile")
		if len(profiles) != 1 || profiles[0].Raw["DeletionPolicy"] != "Retain" || cfntest.JSON(profiles[0].Properties) != `{"PlatformId":"Notation-OCI-SHA384-ECDSA"}` {
			t.Fatalf("signing profiles = %s", cfntest.JSON(profiles))
		}
		got := cfntest.JSON(c.Resources("AWS::ECR::SigningConfiguration")[0].Properties)
		want := `{"Rules":[{"RepositoryFilters":[{"Filter":"payments/*","FilterType":"WILDCARD_MATCH"},{"Filter":"data/*","FilterType":"WILDCARD_MATCH"}],"SigningProfileArn":{"Fn::GetAtt":["` + profiles[0].LogicalID + `","Arn"]}}]}`
		if got != want {
			t.Errorf("signing configuration = %s; want %s", got, want)
		}
	})
	t.Run("a given profile is used as is, and nothing else is created", func(t *testing.T) {
		if n := len(g.Resources("AWS::Signer::SigningProfile")); n != 0 || existing.Profile() != nil {
			t.Errorf("%d profiles created for a given one", n)
		}
		if got := cfntest.JSON(g.Resources("AWS::ECR::SigningConfiguration")[0].Properties); !strings.Contains(got, `"SigningProfileArn":"`+existingProfile+`"`) {
			t.Errorf("signing configuration = %s", got)
		}
	})
	t.Run("GrantSign: signer:SignPayload on the profile only", func(t *testing.T) {
		for name, tm := range map[string]cfntest.Template{"created": c, "given": g} {
			doc := cfntest.JSON(tm.Resources("AWS::IAM::Policy")[0].Properties["PolicyDocument"])
			want := `{"Action":"signer:SignPayload","Effect":"Allow","Resource":"` + existingProfile + `","Sid":"SignPushedImages"}`
			if name == "created" {
				want = `{"Action":"signer:SignPayload","Effect":"Allow","Resource":{"Fn::GetAtt":["` + c.Resources("AWS::Signer::SigningProfile")[0].LogicalID + `","Arn"]},"Sid":"SignPushedImages"}`
			}
			if doc != `{"Statement":[`+want+`],"Version":"2012-10-17"}` {
				t.Errorf("%s: CI policy = %s; want only %s", name, doc, want)
			}
		}
	})
	t.Run("cfn-lint", func(t *testing.T) {
		cfntest.CfnLint(t, []cfntest.LintFile{{Name: "created", Region: "us-east-1", Template: c}, {Name: "given", Region: "us-east-1", Template: g}})
	})
}

func TestManagedSigningRefusals(t *testing.T) {
	app := awscdk.NewApp(nil)
	cfntest.ExpectPanic(t, func() {
		registry.NewManagedSigning(newStack(app, "Osaka", sourceAcct, "ap-northeast-3"), "Signing", &registry.ManagedSigningProps{
			SigningProfileArn: "arn:aws:signer:us-west-2:444444444444:/signing-profiles/x1", RepositoryFilters: []string{"Payments/*"},
		})
	}, "ManagedSigning Osaka/Signing: invalid props", `Env.Region: got "ap-northeast-3"`,
		`SigningProfileArn: got "arn:aws:signer:us-west-2:444444444444:/signing-profiles/x1"; expected a signing profile in ap-northeast-3`,
		`RepositoryFilters[0]: got "Payments/*"`)
	cfntest.ExpectPanic(t, func() {
		registry.NewManagedSigning(newStack(app, "Virginia", sourceAcct, "us-east-1"), "Signing", &registry.ManagedSigningProps{SigningProfileArn: "profile"})
	}, `SigningProfileArn: got "profile"; expected a signing profile ARN`, "RepositoryFilters: got 0 filters")
}
