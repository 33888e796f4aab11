package registry_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/jsiitest"
	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/replication"
)

func TestMain(m *testing.M) { jsiitest.Main(m) }

// defaultLifecycleJSON is the lifecycle policy a repository gets when none is given, as ECR
// receives it.
const defaultLifecycleJSON = `{"rules":[{"rulePriority":1,"description":"expire untagged images older than 1 day","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}`

func newStack(app awscdk.App, id, account, region string) awscdk.Stack {
	env := &awscdk.Environment{Region: jsii.String(region)}
	if account != "" {
		env.Account = jsii.String(account)
	}
	return awscdk.NewStack(app, jsii.String(id), &awscdk.StackProps{Env: env})
}

func TestReplicatedRepositoryDefaults(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := newStack(app, "Stack", "123456789012", "us-east-1")
	repo := registry.NewReplicatedRepository(stack, "Repo", &registry.ReplicatedRepositoryProps{RepositoryName: "team/app"})
	role := awsiam.NewRole(stack, jsii.String("Reader"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	repo.GrantPull(role)
	tmpl := assertions.Template_FromStack(stack, nil)
	doc := cfntest.FromValue(tmpl.ToJSON())
	r := doc.Resources("AWS::ECR::Repository")[0]

	t.Run("is retained, immutable, scanned on push and AES256 by default", func(t *testing.T) {
		if r.Raw["DeletionPolicy"] != "Retain" || r.Raw["UpdateReplacePolicy"] != "Retain" {
			t.Errorf("policies %v/%v; want Retain", r.Raw["DeletionPolicy"], r.Raw["UpdateReplacePolicy"])
		}
		for field, want := range map[string]string{
			"ImageTagMutability":         `"IMMUTABLE"`,
			"ImageScanningConfiguration": `{"ScanOnPush":true}`,
			"EncryptionConfiguration":    `{"EncryptionType":"AES256"}`,
			"RepositoryName":             `"team/app"`,
		} {
			if got := cfntest.JSON(r.Properties[field]); got != want {
				t.Errorf("%s = %s; want %s", field, got, want)
			}
		}
		if _, ok := r.Properties["RepositoryPolicyText"]; ok {
			t.Error("a repository policy was rendered without any PullAccess")
		}
	})
	t.Run("expires only untagged images by default", func(t *testing.T) {
		text := r.Properties["LifecyclePolicy"].(map[string]any)["LifecyclePolicyText"].(string)
		if want := defaultLifecycleJSON; text != want {
			t.Errorf("lifecycle = %s; want %s", text, want)
		}
	})
	t.Run("GrantPull adds pull actions and the authorization token to the grantee only", func(t *testing.T) {
		cfntest.ExpectOK(t, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
				"PolicyDocument": map[string]any{"Statement": []any{
					map[string]any{"Action": []any{"ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"},
						"Effect": "Allow", "Resource": assertions.Match_AnyValue()},
					map[string]any{"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
				}},
			})
		})
	})
}

func TestReplicatedRepositoryRejectsBadProps(t *testing.T) {
	bad := lifecycle.Policy{Rules: []lifecycle.Rule{{RulePriority: 1, Selection: lifecycle.Selection{TagStatus: lifecycle.TagStatusTagged,
		CountType: lifecycle.CountImageCountMoreThan, CountNumber: 0}, Action: lifecycle.Action{Type: lifecycle.ActionExpire}}}}
	tests := []struct {
		name      string
		props     *registry.ReplicatedRepositoryProps
		fragments []string
	}{
		{"missing name", nil, []string{"ReplicatedRepository Stack/Repo: invalid props", "RepositoryName: required"}},
		{"double underscore, which the aws-cdk L2 would refuse", &registry.ReplicatedRepositoryProps{RepositoryName: "team__x/api"}, []string{"RepositoryName", `"team__x/api"`, "expected 2-256 characters"}},
		{"upper-case name", &registry.ReplicatedRepositoryProps{RepositoryName: "Team/App"}, []string{"RepositoryName", `"Team/App"`}},
		{"EmptyOnDelete on a retained repository", &registry.ReplicatedRepositoryProps{RepositoryName: "team/app", EmptyOnDelete: true},
			[]string{`EmptyOnDelete: got "true"; expected RemovalPolicy DESTROY as well`}},
		{"invalid lifecycle and mutability at once", &registry.ReplicatedRepositoryProps{RepositoryName: "team/app", RepositorySettings: registry.RepositorySettings{LifecyclePolicy: &bad, ImageTagMutability: "SOMETIMES"}},
			[]string{"LifecyclePolicy", "countNumber", "ImageTagMutability", "SOMETIMES"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := newStack(awscdk.NewApp(nil), "Stack", "123456789012", "us-east-1")
			cfntest.ExpectPanic(t, func() { registry.NewReplicatedRepository(stack, "Repo", tt.props) }, tt.fragments...)
		})
	}
}

func destinations(n int, account string) []replication.Destination {
	regions := []string{"us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1", "ca-central-1"}
	var out []replication.Destination
	for i := 0; i < n; i++ {
		out = append(out, replication.Destination{Region: regions[i%len(regions)], Account: fmt.Sprintf("%012d", i+1)})
	}
	if account != "" {
		for i := range out {
			out[i].Account = account
		}
	}
	return out
}

func TestRegistryReplicationValidation(t *testing.T) {
	many := func(n int) []string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, fmt.Sprintf("team%d/", i))
		}
		return out
	}
	tests := []struct {
		name      string
		rules     []registry.ReplicationRule
		fragments []string
	}{
		{"no rules", nil, []string{"Replication Stack/Replication: invalid props", "Rules: got 0 rules; expected 1 to 10"}},
		{"eleven rules", func() []registry.ReplicationRule {
			var r []registry.ReplicationRule
			for i := 0; i < 11; i++ {
				r = append(r, registry.ReplicationRule{Destinations: destinations(1, "")})
			}
			return r
		}(), []string{"got 11 rules"}},
		{"26 unique destinations across rules", []registry.ReplicationRule{
			{Destinations: destinations(13, "")}, {Destinations: destinations(26, "")[13:]},
		}, []string{"got 26 unique destinations", "at most 25"}},
		{"101 filters", []registry.ReplicationRule{{Destinations: destinations(1, ""), RepositoryPrefixes: many(101)}}, []string{"got 101", "at most 100"}},
		{"destination equal to the source in the same account", []registry.ReplicationRule{{Destinations: []replication.Destination{{Region: "us-east-1"}}}},
			[]string{`Region: got "us-east-1"; expected a region other than the source region`}},
		{"another partition", []registry.ReplicationRule{{Destinations: []replication.Destination{{Region: "cn-north-1"}}}},
			[]string{`got "cn-north-1"`, "partition aws (this one is in aws-cn)", "across partitions"}},
		{"duplicate destination", []registry.ReplicationRule{{Destinations: []replication.Destination{{Region: "us-west-2"}, {Region: "us-west-2"}}}},
			[]string{`Destinations[1]: got "us-west-2"; expected each destination once per rule`}},
		{"bad filter and bad account", []registry.ReplicationRule{{Destinations: []replication.Destination{{Region: "us-west-2", Account: "12"}}, RepositoryPrefixes: []string{"Bad Prefix"}}},
			[]string{`Account: got "12"`, `"Bad Prefix"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := newStack(awscdk.NewApp(nil), "Stack", "123456789012", "us-east-1")
			cfntest.ExpectPanic(t, func() {
				registry.NewReplication(stack, "Replication", &registry.ReplicationProps{Rules: tt.rules})
			}, tt.fragments...)
		})
	}
	t.Run("cross-account replication to the same region is allowed", func(t *testing.T) {
		stack := newStack(awscdk.NewApp(nil), "Stack", "123456789012", "us-east-1")
		cfntest.ExpectOK(t, func() {
			registry.NewReplication(stack, "Replication", &registry.ReplicationProps{Rules: []registry.ReplicationRule{
				{Destinations: []replication.Destination{{Region: "us-east-1", Account: "210987654321"}}},
			}})
		})
	})
	t.Run("25 unique destinations are allowed", func(t *testing.T) {
		stack := newStack(awscdk.NewApp(nil), "Stack", "123456789012", "us-east-1")
		cfntest.ExpectOK(t, func() {
			registry.NewReplication(stack, "Replication", &registry.ReplicationProps{Rules: []registry.ReplicationRule{
				{Destinations: destinations(25, "")},
			}})
		})
	})
}

// synthErrors synthesizes app and returns the validation error, or "".
func synthErrors(app awscdk.App) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	app.Synth(nil)
	return ""
}

func TestRegistrySingletons(t *testing.T) {
	rule := []registry.ReplicationRule{{Destinations: []replication.Destination{{Region: "us-west-2"}}, RepositoryPrefixes: []string{"team/"}}}
	t.Run("two replication configurations for one registry fail synthesis", func(t *testing.T) {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
		registry.NewReplication(newStack(app, "A", "123456789012", "us-east-1"), "Replication", &registry.ReplicationProps{Rules: rule})
		registry.NewReplication(newStack(app, "B", "123456789012", "us-east-1"), "Replication", &registry.ReplicationProps{Rules: rule})
		msg := synthErrors(app)
		for _, want := range []string{"registry 123456789012/us-east-1 already has a replication configuration", "B/Replication/Resource", "A/Replication/Resource"} {
			if !strings.Contains(msg, want) {
				t.Errorf("synth error %q lacks %q", msg, want)
			}
		}
	})
	t.Run("two environment-agnostic-account stacks in one region are the same registry", func(t *testing.T) {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
		registry.NewReplication(newStack(app, "A", "", "us-east-1"), "Replication", &registry.ReplicationProps{Rules: rule})
		registry.NewReplication(newStack(app, "B", "", "us-east-1"), "Replication", &registry.ReplicationProps{Rules: rule})
		if msg := synthErrors(app); !strings.Contains(msg, "(deploy-time account)/us-east-1 already has a replication configuration") {
			t.Errorf("synth error = %q", msg)
		}
	})
	t.Run("configurations of different regions or accounts coexist", func(t *testing.T) {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
		registry.NewReplication(newStack(app, "A", "123456789012", "us-east-1"), "Replication", &registry.ReplicationProps{Rules: rule})
		registry.NewReplication(newStack(app, "B", "123456789012", "eu-west-1"), "Replication", &registry.ReplicationProps{Rules: rule})
		registry.NewReplication(newStack(app, "C", "210987654321", "us-east-1"), "Replication", &registry.ReplicationProps{Rules: rule})
		if msg := synthErrors(app); msg != "" {
			t.Errorf("unexpected synth error %q", msg)
		}
	})
	t.Run("two registry policies for one registry fail synthesis", func(t *testing.T) {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
		props := &registry.DestinationRegistryPolicyProps{SourceAccounts: []string{"111111111111"}, RepositoryPrefix: "team"}
		registry.NewDestinationRegistryPolicy(newStack(app, "A", "222222222222", "us-west-2"), "Policy", props)
		registry.NewDestinationRegistryPolicy(newStack(app, "B", "222222222222", "us-west-2"), "Policy", props)
		if msg := synthErrors(app); !strings.Contains(msg, "222222222222/us-west-2 already has a registry policy") {
			t.Errorf("synth error = %q", msg)
		}
	})
}

func TestCreationTemplate(t *testing.T) {
	t.Run("defaults: replication only, mutable, AES256, untagged-only lifecycle, no role", func(t *testing.T) {
		stack := newStack(awscdk.NewApp(nil), "Stack", "123456789012", "us-west-2")
		tpl := registry.NewCreationTemplate(stack, "Template", &registry.CreationTemplateProps{Prefix: "team"})
		doc := cfntest.FromValue(assertions.Template_FromStack(stack, nil).ToJSON())
		p := doc.Resources("AWS::ECR::RepositoryCreationTemplate")[0].Properties
		want := defaultLifecycleJSON
		if p["Prefix"] != "team" || cfntest.JSON(p["AppliedFor"]) != `["REPLICATION"]` || p["ImageTagMutability"] != "MUTABLE" ||
			cfntest.JSON(p["EncryptionConfiguration"]) != `{"EncryptionType":"AES256"}` || p["LifecyclePolicy"] != want || p["CustomRoleArn"] != nil {
			t.Errorf("template properties = %s", cfntest.JSON(p))
		}
		if tpl.Role() != nil || len(doc.Resources("AWS::IAM::Role")) != 0 {
			t.Error("a role was created without a key")
		}
	})
	t.Run("rejects a prefix with a trailing slash and unknown AppliedFor values", func(t *testing.T) {
		stack := newStack(awscdk.NewApp(nil), "Stack", "123456789012", "us-west-2")
		cfntest.ExpectPanic(t, func() {
			registry.NewCreationTemplate(stack, "Template", &registry.CreationTemplateProps{Prefix: "team/", AppliedFor: []string{"ON_TUESDAYS"}})
		}, `Prefix: got "team/"`, `AppliedFor[0]: got "ON_TUESDAYS"`)
	})
}

// TestRepositoriesAreIRepositories: an owned and an imported replicated repository can be
// handed to any API that takes an awsecr.IRepository, and replicas made from Settings match.
func TestRepositoriesAreIRepositories(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := newStack(app, "Stack", "123456789012", "us-east-1")
	mutable := registry.RepositorySettings{ImageTagMutability: replication.Mutable}
	owned := registry.NewReplicatedRepository(stack, "Owned", &registry.ReplicatedRepositoryProps{RepositoryName: "team/owned", RepositorySettings: mutable})
	imported := registry.ImportReplicatedRepository(stack, "Imported", &registry.ImportedRepositoryProps{RepositoryName: "team/imported", RepositorySettings: mutable})
	role := awsiam.NewRole(stack, jsii.String("Reader"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	cfntest.ExpectOK(t, func() {
		for _, repo := range []awsecr.IRepository{owned, imported} {
			repo.GrantPull(role)
			awscdk.Tags_Of(repo).Add(jsii.String("Team"), jsii.String("platform"), nil)
			awscdk.NewCfnOutput(stack, jsii.String(*repo.Node().Id()+"Uri"), &awscdk.CfnOutputProps{Value: repo.RepositoryUri()})
		}
		registry.GrantPullFromReplicas(role, []string{"team/owned"}, []replication.Destination{{Region: "eu-west-1"}, {Region: "ap-southeast-2", Account: "123456789012"}})
	})
	doc := cfntest.FromValue(assertions.Template_FromStack(stack, nil).ToJSON())
	t.Run("the owned repository keeps its logical id path and its settings", func(t *testing.T) {
		repos := doc.Resources("AWS::ECR::Repository")
		if len(repos) != 1 {
			t.Fatalf("%d repositories; want 1 (the imported one creates nothing)", len(repos))
		}
		if got := cfntest.JSON(repos[0].Properties["ImageTagMutability"]); got != `"MUTABLE"` {
			t.Errorf("ImageTagMutability = %s", got)
		}
		if *owned.Node().Path() != "Stack/Owned/Resource" {
			t.Errorf("path %s; want Stack/Owned/Resource", *owned.Node().Path())
		}
		if got := owned.ReplicaProps(); got.RepositoryName != "team/owned" || got.ImageTagMutability != replication.Mutable || got.LifecyclePolicy == nil {
			t.Errorf("ReplicaProps = %+v; want the source's name and settings with defaults filled in", got)
		}
		if imported.Settings().ImageTagMutability != replication.Mutable || *imported.Settings().ImageScanOnPush != true {
			t.Errorf("imported Settings = %+v", imported.Settings())
		}
	})
	t.Run("grants reach the role's policy, the replicas by ARN", func(t *testing.T) {
		policy := cfntest.JSON(doc.Resources("AWS::IAM::Policy")[0].Properties["PolicyDocument"])
		for _, want := range []string{"repository/team/imported", `"Sid":"PullFromReplicas"`, ":ecr:eu-west-1:123456789012:repository/team/owned", ":ecr:ap-southeast-2:123456789012:repository/team/owned"} {
			if !strings.Contains(policy, want) {
				t.Errorf("role policy lacks %s:\n%s", want, policy)
			}
		}
	})
	t.Run("bad import props are refused with the construct path", func(t *testing.T) {
		cfntest.ExpectPanic(t, func() {
			registry.ImportReplicatedRepository(stack, "Bad", &registry.ImportedRepositoryProps{RepositoryName: "Bad Name"})
		}, "ImportReplicatedRepository Stack/Bad: invalid props", `RepositoryName: got "Bad Name"`)
	})
}
