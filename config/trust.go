package config

import (
	"cmp"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/acme-platform/ecr-replication/awsid"
)

// This file reads deployRoleTrust and ciRoleTrust (and a namespace's lists in the fleet
// file): who may assume the deploy (pull) and CI (push) roles.

// TrustKind tells the kinds of [TrustPrincipal] apart.
type TrustKind string

// Trust kinds.
const (
	// TrustAccount is an account's root: that account's own IAM policies decide who may
	// assume the role.
	TrustAccount TrustKind = "account"
	// TrustIAM is one IAM role or user, by ARN.
	TrustIAM TrustKind = "iam"
	// TrustOIDC is a web identity of an OIDC provider of the source account
	// (sts:AssumeRoleWithWebIdentity).
	TrustOIDC TrustKind = "oidc"
)

// OIDCAudience is the audience an OIDC web identity must carry (the aud claim): STS's, the
// default of GitHub's official action and of AWS's examples. AWS IAM User Guide, "Create a
// role for OpenID Connect federation (console)"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html): the
// principal is the provider's ARN, arn:aws:iam::<account>:oidc-provider/<host>, and the trust
// policy tests the <host>:aud context key; GitHub, "Configuring OpenID Connect in Amazon Web
// Services": audience sts.amazonaws.com, subject key token.actions.githubusercontent.com:sub.
const OIDCAudience = "sts.amazonaws.com"

// TrustPrincipal is one principal that may assume a role. Exactly one form is set: an account
// (Account alone), an IAM role or user (ARN, with its Account), or an OIDC web identity
// (OIDCHost and Subject).
type TrustPrincipal struct {
	// Account is a 12-digit account ID: the whole entry for an account's root, the ARN's
	// account for a role or user. "" for an OIDC identity, and for the default entry when the
	// source account is unknown at synth (it then means the source stack's own account).
	Account string
	// ARN is an IAM role or user ARN, arn:<partition>:iam::<account>:role/<path/name> or
	// :user/<path/name>; "" for the other kinds.
	ARN string
	// OIDCHost is the OIDC provider's host, such as token.actions.githubusercontent.com; the
	// provider must exist in the source account ([TrustPrincipal.OIDCProviderARN]).
	OIDCHost string
	// Subject is the pattern the token's subject (sub claim) must match, * and ? being
	// wildcards, such as repo:acme/payments:ref:refs/heads/main.
	Subject string
}

// Kind reports which form the principal has.
func (t TrustPrincipal) Kind() TrustKind {
	switch {
	case t.OIDCHost != "":
		return TrustOIDC
	case t.ARN != "":
		return TrustIAM
	}
	return TrustAccount
}

// String renders the principal as it is written in the context: the account ID, the ARN,
// or oidc:<host>:<subject>.
func (t TrustPrincipal) String() string {
	switch t.Kind() {
	case TrustOIDC:
		return "oidc:" + t.OIDCHost + ":" + t.Subject
	case TrustIAM:
		return t.ARN
	}
	return t.Account
}

// OIDCProviderARN returns the ARN of the OIDC identity provider the principal trusts, which
// must exist in the source account: arn:<partition>:iam::<sourceAccount>:oidc-provider/<host>.
// It is "" for the other kinds.
func (t TrustPrincipal) OIDCProviderARN(partition, sourceAccount string) string {
	if t.Kind() != TrustOIDC {
		return ""
	}
	return fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", partition, sourceAccount, t.OIDCHost)
}

// OIDCConditions returns the conditions of the trust statement of an OIDC principal, ready
// for awsiam.NewWebIdentityPrincipal: StringEquals <host>:aud = [OIDCAudience] and StringLike
// <host>:sub = Subject. It is nil for the other kinds.
func (t TrustPrincipal) OIDCConditions() map[string]any {
	if t.Kind() != TrustOIDC {
		return nil
	}
	return map[string]any{
		"StringEquals": map[string]string{t.OIDCHost + ":aud": OIDCAudience},
		"StringLike":   map[string]string{t.OIDCHost + ":sub": t.Subject},
	}
}

const (
	expTrust = "a 12-digit account ID, an IAM role or user ARN (arn:<partition>:iam::<account>:role/<path/name> or :user/<path/name>), " +
		"or oidc:<provider host>:<subject pattern> such as oidc:token.actions.githubusercontent.com:repo:acme/payments:*"
	expTrustList  = "a comma-separated list of 1 to 20 principals, each " + expTrust
	expTrustFile  = "a list of 1 to 20 principals, each " + expTrust
	expIAMName    = "an IAM role or user ARN whose path and name are /-separated segments of A-Z a-z 0-9 + = , . @ _ - (a name of at most 64 characters, a path of at most 512)"
	expOIDCHost   = "oidc:<provider host>:<subject pattern> with a DNS name as the host (lower-case letters, digits, - and at least one dot), such as token.actions.githubusercontent.com"
	expOIDCSubj   = "oidc:<provider host>:<subject pattern> with a subject pattern of 1 to 256 characters without whitespace (* and ? are wildcards)"
	maxSubjectLen = 256
	maxIAMNameLen = 64
	maxIAMPathLen = 512
)

var (
	iamPrincipalARN = regexp.MustCompile(`^arn:([a-z-]+):iam::([0-9]{12}):(role|user)/(.+)$`)
	iamSegment      = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]+$`)
	dnsName         = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
)

// trustContext is what checking a trust entry needs to know of the other keys.
type trustContext struct {
	partition     string // of sourceRegion; "" when it is bad
	sourceAccount string // "" when unknown
	sourceKnown   bool   // sourceAccount (or CDK_DEFAULT_ACCOUNT) is valid and set
	sourceBad     bool   // sourceAccount (or CDK_DEFAULT_ACCOUNT) is invalid: its problem is reported
}

// parseTrustEntry returns the principal an entry names, or what is expected instead.
func (tc trustContext) parseTrustEntry(s string) (TrustPrincipal, string) {
	switch {
	case awsid.IsAccount(s):
		return TrustPrincipal{Account: s}, ""
	case strings.HasPrefix(s, "arn:"):
		return tc.parseTrustARN(s)
	case strings.HasPrefix(s, "oidc:"):
		return tc.parseTrustOIDC(s)
	}
	return TrustPrincipal{}, expTrust
}

// parseTrustARN reads an IAM role or user ARN.
func (tc trustContext) parseTrustARN(s string) (TrustPrincipal, string) {
	m := iamPrincipalARN.FindStringSubmatch(s)
	switch {
	case m == nil && strings.HasSuffix(s, ":root"):
		return TrustPrincipal{}, expTrust + " (write an account's root as its 12-digit ID)"
	case m == nil && strings.Contains(s, ":assumed-role/"):
		return TrustPrincipal{}, expTrust + " (an STS session is not a principal to trust: name its role, arn:<partition>:iam::<account>:role/<name>)"
	case m == nil && strings.Contains(s, ":oidc-provider/"):
		return TrustPrincipal{}, expTrust + " (an OIDC provider is written oidc:<provider host>:<subject pattern>)"
	case m == nil:
		return TrustPrincipal{}, expTrust
	case tc.partition != "" && m[1] != tc.partition:
		return TrustPrincipal{}, fmt.Sprintf("an ARN in the %s partition of sourceRegion (this one is in %s)", tc.partition, m[1])
	}
	segments := strings.Split(m[4], "/")
	for _, seg := range segments {
		if !iamSegment.MatchString(seg) {
			return TrustPrincipal{}, expIAMName
		}
	}
	name, path := segments[len(segments)-1], "/"+strings.Join(segments[:len(segments)-1], "/")
	if len(name) > maxIAMNameLen || len(path) > maxIAMPathLen {
		return TrustPrincipal{}, expIAMName
	}
	return TrustPrincipal{Account: m[2], ARN: s}, ""
}

// parseTrustOIDC reads oidc:<host>:<subject>.
func (tc trustContext) parseTrustOIDC(s string) (TrustPrincipal, string) {
	rest := strings.TrimPrefix(s, "oidc:")
	if strings.HasPrefix(rest, "https://") || strings.HasPrefix(rest, "http://") {
		return TrustPrincipal{}, expOIDCHost + " (the host alone, without https://)"
	}
	host, subject, _ := strings.Cut(rest, ":")
	switch {
	case len(host) > 253 || !dnsName.MatchString(host):
		hint := ""
		if dnsName.MatchString(strings.ToLower(host)) {
			hint = " (in lower case)"
		}
		return TrustPrincipal{}, expOIDCHost + hint
	case subject == "" || utf8.RuneCountInString(subject) > maxSubjectLen || strings.IndexFunc(subject, unicode.IsSpace) >= 0:
		return TrustPrincipal{}, expOIDCSubj
	case strings.IndexAny(subject, "*?") == 0:
		return TrustPrincipal{}, expOIDCSubj + ", starting with what it must match, not with a wildcard: " +
			"a pattern that starts with * matches the tokens of anyone the provider serves, such as every repository on GitHub"
	case tc.sourceBad:
		return TrustPrincipal{}, "" // sourceAccount's own problem says what is wrong
	case !tc.sourceKnown:
		return TrustPrincipal{}, fmt.Sprintf(
			"an OIDC principal only with the source account known at synth: its provider is arn:%s:iam::<sourceAccount>:oidc-provider/%s "+
				"(pass -c sourceAccount=… or run with AWS credentials so CDK_DEFAULT_ACCOUNT is set)", cmp.Or(tc.partition, "aws"), host)
	}
	return TrustPrincipal{OIDCHost: host, Subject: subject}, ""
}

// checkTrust checks a list of trust entries named name (a key, or a path in repositoriesFile):
// 1 to 20, each once, each a principal. report records a problem about entry i (-1 for the
// list as a whole). It returns the principals, nil when any entry is bad.
func (tc trustContext) checkTrust(entries []string, name string, report func(i int, value, expected string)) []TrustPrincipal {
	ok := true
	switch n := len(entries); {
	case n == 0:
		report(-1, "", "at least one principal: a role that nobody may assume serves no one")
		return nil
	case n > maxTrustEntries:
		report(-1, "", fmt.Sprintf("at most %d principals; got %d", maxTrustEntries, n))
		ok = false
	}
	var out []TrustPrincipal
	seen := map[string]bool{}
	for i, e := range entries {
		if seen[e] {
			report(i, e, fmt.Sprintf("each principal once: %q is listed more than once in %s", e, name))
			ok = false
			continue
		}
		seen[e] = true
		t, expected := tc.parseTrustEntry(e)
		if expected != "" {
			report(i, e, expected)
		}
		if t == (TrustPrincipal{}) {
			ok = false
			continue
		}
		out = append(out, t)
	}
	if !ok {
		return nil
	}
	return out
}

// trustContext returns what trust entries are checked against; valid once the accounts are read.
func (p *parser) trustContext() trustContext {
	tc := trustContext{sourceAccount: p.sourceAccount, sourceKnown: p.sourceAccountOK && p.sourceAccount != "", sourceBad: !p.sourceAccountOK}
	if p.sourceRegionOK {
		tc.partition = awsid.PartitionOf(p.sourceRegion)
	}
	return tc
}

// trustKey reads deployRoleTrust or ciRoleTrust; without the key, the source account.
func (p *parser) trustKey(key string) []TrustPrincipal {
	lv := p.list(key, expTrustList, false)
	switch {
	case !lv.given:
		return []TrustPrincipal{{Account: p.sourceAccount}}
	case lv.bad:
		return nil
	}
	return p.trustContext().checkTrust(lv.entries, key, func(i int, value, expected string) {
		if i < 0 {
			value = lv.raw
		}
		p.add(key, value, expected)
	})
}
