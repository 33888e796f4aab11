package registry_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/replication"
)

// parts is one synthesized stack (111111111111, us-west-2) with a key, enhanced scanning, a
// namespace grant with its suppression, imported repositories granted to a role, and a
// repository with statements added to its policy.
type parts struct {
	tmpl      cfntest.Template
	warnings  []string
	synthErr  string
	importArn string
}

func synthParts(t *testing.T, withoutPrincipal bool) *parts {
	t.Helper()
	app := awscdk.NewApp(nil)
	stack := newStack(app, "Stack", sourceAcct, "us-west-2")
	p := &parts{}
	cfntest.ExpectOK(t, func() {
		registry.NewRepositoryKey(stack, "Key", &registry.RepositoryKeyProps{CallerAccounts: []string{replicaAcct, sourceAcct}})
		registry.NewEnhancedScanning(stack, "Scanning", &registry.EnhancedScanningProps{RepositoryFilters: []string{"team/*"}})
		role := awsiam.NewRole(stack, jsii.String("Reader"), &awsiam.RoleProps{RoleName: jsii.String("reader"), AssumedBy: awsiam.NewAccountRootPrincipal()})
		registry.GrantPullPushOnNamespace(role, "PushTeam", registry.NamespaceGrant{Prefix: "team", Registries: []replication.Destination{{Region: "us-west-2"}}})
		registry.SuppressNamespaceFindings(role.Node().FindChild(jsii.String("DefaultPolicy")), "team")
		byArn := registry.ImportReplicatedRepositoryFromArn(stack, "ByArn", "arn:aws:ecr:eu-west-1:222222222222:repository/other/api", registry.RepositorySettings{})
		byAttrs := registry.ImportReplicatedRepositoryFromAttributes(stack, "ByAttrs", &registry.ImportedRepositoryAttributes{RepositoryName: "other/web", Account: replicaAcct})
		byArn.GrantPull(role)
		byAttrs.GrantPull(role)
		p.importArn = *byArn.RepositoryUri()
		repo := registry.NewReplicatedRepository(stack, "Repo", &registry.ReplicatedRepositoryProps{RepositoryName: "team/app"})
		st := awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings("ecr:BatchGetImage"), Resources: jsii.Strings("*")})
		if !withoutPrincipal {
			st.AddPrincipals(awsiam.NewAccountPrincipal(jsii.String(replicaAcct)))
		}
		repo.AddToResourcePolicy(st)
	})
	func() {
		defer func() {
			if r := recover(); r != nil {
				p.synthErr = cfntest.JSON(r.(error).Error())
			}
		}()
		asm := app.Synth(nil)
		art := asm.GetStackByName(jsii.String("Stack"))
		p.tmpl = cfntest.FromValue(art.Template())
		for _, m := range *art.Messages() {
			if m.Level == cxapi.SynthesisMessageLevel_WARNING {
				p.warnings = append(p.warnings, cfntest.JSON(m.Entry.Data))
			}
		}
	}()
	return p
}

func TestRegistryParts(t *testing.T) {
	p := synthParts(t, false)
	if p.synthErr != "" {
		t.Fatalf("synthesis failed: %s", p.synthErr)
	}
	t.Run("NewRepositoryKey: rotated, retained, usable through ECR by the listed accounts only", func(t *testing.T) {
		key := p.tmpl.Resources("AWS::KMS::Key")[0]
		if key.Raw["DeletionPolicy"] != "Retain" || key.Properties["EnableKeyRotation"] != true {
			t.Errorf("key = %s", cfntest.JSON(key.Raw))
		}
		policy := cfntest.JSON(key.Properties["KeyPolicy"])
		want := `"Condition":{"StringEquals":{"kms:CallerAccount":["111111111111","222222222222"],"kms:ViaService":"ecr.us-west-2.amazonaws.com"}}`
		if !strings.Contains(policy, want) || !strings.Contains(policy, `"Sid":"AllowUseThroughEcr"`) {
			t.Errorf("key policy lacks %s:\n%s", want, policy)
		}
	})
	t.Run("NewEnhancedScanning: continuous scanning of the filters", func(t *testing.T) {
		got := cfntest.JSON(p.tmpl.Resources("AWS::ECR::RegistryScanningConfiguration")[0].Properties)
		want := `{"Rules":[{"RepositoryFilters":[{"Filter":"team/*","FilterType":"WILDCARD"}],"ScanFrequency":"CONTINUOUS_SCAN"}],"ScanType":"ENHANCED"}`
		if got != want {
			t.Errorf("scanning = %s; want %s", got, want)
		}
	})
	t.Run("GrantPullPushOnNamespace and SuppressNamespaceFindings", func(t *testing.T) {
		pol := p.tmpl.Resources("AWS::IAM::Policy")[0]
		doc := cfntest.JSON(pol.Properties["PolicyDocument"])
		for _, want := range []string{
			`{"Action":["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:CompleteLayerUpload","ecr:InitiateLayerUpload","ecr:PutImage","ecr:UploadLayerPart"],"Effect":"Allow","Resource":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":ecr:us-west-2:111111111111:repository/team/*"]]},"Sid":"PushTeam"}`,
			`{"Action":"ecr:GetAuthorizationToken","Effect":"Allow","Resource":"*","Sid":"GetAuthorizationToken"}`,
		} {
			if !strings.Contains(doc, want) {
				t.Errorf("policy lacks %s:\n%s", want, doc)
			}
		}
		meta := cfntest.JSON(pol.Raw["Metadata"])
		for _, want := range []string{`"id":"AwsSolutions-IAM5"`, `"Resource::*"`,
			`{"regex":"/^Resource::arn:(\u003cAWS::Partition\u003e|aws[a-z-]*):ecr:[a-z0-9-]+:(\u003cAWS::AccountId\u003e|[0-9]{12}):repository\\/team\\/\\*$/g"}`} {
			if !strings.Contains(meta, want) {
				t.Errorf("suppression metadata lacks %s:\n%s", want, meta)
			}
		}
	})
	t.Run("imports by ARN and by attributes name their own account and region", func(t *testing.T) {
		doc := cfntest.JSON(p.tmpl.Resources("AWS::IAM::Policy")[0].Properties["PolicyDocument"])
		for _, want := range []string{":ecr:eu-west-1:222222222222:repository/other/api", ":ecr:us-west-2:222222222222:repository/other/web"} {
			if !strings.Contains(doc, want) {
				t.Errorf("policy lacks %s:\n%s", want, doc)
			}
		}
		if !strings.HasPrefix(p.importArn, "222222222222.dkr.ecr.eu-west-1.") || !strings.HasSuffix(p.importArn, "/other/api") {
			t.Errorf("imported URI = %s", p.importArn)
		}
		if n := len(p.tmpl.Resources("AWS::ECR::Repository")); n != 1 {
			t.Errorf("%d repositories; imports create none", n)
		}
	})
	t.Run("AddToResourcePolicy warns about a Resource element, as awsecr.Repository does", func(t *testing.T) {
		if len(p.warnings) != 1 || !strings.Contains(p.warnings[0], "ECR resource policy does not allow resource statements") {
			t.Errorf("warnings = %q; want the noResourceStatements warning once", p.warnings)
		}
		got := repositoryPolicy(p.tmpl)
		if !strings.Contains(got, `"Principal":{"AWS":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::222222222222:root"]]}}`) {
			t.Errorf("repository policy = %s", got)
		}
	})
	t.Run("AddToResourcePolicy of a statement without a principal fails synthesis", func(t *testing.T) {
		bad := synthParts(t, true)
		if !strings.Contains(bad.synthErr, "must specify at least one IAM principal") {
			t.Errorf("synthesis error = %q; want the missing principal", bad.synthErr)
		}
	})
}

func TestImportsRefuseBadInput(t *testing.T) {
	stack := newStack(awscdk.NewApp(nil), "Stack", sourceAcct, "us-east-1")
	cfntest.ExpectPanic(t, func() {
		registry.ImportReplicatedRepositoryFromArn(stack, "A", "arn:aws:s3:::bucket", registry.RepositorySettings{})
	}, "ImportReplicatedRepositoryFromArn Stack/A: invalid props", `arn: got "arn:aws:s3:::bucket"; expected a repository ARN`)
	cfntest.ExpectPanic(t, func() {
		registry.ImportReplicatedRepositoryFromArn(stack, "B", "arn:aws-cn:ecr:us-east-1:111111111111:repository/team/api", registry.RepositorySettings{})
	}, `arn: got "arn:aws-cn:ecr:us-east-1:`)
	cfntest.ExpectPanic(t, func() {
		registry.ImportReplicatedRepositoryFromAttributes(stack, "C", &registry.ImportedRepositoryAttributes{RepositoryName: "team/api", Account: "12", Region: "mars-1"})
	}, `Account: got "12"`, `Region: got "mars-1"`)
}

func TestCreationTemplateAddToRepositoryPolicy(t *testing.T) {
	stack := newStack(awscdk.NewApp(nil), "Stack", replicaAcct, "us-west-2")
	tpl := registry.NewCreationTemplate(stack, "Template", &registry.CreationTemplateProps{Prefix: "team"})
	role := awsiam.NewRole(stack, jsii.String("Role"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	cfntest.ExpectPanic(t, func() {
		tpl.AddToRepositoryPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("ecr:BatchGetImage"), Principals: &[]awsiam.IPrincipal{awsiam.NewArnPrincipal(role.RoleArn())},
		}))
	}, "CreationTemplate Stack/Template/AddToRepositoryPolicy: invalid props", "a statement of plain values")
	cfntest.ExpectPanic(t, func() {
		tpl.AddToRepositoryPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings("ecr:BatchGetImage")}))
	}, "a statement that names a principal")
}
