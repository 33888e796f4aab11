package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/internal/session"
	"github.com/acme-platform/ecr-replication/replication"
)

// Managed signing (signing=true or signingProfileArn). The source stack deploys the registry's
// signing configuration (AWS::ECR::SigningConfiguration, constructs/registry.ManagedSigning): one
// rule, the signing profile and a WILDCARD_MATCH filter "<prefix>/*" per namespace. ECR then signs
// every image pushed to those repositories; the signatures are referrers stored in the same
// repository (https://docs.aws.amazon.com/AmazonECR/latest/userguide/managed-signing.html). What
// verify reads, with the shapes of service/ecr v1.69.0:
//   - GetSigningConfiguration: registryId, signingConfiguration.rules[] of signingProfileArn and
//     repositoryFilters[] {filter, filterType}; SigningConfigurationNotFoundException when the
//     registry has none;
//   - DescribeImageSigningStatus: signingStatuses[] of {signingProfileArn, status IN_PROGRESS |
//     COMPLETE | FAILED, failureCode, failureReason}, one per profile whose rule matched;
//   - ListImageReferrers: referrers[] of {digest, mediaType, artifactType, size, annotations,
//     artifactStatus} of a subject digest, 20 a page by default, 50 at most.
// AWS does not document whether ECR replicates signatures: for every destination verify looks
// for the source's signatures of each recent signed image (ListImageReferrers on the same subject
// digest there) and says what it saw, as a warning when some are missing, never as a problem.

// SignatureArtifactType is the artifact type of a Notary Project signature, which managed
// signing produces (Notation; https://github.com/notaryproject/specifications, "signature
// specification": artifactType application/vnd.cncf.notary.signature).
const SignatureArtifactType = "application/vnd.cncf.notary.signature"

// signingFilters are the WILDCARD_MATCH filters of the app's signing rule: "<prefix>/*" for
// every namespace of the configuration.
func (v *Verifier) signingFilters() []string {
	var out []string
	for _, p := range declaredPrefixes(v.Config) {
		out = append(out, p+"/*")
	}
	return out
}

// describeSigningRule renders a signing rule: "arn:… for payments/*, data/*".
func describeSigningRule(r types.SigningRule) string {
	var filters []string
	for _, f := range r.RepositoryFilters {
		filters = append(filters, aws.ToString(f.Filter))
	}
	if len(filters) == 0 {
		return aws.ToString(r.SigningProfileArn) + " for every repository"
	}
	return aws.ToString(r.SigningProfileArn) + " for " + strings.Join(filters, ", ")
}

// isAppSigningRule reports whether a signing rule is the app's: it signs with the configured
// profile (signingProfileArn), or, with a profile the app creates (signing=true), one of its
// filters is a namespace's.
func (v *Verifier) isAppSigningRule(r types.SigningRule) bool {
	if arn := v.Config.SigningProfileArn; arn != "" {
		return aws.ToString(r.SigningProfileArn) == arn
	}
	return slices.ContainsFunc(r.RepositoryFilters, func(f types.SigningRepositoryFilter) bool {
		return slices.Contains(v.signingFilters(), aws.ToString(f.Filter))
	})
}

// signingConfiguration reads the source registry's signing configuration. found is false when
// the registry has none; when it cannot be read, unread is the status (skipped where the endpoint
// lacks the API, else problem) and detail says why.
func (v *Verifier) signingConfiguration(ctx context.Context) (rules []types.SigningRule, found bool, unread Status, detail string, err error) {
	out, err := v.Source.ECR(v.Config.SourceRegion).GetSigningConfiguration(ctx, &ecr.GetSigningConfigurationInput{})
	switch {
	case err != nil && session.Fatal(err, "the source account") != nil:
		return nil, false, "", "", session.Fatal(err, "the source account")
	case session.IsCode(err, "SigningConfigurationNotFoundException"):
		return nil, false, "", "", nil
	case err != nil && session.Unsupported(err):
		return nil, false, StatusSkipped, "not checked: the endpoint does not implement GetSigningConfiguration (" + session.Short(err) + ")", nil
	case err != nil:
		return nil, false, StatusProblem, "cannot read the signing configuration: " + session.Short(err), nil
	}
	if out.SigningConfiguration == nil {
		return nil, true, "", "", nil
	}
	return out.SigningConfiguration.Rules, true, "", "", nil
}

// signingConfigurationChecks compares the source registry's signing configuration with the
// app's rule: the profile (when configured), a filter per namespace checked and none of no
// namespace; other rules are warnings (the next deploy replaces the whole configuration).
func (v *Verifier) signingConfigurationChecks(ctx context.Context) ([]Check, error) {
	c := Check{Name: "signing-configuration", Region: v.Config.SourceRegion, Account: v.Config.SourceAccount}
	stack := replication.SourceStackName(replication.DefaultDeploymentID, v.Config.SourceRegion)
	rules, found, unread, detail, err := v.signingConfiguration(ctx)
	switch {
	case err != nil:
		return nil, err
	case unread != "":
		c.Status, c.Detail = unread, detail
		return []Check{c}, nil
	case !found || len(rules) == 0:
		c.Status, c.Detail = StatusProblem, "no signing configuration in the source registry: images pushed are not signed; deploy "+stack
		return []Check{c}, nil
	}
	i := slices.IndexFunc(rules, v.isAppSigningRule)
	checks := []Check{c}
	for j, r := range rules {
		if j != i {
			checks = append(checks, Check{Name: "signing-other-rule", Region: c.Region, Account: c.Account, Status: StatusWarning,
				Detail: fmt.Sprintf("signing rule %d is not this app's (%s): the next deploy of %s replaces the whole signing configuration and drops it", j+1, describeSigningRule(r), stack)})
		}
	}
	if i < 0 {
		checks[0].Status, checks[0].Detail = StatusProblem, fmt.Sprintf("no signing rule of this app (expected %s): deploy %s", v.expectedSigning(), stack)
		return checks, nil
	}
	if problems := v.signingRuleProblems(rules[i]); len(problems) > 0 {
		checks[0].Status, checks[0].Detail = StatusProblem, fmt.Sprintf("signing rule %s: %s: redeploy %s", describeSigningRule(rules[i]), strings.Join(problems, "; "), stack)
		return checks, nil
	}
	checks[0].Status, checks[0].Detail = StatusOK, "signs "+describeSigningRule(rules[i])
	return checks, nil
}

// expectedSigning describes the app's signing rule.
func (v *Verifier) expectedSigning() string {
	profile := "a signing profile the source stack creates"
	if v.Config.SigningProfileArn != "" {
		profile = v.Config.SigningProfileArn
	}
	return fmt.Sprintf("%s for %s", profile, strings.Join(v.signingFilters(), ", "))
}

// signingRuleProblems lists how the app's signing rule differs from the configuration: a
// profile of another region (a created one must be in the source region too), a namespace
// checked that it does not sign, a filter of no namespace.
func (v *Verifier) signingRuleProblems(r types.SigningRule) []string {
	var problems []string
	arn := aws.ToString(r.SigningProfileArn)
	if v.Config.SigningProfileArn == "" && !strings.Contains(arn, ":signer:"+v.Config.SourceRegion+":") {
		problems = append(problems, fmt.Sprintf("profile %s is not a signing profile of %s", arn, v.Config.SourceRegion))
	}
	var got []string
	for _, f := range r.RepositoryFilters {
		got = append(got, aws.ToString(f.Filter))
		if f.FilterType != types.SigningRepositoryFilterTypeWildcardMatch {
			problems = append(problems, fmt.Sprintf("filter %s is %s, expected WILDCARD_MATCH", aws.ToString(f.Filter), f.FilterType))
		}
	}
	for _, n := range v.namespaces() {
		if !slices.Contains(got, n.Prefix+"/*") {
			problems = append(problems, fmt.Sprintf("no filter %s/*: images pushed to %s/ are not signed", n.Prefix, n.Prefix))
		}
	}
	for _, f := range got {
		if !slices.Contains(v.signingFilters(), f) {
			problems = append(problems, fmt.Sprintf("filter %s is no namespace's", f))
		}
	}
	return problems
}
