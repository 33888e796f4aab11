package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/jsiitest"
	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/policy"
	"github.com/acme-platform/ecr-replication/replication"
	"github.com/acme-platform/ecr-replication/stacks"
)

func TestMain(m *testing.M) { jsiitest.Main(m) }

// fixture is one synthesized deployment, shared by every subtest that reads it.
type fixture struct {
	cfg        *config.Config
	deployment *stacks.Deployment
	// templates by stack name, decoded once.
	templates map[string]cfntest.Template
	// regions by stack name.
	regions map[string]string
	// nag holds the unsuppressed cdk-nag AwsSolutions errors and warnings, by stack name.
	nag map[string][]string
}

func (f *fixture) source() cfntest.Template {
	return f.templates[replication.SourceStackName(replication.DefaultDeploymentID, f.cfg.SourceRegion)]
}

func (f *fixture) replica(region string) cfntest.Template {
	return f.templates[replication.ReplicaStackName(replication.DefaultDeploymentID, region)]
}

var fixtures = map[string]*fixture{}

// Context variants exercised by the app tests (and linted by cfn-lint).
var variants = map[string]map[string]any{
	"default": {},
	"cross-account": {
		"sourceAccount":      "111111111111",
		"destinationAccount": "222222222222",
		"pullAccounts":       "333333333333,444444444444",
		"organizationId":     "o-a1b2c3d4e5",
		"lifecycleTrail":     "true",
	},
	"extra-regions": {
		"sourceAccount":     "111111111111",
		"additionalRegions": "ap-southeast-2,ca-central-1",
	},
	"many-repositories": {
		"productionRepositories": "api,web,worker,billing/api,billing/worker,search,auth,payments,ledger,reports",
		"testingRepositories":    "sandbox,load-test,canary,preview,qa",
	},
	"email": {
		"alertEmail":                  "platform-oncall@example.com",
		"replicationFailureThreshold": "25",
		"replicationMinimumAttempts":  "1",
		"replicationWindowMinutes":    "15",
	},
	// The largest values every key accepts, together.
	"limits-max": {
		"repoPrefix":                     "platform.core/team_alpha-beta/" + strings.Repeat("a1234567890", 8),
		"productionRepositories":         "svc/api-gateway.v2,worker",
		"testingRepositories":            "sandbox_one",
		"additionalRegions":              "ap-southeast-2,ca-central-1,sa-east-1,eu-north-1,ap-northeast-1",
		"productionImageCount":           "10000",
		"productionTagPrefixes":          strings.Join(numbered("p", 49), ","),
		"untaggedExpiryDays":             "3650",
		"testingImageCount":              "10000",
		"testingTagPrefixes":             strings.Join(numbered("t", 48), ","),
		"testingMaxAgeDays":              "3650",
		"sourceAccount":                  "111111111111",
		"destinationAccount":             "222222222222",
		"pullAccounts":                   "333333333333,444444444444,555555555555",
		"organizationId":                 "o-" + strings.Repeat("z9", 16),
		"encryption":                     "KMS",
		"alertEmail":                     "oncall+ecr@platform.example.com",
		"replicationFailureThreshold":    "99.9",
		"replicationMinimumAttempts":     "100000",
		"replicationWindowMinutes":       "1440",
		"anomalyStdDevs":                 "10",
		"enhancedScanning":               "true",
		"storageScheduleMinutes":         "1440",
		"storageRepositoryMetrics":       "svc/api-gateway.v2,worker,sandbox_one",
		"storageGrowthAlarmGiB":          "1000000",
		"replicationLatencyAlarmMinutes": "1440",
		"lifecycleTrail":                 "true",
	},
	// The smallest values every key accepts, together.
	"limits-min": {
		"repoPrefix":                     "ab",
		"secondaryRegion":                "none",
		"productionRepositories":         "none",
		"testingRepositories":            "t",
		"testingImageCount":              "1",
		"testingTagPrefixes":             "x",
		"testingMaxAgeDays":              "1",
		"replicationFailureThreshold":    "0.5",
		"replicationMinimumAttempts":     "1",
		"replicationWindowMinutes":       "5",
		"activityAlarms":                 "false",
		"anomalyStdDevs":                 "1",
		"storageScheduleMinutes":         "5",
		"storageGrowthAlarmGiB":          "0.001",
		"replicationLatencyAlarmMinutes": "1",
	},
	// A destination in an account of its own (region@account), the others in the source account.
	"per-destination-account": {
		"sourceAccount":     "111111111111",
		"additionalRegions": "ap-southeast-2@333333333333",
		"encryption":        "KMS",
	},
	// Storage and latency measurement switched off.
	"no-measurements": {
		"storageMetrics":     "false",
		"replicationLatency": "false",
	},
	// A sandbox with the autumn-2026 features: deleted by cdk destroy (repositories and their
	// keys), the registry settings retained, managed signing, delete replication, and roles
	// assumed by a CI service's OIDC identities and another account's role.
	"sandbox": {
		"sourceAccount":             "111111111111",
		"encryption":                "KMS",
		"deleteOnDestroy":           "true",
		"deleteProductionOnDestroy": "true",
		"registrySettingsOnDestroy": "retain",
		"signing":                   "true",
		"deleteReplication":         "true",
		"ciRoleTrust":               "oidc:token.actions.githubusercontent.com:repo:acme/app:ref:refs/heads/main",
		"deployRoleTrust":           "111111111111,arn:aws:iam::333333333333:role/deployer",
	},
	// Several teams, one registry: three namespaces (testdata/fleet/namespaces.yaml), each with
	// its own destinations, one of them in another account, with KMS.
	"namespaces": {
		"repositoriesFile": "testdata/fleet/namespaces.yaml",
		"sourceAccount":    "111111111111",
		"encryption":       "KMS",
	},
	// KMS without a known account: every ARN names <AWS::AccountId> (cdk-nag's suppressions
	// must match that too).
	"kms-no-account": {
		"encryption": "KMS",
	},
	// Every AWS Control Tower proactive control the app can pass (controltower_test.go: none
	// fails), across accounts, with KMS, scanning and storage and latency measurement.
	"control-tower": {
		"sourceAccount":      "111111111111",
		"destinationAccount": "222222222222",
		"encryption":         "KMS",
		"enhancedScanning":   "true",
		"alertEmail":         "platform-oncall@example.com",
		"controlTower":       "true",
	},
	"kms": {
		"sourceAccount":      "111111111111",
		"destinationAccount": "222222222222",
		"encryption":         "KMS",
		"enhancedScanning":   "true",
	},
}

// numbered returns n tag prefixes that are not prefixes of one another: p01, p02, ...
func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i+1)
	}
	return out
}

// featureFlags returns the context of cdk.json: the app's defaults and CDK feature flags, so
// tests synthesize with the same flags as `cdk synth`.
func featureFlags(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("cdk.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Context
}

// synth builds and synthesizes a variant once; later calls return the same fixture.
func synth(t *testing.T, variant string) *fixture {
	t.Helper()
	if f, ok := fixtures[variant]; ok {
		return f
	}
	ctx := featureFlags(t)
	for k, v := range variants[variant] {
		ctx[k] = v
	}
	cfg, err := config.Parse(ctx, config.Env{})
	if err != nil {
		t.Fatalf("variant %s: %v", variant, err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(t.TempDir())})
	d := build(app, cfg)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	f := &fixture{cfg: cfg, deployment: d, templates: map[string]cfntest.Template{}, regions: map[string]string{}, nag: map[string][]string{}}
	for _, s := range d.Stacks() {
		var tmpl assertions.Template
		func() {
			// cdk-nag errors fail synthesis: report them instead of crashing the run.
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("variant %s: synthesis failed: %v", variant, r)
				}
			}()
			tmpl = assertions.Template_FromStack(s, nil)
		}()
		name := *s.StackName()
		f.templates[name] = cfntest.FromValue(tmpl.ToJSON())
		f.regions[name] = *s.Region()
		for _, m := range jsiitest.Messages(s, "AwsSolutions-") {
			f.nag[name] = append(f.nag[name], fmt.Sprintf("%s: %v", *m.Id, m.Entry.Data))
		}
	}
	fixtures[variant] = f
	return f
}

func statementsOf(policy any) []map[string]any {
	doc, _ := policy.(map[string]any)
	list, _ := doc["Statement"].([]any)
	var out []map[string]any
	for _, s := range list {
		m, _ := s.(map[string]any)
		out = append(out, m)
	}
	return out
}

func actionsOf(stmt map[string]any) []string {
	switch a := stmt["Action"].(type) {
	case string:
		return []string{a}
	case []any:
		var out []string
		for _, x := range a {
			out = append(out, x.(string))
		}
		sort.Strings(out)
		return out
	}
	return nil
}

func repositoryByName(tmpl cfntest.Template, name string) (cfntest.Resource, bool) {
	for _, r := range tmpl.Resources("AWS::ECR::Repository") {
		if r.Properties["RepositoryName"] == name {
			return r, true
		}
	}
	return cfntest.Resource{}, false
}

func TestDefaultDeployment(t *testing.T) {
	f := synth(t, "default")
	src := f.source()

	t.Run("synthesizes a source stack and one replica stack per destination region", func(t *testing.T) {
		var got []string
		for name := range f.templates {
			got = append(got, name+"@"+f.regions[name])
		}
		sort.Strings(got)
		want := []string{
			"ecr-replication-replica-eu-west-1@eu-west-1",
			"ecr-replication-replica-us-west-2@us-west-2",
			"ecr-replication-source-us-east-1@us-east-1",
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("stacks = %v; want %v", got, want)
		}
	})

	t.Run("replicates every destination region with one prefix filter ending in a slash", func(t *testing.T) {
		confs := src.Resources("AWS::ECR::ReplicationConfiguration")
		if len(confs) != 1 {
			t.Fatalf("replication configurations = %d; want 1", len(confs))
		}
		rules := confs[0].Properties["ReplicationConfiguration"].(map[string]any)["Rules"].([]any)
		if len(rules) != 1 {
			t.Fatalf("rules = %d; want 1", len(rules))
		}
		rule := rules[0].(map[string]any)
		want := `[{"Region":"us-west-2","RegistryId":{"Ref":"AWS::AccountId"}},{"Region":"eu-west-1","RegistryId":{"Ref":"AWS::AccountId"}}]`
		if got := cfntest.JSON(rule["Destinations"]); got != want {
			t.Errorf("destinations = %s; want %s", got, want)
		}
		if got, want := cfntest.JSON(rule["RepositoryFilters"]), `[{"Filter":"enterprise-apps/","FilterType":"PREFIX_MATCH"}]`; got != want {
			t.Errorf("filters = %s; want %s", got, want)
		}
		for name, tmpl := range f.templates {
			if name != replication.SourceStackName(replication.DefaultDeploymentID, "us-east-1") && len(tmpl.Resources("AWS::ECR::ReplicationConfiguration")) != 0 {
				t.Errorf("%s holds a replication configuration; only the source stack may", name)
			}
		}
	})

	t.Run("production is immutable and testing mutable, scanned on push, AES256, in every region", func(t *testing.T) {
		for name, tmpl := range f.templates {
			for repo, want := range map[string]string{"enterprise-apps/production": "IMMUTABLE", "enterprise-apps/testing": "MUTABLE"} {
				r, ok := repositoryByName(tmpl, repo)
				if !ok {
					t.Errorf("%s: no repository %s", name, repo)
					continue
				}
				if got := r.Properties["ImageTagMutability"]; got != want {
					t.Errorf("%s %s: ImageTagMutability = %v; want %s", name, repo, got, want)
				}
				if got := cfntest.JSON(r.Properties["ImageScanningConfiguration"]); got != `{"ScanOnPush":true}` {
					t.Errorf("%s %s: ImageScanningConfiguration = %s", name, repo, got)
				}
				if got := cfntest.JSON(r.Properties["EncryptionConfiguration"]); got != `{"EncryptionType":"AES256"}` {
					t.Errorf("%s %s: EncryptionConfiguration = %s", name, repo, got)
				}
			}
		}
	})

	t.Run("every repository is retained on stack deletion and replacement", func(t *testing.T) {
		for name, tmpl := range f.templates {
			for _, r := range tmpl.Resources("AWS::ECR::Repository") {
				if r.Raw["DeletionPolicy"] != "Retain" || r.Raw["UpdateReplacePolicy"] != "Retain" {
					t.Errorf("%s %s: DeletionPolicy %v, UpdateReplacePolicy %v; want Retain, Retain",
						name, r.LogicalID, r.Raw["DeletionPolicy"], r.Raw["UpdateReplacePolicy"])
				}
				if _, ok := r.Properties["EmptyOnDelete"]; ok {
					t.Errorf("%s %s: EmptyOnDelete set; images must survive cdk destroy", name, r.LogicalID)
				}
			}
		}
	})

	t.Run("replicas carry exactly the source's lifecycle policy", func(t *testing.T) {
		for _, repo := range []string{"enterprise-apps/production", "enterprise-apps/testing"} {
			s, _ := repositoryByName(src, repo)
			want := cfntest.JSON(s.Properties["LifecyclePolicy"])
			for _, region := range f.cfg.DestinationRegions {
				r, _ := repositoryByName(f.replica(region), repo)
				if got := cfntest.JSON(r.Properties["LifecyclePolicy"]); got != want {
					t.Errorf("%s in %s: lifecycle %s; want the source's %s", repo, region, got, want)
				}
			}
		}
	})

	t.Run("each replica stack has a creation template for the prefix applied for replication", func(t *testing.T) {
		for _, region := range f.cfg.DestinationRegions {
			tpls := f.replica(region).Resources("AWS::ECR::RepositoryCreationTemplate")
			if len(tpls) != 1 {
				t.Fatalf("%s: creation templates = %d; want 1", region, len(tpls))
			}
			p := tpls[0].Properties
			if p["Prefix"] != "enterprise-apps" || cfntest.JSON(p["AppliedFor"]) != `["REPLICATION"]` {
				t.Errorf("%s: template prefix %v applied for %v", region, p["Prefix"], p["AppliedFor"])
			}
			var policy lifecycle.Policy
			var err error
			if policy, err = lifecycle.Parse([]byte(p["LifecyclePolicy"].(string))); err != nil {
				t.Fatalf("%s: template lifecycle policy does not parse: %v", region, err)
			}
			for _, rule := range policy.Rules {
				if rule.Selection.TagStatus != lifecycle.TagStatusUntagged {
					t.Errorf("%s: template rule %d touches %s images; repositories created later must only lose untagged images", region, rule.RulePriority, rule.Selection.TagStatus)
				}
			}
		}
	})

	t.Run("same-account replication needs no registry policy", func(t *testing.T) {
		for name, tmpl := range f.templates {
			if n := len(tmpl.Resources("AWS::ECR::RegistryPolicy")); n != 0 {
				t.Errorf("%s: %d registry policies; want none in same-account mode", name, n)
			}
		}
	})

	t.Run("no Lambda and no custom resource anywhere", func(t *testing.T) {
		for name, tmpl := range f.templates {
			for _, r := range tmpl.Resources("") {
				if r.Type == "AWS::Lambda::Function" || strings.HasPrefix(r.Type, "Custom::") || r.Type == "AWS::CloudFormation::CustomResource" {
					t.Errorf("%s: %s is a %s", name, r.LogicalID, r.Type)
				}
			}
		}
	})

	t.Run("the source stack deploys after every replica stack", func(t *testing.T) {
		deps := map[string]bool{}
		for _, d := range *f.deployment.Source.Dependencies() {
			deps[*d.StackName()] = true
		}
		for _, region := range f.cfg.DestinationRegions {
			if !deps[replication.ReplicaStackName(replication.DefaultDeploymentID, region)] {
				t.Errorf("source stack does not depend on %s", replication.ReplicaStackName(replication.DefaultDeploymentID, region))
			}
		}
	})

	t.Run("outputs repository URIs, role ARNs and docker login per region", func(t *testing.T) {
		for name, tmpl := range f.templates {
			outs := tmpl.Outputs()
			for _, id := range []string{"ProductionRepositoryUri", "TestingRepositoryUri", "DockerLoginCommand"} {
				if _, ok := outs[id]; !ok {
					t.Errorf("%s: no output %s (have %v)", name, id, keys(outs))
				}
			}
			login := cfntest.JSON(outs["DockerLoginCommand"]["Value"])
			if !strings.Contains(login, "get-login-password --region "+f.regions[name]) {
				t.Errorf("%s: docker login %s does not name its region", name, login)
			}
			for _, o := range outs {
				if _, ok := o["Export"]; ok {
					t.Errorf("%s exports an output; exports collide between deployments", name)
				}
			}
		}
		outs := src.Outputs()
		for _, id := range []string{"DeployRoleArn", "CIRoleArn"} {
			if _, ok := outs[id]; !ok {
				t.Errorf("source: no output %s", id)
			}
		}
	})
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// rolePolicies returns every statement of the inline policies attached to the role whose
// logical id starts with prefix.
func rolePolicies(tmpl cfntest.Template, rolePrefix string) []map[string]any {
	var out []map[string]any
	for _, p := range tmpl.Resources("AWS::IAM::Policy") {
		roles := cfntest.JSON(p.Properties["Roles"])
		if strings.Contains(roles, `"Ref":"`+rolePrefix) {
			out = append(out, statementsOf(p.Properties["PolicyDocument"])...)
		}
	}
	return out
}

func TestLeastPrivilegeRoles(t *testing.T) {
	for _, variant := range []string{"default", "cross-account"} {
		f := synth(t, variant)
		src := f.source()
		t.Run(variant+": the deploy role can pull but never push, delete or change policies", func(t *testing.T) {
			stmts := rolePolicies(src, "DeployRole")
			if len(stmts) == 0 {
				t.Fatal("deploy role has no policy")
			}
			allowed := map[string]bool{"ecr:GetAuthorizationToken": true, "ecr:BatchGetImage": true,
				"ecr:GetDownloadUrlForLayer": true, "ecr:BatchCheckLayerAvailability": true}
			pullsReplicas := map[string]bool{}
			for _, s := range stmts {
				for _, a := range actionsOf(s) {
					if !allowed[a] {
						t.Errorf("deploy role may %s", a)
					}
				}
				res := cfntest.JSON(s["Resource"])
				for _, region := range f.cfg.DestinationRegions {
					if strings.Contains(res, ":ecr:"+region+":") {
						pullsReplicas[region] = true
					}
				}
				if res == `"*"` && cfntest.JSON(actionsOf(s)) != `["ecr:GetAuthorizationToken"]` {
					t.Errorf("deploy role has %v on *", actionsOf(s))
				}
			}
			for _, region := range f.cfg.DestinationRegions {
				if !pullsReplicas[region] {
					t.Errorf("deploy role cannot pull the replicas in %s", region)
				}
			}
		})
		t.Run(variant+": the CI role can push to the source only and never delete or change policies", func(t *testing.T) {
			stmts := rolePolicies(src, "CIRole")
			pushes := false
			for _, s := range stmts {
				for _, a := range actionsOf(s) {
					if strings.HasPrefix(a, "ecr:Delete") || strings.HasPrefix(a, "ecr:BatchDelete") ||
						strings.HasPrefix(a, "ecr:Set") || strings.Contains(a, "Policy") || a == "ecr:*" {
						t.Errorf("CI role may %s", a)
					}
					if cfntest.JSON(s["Resource"]) == `"*"` && a != "ecr:GetAuthorizationToken" {
						t.Errorf("CI role has %s on *", a)
					}
					if a == "ecr:PutImage" {
						pushes = true
						if res := cfntest.JSON(s["Resource"]); strings.Contains(res, "us-west-2") || strings.Contains(res, "eu-west-1") {
							t.Errorf("CI role may push to replicas: %s", res)
						}
					}
				}
			}
			if !pushes {
				t.Error("CI role cannot push")
			}
		})
	}
}

func TestCrossAccountDeployment(t *testing.T) {
	f := synth(t, "cross-account")
	src := f.source()

	t.Run("replicates into the destination account", func(t *testing.T) {
		conf := src.Resources("AWS::ECR::ReplicationConfiguration")[0]
		dests := cfntest.JSON(conf.Properties["ReplicationConfiguration"].(map[string]any)["Rules"].([]any)[0].(map[string]any)["Destinations"])
		want := `[{"Region":"us-west-2","RegistryId":"222222222222"},{"Region":"eu-west-1","RegistryId":"222222222222"}]`
		if dests != want {
			t.Errorf("destinations = %s; want %s", dests, want)
		}
	})

	t.Run("stacks deploy to their accounts", func(t *testing.T) {
		if got := *f.deployment.Source.Account(); got != "111111111111" {
			t.Errorf("source account = %s", got)
		}
		for _, r := range f.deployment.Replicas {
			if got := *r.Account(); got != "222222222222" {
				t.Errorf("%s account = %s", *r.StackName(), got)
			}
		}
	})

	t.Run("each destination region has a registry policy letting the source replicate under the prefix", func(t *testing.T) {
		for _, region := range f.cfg.DestinationRegions {
			pols := f.replica(region).Resources("AWS::ECR::RegistryPolicy")
			if len(pols) != 1 {
				t.Fatalf("%s: registry policies = %d; want 1", region, len(pols))
			}
			stmts := statementsOf(pols[0].Properties["PolicyText"])
			if len(stmts) != 1 {
				t.Fatalf("%s: statements = %d", region, len(stmts))
			}
			s := stmts[0]
			if got := cfntest.JSON(actionsOf(s)); got != `["ecr:CreateRepository","ecr:ReplicateImage"]` {
				t.Errorf("%s: actions %s", region, got)
			}
			if got := cfntest.JSON(s["Principal"]); got != `{"AWS":"arn:aws:iam::111111111111:root"}` {
				t.Errorf("%s: principal %s", region, got)
			}
			res := cfntest.JSON(s["Resource"])
			if !strings.Contains(res, "repository/enterprise-apps/*") || !strings.Contains(res, region) {
				t.Errorf("%s: resource %s is not the prefix in this region", region, res)
			}
		}
	})

	t.Run("replica repository policies are read-only and let the source deploy role, pull accounts and the organization in", func(t *testing.T) {
		for _, region := range f.cfg.DestinationRegions {
			for _, repo := range []string{"enterprise-apps/production", "enterprise-apps/testing"} {
				r, _ := repositoryByName(f.replica(region), repo)
				stmts := statementsOf(r.Properties["RepositoryPolicyText"])
				sids := map[string]map[string]any{}
				for _, s := range stmts {
					sids[s["Sid"].(string)] = s
					if got := cfntest.JSON(actionsOf(s)); got != `["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]` {
						t.Errorf("%s %s %s: actions %s; want pull only", region, repo, s["Sid"], got)
					}
					if strings.Contains(cfntest.JSON(s["Principal"]), `"*"`) && s["Condition"] == nil {
						t.Errorf("%s %s %s: open principal without a condition", region, repo, s["Sid"])
					}
				}
				roleArn := "arn:aws:iam::111111111111:role/" + policy.RoleName("enterprise-apps", "us-east-1", "pull")
				if got := cfntest.JSON(sids["PullFromRoles"]["Condition"]); got != `{"ArnEquals":{"aws:PrincipalArn":"`+roleArn+`"}}` {
					t.Errorf("%s %s: role condition %s", region, repo, got)
				}
				if got := cfntest.JSON(sids["PullFromAccounts"]["Principal"]); got != `{"AWS":["arn:aws:iam::333333333333:root","arn:aws:iam::444444444444:root"]}` {
					t.Errorf("%s %s: pull accounts %s", region, repo, got)
				}
				if got := cfntest.JSON(sids["PullFromOrganization"]["Condition"]); got != `{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}` {
					t.Errorf("%s %s: organization condition %s", region, repo, got)
				}
			}
		}
	})

	t.Run("source repositories let pull accounts and the organization pull", func(t *testing.T) {
		r, _ := repositoryByName(src, "enterprise-apps/production")
		got := cfntest.JSON(r.Properties["RepositoryPolicyText"])
		for _, want := range []string{"arn:aws:iam::333333333333:root", "o-a1b2c3d4e5"} {
			if !strings.Contains(got, want) {
				t.Errorf("source policy %s lacks %s", got, want)
			}
		}
	})

	t.Run("the creation template carries the same repository policy", func(t *testing.T) {
		tpl := f.replica("us-west-2").Resources("AWS::ECR::RepositoryCreationTemplate")[0]
		text, _ := tpl.Properties["RepositoryPolicy"].(string)
		for _, want := range []string{"PullFromRoles", "PullFromAccounts", "PullFromOrganization"} {
			if !strings.Contains(text, want) {
				t.Errorf("template repository policy %q lacks %s", text, want)
			}
		}
	})
}

// repositoryKey returns the stack's repository key (its topics have a key of their own).
func repositoryKey(tmpl cfntest.Template) (cfntest.Resource, bool) {
	var found []cfntest.Resource
	for _, k := range tmpl.Resources("AWS::KMS::Key") {
		if strings.HasPrefix(k.LogicalID, "RepositoryKey") {
			found = append(found, k)
		}
	}
	if len(found) != 1 {
		return cfntest.Resource{}, false
	}
	return found[0], true
}

func TestKMSDeployment(t *testing.T) {
	f := synth(t, "kms")
	t.Run("every stack has its own rotating, retained key and its repositories use it", func(t *testing.T) {
		for name, tmpl := range f.templates {
			k, ok := repositoryKey(tmpl)
			if !ok {
				t.Fatalf("%s: no repository key", name)
			}
			if k.Properties["EnableKeyRotation"] != true || k.Raw["DeletionPolicy"] != "Retain" {
				t.Errorf("%s: key rotation %v, deletion %v", name, k.Properties["EnableKeyRotation"], k.Raw["DeletionPolicy"])
			}
			for _, r := range tmpl.Resources("AWS::ECR::Repository") {
				enc := cfntest.JSON(r.Properties["EncryptionConfiguration"])
				if !strings.Contains(enc, `"EncryptionType":"KMS"`) || !strings.Contains(enc, k.LogicalID) {
					t.Errorf("%s %v: encryption %s does not use key %s", name, r.Properties["RepositoryName"], enc, k.LogicalID)
				}
			}
		}
	})
	// ECR uses a key through the grants it makes when the repository is created, here by the
	// destination account (https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html):
	// the source account needs nothing of the replica keys.
	t.Run("replica keys let ECR use them for the destination account's callers only", func(t *testing.T) {
		for _, region := range f.cfg.DestinationRegions {
			k, _ := repositoryKey(f.replica(region))
			policy := cfntest.JSON(k.Properties["KeyPolicy"])
			want := `"Condition":{"StringEquals":{"kms:CallerAccount":["222222222222"],"kms:ViaService":"ecr.` + region + `.amazonaws.com"}}`
			if !strings.Contains(policy, want) || strings.Contains(policy, "111111111111") {
				t.Errorf("%s key policy lacks %s or names the source account:\n%s", region, want, policy)
			}
		}
	})
	t.Run("the creation template encrypts with the key through a custom role allowed to use it", func(t *testing.T) {
		for _, region := range f.cfg.DestinationRegions {
			tmpl := f.replica(region)
			tpl := tmpl.Resources("AWS::ECR::RepositoryCreationTemplate")[0]
			enc := cfntest.JSON(tpl.Properties["EncryptionConfiguration"])
			if !strings.Contains(enc, `"EncryptionType":"KMS"`) {
				t.Errorf("%s: template encryption %s", region, enc)
			}
			if tpl.Properties["CustomRoleArn"] == nil {
				t.Errorf("%s: template has no custom role", region)
			}
			var kmsActions []string
			for _, p := range tmpl.Resources("AWS::IAM::Policy") {
				for _, s := range statementsOf(p.Properties["PolicyDocument"]) {
					for _, a := range actionsOf(s) {
						if strings.HasPrefix(a, "kms:") {
							kmsActions = append(kmsActions, a)
						}
					}
				}
			}
			sort.Strings(kmsActions)
			if got := strings.Join(kmsActions, ","); got != "kms:CreateGrant,kms:DescribeKey,kms:RetireGrant" {
				t.Errorf("%s: template role KMS actions = %s", region, got)
			}
		}
	})
}

func TestEnhancedScanning(t *testing.T) {
	t.Run("with enhancedScanning every region scans the prefix continuously", func(t *testing.T) {
		for name, tmpl := range synth(t, "kms").templates {
			confs := tmpl.Resources("AWS::ECR::RegistryScanningConfiguration")
			if len(confs) != 1 {
				t.Fatalf("%s: scanning configurations = %d; want 1", name, len(confs))
			}
			want := `{"Rules":[{"RepositoryFilters":[{"Filter":"enterprise-apps/*","FilterType":"WILDCARD"}],"ScanFrequency":"CONTINUOUS_SCAN"}],"ScanType":"ENHANCED"}`
			if got := cfntest.JSON(confs[0].Properties); got != want {
				t.Errorf("%s: %s; want %s", name, got, want)
			}
		}
	})
	t.Run("by default the registry scanning configuration, a singleton, is left alone", func(t *testing.T) {
		for name, tmpl := range synth(t, "default").templates {
			if n := len(tmpl.Resources("AWS::ECR::RegistryScanningConfiguration")); n != 0 {
				t.Errorf("%s: %d scanning configurations", name, n)
			}
		}
	})
}

func TestExtraRegionsAndManyRepositories(t *testing.T) {
	t.Run("additional regions each get a replica stack and a destination", func(t *testing.T) {
		f := synth(t, "extra-regions")
		if len(f.deployment.Replicas) != 4 {
			t.Fatalf("replica stacks = %d; want 4", len(f.deployment.Replicas))
		}
		conf := f.source().Resources("AWS::ECR::ReplicationConfiguration")[0]
		got := cfntest.JSON(conf.Properties)
		for _, region := range []string{"us-west-2", "eu-west-1", "ap-southeast-2", "ca-central-1"} {
			if !strings.Contains(got, `"Region":"`+region+`"`) {
				t.Errorf("replication configuration lacks %s", region)
			}
			if f.replica(region) == nil {
				t.Errorf("no replica stack for %s", region)
			}
		}
	})
	t.Run("every repository exists in every region", func(t *testing.T) {
		f := synth(t, "many-repositories")
		for name, tmpl := range f.templates {
			if n := len(tmpl.Resources("AWS::ECR::Repository")); n != 15 {
				t.Errorf("%s: repositories = %d; want 15", name, n)
			}
			if _, ok := repositoryByName(tmpl, "enterprise-apps/billing/worker"); !ok {
				t.Errorf("%s: no enterprise-apps/billing/worker", name)
			}
		}
	})
}

// TestLifecycleBehaviour evaluates the lifecycle policies exactly as synthesized on concrete
// image sets: what each deployed policy deletes, not just its JSON.
func TestLifecycleBehaviour(t *testing.T) {
	f := synth(t, "default")
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	policyOf := func(t *testing.T, repo string) lifecycle.Policy {
		r, ok := repositoryByName(f.replica("eu-west-1"), repo)
		if !ok {
			t.Fatalf("no %s", repo)
		}
		text := r.Properties["LifecyclePolicy"].(map[string]any)["LifecyclePolicyText"].(string)
		p, err := lifecycle.Parse([]byte(text))
		if err != nil {
			t.Fatalf("deployed policy does not parse: %v", err)
		}
		return p
	}
	type img struct {
		tags []string
		age  time.Duration
	}
	verdicts := func(p lifecycle.Policy, images []img) map[string]lifecycle.ActionType {
		var in []lifecycle.Image
		for i, im := range images {
			in = append(in, lifecycle.Image{Digest: "sha256:" + strings.Repeat(string(rune('a'+i%26)), 8) + string(rune('0'+i/26)), Tags: im.tags, PushedAt: now.Add(-im.age)})
		}
		out := map[string]lifecycle.ActionType{}
		for i, v := range p.Evaluate(in, now) {
			key := strings.Join(images[i].tags, "+")
			if key == "" {
				key = "untagged@" + images[i].age.String()
			}
			out[key] = v.Action
		}
		return out
	}
	hour := time.Hour

	t.Run("production keeps the newest 10 of each of prod* and release*, and expires untagged after 1 day", func(t *testing.T) {
		var images []img
		for i := 1; i <= 12; i++ { // prod-1 is the oldest
			images = append(images, img{[]string{"prod-" + strconv.Itoa(i)}, time.Duration(100-i) * hour})
			images = append(images, img{[]string{"release-" + strconv.Itoa(i)}, time.Duration(100-i) * hour})
		}
		images = append(images,
			img{[]string{"feature-x"}, 400 * 24 * hour}, // tagged, no production prefix, very old
			img{nil, 30 * hour}, img{nil, 2 * hour})
		got := verdicts(policyOf(t, "enterprise-apps/production"), images)
		for i := 1; i <= 12; i++ {
			want := lifecycle.ActionType("")
			if i <= 2 {
				want = lifecycle.ActionExpire
			}
			for _, tag := range []string{"prod-" + strconv.Itoa(i), "release-" + strconv.Itoa(i)} {
				if got[tag] != want {
					t.Errorf("%s: %q; want %q", tag, got[tag], want)
				}
			}
		}
		if got["feature-x"] != "" {
			t.Errorf("feature-x (tagged, no production prefix) = %q; other tagged images are never expired", got["feature-x"])
		}
		if got["untagged@30h0m0s"] != lifecycle.ActionExpire || got["untagged@2h0m0s"] != "" {
			t.Errorf("untagged: 30h %q, 2h %q; want expire, kept", got["untagged@30h0m0s"], got["untagged@2h0m0s"])
		}
	})

	t.Run("testing keeps the newest 5 of each testing prefix and expires everything else older than 7 days", func(t *testing.T) {
		var images []img
		for i := 1; i <= 7; i++ {
			images = append(images, img{[]string{"dev-" + strconv.Itoa(i)}, time.Duration(300-i) * 24 * hour})
		}
		images = append(images,
			img{[]string{"staging-1"}, 60 * 24 * hour},
			img{[]string{"feature-old"}, 8 * 24 * hour},
			img{[]string{"feature-new"}, 6 * 24 * hour},
			img{nil, 8 * 24 * hour})
		got := verdicts(policyOf(t, "enterprise-apps/testing"), images)
		for i := 1; i <= 7; i++ {
			want := lifecycle.ActionType("")
			if i <= 2 {
				want = lifecycle.ActionExpire
			}
			if got["dev-"+strconv.Itoa(i)] != want {
				t.Errorf("dev-%d: %q; want %q", i, got["dev-"+strconv.Itoa(i)], want)
			}
		}
		if got["staging-1"] != "" {
			t.Errorf("staging-1, the only staging image, 60 days old = %q; want kept", got["staging-1"])
		}
		if got["feature-old"] != lifecycle.ActionExpire || got["feature-new"] != "" || got["untagged@192h0m0s"] != lifecycle.ActionExpire {
			t.Errorf("feature-old %q, feature-new %q, untagged 8d %q; want expire, kept, expire", got["feature-old"], got["feature-new"], got["untagged@192h0m0s"])
		}
	})
}

// TestTemplatesPassCfnLint lints every template of every variant against its own region.
func TestTemplatesPassCfnLint(t *testing.T) {
	var files []cfntest.LintFile
	names := keys(variants)
	for _, v := range names {
		f := synth(t, v)
		for name, tmpl := range f.templates {
			files = append(files, cfntest.LintFile{Name: v + "-" + name, Region: f.regions[name], Template: tmpl})
		}
	}
	cfntest.CfnLint(t, files)
}

// TestCdkNagAwsSolutions applies cdk-nag's AwsSolutions pack to every stack of every variant:
// no unsuppressed error or warning.
func TestCdkNagAwsSolutions(t *testing.T) {
	for _, v := range keys(variants) {
		f := synth(t, v)
		for _, name := range keys(f.templates) {
			t.Run(v+"/"+name, func(t *testing.T) {
				for _, finding := range f.nag[name] {
					t.Error(finding)
				}
			})
		}
	}
}

// TestDataSafety checks the deletion and update-replace policies of everything that holds images
// or keys, in every variant: both Retain, and no EmptyOnDelete.
// Only a variant that asks for it (deleteOnDestroy, the sandbox) has its repositories and
// their keys deleted by cdk destroy, repositories with their images.
func TestDataSafety(t *testing.T) {
	for _, v := range keys(variants) {
		f := synth(t, v)
		asked := f.cfg.DeleteOnDestroy
		t.Run(v, func(t *testing.T) {
			for name, tmpl := range f.templates {
				for _, typ := range []string{"AWS::ECR::Repository", "AWS::KMS::Key"} {
					for _, r := range tmpl.Resources(typ) {
						// deleteOnDestroy deletes every repository and schedules the deletion of
						// every key (repository keys and topics keys); nothing else does.
						want, empty := "Retain", any(nil)
						if asked {
							want, empty = "Delete", any(typ == "AWS::ECR::Repository")
							if typ == "AWS::KMS::Key" {
								empty = nil
							}
						}
						if r.Raw["DeletionPolicy"] != want || r.Raw["UpdateReplacePolicy"] != want {
							t.Errorf("%s %s (%s): DeletionPolicy %v, UpdateReplacePolicy %v; want %s, %s",
								name, r.LogicalID, typ, r.Raw["DeletionPolicy"], r.Raw["UpdateReplacePolicy"], want, want)
						}
						if r.Properties["EmptyOnDelete"] != empty {
							t.Errorf("%s %s: EmptyOnDelete = %v; want %v", name, r.LogicalID, r.Properties["EmptyOnDelete"], empty)
						}
					}
				}
			}
		})
	}
}

// TestSandboxVariant: the keys of the sandbox variant reach the templates.
func TestSandboxVariant(t *testing.T) {
	f := synth(t, "sandbox")
	src := f.source()
	t.Run("signing: a retained Notation profile, the namespace signed, the CI role may sign with it", func(t *testing.T) {
		if n := len(src.Resources("AWS::Signer::SigningProfile")); n != 1 {
			t.Fatalf("%d signing profiles", n)
		}
		cfg := cfntest.JSON(src.Resources("AWS::ECR::SigningConfiguration")[0].Properties)
		if !strings.Contains(cfg, `{"Filter":"enterprise-apps/*","FilterType":"WILDCARD_MATCH"}`) {
			t.Errorf("signing configuration = %s", cfg)
		}
		found := false
		for _, p := range rolePolicies(src, "CIRole") {
			found = found || strings.Contains(cfntest.JSON(p), `"signer:SignPayload"`)
		}
		if !found {
			t.Error("the CI role may not sign")
		}
	})
	t.Run("delete replication on the rule; registry settings retained", func(t *testing.T) {
		rc := src.Resources("AWS::ECR::ReplicationConfiguration")[0]
		if !strings.Contains(cfntest.JSON(rc.Properties), `"DeleteReplication":{"Enabled":true}`) || rc.Raw["DeletionPolicy"] != "Retain" {
			t.Errorf("replication configuration = %s", cfntest.JSON(rc.Raw))
		}
		if sc := src.Resources("AWS::ECR::SigningConfiguration")[0]; sc.Raw["DeletionPolicy"] != "Retain" {
			t.Errorf("signing configuration DeletionPolicy = %v", sc.Raw["DeletionPolicy"])
		}
	})
	t.Run("deleteOnDestroy: every key scheduled for deletion in 7 days, every log group deleted", func(t *testing.T) {
		for _, name := range keys(f.templates) {
			tmpl := f.templates[name]
			for _, k := range tmpl.Resources("AWS::KMS::Key") {
				if k.Raw["DeletionPolicy"] != "Delete" || k.Properties["PendingWindowInDays"] != float64(7) {
					t.Errorf("%s key %s: DeletionPolicy %v, PendingWindowInDays %v", name, k.LogicalID, k.Raw["DeletionPolicy"], k.Properties["PendingWindowInDays"])
				}
			}
			for _, g := range tmpl.Resources("AWS::Logs::LogGroup") {
				if g.Raw["DeletionPolicy"] != "Delete" {
					t.Errorf("%s log group %s: DeletionPolicy %v", name, g.LogicalID, g.Raw["DeletionPolicy"])
				}
			}
		}
	})
	t.Run("role trust: OIDC identities of the source account's provider, an account and another account's role", func(t *testing.T) {
		var ci, deploy string
		for _, r := range src.Resources("AWS::IAM::Role") {
			doc := cfntest.JSON(r.Properties["AssumeRolePolicyDocument"])
			switch {
			case strings.HasPrefix(r.LogicalID, "CIRole"):
				ci = doc
			case strings.HasPrefix(r.LogicalID, "DeployRole"):
				deploy = doc
			}
		}
		wantCI := `{"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:ref:refs/heads/main"}},"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}}`
		if ci != `{"Statement":[`+wantCI+`],"Version":"2012-10-17"}` {
			t.Errorf("CI role trust = %s", ci)
		}
		for _, want := range []string{`:iam::111111111111:root"`, `"arn:aws:iam::333333333333:role/deployer"`} {
			if !strings.Contains(deploy, want) {
				t.Errorf("deploy role trust lacks %s: %s", want, deploy)
			}
		}
	})
}

// TestControlTowerVariant: controlTower=true reaches every template: each log group keeps its
// events a year, encrypted with its own stack's topics key, whose policy lets that region's
// CloudWatch Logs use it for this account's log groups; every key denies grants except to AWS
// services; every repository is IMMUTABLE. (TestControlTowerProactiveControls checks the same
// templates against the controls' rules, with cfn-guard.)
func TestControlTowerVariant(t *testing.T) {
	f := synth(t, "control-tower")
	for _, name := range keys(f.templates) {
		tmpl, region := f.templates[name], f.regions[name]
		t.Run(name, func(t *testing.T) {
			var topicsKey string
			for _, k := range tmpl.Resources("AWS::KMS::Key") {
				policy := cfntest.JSON(k.Properties["KeyPolicy"])
				if !strings.Contains(policy, `"Sid":"LimitGrantsToAWSServices"`) {
					t.Errorf("key %s does not limit grants to AWS services: %s", k.LogicalID, policy)
				}
				if strings.HasPrefix(k.LogicalID, "NotificationsKey") {
					topicsKey = k.LogicalID
					if !strings.Contains(policy, `"Sid":"AllowCloudWatchLogs"`) || !strings.Contains(policy, `"Service":"logs.`+region+`.amazonaws.com"`) {
						t.Errorf("topics key %s does not let CloudWatch Logs in %s use it: %s", k.LogicalID, region, policy)
					}
				}
			}
			if topicsKey == "" {
				t.Fatal("no topics key")
			}
			groups := tmpl.Resources("AWS::Logs::LogGroup")
			if len(groups) == 0 {
				t.Fatal("no log group")
			}
			for _, g := range groups {
				if g.Properties["RetentionInDays"] != float64(365) {
					t.Errorf("log group %s: RetentionInDays = %v; want 365", g.LogicalID, g.Properties["RetentionInDays"])
				}
				if got, want := cfntest.JSON(g.Properties["KmsKeyId"]), `{"Fn::GetAtt":["`+topicsKey+`","Arn"]}`; got != want {
					t.Errorf("log group %s: KmsKeyId = %s; want %s", g.LogicalID, got, want)
				}
			}
			// Every repository, and those ECR creates on replication (the creation templates,
			// which CT.ECR.PR.3 does not check), IMMUTABLE.
			for _, typ := range []string{"AWS::ECR::Repository", "AWS::ECR::RepositoryCreationTemplate"} {
				for _, r := range tmpl.Resources(typ) {
					if r.Properties["ImageTagMutability"] != "IMMUTABLE" {
						t.Errorf("%s %s: ImageTagMutability = %v", typ, r.LogicalID, r.Properties["ImageTagMutability"])
					}
				}
			}
		})
	}
}

// openPrincipals walks a template value and returns every Allow statement whose principal
// contains "*" and that has no Condition.
func openPrincipals(v any, path string) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		if p, ok := x["Principal"]; ok && x["Effect"] == "Allow" && strings.Contains(cfntest.JSON(p), `"*"`) && x["Condition"] == nil {
			out = append(out, path)
		}
		for k, c := range x {
			out = append(out, openPrincipals(c, path+"/"+k)...)
		}
	case []any:
		for i, c := range x {
			out = append(out, openPrincipals(c, path+"/"+strconv.Itoa(i))...)
		}
	case string:
		// Repository policies of creation templates are JSON strings.
		if strings.HasPrefix(x, "{") {
			var doc any
			if json.Unmarshal([]byte(x), &doc) == nil {
				out = append(out, openPrincipals(doc, path)...)
			}
		}
	}
	return out
}

// TestNoOpenPrincipals checks every repository, registry, key and topic policy of every variant.
func TestNoOpenPrincipals(t *testing.T) {
	for _, v := range keys(variants) {
		f := synth(t, v)
		for name, tmpl := range f.templates {
			for _, p := range openPrincipals(map[string]any(tmpl), "") {
				t.Errorf("%s %s: open principal without a condition at %s", v, name, p)
			}
		}
	}
}

// TestReadmeDocumentsEveryKey keeps the README's context table in step with config.Keys().
func TestReadmeDocumentsEveryKey(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, k := range config.Keys() {
		row := "| `" + k.Name + "` | " + k.Default + " |"
		if !strings.Contains(readme, row) {
			t.Errorf("README has no row %q", row)
		}
	}
}

func TestAlertEmailSubscribesEveryTopic(t *testing.T) {
	f := synth(t, "email")
	for name, tmpl := range f.templates {
		topics := tmpl.Resources("AWS::SNS::Topic")
		subs := tmpl.Resources("AWS::SNS::Subscription")
		if len(topics) == 0 {
			t.Errorf("%s: no topic", name)
		}
		subscribed := map[string]bool{}
		for _, s := range subs {
			if s.Properties["Protocol"] != "email" || s.Properties["Endpoint"] != "platform-oncall@example.com" {
				t.Errorf("%s %s: subscription %s", name, s.LogicalID, cfntest.JSON(s.Properties))
			}
			subscribed[cfntest.JSON(s.Properties["TopicArn"])] = true
		}
		for _, topic := range topics {
			if !subscribed[`{"Ref":"`+topic.LogicalID+`"}`] {
				t.Errorf("%s: topic %s has no e-mail subscription", name, topic.LogicalID)
			}
			if topic.Properties["KmsMasterKeyId"] == nil {
				t.Errorf("%s: topic %s is not encrypted", name, topic.LogicalID)
			}
		}
	}
	t.Run("without alertEmail nothing is subscribed", func(t *testing.T) {
		for name, tmpl := range synth(t, "default").templates {
			if n := len(tmpl.Resources("AWS::SNS::Subscription")); n != 0 {
				t.Errorf("%s: %d subscriptions", name, n)
			}
		}
	})
	t.Run("the replication alarm follows the configured threshold, minimum and window", func(t *testing.T) {
		for _, region := range f.cfg.DestinationRegions {
			var alarms []cfntest.Resource
			for _, a := range f.replica(region).Resources("AWS::CloudWatch::Alarm") {
				if a.Properties["AlarmName"] == monitoring.DefaultNamePrefix(f.cfg.RepoPrefix)+"-replication-failure-rate-from-"+f.cfg.SourceRegion {
					alarms = append(alarms, a)
				}
			}
			if len(alarms) != 1 {
				t.Fatalf("%s: failure-rate alarms = %d; want 1", region, len(alarms))
			}
			p := alarms[0].Properties
			var expression string
			for _, m := range p["Metrics"].([]any) {
				if e, ok := m.(map[string]any)["Expression"].(string); ok {
					expression = e
				}
			}
			body := cfntest.JSON(p["Metrics"])
			if p["Threshold"] != 25.0 || !strings.Contains(expression, ") >= 1,") || !strings.Contains(body, `"Period":900`) {
				t.Errorf("%s: threshold %v, expression %q, metrics %s; want 25, a minimum of 1 attempt, 900 s", region, p["Threshold"], expression, body)
			}
		}
	})
}

// TestLifecycleTrail: lifecycleTrail=true creates one multi-region management-events trail per
// account (the source stack's, and the first replica stack's of the destination account),
// logging to an encrypted, TLS-only, retained bucket; without it no trail exists.
func TestLifecycleTrail(t *testing.T) {
	f := synth(t, "cross-account")
	trails := map[string]int{}
	for name, tmpl := range f.templates {
		for _, tr := range tmpl.Resources("AWS::CloudTrail::Trail") {
			trails[name]++
			p := tr.Properties
			if p["IsMultiRegionTrail"] != true || p["IsLogging"] != true || p["EnableLogFileValidation"] != true || p["IncludeGlobalServiceEvents"] != true {
				t.Errorf("%s: trail %s", name, cfntest.JSON(p))
			}
			if sel := cfntest.JSON(p["EventSelectors"]); !strings.Contains(sel, `"IncludeManagementEvents":true`) || !strings.Contains(sel, `"ReadWriteType":"All"`) {
				t.Errorf("%s: event selectors %s; want all management events", name, sel)
			}
			// The trail is a plain CfnResource: its tags are given, not applied by Tags.of.
			if tags := cfntest.JSON(p["Tags"]); tags != `[{"Key":"Project","Value":"ecr-replication"},{"Key":"RepositoryNamespace","Value":"enterprise-apps"}]` {
				t.Errorf("%s: trail tags %s; want the stack's tags", name, tags)
			}
			// CloudTrail checks the bucket policy when the trail is created: it must exist first.
			if deps := cfntest.JSON(tr.Raw["DependsOn"]); len(tmpl.Resources("AWS::S3::BucketPolicy")) != 1 || !strings.Contains(deps, tmpl.Resources("AWS::S3::BucketPolicy")[0].LogicalID) {
				t.Errorf("%s: trail depends on %s; want the bucket policy", name, deps)
			}
		}
		for _, b := range tmpl.Resources("AWS::S3::Bucket") {
			if b.Raw["DeletionPolicy"] != "Retain" || !strings.Contains(cfntest.JSON(b.Properties["BucketEncryption"]), "AES256") {
				t.Errorf("%s: bucket %s is not retained and encrypted: %s", name, b.LogicalID, cfntest.JSON(b.Raw))
			}
		}
		for _, bp := range tmpl.Resources("AWS::S3::BucketPolicy") {
			doc := cfntest.JSON(bp.Properties["PolicyDocument"])
			if !strings.Contains(doc, `"aws:SecureTransport":"false"`) || !strings.Contains(doc, "cloudtrail.amazonaws.com") {
				t.Errorf("%s: bucket policy %s; want TLS-only and CloudTrail's delivery", name, doc)
			}
			// What CloudTrail needs, for this stack's trail only (CloudTrail user guide,
			// create-s3-bucket-policy-for-cloudtrail.html, with aws:SourceArn).
			account := f.cfg.DestinationAccount
			if name == replication.SourceStackName(replication.DefaultDeploymentID, f.cfg.SourceRegion) {
				account = f.cfg.SourceAccount
			}
			sourceArn := `"aws:SourceArn":"arn:aws:cloudtrail:` + f.regions[name] + `:` + account + `:trail/ecr-enterprise-apps-management-events"`
			for _, want := range []string{`"Action":"s3:GetBucketAcl","Condition":{"StringEquals":{` + sourceArn + `}}`,
				`"Action":"s3:PutObject","Condition":{"StringEquals":{` + sourceArn + `,"s3:x-amz-acl":"bucket-owner-full-control"}}`, `/AWSLogs/`} {
				if !strings.Contains(doc, want) {
					t.Errorf("%s: bucket policy %s; want %s", name, doc, want)
				}
			}
		}
	}
	want := map[string]int{replication.SourceStackName(replication.DefaultDeploymentID, "us-east-1"): 1, replication.ReplicaStackName(replication.DefaultDeploymentID, f.cfg.DestinationRegions[0]): 1}
	if !reflect.DeepEqual(trails, want) {
		t.Errorf("trails per stack = %v; want %v (one per account)", trails, want)
	}
	for name, tmpl := range synth(t, "default").templates {
		if n := len(tmpl.Resources("AWS::CloudTrail::Trail")); n != 0 {
			t.Errorf("default %s: %d trails; lifecycleTrail is off by default", name, n)
		}
	}
}
