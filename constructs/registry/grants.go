package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/internal/nag"
	"github.com/acme-platform/ecr-replication/policy"
	"github.com/acme-platform/ecr-replication/replication"
)

// GrantPullFromReplicas lets grantee (a role, user or group of this app) pull the named
// repositories from every destination registry (region and account) in the grantee's own
// account, through its identity policy: one statement "PullFromReplicas" with
// ecr:BatchCheckLayerAvailability, ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on each
// replica's ARN, built from plain names so that no cross-region reference is needed. A
// destination without an Account is in the account of the grantee's stack. Pair it with a
// source repository's GrantPull, which adds ecr:GetAuthorizationToken.
//
// A destination in another account than the grantee's needs the replicas' repository policies
// to admit the grantee as well, which names alone cannot do: such a destination is refused
// (a *checks.Error panic naming the account). Use stacks.Deployment.GrantPull, or GrantPull on
// each replica (a ReplicatedRepository), which grant on both sides.
func GrantPullFromReplicas(grantee awsiam.IGrantable, repositoryNames []string, destinations []replication.Destination) awsiam.Grant {
	c := granteeConstruct("GrantPullFromReplicas", grantee)
	stack := awscdk.Stack_Of(c)
	problems := checks.For("GrantPullFromReplicas", c, "")
	home := resolvedOrEmpty(stack.Account())
	for i, d := range destinations {
		if d.Account != "" && d.Account != home {
			problems.Add(fmt.Sprintf("destinations[%d]", i), d.String(), fmt.Sprintf(
				"a destination in the grantee's account (%s): the replicas in account %s must also admit the grantee in their repository policies; use stacks.Deployment.GrantPull, or GrantPull on each replica (a ReplicatedRepository), which grant on both sides",
				describeAccount(home), d.Account))
		}
	}
	problems.Panic()
	var arns []*string
	for _, d := range destinations {
		for _, name := range repositoryNames {
			arns = append(arns, repositoryArn(stack, d, name))
		}
	}
	return grantWithSid(grantee, "PullFromReplicas", policy.PullActions, &arns)
}

// NamespaceGrant says which repositories a grant covers: every repository under Prefix in
// each of Registries (a region and an account).
type NamespaceGrant struct {
	// Prefix is the namespace, such as "enterprise-apps": the grant covers
	// arn:<partition>:ecr:<region>:<account>:repository/<prefix>/*. Required.
	Prefix string
	// Registries are the regions (and accounts) whose repositories the grant covers. A
	// registry without an Account is in the account of the grantee's stack. Required.
	Registries []replication.Destination
}

// GrantPullOnNamespace lets grantee pull every repository under the namespace in every listed
// registry, through its identity policy, in one statement (sid): the pull actions on one ARN
// pattern per registry, whatever the number of repositories (an enumerated grant of hundreds of
// repositories would overflow IAM's policy size limits), plus ecr:GetAuthorizationToken, which
// has no resource-level permission, on "*". It also covers repositories created later under the
// namespace (those a creation template shapes), which is what a namespace is for; no repository
// outside it matches. A registry in another account must also admit the grantee in its
// repository policies ([AdmitCrossAccount]).
func GrantPullOnNamespace(grantee awsiam.IGrantable, sid string, ns NamespaceGrant) awsiam.Grant {
	return GrantOnNamespace(grantee, sid, ns, policy.PullActions)
}

// GrantPullPushOnNamespace is GrantPullOnNamespace with the push actions too
// (ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage); it
// grants no delete and no policy change.
func GrantPullPushOnNamespace(grantee awsiam.IGrantable, sid string, ns NamespaceGrant) awsiam.Grant {
	return GrantOnNamespace(grantee, sid, ns, policy.PullPushActions())
}

// GrantOnNamespace is GrantPullOnNamespace with the ECR actions given.
func GrantOnNamespace(grantee awsiam.IGrantable, sid string, ns NamespaceGrant, actions []string) awsiam.Grant {
	c := granteeConstruct("NamespaceGrant", grantee)
	problems := checks.For("NamespaceGrant", c, sid)
	if !awsid.IsRepositoryNamespace(ns.Prefix) {
		problems.Add("Prefix", ns.Prefix, "a repository namespace such as \"enterprise-apps\"")
	}
	if len(ns.Registries) == 0 {
		problems.Missing("Registries", "at least one region")
	}
	problems.Panic()
	stack := awscdk.Stack_Of(c)
	arns := make([]*string, 0, len(ns.Registries))
	for _, d := range ns.Registries {
		arns = append(arns, repositoryArn(stack, d, ns.Prefix+"/*"))
	}
	return grantWithSid(grantee, sid, actions, &arns).Combine(grantWithSid(grantee, "GetAuthorizationToken", []string{"ecr:GetAuthorizationToken"}, jsii.Strings("*")))
}

// grantWithSid adds one identity-policy statement named sid to grantee, as an awsiam.Grant.
func grantWithSid(grantee awsiam.IGrantable, sid string, actions []string, arns *[]*string) awsiam.Grant {
	g := awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
		Grantee: grantee, Actions: jsii.Strings(actions...), ResourceArns: arns,
	})
	for _, st := range *g.PrincipalStatements() {
		st.SetSid(jsii.String(sid))
	}
	return g
}

// repositoryArn is the ARN of a repository (or of "<prefix>/*") in registry d, rendered in
// stack: plain region and account, the partition of stack.
func repositoryArn(stack awscdk.Stack, d replication.Destination, name string) *string {
	account := stack.Account()
	if d.Account != "" {
		account = jsii.String(d.Account)
	}
	return stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("ecr"), Region: jsii.String(d.Region), Account: account,
		Resource: jsii.String("repository"), ResourceName: jsii.String(name),
	})
}

// granteeConstruct returns grantee as a construct, or panics naming what is expected.
func granteeConstruct(kind string, grantee awsiam.IGrantable) constructs.IConstruct {
	c, ok := grantee.(constructs.IConstruct)
	if !ok {
		problems := checks.For(kind, nil, "")
		problems.Add("grantee", fmt.Sprintf("%T", grantee), "a construct of this app (a role, user or group)")
		problems.Panic()
	}
	return c
}

// CrossAccountPrincipal is how a resource policy in another account (a repository policy of a
// replica, a creation template's policy) admits one principal of this app: the principal's
// account root (which always exists, so ECR accepts the policy before the principal does),
// narrowed by a condition to that principal alone.
type CrossAccountPrincipal struct {
	// Account owns the principal (12 digits).
	Account string
	// ConditionOperator and ConditionKey narrow the account to the principal: ArnEquals
	// aws:PrincipalArn for a principal whose ARN is a plain string (imported by ARN), StringEquals
	// aws:PrincipalTag/aws-cdk:id for a role or user this app creates, which is tagged so (the
	// same tag awsecr.Repository's cross-account grants use).
	ConditionOperator, ConditionKey string
	// Value is the principal's ARN or tag value.
	Value string
}

// CrossAccountPrincipalTagKey is the tag CrossAccountPrincipalOf puts on a principal this app
// creates, as aws-cdk's awsecr.Repository does for its cross-account grants.
const CrossAccountPrincipalTagKey = "aws-cdk:id"

// CrossAccountPrincipalOf returns how resource policies in another account admit grantee's
// principal. A role or user this app creates is tagged aws-cdk:id=<stack name>_<address> (as
// awsecr.Repository.Grant does across accounts; the tag changes nothing else about it) and
// admitted by aws:PrincipalTag; a role, user or ARN principal imported with a literal ARN is
// admitted by aws:PrincipalArn. Anything else (a principal whose account or identity is not
// known at synth time, a service principal) is an error that says what to use instead.
//
// IAM evaluates both sides across accounts: the grantee's identity policy must allow the
// actions too (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
func CrossAccountPrincipalOf(grantee awsiam.IGrantable) (CrossAccountPrincipal, error) {
	principal := grantee.GrantPrincipal()
	account := ""
	if a := principal.PrincipalAccount(); a != nil {
		account = *a
	}
	if !awsid.IsAccount(account) {
		return CrossAccountPrincipal{}, fmt.Errorf("%s: its account is not known at synth time (got %q): give its stack an account (Env.Account), or import it by its ARN", describePrincipal(grantee), account)
	}
	if arn := plainArn(grantee); arn != "" {
		return CrossAccountPrincipal{Account: account, ConditionOperator: "ArnEquals", ConditionKey: "aws:PrincipalArn", Value: arn}, nil
	}
	c, isConstruct := grantee.(constructs.IConstruct)
	if isConstruct && *awscdk.Resource_IsOwnedResource(c) && (isRole(grantee) || isUser(grantee)) {
		tag := fmt.Sprintf("%s_%s", *awscdk.Stack_Of(c).StackName(), *c.Node().Addr())
		awscdk.Tags_Of(c).Add(jsii.String(CrossAccountPrincipalTagKey), jsii.String(tag), nil)
		return CrossAccountPrincipal{Account: account, ConditionOperator: "StringEquals", ConditionKey: "aws:PrincipalTag/" + CrossAccountPrincipalTagKey, Value: tag}, nil
	}
	return CrossAccountPrincipal{}, fmt.Errorf("%s: a repository policy in another account can admit a role or user created in this app, or one imported by a literal ARN (awsiam.Role_FromRoleArn), and nothing else", describePrincipal(grantee))
}

// Statement renders the resource-policy statement that allows the principal the actions, in a
// registry of partition.
func (p CrossAccountPrincipal) Statement(sid, partition string, actions []string) map[string]any {
	return map[string]any{
		"Sid":       sid,
		"Effect":    "Allow",
		"Principal": map[string]any{"AWS": fmt.Sprintf("arn:%s:iam::%s:root", partition, p.Account)},
		"Action":    actions,
		"Condition": map[string]any{p.ConditionOperator: map[string]any{p.ConditionKey: p.Value}},
	}
}

// sid names the statement that allows the principal the actions: "Allow" and the first 8 bytes,
// in hexadecimal, of the SHA-256 of the principal's condition and the actions.
func (p CrossAccountPrincipal) sid(actions []string) string {
	sum := sha256.Sum256([]byte(strings.Join(append([]string{p.ConditionKey, p.Value}, actions...), "\n")))
	return "Allow" + hex.EncodeToString(sum[:8])
}

// plainArn is grantee's ARN when it is a role, user or ARN principal with a literal ARN.
func plainArn(grantee awsiam.IGrantable) string {
	var arn *string
	switch g := grantee.(type) {
	case awsiam.IRole:
		arn = g.RoleArn()
	case awsiam.IUser:
		arn = g.UserArn()
	case awsiam.ArnPrincipal:
		arn = g.Arn()
	}
	if arn == nil || awsid.IsToken(*arn) {
		return ""
	}
	return *arn
}

func isRole(g awsiam.IGrantable) bool { _, ok := g.(awsiam.IRole); return ok }
func isUser(g awsiam.IGrantable) bool { _, ok := g.(awsiam.IUser); return ok }

// describePrincipal names a grantee for a message: its construct path, or its Go type.
func describePrincipal(grantee awsiam.IGrantable) string {
	if c, ok := grantee.(constructs.IConstruct); ok {
		return "grantee " + *c.Node().Path()
	}
	return fmt.Sprintf("grantee %T", grantee)
}

// AdmitCrossAccount adds to each repository's policy (and to each template's policy, for
// repositories ECR creates later) a statement that lets grantee use the actions, when the
// repository's account is another than the grantee's; in the grantee's own account its identity
// policy suffices and nothing is added. The statement's Sid, "Allow" and a hash of the
// principal and the actions, is unique to them. It returns how many policies it changed, or an
// error (see CrossAccountPrincipalOf) when some policy needs the grantee and cannot admit it.
func AdmitCrossAccount(grantee awsiam.IGrantable, actions []string, replicas []*ReplicatedRepository, templates []*CreationTemplate) (int, error) {
	home := ""
	if a := grantee.GrantPrincipal().PrincipalAccount(); a != nil {
		home = resolvedOrEmpty(a)
	}
	var principal *CrossAccountPrincipal
	statement := func(scope constructs.IConstruct) (map[string]any, error) {
		stack := awscdk.Stack_Of(scope)
		switch account := resolvedOrEmpty(stack.Account()); {
		case account == home:
			return nil, nil // the same account (or both the deploy-time one): the identity policy suffices
		case account == "":
			return nil, fmt.Errorf("%s is in the deploy-time account, %s in account %s: give its stack an account (Env.Account)",
				*scope.Node().Path(), describePrincipal(grantee), home)
		case principal == nil:
			p, err := CrossAccountPrincipalOf(grantee)
			if err != nil {
				return nil, fmt.Errorf("%s in account %s must admit it: %w", *scope.Node().Path(), account, err)
			}
			principal = &p
		}
		return principal.Statement(principal.sid(actions), awsid.PartitionOf(resolvedOrEmpty(stack.Region())), actions), nil
	}
	changed := 0
	for _, r := range replicas {
		st, err := statement(r)
		if err != nil {
			return changed, err
		}
		if st != nil {
			r.AddToResourcePolicy(awsiam.PolicyStatement_FromJson(st))
			changed++
		}
	}
	for _, t := range templates {
		st, err := statement(t)
		if err != nil {
			return changed, err
		}
		if st != nil {
			t.AddToRepositoryPolicy(awsiam.PolicyStatement_FromJson(st))
			changed++
		}
	}
	return changed, nil
}

// SuppressNamespaceFindings records on the resources of c and below (a grantee's policy) the
// cdk-nag AwsSolutions-IAM5 suppression that a namespace grant needs: for the ARN patterns
// of prefix (any region and account) and ecr:GetAuthorizationToken on "*", with the reason.
// It writes the metadata cdk-nag reads, without loading cdk-nag.
func SuppressNamespaceFindings(c constructs.IConstruct, prefix string) {
	nag.Suppress(c, true, nag.Suppression{
		ID: "AwsSolutions-IAM5",
		Reason: fmt.Sprintf("ecr:GetAuthorizationToken supports no resource-level permission; the ECR actions are granted on the "+
			"repositories under the namespace %s/ only (repository/%s/* in each region), which holds every repository of the deployment "+
			"and those ECR creates later for it; one pattern per region keeps the policy within IAM's size limits at any fleet size", prefix, prefix),
		AppliesTo:      []string{"Resource::*"},
		AppliesToRegex: []string{namespaceArnRegex(prefix)},
	})
}

// namespaceArnRegex is the cdk-nag applies_to regular expression of the ARN pattern of every
// repository under prefix in any region and account: the partition and the account may be
// written as a plain value or, in an environment-agnostic stack, as cdk-nag renders the
// pseudo parameters (<AWS::Partition>, <AWS::AccountId>).
func namespaceArnRegex(prefix string) string {
	return fmt.Sprintf(`/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):ecr:[a-z0-9-]+:(<AWS::AccountId>|[0-9]{12}):repository\/%s\/\*$/g`, jsRegexpQuote(prefix))
}

// jsRegexpQuote quotes s for a JavaScript regular expression literal (cdk-nag's
// regular expressions): the Go metacharacters, and "/".
func jsRegexpQuote(s string) string {
	return strings.ReplaceAll(regexp.QuoteMeta(s), "/", `\/`)
}
