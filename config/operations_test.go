package config

import (
	"testing"
)

// deleteReplication, signing and the keys of cdk destroy: defaults and good values.
func TestOperationsKeys(t *testing.T) {
	const profile = "arn:aws:signer:us-east-1:222222222222:/signing-profiles/ecr_images"
	fDeleteReplication := func(c *Config) any { return c.DeleteReplication }
	fSigning := func(c *Config) any { return [3]any{c.Signing, c.SigningProfileArn, c.ManagedSigning()} }
	fDestroy := func(c *Config) any {
		return [3]any{c.DeleteOnDestroy, c.DeleteProductionOnDestroy, c.RegistrySettingsOnDestroy}
	}
	runParseCases(t, []parseCase{
		{"deleteReplication default", nil, Env{}, fDeleteReplication, false},
		{"deleteReplication string", map[string]any{"deleteReplication": "true"}, Env{}, fDeleteReplication, true},
		{"deleteReplication bool", map[string]any{"deleteReplication": true}, Env{}, fDeleteReplication, true},
		{"signing default", nil, Env{}, fSigning, [3]any{false, "", false}},
		{"signing", map[string]any{"signing": "true"}, Env{}, fSigning, [3]any{true, "", true}},
		{"signing false with a profile", map[string]any{"signing": false, "signingProfileArn": profile}, Env{}, fSigning, [3]any{false, profile, true}},
		{"a profile of another account", map[string]any{"signingProfileArn": " " + profile + " "}, Env{DefaultAccount: "111111111111"}, fSigning,
			[3]any{false, profile, true}},
		{"a profile in GovCloud", map[string]any{"sourceRegion": "us-gov-west-1", "destinationRegion": "us-gov-east-1", "secondaryRegion": "none",
			"signingProfileArn": "arn:aws-us-gov:signer:us-gov-west-1:222222222222:/signing-profiles/ab"}, Env{}, fSigning,
			[3]any{false, "arn:aws-us-gov:signer:us-gov-west-1:222222222222:/signing-profiles/ab", true}},
		{"destroy defaults", nil, Env{}, fDestroy, [3]any{false, false, OnDestroyDelete}},
		{"sandbox of testing repositories", map[string]any{"productionRepositories": "none", "deleteOnDestroy": "true"}, Env{}, fDestroy,
			[3]any{true, false, OnDestroyDelete}},
		{"production confirmed", map[string]any{"deleteOnDestroy": true, "deleteProductionOnDestroy": true}, Env{}, fDestroy,
			[3]any{true, true, OnDestroyDelete}},
		{"retain", map[string]any{"registrySettingsOnDestroy": "retain"}, Env{}, fDestroy, [3]any{false, false, OnDestroyRetain}},
		{"delete", map[string]any{"registrySettingsOnDestroy": "delete"}, Env{}, fDestroy, [3]any{false, false, OnDestroyDelete}},
	})
}

func TestOperationsBadInput(t *testing.T) {
	env := fleetEnv(map[string]string{"ns.yaml": "namespaces:\n" +
		"  - {prefix: payments, repositories: [{name: api, profile: production}, {name: ledger, profile: production}]}\n" +
		"  - {prefix: data, repositories: [{name: etl, profile: production}, {name: raw, profile: production}, {name: lab, profile: testing}]}\n"})
	cases := []struct {
		name string
		ctx  map[string]any
		want string
	}{
		{"deleteReplication in words", map[string]any{"deleteReplication": "yes"}, `deleteReplication: got "yes"; expected true or false`},
		{"signing and a profile", map[string]any{"signing": "true", "signingProfileArn": "arn:aws:signer:us-east-1:222222222222:/signing-profiles/ecr_images"},
			`signing: got "true"; expected false when signingProfileArn is set (arn:aws:signer:us-east-1:222222222222:/signing-profiles/ecr_images): ` +
				`the images are signed either with your signing profile (signingProfileArn) or with one the app creates (signing=true), not both`},
		{"a profile of another region", map[string]any{"signingProfileArn": "arn:aws:signer:us-west-2:222222222222:/signing-profiles/ecr_images"},
			`signingProfileArn: got "arn:aws:signer:us-west-2:222222222222:/signing-profiles/ecr_…" (66 characters); expected a signing profile in sourceRegion us-east-1: ` +
				`ECR managed signing uses profiles of the registry's own region (this one is in us-west-2)`},
		{"a profile version", map[string]any{"signingProfileArn": "arn:aws:signer:us-east-1:222222222222:/signing-profiles/ecr_images/AbCdEf1234"},
			`signingProfileArn: got "arn:aws:signer:us-east-1:222222222222:/signing-profiles/ecr_…" (77 characters); expected ` + expSigningARN +
				` (the profile's ARN, without the version after its name)`},
		{"a profile of another partition", map[string]any{"signingProfileArn": "arn:aws-cn:signer:us-east-1:222222222222:/signing-profiles/ab"},
			`signingProfileArn: got "arn:aws-cn:signer:us-east-1:222222222222:/signing-profiles/a…" (61 characters); expected ` + expSigningARN + ` (this one is in the aws-cn partition)`},
		{"a hyphen in the name", map[string]any{"signingProfileArn": "arn:aws:signer:us-east-1:222222222222:/signing-profiles/ecr-images"},
			`signingProfileArn: got "arn:aws:signer:us-east-1:222222222222:/signing-profiles/ecr-…" (66 characters); expected ` + expSigningARN},
		{"a one-character name", map[string]any{"signingProfileArn": "arn:aws:signer:us-east-1:222222222222:/signing-profiles/e"},
			`signingProfileArn: got "arn:aws:signer:us-east-1:222222222222:/signing-profiles/e"; expected ` + expSigningARN},
		{"without the slash", map[string]any{"signingProfileArn": "arn:aws:signer:us-east-1:222222222222:signing-profiles/ecr_images"},
			`signingProfileArn: got "arn:aws:signer:us-east-1:222222222222:signing-profiles/ecr_i…" (65 characters); expected ` + expSigningARN},
		{"a profile name alone", map[string]any{"signingProfileArn": "ecr_images"}, `signingProfileArn: got "ecr_images"; expected ` + expSigningARN},
		{"signing in words", map[string]any{"signing": "on"}, `signing: got "on"; expected true or false`},
		{"deleteOnDestroy with the default production repository", map[string]any{"deleteOnDestroy": "true"},
			`deleteOnDestroy: got "true"; expected false while a production repository exists (enterprise-apps/production): cdk destroy would delete production images ` +
				`in every region; confirm with -c deleteProductionOnDestroy=true, or keep deleteOnDestroy for sandboxes of testing repositories`},
		{"deleteOnDestroy with many production repositories", map[string]any{"repositoriesFile": "ns.yaml", "deleteOnDestroy": true, "deleteProductionOnDestroy": false},
			`deleteOnDestroy: got "true"; expected false while 4 production repositories exist (payments/api, payments/ledger, data/etl and 1 more): ` +
				`cdk destroy would delete production images in every region; confirm with -c deleteProductionOnDestroy=true, or keep deleteOnDestroy for sandboxes of testing repositories`},
		{"deleteProductionOnDestroy alone", map[string]any{"deleteProductionOnDestroy": "true"},
			`deleteProductionOnDestroy: got "true"; expected false unless deleteOnDestroy=true: deleteProductionOnDestroy only confirms that deleteOnDestroy may delete production repositories`},
		{"deleteProductionOnDestroy with deleteOnDestroy false", map[string]any{"deleteOnDestroy": "false", "deleteProductionOnDestroy": "true", "productionRepositories": "none"},
			`deleteProductionOnDestroy: got "true"; expected false unless deleteOnDestroy=true: deleteProductionOnDestroy only confirms that deleteOnDestroy may delete production repositories`},
		{"registry settings in capitals", map[string]any{"registrySettingsOnDestroy": "Retain"},
			`registrySettingsOnDestroy: got "Retain"; expected ` + expOnDestroy + ` (in lower case)`},
		{"registry settings kept", map[string]any{"registrySettingsOnDestroy": "keep"}, `registrySettingsOnDestroy: got "keep"; expected ` + expOnDestroy},
		{"registry settings as a bool", map[string]any{"registrySettingsOnDestroy": true},
			`registrySettingsOnDestroy: got "true"; expected ` + expOnDestroy + `, not a boolean`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ve := problems(t, tc.ctx, env)
			if got := ve.Error(); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
