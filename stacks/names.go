package stacks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
)

// SourceStackName is the name (and construct id) of the source stack for a source region.
func SourceStackName(region string) string { return "ecr-replication-source-" + region }

// ReplicaStackName is the name (and construct id) of the replica stack for a destination region.
func ReplicaStackName(region string) string { return "ecr-replication-replica-" + region }

// RoleName is the deterministic name of one of the app's IAM roles ("pull" for the deploy role,
// "push" for the CI role). IAM names are global to an account, so the name carries the
// namespace and the source region; replica stacks in other accounts name the role in their
// repository policies without a cross-stack reference. Names longer than IAM's 64 characters
// are shortened with a hash.
func RoleName(repoPrefix, sourceRegion, kind string) string {
	slug := strings.NewReplacer("/", "-", "_", "-", ".", "-").Replace(repoPrefix)
	name := fmt.Sprintf("%s-%s-ecr-%s", slug, sourceRegion, kind)
	if len(name) <= 64 {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	tail := fmt.Sprintf("-%s-ecr-%s-%s", sourceRegion, kind, hex.EncodeToString(sum[:])[:8])
	return slug[:64-len(tail)] + tail
}

// constructID turns a repository's short name into a readable PascalCase construct id:
// "production" becomes "Production", "team/api-v2" becomes "TeamApiV2".
func constructID(name string) string {
	var b strings.Builder
	upper := true
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
