// Package policy renders, in plain Go, the policy documents ecr-replication deploys: the
// repository policy that lets other accounts, an organization or named roles pull; the
// destination registry policy that lets source accounts replicate; and the action lists and
// role names both are built from. The CDK constructs (package registry) deploy these
// documents and cmd/verify compares deployed policies with them, so both read one source.
//
// It also reads policy documents as IAM means them (document.go): [Canonical] and
// [SameMeaning] compare by meaning, [Statements] and [Strings] read elements that may be one
// value or a list, for cmd/verify and internal/diagram.
package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/acme-platform/ecr-replication/awsid"
)

// PullActions are the repository-policy actions a principal needs to pull an image. They are
// the actions aws-cdk's Repository.GrantPull puts on the repository; ecr:GetAuthorizationToken
// is registry-wide and must come from the caller's own IAM policy, never a repository policy.
var PullActions = []string{
	"ecr:BatchCheckLayerAvailability",
	"ecr:BatchGetImage",
	"ecr:GetDownloadUrlForLayer",
}

// ReplicationActions are the registry-policy actions a source account needs to replicate into
// another account's registry: ecr:ReplicateImage always, and ecr:CreateRepository for
// repositories that do not exist in the destination yet
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry-permissions-create-replication.html).
var ReplicationActions = []string{"ecr:CreateRepository", "ecr:ReplicateImage"}

// PushActions are the actions a principal needs to push an image (the same set as aws-cdk's
// Repository.GrantPush, without ecr:GetAuthorizationToken).
var PushActions = []string{
	"ecr:BatchCheckLayerAvailability",
	"ecr:CompleteLayerUpload",
	"ecr:InitiateLayerUpload",
	"ecr:PutImage",
	"ecr:UploadLayerPart",
}

// PullPushActions are PullActions followed by the PushActions that are not among them: what a
// principal needs to push and pull, without deleting or changing policies.
func PullPushActions() []string {
	out := append([]string(nil), PullActions...)
	for _, a := range PushActions {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// LimitGrantsToAWSServices is the key-policy statement AWS Control Tower's proactive control
// CT.KMS.PR.3 requires, exactly as its rule checks it: deny kms:CreateGrant to every principal
// unless an AWS service integrated with KMS creates the grant for its caller
// (kms:GrantIsForAWSResource) or a service principal asks (aws:PrincipalIsAWSService)
// (https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html#ct-kms-pr-3-description).
func LimitGrantsToAWSServices() map[string]any {
	return map[string]any{
		"Sid":       "LimitGrantsToAWSServices",
		"Effect":    "Deny",
		"Principal": map[string]any{"AWS": "*"},
		"Action":    "kms:CreateGrant",
		"Resource":  "*",
		"Condition": map[string]any{"BoolIfExists": map[string]any{
			"kms:GrantIsForAWSResource": "false",
			"aws:PrincipalIsAWSService": "false",
		}},
	}
}

// PullAccess says who, besides IAM identities of the repository's own account, may pull from a
// repository. It renders to a repository policy: one model serves the repositories this app
// creates and the repository creation template that shapes repositories ECR creates later, so
// both carry the same policy. Every statement is read-only; none has an open principal without
// a condition.
type PullAccess struct {
	// Partition of the ARNs rendered, such as "aws" or "aws-cn".
	//
	// Default: "aws".
	Partition string
	// Accounts whose IAM principals may pull (each account still decides, with its own IAM
	// policies, which of its principals may).
	//
	// Default: - no account.
	Accounts []string
	// OrganizationID lets every principal of this AWS Organizations organization pull,
	// through an aws:PrincipalOrgID condition.
	//
	// Default: - no organization.
	OrganizationID string
	// Roles are IAM role ARNs in other accounts that may pull. ECR refuses policies that name
	// principals which do not exist yet, so each role is expressed as its account's root
	// principal narrowed by an aws:PrincipalArn condition: the policy can be deployed before
	// the role exists, and only that role matches.
	//
	// Default: - no role.
	Roles []RoleRef
}

// RoleRef names an IAM role by account and name, without needing the role to exist.
type RoleRef struct {
	// Account owns the role. Required.
	Account string
	// Name is the role's name (no path). Required.
	Name string
}

// ARN renders the role's ARN in the given partition.
func (r RoleRef) ARN(partition string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partitionOr(partition), r.Account, r.Name)
}

func partitionOr(p string) string {
	if p == "" {
		return "aws"
	}
	return p
}

// IsEmpty reports whether the access grants nothing, in which case no policy is rendered.
func (a PullAccess) IsEmpty() bool {
	return len(a.Accounts) == 0 && a.OrganizationID == "" && len(a.Roles) == 0
}

// UsesOrganizationPrincipal reports whether the policy has the organization statement, whose
// principal is "*" narrowed by aws:PrincipalOrgID.
func (a PullAccess) UsesOrganizationPrincipal() bool { return a.OrganizationID != "" }

// Document renders the repository policy as a JSON-ready value, or nil when IsEmpty. Statements
// carry no Resource element: a repository policy applies to its own repository, and ECR has
// rejected policies with one.
func (a PullAccess) Document() map[string]any {
	if a.IsEmpty() {
		return nil
	}
	p := partitionOr(a.Partition)
	var statements []any
	if len(a.Accounts) > 0 {
		principals := make([]string, 0, len(a.Accounts))
		for _, acct := range a.Accounts {
			principals = append(principals, fmt.Sprintf("arn:%s:iam::%s:root", p, acct))
		}
		statements = append(statements, map[string]any{
			"Sid":       "PullFromAccounts",
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": oneOrMany(principals)},
			"Action":    PullActions,
		})
	}
	if a.OrganizationID != "" {
		statements = append(statements, map[string]any{
			"Sid":       "PullFromOrganization",
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": "*"},
			"Action":    PullActions,
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": a.OrganizationID}},
		})
	}
	byAccount := map[string][]string{}
	for _, r := range a.Roles {
		byAccount[r.Account] = append(byAccount[r.Account], r.ARN(p))
	}
	accounts := make([]string, 0, len(byAccount))
	for acct := range byAccount {
		accounts = append(accounts, acct)
	}
	sort.Strings(accounts)
	for i, acct := range accounts {
		sid := "PullFromRoles"
		if len(accounts) > 1 {
			sid = fmt.Sprintf("PullFromRoles%d", i+1)
		}
		statements = append(statements, map[string]any{
			"Sid":       sid,
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": fmt.Sprintf("arn:%s:iam::%s:root", p, acct)},
			"Action":    PullActions,
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": oneOrMany(byAccount[acct])}},
		})
	}
	return map[string]any{"Version": "2012-10-17", "Statement": statements}
}

// JSON renders Document as compact JSON, or "" when IsEmpty.
func (a PullAccess) JSON() string {
	doc := a.Document()
	if doc == nil {
		return ""
	}
	b, err := json.Marshal(doc)
	if err != nil { // maps of strings and slices always marshal
		panic(fmt.Sprintf("registry: rendering the repository policy: %v", err))
	}
	return string(b)
}

func oneOrMany(values []string) any {
	if len(values) == 1 {
		return values[0]
	}
	return values
}

// ReplicationRegistryPolicy renders the registry permissions policy of a destination registry
// that lets sourceAccounts replicate into it: principal each source account's root (in
// partition), actions ReplicationActions, on resource, normally NamespaceArn of the
// destination region and account. resource is copied as is, so a construct may pass an ARN
// that CloudFormation completes (a token).
func ReplicationRegistryPolicy(partition string, sourceAccounts []string, resource any) map[string]any {
	principals := make([]string, 0, len(sourceAccounts))
	for _, a := range sourceAccounts {
		principals = append(principals, fmt.Sprintf("arn:%s:iam::%s:root", partitionOr(partition), a))
	}
	return map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid":       "ReplicateFromSourceAccounts",
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": oneOrMany(principals)},
			"Action":    ReplicationActions,
			"Resource":  resource,
		}},
	}
}

// NamespaceArn is the ARN of every repository under prefix in one registry:
// arn:<partition>:ecr:<region>:<account>:repository/<prefix>/*.
func NamespaceArn(region, account, prefix string) string {
	return fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s/*", awsid.PartitionOf(region), region, account, prefix)
}

// RoleName is the deterministic name of one of the app's IAM roles ("pull" for the deploy
// role, "push" for the CI role). IAM names are global to an account, so the name carries the
// namespace and the source region; replica stacks in other accounts name the role in their
// repository policies without a cross-stack reference. Names longer than IAM's 64 characters
// are shortened with a hash (awsid.FitKeepingSuffix).
func RoleName(repoPrefix, sourceRegion, kind string) string {
	slug := strings.NewReplacer("/", "-", "_", "-", ".", "-").Replace(repoPrefix)
	return awsid.FitKeepingSuffix(slug, fmt.Sprintf("-%s-ecr-%s", sourceRegion, kind), 64)
}
