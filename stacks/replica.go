package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/measurement"
	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/policy"
	"github.com/acme-platform/ecr-replication/replication"
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

// ReplicaNamespace is what a replica stack holds for one namespace that replicates to its
// region. In the one-namespace form the ReplicaStack's fields of the same names are the
// namespace's.
type ReplicaNamespace struct {
	// Prefix is the namespace.
	Prefix string
	// Template shapes the namespace's replicas that are not pre-created.
	Template *registry.CreationTemplate
	// Monitoring turns the namespace's replication outcomes into notifications, metrics and
	// the failure-rate alarm, and notifies lifecycle expirations.
	Monitoring *monitoring.ReplicationMonitor
	// Storage measures the namespace's logical bytes in this region; nil when off.
	Storage *measurement.StorageMetrics
	// Forwarder sends the namespace's replication events to the source region; nil when off.
	Forwarder *measurement.LatencyForwarder
}

// ReplicaStack holds what lives in one destination region (of the destination account): the
// replicas, pre-created with the source's settings; a repository creation template that shapes
// repositories ECR creates later under the prefix; and, across accounts, the registry policy
// that lets the source account replicate.
type ReplicaStack struct {
	awscdk.Stack
	// Namespaces are the parts of the namespaces that replicate to this region, by prefix (one
	// in the one-namespace form, also in the fields below).
	Namespaces map[string]*ReplicaNamespace
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

	eventLog awslogs.LogGroup // shared by the namespaces' monitors, with several
}

// NewReplicaStack creates a replica stack. It panics with a *checks.Error, naming every
// problem, on bad props. The stack is a scope like any awscdk.Stack. With several namespaces
// (Common.Namespaces), it holds those that replicate to its region.
func NewReplicaStack(scope constructs.Construct, id string, props *ReplicaStackProps) *ReplicaStack {
	if props == nil {
		props = &ReplicaStackProps{}
	}
	region := checkReplicaStack(scope, id, props)
	s := &ReplicaStack{Namespaces: map[string]*ReplicaNamespace{}}
	awscdk.NewStack_Override(s, scope, &id, &props.StackProps)
	parts := props.parts(nil)
	if props.many() {
		parts = props.partsIn(region, nil)
	}
	if props.KMS {
		// The key admits ECR for this account's callers only, even across accounts: ECR creates
		// the replicas here (this stack, or the creation template's role), and "when a repository
		// is created with KMS encryption, Amazon ECR adds a grant to the KMS key with the Amazon
		// ECR repository as the grantee principal", which then serves every push, replication
		// and pull (https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html).
		// The source account never calls KMS for this key.
		s.Key = registry.NewRepositoryKey(s, replication.RepositoryKeyID, props.repositoryKeyProps(
			fmt.Sprintf("Encrypts the ECR replicas under %s in %s", describePrefixes(parts), region)))
	}
	s.RepositoryStacks, s.Repositories = addRepositories(scope, id, s, &props.StackProps, &props.Common, parts, props.replicaAccess, s.Key)
	outputRepositoryURIs(s, parts, s.Repositories)
	s.addRegistrySettings(props, parts)
	for _, p := range parts {
		s.Namespaces[p.Prefix] = &ReplicaNamespace{Prefix: p.Prefix, Template: s.addTemplate(props, p)}
	}
	s.addMonitoring(props, parts)
	outputDockerLogin(s)
	tagStack(s, props.tagPrefix())
	if !props.many() {
		n := s.Namespaces[props.RepositoryPrefix]
		s.Template, s.Monitoring, s.Storage, s.Forwarder = n.Template, n.Monitoring, n.Storage, n.Forwarder
	}
	return s
}

// addRegistrySettings adds the registry-wide settings of the region: the enhanced scanning
// configuration and, across accounts, the registry policy that lets the source account
// replicate the namespaces.
func (s *ReplicaStack) addRegistrySettings(props *ReplicaStackProps, parts []part) {
	if props.EnhancedScanning {
		s.Scanning = registry.NewEnhancedScanning(s, "EnhancedScanning", &registry.EnhancedScanningProps{
			RepositoryFilters: filters(parts), RemovalPolicy: props.RegistrySettingsRemovalPolicy,
		})
	}
	if props.crossAccount() {
		rp := &registry.DestinationRegistryPolicyProps{
			SourceAccounts: []string{props.SourceAccount},
			RemovalPolicy:  props.RegistrySettingsRemovalPolicy,
		}
		if props.many() {
			rp.RepositoryPrefixes = prefixes(parts)
		} else {
			rp.RepositoryPrefix = props.RepositoryPrefix
		}
		s.RegistryPolicy = registry.NewDestinationRegistryPolicy(s, "ReplicationPermission", rp)
	}
}

// addTemplate adds a namespace's repository creation template.
func (s *ReplicaStack) addTemplate(props *ReplicaStackProps, p part) *registry.CreationTemplate {
	templateProps := &registry.CreationTemplateProps{
		Prefix:             p.Prefix,
		ImageTagMutability: templateMutability(p),
		LifecyclePolicy:    props.TemplateLifecycle,
		PullAccess:         props.replicaAccess(p),
	}
	if s.Key != nil {
		templateProps.EncryptionKey = s.Key
	}
	return registry.NewCreationTemplate(p.scope(s), "ReplicationTemplate", templateProps)
}

// templateMutability is the tag mutability of the repositories ECR creates under a namespace
// when it replicates one the stacks do not declare: IMMUTABLE when every repository the
// namespace declares is (a namespace of production repositories only, or every namespace with
// ControlTower), so that the namespace's promise that tags never move holds for them too;
// MUTABLE otherwise, because an immutable replica of a mutable source receives a re-pushed tag
// without it (the image arrives untagged; ECR user guide, replication.html).
func templateMutability(p part) replication.TagMutability {
	for _, r := range p.Repositories {
		if r.TagMutability.Or(replication.Immutable) != replication.Immutable {
			return replication.Mutable
		}
	}
	return replication.Immutable
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

// replicaAccess is who may pull from a namespace's replicas: PullAccess, and across accounts the
// source account's deploy role of the namespace, which pulls from every region.
func (p *ReplicaStackProps) replicaAccess(ns part) policy.PullAccess {
	access := p.PullAccess
	if p.crossAccount() {
		role := p.SourceDeployRoleName
		if role == "" || p.many() {
			role = policy.RoleName(ns.Prefix, p.SourceRegion, "pull")
		}
		access.Roles = append(append([]policy.RoleRef(nil), access.Roles...), policy.RoleRef{Account: p.SourceAccount, Name: role})
	}
	return access
}

// addMonitoring adds the region's notification topics; each namespace's replication monitoring,
// storage measurement and latency forwarder; the delivery alarms and the lifecycle trail.
func (s *ReplicaStack) addMonitoring(props *ReplicaStackProps, parts []part) {
	topics := props.topicsProps(props.Monitoring.AlertEmail)
	topics.SecurityTopic = jsii.Bool(props.EnhancedScanning)
	s.Topics = monitoring.NewNotificationTopics(s, "Notifications", topics)
	if props.many() {
		s.eventLog = monitoring.NewEventLog(s, "EventLog", props.logs(s.Topics).eventLog())
	}
	var rules []string
	for _, p := range parts {
		rules = append(rules, s.addNamespaceMonitoring(props, p, s.Namespaces[p.Prefix])...)
	}
	namePrefix := props.monitoringNamePrefix(s)
	s.Delivery = monitoring.NewDeliveryAlarms(s, "Delivery", &monitoring.DeliveryAlarmsProps{
		RuleNames: rules, AlertTopic: s.Topics.Alert, NamePrefix: namePrefix,
	})
	if props.LifecycleTrail {
		s.Trail = monitoring.NewLifecycleTrail(s, "LifecycleTrail", &monitoring.LifecycleTrailProps{
			NamePrefix: namePrefix, Tags: stackTags(props.tagPrefix()),
		})
	}
}

// addNamespaceMonitoring adds one namespace's monitor, storage measurement and forwarder in its
// scope, and returns the names of its rules that deliver to a target.
func (s *ReplicaStack) addNamespaceMonitoring(props *ReplicaStackProps, p part, n *ReplicaNamespace) []string {
	prefix, scope, logs := p.Prefix, p.scope(s), props.logs(s.Topics)
	n.Monitoring = monitoring.NewReplicationMonitor(scope, "Monitoring", &monitoring.ReplicationMonitorProps{
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
		EventLog:                    s.eventLog,
		EventLogRetention:           logs.retention,
		EventLogKey:                 logs.key,
		EventLogRemovalPolicy:       logs.removal,
	})
	if o := props.Monitoring.Storage; o != nil {
		n.Storage = measurement.NewStorageMetrics(scope, "Storage", storageProps(prefix, props.many(), o, s.Topics, logs))
	}
	rules := n.Monitoring.NotifyingRuleNames()
	if props.Monitoring.Latency != nil {
		n.Forwarder = measurement.NewLatencyForwarder(scope, "LatencyForwarder", &measurement.LatencyForwarderProps{
			RepositoryPrefix: prefix,
			SourceRegion:     props.SourceRegion,
			SourceAccount:    props.SourceAccount,
		})
		rules = append(rules, n.Forwarder.RuleName)
	}
	return rules
}

// Repository returns the replica of that full name, or nil.
func (s *ReplicaStack) Repository(name string) *registry.ReplicatedRepository {
	return s.Repositories[name]
}

// repositoryList returns the stack's replicas, by name.
func (s *ReplicaStack) repositoryList() []*registry.ReplicatedRepository {
	return sortedRepositories(s.Repositories)
}
