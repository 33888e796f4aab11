// Package awsid holds the rules for AWS identifiers that ecr-replication validates: ECR
// repository names, region names and their partitions, account and organization ids, the
// shortening of generated names to a service's length limit, and the handling of unresolved
// CDK tokens.
//
// It is plain Go (no jsii), so the context parser can use it before the CDK starts, and every
// construct checks its props with the same rules. A value that is an unresolved CDK token is
// never validated here: [IsToken] reports it, and callers pass it through to CloudFormation.
package awsid

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Repository names.
//
// ECR's CreateRepository API documents the repository name as 2 to 256 characters matching
// (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*
// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html). The
// aws-cdk L2 awsecr.Repository checks the same pattern, so a name accepted here is accepted
// there.
const (
	MinRepositoryNameLength = 2
	MaxRepositoryNameLength = 256
)

var repositoryName = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

// RepositoryNameRule says in words what a repository name must look like, for error messages.
const RepositoryNameRule = "2-256 characters: '/'-separated components of lower-case letters and digits, " +
	"with single '.', '_' or '-' only between letters or digits, such as enterprise-apps/api"

// IsRepositoryName reports whether s is a valid ECR repository name.
func IsRepositoryName(s string) bool {
	return len(s) >= MinRepositoryNameLength && len(s) <= MaxRepositoryNameLength && repositoryName.MatchString(s)
}

// IsRepositoryNamespace reports whether s is a valid namespace (the part of a repository name
// before a '/', like "enterprise-apps" or "team/apps"): the repository-name grammar, of any
// length from 1 that leaves room for "/<name>" within 256 characters. A trailing "/" is not
// part of a namespace.
func IsRepositoryNamespace(s string) bool {
	return len(s) >= 1 && len(s) <= MaxRepositoryNameLength-2 && repositoryName.MatchString(s)
}

// Accounts and organizations.

var (
	account        = regexp.MustCompile(`^[0-9]{12}$`)
	organizationID = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
)

// AccountRule and OrganizationIDRule say in words what the ids look like.
const (
	AccountRule        = "a 12-digit AWS account ID such as 123456789012"
	OrganizationIDRule = "an AWS Organizations ID matching ^o-[a-z0-9]{10,32}$, such as o-a1b2c3d4e5"
)

// IsAccount reports whether s is a 12-digit AWS account id.
func IsAccount(s string) bool { return account.MatchString(s) }

// IsOrganizationID reports whether s is an AWS Organizations id (o-…).
func IsOrganizationID(s string) bool { return organizationID.MatchString(s) }

// Regions and partitions.

// Partitions.
const (
	PartitionAWS   = "aws"
	PartitionChina = "aws-cn"
	PartitionGov   = "aws-us-gov"
)

// regions lists the regions ecr-replication accepts, with their partition (ECR replicates
// only within a partition: https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html).
var regions = map[string]string{
	"af-south-1": PartitionAWS, "ap-east-1": PartitionAWS, "ap-east-2": PartitionAWS,
	"ap-northeast-1": PartitionAWS, "ap-northeast-2": PartitionAWS, "ap-northeast-3": PartitionAWS,
	"ap-south-1": PartitionAWS, "ap-south-2": PartitionAWS,
	"ap-southeast-1": PartitionAWS, "ap-southeast-2": PartitionAWS, "ap-southeast-3": PartitionAWS,
	"ap-southeast-4": PartitionAWS, "ap-southeast-5": PartitionAWS,
	"ap-southeast-6": PartitionAWS, // Asia Pacific (New Zealand)
	"ap-southeast-7": PartitionAWS,
	"ca-central-1":   PartitionAWS, "ca-west-1": PartitionAWS,
	"eu-central-1": PartitionAWS, "eu-central-2": PartitionAWS, "eu-north-1": PartitionAWS,
	"eu-south-1": PartitionAWS, "eu-south-2": PartitionAWS,
	"eu-west-1": PartitionAWS, "eu-west-2": PartitionAWS, "eu-west-3": PartitionAWS,
	"il-central-1": PartitionAWS, "me-central-1": PartitionAWS, "me-south-1": PartitionAWS,
	"mx-central-1": PartitionAWS, "sa-east-1": PartitionAWS,
	"us-east-1": PartitionAWS, "us-east-2": PartitionAWS, "us-west-1": PartitionAWS, "us-west-2": PartitionAWS,
	"cn-north-1": PartitionChina, "cn-northwest-1": PartitionChina,
	"us-gov-east-1": PartitionGov, "us-gov-west-1": PartitionGov,
}

// IsRegion reports whether s is a region ecr-replication knows.
func IsRegion(s string) bool { _, ok := regions[s]; return ok }

// Regions returns every known region, sorted.
func Regions() []string {
	out := make([]string, 0, len(regions))
	for r := range regions {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// PartitionOf returns the partition of a region: the table's entry for a known region, else
// the partition its name prefix implies ("cn-" is aws-cn, "us-gov-" aws-us-gov, the ISO and
// EUSC prefixes theirs), else "aws".
func PartitionOf(region string) string {
	if p, ok := regions[region]; ok {
		return p
	}
	for _, p := range []struct{ prefix, partition string }{
		{"cn-", PartitionChina},
		{"us-gov-", PartitionGov},
		{"us-isob-", "aws-iso-b"},
		{"us-isof-", "aws-iso-f"},
		{"us-iso-", "aws-iso"},
		{"eu-isoe-", "aws-iso-e"},
		{"eusc-", "aws-eusc"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return PartitionAWS
}

// RegionHint suggests the region a mistyped value probably meant: the same name in lower
// case, or the region of an availability zone ("us-east-1a"); "" when there is none.
func RegionHint(s string) string {
	if lower := strings.ToLower(s); lower != s && IsRegion(lower) {
		return lower
	}
	if az := strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyz"); az != s && IsRegion(az) {
		return az
	}
	return ""
}

// Tokens.

// IsToken reports whether s holds an unresolved CDK token ("${Token[…]}" for strings,
// "#{Token[…]}" for lists). A token's value is known only at deploy time: it is not
// validated, and callers pass it through.
func IsToken(s string) bool {
	return strings.Contains(s, "${Token[") || strings.Contains(s, "#{Token[")
}

// Name shortening.

// Fit returns name when it has at most max characters; otherwise it cuts name and ends it
// with "-" and the first 8 hex digits of the SHA-256 of the whole name, so that two long names
// stay distinct and the result is the same on every run. max must be at least 10.
func Fit(name string, max int) string {
	if len(name) <= max {
		return name
	}
	if max < 10 {
		panic(fmt.Sprintf("awsid.Fit: max %d leaves no room for the hash", max))
	}
	return strings.TrimRight(name[:max-9], "-_.") + "-" + hash8(name)
}

// FitKeepingSuffix is Fit for names whose end must survive (such as "-ecr-pull" in a role
// name): the head is cut and the suffix kept before the hash.
func FitKeepingSuffix(head, suffix string, max int) string {
	name := head + suffix
	if len(name) <= max {
		return name
	}
	tail := suffix + "-" + hash8(name)
	if len(tail) >= max {
		return Fit(name, max)
	}
	return strings.TrimRight(head[:max-len(tail)], "-_.") + tail
}

func hash8(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:8]
}

// Construct ids.

// ConstructID turns a name (such as a repository's name under its namespace) into a readable
// PascalCase construct id made of its letters and digits: "production" becomes "Production",
// "team/api-v2" becomes "TeamApiV2". It depends on the name alone, so ids derived from it do
// not shift when other names are added or removed; two names that differ only in separators
// share an id, which callers must refuse.
func ConstructID(name string) string {
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
