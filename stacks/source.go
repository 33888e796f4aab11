package stacks

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/measurement"
	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/policy"
	"github.com/acme-platform/ecr-replication/replication"
)

// SourceStackProps configures a SourceStack. Env.Region must be a concrete region.
type SourceStackProps struct {
	awscdk.StackProps
	Common
	// Destinations receive the replicas. Required: 1 to 25 (ECR's quota of unique
	// destinations).
	Destinations []replication.Destination
	// DeployRoleName and CIRoleName name the deploy (pull) and CI (push) roles.
	//
	// Default: policy.RoleName(RepositoryPrefix, region, "pull") and (…, "push").
	DeployRoleName, CIRoleName string
}

// SourceStack holds what lives in the source account and region: the source repositories, the
// registry's replication configuration and the account's deploy (pull) and CI (push) roles.
type SourceStack struct {
	awscdk.Stack
	// Repositories are the source repositories, by full name.
	Repositories map[string]*registry.ReplicatedRepository
	// RepositoryStacks hold the repositories with Common.RepositoryStacks of 2 or more, else
	// nil (they are in this stack).
	RepositoryStacks []awscdk.Stack
	// Replication is the registry's replication configuration.
	Replication *registry.Replication
	// DeployRole may pull from every repository in every region, and nothing else.
	DeployRole awsiam.Role
	// CIRole may push to (and pull from) the source repositories, and nothing else: no delete,
	// no policy change, no push to replicas (replicas are written by replication only).
	CIRole awsiam.Role
	// Signing is the registry's signing configuration with Common.Signing, else nil.
	Signing *registry.ManagedSigning
	// Scanning is the registry's enhanced scanning configuration with EnhancedScanning, else
	// nil (repositories are then scanned on push, basic scanning).
	Scanning *registry.EnhancedScanning
	// Topics are the region's alert, security and lifecycle topics.
	Topics *monitoring.NotificationTopics
	// Monitoring watches activity, findings and lifecycle actions, and owns the dashboard.
	Monitoring *monitoring.SourceMonitor
	// Storage measures the logical bytes of the namespace in this region; nil when off.
	Storage *measurement.StorageMetrics
	// Latency measures replication latency to every destination; nil when off.
	Latency *measurement.ReplicationLatency
	// Delivery alarms when a rule of this stack fails to deliver to its target.
	Delivery *monitoring.DeliveryAlarms
	// Trail is the lifecycle trail with Monitoring.LifecycleTrail, else nil.
	Trail *monitoring.LifecycleTrail
	// Key encrypts the source repositories with KMS, else nil.
	Key awskms.Key
}

// NewSourceStack creates the source stack. It panics with a *checks.Error, naming every
// problem, on bad props. The stack is a scope like any awscdk.Stack: pass it (not its Stack
// field) to constructs of your own.
func NewSourceStack(scope constructs.Construct, id string, props *SourceStackProps) *SourceStack {
	if props == nil {
		props = &SourceStackProps{}
	}
	region := checkSourceStack(scope, id, props)
	s := &SourceStack{}
	awscdk.NewStack_Override(s, scope, &id, &props.StackProps)
	prefix := props.RepositoryPrefix
	if props.KMS {
		s.Key = registry.NewRepositoryKey(s, "RepositoryKey", props.repositoryKeyProps(
			fmt.Sprintf("Encrypts the ECR repositories under %s/ in %s", prefix, region)))
	}
	s.RepositoryStacks, s.Repositories = addRepositories(scope, id, s, &props.StackProps, &props.Common, props.PullAccess, s.Key)
	if props.EnhancedScanning {
		s.Scanning = registry.NewEnhancedScanning(s, "EnhancedScanning", &registry.EnhancedScanningProps{
			RepositoryFilters: []string{prefix + "/*"}, RemovalPolicy: props.RegistrySettingsRemovalPolicy,
		})
	}
	s.Replication = registry.NewReplication(s, "Replication", &registry.ReplicationProps{
		RemovalPolicy: props.RegistrySettingsRemovalPolicy,
		Rules: []registry.ReplicationRule{{
			Destinations:       props.Destinations,
			RepositoryPrefixes: []string{prefix + "/"},
			DeleteReplication:  props.DeleteReplication,
		}},
	})
	s.addRoles(props, region)
	if props.Signing != nil {
		s.Signing = registry.NewManagedSigning(s, "Signing", &registry.ManagedSigningProps{
			SigningProfileArn: props.Signing.ProfileArn, RepositoryFilters: []string{prefix + "/*"},
			RemovalPolicy: props.RegistrySettingsRemovalPolicy,
		})
		s.Signing.GrantSign(s.CIRole)
	}
	s.addMonitoring(props)
	outputRepositoryURIs(s, &props.Common, s.Repositories)
	s.addRoleOutputs()
	outputDockerLogin(s)
	tagStack(s, prefix)
	return s
}

// checkSourceStack refuses bad props, every problem at once, and returns the stack's region.
func checkSourceStack(scope constructs.Construct, id string, props *SourceStackProps) string {
	problems := checks.For("SourceStack", scope, id)
	props.Common.check(problems)
	region := concreteRegion(&props.StackProps, problems, "source")
	if len(props.Destinations) == 0 {
		problems.Missing("Destinations", "at least one destination region")
	}
	problems.Panic()
	return region
}

// addRoles adds the deploy (pull, every region) and CI (push, the source) roles. Grants are by
// namespace, one ARN pattern per region: an enumerated grant would name every repository in
// every region (800 ARNs for 100 repositories in 8 regions), beyond IAM's policy size limits.
func (s *SourceStack) addRoles(props *SourceStackProps, region string) {
	prefix := props.RepositoryPrefix
	deployRole, ciRole := props.DeployRoleName, props.CIRoleName
	if deployRole == "" {
		deployRole = policy.RoleName(prefix, region, "pull")
	}
	if ciRole == "" {
		ciRole = policy.RoleName(prefix, region, "push")
	}
	s.DeployRole = awsiam.NewRole(s, jsii.String("DeployRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(deployRole),
		AssumedBy:   s.trusted(props.DeployRoleTrust, region),
		Description: jsii.String(fmt.Sprintf("Deployments: pulls images of %s/ in every region; cannot push", prefix)),
	})
	s.CIRole = awsiam.NewRole(s, jsii.String("CIRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(ciRole),
		AssumedBy:   s.trusted(props.CIRoleTrust, region),
		Description: jsii.String(fmt.Sprintf("CI pipelines: pushes images to %s/ in %s; cannot delete or change policies", prefix, region)),
	})
	here := replication.Destination{Region: region}
	registry.GrantPullOnNamespace(s.DeployRole, "PullEveryRegion", registry.NamespaceGrant{
		Prefix: prefix, Registries: append([]replication.Destination{here}, props.Destinations...),
	})
	registry.GrantPullPushOnNamespace(s.CIRole, "PushToSource", registry.NamespaceGrant{
		Prefix: prefix, Registries: []replication.Destination{here},
	})
	for _, role := range []awsiam.Role{s.DeployRole, s.CIRole} {
		registry.SuppressNamespaceFindings(role.Node().FindChild(jsii.String("DefaultPolicy")), prefix)
	}
}

// trusted is the principal a role trusts: the stack's own account by default (or when the
// list names it), other accounts, IAM roles and users by ARN, and OIDC web identities of a
// provider in this account, with the audience and subject conditions
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html).
func (s *SourceStack) trusted(trust []replication.TrustPrincipal, region string) awsiam.IPrincipal {
	if len(trust) == 0 {
		return awsiam.NewAccountRootPrincipal()
	}
	account := *s.Account()
	principals := make([]awsiam.IPrincipal, 0, len(trust))
	for _, t := range trust {
		switch t.Kind() {
		case replication.TrustOIDC:
			conditions := map[string]any{}
			for k, v := range t.OIDCConditions() {
				conditions[k] = v
			}
			principals = append(principals, awsiam.NewWebIdentityPrincipal(jsii.String(t.OIDCProviderARN(awsid.PartitionOf(region), account)), &conditions))
		case replication.TrustIAM:
			principals = append(principals, awsiam.NewArnPrincipal(jsii.String(t.ARN)))
		default:
			if t.Account == "" || t.Account == account {
				principals = append(principals, awsiam.NewAccountRootPrincipal())
			} else {
				principals = append(principals, awsiam.NewAccountPrincipal(jsii.String(t.Account)))
			}
		}
	}
	if len(principals) == 1 {
		return principals[0]
	}
	return awsiam.NewCompositePrincipal(principals...)
}

// addRoleOutputs adds the roles' ARNs as outputs.
func (s *SourceStack) addRoleOutputs() {
	awscdk.NewCfnOutput(s, jsii.String("DeployRoleArn"), &awscdk.CfnOutputProps{
		Description: jsii.String("Role for deployments: pull-only, every region"),
		Value:       s.DeployRole.RoleArn(),
	})
	awscdk.NewCfnOutput(s, jsii.String("CIRoleArn"), &awscdk.CfnOutputProps{
		Description: jsii.String("Role for CI pipelines: push to the source repositories"),
		Value:       s.CIRole.RoleArn(),
	})
}

// addMonitoring adds the source region's notification topics, monitoring and dashboard, the
// storage and latency measurements, the delivery alarms and the lifecycle trail.
func (s *SourceStack) addMonitoring(props *SourceStackProps) {
	prefix := props.RepositoryPrefix
	s.Topics = monitoring.NewNotificationTopics(s, "Notifications", &monitoring.NotificationTopicsProps{
		AlertEmail: props.Monitoring.AlertEmail,
	})
	sourceAccount := ""
	if a := *s.Account(); !awsid.IsToken(a) {
		sourceAccount = a
	}
	mon := props.Monitoring
	if mon.Storage != nil {
		s.Storage = measurement.NewStorageMetrics(s, "Storage", storageProps(prefix, mon.Storage, s.Topics))
	}
	if mon.Latency != nil {
		s.Latency = measurement.NewReplicationLatency(s, "Latency", &measurement.ReplicationLatencyProps{
			RepositoryPrefix: prefix,
			Destinations:     props.Destinations,
			SourceAccount:    sourceAccount,
			AlertTopic:       s.Topics.Alert,
			LatencyThreshold: mon.Latency.Threshold,
		})
	}
	names := make([]string, 0, len(props.Repositories))
	for _, r := range props.Repositories {
		names = append(names, r.Name)
	}
	monitorProps := &monitoring.SourceMonitorProps{
		RepositoryPrefix:     prefix,
		RepositoryNames:      names,
		Destinations:         props.Destinations,
		SourceAccount:        sourceAccount,
		AlertTopic:           s.Topics.Alert,
		SecurityTopic:        s.Topics.Security,
		LifecycleTopic:       s.Topics.Lifecycle,
		ActivityAlarms:       mon.ActivityAlarms,
		ActivityRepositories: mon.ActivityRepositories,
		AnomalyStdDevs:       mon.AnomalyStdDevs,
		EnhancedScanning:     props.EnhancedScanning,
		Storage:              mon.Storage != nil,
		Latency:              s.Latency,
	}
	if mon.Storage != nil {
		monitorProps.StorageRepositoryMetrics = mon.Storage.RepositoryMetrics
	}
	s.Monitoring = monitoring.NewSourceMonitor(s, "Monitoring", monitorProps)
	rules := s.Monitoring.NotifyingRuleNames()
	if s.Latency != nil {
		rules = append(rules, s.Latency.RuleName)
	}
	s.Delivery = monitoring.NewDeliveryAlarms(s, "Delivery", &monitoring.DeliveryAlarmsProps{
		RuleNames:  rules,
		AlertTopic: s.Topics.Alert,
		NamePrefix: monitoring.DefaultNamePrefix(prefix),
	})
	if mon.LifecycleTrail {
		s.Trail = monitoring.NewLifecycleTrail(s, "LifecycleTrail", &monitoring.LifecycleTrailProps{
			NamePrefix: monitoring.DefaultNamePrefix(prefix), Tags: stackTags(prefix),
		})
	}
}

// Repository returns the source repository of that full name, or nil.
func (s *SourceStack) Repository(name string) *registry.ReplicatedRepository {
	return s.Repositories[name]
}

// repositoryList returns the stack's repositories, by name.
func (s *SourceStack) repositoryList() []*registry.ReplicatedRepository {
	return sortedRepositories(s.Repositories)
}

// RepositoryStackName names the k-th (from 1) stack of its own that holds repositories of the
// stack named stack (Common.RepositoryStacks).
func RepositoryStackName(stack string, k int) string {
	return fmt.Sprintf("%s-repositories-%d", stack, k)
}

// RepositoryStackIndex returns which of n repository stacks (from 0) holds the repository
// name: the first 8 bytes of the SHA-256 of the name, big-endian, modulo n. It depends on the
// name and n only, so a repository stays where it is when others are added or removed.
func RepositoryStackIndex(name string, n int) int {
	if n < 2 {
		return 0
	}
	sum := sha256.Sum256([]byte(name))
	return int(binary.BigEndian.Uint64(sum[:8]) % uint64(n))
}

// repositoryStacks returns the stacks that hold a region's repositories: stack itself, or,
// with c.RepositoryStacks of 2 or more, that many stacks of their own beside it in scope, in
// the same environment, tagged like it.
func repositoryStacks(scope constructs.Construct, id string, stack awscdk.Stack, props *awscdk.StackProps, c *Common) []awscdk.Stack {
	n := c.RepositoryStacks
	if n < 2 {
		return []awscdk.Stack{stack}
	}
	out := make([]awscdk.Stack, 0, n)
	for k := 1; k <= n; k++ {
		sp := *props
		sp.Description = jsii.String(fmt.Sprintf("ecr-replication: repositories under %s/ in %s, part %d of %d (%s)",
			c.RepositoryPrefix, *stack.Region(), k, n, id))
		holder := awscdk.NewStack(scope, jsii.String(RepositoryStackName(id, k)), &sp)
		tagStack(holder, c.RepositoryPrefix)
		out = append(out, holder)
	}
	return out
}

// addRepositories creates the repositories of a region's stack, in stack itself or, with
// c.RepositoryStacks of 2 or more, in that many repository stacks beside it, which it returns
// (nil otherwise). The source and every replica stack call it with the same repositories, so
// they cannot drift.
func addRepositories(scope constructs.Construct, id string, stack awscdk.Stack, props *awscdk.StackProps, c *Common, access policy.PullAccess, key awskms.IKey) ([]awscdk.Stack, map[string]*registry.ReplicatedRepository) {
	holders := repositoryStacks(scope, id, stack, props, c)
	repos := newRepositories(holders, c, access, key)
	if len(holders) == 1 {
		return nil, repos
	}
	return holders, repos
}

// sortedRepositories returns repos sorted by name.
func sortedRepositories(repos map[string]*registry.ReplicatedRepository) []*registry.ReplicatedRepository {
	names := slices.Sorted(maps.Keys(repos))
	out := make([]*registry.ReplicatedRepository, 0, len(names))
	for _, n := range names {
		out = append(out, repos[n])
	}
	return out
}

// newRepositories creates one ReplicatedRepository per repository, in the holder
// RepositoryStackIndex picks, by full name.
func newRepositories(holders []awscdk.Stack, c *Common, access policy.PullAccess, key awskms.IKey) map[string]*registry.ReplicatedRepository {
	repos := make(map[string]*registry.ReplicatedRepository, len(c.Repositories))
	ids := repositoryIDs(c)
	for i, r := range c.Repositories {
		stack := holders[RepositoryStackIndex(r.Name, len(holders))]
		props := &registry.ReplicatedRepositoryProps{RepositoryName: r.Name, RepositorySettings: r.settings(access)}
		if c.DeleteOnDestroy {
			props.RemovalPolicy, props.EmptyOnDelete = awscdk.RemovalPolicy_DESTROY, true
		}
		if key != nil {
			props.EncryptionKey = key
		}
		repos[r.Name] = registry.NewReplicatedRepository(stack, ids[i]+"Repository", props)
	}
	return repos
}

// repositoryIDs returns a readable construct id per repository: the PascalCase name under the
// namespace ("team/api-v2" is "TeamApiV2"). It depends on the repository's own name only, so
// adding or removing a repository changes no other repository's id; Common.check refuses two
// names with the same id.
func repositoryIDs(c *Common) []string {
	out := make([]string, 0, len(c.Repositories))
	for _, r := range c.Repositories {
		out = append(out, awsid.ConstructID(r.Name[len(c.RepositoryPrefix)+1:]))
	}
	return out
}

// MaxRepositoryOutputs is the number of repositories up to which each stack has one URI
// output per repository. A stack holds at most 200 outputs (CloudFormation), so a larger fleet
// gets the registry's URI and the namespace instead: every repository's URI is
// <RegistryUri>/<name>.
const MaxRepositoryOutputs = 20

// outputRepositoryURIs adds an output with each repository's URI, or, beyond
// MaxRepositoryOutputs repositories, the registry URI and the namespace.
func outputRepositoryURIs(stack awscdk.Stack, c *Common, repos map[string]*registry.ReplicatedRepository) {
	if len(c.Repositories) > MaxRepositoryOutputs {
		awscdk.NewCfnOutput(stack, jsii.String("RegistryUri"), &awscdk.CfnOutputProps{
			Description: jsii.String(fmt.Sprintf("Registry of the %d repositories under %s/ in %s: each one is <RegistryUri>/<repository name>",
				len(c.Repositories), c.RepositoryPrefix, *stack.Region())),
			Value: jsii.String(fmt.Sprintf("%s.dkr.ecr.%s.%s", *stack.Account(), *stack.Region(), *stack.UrlSuffix())),
		})
		awscdk.NewCfnOutput(stack, jsii.String("RepositoryNamespace"), &awscdk.CfnOutputProps{
			Description: jsii.String("Namespace of every repository of this deployment"),
			Value:       jsii.String(c.RepositoryPrefix + "/"),
		})
		return
	}
	ids := repositoryIDs(c)
	for i, r := range c.Repositories {
		description := fmt.Sprintf("URI of %s in %s", r.Name, *stack.Region())
		if r.Description != "" {
			description = fmt.Sprintf("URI of %s (%s) in %s", r.Name, r.Description, *stack.Region())
		}
		awscdk.NewCfnOutput(stack, jsii.String(ids[i]+"RepositoryUri"), &awscdk.CfnOutputProps{
			Description: jsii.String(description),
			Value:       repos[r.Name].RepositoryUri(),
		})
	}
}

// outputDockerLogin adds an output with the command that logs Docker in to the stack's registry.
func outputDockerLogin(stack awscdk.Stack) {
	awscdk.NewCfnOutput(stack, jsii.String("DockerLoginCommand"), &awscdk.CfnOutputProps{
		Description: jsii.String("Logs Docker in to this registry (needs ecr:GetAuthorizationToken)"),
		Value: jsii.String(fmt.Sprintf(
			"aws ecr get-login-password --region %s | docker login --username AWS --password-stdin %s.dkr.ecr.%s.%s",
			*stack.Region(), *stack.Account(), *stack.Region(), *stack.UrlSuffix())),
	})
}

// storageProps are the StorageMetrics props of a stack's region.
func storageProps(prefix string, o *StorageOptions, topics *monitoring.NotificationTopics) *measurement.StorageMetricsProps {
	return &measurement.StorageMetricsProps{
		RepositoryPrefix:     prefix,
		Schedule:             o.Schedule,
		RepositoryMetrics:    o.RepositoryMetrics,
		GrowthThresholdBytes: o.GrowthThresholdBytes,
		AlertTopic:           topics.Alert,
	}
}
