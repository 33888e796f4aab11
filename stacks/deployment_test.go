package stacks_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/replication"
	"github.com/acme-platform/ecr-replication/stacks"
)

const (
	prodAcct    = "111111111111"
	replicaAcct = "222222222222"
	stagingAcct = "333333333333"
	ciAcct      = "444444444444"
	ciArn       = "arn:aws:iam::444444444444:role/ci"
)

// deployments is one synthesized app with two deployments: "prod" (KMS, source 111111111111 in
// us-east-1, destinations us-west-2 in the same account and eu-west-1 in 222222222222) and
// "staging" (333333333333); a task role created in prod's source stack is granted pull, an
// imported CI role of 444444444444 push.
type deployments struct {
	templates map[string]cfntest.Template
	taskTag   string
	pull      awsiam.Grant
	names     []string
}

func synthDeployments(t *testing.T) *deployments {
	t.Helper()
	app := awscdk.NewApp(nil)
	f := &deployments{templates: map[string]cfntest.Template{}}
	cfntest.ExpectOK(t, func() {
		prod := stacks.NewDeployment(app, "prod", &stacks.DeploymentProps{
			Common: stacks.Common{
				RepositoryPrefix: "payments",
				Repositories:     []stacks.Repository{{Name: "payments/api"}, {Name: "payments/jobs", TagMutability: replication.Mutable}},
				KMS:              true,
			},
			SourceRegion: "us-east-1", SourceAccount: prodAcct,
			Destinations: []replication.Destination{{Region: "us-west-2"}, {Region: "eu-west-1", Account: replicaAcct}},
		})
		// Staging is a sandbox: deleted by cdk destroy, but the registry settings stay.
		staging := stacks.NewDeployment(app, "staging", &stacks.DeploymentProps{
			Common: stacks.Common{
				RepositoryPrefix: "payments", Repositories: []stacks.Repository{{Name: "payments/api"}},
				KMS: true, EnhancedScanning: true, Signing: &stacks.SigningOptions{},
				DeleteOnDestroy: true, RegistrySettingsRemovalPolicy: awscdk.RemovalPolicy_RETAIN,
			},
			SourceRegion: "us-east-1", SourceAccount: stagingAcct,
			Destinations: []replication.Destination{{Region: "us-west-2"}},
		})
		// The source stack is a scope like any stack.
		task := awsiam.NewRole(prod.Source, jsii.String("TaskRole"), &awsiam.RoleProps{
			AssumedBy: awsiam.NewServicePrincipal(jsii.String("ecs-tasks.amazonaws.com"), nil),
		})
		f.pull = prod.GrantPull(task)
		prod.GrantPullPush(awsiam.Role_FromRoleArn(prod.Source, jsii.String("CI"), jsii.String(ciArn), nil))
		f.taskTag = *prod.Source.StackName() + "_" + *task.Node().Addr()
		if prod.Replica("eu-west-1") == nil || prod.Replica("ap-south-1") != nil || prod.ID() != "prod" {
			t.Error("Replica(region) or ID() does not find the deployment's stacks")
		}
		asm := app.Synth(nil)
		for _, d := range []*stacks.Deployment{prod, staging} {
			for _, s := range d.Stacks() {
				f.names = append(f.names, *s.StackName())
				f.templates[*s.StackName()] = cfntest.FromValue(asm.GetStackByName(s.StackName()).Template())
			}
		}
	})
	if len(f.templates) != 5 {
		t.Fatalf("synthesized %d stacks; want 5", len(f.templates))
	}
	return f
}

func TestDeployments(t *testing.T) {
	f := synthDeployments(t)
	source, cross, same := f.templates["prod-source-us-east-1"], f.templates["prod-replica-eu-west-1"], f.templates["prod-replica-us-west-2"]
	t.Run("two deployments fit in one app, each stack named by its deployment's id", func(t *testing.T) {
		want := "prod-source-us-east-1 prod-replica-us-west-2 prod-replica-eu-west-1 staging-source-us-east-1 staging-replica-us-west-2"
		if got := strings.Join(f.names, " "); got != want {
			t.Errorf("stacks %s; want %s", got, want)
		}
	})
	t.Run("a role created with the source stack as scope lives in it", func(t *testing.T) {
		found := false
		for _, r := range source.Resources("AWS::IAM::Role") {
			found = found || strings.Contains(cfntest.JSON(r.Properties["AssumeRolePolicyDocument"]), "ecs-tasks.amazonaws.com")
		}
		if !found {
			t.Error("the task role is not in the source stack's template")
		}
	})
	t.Run("GrantPull: identity policy in every region, and the other account's replicas and template admit the role", func(t *testing.T) {
		if !*f.pull.Success() {
			t.Error("GrantPull did not succeed")
		}
		var identity string
		for _, p := range source.Resources("AWS::IAM::Policy") {
			if doc := cfntest.JSON(p.Properties["PolicyDocument"]); strings.Contains(doc, `"Sid":"ProdPull"`) {
				identity = doc
			}
		}
		for _, region := range []string{"us-east-1:111111111111", "us-west-2:111111111111", "eu-west-1:222222222222"} {
			if !strings.Contains(identity, ":ecr:"+region+":repository/payments/*") {
				t.Errorf("the task role's policy lacks %s:\n%s", region, identity)
			}
		}
		admit := `"Condition":{"StringEquals":{"aws:PrincipalTag/aws-cdk:id":"` + f.taskTag + `"}},"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"}`
		for _, r := range cross.Resources("AWS::ECR::Repository") {
			if p := cfntest.JSON(r.Properties["RepositoryPolicyText"]); !strings.Contains(p, admit) || !strings.Contains(p, `"aws:PrincipalArn":"arn:aws:iam::111111111111:role/payments-us-east-1-ecr-pull"`) {
				t.Errorf("%s's policy does not admit the task role and the deploy role:\n%s", r.Properties["RepositoryName"], p)
			}
		}
		tp, _ := cross.Resources("AWS::ECR::RepositoryCreationTemplate")[0].Properties["RepositoryPolicy"].(string)
		if !strings.Contains(tp, strings.ReplaceAll(admit, `"`, `"`)) {
			t.Errorf("the creation template's policy does not admit the task role:\n%s", tp)
		}
		for _, r := range same.Resources("AWS::ECR::Repository") {
			if p := r.Properties["RepositoryPolicyText"]; p != nil {
				t.Errorf("a replica in the grantee's account has a policy: %s", cfntest.JSON(p))
			}
		}
	})
	t.Run("GrantPullPush: the source repositories admit a CI role of another account by its ARN, push included", func(t *testing.T) {
		for _, r := range source.Resources("AWS::ECR::Repository") {
			p := cfntest.JSON(r.Properties["RepositoryPolicyText"])
			if !strings.Contains(p, `"aws:PrincipalArn":"`+ciArn+`"`) || !strings.Contains(p, `"ecr:PutImage"`) {
				t.Errorf("%s does not admit the CI role to push:\n%s", r.Properties["RepositoryName"], p)
			}
		}
		for _, r := range cross.Resources("AWS::ECR::Repository") {
			if strings.Contains(cfntest.JSON(r.Properties["RepositoryPolicyText"]), ciArn) {
				t.Error("a replica admits the CI role: replicas are written by replication only")
			}
		}
	})
	t.Run("cross-account and KMS: registry policy and key for the source account in the other account only", func(t *testing.T) {
		if n := len(cross.Resources("AWS::ECR::RegistryPolicy")); n != 1 {
			t.Errorf("%d registry policies in the other account; want 1", n)
		}
		if n := len(same.Resources("AWS::ECR::RegistryPolicy")); n != 0 {
			t.Errorf("%d registry policies in the source account's replica stack; want 0", n)
		}
		var key string
		for _, k := range cross.Resources("AWS::KMS::Key") {
			if p := cfntest.JSON(k.Properties["KeyPolicy"]); strings.Contains(p, "AllowUseThroughEcr") {
				key = p
			}
		}
		if !strings.Contains(key, `"kms:CallerAccount":["222222222222"]`) || !strings.Contains(key, `"kms:ViaService":"ecr.eu-west-1.amazonaws.com"`) {
			t.Errorf("the replica key does not admit ECR for its own account alone:\n%s", key)
		}
		for name, tmpl := range map[string]cfntest.Template{"source": source, "cross": cross, "same": same} {
			for _, r := range tmpl.Resources("AWS::ECR::Repository") {
				if enc := cfntest.JSON(r.Properties["EncryptionConfiguration"]); !strings.Contains(enc, `"EncryptionType":"KMS"`) {
					t.Errorf("%s %s encryption = %s; want KMS", name, r.Properties["RepositoryName"], enc)
				}
			}
		}
		if tpl := cfntest.JSON(cross.Resources("AWS::ECR::RepositoryCreationTemplate")[0].Properties); !strings.Contains(tpl, `"CustomRoleArn"`) {
			t.Errorf("the KMS creation template has no custom role: %s", tpl)
		}
	})
}

func TestTeardownAndRegistrySettings(t *testing.T) {
	f := synthDeployments(t)
	for _, name := range []string{"staging-source-us-east-1", "staging-replica-us-west-2"} {
		tmpl := f.templates[name]
		for _, typ := range []string{"AWS::ECR::Repository", "AWS::KMS::Key"} {
			for _, r := range tmpl.Resources(typ) {
				if typ == "AWS::KMS::Key" && !strings.Contains(cfntest.JSON(r.Properties["KeyPolicy"]), "AllowUseThroughEcr") {
					continue // the topics' key (monitoring)
				}
				if r.Raw["DeletionPolicy"] != "Delete" || r.Raw["UpdateReplacePolicy"] != "Delete" {
					t.Errorf("%s %s %s: policies %v/%v; want Delete (DeleteOnDestroy)", name, typ, r.LogicalID, r.Raw["DeletionPolicy"], r.Raw["UpdateReplacePolicy"])
				}
				if typ == "AWS::ECR::Repository" && r.Properties["EmptyOnDelete"] != true {
					t.Errorf("%s %s: EmptyOnDelete = %v; want true", name, r.LogicalID, r.Properties["EmptyOnDelete"])
				}
				if typ == "AWS::KMS::Key" && r.Properties["PendingWindowInDays"] != 7.0 {
					t.Errorf("%s key %s: PendingWindowInDays = %v; want 7", name, r.LogicalID, r.Properties["PendingWindowInDays"])
				}
			}
		}
		for _, typ := range []string{"AWS::ECR::ReplicationConfiguration", "AWS::ECR::RegistryScanningConfiguration", "AWS::ECR::SigningConfiguration"} {
			for _, r := range tmpl.Resources(typ) {
				if r.Raw["DeletionPolicy"] != "Retain" {
					t.Errorf("%s %s: DeletionPolicy %v; want Retain", name, typ, r.Raw["DeletionPolicy"])
				}
			}
		}
	}
	for _, r := range f.templates["prod-source-us-east-1"].Resources("AWS::ECR::ReplicationConfiguration") {
		if _, ok := r.Raw["DeletionPolicy"]; ok {
			t.Errorf("prod's replication configuration has DeletionPolicy %v; want none (the default)", r.Raw["DeletionPolicy"])
		}
	}
}

func TestDeploymentRefusals(t *testing.T) {
	app := awscdk.NewApp(nil)
	err := func(f func()) (e *checks.Error) {
		defer func() {
			if r, ok := recover().(error); ok {
				errors.As(r, &e)
			}
		}()
		f()
		return nil
	}
	bad := err(func() {
		stacks.NewDeployment(app, "9-lives", &stacks.DeploymentProps{SourceRegion: "us-east-1", Destinations: []replication.Destination{{Region: "us-west-2"}}})
	})
	if bad == nil || bad.Kind != "Deployment" || !strings.Contains(bad.Error(), `id: got "9-lives"; expected a letter, then up to 63 letters, digits and hyphens`) {
		t.Errorf("a bad id: %v", bad)
	}
	d := stacks.NewDeployment(app, "agnostic", &stacks.DeploymentProps{
		Common:       stacks.Common{RepositoryPrefix: "team", Repositories: []stacks.Repository{{Name: "team/api"}}},
		SourceRegion: "us-east-1", Destinations: []replication.Destination{{Region: "us-west-2"}},
	})
	service := awsiam.NewRole(awscdk.NewStack(app, jsii.String("Other"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(replicaAcct), Region: jsii.String("us-east-1")}}),
		jsii.String("Other"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	void := err(func() { d.GrantPull(service) })
	if void == nil || !strings.Contains(void.Error(), "is in the deploy-time account") || !strings.Contains(void.Error(), "give its stack an account") {
		t.Errorf("a grant that cannot reach an environment-agnostic deployment: %v; want a refusal saying what to do", void)
	}
}
