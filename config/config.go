package config

import (
	"cmp"
	"io/fs"
	"slices"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/policy"
	"github.com/acme-platform/ecr-replication/replication"
)

// Env is what the CDK environment tells the app besides the context.
type Env struct {
	// DefaultAccount is CDK_DEFAULT_ACCOUNT: the account of the credentials
	// cdk runs with, or "" if unknown.
	DefaultAccount string
	// ProjectFiles is the project directory (where cdk runs), from which
	// repositoriesFile is read. nil means the working directory, opened with
	// [os.OpenRoot] so that the file cannot lie outside it, not even through
	// a symbolic link.
	ProjectFiles fs.FS
}

// Encryption is the encryption type of the repositories.
type Encryption string

// Encryption types.
const (
	EncryptionAES256 Encryption = "AES256"
	EncryptionKMS    Encryption = "KMS"
)

// Profile tells production repositories from testing ones; they get
// different lifecycle rules.
type Profile string

// Profiles.
const (
	ProfileProduction Profile = "production"
	ProfileTesting    Profile = "testing"
)

// Repository is one source repository.
type Repository struct {
	// Name is the short name under the prefix, e.g. "production".
	Name string
	// FullName is the ECR repository name, "<repoPrefix>/<name>".
	FullName string
	// Profile selects the lifecycle rules.
	Profile Profile
	// Overrides change the profile's lifecycle settings for this repository
	// alone (set in repositoriesFile); the zero value keeps the profile's.
	Overrides Overrides
}

// Overrides are per-repository changes to a profile's lifecycle settings,
// from repositoriesFile. A zero field keeps the profile's value.
type Overrides struct {
	// ImageCount replaces the profile's image count (productionImageCount or
	// testingImageCount).
	ImageCount int
	// TagPrefixes replace the profile's tag prefixes (productionTagPrefixes or
	// testingTagPrefixes); nil keeps them.
	TagPrefixes []string
	// UntaggedExpiryDays replaces untaggedExpiryDays (production only).
	UntaggedExpiryDays int
	// MaxAgeDays replaces testingMaxAgeDays (testing only).
	MaxAgeDays int
}

// IsZero reports whether o changes nothing.
func (o Overrides) IsZero() bool {
	return o.ImageCount == 0 && o.TagPrefixes == nil && o.UntaggedExpiryDays == 0 && o.MaxAgeDays == 0
}

// Config is the validated configuration of the app. Build it with [Parse]
// or [Default].
type Config struct {
	// SourceRegion holds the source repositories and the replication
	// configuration.
	SourceRegion string
	// DestinationRegions receive the replicas: destinationRegion, then
	// secondaryRegion (unless disabled), then additionalRegions, in that
	// order, without duplicates, and never the source region in the source
	// account. Each region is listed once (the app deploys one replica stack
	// per region); [Config.Destinations] tells each one's account.
	DestinationRegions []string
	// DestinationRegionAccounts are the accounts named with region@account:
	// DestinationRegionAccounts[i] belongs to DestinationRegions[i], "" where
	// that destination gave none (it is then in DestinationAccount). nil when
	// no destination names an account; a shorter slice means "" for the rest.
	DestinationRegionAccounts []string
	// RepoPrefix is the namespace of every repository, e.g. "enterprise-apps".
	RepoPrefix string
	// ProductionRepositories and TestingRepositories are the short names
	// under RepoPrefix of every repository of each profile: those of the
	// productionRepositories or testingRepositories key in the order given,
	// then those of repositoriesFile in file order. A name is in at most one
	// of them.
	ProductionRepositories, TestingRepositories []string
	// RepositoryOverrides are the lifecycle overrides of repositoriesFile, by
	// short name; only repositories with an override have an entry, and nil
	// when none has. [Config.Repositories] attaches them.
	RepositoryOverrides map[string]Overrides

	// ProductionImageCount images are kept per production tag prefix.
	ProductionImageCount int
	// ProductionTagPrefixes are the tag prefixes kept in production
	// repositories; no entry is a prefix of another.
	ProductionTagPrefixes []string
	// UntaggedExpiryDays is the age in days at which untagged images expire.
	UntaggedExpiryDays int
	// TestingImageCount images are kept per testing tag prefix.
	TestingImageCount int
	// TestingTagPrefixes are the tag prefixes kept in testing repositories.
	TestingTagPrefixes []string
	// TestingMaxAgeDays is the age in days at which testing images expire.
	TestingMaxAgeDays int

	// SourceAccount is the 12-digit source account, or "" when it was
	// neither given nor known (allowed only in same-account mode).
	SourceAccount string
	// DestinationAccount is the 12-digit account of the destinations that
	// name none with @; "" means the same account as the source.
	DestinationAccount string
	// PullAccounts are 12-digit accounts granted pull access.
	PullAccounts []string
	// OrganizationID is an AWS Organizations ID (o-…), or "".
	OrganizationID string
	// Encryption of the repositories.
	Encryption Encryption
	// RepositoryStacks is how many stacks hold each region's repositories (1–20; 1: the
	// region's stack).
	RepositoryStacks int
	// AlertEmail receives the alarms, or "".
	AlertEmail string

	// ReplicationFailureThreshold is the failure rate, in percent, at which
	// the replication alarm fires (0 < x ≤ 100).
	ReplicationFailureThreshold float64
	// ReplicationMinimumAttempts replications must have been attempted in
	// the window before the failure-rate alarm can fire.
	ReplicationMinimumAttempts int
	// ReplicationWindowMinutes is the evaluation window of the replication
	// alarms (a multiple of 5, 5–1440).
	ReplicationWindowMinutes int
	// ActivityAlarms turns the repository activity alarms on.
	ActivityAlarms bool
	// ActivityAlarmRepositories are the full names of the repositories watched one by
	// one; nil means the default (every repository when there are at most 10, else none).
	ActivityAlarmRepositories []string
	// AnomalyStdDevs is the width of the anomaly-detection band (1–10).
	AnomalyStdDevs float64
	// EnhancedScanning selects enhanced (Amazon Inspector) registry scanning
	// instead of basic scanning.
	EnhancedScanning bool

	// StorageMetrics measures the logical bytes under the prefix in every region.
	StorageMetrics bool
	// StorageScheduleMinutes is how often storage is measured (5–1440).
	StorageScheduleMinutes int
	// StorageRepositoryMetrics are full repository names that get a storage metric of
	// their own (at most 10).
	StorageRepositoryMetrics []string
	// StorageGrowthAlarmGiB is the daily growth, in GiB per region, above which the
	// storage-growth alarm fires.
	StorageGrowthAlarmGiB float64
	// ReplicationLatency measures replication latency per destination.
	ReplicationLatency bool
	// LatencyAlarmMinutes is the p90 latency threshold of the latency alarms.
	LatencyAlarmMinutes int
	// LifecycleTrail creates the CloudTrail trail that lifecycle notices need.
	LifecycleTrail bool

	// ControlTower asks for templates that pass the AWS Control Tower proactive controls
	// (CloudFormation hooks) that the default deployment fails for cost or behaviour; the
	// README's "AWS Control Tower proactive controls" table lists them.
	ControlTower bool
}

// CrossAccount reports whether images are replicated to another account:
// whether some destination is in an account other than the source's.
func (c *Config) CrossAccount() bool {
	for _, d := range c.Destinations() {
		if d.CrossAccount(c.SourceAccount) {
			return true
		}
	}
	return false
}

// DestinationAccountOrSource returns the account of the destinations that
// name none with @: DestinationAccount, or SourceAccount when no destination
// account was given (which may be "" if the source account is unknown).
func (c *Config) DestinationAccountOrSource() string {
	if c.DestinationAccount != "" {
		return c.DestinationAccount
	}
	return c.SourceAccount
}

// Repositories returns the source repositories: production first, then
// testing, each in the order given, with their overrides.
func (c *Config) Repositories() []Repository {
	repos := make([]Repository, 0, len(c.ProductionRepositories)+len(c.TestingRepositories))
	add := func(names []string, profile Profile) {
		for _, n := range names {
			o := c.RepositoryOverrides[n]
			o.TagPrefixes = slices.Clone(o.TagPrefixes)
			repos = append(repos, Repository{Name: n, FullName: c.RepoPrefix + "/" + n, Profile: profile, Overrides: o})
		}
	}
	add(c.ProductionRepositories, ProfileProduction)
	add(c.TestingRepositories, ProfileTesting)
	return repos
}

// Partition returns the AWS partition of the source region ("aws",
// "aws-cn", "aws-us-gov"); every destination is in the same partition.
func (c *Config) Partition() string {
	return awsid.PartitionOf(c.SourceRegion)
}

// Default returns the recipe defaults: [Parse] of an empty context with an
// unknown account.
func Default() *Config {
	c, err := Parse(nil, Env{})
	if err != nil {
		panic("config: the defaults do not validate: " + err.Error())
	}
	return c
}

// RepositorySettings are the settings one repository carries in the source region and in
// every destination: the app creates the source repository and each replica from them, and
// cmd/verify checks deployed repositories against them.
type RepositorySettings struct {
	Repository
	// TagMutability is IMMUTABLE for production repositories (a release tag never moves)
	// and MUTABLE for testing ones.
	TagMutability replication.TagMutability
	// Lifecycle is the profile's lifecycle policy with the repository's overrides applied.
	Lifecycle lifecycle.Policy
}

// RepositorySettings returns the settings of every repository, in [Config.Repositories]
// order. Each repository's lifecycle is its profile's (the production* or testing* keys) with
// its [Overrides] applied.
func (c *Config) RepositorySettings() []RepositorySettings {
	var out []RepositorySettings
	for _, r := range c.Repositories() {
		o := r.Overrides
		s := RepositorySettings{Repository: r, TagMutability: replication.Mutable}
		if r.Profile == ProfileProduction {
			s.TagMutability = replication.Immutable
			s.Lifecycle = lifecycle.ProductionProfile{
				TagPrefixes:        tagPrefixesOr(o.TagPrefixes, c.ProductionTagPrefixes),
				ImageCount:         cmp.Or(o.ImageCount, c.ProductionImageCount),
				UntaggedExpiryDays: cmp.Or(o.UntaggedExpiryDays, c.UntaggedExpiryDays),
			}.Policy()
		} else {
			s.Lifecycle = lifecycle.TestingProfile{
				TagPrefixes: tagPrefixesOr(o.TagPrefixes, c.TestingTagPrefixes),
				ImageCount:  cmp.Or(o.ImageCount, c.TestingImageCount),
				MaxAgeDays:  cmp.Or(o.MaxAgeDays, c.TestingMaxAgeDays),
			}.Policy()
		}
		out = append(out, s)
	}
	return out
}

// tagPrefixesOr returns the override, or the profile's prefixes when there is none.
func tagPrefixesOr(override, profile []string) []string {
	if override != nil {
		return override
	}
	return profile
}

// TemplateLifecycle is the lifecycle policy of the repository creation template, which shapes
// repositories ECR creates later under the prefix: their tags mean nothing to this app, so
// only untagged images expire.
func (c *Config) TemplateLifecycle() lifecycle.Policy {
	return lifecycle.ExpireUntaggedPolicy(c.UntaggedExpiryDays)
}

// Destinations returns the destination registries, in DestinationRegions order. Each one's
// Account is the one it names (region@account), else DestinationAccount, else SourceAccount
// (which may be "" when unknown).
func (c *Config) Destinations() []replication.Destination {
	out := make([]replication.Destination, 0, len(c.DestinationRegions))
	for i, r := range c.DestinationRegions {
		account := c.DestinationAccountOrSource()
		if i < len(c.DestinationRegionAccounts) && c.DestinationRegionAccounts[i] != "" {
			account = c.DestinationRegionAccounts[i]
		}
		out = append(out, replication.Destination{Region: r, Account: account})
	}
	return out
}

// PullAccess is who besides the registry's own account may pull, as a repository policy: the
// pullAccounts and organizationId of the configuration. For a replica in another account than
// the source (crossAccountReplica) the source account's deploy role is added, since it pulls
// from every region; a repository in the source account (the source's, or a replica's in a
// configuration that also has destinations elsewhere) needs no grant for its own account's role.
func (c *Config) PullAccess(crossAccountReplica bool) policy.PullAccess {
	a := policy.PullAccess{Partition: c.Partition(), Accounts: c.PullAccounts, OrganizationID: c.OrganizationID}
	if crossAccountReplica && c.CrossAccount() {
		a.Roles = []policy.RoleRef{{Account: c.SourceAccount, Name: c.DeployRoleName()}}
	}
	return a
}

// DeployRoleName and CIRoleName are the names of the source account's deploy (pull) and CI
// (push) roles.
func (c *Config) DeployRoleName() string {
	return policy.RoleName(c.RepoPrefix, c.SourceRegion, "pull")
}

// CIRoleName: see DeployRoleName.
func (c *Config) CIRoleName() string { return policy.RoleName(c.RepoPrefix, c.SourceRegion, "push") }
