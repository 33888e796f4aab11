package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/policy"
)

// ReplicaStackProps configures a ReplicaStack.
type ReplicaStackProps struct {
	awscdk.StackProps
	// Config is the validated configuration. Required.
	Config *config.Config
}

// ReplicaStack holds what lives in one destination region (of the destination account): the
// replicas, pre-created with the source's settings; a repository creation template that shapes
// repositories ECR creates later under the prefix; and, across accounts, the registry policy
// that lets the source account replicate.
type ReplicaStack struct {
	awscdk.Stack
	// Repositories are the pre-created replicas, by full name.
	Repositories map[string]*registry.ReplicatedRepository
	// Template shapes replicas of repositories that are not pre-created.
	Template *registry.CreationTemplate
	// RegistryPolicy lets the source account replicate; nil unless cross-account.
	RegistryPolicy *registry.DestinationRegistryPolicy
	// Scanning is the registry's enhanced scanning configuration with enhancedScanning=true,
	// else nil (repositories are then scanned on push, basic scanning).
	Scanning *registry.EnhancedScanning
	// Topics are the region's alert and lifecycle topics.
	Topics *monitoring.NotificationTopics
	// Monitoring turns replication outcomes into notifications, metrics and the failure-rate
	// alarm, and notifies lifecycle expirations.
	Monitoring *monitoring.ReplicationMonitor
	// Key encrypts the replicas when encryption is KMS, else nil.
	Key awskms.Key
}

// NewReplicaStack creates a replica stack. Its region is props.Env.Region.
func NewReplicaStack(scope constructs.Construct, id string, props *ReplicaStackProps) *ReplicaStack {
	if props == nil || props.Config == nil {
		panic("NewReplicaStack: props.Config is required")
	}
	cfg := props.Config
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	s := &ReplicaStack{Stack: stack}
	region := *stack.Region()

	if cfg.Encryption == config.EncryptionKMS {
		keyProps := &registry.RepositoryKeyProps{
			Description: fmt.Sprintf("Encrypts the ECR replicas under %s/ in %s", cfg.RepoPrefix, region),
		}
		if cfg.CrossAccount() {
			keyProps.CallerAccounts = []string{cfg.SourceAccount}
		}
		s.Key = registry.NewRepositoryKey(stack, "RepositoryKey", keyProps)
	}

	access := policy.PullAccess{
		Partition:      cfg.Partition(),
		Accounts:       cfg.PullAccounts,
		OrganizationID: cfg.OrganizationID,
	}
	if cfg.CrossAccount() {
		// The deploy role lives in the source account: the replica's policy must let it in.
		access.Roles = []policy.RoleRef{{
			Account: cfg.SourceAccount,
			Name:    RoleName(cfg.RepoPrefix, cfg.SourceRegion, "pull"),
		}}
	}

	settings := settingsFor(cfg)
	s.Repositories = newRepositories(stack, settings, s.Key, access)
	for _, rs := range settings {
		outputRepositoryURI(stack, rs, s.Repositories[rs.FullName])
	}

	if cfg.EnhancedScanning {
		s.Scanning = registry.NewEnhancedScanning(stack, "EnhancedScanning", &registry.EnhancedScanningProps{
			RepositoryFilters: []string{cfg.RepoPrefix + "/*"},
		})
	}

	lc := templateLifecycle(cfg)
	templateProps := &registry.CreationTemplateProps{
		Prefix:          cfg.RepoPrefix,
		LifecyclePolicy: &lc,
		PullAccess:      access,
	}
	if s.Key != nil {
		templateProps.EncryptionKey = s.Key
	}
	s.Template = registry.NewCreationTemplate(stack, "ReplicationTemplate", templateProps)

	if cfg.CrossAccount() {
		s.RegistryPolicy = registry.NewDestinationRegistryPolicy(stack, "ReplicationPermission", &registry.DestinationRegistryPolicyProps{
			SourceAccounts:   []string{cfg.SourceAccount},
			RepositoryPrefix: cfg.RepoPrefix,
		})
	}
	s.Topics = monitoring.NewNotificationTopics(stack, "Notifications", &monitoring.NotificationTopicsProps{
		AlertEmail:    cfg.AlertEmail,
		SecurityTopic: jsii.Bool(false),
	})
	threshold, attempts := cfg.ReplicationFailureThreshold, float64(cfg.ReplicationMinimumAttempts)
	s.Monitoring = monitoring.NewReplicationMonitor(stack, "Monitoring", &monitoring.ReplicationMonitorProps{
		RepositoryPrefix:            cfg.RepoPrefix,
		SourceRegion:                cfg.SourceRegion,
		SourceAccount:               cfg.SourceAccount,
		AlertTopic:                  s.Topics.Alert,
		LifecycleTopic:              s.Topics.Lifecycle,
		ReplicationFailureThreshold: &threshold,
		ReplicationMinimumAttempts:  &attempts,
		ReplicationWindowMinutes:    float64(cfg.ReplicationWindowMinutes),
	})
	outputDockerLogin(stack)
	return s
}
