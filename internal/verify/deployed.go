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

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/internal/session"
	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/policy"
	"github.com/acme-platform/ecr-replication/replication"
)

// Deployed runs the after-deploy checks: the replication rule of every namespace, every
// repository in every region, the creation templates, the registry policies across accounts,
// the signing configuration (with managed signing), and the recent images (and their
// signatures). The parts run in parallel (each one's requests within the clients' limits) and
// are reported in that order, whatever order they finish in. A *FatalError means AWS could not
// be reached or the credentials failed.
func (v *Verifier) Deployed(ctx context.Context) ([]Check, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	parts := []func(context.Context) ([]Check, error){v.replicationChecks}
	for _, s := range v.sites() {
		parts = append(parts, func(ctx context.Context) ([]Check, error) { return v.siteChecks(ctx, s) })
	}
	if v.Config.ManagedSigning() {
		parts = append(parts, v.signingConfigurationChecks)
	}
	parts = append(parts, v.imageChecks)
	return collect(ctx, len(parts), len(parts), func(ctx context.Context, i int) ([]Check, error) { return parts[i](ctx) })
}

// siteChecks are the checks of one registry: its repositories, and in a destination the
// creation template of each namespace that replicates there and, in another account than the
// source, the registry policy.
func (v *Verifier) siteChecks(ctx context.Context, s site) ([]Check, error) {
	checks, err := v.repositoryChecks(ctx, s)
	if err != nil || !s.replica {
		return checks, err
	}
	for _, n := range v.namespaces() {
		if !v.replicatesTo(n.Prefix, s) {
			continue
		}
		tmpl, err := v.templateCheck(ctx, s, n.Prefix)
		if err != nil {
			return nil, err
		}
		checks = append(checks, tmpl)
	}
	if s.cross {
		rp, err := v.registryPolicyCheck(ctx, s)
		if err != nil {
			return nil, err
		}
		checks = append(checks, rp)
	}
	return checks, nil
}

// imageChecks are the checks of the recent images: one per destination and repository; with
// managed signing, their signing status and signatures (signatureChecks).
func (v *Verifier) imageChecks(ctx context.Context) ([]Check, error) {
	states, checks, err := v.imageStates(ctx, nil)
	if err != nil {
		return nil, err
	}
	checks = append(checks, summarizeImages(v, states, false)...)
	if !v.Config.ManagedSigning() {
		return checks, nil
	}
	signing, err := v.signatureChecks(ctx, imageSet(states))
	return append(checks, signing...), err
}

// sourceRules reads the replication rules of the source registry. A fatal error is returned;
// unreadable says, for a check's detail, why the rules could not be read otherwise.
func (v *Verifier) sourceRules(ctx context.Context) (rules []types.ReplicationRule, unreadable string, err error) {
	out, err := v.Source.ECR(v.Config.SourceRegion).DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	if err != nil {
		if fe := session.Fatal(err, "the source account"); fe != nil {
			return nil, "", fe
		}
		return nil, session.Short(err), nil
	}
	if out.ReplicationConfiguration != nil {
		rules = out.ReplicationConfiguration.Rules
	}
	return rules, "", nil
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

// replicationChecks compares the source registry's replication configuration with the
// namespaces' rules: per namespace one rule, filter PREFIX_MATCH <prefix>/, with its
// destinations and its DeleteReplication; rules of no namespace of the configuration are
// listed as warnings (the next deploy drops them).
func (v *Verifier) replicationChecks(ctx context.Context) ([]Check, error) {
	region, account := v.Config.SourceRegion, v.Config.SourceAccount
	rules, unreadable, err := v.sourceRules(ctx)
	switch {
	case err != nil:
		return nil, err
	case unreadable != "":
		return []Check{{Name: "replication-rule", Region: region, Account: account, Status: StatusProblem,
			Detail: "cannot read the registry's replication configuration: " + unreadable}}, nil
	}
	var checks, others []Check
	taken := map[int]bool{}
	for _, n := range v.namespaces() {
		i := slices.IndexFunc(rules, func(r types.ReplicationRule) bool { return v.ownerOf(r) == n.Prefix })
		checks = append(checks, v.namespaceRuleChecks(rules, i, n)...)
		taken[i] = true
	}
	for i, r := range rules {
		owner := v.ownerOf(r)
		if taken[i] || (owner != "" && !v.selected(owner)) {
			continue
		}
		what := "is not this app's"
		if owner != "" {
			what = "is a second rule of " + owner + "/"
		}
		others = append(others, Check{Name: "replication-other-rule", Region: region, Account: account, Status: StatusWarning,
			Detail: fmt.Sprintf("rule %d %s (%s): someone else shares the registry; the next deploy of %s replaces the whole configuration and drops it",
				i+1, what, describeRule(r), replication.SourceStackName(replication.DefaultDeploymentID, region))})
	}
	return append(checks, others...), nil
}

// namespaceRuleChecks are the checks of one namespace's rule, rules[i] (i < 0: none): its
// filter, its destinations and its delete replication.
func (v *Verifier) namespaceRuleChecks(rules []types.ReplicationRule, i int, n config.Namespace) []Check {
	region, account := v.Config.SourceRegion, v.Config.SourceAccount
	source := replication.SourceStackName(replication.DefaultDeploymentID, region)
	c := Check{Name: "replication-rule", Region: region, Account: account, Namespace: n.Prefix}
	if i < 0 {
		c.Status, c.Detail = StatusProblem, fmt.Sprintf("no replication rule filters PREFIX_MATCH %s/ (%d rule(s) in the registry): deploy %s", n.Prefix, len(rules), source)
		return []Check{c}
	}
	rule := rules[i]
	whose := "this app's rule"
	if v.Config.ManyNamespaces() {
		whose = "the rule of " + n.Prefix + "/"
	}
	c.Status, c.Detail = StatusOK, whose+": "+describeRule(rule)
	if len(rule.RepositoryFilters) != 1 {
		c.Status = StatusProblem
		c.Detail = fmt.Sprintf("the rule has %d repository filters, expected only PREFIX_MATCH %s/: %s", len(rule.RepositoryFilters), n.Prefix, describeRule(rule))
	}
	checks := append([]Check{c}, v.destinationChecks(rule, n)...)
	return append(checks, v.deleteReplicationCheck(rule, n))
}

// destinationChecks compares the destinations of a namespace's rule with the configuration's:
// each destination's registry is its own account's.
func (v *Verifier) destinationChecks(ours types.ReplicationRule, n config.Namespace) []Check {
	source := replication.SourceStackName(replication.DefaultDeploymentID, v.Config.SourceRegion)
	present := map[string]bool{}
	for _, d := range ours.Destinations {
		present[aws.ToString(d.RegistryId)+"/"+aws.ToString(d.Region)] = true
	}
	var checks []Check
	expected := map[string]bool{}
	for _, d := range v.destinationsOf(n.Prefix) {
		key := d.account + "/" + d.region
		expected[key] = true
		c := Check{Name: "replication-destination", Region: d.region, Account: d.account, Namespace: n.Prefix, Status: StatusOK,
			Detail: fmt.Sprintf("in the rule (registry %s)", d.account)}
		if !present[key] {
			c.Status = StatusProblem
			c.Detail = fmt.Sprintf("missing from the replication rule (expected registry %s, region %s): images are not replicated here; redeploy %s",
				d.account, d.region, source)
			if other := registriesIn(ours.Destinations, d.region); len(other) > 0 {
				c.Detail += fmt.Sprintf(" (the rule replicates %s to registry %s instead)", d.region, strings.Join(other, ", "))
			}
		}
		checks = append(checks, c)
	}
	for _, d := range ours.Destinations {
		key := aws.ToString(d.RegistryId) + "/" + aws.ToString(d.Region)
		if !expected[key] {
			checks = append(checks, Check{Name: "replication-destination", Region: aws.ToString(d.Region), Account: aws.ToString(d.RegistryId), Namespace: n.Prefix, Status: StatusProblem,
				Detail: fmt.Sprintf("the rule replicates to registry %s here, which the configuration does not list: redeploy %s, or add the region to the configuration",
					aws.ToString(d.RegistryId), source)})
		}
	}
	return checks
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

// repositoryChecks checks every repository the site holds (in a destination, those of the
// namespaces that replicate there), in parallel and in configuration order: it exists, with the
// expected tag mutability, encryption, lifecycle policy and repository policy.
func (v *Verifier) repositoryChecks(ctx context.Context, s site) ([]Check, error) {
	settings := v.settingsIn(s)
	names := make([]string, len(settings))
	for i, rs := range settings {
		names[i] = rs.FullName
	}
	found, err := v.describeRepositories(ctx, s, names)
	if err != nil {
		return nil, err
	}
	return collect(ctx, len(settings), v.workers(), func(ctx context.Context, i int) ([]Check, error) {
		return v.repositoryCheck(ctx, s, settings[i], found[i])
	})
}

// repositoryCheck checks one repository of a site, described as found.
func (v *Verifier) repositoryCheck(ctx context.Context, s site, rs config.RepositorySettings, found repoLookup) ([]Check, error) {
	name, stack := rs.FullName, s.stack()
	check := func(name string, status Status, detail string) Check {
		return Check{Name: name, Region: s.region, Account: s.account, Repository: rs.FullName, Status: status, Detail: detail}
	}
	switch {
	case session.IsCode(found.err, "RepositoryNotFoundException"):
		what := "source repository"
		if s.replica {
			what = "replica"
		}
		return []Check{check("repository", StatusProblem, fmt.Sprintf("%s missing: deploy %s", what, stack))}, nil
	case found.err != nil:
		return []Check{check("repository", StatusProblem, "cannot describe the repository: "+session.Short(found.err))}, nil
	case found.repo == nil:
		return []Check{check("repository", StatusProblem, "missing: deploy "+stack)}, nil
	}
	repo := found.repo
	checks := []Check{check("repository", StatusOK, fmt.Sprintf("exists (%s)", aws.ToString(repo.RepositoryUri)))}
	if got := replication.TagMutability(repo.ImageTagMutability); got != rs.TagMutability {
		checks = append(checks, check("tag-mutability", StatusProblem, fmt.Sprintf("%s, expected %s (%s profile)", got, rs.TagMutability, rs.Profile)))
	} else {
		checks = append(checks, check("tag-mutability", StatusOK, string(got)))
	}
	status, detail := v.encryptionStatus(repo)
	checks = append(checks, check("encryption", status, detail))

	client := s.clients.ECR(s.region)
	status, detail, err := v.lifecycleStatus(ctx, client, s, rs)
	if err != nil {
		return nil, err
	}
	checks = append(checks, check("lifecycle-policy", status, detail))
	status, detail, err = v.compareRepositoryPolicy(ctx, client, name, v.pullAccess(s, rs.Namespace))
	if err != nil {
		return nil, err
	}
	if status == StatusProblem {
		detail += ": redeploy " + stack
	}
	return append(checks, check("repository-policy", status, detail)), nil
}

// encryptionStatus compares a repository's encryption type with the configuration's.
func (v *Verifier) encryptionStatus(repo *types.Repository) (Status, string) {
	want, got := string(v.Config.Encryption), encryptionOf(repo)
	switch {
	case got != want:
		return StatusProblem, fmt.Sprintf("%s, expected %s (encryption is fixed at creation: the repository must be recreated)", got, want)
	case got == "KMS":
		return StatusOK, fmt.Sprintf("KMS (%s)", aws.ToString(repo.EncryptionConfiguration.KmsKey))
	}
	return StatusOK, got
}

// encryptionOf is a repository's encryption type (AES256 when it says none).
func encryptionOf(repo *types.Repository) string {
	if repo.EncryptionConfiguration != nil && repo.EncryptionConfiguration.EncryptionType != "" {
		return string(repo.EncryptionConfiguration.EncryptionType)
	}
	return "AES256"
}

// lifecycleStatus compares a repository's lifecycle policy with its profile's, by meaning.
func (v *Verifier) lifecycleStatus(ctx context.Context, client ECRAPI, s site, rs config.RepositorySettings) (Status, string, error) {
	lc, err := client.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String(rs.FullName)})
	switch {
	case err != nil && session.Fatal(err, s.where()) != nil:
		return "", "", session.Fatal(err, s.where())
	case session.IsCode(err, "LifecyclePolicyNotFoundException"):
		return StatusProblem, fmt.Sprintf("no lifecycle policy; expected the %s profile's %d rules: redeploy %s", rs.Profile, len(rs.Lifecycle.Rules), s.stack()), nil
	case err != nil:
		return StatusProblem, "cannot read the lifecycle policy: " + session.Short(err), nil
	}
	status, detail := compareLifecycle(aws.ToString(lc.LifecyclePolicyText), rs.Lifecycle)
	if status == StatusProblem {
		detail += ": redeploy " + s.stack()
	}
	return status, detail, nil
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

// templateCheck checks the repository creation template of a namespace in a destination.
func (v *Verifier) templateCheck(ctx context.Context, s site, prefix string) (Check, error) {
	region := s.region
	c := Check{Name: "creation-template", Region: region, Account: s.account, Namespace: prefix}
	out, err := s.clients.ECR(region).DescribeRepositoryCreationTemplates(ctx, &ecr.DescribeRepositoryCreationTemplatesInput{
		Prefixes: []string{prefix},
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
		if aws.ToString(out.RepositoryCreationTemplates[i].Prefix) == prefix {
			tmpl = &out.RepositoryCreationTemplates[i]
		}
	}
	stack := replication.ReplicaStackName(replication.DefaultDeploymentID, region)
	if tmpl == nil {
		c.Status, c.Detail = StatusProblem, fmt.Sprintf("no creation template for prefix %s: replicas ECR creates get default settings; deploy %s", prefix, stack)
		return c, nil
	}
	if problems := v.templateProblems(tmpl, v.pullAccess(s, prefix)); len(problems) > 0 {
		c.Status, c.Detail = StatusProblem, fmt.Sprintf("template %s: %s: redeploy %s", prefix, strings.Join(problems, "; "), stack)
		return c, nil
	}
	c.Status, c.Detail = StatusOK, fmt.Sprintf("prefix %s, applied for REPLICATION, lifecycle and settings match", prefix)
	return c, nil
}

// templateProblems lists how a deployed creation template differs from the one the stacks
// deploy, whose repository policy grants access.
func (v *Verifier) templateProblems(tmpl *types.RepositoryCreationTemplate, access policy.PullAccess) []string {
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
	return problems
}

// registryPolicyCheck checks, in a destination of another account, that its registry policy
// lets the source account replicate into exactly the namespaces that replicate there (those
// checked, and no other namespace of the configuration).
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
	grants := func(prefix string) bool {
		resource := strings.TrimSuffix(policy.NamespaceArn(region, s.account, prefix), "*") + "any"
		return allows(sts, principal, v.Config.SourceAccount, policy.ReplicationActions, resource)
	}
	here := v.namespacesIn(s)
	var missing, extra, covered []string
	for _, p := range declaredPrefixes(v.Config) {
		switch {
		case slices.Contains(here, p) && v.selected(p) && !grants(p):
			missing = append(missing, policy.NamespaceArn(region, s.account, p))
		case slices.Contains(here, p) && v.selected(p):
			covered = append(covered, p)
		case !slices.Contains(here, p) && grants(p):
			extra = append(extra, p)
		}
	}
	actions := strings.Join(policy.ReplicationActions, " and ")
	var problems []string
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("does not allow %s for %s on %s", actions, principal, strings.Join(missing, ", ")))
	}
	if len(extra) > 0 {
		problems = append(problems, fmt.Sprintf("also allows it into %s, which the configuration does not replicate to %s", describePrefixes(extra), region))
	}
	if len(problems) > 0 {
		c.Status, c.Detail = StatusProblem, strings.Join(problems, "; ")+": redeploy "+stack
		return c, nil
	}
	c.Status, c.Detail = StatusOK, fmt.Sprintf("allows %s for the source account %s in account %s", actions, v.Config.SourceAccount, s.account)
	if v.Config.ManyNamespaces() {
		c.Detail += ", into " + describePrefixes(covered)
	}
	return c, nil
}

// deleteReplicationCheck compares a namespace's rule's DeleteReplication with the
// configuration's. ECR replicates deletions only when the rule says so: "If you do not specify
// this parameter, the service does not replicate image deletions or image tag removals"
// (types.ReplicationRule, aws-sdk-go-v2 service/ecr v1.68.0 and later; the ECR API Reference,
// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ReplicationRule.html).
func (v *Verifier) deleteReplicationCheck(rule types.ReplicationRule, n config.Namespace) Check {
	c := Check{Name: "delete-replication", Region: v.Config.SourceRegion, Account: v.Config.SourceAccount, Namespace: n.Prefix, Status: StatusOK}
	got := rule.DeleteReplication != nil && rule.DeleteReplication.Enabled
	key := "deleteReplication"
	if v.Config.ManyNamespaces() {
		key = "the namespace's deleteReplication"
	}
	switch {
	case got && n.DeleteReplication:
		c.Detail = "on, as configured: deleting an image or removing a tag in the source does the same in every destination of the rule"
	case !got && !n.DeleteReplication:
		c.Detail = "off, as configured: deleting an image or removing a tag in the source leaves the replicas as they are"
	case got:
		c.Status, c.Detail = StatusProblem, fmt.Sprintf("on, but %s is false: deleting an image or removing a tag in the source deletes it in every destination too; redeploy %s",
			key, replication.SourceStackName(replication.DefaultDeploymentID, v.Config.SourceRegion))
	default:
		c.Status, c.Detail = StatusProblem, fmt.Sprintf("off, but %s is true: images deleted and tags removed in the source stay in the destinations; redeploy %s",
			key, replication.SourceStackName(replication.DefaultDeploymentID, v.Config.SourceRegion))
	}
	return c
}
