package registry

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
)

// ImportedRepositoryProps names an existing repository in the scope's account and region, and
// the settings it carries.
type ImportedRepositoryProps struct {
	// RepositoryName of the existing repository, in scope's account and region. Required.
	RepositoryName string
	// RepositorySettings the repository is known to carry (importing changes nothing on it);
	// replicas created from Settings() then match it.
	RepositorySettings
}

// ImportedRepositoryAttributes name an existing repository anywhere: in another account (a
// source registry owned by another team) or another region.
type ImportedRepositoryAttributes struct {
	// RepositoryName of the existing repository. Required.
	RepositoryName string
	// Account owns the repository's registry (12 digits).
	//
	// Default: - the scope's account.
	Account string
	// Region of the repository's registry.
	//
	// Default: - the scope's region.
	Region string
	// RepositorySettings the repository is known to carry.
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

// AddToResourcePolicy adds nothing: an imported repository's policy is not managed here (as
// with awsecr.Repository_FromRepositoryName), so grants go to the grantee's identity policy.
func (r *importedRepository) AddToResourcePolicy(awsiam.PolicyStatement) *awsiam.AddToResourcePolicyResult {
	return &awsiam.AddToResourcePolicyResult{StatementAdded: jsii.Bool(false)}
}

// ImportReplicatedRepository refers to a repository of scope's account and region that exists
// outside this app (created by hand, another stack or `cdk import`), with the settings it is
// known to carry, so that replicas can be created from it. Like
// awsecr.Repository_FromRepositoryName, grants go to the grantee's identity policy and the
// repository itself is not changed.
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

// ImportReplicatedRepositoryFromAttributes refers to an existing repository in any account and
// region (like awsecr.Repository_FromRepositoryAttributes): its ARN and URI name that account
// and region, so a grant to a principal of this app is an identity-policy statement on the
// right ARN, and the repository's own policy must admit the principal when it is in another
// account.
func ImportReplicatedRepositoryFromAttributes(scope constructs.Construct, id string, a *ImportedRepositoryAttributes) IReplicatedRepository {
	if a == nil {
		a = &ImportedRepositoryAttributes{}
	}
	problems := checks.For("ImportReplicatedRepositoryFromAttributes", scope, id)
	checkRepositoryInto(problems, a.RepositoryName, "the name of an existing repository", a.RepositorySettings)
	if a.Account != "" && !awsid.IsAccount(a.Account) {
		problems.Add("Account", a.Account, awsid.AccountRule)
	}
	if a.Region != "" && !awsid.IsRegion(a.Region) {
		problems.Add("Region", a.Region, "a known AWS region such as us-east-1")
	}
	problems.Panic()
	r := &importedRepository{name: a.RepositoryName, settings: a.RepositorySettings.withDefaults()}
	props := &awscdk.ResourceProps{}
	if a.Account != "" {
		props.Account = jsii.String(a.Account)
	}
	if a.Region != "" {
		props.Region = jsii.String(a.Region)
	}
	awsecr.NewRepositoryBase_Override(r, scope, &id, props)
	r.arn = r.Stack().FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("ecr"), Account: r.Env().Account, Region: r.Env().Region,
		Resource: jsii.String("repository"), ResourceName: jsii.String(a.RepositoryName),
	})
	return r
}

// ImportReplicatedRepositoryFromArn refers to an existing repository by its ARN
// (arn:<partition>:ecr:<region>:<account>:repository/<name>, a plain string), with the settings
// it is known to carry: ImportReplicatedRepositoryFromAttributes with the ARN's parts.
func ImportReplicatedRepositoryFromArn(scope constructs.Construct, id, arn string, settings RepositorySettings) IReplicatedRepository {
	region, account, name, ok := parseRepositoryArn(arn)
	if !ok {
		problems := checks.For("ImportReplicatedRepositoryFromArn", scope, id)
		problems.Add("arn", arn, "a repository ARN such as arn:aws:ecr:us-east-1:111111111111:repository/team/api")
		problems.Panic()
	}
	return ImportReplicatedRepositoryFromAttributes(scope, id, &ImportedRepositoryAttributes{
		RepositoryName: name, Account: account, Region: region, RepositorySettings: settings,
	})
}

// parseRepositoryArn splits arn:<partition>:ecr:<region>:<account>:repository/<name>.
func parseRepositoryArn(arn string) (region, account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "ecr" || !strings.HasPrefix(parts[5], "repository/") {
		return "", "", "", false
	}
	region, account, name = parts[3], parts[4], strings.TrimPrefix(parts[5], "repository/")
	if !awsid.IsRegion(region) || !awsid.IsAccount(account) || !awsid.IsRepositoryName(name) || awsid.PartitionOf(region) != parts[1] {
		return "", "", "", false
	}
	return region, account, name, true
}

// describeAccount renders an account for a message: the account, or what stands for it.
func describeAccount(account string) string {
	if account == "" || awsid.IsToken(account) {
		return "the deploy-time account"
	}
	return fmt.Sprintf("account %s", account)
}
