package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/internal/session"
	"github.com/acme-platform/ecr-replication/replication"
)

// Verifier runs the checks of one configuration.
type Verifier struct {
	// Config is the validated configuration; SourceAccount is known (from the context or
	// the credentials).
	Config *config.Config
	// Source are the clients of the source account; they also serve the destinations in the
	// source account.
	Source Clients
	// SourceProfile names the source profile ("" for the default chain), for the commands the
	// details suggest.
	SourceProfile string
	// Destinations are the credentials of every destination account other than the source
	// account, by account ID. Every account of [config.Config.Destinations] other than the
	// source must have an entry.
	Destinations map[string]AccountClients
	// Images is how many of the most recent images of every source repository are checked.
	Images int
	// BootstrapQualifier is the CDK bootstrap qualifier (context key
	// @aws-cdk/core:bootstrapQualifier, default hnb659fds).
	BootstrapQualifier string
	// Now and Sleep are the clock; Sleep returns early with the context's error.
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
	// Concurrency is how many checks run at once (0 means 1); the requests themselves are
	// bounded by the clients' [Limits].
	Concurrency int
	// Only narrows every check to the namespaces of these prefixes (--namespace); nil checks
	// every namespace of the configuration. Each must be one ([UnknownNamespaces]).
	Only []string

	statusAPI statusAPIState
	// namespaceCache holds Config.Namespaces(), read once (allNamespaces).
	namespaceCache struct {
		once sync.Once
		all  []config.Namespace
	}
	// replicationChange is when the source's replication configuration last changed, looked up
	// once, when a replica is missing (see missingSince).
	replicationChange struct {
		once sync.Once
		at   changeTime
		err  error
	}
}

// NewVerifier returns the verifier of a session: SDK clients for the source account and for
// each destination account other than the source, all within limits, checking images recent
// images per repository, on the given clock.
func NewVerifier(s *session.Session, images int, limits *Limits, now func() time.Time, sleep func(context.Context, time.Duration) error) *Verifier {
	dests := make(map[string]AccountClients, len(s.Destinations))
	for id, a := range s.Destinations {
		dests[id] = AccountClients{Clients: NewSDKClients(a.AWS, limits), Profile: a.Profile}
	}
	return &Verifier{
		Config: s.Config, Source: NewSDKClients(s.Source.AWS, limits), SourceProfile: s.Source.Profile, Destinations: dests,
		Images: images, BootstrapQualifier: s.BootstrapQualifier(), Now: now, Sleep: sleep, Concurrency: limits.Concurrency(),
	}
}

// workers is how many checks run at once.
func (v *Verifier) workers() int { return max(v.Concurrency, 1) }

// AccountClients are the clients of one destination account and the profile they come from
// ("" for the default chain), for the commands the details suggest.
type AccountClients struct {
	Clients Clients
	Profile string
}

// statusAPIState remembers whether DescribeImageReplicationStatus answers, so that an
// endpoint without it is asked once per run: the first call holds mu until it knows.
type statusAPIState struct {
	mu               sync.Mutex
	checked, missing bool
	reason           string
}

// site is one registry the checks read: the source (its region in the source account) or a
// destination (a region in its account), with the clients of that account.
type site struct {
	region, account string
	// replica is true for a destination.
	replica bool
	// cross is true for a destination in another account than the source: its replica stack
	// holds the registry policy, and its replicas let the source account's deploy role pull.
	cross   bool
	clients Clients
	profile string
}

// stack is the name of the site's stack.
func (s site) stack() string {
	if s.replica {
		return replication.ReplicaStackName(replication.DefaultDeploymentID, s.region)
	}
	return replication.SourceStackName(replication.DefaultDeploymentID, s.region)
}

// where names the site in messages about its credentials: "region us-west-2" or, in another
// account, "region us-west-2 of account 333333333333".
func (s site) where() string {
	if s.cross {
		return fmt.Sprintf("region %s of account %s", s.region, s.account)
	}
	return "region " + s.region
}

// source is the source registry.
func (v *Verifier) source() site {
	return site{region: v.Config.SourceRegion, account: v.Config.SourceAccount, clients: v.Source, profile: v.SourceProfile}
}

// destinations are the destination registries of the namespaces checked, in configuration
// order, each with the clients of its account.
func (v *Verifier) destinations() []site {
	var out []site
	for _, d := range v.Config.Destinations() {
		if !slices.ContainsFunc(v.namespaces(), func(n config.Namespace) bool { return slices.Contains(n.Destinations, d) }) {
			continue
		}
		s := site{region: d.Region, account: d.Account, replica: true, clients: v.Source, profile: v.SourceProfile}
		if s.account == "" {
			s.account = v.Config.SourceAccount
		}
		if s.account != v.Config.SourceAccount {
			s.cross = true
			s.clients, s.profile = v.Destinations[s.account].Clients, v.Destinations[s.account].Profile
		}
		out = append(out, s)
	}
	return out
}

// sites is the source, then every destination.
func (v *Verifier) sites() []site { return append([]site{v.source()}, v.destinations()...) }

// ready reports a Verifier built without the clients of a destination account.
func (v *Verifier) ready() error {
	var missing []string
	for _, d := range v.destinations() {
		if d.clients == nil && !slices.Contains(missing, d.account) {
			missing = append(missing, d.account)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no credentials for destination account(s) %s: set Verifier.Destinations", strings.Join(missing, ", "))
	}
	return nil
}

// profileFlag renders " --profile NAME" for the commands suggested in details.
func profileFlag(profile string) string {
	if profile == "" {
		return ""
	}
	return " --profile " + profile
}

// accountRegions groups the regions of the configuration by account: the source account first
// (the source region, then its destinations), then every other destination account in the
// order of its first destination.
func (v *Verifier) accountRegions() (accounts []string, regions map[string][]string) {
	regions = map[string][]string{}
	for _, s := range v.sites() {
		if _, ok := regions[s.account]; !ok {
			accounts = append(accounts, s.account)
		}
		regions[s.account] = append(regions[s.account], s.region)
	}
	return accounts, regions
}

// Subject describes the configuration in one line, for the report's title: the namespaces
// checked, the regions and every account checked (with its regions when there are several).
func (v *Verifier) Subject(mode string) string {
	c := v.Config
	accounts, regions := v.accountRegions()
	desc := "account " + c.SourceAccount
	if len(accounts) > 1 {
		var parts []string
		for i, a := range accounts {
			rs := regions[a]
			if i == 0 {
				rs = append([]string{"source " + rs[0]}, rs[1:]...)
			}
			parts = append(parts, fmt.Sprintf("%s (%s)", a, strings.Join(rs, ", ")))
		}
		desc = "accounts " + strings.Join(parts, ", ")
	}
	var prefixes []string
	for _, n := range v.namespaces() {
		prefixes = append(prefixes, n.Prefix)
	}
	return fmt.Sprintf("ecr-replication verify (%s): %s from %s to %s, %s",
		mode, describePrefixes(prefixes), c.SourceRegion, strings.Join(v.destinationRegions(), ", "), desc)
}

// destinationRegions are the regions of the destinations checked, each once, in order.
func (v *Verifier) destinationRegions() []string {
	var out []string
	for _, d := range v.destinations() {
		if !slices.Contains(out, d.region) {
			out = append(out, d.region)
		}
	}
	return out
}
