package registry

import (
	"encoding/json"
	"fmt"
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

// DestinationRegistryPolicyProps configures a DestinationRegistryPolicy.
type DestinationRegistryPolicyProps struct {
	// SourceAccounts may replicate into this registry. Required: at least one.
	SourceAccounts []string
	// RepositoryPrefix limits replication to repositories under this namespace ("team" allows
	// "team/..."). Required unless RepositoryPrefixes is given.
	RepositoryPrefix string
	// RepositoryPrefixes are several namespaces (of a registry several teams share), in one
	// statement; instead of RepositoryPrefix.
	RepositoryPrefixes []string
	// RemovalPolicy says what `cdk destroy` does to this registry-wide setting: RETAIN leaves it
	// in place (and, through a stack update that removes it, too).
	//
	// Default: - CloudFormation's: deleting the stack deletes it (and so empties the registry's
	// setting, whoever else relied on it).
	RemovalPolicy awscdk.RemovalPolicy
}

// DestinationRegistryPolicy is the registry permissions policy of a destination account, in one
// region, that lets source accounts replicate into it. Cross-account replication needs one in
// every destination region; repository policies play no part in it.
//
// Like the replication configuration, a registry policy is one per account and region:
// CloudFormation's create fails when a policy already exists, and deleting the stack removes
// the registry's policy, whatever else it allowed. A second DestinationRegistryPolicy for the
// same registry in the app fails synthesis.
type DestinationRegistryPolicy struct {
	constructs.Construct
	resource       awsecr.CfnRegistryPolicy
	document       map[string]any
	sourceAccounts []string
}

// Resource returns the CloudFormation registry policy.
func (p *DestinationRegistryPolicy) Resource() awsecr.CfnRegistryPolicy { return p.resource }

// Document returns the policy as rendered.
func (p *DestinationRegistryPolicy) Document() map[string]any { return p.document }

// NewDestinationRegistryPolicy creates the registry policy in scope's stack (the destination
// account and region).
func NewDestinationRegistryPolicy(scope constructs.Construct, id string, props *DestinationRegistryPolicyProps) *DestinationRegistryPolicy {
	if props == nil {
		props = &DestinationRegistryPolicyProps{}
	}
	problems := checks.For("DestinationRegistryPolicy", scope, id)
	if len(props.SourceAccounts) == 0 {
		problems.Missing("SourceAccounts", "at least one "+awsid.AccountRule)
	}
	for i, a := range props.SourceAccounts {
		if !awsid.IsAccount(a) {
			problems.Add(fmt.Sprintf("SourceAccounts[%d]", i), a, awsid.AccountRule)
		}
	}
	prefixes, field := props.RepositoryPrefixes, "RepositoryPrefixes"
	if len(prefixes) == 0 || props.RepositoryPrefix != "" {
		prefixes, field = append([]string{props.RepositoryPrefix}, prefixes...), "RepositoryPrefix"
	}
	for i, prefix := range prefixes {
		if !awsid.IsRepositoryNamespace(strings.TrimSuffix(prefix, "/")) {
			name := field
			if field == "RepositoryPrefixes" {
				name = fmt.Sprintf("%s[%d]", field, i)
			}
			problems.Add(name, prefix, "a repository namespace such as \"enterprise-apps\"")
		}
	}
	problems.Panic()

	p := &DestinationRegistryPolicy{sourceAccounts: props.SourceAccounts}
	constructs.NewConstruct_Override(p, scope, &id)
	stack := awscdk.Stack_Of(scope)
	resources := make([]any, 0, len(prefixes))
	for _, prefix := range prefixes {
		resources = append(resources, stack.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("ecr"),
			Resource:     jsii.String("repository"),
			ResourceName: jsii.String(strings.TrimSuffix(prefix, "/") + "/*"),
		}))
	}
	var resource any = resources
	if len(resources) == 1 {
		resource = resources[0]
	}
	p.document = policy.ReplicationRegistryPolicy(awsid.PartitionOf(resolvedOrEmpty(stack.Region())), props.SourceAccounts, resource)
	p.resource = awsecr.NewCfnRegistryPolicy(p, jsii.String("Resource"), &awsecr.CfnRegistryPolicyProps{PolicyText: p.document})
	applyRemovalPolicy(p.resource, props.RemovalPolicy)
	p.Node().AddValidation(&oneSingletonPerRegistry{scope: p, resourceType: "AWS::ECR::RegistryPolicy", what: "registry policy"})
	return p
}

// SourceAccounts returns the accounts the policy lets replicate.
func (p *DestinationRegistryPolicy) SourceAccounts() []string {
	return append([]string(nil), p.sourceAccounts...)
}

// CreationTemplateProps configures a CreationTemplate.
type CreationTemplateProps struct {
	// Prefix is the namespace whose new repositories the template shapes, without the trailing
	// "/" (ECR adds it: "team" matches "team/app", not "teamwork"), or "ROOT". Required.
	Prefix string
	// AppliedFor lists when ECR applies the template: "REPLICATION", "PULL_THROUGH_CACHE",
	// "CREATE_ON_PUSH".
	//
	// Default: []string{"REPLICATION"}.
	AppliedFor []string
	// Description of the template.
	//
	// Default: - one naming the prefix.
	Description string
	// ImageTagMutability of the repositories ECR creates.
	//
	// Default: replication.Mutable: a replica then mirrors its source whatever the
	// source's setting; an immutable replica of a mutable source would receive re-pushed tags
	// untagged (https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html).
	ImageTagMutability replication.TagMutability
	// LifecyclePolicy of the repositories ECR creates.
	//
	// Default: - untagged images older than 1 day expire; tagged images are never expired.
	LifecyclePolicy *lifecycle.Policy
	// PullAccess renders the repository policy of the repositories ECR creates.
	//
	// Default: - no repository policy.
	PullAccess policy.PullAccess
	// EncryptionKey encrypts the repositories ECR creates. ECR then needs a custom role to use
	// the key; the template creates it (trusted by ecr.amazonaws.com, allowed
	// ecr:CreateRepository and ecr:ReplicateImage under the prefix and kms:CreateGrant,
	// kms:RetireGrant and kms:DescribeKey on the key) and names it in the key policy.
	//
	// Default: - AES256.
	EncryptionKey awskms.IKey
}

// CreationTemplate is a repository creation template: the settings ECR gives the repositories it
// creates itself in this registry, such as replicas of source repositories that were not
// pre-created. Without one, ECR creates them mutable, AES256, with no lifecycle and no
// repository policy. Templates apply only where ECR creates the repository, so it must live in
// the destination account and region.
type CreationTemplate struct {
	constructs.Construct
	resource   awsecr.CfnRepositoryCreationTemplate
	role       awsiam.Role
	statements []any // of the repository policy
}

// Resource returns the CloudFormation template.
func (t *CreationTemplate) Resource() awsecr.CfnRepositoryCreationTemplate { return t.resource }

// Role returns the custom role ECR assumes to create KMS-encrypted repositories, or nil.
func (t *CreationTemplate) Role() awsiam.Role { return t.role }

// AddToRepositoryPolicy adds a statement to the repository policy of the repositories ECR
// creates with this template (after the PullAccess statements). The policy is a JSON string in
// the template, so the statement must be plain values (no token) and name a principal: a
// *checks.Error panic says so otherwise.
func (t *CreationTemplate) AddToRepositoryPolicy(statement awsiam.PolicyStatement) {
	st, ok := plainJSON(statement.ToStatementJson()).(map[string]any)
	raw, err := json.Marshal(st)
	problems := checks.For("CreationTemplate", t, "AddToRepositoryPolicy")
	if !ok || err != nil || awsid.IsToken(string(raw)) || strings.Contains(string(raw), `"$jsii.`) {
		problems.Add("statement", string(raw), "a statement of plain values: the template's repository policy is a JSON string, which cannot hold a CloudFormation reference")
	}
	if st["Principal"] == nil && st["NotPrincipal"] == nil {
		problems.Add("statement", string(raw), "a statement that names a principal (a resource policy)")
	}
	problems.Panic()
	t.statements = append(t.statements, st)
	doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": t.statements})
	t.resource.SetRepositoryPolicy(jsii.String(string(doc)))
}

// plainJSON unwraps the maps jsii hands Go as {"$jsii.map": {...}}.
func plainJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if inner, ok := v["$jsii.map"]; ok && len(v) == 1 {
			return plainJSON(inner)
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = plainJSON(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = plainJSON(x)
		}
		return out
	}
	return v
}

// NewCreationTemplate creates the template in scope's stack.
func NewCreationTemplate(scope constructs.Construct, id string, props *CreationTemplateProps) *CreationTemplate {
	if props == nil {
		props = &CreationTemplateProps{}
	}
	policyJSON := checkCreationTemplate(scope, id, props)

	t := &CreationTemplate{}
	if doc := props.PullAccess.Document(); doc != nil {
		t.statements = doc["Statement"].([]any)
	}
	constructs.NewConstruct_Override(t, scope, &id)
	appliedFor := props.AppliedFor
	if len(appliedFor) == 0 {
		appliedFor = []string{"REPLICATION"}
	}
	mutability := props.ImageTagMutability.Or(replication.Mutable)
	description := props.Description
	if description == "" {
		description = fmt.Sprintf("Settings for repositories ECR creates under %s/ (%s)", props.Prefix, strings.Join(appliedFor, ", "))
	}
	cfnProps := &awsecr.CfnRepositoryCreationTemplateProps{
		Prefix:                  jsii.String(props.Prefix),
		AppliedFor:              jsii.Strings(appliedFor...),
		Description:             jsii.String(description),
		ImageTagMutability:      jsii.String(string(mutability)),
		LifecyclePolicy:         jsii.String(policyJSON),
		EncryptionConfiguration: &awsecr.CfnRepositoryCreationTemplate_EncryptionConfigurationProperty{EncryptionType: jsii.String("AES256")},
	}
	if text := props.PullAccess.JSON(); text != "" {
		cfnProps.RepositoryPolicy = jsii.String(text)
	}
	if props.EncryptionKey != nil {
		t.addKMSRole(props.Prefix, props.EncryptionKey)
		cfnProps.CustomRoleArn = t.role.RoleArn()
		cfnProps.EncryptionConfiguration = &awsecr.CfnRepositoryCreationTemplate_EncryptionConfigurationProperty{
			EncryptionType: jsii.String("KMS"),
			KmsKey:         props.EncryptionKey.KeyArn(),
		}
	}
	t.resource = awsecr.NewCfnRepositoryCreationTemplate(t, jsii.String("Resource"), cfnProps)
	if t.role != nil {
		// The role's permissions must be in place before ECR first uses the template (the
		// role itself is already ordered by the CustomRoleArn reference).
		t.resource.Node().AddDependency(t.role.Node().FindChild(jsii.String("DefaultPolicy")))
	}
	return t
}

// checkCreationTemplate refuses bad props, every problem at once, and returns the rendered
// lifecycle policy.
func checkCreationTemplate(scope constructs.Construct, id string, props *CreationTemplateProps) string {
	problems := checks.For("CreationTemplate", scope, id)
	if props.Prefix != "ROOT" && !awsid.IsRepositoryNamespace(props.Prefix) {
		problems.Add("Prefix", props.Prefix, "a repository namespace without a trailing '/', such as \"enterprise-apps\", or ROOT")
	}
	for i, a := range props.AppliedFor {
		switch a {
		case "REPLICATION", "PULL_THROUGH_CACHE", "CREATE_ON_PUSH":
		default:
			problems.Add(fmt.Sprintf("AppliedFor[%d]", i), a, "REPLICATION, PULL_THROUGH_CACHE or CREATE_ON_PUSH")
		}
	}
	lc := DefaultLifecyclePolicy()
	if props.LifecyclePolicy != nil {
		lc = *props.LifecyclePolicy
	}
	policyJSON, err := lc.JSON()
	problems.Wrap("LifecyclePolicy", err)
	problems.Panic()
	return policyJSON
}

// addKMSRole adds the custom role ECR assumes to create repositories encrypted with key: it
// may create and replicate into <prefix>/* of its region and use the key.
func (t *CreationTemplate) addKMSRole(prefix string, key awskms.IKey) {
	stack := awscdk.Stack_Of(t)
	t.role = awsiam.NewRole(t, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ecr.amazonaws.com"), nil),
		Description: jsii.String(fmt.Sprintf("Assumed by ECR to create KMS-encrypted repositories under %s/", prefix)),
	})
	t.role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("CreateRepositoriesUnderPrefix"),
		Actions: jsii.Strings(policy.ReplicationActions...),
		Resources: jsii.Strings(*stack.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("ecr"),
			Resource:     jsii.String("repository"),
			ResourceName: jsii.String(prefix + "/*"),
		})),
	}))
	key.Grant(t.role, jsii.String("kms:CreateGrant"), jsii.String("kms:RetireGrant"), jsii.String("kms:DescribeKey"))
	nag.Suppress(t.role, true, nag.Suppression{
		ID:             "AwsSolutions-IAM5",
		Reason:         "the template is for repositories ECR creates later under the prefix: their names are not known at deploy time, so the role may act on <prefix>/* only",
		AppliesToRegex: []string{namespaceArnRegex(prefix)},
	})
}

// Prefix returns the template's prefix.
func (t *CreationTemplate) Prefix() *string { return t.resource.Prefix() }

// RepositoryKeyProps configures a RepositoryKey.
type RepositoryKeyProps struct {
	// Description of the key.
	//
	// Default: - one saying it encrypts ECR repositories.
	Description string
	// CallerAccounts are the accounts whose ECR requests may use the key, besides the key's own
	// account (e.g. the source account of a cross-account replication).
	//
	// Default: - the key's own account only.
	CallerAccounts []string
	// RemovalPolicy says what `cdk destroy` does to the key: DESTROY schedules its deletion
	// after a 7-day waiting period (for a sandbox whose repositories are deleted too).
	//
	// Default: awscdk.RemovalPolicy_RETAIN: images encrypted with it stay readable.
	RemovalPolicy awscdk.RemovalPolicy
	// LimitGrantsToAWSServices adds the key-policy statement AWS Control Tower's proactive
	// control CT.KMS.PR.3 requires: deny kms:CreateGrant unless an AWS service integrated with
	// KMS creates the grant for its caller (kms:GrantIsForAWSResource) or a service principal
	// asks (aws:PrincipalIsAWSService). ECR makes its grants when it creates a repository
	// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html), which
	// the KMS guide's description of kms:GrantIsForAWSResource covers
	// (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource);
	// that ECR's grants pass it is not stated for ECR itself, hence an opt-in.
	//
	// Default: false.
	LimitGrantsToAWSServices bool
}

// NewRepositoryKey creates a customer-managed KMS key for ECR repositories in scope's region:
// rotation on, retained on stack deletion (images encrypted with it would become unreadable),
// and a key policy that lets ECR use it on behalf of principals of the listed accounts
// (kms:ViaService = ecr.<region>.amazonaws.com), which is how ECR encrypts pushed and
// replicated layers. Grants for a creation template's role come from CreationTemplate.
func NewRepositoryKey(scope constructs.Construct, id string, props *RepositoryKeyProps) awskms.Key {
	if props == nil {
		props = &RepositoryKeyProps{}
	}
	description := props.Description
	if description == "" {
		description = "Encrypts ECR repositories managed by ecr-replication"
	}
	keyProps := &awskms.KeyProps{
		Description:       jsii.String(description),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	}
	if props.RemovalPolicy == awscdk.RemovalPolicy_DESTROY {
		keyProps.RemovalPolicy, keyProps.PendingWindow = props.RemovalPolicy, awscdk.Duration_Days(jsii.Number(7))
	}
	key := awskms.NewKey(scope, jsii.String(id), keyProps)
	stack := awscdk.Stack_Of(scope)
	accounts := []string{*stack.Account()}
	for _, a := range props.CallerAccounts {
		if a != *stack.Account() {
			accounts = append(accounts, a)
		}
	}
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowUseThroughEcr"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions: jsii.Strings("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*",
			"kms:ReEncrypt*", "kms:CreateGrant"),
		Resources: jsii.Strings("*"),
		Conditions: &map[string]interface{}{
			"StringEquals": map[string]interface{}{
				"kms:CallerAccount": accounts,
				"kms:ViaService":    fmt.Sprintf("ecr.%s.amazonaws.com", *stack.Region()),
			},
		},
	}), jsii.Bool(false))
	if props.LimitGrantsToAWSServices {
		key.AddToResourcePolicy(awsiam.PolicyStatement_FromJson(policy.LimitGrantsToAWSServices()), jsii.Bool(false))
	}
	return key
}
