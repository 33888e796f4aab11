package stacks

import (
	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/policy"
)

// SourceStackName is the name (and construct id) of the source stack for a source region.
func SourceStackName(region string) string { return "ecr-replication-source-" + region }

// ReplicaStackName is the name (and construct id) of the replica stack for a destination region.
func ReplicaStackName(region string) string { return "ecr-replication-replica-" + region }

// RoleName is the deterministic name of one of the app's IAM roles: see policy.RoleName.
func RoleName(repoPrefix, sourceRegion, kind string) string {
	return policy.RoleName(repoPrefix, sourceRegion, kind)
}

// constructID turns a repository's short name into a readable PascalCase construct id
// (awsid.ConstructID): "production" becomes "Production", "team/api-v2" becomes "TeamApiV2".
func constructID(name string) string { return awsid.ConstructID(name) }
