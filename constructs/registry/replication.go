package registry

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/replication"
)

// ECR service quotas that neither CloudFormation nor the CDK checks
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html).
const (
	// MaxRules is the number of rules one replication configuration may hold.
	MaxRules = 10
	// MaxUniqueDestinations is the number of unique (region, registry) destinations across
	// all rules of a registry: the schema accepts 100 per rule, the service 25 in all.
	MaxUniqueDestinations = 25
	// MaxFiltersPerRule is the number of repository filters one rule may hold.
	MaxFiltersPerRule = 100
)

// filterPattern is the CloudFormation schema's pattern for a PREFIX_MATCH filter.
var filterPattern = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$`)

// ReplicationRule sends the images of the repositories its filters select to its destinations.
type ReplicationRule struct {
	// Destinations receive the images. Required: at least one.
	Destinations []replication.Destination
	// RepositoryPrefixes are PREFIX_MATCH filters: a repository is replicated when its name
	// starts with one of them. ECR compares plain strings, so end a namespace with "/":
	// "enterprise-apps/" keeps "enterprise-apps-legacy/api" out, "enterprise-apps" does not.
	//
	// Default: - every repository of the registry.
	RepositoryPrefixes []string
	// DeleteReplication makes ECR mirror, to this rule's destinations, the deletes in the
	// source: a tag removed, the last tag removed (the image goes), a delete by digest, and
	// lifecycle expirations. Off, a replica keeps its images until its own lifecycle policy
	// expires them, which is what disaster recovery wants: with it on, a mistaken delete or an
	// over-eager lifecycle rule in the source empties the replicas too
	// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication-delete.html).
	//
	// The property (ReplicationRule.DeleteReplication.Enabled, in the CloudFormation reference
	// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecr-replicationconfiguration-deletereplication.html)
	// is newer than aws-cdk-go v2.276's typed L1, so it is set through a property override,
	// rendered exactly as aws-cdk-lib 2.278.0's typed L1 renders it (a test compares them).
	//
	// Default: false.
	DeleteReplication bool
}

// ReplicationProps configures a Replication.
type ReplicationProps struct {
	// Rules of the registry's replication configuration. Required: 1 to 10.
	Rules []ReplicationRule
	// RemovalPolicy says what `cdk destroy` does to this registry-wide setting: RETAIN leaves it
	// in place (and, through a stack update that removes it, too).
	//
	// Default: - CloudFormation's: deleting the stack deletes it (and so empties the registry's
	// setting, whoever else relied on it).
	RemovalPolicy awscdk.RemovalPolicy
}

func (p *ReplicationProps) check(problems *checks.Problems, sourceRegion string) {
	if n := len(p.Rules); n == 0 || n > MaxRules {
		problems.Add("Rules", countOf(n, "rules"), fmt.Sprintf("1 to %d rules (ECR quota)", MaxRules))
	}
	unique := map[replication.Destination]bool{}
	for i, rule := range p.Rules {
		name := fmt.Sprintf("Rules[%d]", i)
		if len(rule.Destinations) == 0 {
			problems.Missing(name+".Destinations", "at least one destination")
		}
		seen := map[replication.Destination]bool{}
		for j, d := range rule.Destinations {
			field := fmt.Sprintf("%s.Destinations[%d]", name, j)
			if !awsid.IsRegion(d.Region) {
				problems.Add(field+".Region", d.Region, "a known AWS region such as us-west-2")
				continue
			}
			if d.Account != "" && !awsid.IsToken(d.Account) && !awsid.IsAccount(d.Account) {
				problems.Add(field+".Account", d.Account, awsid.AccountRule)
			}
			if sourceRegion != "" && d.Account == "" && d.Region == sourceRegion {
				problems.Add(field+".Region", d.Region, "a region other than the source region (or a destination in another account)")
			}
			if sourceRegion != "" && awsid.PartitionOf(d.Region) != awsid.PartitionOf(sourceRegion) {
				problems.Add(field+".Region", d.Region, fmt.Sprintf("a region of the source's partition %s (this one is in %s): ECR does not replicate across partitions",
					awsid.PartitionOf(sourceRegion), awsid.PartitionOf(d.Region)))
			}
			if seen[d] {
				problems.Add(field, d.String(), "each destination once per rule (this one is listed twice)")
			}
			seen[d] = true
			unique[d] = true
		}
		if len(rule.RepositoryPrefixes) > MaxFiltersPerRule {
			problems.Add(name+".RepositoryPrefixes", countOf(len(rule.RepositoryPrefixes), "prefixes"), fmt.Sprintf("at most %d (ECR quota)", MaxFiltersPerRule))
		}
		for j, f := range rule.RepositoryPrefixes {
			if len(f) < 2 || len(f) > 256 || !filterPattern.MatchString(f) {
				problems.Add(fmt.Sprintf("%s.RepositoryPrefixes[%d]", name, j), f, "2-256 characters of a repository name prefix, such as \"enterprise-apps/\"")
			}
		}
	}
	if len(unique) > MaxUniqueDestinations {
		problems.Add("Rules", countOf(len(unique), "unique destinations"),
			fmt.Sprintf("at most %d across all rules (ECR quota, not checked by CloudFormation)", MaxUniqueDestinations))
	}
}

// Replication is the registry's replication configuration: it lives in the source
// region and sends images to every destination of its rules.
//
// ECR keeps ONE replication configuration per account and region, and CloudFormation treats it
// as a singleton: creating one where rules already exist fails (AlreadyExists), updating it
// replaces every rule, and deleting it empties the registry's rules. This construct therefore
// refuses, at synth, a second Replication for the same account and region anywhere in the
// app; rules from several teams must be merged into one Replication.
type Replication struct {
	constructs.Construct
	resource awsecr.CfnReplicationConfiguration
	rules    []ReplicationRule
}

// Resource returns the CloudFormation replication configuration.
func (r *Replication) Resource() awsecr.CfnReplicationConfiguration { return r.resource }

// NewReplication creates the registry's replication configuration in scope's stack.
func NewReplication(scope constructs.Construct, id string, p *ReplicationProps) *Replication {
	if p == nil {
		p = &ReplicationProps{}
	}
	stack := awscdk.Stack_Of(scope)
	problems := checks.For("Replication", scope, id)
	p.check(problems, resolvedOrEmpty(stack.Region()))
	problems.Panic()
	r := &Replication{rules: p.Rules}
	constructs.NewConstruct_Override(r, scope, &id)
	r.resource = awsecr.NewCfnReplicationConfiguration(r, jsii.String("Resource"), &awsecr.CfnReplicationConfigurationProps{
		ReplicationConfiguration: &awsecr.CfnReplicationConfiguration_ReplicationConfigurationProperty{
			Rules: renderRules(p.Rules, stack.Account()),
		},
	})
	r.addDeleteReplication()
	applyRemovalPolicy(r.resource, p.RemovalPolicy)
	r.Node().AddValidation(&oneSingletonPerRegistry{scope: r, resourceType: "AWS::ECR::ReplicationConfiguration", what: "replication configuration"})
	return r
}

// addDeleteReplication sets DeleteReplication on the rules that ask for it, through a property
// override (aws-cdk-go v2.276's typed L1 lacks it), and acknowledges the CDK's built-in template
// validation, whose schema lacks it too (CloudFormation-Validate::F3002 on this resource only;
// cfn-lint in the tests ignores exactly that finding at exactly that path).
func (r *Replication) addDeleteReplication() {
	on := false
	for i, rule := range r.rules {
		if rule.DeleteReplication {
			on = true
			r.resource.AddPropertyOverride(jsii.String(fmt.Sprintf("ReplicationConfiguration.Rules.%d.DeleteReplication", i)),
				map[string]any{"Enabled": true})
		}
	}
	if on {
		awscdk.Validations_Of(r.resource).Acknowledge(&awscdk.Acknowledgment{
			Id: jsii.String("CloudFormation-Validate::F3002"),
			Reason: jsii.String("ReplicationRule.DeleteReplication is in the CloudFormation reference (aws-properties-ecr-replicationconfiguration-deletereplication) " +
				"but not yet in the schema the CDK validates against"),
		})
	}
}

// Rules returns the rules the configuration holds.
func (r *Replication) Rules() []ReplicationRule {
	return append([]ReplicationRule(nil), r.rules...)
}

// Destinations returns every unique destination of every rule, sorted.
func (r *Replication) Destinations() []replication.Destination {
	seen := map[replication.Destination]bool{}
	var out []replication.Destination
	for _, rule := range r.rules {
		for _, d := range rule.Destinations {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func renderRules(rules []ReplicationRule, stackAccount *string) *[]interface{} {
	out := make([]interface{}, 0, len(rules))
	for _, rule := range rules {
		dests := make([]interface{}, 0, len(rule.Destinations))
		for _, d := range rule.Destinations {
			account := stackAccount
			if d.Account != "" {
				account = jsii.String(d.Account)
			}
			dests = append(dests, &awsecr.CfnReplicationConfiguration_ReplicationDestinationProperty{
				Region:     jsii.String(d.Region),
				RegistryId: account,
			})
		}
		var filters *[]interface{}
		if len(rule.RepositoryPrefixes) > 0 {
			fs := make([]interface{}, 0, len(rule.RepositoryPrefixes))
			for _, f := range rule.RepositoryPrefixes {
				fs = append(fs, &awsecr.CfnReplicationConfiguration_RepositoryFilterProperty{
					Filter:     jsii.String(f),
					FilterType: jsii.String("PREFIX_MATCH"),
				})
			}
			filters = &fs
		}
		out = append(out, &awsecr.CfnReplicationConfiguration_ReplicationRuleProperty{
			Destinations:      &dests,
			RepositoryFilters: filters,
		})
	}
	return &out
}

func resolvedOrEmpty(s *string) string {
	if s == nil || awsid.IsToken(*s) {
		return ""
	}
	return *s
}

// applyRemovalPolicy applies a registry-wide setting's removal policy, when one is given.
func applyRemovalPolicy(resource awscdk.CfnResource, policy awscdk.RemovalPolicy) {
	if policy != "" {
		resource.ApplyRemovalPolicy(policy, nil)
	}
}

// oneSingletonPerRegistry fails synthesis when the app holds two resources of a registry-wide
// singleton type (one per account and region) for the same registry.
type oneSingletonPerRegistry struct {
	scope        constructs.Construct
	resourceType string
	what         string
}

// Validate implements constructs.IValidation.
func (v *oneSingletonPerRegistry) Validate() *[]*string {
	mine := v.scope.Node().DefaultChild()
	myStack := awscdk.Stack_Of(v.scope)
	myKey := registryKey(myStack)
	var problems []*string
	for _, c := range *v.scope.Node().Root().Node().FindAll(constructs.ConstructOrder_PREORDER) {
		res, ok := c.(awscdk.CfnResource)
		if !ok || *res.CfnResourceType() != v.resourceType || *c.Node().Path() == *mine.Node().Path() {
			continue
		}
		if registryKey(awscdk.Stack_Of(c)) == myKey {
			problems = append(problems, jsii.String(fmt.Sprintf(
				"registry %s already has a %s at %s: ECR keeps one per account and region, and a second one would fail to create (AlreadyExists) or replace the first one's rules; merge them into one construct",
				myKey, v.what, *c.Node().Path())))
		}
	}
	return &problems
}

// registryKey names a stack's registry as "account/region", with "(deploy-time account)" for
// an environment-agnostic account: two such stacks in one region may deploy to one account.
func registryKey(stack awscdk.Stack) string {
	account := resolvedOrEmpty(stack.Account())
	if account == "" {
		account = "(deploy-time account)"
	}
	region := resolvedOrEmpty(stack.Region())
	if region == "" {
		region = "(deploy-time region)"
	}
	return account + "/" + region
}

// count renders a number for a problem message without quotes: "11 rules".
type count struct {
	n    int
	unit string
}

func (c count) String() string { return fmt.Sprintf("%d %s", c.n, c.unit) }

func countOf(n int, unit string) fmt.Stringer { return count{n, unit} }
