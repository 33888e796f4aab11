package replication

import "fmt"

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
