package registry_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/policy"
	"github.com/acme-platform/ecr-replication/replication"
)

const (
	sourceAcct  = "111111111111"
	replicaAcct = "222222222222"
	importedCI  = "arn:aws:iam::111111111111:role/ci"
)

// crossAccount is one synthesized app: a source stack (111111111111, us-east-1) with a
// repository and a role of this app, a replica stack in another account and region
// (222222222222, us-west-2) and one in the source account (eu-west-1), each with a replica and
// a creation template; grants across them.
type crossAccount struct {
	templates             map[string]cfntest.Template
	admitted              int
	admitErr, principalOf error
	namespace             awsiam.Grant
	appTag                string
}

func synthCrossAccount(t *testing.T) *crossAccount {
	t.Helper()
	app := awscdk.NewApp(nil)
	source := newStack(app, "Source", sourceAcct, "us-east-1")
	far := newStack(app, "Far", replicaAcct, "us-west-2")
	near := newStack(app, "Near", sourceAcct, "eu-west-1")
	api := registry.NewReplicatedRepository(source, "Api", &registry.ReplicatedRepositoryProps{RepositoryName: "team/api"})
	farAPI := registry.NewReplicatedRepository(far, "Api", api.ReplicaProps())
	nearAPI := registry.NewReplicatedRepository(near, "Api", api.ReplicaProps())
	farTemplate := registry.NewCreationTemplate(far, "Template", &registry.CreationTemplateProps{Prefix: "team"})
	nearTemplate := registry.NewCreationTemplate(near, "Template", &registry.CreationTemplateProps{Prefix: "team"})
	appRole := awsiam.NewRole(source, jsii.String("App"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	ci := awsiam.Role_FromRoleArn(source, jsii.String("CI"), jsii.String(importedCI), nil)

	f := &crossAccount{templates: map[string]cfntest.Template{}}
	cfntest.ExpectOK(t, func() {
		farAPI.GrantPull(appRole) // aws-cdk's own cross-account grant, on the replica's plain ARN
		f.admitted, f.admitErr = registry.AdmitCrossAccount(ci, policy.PullActions,
			[]*registry.ReplicatedRepository{api, farAPI, nearAPI}, []*registry.CreationTemplate{farTemplate, nearTemplate})
		f.namespace = registry.GrantPullOnNamespace(appRole, "PullTeam", registry.NamespaceGrant{
			Prefix: "team", Registries: []replication.Destination{{Region: "us-east-1"}, {Region: "us-west-2", Account: replicaAcct}},
		})
		_, f.principalOf = registry.CrossAccountPrincipalOf(awsiam.NewServicePrincipal(jsii.String("ecs-tasks.amazonaws.com"), nil))
		asm := app.Synth(nil)
		for _, name := range []string{"Source", "Far", "Near"} {
			f.templates[name] = cfntest.FromValue(asm.GetStackByName(jsii.String(name)).Template())
		}
		f.appTag = "Source_" + *appRole.Node().Addr()
	})
	if len(f.templates) != 3 {
		t.Fatal("the cross-account app did not synthesize")
	}
	return f
}

// repositoryPolicy is the repository policy of the only repository of tmpl, as JSON.
func repositoryPolicy(tmpl cfntest.Template) string {
	return cfntest.JSON(tmpl.Resources("AWS::ECR::Repository")[0].Properties["RepositoryPolicyText"])
}

func TestGrantsAcrossAccounts(t *testing.T) {
	f := synthCrossAccount(t)
	far, near, source := f.templates["Far"], f.templates["Near"], f.templates["Source"]
	ciStatement := `{"Action":["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],` +
		`"Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/ci"}},"Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Sid":"Allow`

	t.Run("a replica's GrantPull from another account and region tags the role and admits it by the tag", func(t *testing.T) {
		policyText := repositoryPolicy(far)
		want := `"Condition":{"StringEquals":{"aws:PrincipalTag/aws-cdk:id":"` + f.appTag + `"}},"Effect":"Allow","Principal":{"AWS":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::111111111111:root"]]}}`
		if !strings.Contains(policyText, want) {
			t.Errorf("the replica's policy does not admit the role by its tag %s:\n%s", f.appTag, policyText)
		}
		role := source.Resources("AWS::IAM::Role")[0]
		if tags := cfntest.JSON(role.Properties["Tags"]); !strings.Contains(tags, `{"Key":"aws-cdk:id","Value":"`+f.appTag+`"}`) {
			t.Errorf("role tags = %s; want aws-cdk:id=%s", tags, f.appTag)
		}
		identity := cfntest.JSON(source.Resources("AWS::IAM::Policy")[0].Properties["PolicyDocument"])
		if !strings.Contains(identity, `":ecr:us-west-2:222222222222:repository/team/api"`) {
			t.Errorf("the role's policy does not name the replica's plain ARN:\n%s", identity)
		}
	})
	t.Run("AdmitCrossAccount changes only the policies of the other account", func(t *testing.T) {
		if f.admitErr != nil || f.admitted != 2 {
			t.Errorf("AdmitCrossAccount = %d, %v; want 2 (the far replica and template), nil", f.admitted, f.admitErr)
		}
		if p := repositoryPolicy(far); !strings.Contains(p, ciStatement) {
			t.Errorf("the far replica does not admit %s:\n%s", importedCI, p)
		}
		tp, _ := far.Resources("AWS::ECR::RepositoryCreationTemplate")[0].Properties["RepositoryPolicy"].(string)
		if !strings.HasPrefix(tp, `{"Statement":[`) || !strings.Contains(tp, ciStatement) {
			t.Errorf("the far template's repository policy = %s; want the statement admitting %s", tp, importedCI)
		}
		for name, tmpl := range map[string]cfntest.Template{"Near": near, "Source": source} {
			if p := tmpl.Resources("AWS::ECR::Repository")[0].Properties["RepositoryPolicyText"]; p != nil {
				t.Errorf("%s repository policy = %s; want none in the grantee's own account", name, cfntest.JSON(p))
			}
		}
		if p := near.Resources("AWS::ECR::RepositoryCreationTemplate")[0].Properties["RepositoryPolicy"]; p != nil {
			t.Errorf("near template policy = %v; want none", p)
		}
	})
	t.Run("a namespace grant is one statement per call, returned as an awsiam.Grant", func(t *testing.T) {
		if !*f.namespace.Success() || len(*f.namespace.PrincipalStatements()) != 2 {
			t.Errorf("grant: success %v, %d statements; want true, 2", *f.namespace.Success(), len(*f.namespace.PrincipalStatements()))
		}
		identity := cfntest.JSON(source.Resources("AWS::IAM::Policy")[0].Properties["PolicyDocument"])
		want := `{"Action":["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Effect":"Allow",` +
			`"Resource":[{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":ecr:us-east-1:111111111111:repository/team/*"]]},` +
			`{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":ecr:us-west-2:222222222222:repository/team/*"]]}],"Sid":"PullTeam"}`
		if !strings.Contains(identity, want) || !strings.Contains(identity, `{"Action":"ecr:GetAuthorizationToken","Effect":"Allow","Resource":"*","Sid":"GetAuthorizationToken"}`) {
			t.Errorf("role policy lacks the namespace statements:\n%s", identity)
		}
	})
	t.Run("a principal whose account is unknown is refused, saying what works", func(t *testing.T) {
		if f.principalOf == nil || !strings.Contains(f.principalOf.Error(), "its account is not known at synth time") {
			t.Errorf("CrossAccountPrincipalOf(service principal) = %v", f.principalOf)
		}
	})
}

func TestGrantPullFromReplicasRefusesAnotherAccount(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := newStack(app, "Stack", sourceAcct, "us-east-1")
	role := awsiam.NewRole(stack, jsii.String("Reader"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	var err error
	func() {
		defer func() {
			if r, ok := recover().(error); ok {
				err = r
			}
		}()
		registry.GrantPullFromReplicas(role, []string{"team/api"}, []replication.Destination{{Region: "us-west-2", Account: replicaAcct}})
	}()
	var ce *checks.Error
	if !errors.As(err, &ce) || ce.Kind != "GrantPullFromReplicas" || len(ce.Problems) != 1 ||
		!strings.Contains(ce.Problems[0], `destinations[0]: got "222222222222/us-west-2"`) ||
		!strings.Contains(ce.Problems[0], "use stacks.Deployment.GrantPull, or GrantPull on each replica") {
		t.Errorf("GrantPullFromReplicas across accounts panicked with %v; want a *checks.Error naming the destination and what to use", err)
	}
	if g := registry.GrantPullFromReplicas(role, []string{"team/api"}, []replication.Destination{{Region: "us-west-2"}}); !*g.Success() {
		t.Error("a same-account grant did not succeed")
	}
}

func TestCrossAccountPrincipalOf(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := newStack(app, "Stack", sourceAcct, "us-east-1")
	agnostic := newStack(app, "Agnostic", "", "us-east-1")
	owned := awsiam.NewRole(stack, jsii.String("Owned"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	user := awsiam.NewUser(stack, jsii.String("User"), nil)
	imported := awsiam.Role_FromRoleArn(stack, jsii.String("Imported"), jsii.String(importedCI), nil)
	floating := awsiam.NewRole(agnostic, jsii.String("Floating"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	for _, tc := range []struct {
		name    string
		grantee awsiam.IGrantable
		want    registry.CrossAccountPrincipal
		err     string
	}{
		{"a role of this app, by tag", owned, registry.CrossAccountPrincipal{Account: sourceAcct, ConditionOperator: "StringEquals",
			ConditionKey: "aws:PrincipalTag/aws-cdk:id", Value: "Stack_" + *owned.Node().Addr()}, ""},
		{"a user of this app, by tag", user, registry.CrossAccountPrincipal{Account: sourceAcct, ConditionOperator: "StringEquals",
			ConditionKey: "aws:PrincipalTag/aws-cdk:id", Value: "Stack_" + *user.Node().Addr()}, ""},
		{"an imported role, by ARN", imported, registry.CrossAccountPrincipal{Account: sourceAcct, ConditionOperator: "ArnEquals",
			ConditionKey: "aws:PrincipalArn", Value: importedCI}, ""},
		{"a role of an environment-agnostic stack", floating, registry.CrossAccountPrincipal{}, "grantee Agnostic/Floating: its account is not known at synth time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got registry.CrossAccountPrincipal
			var err error
			cfntest.ExpectOK(t, func() { got, err = registry.CrossAccountPrincipalOf(tc.grantee) })
			if got != tc.want || (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("CrossAccountPrincipalOf = %+v, %v; want %+v, %q", got, err, tc.want, tc.err)
			}
		})
	}
	got := registry.CrossAccountPrincipal{Account: sourceAcct, ConditionOperator: "ArnEquals", ConditionKey: "aws:PrincipalArn", Value: importedCI}.
		Statement("Sid1", "aws-cn", []string{"ecr:BatchGetImage"})
	want := `{"Action":["ecr:BatchGetImage"],"Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/ci"}},"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::111111111111:root"},"Sid":"Sid1"}`
	if cfntest.JSON(got) != want {
		t.Errorf("Statement = %s; want %s", cfntest.JSON(got), want)
	}
}
