package verify

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

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
// outside the app's stacks, CloudWatch Logs resource policies used up; and warns when no
// CloudTrail trail logs the region (lifecycle notices need one).
func (v *Verifier) Preflight(ctx context.Context) ([]Check, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	var targets []*target
	for _, s := range v.sites() {
		targets = append(targets, &target{site: s, stack: s.stack()})
	}
	var checks []Check
	for _, t := range targets {
		c, err := v.bootstrapCheck(ctx, t)
		if err != nil {
			return nil, err
		}
		checks = append(checks, c)
		c, err = v.stackCheck(ctx, t)
		if err != nil {
			return nil, err
		}
		checks = append(checks, c)
	}
	for _, t := range targets {
		var cs []Check
		var err error
		if !t.replica {
			cs, err = v.existingReplicationConfig(ctx, t)
		} else if t.cross {
			cs, err = v.existingRegistryPolicy(ctx, t)
		}
		if err != nil {
			return nil, err
		}
		checks = append(checks, cs...)
		cs, err = v.existingRepositories(ctx, t)
		if err != nil {
			return nil, err
		}
		checks = append(checks, cs...)
		c, err := v.logsPolicyCheck(ctx, t)
		if err != nil {
			return nil, err
		}
		checks = append(checks, c)
		c, err = v.trailCheck(ctx, t)
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
	case err != nil && session.IsCode(err, "ValidationError") && strings.Contains(err.Error(), "does not exist"):
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
// of AWS::ECR::ReplicationConfiguration fail with AlreadyExists.
func (v *Verifier) existingReplicationConfig(ctx context.Context, t *target) ([]Check, error) {
	c := Check{Name: "replication-configuration", Region: t.region, Account: t.account}
	if t.exists {
		c.Status, c.Detail = StatusOK, t.stack+" exists and owns the registry's replication configuration"
		return []Check{c}, nil
	}
	out, err := t.clients.ECR(t.region).DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	switch {
	case err != nil && session.Fatal(err, t.where()) != nil:
		return nil, session.Fatal(err, t.where())
	case err != nil:
		c.Status, c.Detail = StatusProblem, "cannot read the registry's replication configuration: "+session.Short(err)
		return []Check{c}, nil
	}
	var rules []string
	if out.ReplicationConfiguration != nil {
		for _, r := range out.ReplicationConfiguration.Rules {
			rules = append(rules, describeRule(r))
		}
	}
	if len(rules) == 0 {
		c.Status, c.Detail = StatusOK, "the registry has no replication rule: the deploy creates the configuration"
		return []Check{c}, nil
	}
	c.Status, c.Detail = StatusProblem, fmt.Sprintf(
		"the registry already has a replication configuration (%s): creating %s fails with AlreadyExists. "+
			"It is one per registry: record its rules (aws ecr describe-registry --region %s%s), then either remove them "+
			"(aws ecr put-replication-configuration --region %s --replication-configuration rules=[]%s) and let the stack own the configuration, "+
			"or add this app's rule to whatever manages them and do not deploy the source stack",
		strings.Join(rules, "; "), t.stack, t.region, profileFlag(t.profile), t.region, profileFlag(t.profile))
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

// existingRepositories: a repository that exists outside the stack makes its create fail
// with AlreadyExists; `cdk import` brings it under the stack.
func (v *Verifier) existingRepositories(ctx context.Context, t *target) ([]Check, error) {
	var checks []Check
	client := t.clients.ECR(t.region)
	for _, rs := range v.Config.RepositorySettings() {
		c := Check{Name: "repository", Region: t.region, Account: t.account, Repository: rs.FullName}
		out, err := client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{rs.FullName}})
		switch {
		case err != nil && session.Fatal(err, t.where()) != nil:
			return nil, session.Fatal(err, t.where())
		case session.IsCode(err, "RepositoryNotFoundException"):
			c.Status, c.Detail = StatusOK, "does not exist: the deploy creates it"
		case err != nil:
			c.Status, c.Detail = StatusProblem, "cannot describe the repository: "+session.Short(err)
		case len(out.Repositories) == 0:
			c.Status, c.Detail = StatusOK, "does not exist: the deploy creates it"
		case t.exists:
			c.Status, c.Detail = StatusOK, "exists; "+t.stack+" exists too (if the stack does not own it, cdk deploy reports AlreadyExists: run the default mode to compare)"
		default:
			c.Status, c.Detail = StatusProblem, fmt.Sprintf(
				"already exists, outside any stack of this app: creating %s fails with AlreadyExists. Bring it under the stack with "+
					"cdk import %s%s (keep its images), or delete it if it is empty (aws ecr delete-repository --repository-name %s --region %s%s)",
				t.stack, t.stack, profileFlag(t.profile), rs.FullName, t.region, profileFlag(t.profile))
		}
		checks = append(checks, c)
	}
	return checks, nil
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
