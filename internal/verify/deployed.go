package verify

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/internal/session"
	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/policy"
	"github.com/acme-platform/ecr-replication/replication"
)

// Deployed runs the after-deploy checks: the replication rule, every repository in every
// region, the creation templates, the registry policies across accounts, and the recent
// images. A *FatalError means AWS could not be reached or the credentials failed.
func (v *Verifier) Deployed(ctx context.Context) ([]Check, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	var checks []Check
	rule, err := v.replicationChecks(ctx)
	if err != nil {
		return nil, err
	}
	checks = append(checks, rule...)
	for _, s := range v.sites() {
		repos, err := v.repositoryChecks(ctx, s)
		if err != nil {
			return nil, err
		}
		checks = append(checks, repos...)
		if !s.replica {
			continue
		}
		tmpl, err := v.templateCheck(ctx, s)
		if err != nil {
			return nil, err
		}
		checks = append(checks, tmpl)
		if s.cross {
			rp, err := v.registryPolicyCheck(ctx, s)
			if err != nil {
				return nil, err
			}
			checks = append(checks, rp)
		}
	}
	states, imageChecks, err := v.imageStates(ctx, nil)
	if err != nil {
		return nil, err
	}
	checks = append(checks, imageChecks...)
	checks = append(checks, summarizeImages(v, states, false)...)
	return checks, nil
}

// ruleFilter is the repository filter of the app's rule.
func (v *Verifier) ruleFilter() string { return v.Config.RepoPrefix + "/" }

// isOurRule reports whether a replication rule is the app's: it filters on the prefix.
func (v *Verifier) isOurRule(r types.ReplicationRule) bool {
	for _, f := range r.RepositoryFilters {
		if f.FilterType == types.RepositoryFilterTypePrefixMatch && aws.ToString(f.Filter) == v.ruleFilter() {
			return true
		}
	}
	return false
}

func describeRule(r types.ReplicationRule) string {
	var filters, dests []string
	for _, f := range r.RepositoryFilters {
		filters = append(filters, fmt.Sprintf("%s %s", f.FilterType, aws.ToString(f.Filter)))
	}
	for _, d := range r.Destinations {
		dests = append(dests, fmt.Sprintf("%s/%s", aws.ToString(d.RegistryId), aws.ToString(d.Region)))
	}
	if len(filters) == 0 {
		filters = []string{"every repository"}
	}
	return fmt.Sprintf("filter %s → %s", strings.Join(filters, ", "), strings.Join(dests, ", "))
}

// replicationChecks compares the source registry's replication configuration with the app's
// rule: one rule, filter PREFIX_MATCH <prefix>/, every destination.
func (v *Verifier) replicationChecks(ctx context.Context) ([]Check, error) {
	region, account := v.Config.SourceRegion, v.Config.SourceAccount
	out, err := v.Source.ECR(region).DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	if err != nil {
		if fe := session.Fatal(err, "the source account"); fe != nil {
			return nil, fe
		}
		return []Check{{Name: "replication-rule", Region: region, Account: account, Status: StatusProblem,
			Detail: "cannot read the registry's replication configuration: " + session.Short(err)}}, nil
	}
	var rules []types.ReplicationRule
	if out.ReplicationConfiguration != nil {
		rules = out.ReplicationConfiguration.Rules
	}
	var checks []Check
	var ours *types.ReplicationRule
	for i := range rules {
		if ours == nil && v.isOurRule(rules[i]) {
			ours = &rules[i]
			continue
		}
		checks = append(checks, Check{Name: "replication-other-rule", Region: region, Account: account, Status: StatusWarning,
			Detail: fmt.Sprintf("rule %d is not this app's (%s): someone else shares the registry; the next deploy of %s replaces the whole configuration and drops it",
				i+1, describeRule(rules[i]), replication.SourceStackName(replication.DefaultDeploymentID, region))})
	}
	if ours == nil {
		return append([]Check{{Name: "replication-rule", Region: region, Account: account, Status: StatusProblem,
			Detail: fmt.Sprintf("no replication rule filters PREFIX_MATCH %s (%d rule(s) in the registry): deploy %s",
				v.ruleFilter(), len(rules), replication.SourceStackName(replication.DefaultDeploymentID, region))}}, checks...), nil
	}
	rule := Check{Name: "replication-rule", Region: region, Account: account, Status: StatusOK, Detail: "this app's rule: " + describeRule(*ours)}
	if len(ours.RepositoryFilters) != 1 {
		rule.Status = StatusProblem
		rule.Detail = fmt.Sprintf("the rule has %d repository filters, expected only PREFIX_MATCH %s: %s",
			len(ours.RepositoryFilters), v.ruleFilter(), describeRule(*ours))
	}
	checks = append([]Check{rule}, checks...)

	present := map[string]bool{}
	for _, d := range ours.Destinations {
		present[aws.ToString(d.RegistryId)+"/"+aws.ToString(d.Region)] = true
	}
	// Each destination's registry is its own account's.
	expected := map[string]bool{}
	for _, d := range v.destinations() {
		key := d.account + "/" + d.region
		expected[key] = true
		c := Check{Name: "replication-destination", Region: d.region, Account: d.account, Status: StatusOK,
			Detail: fmt.Sprintf("in the rule (registry %s)", d.account)}
		if !present[key] {
			c.Status = StatusProblem
			c.Detail = fmt.Sprintf("missing from the replication rule (expected registry %s, region %s): images are not replicated here; redeploy %s",
				d.account, d.region, replication.SourceStackName(replication.DefaultDeploymentID, region))
			if other := registriesIn(ours.Destinations, d.region); len(other) > 0 {
				c.Detail += fmt.Sprintf(" (the rule replicates %s to registry %s instead)", d.region, strings.Join(other, ", "))
			}
		}
		checks = append(checks, c)
	}
	for _, d := range ours.Destinations {
		key := aws.ToString(d.RegistryId) + "/" + aws.ToString(d.Region)
		if !expected[key] {
			checks = append(checks, Check{Name: "replication-destination", Region: aws.ToString(d.Region), Account: aws.ToString(d.RegistryId), Status: StatusProblem,
				Detail: fmt.Sprintf("the rule replicates to registry %s here, which the configuration does not list: redeploy %s, or add the region to the configuration",
					aws.ToString(d.RegistryId), replication.SourceStackName(replication.DefaultDeploymentID, region))})
		}
	}
	return checks, nil
}

// registriesIn lists the registries a rule's destinations name in region.
func registriesIn(dests []types.ReplicationDestination, region string) []string {
	var out []string
	for _, d := range dests {
		if aws.ToString(d.Region) == region {
			out = append(out, aws.ToString(d.RegistryId))
		}
	}
	return out
}

// repositoryChecks checks every repository of the configuration in a site: it exists, with
// the expected tag mutability, encryption, lifecycle policy and repository policy.
func (v *Verifier) repositoryChecks(ctx context.Context, s site) ([]Check, error) {
	region := s.region
	client := s.clients.ECR(region)
	stack := s.stack()
	var checks []Check
	for _, rs := range v.Config.RepositorySettings() {
		name := rs.FullName
		add := func(check string, status Status, format string, args ...any) {
			checks = append(checks, Check{Name: check, Region: region, Account: s.account, Repository: name, Status: status, Detail: fmt.Sprintf(format, args...)})
		}
		out, err := client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
		if err != nil {
			if fe := session.Fatal(err, s.where()); fe != nil {
				return nil, fe
			}
			if session.IsCode(err, "RepositoryNotFoundException") {
				what := "source repository"
				if s.replica {
					what = "replica"
				}
				add("repository", StatusProblem, "%s missing: deploy %s", what, stack)
			} else {
				add("repository", StatusProblem, "cannot describe the repository: %s", session.Short(err))
			}
			continue
		}
		if len(out.Repositories) == 0 {
			add("repository", StatusProblem, "missing: deploy %s", stack)
			continue
		}
		repo := out.Repositories[0]
		add("repository", StatusOK, "exists (%s)", aws.ToString(repo.RepositoryUri))

		if got := replication.TagMutability(repo.ImageTagMutability); got != rs.TagMutability {
			add("tag-mutability", StatusProblem, "%s, expected %s (%s profile)", got, rs.TagMutability, rs.Profile)
		} else {
			add("tag-mutability", StatusOK, "%s", got)
		}

		wantEnc := string(v.Config.Encryption)
		gotEnc := "AES256"
		if repo.EncryptionConfiguration != nil && repo.EncryptionConfiguration.EncryptionType != "" {
			gotEnc = string(repo.EncryptionConfiguration.EncryptionType)
		}
		if gotEnc != wantEnc {
			add("encryption", StatusProblem, "%s, expected %s (encryption is fixed at creation: the repository must be recreated)", gotEnc, wantEnc)
		} else if gotEnc == "KMS" && repo.EncryptionConfiguration != nil {
			add("encryption", StatusOK, "KMS (%s)", aws.ToString(repo.EncryptionConfiguration.KmsKey))
		} else {
			add("encryption", StatusOK, "%s", gotEnc)
		}

		lc, err := client.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String(name)})
		switch {
		case err != nil && session.Fatal(err, s.where()) != nil:
			return nil, session.Fatal(err, s.where())
		case session.IsCode(err, "LifecyclePolicyNotFoundException"):
			add("lifecycle-policy", StatusProblem, "no lifecycle policy; expected the %s profile's %d rules: redeploy %s", rs.Profile, len(rs.Lifecycle.Rules), stack)
		case err != nil:
			add("lifecycle-policy", StatusProblem, "cannot read the lifecycle policy: %s", session.Short(err))
		default:
			status, detail := compareLifecycle(aws.ToString(lc.LifecyclePolicyText), rs.Lifecycle)
			if status == StatusProblem {
				detail += ": redeploy " + stack
			}
			add("lifecycle-policy", status, "%s", detail)
		}

		status, detail, err := v.compareRepositoryPolicy(ctx, client, name, v.pullAccess(s))
		if err != nil {
			return nil, err
		}
		if status == StatusProblem {
			detail += ": redeploy " + stack
		}
		add("repository-policy", status, "%s", detail)
	}
	return checks, nil
}

// compareLifecycle compares a deployed lifecycle policy with the expected one by meaning: both
// are parsed and rendered by the lifecycle package, so key order, spacing and rule order do
// not count.
func compareLifecycle(deployed string, want lifecycle.Policy) (Status, string) {
	got, err := lifecycle.Parse([]byte(deployed))
	if err != nil {
		return StatusProblem, "the deployed policy is not a valid lifecycle policy: " + oneLine(err.Error())
	}
	gotJSON, err1 := got.JSON()
	wantJSON, err2 := want.JSON()
	if err1 != nil || err2 != nil {
		return StatusProblem, fmt.Sprintf("cannot render the policies: %v %v", err1, err2)
	}
	if gotJSON == wantJSON {
		return StatusOK, fmt.Sprintf("matches the configuration (%d rules)", len(want.Rules))
	}
	return StatusProblem, "differs from the configuration: " + ruleDiff(got, want)
}

// ruleDiff lists the rules that differ, by priority.
func ruleDiff(got, want lifecycle.Policy) string {
	render := func(p lifecycle.Policy) map[int]string {
		m := map[int]string{}
		for _, r := range p.Rules {
			one := lifecycle.Policy{Rules: []lifecycle.Rule{r}}
			s, err := one.JSON()
			if err != nil {
				s = fmt.Sprintf("%+v", r)
			}
			s = strings.TrimSuffix(strings.TrimPrefix(s, `{"rules":[`), `]}`)
			m[r.RulePriority] = s
		}
		return m
	}
	g, w := render(got), render(want)
	var prios []int
	for p := range g {
		prios = append(prios, p)
	}
	for p := range w {
		if _, ok := g[p]; !ok {
			prios = append(prios, p)
		}
	}
	sort.Ints(prios)
	var parts []string
	for _, p := range prios {
		switch {
		case g[p] == w[p]:
		case g[p] == "":
			parts = append(parts, fmt.Sprintf("rule %d missing (expected %s)", p, w[p]))
		case w[p] == "":
			parts = append(parts, fmt.Sprintf("rule %d not expected (deployed %s)", p, g[p]))
		default:
			parts = append(parts, fmt.Sprintf("rule %d is %s, expected %s", p, g[p], w[p]))
		}
	}
	return strings.Join(parts, "; ")
}

// compareRepositoryPolicy compares a repository's policy with the expected pull access by
// meaning (policy.Canonical). No expected access means no policy.
func (v *Verifier) compareRepositoryPolicy(ctx context.Context, client ECRAPI, name string, access policy.PullAccess) (Status, string, error) {
	out, err := client.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String(name)})
	want := access.Document()
	switch {
	case err != nil && session.Fatal(err, "the repository policy") != nil:
		return "", "", session.Fatal(err, "the repository policy")
	case session.IsCode(err, "RepositoryPolicyNotFoundException"):
		if want == nil {
			return StatusOK, "no repository policy, as configured (no pullAccounts or organizationId)", nil
		}
		return StatusProblem, "no repository policy; expected " + access.JSON(), nil
	case err != nil:
		return StatusProblem, "cannot read the repository policy: " + session.Short(err), nil
	}
	text := aws.ToString(out.PolicyText)
	if want == nil {
		return StatusProblem, "has a repository policy the configuration does not grant: " + oneLine(text), nil
	}
	got, err := policy.Canonical(text, v.Config.Partition())
	if err != nil {
		return StatusProblem, "the repository policy is " + err.Error(), nil
	}
	exp, _ := policy.Canonical(want, v.Config.Partition())
	if got != exp {
		return StatusProblem, fmt.Sprintf("differs from the configuration: deployed %s, expected %s", oneLine(text), access.JSON()), nil
	}
	return StatusOK, "matches the configuration", nil
}

// templateCheck checks the repository creation template of the prefix in a destination.
func (v *Verifier) templateCheck(ctx context.Context, s site) (Check, error) {
	region := s.region
	c := Check{Name: "creation-template", Region: region, Account: s.account}
	out, err := s.clients.ECR(region).DescribeRepositoryCreationTemplates(ctx, &ecr.DescribeRepositoryCreationTemplatesInput{
		Prefixes: []string{v.Config.RepoPrefix},
	})
	switch {
	case err != nil && session.Fatal(err, s.where()) != nil:
		return c, session.Fatal(err, s.where())
	case err != nil && session.Unsupported(err):
		c.Status, c.Detail = StatusSkipped, "not checked: the endpoint does not implement DescribeRepositoryCreationTemplates ("+session.Short(err)+")"
		return c, nil
	case err != nil && session.IsCode(err, "TemplateNotFoundException"):
		out = &ecr.DescribeRepositoryCreationTemplatesOutput{}
	case err != nil:
		c.Status, c.Detail = StatusProblem, "cannot read the creation templates: "+session.Short(err)
		return c, nil
	}
	var tmpl *types.RepositoryCreationTemplate
	for i := range out.RepositoryCreationTemplates {
		if aws.ToString(out.RepositoryCreationTemplates[i].Prefix) == v.Config.RepoPrefix {
			tmpl = &out.RepositoryCreationTemplates[i]
		}
	}
	stack := replication.ReplicaStackName(replication.DefaultDeploymentID, region)
	if tmpl == nil {
		c.Status, c.Detail = StatusProblem, fmt.Sprintf("no creation template for prefix %s: replicas ECR creates get default settings; deploy %s", v.Config.RepoPrefix, stack)
		return c, nil
	}
	var problems []string
	if !slices.Contains(tmpl.AppliedFor, types.RCTAppliedForReplication) {
		problems = append(problems, fmt.Sprintf("applied for %v, not REPLICATION", tmpl.AppliedFor))
	}
	if m := replication.TagMutability(tmpl.ImageTagMutability); m != "" && m != replication.Mutable {
		problems = append(problems, fmt.Sprintf("tag mutability %s, expected %s", m, replication.Mutable))
	}
	if tmpl.EncryptionConfiguration != nil && string(tmpl.EncryptionConfiguration.EncryptionType) != string(v.Config.Encryption) {
		problems = append(problems, fmt.Sprintf("encryption %s, expected %s", tmpl.EncryptionConfiguration.EncryptionType, v.Config.Encryption))
	}
	if status, detail := compareLifecycle(aws.ToString(tmpl.LifecyclePolicy), v.Config.TemplateLifecycle()); status != StatusOK {
		problems = append(problems, "lifecycle policy "+detail)
	}
	access := v.pullAccess(s)
	if got := aws.ToString(tmpl.RepositoryPolicy); got == "" {
		if !access.IsEmpty() {
			problems = append(problems, "no repository policy, expected "+access.JSON())
		}
	} else if access.IsEmpty() {
		problems = append(problems, "a repository policy the configuration does not grant")
	} else {
		g, err := policy.Canonical(got, v.Config.Partition())
		w, _ := policy.Canonical(access.Document(), v.Config.Partition())
		if err != nil || g != w {
			problems = append(problems, "repository policy differs: "+oneLine(got))
		}
	}
	if len(problems) > 0 {
		c.Status, c.Detail = StatusProblem, fmt.Sprintf("template %s: %s: redeploy %s", v.Config.RepoPrefix, strings.Join(problems, "; "), stack)
		return c, nil
	}
	c.Status, c.Detail = StatusOK, fmt.Sprintf("prefix %s, applied for REPLICATION, lifecycle and settings match", v.Config.RepoPrefix)
	return c, nil
}

// registryPolicyCheck checks, in a destination of another account, that its registry policy
// lets the source account replicate into the prefix.
func (v *Verifier) registryPolicyCheck(ctx context.Context, s site) (Check, error) {
	region := s.region
	c := Check{Name: "registry-policy", Region: region, Account: s.account}
	out, err := s.clients.ECR(region).GetRegistryPolicy(ctx, &ecr.GetRegistryPolicyInput{})
	stack := s.stack()
	switch {
	case err != nil && session.Fatal(err, s.where()) != nil:
		return c, session.Fatal(err, s.where())
	case session.IsCode(err, "RegistryPolicyNotFoundException"):
		c.Status, c.Detail = StatusProblem, fmt.Sprintf("no registry policy in account %s: the source account %s cannot replicate into it; deploy %s", s.account, v.Config.SourceAccount, stack)
		return c, nil
	case err != nil:
		c.Status, c.Detail = StatusProblem, "cannot read the registry policy: "+session.Short(err)
		return c, nil
	}
	sts, err := policy.Statements(aws.ToString(out.PolicyText))
	if err != nil {
		c.Status, c.Detail = StatusProblem, "the registry policy is "+err.Error()
		return c, nil
	}
	principal := fmt.Sprintf("arn:%s:iam::%s:root", v.Config.Partition(), v.Config.SourceAccount)
	resource := strings.TrimSuffix(policy.NamespaceArn(region, s.account, v.Config.RepoPrefix), "*") + "any"
	if !allows(sts, principal, v.Config.SourceAccount, policy.ReplicationActions, resource) {
		c.Status, c.Detail = StatusProblem, fmt.Sprintf("does not allow %s for %s on %s: redeploy %s",
			strings.Join(policy.ReplicationActions, " and "), principal, policy.NamespaceArn(region, s.account, v.Config.RepoPrefix), stack)
		return c, nil
	}
	c.Status, c.Detail = StatusOK, fmt.Sprintf("allows %s for the source account %s in account %s", strings.Join(policy.ReplicationActions, " and "), v.Config.SourceAccount, s.account)
	return c, nil
}
