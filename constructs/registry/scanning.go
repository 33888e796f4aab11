package registry

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/checks"
)

// scanFilterPattern is the CloudFormation schema's pattern for a WILDCARD scanning filter.
var scanFilterPattern = regexp.MustCompile(`^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$`)

// EnhancedScanningProps configures an EnhancedScanning.
type EnhancedScanningProps struct {
	// RepositoryFilters are WILDCARD filters of the repositories Amazon Inspector scans
	// continuously, such as "enterprise-apps/*". Required: 1 to 100.
	RepositoryFilters []string
	// RemovalPolicy says what `cdk destroy` does to this registry-wide setting: RETAIN leaves it
	// in place (and, through a stack update that removes it, too).
	//
	// Default: - CloudFormation's: deleting the stack deletes it (and so empties the registry's
	// setting, whoever else relied on it).
	RemovalPolicy awscdk.RemovalPolicy
}

// EnhancedScanning switches the registry of scope's region to enhanced scanning (Amazon
// Inspector), continuous for the repositories its filters match.
//
// The registry scanning configuration is one per account and region: deploying it replaces the
// registry's scanning rules (other teams' filters included), and switching between basic and
// enhanced scanning drops established scans. Repositories the filters do not match are not
// scanned at all under enhanced scanning. A second EnhancedScanning for the same registry fails
// synthesis.
type EnhancedScanning struct {
	constructs.Construct
	resource awsecr.CfnRegistryScanningConfiguration
	filters  []string
}

// Resource returns the CloudFormation registry scanning configuration.
func (s *EnhancedScanning) Resource() awsecr.CfnRegistryScanningConfiguration { return s.resource }

// NewEnhancedScanning creates the registry scanning configuration in scope's stack.
func NewEnhancedScanning(scope constructs.Construct, id string, props *EnhancedScanningProps) *EnhancedScanning {
	if props == nil {
		props = &EnhancedScanningProps{}
	}
	problems := checks.For("EnhancedScanning", scope, id)
	if n := len(props.RepositoryFilters); n == 0 || n > 100 {
		problems.Add("RepositoryFilters", fmt.Sprintf("%d filters", n), "1 to 100 filters such as \"enterprise-apps/*\"")
	}
	for i, f := range props.RepositoryFilters {
		if len(f) > 255 || !scanFilterPattern.MatchString(f) {
			problems.Add(fmt.Sprintf("RepositoryFilters[%d]", i), f, "a repository name pattern with * wildcards, such as \"enterprise-apps/*\"")
		}
	}
	problems.Panic()
	filters := make([]interface{}, 0, len(props.RepositoryFilters))
	for _, f := range props.RepositoryFilters {
		filters = append(filters, &awsecr.CfnRegistryScanningConfiguration_RepositoryFilterProperty{
			Filter: jsii.String(f), FilterType: jsii.String("WILDCARD"),
		})
	}
	s := &EnhancedScanning{filters: props.RepositoryFilters}
	constructs.NewConstruct_Override(s, scope, &id)
	s.resource = awsecr.NewCfnRegistryScanningConfiguration(s, jsii.String("Resource"), &awsecr.CfnRegistryScanningConfigurationProps{
		ScanType: jsii.String("ENHANCED"),
		Rules: &[]interface{}{&awsecr.CfnRegistryScanningConfiguration_ScanningRuleProperty{
			ScanFrequency:     jsii.String("CONTINUOUS_SCAN"),
			RepositoryFilters: &filters,
		}},
	})
	applyRemovalPolicy(s.resource, props.RemovalPolicy)
	s.Node().AddValidation(&oneSingletonPerRegistry{scope: s, resourceType: "AWS::ECR::RegistryScanningConfiguration", what: "registry scanning configuration"})
	return s
}

// RepositoryFilters returns the filters of the repositories scanned.
func (s *EnhancedScanning) RepositoryFilters() []string {
	return append([]string(nil), s.filters...)
}
