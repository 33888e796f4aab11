package registry

import (
	"fmt"

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
	checkRepositoryInto(problems, name, required, settings)
	problems.Panic()
}

// checkRepositoryInto records what is wrong with a repository's name and settings.
func checkRepositoryInto(problems *checks.Problems, name, required string, settings RepositorySettings) {
	switch {
	case name == "":
		problems.Missing("RepositoryName", required)
	case !awsid.IsToken(name) && !awsid.IsRepositoryName(name):
		problems.Add("RepositoryName", name, awsid.RepositoryNameRule)
	}
	settings.check(problems)
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
	// EmptyOnDelete lets CloudFormation delete the repository with the images it holds (for a
	// sandbox torn down with `cdk destroy`); without it, deleting a repository that holds images
	// fails. It needs RemovalPolicy DESTROY, as awsecr.Repository's does.
	//
	// Default: false.
	EmptyOnDelete bool
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
	physical string  // the repository's name
	name     *string // RepositoryName, computed on first use (a jsii round trip each)
	arn      *string // RepositoryArn, likewise
	settings RepositorySettings
	resource awsecr.CfnRepository
	base     []any                 // the PullAccess statements
	policy   awsiam.PolicyDocument // created by the first AddToResourcePolicy
}

// Settings implements IReplicatedRepository.
func (r *ReplicatedRepository) Settings() RepositorySettings { return r.settings }

// RepositoryName returns the repository's name: a reference to the resource within its
// environment (so that users of it depend on it), the plain name from another account or region.
func (r *ReplicatedRepository) RepositoryName() *string {
	if r.name == nil {
		r.name = r.GetResourceNameAttribute(r.resource.Ref())
	}
	return r.name
}

// RepositoryArn returns the repository's ARN: a reference to the resource within its
// environment, the plain ARN from another account or region (as awsecr.Repository does), so a
// grant from another region needs no cross-region reference.
func (r *ReplicatedRepository) RepositoryArn() *string {
	if r.arn == nil {
		r.arn = r.GetResourceArnAttribute(r.resource.AttrArn(), &awscdk.ArnComponents{
			Service: jsii.String("ecr"), Resource: jsii.String("repository"), ResourceName: jsii.String(r.physical),
		})
	}
	return r.arn
}

// Resource returns the CloudFormation repository.
func (r *ReplicatedRepository) Resource() awsecr.CfnRepository { return r.resource }

// AddToResourcePolicy adds a statement to the repository policy (after the PullAccess
// statements), as awsecr.Repository does: a statement with a Resource element gets the warning
// @aws-cdk/aws-ecr:noResourceStatements (a repository policy applies to its own repository, and
// ECR has refused policies with one), and synthesis fails when a statement names no principal.
func (r *ReplicatedRepository) AddToResourcePolicy(statement awsiam.PolicyStatement) *awsiam.AddToResourcePolicyResult {
	if len(*statement.Resources()) > 0 {
		awscdk.Annotations_Of(r).AddWarningV2(jsii.String("@aws-cdk/aws-ecr:noResourceStatements"),
			jsii.String("ECR resource policy does not allow resource statements."), nil)
	}
	if r.policy == nil {
		r.policy = awsiam.NewPolicyDocument(nil)
		for _, st := range r.base {
			r.policy.AddStatements(awsiam.PolicyStatement_FromJson(st))
		}
		r.resource.SetRepositoryPolicyText(r.policy)
		r.Node().AddValidation(&resourcePolicyValidation{r.policy})
	}
	r.policy.AddStatements(statement)
	return &awsiam.AddToResourcePolicyResult{StatementAdded: jsii.Bool(true), PolicyDependable: r.resource}
}

// resourcePolicyValidation fails synthesis when a repository policy is not a valid resource
// policy (a statement without a principal), as awsecr.Repository's validation does.
type resourcePolicyValidation struct{ doc awsiam.PolicyDocument }

// Validate implements constructs.IValidation.
func (v *resourcePolicyValidation) Validate() *[]*string {
	return v.doc.ValidateForResourcePolicy(&awsiam.ResourcePolicyValidationOptions{SkipResourceValidation: jsii.Bool(true)})
}

// NewReplicatedRepository creates the repository. It panics, naming every problem at once, when
// props are invalid (the CDK contract for construct misuse).
func NewReplicatedRepository(scope constructs.Construct, id string, p *ReplicatedRepositoryProps) *ReplicatedRepository {
	if p == nil {
		p = &ReplicatedRepositoryProps{}
	}
	problems := checks.For("ReplicatedRepository", scope, id)
	checkRepositoryInto(problems, p.RepositoryName, "a repository name such as \"enterprise-apps/production\"", p.RepositorySettings)
	if p.EmptyOnDelete && p.RemovalPolicy != awscdk.RemovalPolicy_DESTROY {
		problems.Add("EmptyOnDelete", "true", "RemovalPolicy DESTROY as well (with RETAIN the repository is never deleted)")
	}
	problems.Panic()

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
	if p.EmptyOnDelete {
		cfnProps.EmptyOnDelete = jsii.Bool(true)
	}
	var base []any
	if doc := settings.PullAccess.Document(); doc != nil {
		base = doc["Statement"].([]any)
		cfnProps.RepositoryPolicyText = doc
	}

	r := &ReplicatedRepository{physical: p.RepositoryName, settings: settings, base: base}
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
	return &ReplicatedRepositoryProps{RepositoryName: r.physical, RepositorySettings: r.settings}
}
