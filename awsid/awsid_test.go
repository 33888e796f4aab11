package awsid_test

import (
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/awsid"
)

func TestPartitionOf(t *testing.T) {
	for region, want := range map[string]string{"us-east-1": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov", "eu-west-1": "aws", "us-iso-east-1": "aws-iso"} {
		if got := awsid.PartitionOf(region); got != want {
			t.Errorf("PartitionOf(%q) = %q; want %q", region, got, want)
		}
	}
}

func TestRepositoryNames(t *testing.T) {
	for name, want := range map[string]bool{
		"enterprise-apps/production": true, "a1": true, "team/api.v2_x-y": true,
		"a": false, "team__x/api": false, "team/-api": false, "Team/api": false, "team//api": false,
		"team/api/": false, strings.Repeat("a", 256): true, strings.Repeat("a", 257): false,
	} {
		if got := awsid.IsRepositoryName(name); got != want {
			t.Errorf("IsRepositoryName(%q) = %v; want %v", name, got, want)
		}
	}
	if !awsid.IsRepositoryNamespace("a") || awsid.IsRepositoryNamespace("a/") {
		t.Error("a namespace may be one character and has no trailing '/'")
	}
}

func TestAccountsAndOrganizations(t *testing.T) {
	if !awsid.IsAccount("123456789012") || awsid.IsAccount("12345678901") || awsid.IsAccount("12345678901a") {
		t.Error("accounts are exactly 12 digits")
	}
	if !awsid.IsOrganizationID("o-a1b2c3d4e5") || awsid.IsOrganizationID("o-short") || awsid.IsOrganizationID("r-a1b2c3d4e5") {
		t.Error("organization ids are o- and 10-32 lower-case letters or digits")
	}
}

func TestRegionHint(t *testing.T) {
	for in, want := range map[string]string{"US-EAST-1": "us-east-1", "us-east-1a": "us-east-1", "mars-1": "", "us-east-1": ""} {
		if got := awsid.RegionHint(in); got != want {
			t.Errorf("RegionHint(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestTokens(t *testing.T) {
	if !awsid.IsToken("arn:${Token[AWS.Region.12]}") || !awsid.IsToken("#{Token[TOKEN.3]}") || awsid.IsToken("us-east-1") {
		t.Error("IsToken recognises string and list tokens only")
	}
}

func TestFit(t *testing.T) {
	if got := awsid.Fit("short", 64); got != "short" {
		t.Errorf("Fit kept %q as %q", "short", got)
	}
	a, b := awsid.Fit(strings.Repeat("x", 70)+"a", 64), awsid.Fit(strings.Repeat("x", 70)+"b", 64)
	if len(a) != 64 || len(b) != 64 || a == b {
		t.Errorf("Fit(long) = %q, %q; want two distinct 64-character names", a, b)
	}
	if awsid.Fit(strings.Repeat("x", 70)+"a", 64) != a {
		t.Error("Fit is not deterministic")
	}
	if got := awsid.FitKeepingSuffix(strings.Repeat("n", 80), "-suffix", 40); len(got) != 40 || !strings.Contains(got, "-suffix-") {
		t.Errorf("FitKeepingSuffix = %q; want 40 characters keeping -suffix", got)
	}
}

func TestConstructID(t *testing.T) {
	for in, want := range map[string]string{"production": "Production", "team/api-v2": "TeamApiV2", "svc/api-gateway.v2": "SvcApiGatewayV2", "a_b": "AB"} {
		if got := awsid.ConstructID(in); got != want {
			t.Errorf("ConstructID(%q) = %q; want %q", in, got, want)
		}
	}
}
