package stacks

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
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

// SourceNamespace is what the source stack holds for one namespace: its roles and its
// monitoring. In the one-namespace form the SourceStack's fields of the same names are the
// namespace's.
type SourceNamespace struct {
	// Prefix is the namespace.
	Prefix string
	// DeployRole may pull from the namespace's repositories in every region of the namespace,
	// and nothing else.
	DeployRole awsiam.Role
	// CIRole may push to (and pull from) the namespace's source repositories, and nothing else.
	CIRole awsiam.Role
	// Monitoring watches the namespace's activity, findings and lifecycle actions.
	Monitoring *monitoring.SourceMonitor
	// Storage measures the namespace's logical bytes in this region; nil when off.
	Storage *measurement.StorageMetrics
	// Latency measures the namespace's replication latency; nil when off.
	Latency *measurement.ReplicationLatency
}

// SourceStack holds what lives in the source account and region: the source repositories, the
// registry's replication configuration and the account's deploy (pull) and CI (push) roles.
type SourceStack struct {
	awscdk.Stack
	// Namespaces are the namespaces' roles and monitoring, by prefix (one in the one-namespace
	// form, also in the fields below).
	Namespaces map[string]*SourceNamespace
	// Dashboard shows every namespace and region.
	Dashboard awscloudwatch.Dashboard
	// Repositories are the source repositories, by full name.
	Repositories map[string]*registry.ReplicatedRepository
	// RepositoryStacks hold the repositories with Common.RepositoryStacks of 2 or more, else
	// nil (they are in this stack).
	RepositoryStacks []awscdk.Stack
	// Replication is the registry's replication configuration.
	Replication *registry.Replication
	// DeployRole may pull from every repository in every region, and nothing else (the
	// one-namespace form; see Namespaces).
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

	eventLog awslogs.LogGroup // shared by the namespaces' monitors, with several
}

// NewSourceStack creates the source stack. It panics with a *checks.Error, naming every
// problem, on bad props. The stack is a scope like any awscdk.Stack: pass it (not its Stack
// field) to constructs of your own.
func NewSourceStack(scope constructs.Construct, id string, props *SourceStackProps) *SourceStack {
	if props == nil {
		props = &SourceStackProps{}
	}
	region := checkSourceStack(scope, id, props)
	s := &SourceStack{Namespaces: map[string]*SourceNamespace{}}
	awscdk.NewStack_Override(s, scope, &id, &props.StackProps)
	parts := props.parts(props.Destinations)
	if props.KMS {
		s.Key = registry.NewRepositoryKey(s, replication.RepositoryKeyID, props.repositoryKeyProps(
			fmt.Sprintf("Encrypts the ECR repositories under %s in %s", describePrefixes(parts), region)))
	}
	s.RepositoryStacks, s.Repositories = addRepositories(scope, id, s, &props.StackProps, &props.Common, parts,
		func(part) policy.PullAccess { return props.PullAccess }, s.Key)
	s.addRegistrySettings(props, parts)
	for _, p := range parts {
		s.Namespaces[p.Prefix] = s.addRoles(props, p, region)
	}
	if props.Signing != nil {
		s.Signing = registry.NewManagedSigning(s, "Signing", &registry.ManagedSigningProps{
			SigningProfileArn: props.Signing.ProfileArn, RepositoryFilters: filters(parts),
			RemovalPolicy: props.RegistrySettingsRemovalPolicy,
		})
		for _, p := range parts {
			s.Signing.GrantSign(s.Namespaces[p.Prefix].CIRole)
		}
	}
	s.addMonitoring(props, parts)
	outputRepositoryURIs(s, parts, s.Repositories)
	for _, p := range parts {
		addRoleOutputs(p, s, s.Namespaces[p.Prefix])
	}
	outputDockerLogin(s)
	tagStack(s, props.tagPrefix())
	if !props.many() {
		n := s.Namespaces[props.RepositoryPrefix]
		s.DeployRole, s.CIRole, s.Monitoring, s.Storage, s.Latency = n.DeployRole, n.CIRole, n.Monitoring, n.Storage, n.Latency
	}
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

// addRegistrySettings adds the registry-wide settings: the enhanced scanning configuration and
// the replication configuration, one rule per namespace.
func (s *SourceStack) addRegistrySettings(props *SourceStackProps, parts []part) {
	if props.EnhancedScanning {
		s.Scanning = registry.NewEnhancedScanning(s, "EnhancedScanning", &registry.EnhancedScanningProps{
			RepositoryFilters: filters(parts), RemovalPolicy: props.RegistrySettingsRemovalPolicy,
		})
	}
	rules := make([]registry.ReplicationRule, 0, len(parts))
	for _, p := range parts {
		rules = append(rules, registry.ReplicationRule{
			Destinations:       p.Destinations,
			RepositoryPrefixes: []string{p.Prefix + "/"},
			DeleteReplication:  p.DeleteReplication,
		})
	}
	s.Replication = registry.NewReplication(s, "Replication", &registry.ReplicationProps{
		RemovalPolicy: props.RegistrySettingsRemovalPolicy, Rules: rules,
	})
}

// addRoles adds a namespace's deploy (pull, every region of the namespace) and CI (push, the
// source) roles. Grants are by namespace, one ARN pattern per region: an enumerated grant would
// name every repository in every region (800 ARNs for 100 repositories in 8 regions), beyond
// IAM's policy size limits; and no grant of one namespace reaches another's repositories.
func (s *SourceStack) addRoles(props *SourceStackProps, p part, region string) *SourceNamespace {
	prefix, scope := p.Prefix, p.scope(s)
	deployRole, ciRole := props.DeployRoleName, props.CIRoleName
	if deployRole == "" || props.many() {
		deployRole = policy.RoleName(prefix, region, "pull")
	}
	if ciRole == "" || props.many() {
		ciRole = policy.RoleName(prefix, region, "push")
	}
	n := &SourceNamespace{Prefix: prefix}
	n.DeployRole = awsiam.NewRole(scope, jsii.String("DeployRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(deployRole),
		AssumedBy:   s.trusted(p.DeployRoleTrust, region),
		Description: jsii.String(fmt.Sprintf("Deployments: pulls images of %s/ in every region; cannot push", prefix)),
	})
	n.CIRole = awsiam.NewRole(scope, jsii.String("CIRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(ciRole),
		AssumedBy:   s.trusted(p.CIRoleTrust, region),
		Description: jsii.String(fmt.Sprintf("CI pipelines: pushes images to %s/ in %s; cannot delete or change policies", prefix, region)),
	})
	here := replication.Destination{Region: region}
	registry.GrantPullOnNamespace(n.DeployRole, "PullEveryRegion", registry.NamespaceGrant{
		Prefix: prefix, Registries: append([]replication.Destination{here}, p.Destinations...),
	})
	registry.GrantPullPushOnNamespace(n.CIRole, "PushToSource", registry.NamespaceGrant{
		Prefix: prefix, Registries: []replication.Destination{here},
	})
	for _, role := range []awsiam.Role{n.DeployRole, n.CIRole} {
		registry.SuppressNamespaceFindings(role.Node().FindChild(jsii.String("DefaultPolicy")), prefix)
	}
	return n
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

// addRoleOutputs adds a namespace's roles' ARNs as outputs, in the namespace's scope (the
// stack in the one-namespace form, whose descriptions name no namespace).
func addRoleOutputs(p part, stack constructs.Construct, n *SourceNamespace) {
	of := ""
	if p.id != "" {
		of = " of " + p.Prefix + "/"
	}
	awscdk.NewCfnOutput(p.scope(stack), jsii.String("DeployRoleArn"), &awscdk.CfnOutputProps{
		Description: jsii.String("Role for deployments: pull-only, every region" + of),
		Value:       n.DeployRole.RoleArn(),
	})
	awscdk.NewCfnOutput(p.scope(stack), jsii.String("CIRoleArn"), &awscdk.CfnOutputProps{
		Description: jsii.String("Role for CI pipelines: push to the source repositories" + of),
		Value:       n.CIRole.RoleArn(),
	})
}

// addMonitoring adds the source region's notification topics; each namespace's monitoring,
// storage and latency measurements (on one shared dashboard with several namespaces); the
// delivery alarms and the lifecycle trail.
func (s *SourceStack) addMonitoring(props *SourceStackProps, parts []part) {
	s.Topics = monitoring.NewNotificationTopics(s, "Notifications", props.topicsProps(props.Monitoring.AlertEmail))
	if props.many() {
		s.Dashboard = awscloudwatch.NewDashboard(s, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
			DashboardName:   jsii.String(*s.StackName()),
			DefaultInterval: awscdk.Duration_Days(jsii.Number(7)),
		})
		s.eventLog = monitoring.NewEventLog(s, "ActivityLog", props.logs(s.Topics).eventLog())
	}
	var rules []string
	for _, p := range parts {
		n := s.Namespaces[p.Prefix]
		rules = append(rules, s.addNamespaceMonitoring(props, p, n)...)
		if s.Dashboard == nil {
			s.Dashboard = n.Monitoring.Dashboard
		}
	}
	namePrefix := props.monitoringNamePrefix(s)
	s.Delivery = monitoring.NewDeliveryAlarms(s, "Delivery", &monitoring.DeliveryAlarmsProps{
		RuleNames: rules, AlertTopic: s.Topics.Alert, NamePrefix: namePrefix,
	})
	if props.Monitoring.LifecycleTrail {
		s.Trail = monitoring.NewLifecycleTrail(s, "LifecycleTrail", &monitoring.LifecycleTrailProps{
			NamePrefix: namePrefix, Tags: stackTags(props.tagPrefix()),
		})
	}
}

// addNamespaceMonitoring adds one namespace's monitor and measurements in its scope, and
// returns the names of its rules that deliver to a target.
func (s *SourceStack) addNamespaceMonitoring(props *SourceStackProps, p part, n *SourceNamespace) []string {
	prefix, scope, mon, logs := p.Prefix, p.scope(s), props.Monitoring, props.logs(s.Topics)
	sourceAccount := ""
	if a := *s.Account(); !awsid.IsToken(a) {
		sourceAccount = a
	}
	if mon.Storage != nil {
		n.Storage = measurement.NewStorageMetrics(scope, "Storage", storageProps(prefix, props.many(), mon.Storage, s.Topics, logs))
	}
	if mon.Latency != nil {
		n.Latency = measurement.NewReplicationLatency(scope, "Latency", &measurement.ReplicationLatencyProps{
			RepositoryPrefix: prefix,
			Destinations:     p.Destinations,
			SourceAccount:    sourceAccount,
			AlertTopic:       s.Topics.Alert,
			LatencyThreshold: mon.Latency.Threshold,
			LogRetention:     logs.retention,
			LogKey:           logs.key,
		})
	}
	names := make([]string, 0, len(p.Repositories))
	for _, r := range p.Repositories {
		names = append(names, r.Name)
	}
	monitorProps := &monitoring.SourceMonitorProps{
		RepositoryPrefix:      prefix,
		RepositoryNames:       names,
		Destinations:          p.Destinations,
		SourceAccount:         sourceAccount,
		AlertTopic:            s.Topics.Alert,
		SecurityTopic:         s.Topics.Security,
		LifecycleTopic:        s.Topics.Lifecycle,
		ActivityAlarms:        mon.ActivityAlarms,
		ActivityRepositories:  within(mon.ActivityRepositories, prefix, props.many()),
		AnomalyStdDevs:        mon.AnomalyStdDevs,
		EnhancedScanning:      props.EnhancedScanning,
		Storage:               mon.Storage != nil,
		Latency:               n.Latency,
		Dashboard:             s.Dashboard,
		EventLog:              s.eventLog,
		EventLogRetention:     logs.retention,
		EventLogKey:           logs.key,
		EventLogRemovalPolicy: logs.removal,
	}
	if mon.Storage != nil {
		monitorProps.StorageRepositoryMetrics = within(mon.Storage.RepositoryMetrics, prefix, props.many())
	}
	n.Monitoring = monitoring.NewSourceMonitor(scope, "Monitoring", monitorProps)
	rules := n.Monitoring.NotifyingRuleNames()
	if n.Latency != nil {
		rules = append(rules, n.Latency.RuleName)
	}
	return rules
}

// within returns the names under prefix/ (with several namespaces, a list of repositories names
// those of every namespace), or names as they are (nil stays nil: the default).
func within(names []string, prefix string, many bool) []string {
	if !many || names == nil {
		return names
	}
	out := []string{}
	for _, n := range names {
		if strings.HasPrefix(n, prefix+"/") {
			out = append(out, n)
		}
	}
	return out
}

// Repository returns the source repository of that full name, or nil.
func (s *SourceStack) Repository(name string) *registry.ReplicatedRepository {
	return s.Repositories[name]
}

// repositoryList returns the stack's repositories, by name.
func (s *SourceStack) repositoryList() []*registry.ReplicatedRepository {
	return sortedRepositories(s.Repositories)
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
func repositoryStacks(scope constructs.Construct, id string, stack awscdk.Stack, props *awscdk.StackProps, c *Common, parts []part) []awscdk.Stack {
	n := c.RepositoryStacks
	if n < 2 {
		return []awscdk.Stack{stack}
	}
	out := make([]awscdk.Stack, 0, n)
	for k := 1; k <= n; k++ {
		sp := *props
		sp.Description = jsii.String(fmt.Sprintf("ecr-replication: repositories under %s in %s, part %d of %d (%s)",
			describePrefixes(parts), *stack.Region(), k, n, id))
		holder := awscdk.NewStack(scope, jsii.String(replication.RepositoryStackName(id, k)), &sp)
		tagStack(holder, c.tagPrefix())
		out = append(out, holder)
	}
	return out
}

// addRepositories creates the repositories of the parts in a region's stack, in stack itself
// or, with c.RepositoryStacks of 2 or more, in that many repository stacks beside it, which it
// returns (nil otherwise). The source and every replica stack call it with the same
// repositories, so they cannot drift. access gives each namespace's repository policy.
func addRepositories(scope constructs.Construct, id string, stack awscdk.Stack, props *awscdk.StackProps, c *Common, parts []part,
	access func(part) policy.PullAccess, key awskms.IKey) ([]awscdk.Stack, map[string]*registry.ReplicatedRepository) {
	holders := repositoryStacks(scope, id, stack, props, c, parts)
	repos := map[string]*registry.ReplicatedRepository{}
	for _, p := range parts {
		pa := access(p)
		for _, r := range p.Repositories {
			holder := holders[RepositoryStackIndex(r.Name, len(holders))]
			rp := &registry.ReplicatedRepositoryProps{RepositoryName: r.Name, RepositorySettings: r.settings(pa)}
			if c.DeleteOnDestroy {
				rp.RemovalPolicy, rp.EmptyOnDelete = awscdk.RemovalPolicy_DESTROY, true
			}
			if key != nil {
				rp.EncryptionKey = key
			}
			repos[r.Name] = registry.NewReplicatedRepository(p.scope(holder), replication.RepositoryConstructID(p.Prefix, r.Name), rp)
		}
	}
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

// MaxRepositoryOutputs is the number of repositories up to which each stack has one URI
// output per repository. A stack holds at most 200 outputs (CloudFormation), so a larger fleet
// gets the registry's URI and the namespace instead: every repository's URI is
// <RegistryUri>/<name>.
const MaxRepositoryOutputs = 20

// outputRepositoryURIs adds an output with each repository's URI, or, beyond
// MaxRepositoryOutputs repositories, the registry URI and each namespace.
func outputRepositoryURIs(stack awscdk.Stack, parts []part, repos map[string]*registry.ReplicatedRepository) {
	total := 0
	for _, p := range parts {
		total += len(p.Repositories)
	}
	if total > MaxRepositoryOutputs {
		awscdk.NewCfnOutput(stack, jsii.String("RegistryUri"), &awscdk.CfnOutputProps{
			Description: jsii.String(fmt.Sprintf("Registry of the %d repositories under %s in %s: each one is <RegistryUri>/<repository name>",
				total, describePrefixes(parts), *stack.Region())),
			Value: jsii.String(fmt.Sprintf("%s.dkr.ecr.%s.%s", *stack.Account(), *stack.Region(), *stack.UrlSuffix())),
		})
		for _, p := range parts {
			awscdk.NewCfnOutput(p.scope(stack), jsii.String("RepositoryNamespace"), &awscdk.CfnOutputProps{
				Description: jsii.String("Namespace of every repository of this deployment"),
				Value:       jsii.String(p.Prefix + "/"),
			})
		}
		return
	}
	for _, p := range parts {
		for _, r := range p.Repositories {
			description := fmt.Sprintf("URI of %s in %s", r.Name, *stack.Region())
			if r.Description != "" {
				description = fmt.Sprintf("URI of %s (%s) in %s", r.Name, r.Description, *stack.Region())
			}
			awscdk.NewCfnOutput(p.scope(stack), jsii.String(replication.RepositoryConstructID(p.Prefix, r.Name)+"Uri"), &awscdk.CfnOutputProps{
				Description: jsii.String(description),
				Value:       repos[r.Name].RepositoryUri(),
			})
		}
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

// storageProps are the StorageMetrics props of a namespace in a stack's region.
func storageProps(prefix string, many bool, o *StorageOptions, topics *monitoring.NotificationTopics, logs logSettings) *measurement.StorageMetricsProps {
	return &measurement.StorageMetricsProps{
		RepositoryPrefix:     prefix,
		Schedule:             o.Schedule,
		RepositoryMetrics:    within(o.RepositoryMetrics, prefix, many),
		GrowthThresholdBytes: o.GrowthThresholdBytes,
		AlertTopic:           topics.Alert,
		LogRetention:         logs.retention,
		LogKey:               logs.key,
	}
}
