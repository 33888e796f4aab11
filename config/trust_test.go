package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const (
	githubHost = "token.actions.githubusercontent.com"
	srcAccount = "111111111111"
)

// Without the keys the roles trust the source account alone, as before; "" when it is unknown.
func TestTrustDefaults(t *testing.T) {
	c := mustParse(t, nil, Env{})
	if want := []TrustPrincipal{{Account: ""}}; !reflect.DeepEqual(c.DeployRoleTrust, want) || !reflect.DeepEqual(c.CIRoleTrust, want) {
		t.Errorf("unknown account: DeployRoleTrust %+v, CIRoleTrust %+v; want %+v", c.DeployRoleTrust, c.CIRoleTrust, want)
	}
	c = mustParse(t, map[string]any{"sourceAccount": srcAccount}, Env{DefaultAccount: "999999999999"})
	if want := []TrustPrincipal{{Account: srcAccount}}; !reflect.DeepEqual(c.DeployRoleTrust, want) || !reflect.DeepEqual(c.CIRoleTrust, want) {
		t.Errorf("sourceAccount: DeployRoleTrust %+v, CIRoleTrust %+v; want %+v", c.DeployRoleTrust, c.CIRoleTrust, want)
	}
	if k := c.DeployRoleTrust[0].Kind(); k != TrustAccount {
		t.Errorf("Kind() = %q, want account", k)
	}
}

// Each accepted form, from a -c string and from a cdk.json array.
func TestTrustGoodValues(t *testing.T) {
	cases := []struct {
		entry string
		want  TrustPrincipal
		kind  TrustKind
	}{
		{"222222222222", TrustPrincipal{Account: "222222222222"}, TrustAccount},
		{"arn:aws:iam::222222222222:role/deployer", TrustPrincipal{Account: "222222222222", ARN: "arn:aws:iam::222222222222:role/deployer"}, TrustIAM},
		{"arn:aws:iam::222222222222:role/ci/github/Deployer+1=a.b@d_e-f",
			TrustPrincipal{Account: "222222222222", ARN: "arn:aws:iam::222222222222:role/ci/github/Deployer+1=a.b@d_e-f"}, TrustIAM},
		{"arn:aws:iam::222222222222:user/alice", TrustPrincipal{Account: "222222222222", ARN: "arn:aws:iam::222222222222:user/alice"}, TrustIAM},
		{"oidc:" + githubHost + ":repo:acme/payments:ref:refs/heads/main",
			TrustPrincipal{OIDCHost: githubHost, Subject: "repo:acme/payments:ref:refs/heads/main"}, TrustOIDC},
		{"oidc:gitlab.example.com:project_path:acme/payments:ref_type:branch:ref:mai?",
			TrustPrincipal{OIDCHost: "gitlab.example.com", Subject: "project_path:acme/payments:ref_type:branch:ref:mai?"}, TrustOIDC},
	}
	for _, tc := range cases {
		t.Run(tc.entry, func(t *testing.T) {
			for _, v := range []any{tc.entry, []any{tc.entry}} {
				c := mustParse(t, map[string]any{"sourceAccount": srcAccount, "ciRoleTrust": v}, Env{})
				if want := []TrustPrincipal{tc.want}; !reflect.DeepEqual(c.CIRoleTrust, want) {
					t.Errorf("ciRoleTrust=%v: %+v, want %+v", v, c.CIRoleTrust, want)
				}
				if want := []TrustPrincipal{{Account: srcAccount}}; !reflect.DeepEqual(c.DeployRoleTrust, want) {
					t.Errorf("deployRoleTrust changed with ciRoleTrust: %+v", c.DeployRoleTrust)
				}
				if got := c.CIRoleTrust[0]; got.Kind() != tc.kind || got.String() != tc.entry {
					t.Errorf("Kind()=%q String()=%q; want %q %q", got.Kind(), got.String(), tc.kind, tc.entry)
				}
			}
		})
	}
	// IAM names may hold a comma, which a -c list would split: a cdk.json array keeps it.
	comma := "arn:aws:iam::222222222222:role/a,b"
	c := mustParse(t, map[string]any{"deployRoleTrust": []any{comma}}, Env{})
	if want := []TrustPrincipal{{Account: "222222222222", ARN: comma}}; !reflect.DeepEqual(c.DeployRoleTrust, want) {
		t.Errorf("a comma in a cdk.json array: %+v, want %+v", c.DeployRoleTrust, want)
	}
	// In another partition the ARN follows sourceRegion's.
	c = mustParse(t, map[string]any{"sourceRegion": "cn-north-1", "destinationRegion": "cn-northwest-1", "secondaryRegion": "none",
		"deployRoleTrust": "arn:aws-cn:iam::222222222222:role/x, 333333333333"}, Env{})
	want := []TrustPrincipal{{Account: "222222222222", ARN: "arn:aws-cn:iam::222222222222:role/x"}, {Account: "333333333333"}}
	if !reflect.DeepEqual(c.DeployRoleTrust, want) {
		t.Errorf("aws-cn: %+v, want %+v", c.DeployRoleTrust, want)
	}
}

// What a construct needs of an OIDC principal: the provider's ARN and the conditions.
func TestTrustOIDC(t *testing.T) {
	c := mustParse(t, map[string]any{"sourceAccount": srcAccount, "ciRoleTrust": "oidc:" + githubHost + ":repo:acme/payments:*"}, Env{})
	p := c.CIRoleTrust[0]
	if got, want := p.OIDCProviderARN(c.Partition(), c.SourceAccount), "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"; got != want {
		t.Errorf("OIDCProviderARN = %q, want %q", got, want)
	}
	want := map[string]any{
		"StringEquals": map[string]string{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
		"StringLike":   map[string]string{"token.actions.githubusercontent.com:sub": "repo:acme/payments:*"},
	}
	if got := p.OIDCConditions(); !reflect.DeepEqual(got, want) {
		t.Errorf("OIDCConditions = %v, want %v", got, want)
	}
	account := TrustPrincipal{Account: srcAccount}
	if account.OIDCProviderARN("aws", srcAccount) != "" || account.OIDCConditions() != nil {
		t.Error("an account principal has an OIDC provider or conditions")
	}
}

func TestTrustBadInput(t *testing.T) {
	twentyOne := make([]string, 21)
	for i := range twentyOne {
		twentyOne[i] = fmt.Sprintf("2222222222%02d", i)
	}
	with := func(key string, v any) map[string]any {
		return map[string]any{"sourceAccount": srcAccount, key: v}
	}
	cases := []struct {
		name string
		ctx  map[string]any
		want string // the whole message
	}{
		{"short account", with("deployRoleTrust", "12345"),
			`deployRoleTrust: got "12345"; expected ` + expTrust},
		{"root ARN", with("deployRoleTrust", "arn:aws:iam::222222222222:root"),
			`deployRoleTrust: got "arn:aws:iam::222222222222:root"; expected ` + expTrust + ` (write an account's root as its 12-digit ID)`},
		{"STS session", with("ciRoleTrust", "arn:aws:sts::222222222222:assumed-role/ci/run-1"),
			`ciRoleTrust: got "arn:aws:sts::222222222222:assumed-role/ci/run-1"; expected ` + expTrust +
				` (an STS session is not a principal to trust: name its role, arn:<partition>:iam::<account>:role/<name>)`},
		{"OIDC provider ARN", with("ciRoleTrust", "arn:aws:iam::222222222222:oidc-provider/x.example.com"),
			`ciRoleTrust: got "arn:aws:iam::222222222222:oidc-provider/x.example.com"; expected ` + expTrust +
				` (an OIDC provider is written oidc:<provider host>:<subject pattern>)`},
		{"group ARN", with("ciRoleTrust", "arn:aws:iam::222222222222:group/admins"),
			`ciRoleTrust: got "arn:aws:iam::222222222222:group/admins"; expected ` + expTrust},
		{"other partition", with("deployRoleTrust", "arn:aws-us-gov:iam::222222222222:role/x"),
			`deployRoleTrust: got "arn:aws-us-gov:iam::222222222222:role/x"; expected an ARN in the aws partition of sourceRegion (this one is in aws-us-gov)`},
		{"space in a role name", with("deployRoleTrust", "arn:aws:iam::222222222222:role/my role"),
			`deployRoleTrust: got "arn:aws:iam::222222222222:role/my role"; expected ` + expIAMName},
		{"empty path segment", with("deployRoleTrust", "arn:aws:iam::222222222222:role/ci//x"),
			`deployRoleTrust: got "arn:aws:iam::222222222222:role/ci//x"; expected ` + expIAMName},
		{"role name over 64", with("deployRoleTrust", "arn:aws:iam::222222222222:role/"+strings.Repeat("r", 65)),
			`deployRoleTrust: got "arn:aws:iam::222222222222:role/` + strings.Repeat("r", 29) + `…" (96 characters); expected ` + expIAMName},
		{"OIDC with https", with("ciRoleTrust", "oidc:https://"+githubHost+":repo:acme/x:*"),
			`ciRoleTrust: got "oidc:https://token.actions.githubusercontent.com:repo:acme/x…" (62 characters); expected ` + expOIDCHost + ` (the host alone, without https://)`},
		{"OIDC host in capitals", with("ciRoleTrust", "oidc:Token.Actions.GitHubUserContent.com:repo:acme/x:*"),
			`ciRoleTrust: got "oidc:Token.Actions.GitHubUserContent.com:repo:acme/x:*"; expected ` + expOIDCHost + ` (in lower case)`},
		{"OIDC host without a dot", with("ciRoleTrust", "oidc:localhost:repo:acme/x"),
			`ciRoleTrust: got "oidc:localhost:repo:acme/x"; expected ` + expOIDCHost},
		{"OIDC without a subject", with("ciRoleTrust", "oidc:"+githubHost),
			`ciRoleTrust: got "oidc:token.actions.githubusercontent.com"; expected ` + expOIDCSubj},
		{"OIDC subject with a space", with("ciRoleTrust", []any{"oidc:" + githubHost + ":repo:acme/x y"}),
			`ciRoleTrust: got "oidc:token.actions.githubusercontent.com:repo:acme/x y"; expected ` + expOIDCSubj},
		{"OIDC subject over 256", with("ciRoleTrust", "oidc:"+githubHost+":"+strings.Repeat("s", 257)),
			`ciRoleTrust: got "oidc:token.actions.githubusercontent.com:sssssssssssssssssss…" (298 characters); expected ` + expOIDCSubj},
		{"OIDC subject that matches anyone", with("ciRoleTrust", "oidc:"+githubHost+":*"),
			`ciRoleTrust: got "oidc:token.actions.githubusercontent.com:*"; expected ` + expOIDCSubj +
				`, starting with what it must match, not with a wildcard: a pattern that starts with * matches the tokens of anyone the provider serves, such as every repository on GitHub`},
		{"OIDC without a source account", map[string]any{"ciRoleTrust": "oidc:" + githubHost + ":repo:acme/x:*"},
			`ciRoleTrust: got "oidc:token.actions.githubusercontent.com:repo:acme/x:*"; expected an OIDC principal only with the source account known at synth: ` +
				`its provider is arn:aws:iam::<sourceAccount>:oidc-provider/token.actions.githubusercontent.com (pass -c sourceAccount=… or run with AWS credentials so CDK_DEFAULT_ACCOUNT is set)`},
		{"neither form", with("deployRoleTrust", "github"), `deployRoleTrust: got "github"; expected ` + expTrust},
		{"a principal twice", with("deployRoleTrust", "222222222222,222222222222"),
			`deployRoleTrust: got "222222222222"; expected each principal once: "222222222222" is listed more than once in deployRoleTrust`},
		{"21 principals", with("deployRoleTrust", strings.Join(twentyOne, ",")),
			`deployRoleTrust: got "` + strings.Join(twentyOne, ",")[:60] + `…" (272 characters); expected at most 20 principals; got 21`},
		{"empty array", with("ciRoleTrust", []any{}), `ciRoleTrust: got "[]"; expected at least one principal: a role that nobody may assume serves no one`},
		{"empty entry", with("ciRoleTrust", "222222222222,"), `ciRoleTrust: got "222222222222,"; expected ` + expTrustList + `; found an empty entry`},
		{"not a list", with("ciRoleTrust", true), `ciRoleTrust: got "true"; expected ` + expTrustList + `, not a boolean`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ve := problems(t, tc.ctx, Env{})
			if got := ve.Error(); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	// A bad source account is reported once: the OIDC entry adds nothing.
	_, ve := problems(t, map[string]any{"sourceAccount": "123", "ciRoleTrust": "oidc:" + githubHost + ":repo:acme/x:*"}, Env{})
	if got, want := ve.Error(), `sourceAccount: got "123"; expected `+expAccount; got != want {
		t.Errorf("bad sourceAccount and an OIDC entry:\n%s\nwant\n%s", got, want)
	}
}
