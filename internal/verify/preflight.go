package verify

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/internal/session"
)

// MinBootstrapVersion is the bootstrap version the app's templates require (their
// CheckBootstrapVersion rule refuses older ones).
const MinBootstrapVersion = 6

// LogsResourcePolicyLimit is CloudWatch Logs' quota of resource policies per account and
// region; it cannot be raised. Every stack of the app adds one (its EventBridge log group).
const LogsResourcePolicyLimit = 10

// target is one stack the deploy would create or update, in its site (region and account).
type target struct {
	site
	stack  string
	exists bool
}

// Preflight predicts what `cdk deploy` of the configuration would run into: an environment
// that is not bootstrapped, a stack left in a state CloudFormation cannot update, registry
// singletons (replication configuration, registry policy) and repositories that already exist
// outside the app's stacks, CloudWatch Logs resource policies used up; in stacks that exist,
// the repositories an update would replace (a create-only property changed: see
// replacement.go); and warns when no CloudTrail trail logs the region (lifecycle notices need
// one) and when a destination new to the replication rule will not get the images the source
// already holds without a backfill. Targets run in parallel and are reported in order.
func (v *Verifier) Preflight(ctx context.Context) ([]Check, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	var targets []*target
	for _, s := range v.sites() {
		targets = append(targets, &target{site: s, stack: s.stack()})
	}
	// The stack checks tell each target whether its stack exists, which the rest depends on.
	stacks, err := collect(ctx, len(targets), len(targets), func(ctx context.Context, i int) ([]Check, error) {
		return v.stackChecks(ctx, targets[i])
	})
	if err != nil {
		return nil, err
	}
	rest, err := collect(ctx, len(targets), len(targets), func(ctx context.Context, i int) ([]Check, error) {
		return v.targetChecks(ctx, targets[i])
	})
	if err != nil {
		return nil, err
	}
	notes, err := v.backfillNotes(ctx)
	if err != nil {
		return nil, err
	}
	return append(append(stacks, rest...), notes...), nil
}

// stackChecks are the bootstrap and stack checks of a target.
func (v *Verifier) stackChecks(ctx context.Context, t *target) ([]Check, error) {
	boot, err := v.bootstrapCheck(ctx, t)
	if err != nil {
		return nil, err
	}
	stack, err := v.stackCheck(ctx, t)
	if err != nil {
		return nil, err
	}
	return []Check{boot, stack}, nil
}

// targetChecks are the checks of a target once its stack's state is known: the registry
// singleton it creates, its repositories, the Logs resource policies and the trail.
func (v *Verifier) targetChecks(ctx context.Context, t *target) ([]Check, error) {
	var checks []Check
	var err error
	if !t.replica {
		checks, err = v.existingReplicationConfig(ctx, t)
		if err == nil && v.Config.ManagedSigning() {
			var signing []Check
			signing, err = v.existingSigningConfig(ctx, t)
			checks = append(checks, signing...)
		}
	} else if t.cross {
		checks, err = v.existingRegistryPolicy(ctx, t)
	}
	if err != nil {
		return nil, err
	}
	repos, err := v.existingRepositories(ctx, t)
	if err != nil {
		return nil, err
	}
	checks = append(checks, repos...)
	for _, check := range []func(context.Context, *target) (Check, error){v.logsPolicyCheck, v.trailCheck} {
		c, err := check(ctx, t)
		if err != nil {
			return nil, err
		}
		checks = append(checks, c)
	}
	return checks, nil
}

func (t *target) bootstrapCommand() string {
	return fmt.Sprintf("cdk bootstrap aws://%s/%s%s", t.account, t.region, profileFlag(t.profile))
}

// bootstrapCheck reads the SSM parameter the synthesized templates read
// (/cdk-bootstrap/<qualifier>/version, their BootstrapVersion parameter).
func (v *Verifier) bootstrapCheck(ctx context.Context, t *target) (Check, error) {
	name := fmt.Sprintf("/cdk-bootstrap/%s/version", v.BootstrapQualifier)
	c := Check{Name: "bootstrap", Region: t.region, Account: t.account}
	out, err := t.clients.SSM(t.region).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
	switch {
	case err != nil && session.Fatal(err, t.where()) != nil:
		return c, session.Fatal(err, t.where())
	case session.IsCode(err, "ParameterNotFound"):
		c.Status, c.Detail = StatusProblem, fmt.Sprintf("account %s is not bootstrapped in %s (no SSM parameter %s): run %s", t.account, t.region, name, t.bootstrapCommand())
		return c, nil
	case err != nil:
		c.Status, c.Detail = StatusProblem, fmt.Sprintf("cannot read the SSM parameter %s: %s", name, session.Short(err))
		return c, nil
	}
	value := aws.ToString(out.Parameter.Value)
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil || n < MinBootstrapVersion {
		c.Status, c.Detail = StatusProblem, fmt.Sprintf("bootstrap version %q in %s; the templates need %d or later: run %s", value, t.region, MinBootstrapVersion, t.bootstrapCommand())
		return c, nil
	}
	c.Status, c.Detail = StatusOK, fmt.Sprintf("account %s bootstrapped (version %d, qualifier %s)", t.account, n, v.BootstrapQualifier)
	return c, nil
}

// stackCheck finds whether the stack exists, and refuses states CloudFormation cannot deploy
// over.
func (v *Verifier) stackCheck(ctx context.Context, t *target) (Check, error) {
	c := Check{Name: "stack", Region: t.region, Account: t.account}
	out, err := t.clients.CloudFormation(t.region).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(t.stack)})
	switch {
	case err != nil && session.Fatal(err, t.where()) != nil:
		return c, session.Fatal(err, t.where())
	case stackMissing(err):
		c.Status, c.Detail = StatusOK, t.stack+" does not exist yet: the deploy creates it"
		return c, nil
	case err != nil:
		c.Status, c.Detail = StatusProblem, fmt.Sprintf("cannot describe %s: %s", t.stack, session.Short(err))
		return c, nil
	}
	if len(out.Stacks) == 0 {
		c.Status, c.Detail = StatusOK, t.stack+" does not exist yet: the deploy creates it"
		return c, nil
	}
	t.exists = true
	status := out.Stacks[0].StackStatus
	switch status {
	case cfntypes.StackStatusRollbackComplete, cfntypes.StackStatusRollbackFailed, cfntypes.StackStatusDeleteFailed:
		c.Status, c.Detail = StatusProblem, fmt.Sprintf("%s is %s: CloudFormation cannot update it; delete it (cdk destroy %s%s) and deploy again", t.stack, status, t.stack, profileFlag(t.profile))
	default:
		if strings.HasSuffix(string(status), "_IN_PROGRESS") {
			c.Status, c.Detail = StatusProblem, fmt.Sprintf("%s is %s: wait for it to finish", t.stack, status)
		} else {
			c.Status, c.Detail = StatusOK, fmt.Sprintf("%s exists (%s): the deploy updates it, and owns what it created", t.stack, status)
		}
	}
	return c, nil
}

// existingReplicationConfig: a registry that already has replication rules makes the create
// of AWS::ECR::ReplicationConfiguration fail with AlreadyExists; once the stack exists, the
// deploy replaces the registry's whole configuration, removing every rule of no namespace of
// the configuration (foreignRules).
func (v *Verifier) existingReplicationConfig(ctx context.Context, t *target) ([]Check, error) {
	c := Check{Name: "replication-configuration", Region: t.region, Account: t.account}
	deployed, unreadable, err := v.sourceRules(ctx)
	switch {
	case err != nil:
		return nil, err
	case unreadable != "":
		c.Status, c.Detail = StatusProblem, "cannot read the registry's replication configuration: "+unreadable
		return []Check{c}, nil
	}
	foreign := v.foreignRules(t, deployed)
	var rules []string
	for _, r := range deployed {
		rules = append(rules, describeRule(r))
	}
	switch {
	case t.exists:
		c.Status, c.Detail = StatusOK, t.stack+" exists and owns the registry's replication configuration"
	case len(rules) == 0:
		c.Status, c.Detail = StatusOK, "the registry has no replication rule: the deploy creates the configuration"
	default:
		c.Status, c.Detail = StatusProblem, fmt.Sprintf(
			"the registry already has a replication configuration (%s): creating %s fails with AlreadyExists. "+
				"It is one per registry: record its rules (aws ecr describe-registry --region %s%s), then either remove them "+
				"(aws ecr put-replication-configuration --region %s --replication-configuration rules=[]%s) and let the stack own the configuration, "+
				"or add this app's rule to whatever manages them and do not deploy the source stack",
			strings.Join(rules, "; "), t.stack, t.region, profileFlag(t.profile), t.region, profileFlag(t.profile))
	}
	return append([]Check{c}, foreign...), nil
}

// foreignRules are the problems of the rules of the registry's replication configuration whose
// filters belong to no namespace of the configuration: the source stack's configuration is the
// registry's whole configuration, so a deploy removes them (and their replication stops).
func (v *Verifier) foreignRules(t *target, rules []types.ReplicationRule) []Check {
	var checks []Check
	for i, r := range rules {
		if v.ownerOf(r) != "" {
			continue
		}
		keep := "add a namespace whose prefix covers its repositories"
		if len(r.RepositoryFilters) == 1 && strings.HasSuffix(aws.ToString(r.RepositoryFilters[0].Filter), "/") {
			p := strings.TrimSuffix(aws.ToString(r.RepositoryFilters[0].Filter), "/")
			keep = fmt.Sprintf("add it as a namespace (namespaces: - prefix: %s, with its repositories and these destinations)", p)
		}
		if !v.Config.ManyNamespaces() {
			keep += " in a fleet file of namespaces (repositoriesFile), beside " + v.Config.RepoPrefix
		}
		own := ""
		if t.exists {
			own = " It may be this stack's own rule of a namespace the configuration no longer has: then its removal is what the change does."
		}
		checks = append(checks, Check{Name: "replication-foreign-rule", Region: t.region, Account: t.account, Status: StatusProblem,
			Detail: fmt.Sprintf("rule %d (%s) belongs to no namespace of the configuration (%s): the deploy of %s replaces the registry's whole replication configuration and removes it, "+
				"so replication of its repositories stops.%s To keep it, %s; or remove it on purpose (record it first: aws ecr describe-registry --region %s%s)",
				i+1, describeRule(r), describePrefixes(declaredPrefixes(v.Config)), t.stack, own, keep, t.region, profileFlag(t.profile))})
	}
	return checks
}

// existingSigningConfig: with managed signing the source stack creates the registry's signing
// configuration (AWS::ECR::SigningConfiguration), one per registry like the replication
// configuration: where the registry has one that the stack does not own, the deploy fails with
// AlreadyExists or replaces it (CloudFormation does not document which for this type).
func (v *Verifier) existingSigningConfig(ctx context.Context, t *target) ([]Check, error) {
	c := Check{Name: "signing-configuration", Region: t.region, Account: t.account}
	if t.exists {
		resources, err := stackResources(ctx, t.clients.CloudFormation(t.region), t.stack)
		if fe := session.Fatal(err, t.where()); fe != nil {
			return nil, fe
		}
		if slices.ContainsFunc(resources, func(r cfntypes.StackResourceSummary) bool {
			return aws.ToString(r.ResourceType) == "AWS::ECR::SigningConfiguration"
		}) {
			c.Status, c.Detail = StatusOK, t.stack+" exists and owns the registry's signing configuration"
			return []Check{c}, nil
		}
	}
	rules, found, unread, detail, err := v.signingConfiguration(ctx)
	switch {
	case err != nil:
		return nil, err
	case unread != "":
		c.Status, c.Detail = unread, detail
	case !found || len(rules) == 0:
		c.Status, c.Detail = StatusOK, "the registry has no signing configuration: the deploy creates it"
	default:
		var described []string
		for _, r := range rules {
			described = append(described, describeSigningRule(r))
		}
		c.Status, c.Detail = StatusProblem, fmt.Sprintf(
			"the registry already has a signing configuration (%s): %s creates the registry's one signing configuration, and fails with AlreadyExists or replaces it. "+
				"Record it (aws ecr get-signing-configuration --region %s%s), then either delete it (aws ecr delete-signing-configuration --region %s%s) and let the stack own signing "+
				"(add its other rules back to the configuration's namespaces), or keep it and turn signing and signingProfileArn off",
			strings.Join(described, "; "), t.stack, t.region, profileFlag(t.profile), t.region, profileFlag(t.profile))
	}
	return []Check{c}, nil
}

// existingRegistryPolicy: across accounts the replica stack creates the destination registry
// policy, which fails with AlreadyExists when the registry has one.
func (v *Verifier) existingRegistryPolicy(ctx context.Context, t *target) ([]Check, error) {
	c := Check{Name: "registry-policy", Region: t.region, Account: t.account}
	if t.exists {
		c.Status, c.Detail = StatusOK, t.stack+" exists and owns the registry policy"
		return []Check{c}, nil
	}
	out, err := t.clients.ECR(t.region).GetRegistryPolicy(ctx, &ecr.GetRegistryPolicyInput{})
	switch {
	case err != nil && session.Fatal(err, t.where()) != nil:
		return nil, session.Fatal(err, t.where())
	case session.IsCode(err, "RegistryPolicyNotFoundException"):
		c.Status, c.Detail = StatusOK, "no registry policy yet: the deploy creates it"
		return []Check{c}, nil
	case err != nil:
		c.Status, c.Detail = StatusProblem, "cannot read the registry policy: "+session.Short(err)
		return []Check{c}, nil
	}
	c.Status, c.Detail = StatusProblem, fmt.Sprintf(
		"the registry of account %s already has a policy (%s): creating %s fails with AlreadyExists. "+
			"Save it (aws ecr get-registry-policy --region %s%s); then delete it (aws ecr delete-registry-policy --region %s%s) "+
			"and add its other statements back after the deploy, or grant the source account %s ecr:ReplicateImage and ecr:CreateRepository in it yourself and do not deploy the replica stack's policy",
		t.account, oneLine(aws.ToString(out.PolicyText)), t.stack, t.region, profileFlag(t.profile), t.region, profileFlag(t.profile), v.Config.SourceAccount)
	return []Check{c}, nil
}

// existingRepositories checks every repository of the configuration in a target, in parallel
// and in configuration order. Before the stack exists, a repository that exists makes its create
// fail with AlreadyExists (`cdk import` brings it under the stack). Once it exists, a repository
// that none of the site's stacks holds fails the same way, and one they hold must keep its
// create-only properties; repositories they hold that the configuration no longer names follow
// (see replacement.go).
func (v *Verifier) existingRepositories(ctx context.Context, t *target) ([]Check, error) {
	settings := v.settingsIn(t.site)
	names := make([]string, len(settings))
	for i, rs := range settings {
		names[i] = rs.FullName
	}
	found, err := v.describeRepositories(ctx, t.site, names)
	if err != nil {
		return nil, err
	}
	var h holdings
	if t.exists {
		if h, err = v.stackHoldings(ctx, t); err != nil {
			return nil, err
		}
	}
	checks, err := collect(ctx, len(settings), v.workers(), func(ctx context.Context, i int) ([]Check, error) {
		return v.existingRepository(ctx, t, settings[i], found[i], h)
	})
	if err != nil || !t.exists || h.unknown != "" {
		return checks, err
	}
	left, err := v.leftBehind(ctx, t, h)
	return append(checks, left...), err
}

// existingRepository is the preflight of one repository of the configuration in a target.
func (v *Verifier) existingRepository(ctx context.Context, t *target, rs config.RepositorySettings, found repoLookup, h holdings) ([]Check, error) {
	c := Check{Name: "repository", Region: t.region, Account: t.account, Repository: rs.FullName}
	switch {
	case session.IsCode(found.err, "RepositoryNotFoundException") || (found.err == nil && found.repo == nil):
		c.Status, c.Detail = StatusOK, "does not exist: the deploy creates it"
		return []Check{c}, nil
	case found.err != nil:
		c.Status, c.Detail = StatusProblem, "cannot describe the repository: "+session.Short(found.err)
		return []Check{c}, nil
	case !t.exists:
		c.Status, c.Detail = StatusProblem, fmt.Sprintf(
			"already exists, outside any stack of this app: creating %s fails with AlreadyExists. Bring it under the stack with "+
				"cdk import %s%s (keep its images), or delete it if it is empty (aws ecr delete-repository --repository-name %s --region %s%s)",
			t.stack, t.stack, profileFlag(t.profile), rs.FullName, t.region, profileFlag(t.profile))
		return []Check{c}, nil
	}
	held, isHeld := h.repos[rs.FullName]
	switch {
	case h.unknown != "":
		c.Status, c.Detail = StatusOK, fmt.Sprintf("exists; %s exists too (%s, so whether it holds the repository is not known: if it does not, cdk deploy reports AlreadyExists)", t.stack, h.unknown)
	case !isHeld:
		c.Status, c.Detail = StatusProblem, fmt.Sprintf(
			"exists, but %s does not hold it: creating it fails with AlreadyExists. Bring it under the stack with cdk import %s%s (keep its images)",
			strings.Join(v.stacksOf(t), ", "), t.stack, profileFlag(t.profile))
		return []Check{c}, nil
	default:
		c.Status, c.Detail = StatusOK, fmt.Sprintf("exists, held by %s (%s)", held.stack, held.logicalID)
	}
	replace, err := v.replacementCheck(ctx, t, rs, found.repo, h)
	if err != nil || replace == nil {
		return []Check{c}, err
	}
	return []Check{c, *replace}, nil
}

// logsPolicyCheck counts the CloudWatch Logs resource policies of the account and region: the
// stack adds one, and the quota of 10 cannot be raised.
func (v *Verifier) logsPolicyCheck(ctx context.Context, t *target) (Check, error) {
	c := Check{Name: "logs-resource-policies", Region: t.region, Account: t.account}
	var names []string
	var token *string
	for {
		out, err := t.clients.Logs(t.region).DescribeResourcePolicies(ctx, &cloudwatchlogs.DescribeResourcePoliciesInput{NextToken: token})
		if err != nil {
			if fe := session.Fatal(err, t.where()); fe != nil {
				return c, fe
			}
			c.Status, c.Detail = StatusProblem, "cannot list the CloudWatch Logs resource policies: "+session.Short(err)
			return c, nil
		}
		for _, p := range out.ResourcePolicies {
			names = append(names, aws.ToString(p.PolicyName))
		}
		if out.NextToken == nil || aws.ToString(out.NextToken) == "" {
			break
		}
		token = out.NextToken
	}
	ours := strings.ReplaceAll(t.stack, "-", "")
	for _, n := range names {
		if strings.HasPrefix(n, ours) {
			c.Status, c.Detail = StatusOK, fmt.Sprintf("%d of %d used, one of them the stack's own (%s)", len(names), LogsResourcePolicyLimit, n)
			return c, nil
		}
	}
	if len(names) >= LogsResourcePolicyLimit {
		c.Status, c.Detail = StatusProblem, fmt.Sprintf(
			"%d of %d CloudWatch Logs resource policies used in %s (%s); %s adds one and would fail with LimitExceeded. "+
				"The quota cannot be raised: delete or merge an unused one (aws logs delete-resource-policy --policy-name NAME --region %s%s)",
			len(names), LogsResourcePolicyLimit, t.region, strings.Join(names, ", "), t.stack, t.region, profileFlag(t.profile))
		return c, nil
	}
	c.Status, c.Detail = StatusOK, fmt.Sprintf("%d of %d used; the stack adds 1", len(names), LogsResourcePolicyLimit)
	return c, nil
}

// trailCheck looks for a CloudTrail trail that logs the region: lifecycle expirations reach
// EventBridge only through one (see constructs/monitoring). Missing is a warning: the deploy
// succeeds, but the lifecycle notices never arrive.
func (v *Verifier) trailCheck(ctx context.Context, t *target) (Check, error) {
	c := Check{Name: "cloudtrail", Region: t.region, Account: t.account}
	out, err := t.clients.CloudTrail(t.region).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		if fe := session.Fatal(err, t.where()); fe != nil {
			return c, fe
		}
		c.Status, c.Detail = StatusWarning, "cannot list the CloudTrail trails ("+session.Short(err)+"): lifecycle notices need a trail logging management events in "+t.region
		return c, nil
	}
	var stopped []string
	for _, tr := range out.TrailList {
		if !aws.ToBool(tr.IsMultiRegionTrail) && aws.ToString(tr.HomeRegion) != t.region {
			continue
		}
		home := aws.ToString(tr.HomeRegion)
		if home == "" {
			home = t.region
		}
		st, err := t.clients.CloudTrail(home).GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: tr.TrailARN})
		if err != nil {
			if fe := session.Fatal(err, t.where()); fe != nil {
				return c, fe
			}
			stopped = append(stopped, aws.ToString(tr.Name)+" (status unknown: "+session.Short(err)+")")
			continue
		}
		if aws.ToBool(st.IsLogging) {
			c.Status, c.Detail = StatusOK, fmt.Sprintf("trail %s logs %s", aws.ToString(tr.Name), t.region)
			return c, nil
		}
		stopped = append(stopped, aws.ToString(tr.Name)+" (not logging)")
	}
	detail := "no CloudTrail trail logs " + t.region
	if len(stopped) > 0 {
		detail += " (" + strings.Join(stopped, ", ") + ")"
	}
	c.Status, c.Detail = StatusWarning, detail+": the deploy succeeds, but lifecycle expiration notices never arrive. "+
		"Create a multi-region trail that logs management events (aws cloudtrail create-trail --name NAME --s3-bucket-name BUCKET --is-multi-region-trail"+
		profileFlag(t.profile)+", then aws cloudtrail start-logging --name NAME)"
	return c, nil
}
