package registry

import (
	"errors"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/lifecycle"
	"github.com/acme-platform/ecr-replication/policy"
)

// ReplicatedRepositoryProps configures a ReplicatedRepository.
type ReplicatedRepositoryProps struct {
	// RepositoryName is the repository's full name, such as "enterprise-apps/production". The same
	// name is used in every region, because replication keeps names as they are. Required.
	RepositoryName string
	// LifecyclePolicy decides which images ECR expires. It is validated (every constraint ECR
	// enforces) and rendered by the lifecycle package, so what is deployed is exactly what
	// `lifecycle-preview` explains.
	//
	// Default: - untagged images older than 1 day expire; tagged images are never expired.
	LifecyclePolicy *lifecycle.Policy
	// ImageTagMutability says whether a tag, once pushed, may be moved to another image.
	//
	// Default: awsecr.TagMutability_IMMUTABLE.
	ImageTagMutability awsecr.TagMutability
	// EncryptionKey encrypts the repository with a customer-managed KMS key. The key must be in
	// the repository's region.
	//
	// Default: - AES256 with an AWS-owned key, stated explicitly in the template.
	EncryptionKey awskms.IKey
	// ImageScanOnPush turns on basic scanning of every pushed image, through the repository's
	// scanning configuration. It leaves the registry-wide scanning configuration alone.
	//
	// Default: true.
	ImageScanOnPush *bool
	// PullAccess lets other accounts, an organization or roles in other accounts pull, through
	// the repository policy.
	//
	// Default: - no repository policy: only IAM identities of this account, through their own
	// IAM policies.
	PullAccess policy.PullAccess
	// RemovalPolicy says what `cdk destroy` does to the repository and its images.
	//
	// Default: awscdk.RemovalPolicy_RETAIN: the repository and its images outlive the stack.
	RemovalPolicy awscdk.RemovalPolicy
}

// DefaultLifecyclePolicy is the policy a ReplicatedRepository gets when none is given: untagged
// images older than one day expire, and tagged images are never expired.
func DefaultLifecyclePolicy() lifecycle.Policy { return lifecycle.ExpireUntaggedPolicy(1) }

// renderLifecycle returns policy (or DefaultLifecyclePolicy when nil) and its JSON, validated.
func renderLifecycle(policy *lifecycle.Policy) (lifecycle.Policy, string, error) {
	p := DefaultLifecyclePolicy()
	if policy != nil {
		p = *policy
	}
	text, err := p.JSON()
	return p, text, err
}

func (p *ReplicatedRepositoryProps) validate() error {
	var errs []error
	switch {
	case p.RepositoryName == "":
		errs = append(errs, errors.New("RepositoryName: required, e.g. \"enterprise-apps/production\""))
	case !awsid.IsToken(p.RepositoryName) && !awsid.IsRepositoryName(p.RepositoryName):
		errs = append(errs, fmt.Errorf("RepositoryName: got %q; expected %s", p.RepositoryName, awsid.RepositoryNameRule))
	}
	if _, _, err := renderLifecycle(p.LifecyclePolicy); err != nil {
		errs = append(errs, fmt.Errorf("LifecyclePolicy: %w", err))
	}
	switch p.ImageTagMutability {
	case "", awsecr.TagMutability_IMMUTABLE, awsecr.TagMutability_MUTABLE:
	default:
		errs = append(errs, fmt.Errorf("ImageTagMutability: got %q; expected IMMUTABLE or MUTABLE", p.ImageTagMutability))
	}
	return errors.Join(errs...)
}

// ReplicatedRepository is an ECR repository meant to be replicated: the same construct builds the
// source repository and each pre-created replica, so that every region carries the same tag
// mutability, lifecycle policy, encryption and repository policy. ECR replicates images only;
// a replica it creates itself gets defaults (mutable tags, no lifecycle, no policy) unless it is
// created beforehand, as this construct does, or shaped by a CreationTemplate.
type ReplicatedRepository struct {
	constructs.Construct
	// Repository is the repository this construct created.
	Repository awsecr.Repository
	// LifecyclePolicy is the policy the repository carries.
	LifecyclePolicy lifecycle.Policy
}

// NewReplicatedRepository creates the repository. It panics, naming every problem at once, when
// props are invalid (the CDK contract for construct misuse).
func NewReplicatedRepository(scope constructs.Construct, id string, props *ReplicatedRepositoryProps) *ReplicatedRepository {
	if props == nil {
		props = &ReplicatedRepositoryProps{}
	}
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("ReplicatedRepository %s: %v", id, err))
	}
	policy, policyJSON, _ := renderLifecycle(props.LifecyclePolicy) // validated above

	r := &ReplicatedRepository{LifecyclePolicy: policy}
	constructs.NewConstruct_Override(r, scope, &id)

	mutability := props.ImageTagMutability
	if mutability == "" {
		mutability = awsecr.TagMutability_IMMUTABLE
	}
	removal := props.RemovalPolicy
	if removal == "" {
		removal = awscdk.RemovalPolicy_RETAIN
	}
	scan := props.ImageScanOnPush
	if scan == nil {
		scan = jsii.Bool(true)
	}
	repoProps := &awsecr.RepositoryProps{
		RepositoryName:     jsii.String(props.RepositoryName),
		ImageTagMutability: mutability,
		ImageScanOnPush:    scan,
		RemovalPolicy:      removal,
	}
	if props.EncryptionKey != nil {
		repoProps.Encryption = awsecr.RepositoryEncryption_KMS()
		repoProps.EncryptionKey = props.EncryptionKey
	}
	r.Repository = awsecr.NewRepository(r, jsii.String("Resource"), repoProps)

	cfn := r.Repository.Node().DefaultChild().(awsecr.CfnRepository)
	cfn.SetLifecyclePolicy(&awsecr.CfnRepository_LifecyclePolicyProperty{LifecyclePolicyText: jsii.String(policyJSON)})
	if props.EncryptionKey == nil {
		// The L2 renders nothing for AES256; say it in the template so a reviewer sees it.
		cfn.SetEncryptionConfiguration(&awsecr.CfnRepository_EncryptionConfigurationProperty{EncryptionType: jsii.String("AES256")})
	}
	if doc := props.PullAccess.Document(); doc != nil {
		for _, s := range doc["Statement"].([]any) {
			r.Repository.AddToResourcePolicy(awsiam.PolicyStatement_FromJson(s))
		}
	}
	if props.PullAccess.UsesOrganizationPrincipal() {
		cdknag.NagSuppressions_AddResourceSuppressions(cfn, &[]*cdknag.NagPackSuppression{{
			Id: jsii.String("AwsSolutions-ECR1"),
			Reason: jsii.String(fmt.Sprintf("the only '*' principal is narrowed by aws:PrincipalOrgID to organization %s and may only pull",
				props.PullAccess.OrganizationID)),
		}}, jsii.Bool(false))
	}
	return r
}

// RepositoryName returns the repository's name.
func (r *ReplicatedRepository) RepositoryName() *string { return r.Repository.RepositoryName() }

// GrantPull lets grantee pull images: ecr:BatchGetImage, ecr:GetDownloadUrlForLayer and
// ecr:BatchCheckLayerAvailability on the repository, plus ecr:GetAuthorizationToken on "*".
func (r *ReplicatedRepository) GrantPull(grantee awsiam.IGrantable) awsiam.Grant {
	return r.Repository.GrantPull(grantee)
}

// GrantPullPush lets grantee pull and push images: the pull actions, ecr:InitiateLayerUpload,
// ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage on the repository, plus
// ecr:GetAuthorizationToken on "*". It grants no delete and no policy change.
func (r *ReplicatedRepository) GrantPullPush(grantee awsiam.IGrantable) awsiam.Grant {
	return r.Repository.GrantPullPush(grantee)
}
