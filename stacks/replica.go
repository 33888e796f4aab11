package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/measurement"
	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/policy"
)

// ReplicaStackProps configures a ReplicaStack. Env.Region (the destination region) must be a
// concrete region; Env.Account is the destination account.
type ReplicaStackProps struct {
	awscdk.StackProps
	Common
	// SourceRegion holds the source repositories. Required.
	SourceRegion string
	// SourceAccount owns the source registry. Required when it differs from this stack's
	// account (cross-account replication): the registry policy, the key policy and the
	// replicas' pull access name it.
	//
	// Default: - the same account as this stack.
	SourceAccount string
	// SourceDeployRoleName is the source account's deploy role, which may pull from the
	// replicas across accounts.
	//
	// Default: policy.RoleName(RepositoryPrefix, SourceRegion, "pull").
	SourceDeployRoleName string
	// LifecycleTrail creates the lifecycle trail in this stack: set it on one replica stack of
	// each destination account other than the source's (NewDeployment does) when
	// Monitoring.LifecycleTrail is on; the trail is multi-region.
	//
	// Default: false.
	LifecycleTrail bool
	// TemplateLifecycle is the lifecycle policy of repositories ECR creates later under the
	// namespace (through the creation template).
	//
	// Default: registry.DefaultLifecyclePolicy().
	TemplateLifecycle *lifecycle.Policy
}

// crossAccount reports whether the source registry is in another account than this stack.
func (p *ReplicaStackProps) crossAccount() bool {
	if p.SourceAccount == "" || p.Env == nil || p.Env.Account == nil {
		return false
	}
	return *p.Env.Account != p.SourceAccount
}

// ReplicaStack holds what lives in one destination region (of the destination account): the
// replicas, pre-created with the source's settings; a repository creation template that shapes
// repositories ECR creates later under the prefix; and, across accounts, the registry policy
// that lets the source account replicate.
type ReplicaStack struct {
	awscdk.Stack
	// Repositories are the pre-created replicas, by full name.
	Repositories map[string]*registry.ReplicatedRepository
	// RepositoryStacks hold the replicas with Common.RepositoryStacks of 2 or more, else nil
	// (they are in this stack).
	RepositoryStacks []awscdk.Stack
	// Template shapes replicas of repositories that are not pre-created.
	Template *registry.CreationTemplate
	// RegistryPolicy lets the source account replicate; nil unless cross-account.
	RegistryPolicy *registry.DestinationRegistryPolicy
	// Scanning is the registry's enhanced scanning configuration with EnhancedScanning, else
	// nil.
	Scanning *registry.EnhancedScanning
	// Topics are the region's alert and lifecycle topics.
	Topics *monitoring.NotificationTopics
	// Monitoring turns replication outcomes into notifications, metrics and the failure-rate
	// alarm, and notifies lifecycle expirations.
	Monitoring *monitoring.ReplicationMonitor
	// Key encrypts the replicas with KMS, else nil.
	Key awskms.Key
	// Storage measures the logical bytes of the namespace in this region; nil when off.
	Storage *measurement.StorageMetrics
	// Forwarder sends this region's replication events to the source region, for the latency
	// measurement; nil when off.
	Forwarder *measurement.LatencyForwarder
	// Delivery alarms when a rule of this stack fails to deliver to its target.
	Delivery *monitoring.DeliveryAlarms
	// Trail is the lifecycle trail when LifecycleTrail is set, else nil.
	Trail *monitoring.LifecycleTrail
}

// NewReplicaStack creates a replica stack. It panics with a *checks.Error, naming every
// problem, on bad props. The stack is a scope like any awscdk.Stack.
func NewReplicaStack(scope constructs.Construct, id string, props *ReplicaStackProps) *ReplicaStack {
	if props == nil {
		props = &ReplicaStackProps{}
	}
	region := checkReplicaStack(scope, id, props)
	s := &ReplicaStack{}
	awscdk.NewStack_Override(s, scope, &id, &props.StackProps)
	prefix := props.RepositoryPrefix
	cross := props.crossAccount()
	if props.KMS {
		// The key admits ECR for this account's callers only, even across accounts: ECR creates
		// the replicas here (this stack, or the creation template's role), and "when a repository
		// is created with KMS encryption, Amazon ECR adds a grant to the KMS key with the Amazon
		// ECR repository as the grantee principal", which then serves every push, replication
		// and pull (https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html).
		// The source account never calls KMS for this key.
		s.Key = registry.NewRepositoryKey(s, "RepositoryKey", props.repositoryKeyProps(
			fmt.Sprintf("Encrypts the ECR replicas under %s/ in %s", prefix, region)))
	}
	access := props.replicaAccess()
	s.RepositoryStacks, s.Repositories = addRepositories(scope, id, s, &props.StackProps, &props.Common, access, s.Key)
	outputRepositoryURIs(s, &props.Common, s.Repositories)
	if props.EnhancedScanning {
		s.Scanning = registry.NewEnhancedScanning(s, "EnhancedScanning", &registry.EnhancedScanningProps{
			RepositoryFilters: []string{prefix + "/*"}, RemovalPolicy: props.RegistrySettingsRemovalPolicy,
		})
	}
	templateProps := &registry.CreationTemplateProps{
		Prefix:          prefix,
		LifecyclePolicy: props.TemplateLifecycle,
		PullAccess:      access,
	}
	if s.Key != nil {
		templateProps.EncryptionKey = s.Key
	}
	s.Template = registry.NewCreationTemplate(s, "ReplicationTemplate", templateProps)
	if cross {
		s.RegistryPolicy = registry.NewDestinationRegistryPolicy(s, "ReplicationPermission", &registry.DestinationRegistryPolicyProps{
			SourceAccounts:   []string{props.SourceAccount},
			RepositoryPrefix: prefix,
			RemovalPolicy:    props.RegistrySettingsRemovalPolicy,
		})
	}
	s.addMonitoring(props)
	outputDockerLogin(s)
	tagStack(s, prefix)
	return s
}

// checkReplicaStack refuses bad props, every problem at once, and returns the stack's region.
func checkReplicaStack(scope constructs.Construct, id string, props *ReplicaStackProps) string {
	problems := checks.For("ReplicaStack", scope, id)
	props.Common.check(problems)
	region := concreteRegion(&props.StackProps, problems, "replica")
	if !awsid.IsRegion(props.SourceRegion) {
		problems.Add("SourceRegion", props.SourceRegion, "a known AWS region")
	}
	if props.SourceAccount != "" && !awsid.IsAccount(props.SourceAccount) {
		problems.Add("SourceAccount", props.SourceAccount, awsid.AccountRule)
	}
	problems.Panic()
	return region
}

// replicaAccess is who may pull from the replicas: PullAccess, and across accounts the source
// account's deploy role, which pulls from every region.
func (p *ReplicaStackProps) replicaAccess() policy.PullAccess {
	access := p.PullAccess
	if p.crossAccount() {
		role := p.SourceDeployRoleName
		if role == "" {
			role = policy.RoleName(p.RepositoryPrefix, p.SourceRegion, "pull")
		}
		access.Roles = append(append([]policy.RoleRef(nil), access.Roles...), policy.RoleRef{Account: p.SourceAccount, Name: role})
	}
	return access
}

// addMonitoring adds the region's notification topics, replication monitoring, storage
// measurement, latency forwarder, delivery alarms and lifecycle trail.
func (s *ReplicaStack) addMonitoring(props *ReplicaStackProps) {
	prefix := props.RepositoryPrefix
	s.Topics = monitoring.NewNotificationTopics(s, "Notifications", &monitoring.NotificationTopicsProps{
		AlertEmail:    props.Monitoring.AlertEmail,
		SecurityTopic: jsii.Bool(props.EnhancedScanning),
	})
	s.Monitoring = monitoring.NewReplicationMonitor(s, "Monitoring", &monitoring.ReplicationMonitorProps{
		RepositoryPrefix:            prefix,
		SourceRegion:                props.SourceRegion,
		SourceAccount:               props.SourceAccount,
		AlertTopic:                  s.Topics.Alert,
		LifecycleTopic:              s.Topics.Lifecycle,
		SecurityTopic:               s.Topics.Security,
		EnhancedScanning:            props.EnhancedScanning,
		ReplicationFailureThreshold: props.Monitoring.ReplicationFailureThreshold,
		ReplicationMinimumAttempts:  props.Monitoring.ReplicationMinimumAttempts,
		ReplicationWindow:           props.Monitoring.ReplicationWindow,
	})
	if o := props.Monitoring.Storage; o != nil {
		s.Storage = measurement.NewStorageMetrics(s, "Storage", storageProps(prefix, o, s.Topics))
	}
	rules := s.Monitoring.NotifyingRuleNames()
	if props.Monitoring.Latency != nil {
		s.Forwarder = measurement.NewLatencyForwarder(s, "LatencyForwarder", &measurement.LatencyForwarderProps{
			RepositoryPrefix: prefix,
			SourceRegion:     props.SourceRegion,
			SourceAccount:    props.SourceAccount,
		})
		rules = append(rules, s.Forwarder.RuleName)
	}
	s.Delivery = monitoring.NewDeliveryAlarms(s, "Delivery", &monitoring.DeliveryAlarmsProps{
		RuleNames:  rules,
		AlertTopic: s.Topics.Alert,
		NamePrefix: monitoring.DefaultNamePrefix(prefix),
	})
	if props.LifecycleTrail {
		s.Trail = monitoring.NewLifecycleTrail(s, "LifecycleTrail", &monitoring.LifecycleTrailProps{
			NamePrefix: monitoring.DefaultNamePrefix(prefix), Tags: stackTags(prefix),
		})
	}
}

// Repository returns the replica of that full name, or nil.
func (s *ReplicaStack) Repository(name string) *registry.ReplicatedRepository {
	return s.Repositories[name]
}

// repositoryList returns the stack's replicas, by name.
func (s *ReplicaStack) repositoryList() []*registry.ReplicatedRepository {
	return sortedRepositories(s.Repositories)
}
