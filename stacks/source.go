package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/policy"
)

// SourceStackProps configures a SourceStack.
type SourceStackProps struct {
	awscdk.StackProps
	// Config is the validated configuration. Required.
	Config *config.Config
}

// SourceStack holds what lives in the source account and region: the source repositories, the
// registry's replication configuration and the account's deploy (pull) and CI (push) roles.
type SourceStack struct {
	awscdk.Stack
	// Repositories are the source repositories, by full name.
	Repositories map[string]*registry.ReplicatedRepository
	// Replication is the registry's replication configuration.
	Replication *registry.RegistryReplication
	// DeployRole may pull from every repository in every region, and nothing else.
	DeployRole awsiam.Role
	// CIRole may push to (and pull from) the source repositories, and nothing else: no delete,
	// no policy change, no push to replicas (replicas are written by replication only).
	CIRole awsiam.Role
	// Scanning is the registry's enhanced scanning configuration with enhancedScanning=true,
	// else nil (repositories are then scanned on push, basic scanning).
	Scanning *registry.EnhancedScanning
	// Topics are the region's alert, security and lifecycle topics.
	Topics *monitoring.NotificationTopics
	// Monitoring watches activity, findings and lifecycle actions, and owns the dashboard.
	Monitoring *monitoring.SourceMonitor
	// Key encrypts the source repositories when encryption is KMS, else nil.
	Key awskms.Key
}

// NewSourceStack creates the source stack.
func NewSourceStack(scope constructs.Construct, id string, props *SourceStackProps) *SourceStack {
	if props == nil || props.Config == nil {
		panic("NewSourceStack: props.Config is required")
	}
	cfg := props.Config
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	s := &SourceStack{Stack: stack}

	if cfg.Encryption == config.EncryptionKMS {
		s.Key = registry.NewRepositoryKey(stack, "RepositoryKey", &registry.RepositoryKeyProps{
			Description: fmt.Sprintf("Encrypts the ECR repositories under %s/ in %s", cfg.RepoPrefix, cfg.SourceRegion),
		})
	}
	access := policy.PullAccess{
		Partition:      cfg.Partition(),
		Accounts:       cfg.PullAccounts,
		OrganizationID: cfg.OrganizationID,
	}
	settings := settingsFor(cfg)
	s.Repositories = newRepositories(stack, settings, s.Key, access)

	if cfg.EnhancedScanning {
		s.Scanning = registry.NewEnhancedScanning(stack, "EnhancedScanning", &registry.EnhancedScanningProps{
			RepositoryFilters: []string{cfg.RepoPrefix + "/*"},
		})
	}

	destinations := make([]registry.ReplicationDestination, 0, len(cfg.DestinationRegions))
	for _, region := range cfg.DestinationRegions {
		d := registry.ReplicationDestination{Region: region}
		if cfg.CrossAccount() {
			d.Account = cfg.DestinationAccount
		}
		destinations = append(destinations, d)
	}
	s.Replication = registry.NewRegistryReplication(stack, "Replication", &registry.RegistryReplicationProps{
		Rules: []registry.ReplicationRule{{
			Destinations:       destinations,
			RepositoryPrefixes: []string{cfg.RepoPrefix + "/"},
		}},
	})

	s.DeployRole = awsiam.NewRole(stack, jsii.String("DeployRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(RoleName(cfg.RepoPrefix, cfg.SourceRegion, "pull")),
		AssumedBy:   awsiam.NewAccountRootPrincipal(),
		Description: jsii.String(fmt.Sprintf("Deployments: pulls images of %s/ in every region; cannot push", cfg.RepoPrefix)),
	})
	s.CIRole = awsiam.NewRole(stack, jsii.String("CIRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(RoleName(cfg.RepoPrefix, cfg.SourceRegion, "push")),
		AssumedBy:   awsiam.NewAccountRootPrincipal(),
		Description: jsii.String(fmt.Sprintf("CI pipelines: pushes images to %s/ in %s; cannot delete or change policies", cfg.RepoPrefix, cfg.SourceRegion)),
	})
	for _, rs := range settings {
		repo := s.Repositories[rs.FullName]
		repo.GrantPull(s.DeployRole)
		repo.GrantPullPush(s.CIRole)
	}
	// Replicas live in other regions (and maybe another account): their ARNs are built from
	// plain names rather than referenced, so no cross-region reference is needed.
	replicaAccount := stack.Account()
	if cfg.CrossAccount() {
		replicaAccount = jsii.String(cfg.DestinationAccount)
	}
	var replicaArns []*string
	for _, region := range cfg.DestinationRegions {
		for _, rs := range settings {
			replicaArns = append(replicaArns, stack.FormatArn(&awscdk.ArnComponents{
				Service:      jsii.String("ecr"),
				Region:       jsii.String(region),
				Account:      replicaAccount,
				Resource:     jsii.String("repository"),
				ResourceName: jsii.String(rs.FullName),
			}))
		}
	}
	s.DeployRole.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("PullFromReplicas"),
		Actions:   jsii.Strings(policy.PullActions...),
		Resources: &replicaArns,
	}))

	for _, role := range []awsiam.Role{s.DeployRole, s.CIRole} {
		cdknag.NagSuppressions_AddResourceSuppressions(role.Node().FindChild(jsii.String("DefaultPolicy")), &[]*cdknag.NagPackSuppression{{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String("ecr:GetAuthorizationToken is registry-wide and supports no resource-level permission; every other statement names its repositories"),
			AppliesTo: &[]interface{}{jsii.String("Resource::*")},
		}}, jsii.Bool(true))
	}

	s.Topics = monitoring.NewNotificationTopics(stack, "Notifications", &monitoring.NotificationTopicsProps{
		AlertEmail: cfg.AlertEmail,
	})
	names := make([]string, 0, len(settings))
	for _, rs := range settings {
		names = append(names, rs.FullName)
	}
	monitored := make([]monitoring.Destination, 0, len(destinations))
	for _, d := range destinations {
		monitored = append(monitored, monitoring.Destination{Region: d.Region, Account: d.Account})
	}
	activity := cfg.ActivityAlarms
	s.Monitoring = monitoring.NewSourceMonitor(stack, "Monitoring", &monitoring.SourceMonitorProps{
		RepositoryPrefix: cfg.RepoPrefix,
		RepositoryNames:  names,
		Destinations:     monitored,
		SourceAccount:    cfg.SourceAccount,
		AlertTopic:       s.Topics.Alert,
		SecurityTopic:    s.Topics.Security,
		LifecycleTopic:   s.Topics.Lifecycle,
		ActivityAlarms:   &activity,
		AnomalyStdDevs:   cfg.AnomalyStdDevs,
		EnhancedScanning: cfg.EnhancedScanning,
	})

	for _, rs := range settings {
		outputRepositoryURI(stack, rs, s.Repositories[rs.FullName])
	}
	awscdk.NewCfnOutput(stack, jsii.String("DeployRoleArn"), &awscdk.CfnOutputProps{
		Description: jsii.String("Role for deployments: pull-only, every region"),
		Value:       s.DeployRole.RoleArn(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("CIRoleArn"), &awscdk.CfnOutputProps{
		Description: jsii.String("Role for CI pipelines: push to the source repositories"),
		Value:       s.CIRole.RoleArn(),
	})
	outputDockerLogin(stack)
	return s
}
