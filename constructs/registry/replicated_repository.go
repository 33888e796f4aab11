package registry

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/policy"
	"github.com/acme-platform/ecr-replication/replication"

	"github.com/acme-platform/ecr-replication/internal/nag"
)

// RepositorySettings are what a repository carries in every region: ECR replicates images
// only, so a replica matches its source only when it is created with the same settings.
// [IReplicatedRepository.Settings] returns them for the source; pass them to the replica.
type RepositorySettings struct {
	// ImageTagMutability says whether a tag, once pushed, may be moved to another image.
	//
	// Default: replication.Immutable.
	ImageTagMutability replication.TagMutability
	// LifecyclePolicy decides which images ECR expires. It is validated (every constraint ECR
	// enforces) and rendered by the lifecycle package, so what is deployed is exactly what
	// `lifecycle-preview` explains.
	//
	// Default: - untagged images older than 1 day expire; tagged images are never expired.
	LifecyclePolicy *lifecycle.Policy
	// PullAccess lets other accounts, an organization or roles in other accounts pull, through
	// the repository policy.
	//
	// Default: - no repository policy: only IAM identities of this account, through their own
	// IAM policies.
	PullAccess policy.PullAccess
	// ImageScanOnPush turns on basic scanning of every pushed image, through the repository's
	// scanning configuration. It leaves the registry-wide scanning configuration alone.
	//
	// Default: true.
	ImageScanOnPush *bool
}

// withDefaults returns the settings with every default filled in.
func (s RepositorySettings) withDefaults() RepositorySettings {
	s.ImageTagMutability = s.ImageTagMutability.Or(replication.Immutable)
	if s.LifecyclePolicy == nil {
		p := DefaultLifecyclePolicy()
		s.LifecyclePolicy = &p
	}
	if s.ImageScanOnPush == nil {
		s.ImageScanOnPush = jsii.Bool(true)
	}
	return s
}

func (s RepositorySettings) check(p *checks.Problems) {
	if s.LifecyclePolicy != nil {
		if _, err := s.LifecyclePolicy.JSON(); err != nil {
			p.Wrap("LifecyclePolicy", err)
		}
	}
	if s.ImageTagMutability != "" && !s.ImageTagMutability.Valid() {
		p.Add("ImageTagMutability", string(s.ImageTagMutability), "IMMUTABLE or MUTABLE")
	}
	for i, a := range s.PullAccess.Accounts {
		if !awsid.IsToken(a) && !awsid.IsAccount(a) {
			p.Add(fmt.Sprintf("PullAccess.Accounts[%d]", i), a, awsid.AccountRule)
		}
	}
	if o := s.PullAccess.OrganizationID; o != "" && !awsid.IsToken(o) && !awsid.IsOrganizationID(o) {
		p.Add("PullAccess.OrganizationID", o, awsid.OrganizationIDRule)
	}
	for i, r := range s.PullAccess.Roles {
		if !awsid.IsToken(r.Account) && !awsid.IsAccount(r.Account) {
			p.Add(fmt.Sprintf("PullAccess.Roles[%d].Account", i), r.Account, awsid.AccountRule)
		}
		if r.Name == "" {
			p.Missing(fmt.Sprintf("PullAccess.Roles[%d].Name", i), "an IAM role name")
		}
	}
}

// checkRepository refuses, all problems at once, a repository's name and settings.
func checkRepository(kind string, scope constructs.Construct, id, name, required string, settings RepositorySettings) {
	problems := checks.For(kind, scope, id)
	switch {
	case name == "":
		problems.Missing("RepositoryName", required)
	case !awsid.IsToken(name) && !awsid.IsRepositoryName(name):
		problems.Add("RepositoryName", name, awsid.RepositoryNameRule)
	}
	settings.check(problems)
	problems.Panic()
}

// DefaultLifecyclePolicy is the policy a repository gets when none is given: untagged images
// older than one day expire, and tagged images are never expired.
func DefaultLifecyclePolicy() lifecycle.Policy { return lifecycle.ExpireUntaggedPolicy(1) }

// ReplicatedRepositoryProps configures a ReplicatedRepository.
type ReplicatedRepositoryProps struct {
	// RepositoryName is the repository's full name, such as "enterprise-apps/production". The
	// same name is used in every region, because replication keeps names as they are.
	// Required.
	RepositoryName string
	// RepositorySettings are the tag mutability, lifecycle policy, pull access and scanning of
	// the repository, the same in every region.
	RepositorySettings
	// EncryptionKey encrypts the repository with a customer-managed KMS key of the
	// repository's region.
	//
	// Default: - AES256 with an AWS-owned key, stated explicitly in the template.
	EncryptionKey awskms.IKey
	// RemovalPolicy says what `cdk destroy` does to the repository and its images.
	//
	// Default: awscdk.RemovalPolicy_RETAIN: the repository and its images outlive the stack.
	RemovalPolicy awscdk.RemovalPolicy
}

// IReplicatedRepository is an ECR repository whose settings are known, so that replicas in
// other regions and accounts can be created identical to it. It can be used wherever an
// awsecr.IRepository is expected.
type IReplicatedRepository interface {
	awsecr.IRepository
	// Settings returns the repository's settings with every default filled in: create each
	// replica with them (changing only what must differ in another account, such as
	// PullAccess).
	Settings() RepositorySettings
}

// ReplicatedRepository is an ECR repository meant to be replicated: the same construct builds
// the source repository and each pre-created replica, so that every region carries the same
// tag mutability, lifecycle policy, encryption and repository policy. A replica ECR creates
// itself gets defaults (mutable tags, no lifecycle, no policy) unless it is created
// beforehand, as this construct does, or shaped by a CreationTemplate.
//
// It is an awsecr.IRepository (an awsecr.RepositoryBase: every grant, event and URI method of
// the L2 works on it, and it can be passed to any API that takes an awsecr.IRepository). It
// renders the AWS::ECR::Repository itself rather than through the awsecr.Repository L2, which
// costs several times more synthesis time per repository and matters for a fleet of hundreds
// in every region. The resource sits at "<id>/Resource/Resource", the path (and so the
// CloudFormation logical id) the L2 gave it.
type ReplicatedRepository struct {
	awsecr.RepositoryBase
	name     string
	settings RepositorySettings
	resource awsecr.CfnRepository
	base     []any                 // the PullAccess statements
	policy   awsiam.PolicyDocument // created by the first AddToResourcePolicy
}

// Settings implements IReplicatedRepository.
func (r *ReplicatedRepository) Settings() RepositorySettings { return r.settings }

// RepositoryName returns the repository's name (a reference to the resource, so that users of
// it depend on it).
func (r *ReplicatedRepository) RepositoryName() *string { return r.resource.Ref() }

// RepositoryArn returns the repository's ARN.
func (r *ReplicatedRepository) RepositoryArn() *string { return r.resource.AttrArn() }

// Resource returns the CloudFormation repository.
func (r *ReplicatedRepository) Resource() awsecr.CfnRepository { return r.resource }

// AddToResourcePolicy adds a statement to the repository policy (after the PullAccess
// statements). Like the L2, a statement must have no Resource element (a repository policy
// applies to its own repository).
func (r *ReplicatedRepository) AddToResourcePolicy(statement awsiam.PolicyStatement) *awsiam.AddToResourcePolicyResult {
	if r.policy == nil {
		r.policy = awsiam.NewPolicyDocument(nil)
		for _, st := range r.base {
			r.policy.AddStatements(awsiam.PolicyStatement_FromJson(st))
		}
		r.resource.SetRepositoryPolicyText(r.policy)
	}
	r.policy.AddStatements(statement)
	return &awsiam.AddToResourcePolicyResult{StatementAdded: jsii.Bool(true), PolicyDependable: r.resource}
}

// NewReplicatedRepository creates the repository. It panics, naming every problem at once, when
// props are invalid (the CDK contract for construct misuse).
func NewReplicatedRepository(scope constructs.Construct, id string, p *ReplicatedRepositoryProps) *ReplicatedRepository {
	if p == nil {
		p = &ReplicatedRepositoryProps{}
	}
	checkRepository("ReplicatedRepository", scope, id, p.RepositoryName, "a repository name such as \"enterprise-apps/production\"", p.RepositorySettings)

	settings := p.RepositorySettings.withDefaults()
	policyJSON, _ := settings.LifecyclePolicy.JSON() // validated above
	removal := p.RemovalPolicy
	if removal == "" {
		removal = awscdk.RemovalPolicy_RETAIN
	}
	// AES256 is stated in the template (the L2 renders nothing for it), so a reviewer sees it.
	encryption := &awsecr.CfnRepository_EncryptionConfigurationProperty{EncryptionType: jsii.String("AES256")}
	if p.EncryptionKey != nil {
		encryption = &awsecr.CfnRepository_EncryptionConfigurationProperty{EncryptionType: jsii.String("KMS"), KmsKey: p.EncryptionKey.KeyArn()}
	}
	cfnProps := &awsecr.CfnRepositoryProps{
		RepositoryName:             jsii.String(p.RepositoryName),
		ImageTagMutability:         jsii.String(string(settings.ImageTagMutability)),
		ImageScanningConfiguration: &awsecr.CfnRepository_ImageScanningConfigurationProperty{ScanOnPush: settings.ImageScanOnPush},
		LifecyclePolicy:            &awsecr.CfnRepository_LifecyclePolicyProperty{LifecyclePolicyText: jsii.String(policyJSON)},
		EncryptionConfiguration:    encryption,
	}
	var base []any
	if doc := settings.PullAccess.Document(); doc != nil {
		base = doc["Statement"].([]any)
		cfnProps.RepositoryPolicyText = doc
	}

	r := &ReplicatedRepository{name: p.RepositoryName, settings: settings, base: base}
	wrapper := constructs.NewConstruct(scope, &id)
	awsecr.NewRepositoryBase_Override(r, wrapper, jsii.String("Resource"), &awscdk.ResourceProps{PhysicalName: jsii.String(p.RepositoryName)})
	r.resource = awsecr.NewCfnRepository(r, jsii.String("Resource"), cfnProps)
	r.resource.ApplyRemovalPolicy(removal, nil)
	if settings.PullAccess.UsesOrganizationPrincipal() {
		nag.Suppress(r.resource, false, nag.Suppression{
			ID: "AwsSolutions-ECR1",
			Reason: fmt.Sprintf("the only '*' principal is narrowed by aws:PrincipalOrgID to organization %s and may only pull",
				settings.PullAccess.OrganizationID),
		})
	}
	return r
}

// ReplicaProps returns the props of a replica of this repository: the same name and settings,
// no key (a key is regional: pass the replica region's own). Change PullAccess where the
// replica's account needs other principals.
func (r *ReplicatedRepository) ReplicaProps() *ReplicatedRepositoryProps {
	return &ReplicatedRepositoryProps{RepositoryName: r.name, RepositorySettings: r.settings}
}

// ImportedRepositoryProps names an existing repository and the settings it carries.
type ImportedRepositoryProps struct {
	// RepositoryName of the existing repository, in scope's account and region. Required.
	RepositoryName string
	// RepositorySettings the repository is known to carry (this construct changes nothing on
	// it); replicas created from Settings() then match it.
	RepositorySettings
}

type importedRepository struct {
	awsecr.RepositoryBase
	name     string
	arn      *string
	settings RepositorySettings
}

func (r *importedRepository) RepositoryName() *string      { return jsii.String(r.name) }
func (r *importedRepository) RepositoryArn() *string       { return r.arn }
func (r *importedRepository) Settings() RepositorySettings { return r.settings }
func (r *importedRepository) AddToResourcePolicy(awsiam.PolicyStatement) *awsiam.AddToResourcePolicyResult {
	// An imported repository's policy is not managed here (as with awsecr.Repository_FromRepositoryName).
	return &awsiam.AddToResourcePolicyResult{StatementAdded: jsii.Bool(false)}
}

// ImportReplicatedRepository refers to a repository that exists outside this app (created by
// hand, another stack or `cdk import`), with the settings it is known to carry, so that
// replicas can be created from it. Like awsecr.Repository_FromRepositoryName, grants go to the
// grantee's identity policy and the repository itself is not changed.
func ImportReplicatedRepository(scope constructs.Construct, id string, p *ImportedRepositoryProps) IReplicatedRepository {
	if p == nil {
		p = &ImportedRepositoryProps{}
	}
	checkRepository("ImportReplicatedRepository", scope, id, p.RepositoryName, "the name of an existing repository", p.RepositorySettings)
	r := &importedRepository{name: p.RepositoryName, settings: p.RepositorySettings.withDefaults()}
	awsecr.NewRepositoryBase_Override(r, scope, &id, nil)
	r.arn = awsecr.Repository_ArnForLocalRepository(jsii.String(p.RepositoryName), r, nil)
	return r
}

// GrantPullFromReplicas lets grantee (a role, user or group of this app) pull the named
// repositories from every destination registry (region and account), through its identity
// policy: one statement "PullFromReplicas" with ecr:BatchCheckLayerAvailability,
// ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on each replica's ARN, built from plain
// names so that no cross-region reference is needed. A destination without an Account uses
// the account of the grantee's stack. Pair it with a source repository's GrantPull, which adds
// ecr:GetAuthorizationToken.
func GrantPullFromReplicas(grantee awsiam.IGrantable, repositoryNames []string, destinations []replication.Destination) *awsiam.AddToPrincipalPolicyResult {
	c, ok := grantee.(constructs.IConstruct)
	if !ok {
		panic("GrantPullFromReplicas: grantee must be a construct (a role, user or group of this app)")
	}
	stack := awscdk.Stack_Of(c)
	var arns []*string
	for _, d := range destinations {
		account := stack.Account()
		if d.Account != "" {
			account = jsii.String(d.Account)
		}
		for _, name := range repositoryNames {
			arns = append(arns, stack.FormatArn(&awscdk.ArnComponents{
				Service:      jsii.String("ecr"),
				Region:       jsii.String(d.Region),
				Account:      account,
				Resource:     jsii.String("repository"),
				ResourceName: jsii.String(name),
			}))
		}
	}
	return grantee.GrantPrincipal().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("PullFromReplicas"),
		Actions:   jsii.Strings(policy.PullActions...),
		Resources: &arns,
	}))
}

// NamespaceGrant says which repositories a grant covers: every repository under Prefix in
// each of Registries (a region and an account).
type NamespaceGrant struct {
	// Prefix is the namespace, such as "enterprise-apps": the grant covers
	// arn:<partition>:ecr:<region>:<account>:repository/<prefix>/*. Required.
	Prefix string
	// Registries are the regions (and accounts) whose repositories the grant covers. A
	// registry without an Account is in the account of the grantee's stack. Required.
	Registries []replication.Destination
}

// GrantPullOnNamespace lets grantee pull every repository under the namespace in every listed
// registry, through its identity policy, in one statement (sid): the pull actions on one ARN
// pattern per registry, whatever the number of repositories (an enumerated grant of hundreds of
// repositories would overflow IAM's policy size limits), plus ecr:GetAuthorizationToken, which
// has no resource-level permission, on "*". It also covers repositories created later under the
// namespace (those a creation template shapes), which is what a namespace is for; no repository
// outside it matches.
func GrantPullOnNamespace(grantee awsiam.IGrantable, sid string, ns NamespaceGrant) {
	grantOnNamespace(grantee, sid, ns, policy.PullActions)
}

// GrantPullPushOnNamespace is GrantPullOnNamespace with the push actions too
// (ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage); it
// grants no delete and no policy change.
func GrantPullPushOnNamespace(grantee awsiam.IGrantable, sid string, ns NamespaceGrant) {
	actions := append([]string(nil), policy.PullActions...)
	for _, a := range policy.PushActions {
		if !contains(actions, a) {
			actions = append(actions, a)
		}
	}
	grantOnNamespace(grantee, sid, ns, actions)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func grantOnNamespace(grantee awsiam.IGrantable, sid string, ns NamespaceGrant, actions []string) {
	c, ok := grantee.(constructs.IConstruct)
	if !ok {
		panic("registry: a namespace grant's grantee must be a construct (a role, user or group of this app)")
	}
	problems := checks.For("NamespaceGrant", c, sid)
	if !awsid.IsRepositoryNamespace(ns.Prefix) {
		problems.Add("Prefix", ns.Prefix, "a repository namespace such as \"enterprise-apps\"")
	}
	if len(ns.Registries) == 0 {
		problems.Missing("Registries", "at least one region")
	}
	problems.Panic()
	stack := awscdk.Stack_Of(c)
	arns := make([]*string, 0, len(ns.Registries))
	for _, d := range ns.Registries {
		account := stack.Account()
		if d.Account != "" {
			account = jsii.String(d.Account)
		}
		arns = append(arns, stack.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("ecr"),
			Region:       jsii.String(d.Region),
			Account:      account,
			Resource:     jsii.String("repository"),
			ResourceName: jsii.String(ns.Prefix + "/*"),
		}))
	}
	principal := grantee.GrantPrincipal()
	principal.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String(sid),
		Actions:   jsii.Strings(actions...),
		Resources: &arns,
	}))
	principal.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("GetAuthorizationToken"),
		Actions:   jsii.Strings("ecr:GetAuthorizationToken"),
		Resources: jsii.Strings("*"),
	}))
}

// SuppressNamespaceFindings records on the resources of c and below (a grantee's policy) the
// cdk-nag AwsSolutions-IAM5 suppression that a namespace grant needs: for the ARN patterns
// of prefix (any region and account) and ecr:GetAuthorizationToken on "*", with the reason.
// It writes the metadata cdk-nag reads, without loading cdk-nag.
func SuppressNamespaceFindings(c constructs.IConstruct, prefix string) {
	nag.Suppress(c, true, nag.Suppression{
		ID: "AwsSolutions-IAM5",
		Reason: fmt.Sprintf("ecr:GetAuthorizationToken supports no resource-level permission; the ECR actions are granted on the "+
			"repositories under the namespace %s/ only (repository/%s/* in each region), which holds every repository of the deployment "+
			"and those ECR creates later for it; one pattern per region keeps the policy within IAM's size limits at any fleet size", prefix, prefix),
		AppliesTo:      []string{"Resource::*"},
		AppliesToRegex: []string{fmt.Sprintf(`/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):ecr:[a-z0-9-]+:(<AWS::AccountId>|[0-9]{12}):repository\/%s\/\*$/g`, jsRegexpQuote(prefix))},
	})
}

// jsRegexpQuote quotes s for a JavaScript regular expression literal (cdk-nag's
// regular expressions): the Go metacharacters, and "/".
func jsRegexpQuote(s string) string {
	return strings.ReplaceAll(regexp.QuoteMeta(s), "/", `\/`)
}
