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
	// FullName is the ECR repository name, "<prefix>/<name>".
	FullName string
	// Namespace is the prefix of the repository's namespace: RepoPrefix in the one-namespace
	// form, its namespace's Prefix with a fleet file of namespaces.
	Namespace string
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
	// per region); [Config.Destinations] tells each one's account. With a fleet
	// file of namespaces, the regions of every namespace's destinations, in order
	// of first appearance.
	DestinationRegions []string
	// DestinationRegionAccounts are the accounts named with region@account:
	// DestinationRegionAccounts[i] belongs to DestinationRegions[i], "" where
	// that destination gave none (it is then in DestinationAccount). nil when
	// no destination names an account; a shorter slice means "" for the rest.
	DestinationRegionAccounts []string
	// RepoPrefix is the namespace of every repository in the one-namespace form, e.g.
	// "enterprise-apps". With a fleet file of namespaces ([Config.ManyNamespaces]) it is "":
	// each namespace has its own prefix, and code that needs them reads [Config.Namespaces].
	RepoPrefix string
	// ProductionRepositories and TestingRepositories are the short names
	// under RepoPrefix of every repository of each profile: those of the
	// productionRepositories or testingRepositories key in the order given,
	// then those of repositoriesFile in file order. A name is in at most one
	// of them. nil with a fleet file of namespaces (see FleetNamespaces).
	ProductionRepositories, TestingRepositories []string
	// RepositoryOverrides are the lifecycle overrides of repositoriesFile, by
	// short name; only repositories with an override have an entry, and nil
	// when none has. [Config.Repositories] attaches them. nil with a fleet file of
	// namespaces, whose repositories carry their own.
	RepositoryOverrides map[string]Overrides
	// FleetNamespaces are the namespaces of a fleet file of namespaces (namespaces:), in file
	// order, each with its settings resolved (a setting it does not give is the context's);
	// nil in the one-namespace form. Read them through [Config.Namespaces], which covers both
	// forms.
	FleetNamespaces []Namespace
	// DeleteReplication mirrors deletes to the replicas (the replication rule's
	// DeleteReplication): the context's deleteReplication, the default of every namespace.
	DeleteReplication bool

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
	// DeployRoleTrust and CIRoleTrust may assume the deploy (pull) and CI (push) roles:
	// deployRoleTrust and ciRoleTrust, by default the source account alone ({Account:
	// SourceAccount}, "" when it is unknown at synth). They are the default of every namespace.
	DeployRoleTrust, CIRoleTrust []TrustPrincipal
	// Signing has the app create a signing profile (Notation OCI) and sign every image pushed
	// to the source with ECR managed signing. Never together with SigningProfileArn.
	Signing bool
	// SigningProfileArn is an existing AWS Signer signing profile in SourceRegion (possibly
	// of another account) with which ECR managed signing signs every image pushed to the
	// source, or "". See [Config.ManagedSigning].
	SigningProfileArn string
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

	// DeleteOnDestroy has cdk destroy delete the repositories with their images in every
	// region and schedule the deletion of the KMS keys (a sandbox). Never true while a
	// production repository exists unless DeleteProductionOnDestroy is true.
	DeleteOnDestroy bool
	// DeleteProductionOnDestroy confirms DeleteOnDestroy for production repositories; only
	// true together with DeleteOnDestroy.
	DeleteProductionOnDestroy bool
	// RegistrySettingsOnDestroy is what cdk destroy does to the registry-wide singletons.
	RegistrySettingsOnDestroy OnDestroy
}

// Namespace is one team's namespace: its repositories and where they replicate. The
// registry's replication configuration holds one rule per namespace (PREFIX_MATCH
// "<Prefix>/").
type Namespace struct {
	// Prefix is the namespace, e.g. "payments"; no namespace's prefix is another's or
	// under another's.
	Prefix string
	// Destinations receive the namespace's replicas, resolved like [Config.Destinations]:
	// Account is the entry's @account, else destinationAccount, else sourceAccount ("" when
	// unknown). A namespace that names none has the context's destinations.
	Destinations []replication.Destination
	// DeleteReplication mirrors deletes in the namespace's repositories to its destinations.
	DeleteReplication bool
	// DeployRoleTrust and CIRoleTrust may assume the namespace's deploy (pull) and CI (push)
	// roles.
	DeployRoleTrust, CIRoleTrust []TrustPrincipal
	// Repositories are the namespace's repositories, production first, then testing; their
	// FullName is "<Prefix>/<Name>".
	Repositories []Repository
}

// clone returns a deep copy of n.
func (n Namespace) clone() Namespace {
	n.Destinations = slices.Clone(n.Destinations)
	n.DeployRoleTrust, n.CIRoleTrust = slices.Clone(n.DeployRoleTrust), slices.Clone(n.CIRoleTrust)
	repos := make([]Repository, len(n.Repositories))
	for i, r := range n.Repositories {
		r.Overrides.TagPrefixes = slices.Clone(r.Overrides.TagPrefixes)
		repos[i] = r
	}
	n.Repositories = repos
	return n
}

// ManyNamespaces reports whether the fleet file lists namespaces (namespaces:) rather than
// the repositories of one namespace.
func (c *Config) ManyNamespaces() bool { return len(c.FleetNamespaces) > 0 }

// Namespaces returns the namespaces, at least one. With a fleet file of namespaces they are
// FleetNamespaces; otherwise the one namespace is built from RepoPrefix, the context's
// destinations, the repositories of productionRepositories, testingRepositories and
// repositoriesFile, DeleteReplication, DeployRoleTrust and CIRoleTrust. The caller owns the
// result.
func (c *Config) Namespaces() []Namespace {
	if c.ManyNamespaces() {
		out := make([]Namespace, len(c.FleetNamespaces))
		for i, n := range c.FleetNamespaces {
			out[i] = n.clone()
		}
		return out
	}
	return []Namespace{{
		Prefix:            c.RepoPrefix,
		Destinations:      c.Destinations(),
		DeleteReplication: c.DeleteReplication,
		DeployRoleTrust:   slices.Clone(c.DeployRoleTrust),
		CIRoleTrust:       slices.Clone(c.CIRoleTrust),
		Repositories:      c.Repositories(),
	}}
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
// testing, each in the order given, with their overrides. With a fleet file of namespaces,
// those of every namespace, namespace after namespace.
func (c *Config) Repositories() []Repository {
	if c.ManyNamespaces() {
		var repos []Repository
		for _, n := range c.Namespaces() {
			repos = append(repos, n.Repositories...)
		}
		return repos
	}
	repos := make([]Repository, 0, len(c.ProductionRepositories)+len(c.TestingRepositories))
	add := func(names []string, profile Profile) {
		for _, n := range names {
			o := c.RepositoryOverrides[n]
			o.TagPrefixes = slices.Clone(o.TagPrefixes)
			repos = append(repos, Repository{Name: n, FullName: c.RepoPrefix + "/" + n, Namespace: c.RepoPrefix, Profile: profile, Overrides: o})
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
// (which may be "" when unknown). With a fleet file of namespaces, the union of every
// namespace's destinations, each once, in order of first appearance (each region in one
// account only: the app deploys one replica stack per region).
func (c *Config) Destinations() []replication.Destination {
	if c.ManyNamespaces() {
		var out []replication.Destination
		for _, n := range c.FleetNamespaces {
			for _, d := range n.Destinations {
				if !slices.Contains(out, d) {
					out = append(out, d)
				}
			}
		}
		return out
	}
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
// (push) roles of the one-namespace form (they derive from RepoPrefix). With a fleet file of
// namespaces RepoPrefix is "": a namespace's roles are policy.RoleName(n.Prefix, SourceRegion,
// "pull" or "push").
func (c *Config) DeployRoleName() string {
	return policy.RoleName(c.RepoPrefix, c.SourceRegion, "pull")
}

// CIRoleName: see DeployRoleName.
func (c *Config) CIRoleName() string { return policy.RoleName(c.RepoPrefix, c.SourceRegion, "push") }
