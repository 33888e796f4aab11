// Package replication is the plain-Go vocabulary of an ECR replication deployment, shared by the
// configuration (config), the constructs (constructs/registry, constructs/monitoring), the stacks
// and the commands that talk to AWS (cmd/verify, cmd/backfill): where replicated images go
// ([Destination]) and whether a tag may move ([TagMutability]). It imports no jsii package.
package replication

import (
	"fmt"
	"strings"

	"github.com/acme-platform/ecr-replication/awsid"
)

// Destination is one registry that receives replicated images: a region, and the account that
// owns the registry there.
type Destination struct {
	// Region receives the images: a plain region name such as "us-west-2". Required.
	Region string
	// Account owns the destination registry (12 digits). Another account than the source's
	// needs a registry policy in every destination region of that account.
	//
	// Default: "" - the source account.
	Account string
}

// String renders the destination as "region" or "account/region".
func (d Destination) String() string {
	if d.Account == "" {
		return d.Region
	}
	return d.Account + "/" + d.Region
}

// CrossAccount reports whether the destination is in another account than source (the source
// account, "" when unknown: a destination that names an account is then another).
func (d Destination) CrossAccount(source string) bool {
	return d.Account != "" && d.Account != source
}

// AccountOr returns the destination's account, or fallback when it names none.
func (d Destination) AccountOr(fallback string) string {
	if d.Account == "" {
		return fallback
	}
	return d.Account
}

// TagMutability says whether a tag, once pushed, may be moved to another image, spelled as ECR,
// CloudFormation and the AWS SDK spell it.
type TagMutability string

const (
	// Immutable tags never move: a release tag always names the image it was pushed with.
	Immutable TagMutability = "IMMUTABLE"
	// Mutable tags may be pushed again and then name the newer image.
	Mutable TagMutability = "MUTABLE"
)

// Valid reports whether m is Immutable or Mutable.
func (m TagMutability) Valid() bool { return m == Immutable || m == Mutable }

// Or returns m, or fallback when m is empty.
func (m TagMutability) Or(fallback TagMutability) TagMutability {
	if m == "" {
		return fallback
	}
	return m
}

// DefaultDeploymentID is the id of the app's own deployment: the id starts every stack name of
// a deployment (stacks.NewDeployment), so the app's stacks are ecr-replication-source-<region>
// and ecr-replication-replica-<region>.
const DefaultDeploymentID = "ecr-replication"

// SourceStackName is the name (and construct id) of a deployment's source stack.
func SourceStackName(deployment, region string) string { return deployment + "-source-" + region }

// ReplicaStackName is the name (and construct id) of a deployment's replica stack in a
// destination region.
func ReplicaStackName(deployment, region string) string { return deployment + "-replica-" + region }

// RepositoryStackName names the k-th (from 1) stack of its own that holds repositories of the
// stack named stack (stacks.Common.RepositoryStacks).
func RepositoryStackName(stack string, k int) string {
	return fmt.Sprintf("%s-repositories-%d", stack, k)
}

// RepositoryConstructID is the construct id of a repository in its stack (or its namespace's
// construct): the PascalCase name under the namespace, then "Repository" ("team/api-v2" under
// "team" is "ApiV2Repository"), which starts its logical id. It depends on the repository's own
// name only, so adding or removing a repository moves no other.
func RepositoryConstructID(prefix, name string) string {
	return awsid.ConstructID(strings.TrimPrefix(name, prefix+"/")) + "Repository"
}

// RepositoryKeyID is the construct id of a region stack's repository key, which starts its
// logical id.
const RepositoryKeyID = "RepositoryKey"
