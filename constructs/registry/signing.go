package registry

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/checks"
)

// signingProfileArnPattern is the CloudFormation schema's pattern for a signing configuration
// rule's SigningProfileArn (AWS::ECR::SigningConfiguration, cfn-lint 1.51).
var signingProfileArnPattern = regexp.MustCompile(`^arn:aws(-[a-z]+)*:signer:([a-z0-9-]+):[0-9]{12}:/signing-profiles/[a-zA-Z0-9_]{2,}$`)

// signingFilterPattern is the schema's pattern for a WILDCARD_MATCH repository filter.
var signingFilterPattern = regexp.MustCompile(`^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$`)

// ManagedSigningRegions are the regions whose CloudFormation has AWS::ECR::SigningConfiguration
// and AWS::Signer::SigningProfile (cfn-lint 1.51's region maps: 30 of 46 regions).
var ManagedSigningRegions = []string{
	"af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
	"ca-central-1", "eu-central-1", "eu-isoe-west-1", "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2", "eu-west-3",
	"eusc-de-east-1", "me-south-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1",
	"us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "us-isob-west-1", "us-isof-east-1", "us-isof-south-1",
	"us-west-1", "us-west-2",
}

// ManagedSigningProps configures a ManagedSigning.
type ManagedSigningProps struct {
	// SigningProfileArn is an existing AWS Signer signing profile in this registry's region
	// (another account's is allowed), as a plain ARN.
	//
	// Default: - a signing profile for Notation (Notation-OCI-SHA384-ECDSA) is created and
	// retained: images signed with it stay verifiable after `cdk destroy`.
	SigningProfileArn string
	// RepositoryFilters are WILDCARD_MATCH filters of the repositories whose pushed images ECR
	// signs, such as "payments/*". Required: 1 to 100.
	RepositoryFilters []string
	// RemovalPolicy says what `cdk destroy` does to this registry-wide setting: RETAIN leaves it
	// in place (and, through a stack update that removes it, too).
	//
	// Default: - CloudFormation's: deleting the stack deletes it (and so empties the registry's
	// setting, whoever else relied on it).
	RemovalPolicy awscdk.RemovalPolicy
}

// ManagedSigning is the registry's signing configuration (ECR managed signing): ECR signs every
// image pushed to a matching repository with the signing profile, with the identity of the
// principal that pushes, which therefore needs signer:SignPayload on the profile besides its
// push permissions ([ManagedSigning.GrantSign])
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/managed-signing.html).
//
// Signatures are OCI referrers stored in the same repository: they count against the
// repository's images, and lifecycle removes referrers within 24 hours of their subject's
// deletion. Whether signatures reach the replicas is not documented: cmd/verify measures it.
//
// The signing configuration is one per account and region, like the replication
// configuration: a second ManagedSigning for the same registry fails synthesis, CloudFormation
// fails to create one where a configuration exists, and deleting the stack removes it.
type ManagedSigning struct {
	constructs.Construct
	resource   awsecr.CfnSigningConfiguration
	profile    awscdk.CfnResource // nil when the profile was given
	profileArn *string
}

// NewManagedSigning creates the signing configuration (and, unless one is given, a signing
// profile) in scope's stack.
func NewManagedSigning(scope constructs.Construct, id string, props *ManagedSigningProps) *ManagedSigning {
	if props == nil {
		props = &ManagedSigningProps{}
	}
	checkManagedSigning(scope, id, props)
	s := &ManagedSigning{}
	constructs.NewConstruct_Override(s, scope, &id)
	if props.SigningProfileArn != "" {
		s.profileArn = jsii.String(props.SigningProfileArn)
	} else {
		s.profile = awscdk.NewCfnResource(s, jsii.String("Profile"), &awscdk.CfnResourceProps{
			Type:       jsii.String("AWS::Signer::SigningProfile"),
			Properties: &map[string]any{"PlatformId": "Notation-OCI-SHA384-ECDSA"},
		})
		s.profile.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
		s.profileArn = s.profile.GetAtt(jsii.String("Arn"), awscdk.ResolutionTypeHint_STRING).ToString()
	}
	filters := make([]any, 0, len(props.RepositoryFilters))
	for _, f := range props.RepositoryFilters {
		filters = append(filters, &awsecr.CfnSigningConfiguration_RepositoryFilterProperty{
			Filter: jsii.String(f), FilterType: jsii.String("WILDCARD_MATCH"),
		})
	}
	s.resource = awsecr.NewCfnSigningConfiguration(s, jsii.String("Resource"), &awsecr.CfnSigningConfigurationProps{
		Rules: &[]any{&awsecr.CfnSigningConfiguration_RuleProperty{SigningProfileArn: s.profileArn, RepositoryFilters: &filters}},
	})
	applyRemovalPolicy(s.resource, props.RemovalPolicy)
	s.Node().AddValidation(&oneSingletonPerRegistry{scope: s, resourceType: "AWS::ECR::SigningConfiguration", what: "signing configuration"})
	return s
}

// checkManagedSigning refuses bad props, every problem at once.
func checkManagedSigning(scope constructs.Construct, id string, props *ManagedSigningProps) {
	problems := checks.For("ManagedSigning", scope, id)
	region := resolvedOrEmpty(awscdk.Stack_Of(scope).Region())
	if region != "" && !slices.Contains(ManagedSigningRegions, region) {
		problems.Add("Env.Region", region, "a region where CloudFormation offers AWS::ECR::SigningConfiguration and AWS::Signer::SigningProfile")
	}
	if a := props.SigningProfileArn; a != "" {
		m := signingProfileArnPattern.FindStringSubmatch(a)
		switch {
		case m == nil:
			problems.Add("SigningProfileArn", a, "a signing profile ARN such as arn:aws:signer:us-east-1:111111111111:/signing-profiles/ecr_images")
		case region != "" && m[2] != region:
			problems.Add("SigningProfileArn", a, fmt.Sprintf("a signing profile in %s, the registry's region (ECR signs with a profile of its own region)", region))
		}
	}
	if n := len(props.RepositoryFilters); n == 0 || n > 100 {
		problems.Add("RepositoryFilters", countOf(n, "filters"), "1 to 100 filters such as \"payments/*\"")
	}
	for i, f := range props.RepositoryFilters {
		if len(f) > 256 || !signingFilterPattern.MatchString(f) {
			problems.Add(fmt.Sprintf("RepositoryFilters[%d]", i), f, "a repository name pattern with * wildcards, such as \"payments/*\"")
		}
	}
	problems.Panic()
}

// Resource returns the CloudFormation signing configuration.
func (s *ManagedSigning) Resource() awsecr.CfnSigningConfiguration { return s.resource }

// SigningProfileArn returns the ARN of the signing profile ECR signs with.
func (s *ManagedSigning) SigningProfileArn() *string { return s.profileArn }

// Profile returns the signing profile this construct created, or nil when it was given.
func (s *ManagedSigning) Profile() awscdk.CfnResource { return s.profile }

// GrantSign lets grantee (the principal that pushes) have its pushes signed: signer:SignPayload
// on the signing profile, and nothing else
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/managed-signing.html).
func (s *ManagedSigning) GrantSign(grantee awsiam.IGrantable) awsiam.Grant {
	return grantWithSid(grantee, "SignPushedImages", []string{"signer:SignPayload"}, &[]*string{s.profileArn})
}
