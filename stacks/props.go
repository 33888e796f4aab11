package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/constructs/registry"
	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/policy"
	"github.com/acme-platform/ecr-replication/replication"
)

// Repository is one repository that the source stack creates and every replica stack
// pre-creates with the same settings.
type Repository struct {
	// Name is the repository's full name, under the namespace: "enterprise-apps/production".
	// Required.
	Name string
	// Description says what the repository is for, in its URI output ("production profile").
	//
	// Default: - none.
	Description string
	// TagMutability says whether a tag, once pushed, may be moved to another image.
	//
	// Default: replication.Immutable.
	TagMutability replication.TagMutability
	// LifecyclePolicy of the repository in every region.
	//
	// Default: registry.DefaultLifecyclePolicy().
	LifecyclePolicy *lifecycle.Policy
}

// Monitoring configures the monitoring of every stack.
type Monitoring struct {
	// AlertEmail is subscribed to every notification topic ("" for none).
	AlertEmail string
	// ActivityAlarms creates the pull and push anomaly alarms.
	//
	// Default: true.
	ActivityAlarms *bool
	// ActivityRepositories are the repositories watched one by one (a push rule, a pull and a
	// push anomaly alarm, a dashboard widget each); the others are counted together.
	//
	// Default: - every repository when there are at most monitoring.DefaultActivityRepositories,
	// else none.
	ActivityRepositories []string
	// AnomalyStdDevs is the width of the anomaly-detection band.
	//
	// Default: monitoring.DefaultAnomalyStdDevs.
	AnomalyStdDevs float64
	// ReplicationFailureThreshold is the failure rate, in percent, above which each
	// destination's replication alarm fires.
	//
	// Default: monitoring.DefaultReplicationFailureThreshold.
	ReplicationFailureThreshold *float64
	// ReplicationMinimumAttempts replications must be attempted in a window before its
	// failure rate is judged.
	//
	// Default: monitoring.DefaultReplicationMinimumAttempts.
	ReplicationMinimumAttempts *float64
	// ReplicationWindow is the replication alarms' evaluation period, in whole minutes.
	//
	// Default: 1 hour.
	ReplicationWindow awscdk.Duration
	// Storage measures the logical bytes stored under the namespace in every region, with a
	// daily-growth alarm (measurement.StorageMetrics).
	//
	// Default: - not measured.
	Storage *StorageOptions
	// Latency measures replication latency per destination, with a p90 alarm
	// (measurement.ReplicationLatency and a LatencyForwarder in each destination).
	//
	// Default: - not measured.
	Latency *LatencyOptions
	// LifecycleTrail creates a multi-region management-events trail (monitoring.LifecycleTrail)
	// in the source account, and in each destination account that is another account, so that
	// lifecycle notices arrive. Leave it off where a trail exists.
	//
	// Default: false.
	LifecycleTrail bool
}

// SigningOptions configures managed signing.
type SigningOptions struct {
	// ProfileArn is an existing AWS Signer signing profile in the source region.
	//
	// Default: - a Notation signing profile is created (and retained).
	ProfileArn string
}

// StorageOptions configures the storage measurement of every region.
type StorageOptions struct {
	// Schedule is how often storage is measured.
	//
	// Default: 1 hour.
	Schedule awscdk.Duration
	// RepositoryMetrics are full repository names that get a metric of their own (at most 10).
	//
	// Default: - none.
	RepositoryMetrics []string
	// GrowthThresholdBytes is the daily growth per region above which the alarm fires.
	//
	// Default: 10 GiB.
	GrowthThresholdBytes float64
}

// LatencyOptions configures the replication-latency measurement.
type LatencyOptions struct {
	// Threshold is the p90 latency over an hour above which a destination's alarm fires.
	//
	// Default: 30 minutes.
	Threshold awscdk.Duration
}

// Common are the props every stack of one deployment shares.
type Common struct {
	// RepositoryPrefix is the namespace of every repository, such as "enterprise-apps":
	// the one-namespace form. Required unless Namespaces is given.
	RepositoryPrefix string
	// Repositories are created in the source region and pre-created in every destination.
	// Required (at least one) unless Namespaces is given.
	Repositories []Repository
	// Namespaces are the teams of a deployment several teams share, each with its own
	// repositories, destinations and roles, instead of RepositoryPrefix and Repositories. Each
	// namespace's resources are in a construct of its own (named after the prefix), so adding or
	// removing a namespace moves no other logical id; the registry-wide settings (the
	// replication configuration, registry policies, scanning and signing), the keys, the topics
	// and the dashboard are the stacks' and cover every namespace.
	//
	// Default: - the one namespace of RepositoryPrefix.
	Namespaces []Namespace
	// PullAccess lets other accounts or an organization pull, in every region.
	//
	// Default: - nobody outside the registry's own account.
	PullAccess policy.PullAccess
	// KMS encrypts every repository with a customer-managed key of its region (created by
	// each stack, retained).
	//
	// Default: false (AES256).
	KMS bool
	// EnhancedScanning switches every registry to Amazon Inspector scanning of the namespace
	// (a registry-wide singleton: see registry.EnhancedScanning).
	//
	// Default: false (basic scanning on push).
	EnhancedScanning bool
	// DeleteReplication makes ECR mirror the source's deletes and lifecycle expirations to the
	// destinations (registry.ReplicationRule.DeleteReplication): off, replicas keep images the
	// source loses, which is what disaster recovery wants.
	//
	// Default: false.
	DeleteReplication bool
	// DeployRoleTrust and CIRoleTrust say who may assume the deploy (pull) and CI (push) roles:
	// accounts (their own IAM policies then decide who), IAM roles or users, or OIDC web
	// identities of a provider in the source account (a CI service such as GitHub Actions).
	//
	// Default: - the source account.
	DeployRoleTrust, CIRoleTrust []replication.TrustPrincipal
	// ControlTower makes every template pass AWS Control Tower's proactive controls that cost
	// something or change behaviour (the README's table): the repository keys deny
	// kms:CreateGrant except to AWS services (CT.KMS.PR.3); the log groups keep their events a
	// year (CT.CLOUDWATCH.PR.2) and are encrypted with the region's topics key, whose policy
	// then lets CloudWatch Logs use it (CT.CLOUDWATCH.PR.3). Testing repositories IMMUTABLE
	// (CT.ECR.PR.3) come with the repositories' own TagMutability (config does that), and the
	// lifecycle trail is not compatible (config refuses both together).
	//
	// Default: false.
	ControlTower bool
	// DeleteOnDestroy makes `cdk destroy` delete the repositories with their images in every
	// region (RemovalPolicy DESTROY with EmptyOnDelete) and schedule the deletion of their KMS
	// keys: for a sandbox that should leave nothing behind. Never for repositories whose images
	// matter.
	//
	// Default: false: repositories and keys are retained.
	DeleteOnDestroy bool
	// RegistrySettingsRemovalPolicy is what `cdk destroy` does to the registry-wide settings
	// the stacks own (the replication configuration, the destination registry policies, the
	// registry scanning and signing configurations): awscdk.RemovalPolicy_RETAIN leaves them in
	// place.
	//
	// Default: - deleted with the stack (CloudFormation's default): the registry's replication
	// rules are emptied.
	RegistrySettingsRemovalPolicy awscdk.RemovalPolicy
	// Signing turns on ECR managed signing in the source registry (registry.ManagedSigning) for
	// the namespace, and lets the CI role sign (signer:SignPayload on the profile).
	//
	// Default: - no signing.
	Signing *SigningOptions
	// Monitoring configures notifications and alarms.
	Monitoring Monitoring
	// RepositoryStacks, from 2 to MaxRepositoryStacks, puts each region's repositories in that
	// many stacks of their own beside the region's stack (replication.RepositoryStackName), each repository
	// in the stack RepositoryStackIndex picks from its name: adding or removing repositories
	// moves no other one. A stack holds at most 500 resources, about 450 repositories beside the
	// region's monitoring. Changing the number moves most repositories to another stack: the
	// old stack retains them, and the new one must adopt them with `cdk import`.
	//
	// Default: 0 (the repositories are in the region's stack; 1 means the same).
	RepositoryStacks int
}

// repositoryKeyProps are the props of a region's repository key.
func (c *Common) repositoryKeyProps(description string) *registry.RepositoryKeyProps {
	return &registry.RepositoryKeyProps{
		Description: description, RemovalPolicy: c.keyRemovalPolicy(), LimitGrantsToAWSServices: c.ControlTower,
	}
}

// keyRemovalPolicy is the removal policy of the repositories' KMS keys: retained unless the
// repositories are deleted too.
func (c *Common) keyRemovalPolicy() awscdk.RemovalPolicy {
	if c.DeleteOnDestroy {
		return awscdk.RemovalPolicy_DESTROY
	}
	return awscdk.RemovalPolicy_RETAIN
}

// MaxRepositoryStacks is the largest Common.RepositoryStacks.
const MaxRepositoryStacks = 20

func (c *Common) check(p *checks.Problems) {
	if c.RepositoryStacks < 0 || c.RepositoryStacks > MaxRepositoryStacks {
		p.Add("RepositoryStacks", c.RepositoryStacks, fmt.Sprintf("0 or 1 (the region's stack) to %d", MaxRepositoryStacks))
	}
	if c.many() {
		c.checkNamespaces(p)
		return
	}
	checkRepositories(p, "", c.RepositoryPrefix, c.Repositories)
}

// checkRepositories records the problems of one namespace's prefix and repositories, each field
// named after field ("" or "Namespaces[1].").
func checkRepositories(p *checks.Problems, field, prefix string, repos []Repository) {
	if !awsid.IsRepositoryNamespace(prefix) {
		p.Add(field+"RepositoryPrefix", prefix, "a repository namespace such as \"enterprise-apps\"")
	}
	if len(repos) == 0 {
		p.Missing(field+"Repositories", "at least one repository")
	}
	seen := map[string]bool{}
	ids := map[string]string{}
	for i, r := range repos {
		name := fmt.Sprintf("%sRepositories[%d].Name", field, i)
		switch {
		case !awsid.IsRepositoryName(r.Name):
			p.Add(name, r.Name, awsid.RepositoryNameRule)
		case len(r.Name) <= len(prefix)+1 || r.Name[:len(prefix)+1] != prefix+"/":
			p.Add(name, r.Name, fmt.Sprintf("a repository under %s/", prefix))
		case seen[r.Name]:
			p.Add(name, r.Name, "each repository once")
		default:
			// Construct ids (and so logical ids) come from the letters and digits of the
			// name; two names that differ only in separators would share one.
			id := awsid.ConstructID(r.Name[len(prefix)+1:])
			if other, ok := ids[id]; ok {
				p.Add(name, r.Name, fmt.Sprintf("a name whose letters and digits differ from those of %s (both would be construct id %q)", other, id))
			}
			ids[id] = r.Name
		}
		seen[r.Name] = true
		if r.TagMutability != "" && !r.TagMutability.Valid() {
			p.Add(fmt.Sprintf("%sRepositories[%d].TagMutability", field, i), string(r.TagMutability), "IMMUTABLE or MUTABLE")
		}
	}
}

// settings returns a repository's registry settings with the given pull access.
func (r Repository) settings(access policy.PullAccess) registry.RepositorySettings {
	return registry.RepositorySettings{ImageTagMutability: r.TagMutability, LifecyclePolicy: r.LifecyclePolicy, PullAccess: access}
}

// tagStack tags every taggable resource of a stack with the project and the namespace.
// Dashboards are left untagged: cfn-lint 1.51's schema has no Tags on AWS::CloudWatch::Dashboard.
func tagStack(s awscdk.Stack, prefix string) {
	tagProps := &awscdk.TagProps{ExcludeResourceTypes: jsii.Strings("AWS::CloudWatch::Dashboard")}
	for _, tag := range stackTags(prefix) {
		awscdk.Tags_Of(s).Add(jsii.String(tag.Key), jsii.String(tag.Value), tagProps)
	}
}

// stackTags are the tags of every taggable resource of a stack, in order: for tagStack, and for
// the lifecycle trail, a resource Tags.of does not reach.
// With several namespaces (prefix "") there is no RepositoryNamespace tag at the stack level.
func stackTags(prefix string) []monitoring.Tag {
	tags := []monitoring.Tag{{Key: "Project", Value: "ecr-replication"}}
	if prefix != "" {
		tags = append(tags, monitoring.Tag{Key: "RepositoryNamespace", Value: prefix})
	}
	return tags
}

// concreteRegion returns the stack's Env.Region, recording a problem unless it is a known AWS
// region: rule names, ARNs and the dashboard need the region at synth time.
func concreteRegion(props *awscdk.StackProps, problems *checks.Problems, what string) string {
	region := ""
	if props.Env != nil && props.Env.Region != nil {
		region = *props.Env.Region
	}
	if !awsid.IsRegion(region) {
		problems.Add("Env.Region", region, "a known AWS region: the "+what+" stack needs a concrete region")
	}
	return region
}

// logSettings is how a region's log groups (event logs, state machine logs) are kept.
type logSettings struct {
	retention awslogs.RetentionDays
	key       awskms.IKey
	removal   awscdk.RemovalPolicy
}

// logs returns the log settings of a stack whose topics are topics: with ControlTower, a year
// of retention and the topics' key (CT.CLOUDWATCH.PR.2 and PR.3: the key is in every stack
// already, and topicsProps lets CloudWatch Logs use it); with DeleteOnDestroy, event logs go
// with the stack. Otherwise the constructs' defaults: a month, CloudWatch Logs' encryption,
// retained.
func (c *Common) logs(topics *monitoring.NotificationTopics) logSettings {
	var l logSettings
	if c.ControlTower {
		l.retention, l.key = awslogs.RetentionDays_ONE_YEAR, topics.Key
	}
	if c.DeleteOnDestroy {
		l.removal = awscdk.RemovalPolicy_DESTROY
	}
	return l
}

// eventLog returns the props of an event log.
func (l logSettings) eventLog() *monitoring.EventLogProps {
	return &monitoring.EventLogProps{Retention: l.retention, EncryptionKey: l.key, RemovalPolicy: l.removal}
}

// topicsProps are the props of a region's notification topics: their key lets CloudWatch Logs
// use it with ControlTower (logs), and goes with the stack with DeleteOnDestroy.
func (c *Common) topicsProps(email string) *monitoring.NotificationTopicsProps {
	p := &monitoring.NotificationTopicsProps{AlertEmail: email, LogsMayUseKey: c.ControlTower}
	if c.DeleteOnDestroy {
		p.KeyRemovalPolicy = awscdk.RemovalPolicy_DESTROY
	}
	return p
}
