package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/acme-platform/ecr-replication/config"
)

// Verifier runs the checks of one configuration.
type Verifier struct {
	// Config is the validated configuration; SourceAccount is known (from the context or
	// the credentials).
	Config *config.Config
	// Source are the clients of the source account; Destination those of the account that
	// receives the replicas (the same value in same-account mode).
	Source, Destination Clients
	// SourceProfile and DestinationProfile name the profiles in use ("" for the default
	// chain), for the commands the details suggest.
	SourceProfile, DestinationProfile string
	// Images is how many of the most recent images of every source repository are checked.
	Images int
	// BootstrapQualifier is the CDK bootstrap qualifier (context key
	// @aws-cdk/core:bootstrapQualifier, default hnb659fds).
	BootstrapQualifier string
	// Now and Sleep are the clock; Sleep returns early with the context's error.
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error

	statusAPI statusAPIState
}

// statusAPIState remembers whether DescribeImageReplicationStatus answers, so that an
// endpoint without it is asked once per run.
type statusAPIState struct {
	checked, missing bool
	reason           string
}

// DefaultBootstrapQualifier is the qualifier of `cdk bootstrap` without --qualifier.
const DefaultBootstrapQualifier = "hnb659fds"

// destinationAccount is the account of every destination registry.
func (v *Verifier) destinationAccount() string { return v.Config.DestinationAccountOrSource() }

// clientsFor returns the clients of the account that owns region's resources: the source
// account in the source region, the destination account elsewhere.
func (v *Verifier) clientsFor(region string) Clients {
	if region == v.Config.SourceRegion {
		return v.Source
	}
	return v.Destination
}

// profileFlag renders " --profile NAME" for the commands suggested in details.
func profileFlag(profile string) string {
	if profile == "" {
		return ""
	}
	return " --profile " + profile
}

// profileFor is the profile of the account that owns region's resources.
func (v *Verifier) profileFor(region string) string {
	if region == v.Config.SourceRegion {
		return v.SourceProfile
	}
	return v.DestinationProfile
}

// Subject describes the configuration in one line, for the report's title.
func (v *Verifier) Subject(mode string) string {
	c := v.Config
	accounts := "account " + c.SourceAccount
	if c.CrossAccount() {
		accounts = fmt.Sprintf("accounts %s → %s", c.SourceAccount, c.DestinationAccount)
	}
	return fmt.Sprintf("ecr-replication verify (%s): %s/ from %s to %s, %s",
		mode, c.RepoPrefix, c.SourceRegion, strings.Join(c.DestinationRegions, ", "), accounts)
}

// Stack names, as the app names them (stacks.SourceStackName and stacks.ReplicaStackName;
// that package imports the CDK, which verify must not load). names_test.go keeps them equal.
func sourceStackName(region string) string  { return "ecr-replication-source-" + region }
func replicaStackName(region string) string { return "ecr-replication-replica-" + region }
