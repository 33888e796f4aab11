package backfill

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/internal/session"
	"github.com/acme-platform/ecr-replication/replication"
)

// destFlag is one --destination value: REGION or REGION@ACCOUNT.
type destFlag struct {
	raw, region, account string
}

// expDestination is what --destination takes.
const expDestination = "expected REGION or REGION@ACCOUNT of a destination of the configuration, such as us-west-2 or us-west-2@222222222222"

// parseDestination reads one --destination value; problem is "" when it is well formed.
func parseDestination(v string) (d destFlag, problem string) {
	region, account, hasAt := strings.Cut(v, "@")
	d = destFlag{raw: v, region: region, account: account}
	switch {
	case !awsid.IsRegion(region):
		hint := ""
		if h := awsid.RegionHint(region); h != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", h)
		}
		return d, fmt.Sprintf("--destination %q: %q is not a known AWS region%s; %s", v, region, hint, expDestination)
	case hasAt && !awsid.IsAccount(account):
		return d, fmt.Sprintf("--destination %q: %q is not a 12-digit AWS account ID; %s", v, account, expDestination)
	}
	return d, ""
}

// resolveDestinations maps the --destination values onto the configuration's destinations,
// in the order given; none means every destination of the configuration. Every value that
// names no destination of the configuration is a problem that says what to do.
func resolveDestinations(cfg *config.Config, flags []destFlag) ([]replication.Destination, []string) {
	all := cfg.Destinations()
	if len(flags) == 0 {
		return all, nil
	}
	var out []replication.Destination
	var problems []string
	given := map[replication.Destination]string{}
	for _, f := range flags {
		i := slices.IndexFunc(all, func(d replication.Destination) bool { return d.Region == f.region })
		switch {
		case i < 0:
			problems = append(problems, fmt.Sprintf(
				"--destination %s: %s is not a destination of the configuration (%s); a backfill replicates only to a destination of the replication rule: add the region to the configuration (such as -c additionalRegions=%s), cdk deploy, then run backfill",
				f.raw, f.region, describeDestinations(all), f.raw))
			continue
		case f.account != "" && f.account != all[i].Account:
			problems = append(problems, fmt.Sprintf("--destination %s: the configuration's destination in %s is in account %s, not %s; expected %s or %s@%s",
				f.raw, f.region, all[i].Account, f.account, f.region, f.region, all[i].Account))
			continue
		}
		if first, dup := given[all[i]]; dup {
			problems = append(problems, fmt.Sprintf("--destination %s: %s is already given (--destination %s); give each destination once", f.raw, label(all[i]), first))
			continue
		}
		given[all[i]] = f.raw
		out = append(out, all[i])
	}
	return out, problems
}

// describeDestinations renders "destinations: us-west-2 (123456789012), eu-west-1 (123456789012)".
func describeDestinations(ds []replication.Destination) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = label(d)
	}
	return "destinations: " + strings.Join(parts, ", ")
}

// sourceStackName is the stack that holds the replication configuration (the name
// package stacks gives it; that package links the CDK, which this one must not).
func sourceStackName(region string) string { return "ecr-replication-source-" + region }

// checkDeployed reads the source registry's replication configuration (DescribeRegistry) and
// refuses, naming cdk deploy, every destination that this app's rule (the one filtering
// PREFIX_MATCH <repoPrefix>/) does not replicate to: ECR backfills only to a destination the
// configuration has. A destination that another rule replicates to as well gets a note: ECR
// backfills the images of that rule too.
func checkDeployed(ctx context.Context, api ECRAPI, cfg *config.Config, entries []*Backfill) error {
	out, err := api.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	if err != nil {
		if fe := session.Fatal(err, "source account"); fe != nil {
			return fe
		}
		return &session.UsageError{Problems: []string{fmt.Sprintf(
			"cannot read the replication configuration of registry %s in %s (ecr:DescribeRegistry): %s",
			cfg.SourceAccount, cfg.SourceRegion, session.Short(err))}}
	}
	var rules []types.ReplicationRule
	if out.ReplicationConfiguration != nil {
		rules = out.ReplicationConfiguration.Rules
	}
	filter := cfg.RepoPrefix + "/"
	ours := slices.IndexFunc(rules, func(r types.ReplicationRule) bool { return filtersOn(r, filter) })
	var problems []string
	for _, e := range entries {
		if ours < 0 || !replicatesTo(rules[ours], e.Destination) {
			problems = append(problems, notDeployed(cfg, rules, ours, e.Destination))
			continue
		}
		for i, r := range rules {
			if i != ours && replicatesTo(r, e.Destination) {
				e.Note = fmt.Sprintf("rule %d of the registry (%s) also replicates to %s: ECR backfills its images too", i+1, describeFilters(r), e.Destination.Region)
			}
		}
	}
	if len(problems) > 0 {
		return &session.UsageError{Problems: problems}
	}
	return nil
}

// notDeployed says why a destination cannot be backfilled yet, and what to do.
func notDeployed(cfg *config.Config, rules []types.ReplicationRule, ours int, d replication.Destination) string {
	found := fmt.Sprintf("the registry has no replication rule that filters PREFIX_MATCH %s/ (%d rule(s))", cfg.RepoPrefix, len(rules))
	if ours >= 0 {
		var to []string
		for _, rd := range rules[ours].Destinations {
			to = append(to, label(destinationOf(&rd)))
		}
		found = "this app's rule replicates to " + strings.Join(to, ", ")
		if len(to) == 0 {
			found = "this app's rule has no destination"
		}
	}
	return fmt.Sprintf("%s is not in the deployed replication configuration of registry %s in %s (%s): deploy first (cdk deploy %s, or cdk deploy --all), then run backfill",
		label(d), cfg.SourceAccount, cfg.SourceRegion, found, sourceStackName(cfg.SourceRegion))
}

func filtersOn(r types.ReplicationRule, filter string) bool {
	return slices.ContainsFunc(r.RepositoryFilters, func(f types.RepositoryFilter) bool {
		return f.FilterType == types.RepositoryFilterTypePrefixMatch && aws.ToString(f.Filter) == filter
	})
}

func replicatesTo(r types.ReplicationRule, d replication.Destination) bool {
	return slices.ContainsFunc(r.Destinations, func(rd types.ReplicationDestination) bool { return destinationOf(&rd) == d })
}

// describeFilters renders a rule's filters ("filter PREFIX_MATCH team-x/", or "every repository").
func describeFilters(r types.ReplicationRule) string {
	var fs []string
	for _, f := range r.RepositoryFilters {
		fs = append(fs, fmt.Sprintf("%s %s", f.FilterType, aws.ToString(f.Filter)))
	}
	if len(fs) == 0 {
		return "every repository"
	}
	return "filter " + strings.Join(fs, ", ")
}
