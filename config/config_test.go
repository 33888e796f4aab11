package config

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/lifecycle"
	"github.com/acme-platform/ecr-replication/replication"
)

// documentedKeys is the key table of the brief, in order.
var documentedKeys = []string{
	"sourceRegion", "destinationRegion", "secondaryRegion", "additionalRegions",
	"repoPrefix", "productionRepositories", "testingRepositories", "repositoriesFile", "deleteReplication",
	"productionImageCount", "productionTagPrefixes", "untaggedExpiryDays",
	"testingImageCount", "testingTagPrefixes", "testingMaxAgeDays",
	"sourceAccount", "destinationAccount", "pullAccounts", "organizationId", "deployRoleTrust", "ciRoleTrust",
	"repositoryStacks", "encryption", "signing", "signingProfileArn", "alertEmail",
	"replicationFailureThreshold", "replicationMinimumAttempts", "replicationWindowMinutes",
	"activityAlarms", "activityAlarmRepositories", "anomalyStdDevs", "enhancedScanning",
	"storageMetrics", "storageScheduleMinutes", "storageRepositoryMetrics", "storageGrowthAlarmGiB",
	"replicationLatency", "replicationLatencyAlarmMinutes", "lifecycleTrail",
	"deleteOnDestroy", "deleteProductionOnDestroy", "registrySettingsOnDestroy", "controlTower",
}

// recipeDefaults is the configuration of the recipe (unknown account).
func recipeDefaults() *Config {
	return &Config{
		SourceRegion:                "us-east-1",
		DestinationRegions:          []string{"us-west-2", "eu-west-1"},
		RepoPrefix:                  "enterprise-apps",
		ProductionRepositories:      []string{"production"},
		TestingRepositories:         []string{"testing"},
		ProductionImageCount:        10,
		ProductionTagPrefixes:       []string{"prod", "release"},
		UntaggedExpiryDays:          1,
		TestingImageCount:           5,
		TestingTagPrefixes:          []string{"test", "dev", "staging"},
		TestingMaxAgeDays:           7,
		Encryption:                  EncryptionAES256,
		RepositoryStacks:            1,
		DeployRoleTrust:             []replication.TrustPrincipal{{Account: ""}},
		CIRoleTrust:                 []replication.TrustPrincipal{{Account: ""}},
		RegistrySettingsOnDestroy:   OnDestroyDelete,
		ReplicationFailureThreshold: 10,
		ReplicationMinimumAttempts:  5,
		ReplicationWindowMinutes:    60,
		ActivityAlarms:              true,
		AnomalyStdDevs:              3,
		EnhancedScanning:            false,
		StorageMetrics:              true,
		StorageScheduleMinutes:      60,
		StorageGrowthAlarmGiB:       10,
		ReplicationLatency:          true,
		LatencyAlarmMinutes:         30,
	}
}

func mustParse(t *testing.T, ctx map[string]any, env Env) *Config {
	t.Helper()
	c, err := Parse(ctx, env)
	if err != nil {
		t.Fatalf("Parse(%v) failed:\n%v", ctx, err)
	}
	return c
}

func problems(t *testing.T, ctx map[string]any, env Env) ([]Problem, *ValidationError) {
	t.Helper()
	c, err := Parse(ctx, env)
	if err == nil {
		t.Fatalf("Parse(%v) succeeded with %+v; want an error", ctx, c)
	}
	if c != nil {
		t.Errorf("Parse returned a config together with an error")
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error is %T, want *ValidationError: %v", err, err)
	}
	if len(ve.Problems) == 0 {
		t.Fatalf("ValidationError without problems")
	}
	return ve.Problems, ve
}

// shown is how Problem.Error quotes a value.
func shown(v string) string {
	if utf8.RuneCountInString(v) > shownValueRunes {
		v = string([]rune(v)[:shownValueRunes]) + "…"
	}
	return fmt.Sprintf("got %q", v)
}

// ------------------------------------------------------------- defaults

func TestDefaultIsTheRecipe(t *testing.T) {
	want := recipeDefaults()
	if got := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("Default() =\n%+v\nwant\n%+v", got, want)
	}
	if got := mustParse(t, map[string]any{}, Env{}); !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(empty) =\n%+v\nwant\n%+v", got, want)
	}
	if got := mustParse(t, nil, Env{}); !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(nil) =\n%+v\nwant\n%+v", got, want)
	}
	d := Default()
	if d.CrossAccount() || d.DestinationAccountOrSource() != "" || d.Partition() != "aws" {
		t.Errorf("Default(): CrossAccount=%v DestinationAccountOrSource=%q Partition=%q",
			d.CrossAccount(), d.DestinationAccountOrSource(), d.Partition())
	}
	wantRepos := []Repository{
		{Name: "production", FullName: "enterprise-apps/production", Namespace: "enterprise-apps", Profile: ProfileProduction},
		{Name: "testing", FullName: "enterprise-apps/testing", Namespace: "enterprise-apps", Profile: ProfileTesting},
	}
	if got := d.Repositories(); !reflect.DeepEqual(got, wantRepos) {
		t.Errorf("Repositories() = %+v, want %+v", got, wantRepos)
	}

	withAccount := mustParse(t, nil, Env{DefaultAccount: " 111122223333 "})
	want.SourceAccount = "111122223333"
	want.DeployRoleTrust = []replication.TrustPrincipal{{Account: "111122223333"}}
	want.CIRoleTrust = []replication.TrustPrincipal{{Account: "111122223333"}}
	if !reflect.DeepEqual(withAccount, want) {
		t.Errorf("Parse with CDK_DEFAULT_ACCOUNT =\n%+v\nwant\n%+v", withAccount, want)
	}
	if withAccount.CrossAccount() || withAccount.DestinationAccountOrSource() != "111122223333" {
		t.Errorf("same-account defaults: CrossAccount=%v DestinationAccountOrSource=%q",
			withAccount.CrossAccount(), withAccount.DestinationAccountOrSource())
	}
}

// Passing each literal default explicitly changes nothing: the Default column
// of Keys() tells the truth.
func TestKeyDefaultsParseToDefault(t *testing.T) {
	for _, k := range Keys() {
		if strings.HasPrefix(k.Default, "(") {
			continue // not a literal value
		}
		t.Run(k.Name, func(t *testing.T) {
			got := mustParse(t, map[string]any{k.Name: k.Default}, Env{})
			if want := Default(); !reflect.DeepEqual(got, want) {
				t.Errorf("-c %s=%s gives\n%+v\nwant the default\n%+v", k.Name, k.Default, got, want)
			}
		})
	}
}

// ----------------------------------------------------------------- keys

func TestKeysListEveryKeyOnceInOrder(t *testing.T) {
	keys := Keys()
	var names []string
	for _, k := range keys {
		names = append(names, k.Name)
		if k.Default == "" || k.Description == "" {
			t.Errorf("key %s: empty Default or Description", k.Name)
		}
	}
	if !slices.Equal(names, documentedKeys) {
		t.Errorf("Keys() names =\n%v\nwant\n%v", names, documentedKeys)
	}
	keys[0].Name = "changed"
	if Keys()[0].Name != "sourceRegion" {
		t.Error("Keys() returns the internal table: callers can modify it")
	}
}

// Every key the parser reads is in Keys(), read exactly once, in Keys()
// order; and every key in Keys() is read. Fails if a key is parsed but not
// documented (or documented but never parsed).
func TestParserReadsExactlyTheDocumentedKeys(t *testing.T) {
	full := map[string]any{}
	for _, k := range documentedKeys {
		full[k] = "x" // bad values are fine: every key must still be read
	}
	for name, ctx := range map[string]map[string]any{"empty": nil, "all keys set": full} {
		_, _, read := parse(ctx, Env{})
		if !slices.Equal(read, documentedKeys) {
			t.Errorf("%s: parser read\n%v\nwant exactly\n%v", name, read, documentedKeys)
		}
	}
}

// Every Config field is backed by a key, and every key backs a field: one field, except
// the destination keys (the regions and their @accounts) and repositoriesFile (the
// repositories of both profiles and their overrides, the namespaces, and their destinations).
func TestEveryConfigFieldIsBackedByAKey(t *testing.T) {
	fieldKeys := map[string][]string{
		"SourceRegion":                {"sourceRegion"},
		"DestinationRegions":          {"destinationRegion", "secondaryRegion", "additionalRegions", "repositoriesFile"},
		"DestinationRegionAccounts":   {"destinationRegion", "secondaryRegion", "additionalRegions", "repositoriesFile"},
		"RepoPrefix":                  {"repoPrefix"},
		"ProductionRepositories":      {"productionRepositories", "repositoriesFile"},
		"TestingRepositories":         {"testingRepositories", "repositoriesFile"},
		"RepositoryOverrides":         {"repositoriesFile"},
		"FleetNamespaces":             {"repositoriesFile"},
		"DeleteReplication":           {"deleteReplication"},
		"DeployRoleTrust":             {"deployRoleTrust"},
		"CIRoleTrust":                 {"ciRoleTrust"},
		"Signing":                     {"signing"},
		"SigningProfileArn":           {"signingProfileArn"},
		"DeleteOnDestroy":             {"deleteOnDestroy"},
		"DeleteProductionOnDestroy":   {"deleteProductionOnDestroy"},
		"RegistrySettingsOnDestroy":   {"registrySettingsOnDestroy"},
		"ProductionImageCount":        {"productionImageCount"},
		"ProductionTagPrefixes":       {"productionTagPrefixes"},
		"UntaggedExpiryDays":          {"untaggedExpiryDays"},
		"TestingImageCount":           {"testingImageCount"},
		"TestingTagPrefixes":          {"testingTagPrefixes"},
		"TestingMaxAgeDays":           {"testingMaxAgeDays"},
		"SourceAccount":               {"sourceAccount"},
		"DestinationAccount":          {"destinationAccount"},
		"PullAccounts":                {"pullAccounts"},
		"OrganizationID":              {"organizationId"},
		"Encryption":                  {"encryption"},
		"RepositoryStacks":            {"repositoryStacks"},
		"AlertEmail":                  {"alertEmail"},
		"ReplicationFailureThreshold": {"replicationFailureThreshold"},
		"ReplicationMinimumAttempts":  {"replicationMinimumAttempts"},
		"ReplicationWindowMinutes":    {"replicationWindowMinutes"},
		"ActivityAlarms":              {"activityAlarms"},
		"ActivityAlarmRepositories":   {"activityAlarmRepositories"},
		"AnomalyStdDevs":              {"anomalyStdDevs"},
		"EnhancedScanning":            {"enhancedScanning"},
		"StorageMetrics":              {"storageMetrics"},
		"StorageScheduleMinutes":      {"storageScheduleMinutes"},
		"StorageRepositoryMetrics":    {"storageRepositoryMetrics"},
		"StorageGrowthAlarmGiB":       {"storageGrowthAlarmGiB"},
		"ReplicationLatency":          {"replicationLatency"},
		"LatencyAlarmMinutes":         {"replicationLatencyAlarmMinutes"},
		"LifecycleTrail":              {"lifecycleTrail"},
		"ControlTower":                {"controlTower"},
	}
	backed := map[string]int{}
	typ := reflect.TypeOf(Config{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		keys, ok := fieldKeys[f.Name]
		if !ok {
			t.Errorf("Config.%s has no context key: add one to keyTable (and to this test)", f.Name)
		}
		for _, k := range keys {
			backed[k]++
		}
	}
	if len(fieldKeys) != typ.NumField() {
		t.Errorf("the test maps %d fields, Config has %d", len(fieldKeys), typ.NumField())
	}
	wantBacked := map[string]int{"destinationRegion": 2, "secondaryRegion": 2, "additionalRegions": 2, "repositoriesFile": 6}
	for _, k := range Keys() {
		want := cmp.Or(wantBacked[k.Name], 1)
		if backed[k.Name] != want {
			t.Errorf("key %s backs %d Config fields, want %d", k.Name, backed[k.Name], want)
		}
	}
}

// ------------------------------------------------------ parsing strings

type parseCase struct {
	name  string
	ctx   map[string]any
	env   Env
	field func(*Config) any
	want  any
}

func runParseCases(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustParse(t, tc.ctx, tc.env)
			if got := tc.field(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

var (
	fSourceRegion       = func(c *Config) any { return c.SourceRegion }
	fDestinations       = func(c *Config) any { return c.DestinationRegions }
	fRepoPrefix         = func(c *Config) any { return c.RepoPrefix }
	fProductionRepos    = func(c *Config) any { return c.ProductionRepositories }
	fTestingRepos       = func(c *Config) any { return c.TestingRepositories }
	fProductionCount    = func(c *Config) any { return c.ProductionImageCount }
	fProductionTags     = func(c *Config) any { return c.ProductionTagPrefixes }
	fUntaggedDays       = func(c *Config) any { return c.UntaggedExpiryDays }
	fTestingCount       = func(c *Config) any { return c.TestingImageCount }
	fTestingTags        = func(c *Config) any { return c.TestingTagPrefixes }
	fTestingMaxAge      = func(c *Config) any { return c.TestingMaxAgeDays }
	fSourceAccount      = func(c *Config) any { return c.SourceAccount }
	fDestinationAccount = func(c *Config) any { return c.DestinationAccount }
	fPullAccounts       = func(c *Config) any { return c.PullAccounts }
	fOrganizationID     = func(c *Config) any { return c.OrganizationID }
	fEncryption         = func(c *Config) any { return c.Encryption }
	fAlertEmail         = func(c *Config) any { return c.AlertEmail }
	fFailureThreshold   = func(c *Config) any { return c.ReplicationFailureThreshold }
	fMinimumAttempts    = func(c *Config) any { return c.ReplicationMinimumAttempts }
	fWindowMinutes      = func(c *Config) any { return c.ReplicationWindowMinutes }
	fActivityAlarms     = func(c *Config) any { return c.ActivityAlarms }
	fAnomalyStdDevs     = func(c *Config) any { return c.AnomalyStdDevs }
	fEnhancedScanning   = func(c *Config) any { return c.EnhancedScanning }
	fControlTower       = func(c *Config) any { return c.ControlTower }
)

func TestParseEachKeyFromString(t *testing.T) {
	runParseCases(t, []parseCase{
		{"sourceRegion", map[string]any{"sourceRegion": "eu-central-1"}, Env{}, fSourceRegion, "eu-central-1"},
		{"destinationRegion", map[string]any{"destinationRegion": "ap-southeast-2"}, Env{}, fDestinations, []string{"ap-southeast-2", "eu-west-1"}},
		{"secondaryRegion trimmed", map[string]any{"secondaryRegion": "  us-east-2 "}, Env{}, fDestinations, []string{"us-west-2", "us-east-2"}},
		{"additionalRegions", map[string]any{"additionalRegions": "ap-south-1, sa-east-1"}, Env{}, fDestinations,
			[]string{"us-west-2", "eu-west-1", "ap-south-1", "sa-east-1"}},
		{"repoPrefix", map[string]any{"repoPrefix": "team/apps.v2"}, Env{}, fRepoPrefix, "team/apps.v2"},
		{"productionRepositories", map[string]any{"productionRepositories": "api, web/frontend"}, Env{}, fProductionRepos, []string{"api", "web/frontend"}},
		{"testingRepositories", map[string]any{"testingRepositories": "sandbox"}, Env{}, fTestingRepos, []string{"sandbox"}},
		{"productionImageCount", map[string]any{"productionImageCount": "20"}, Env{}, fProductionCount, 20},
		{"productionTagPrefixes", map[string]any{"productionTagPrefixes": "v,hotfix_"}, Env{}, fProductionTags, []string{"v", "hotfix_"}},
		{"untaggedExpiryDays", map[string]any{"untaggedExpiryDays": " 14 "}, Env{}, fUntaggedDays, 14},
		{"testingImageCount", map[string]any{"testingImageCount": "3"}, Env{}, fTestingCount, 3},
		{"testingTagPrefixes", map[string]any{"testingTagPrefixes": "qa"}, Env{}, fTestingTags, []string{"qa"}},
		{"testingMaxAgeDays", map[string]any{"testingMaxAgeDays": "30"}, Env{}, fTestingMaxAge, 30},
		{"sourceAccount", map[string]any{"sourceAccount": "111122223333"}, Env{}, fSourceAccount, "111122223333"},
		{"sourceAccount beats CDK_DEFAULT_ACCOUNT", map[string]any{"sourceAccount": "111122223333"}, Env{DefaultAccount: "999999999999"},
			fSourceAccount, "111122223333"},
		{"destinationAccount", map[string]any{"sourceAccount": "111122223333", "destinationAccount": "444455556666"}, Env{},
			fDestinationAccount, "444455556666"},
		{"pullAccounts", map[string]any{"pullAccounts": "111111111111, 222222222222"}, Env{}, fPullAccounts,
			[]string{"111111111111", "222222222222"}},
		{"organizationId", map[string]any{"organizationId": "o-a1b2c3d4e5"}, Env{}, fOrganizationID, "o-a1b2c3d4e5"},
		{"encryption", map[string]any{"encryption": "KMS"}, Env{}, fEncryption, EncryptionKMS},
		{"alertEmail", map[string]any{"alertEmail": "ops+ecr@example.com"}, Env{}, fAlertEmail, "ops+ecr@example.com"},
		{"replicationFailureThreshold", map[string]any{"replicationFailureThreshold": "2.5"}, Env{}, fFailureThreshold, 2.5},
		{"replicationFailureThreshold 99.5", map[string]any{"replicationFailureThreshold": "99.5"}, Env{}, fFailureThreshold, 99.5},
		{"replicationMinimumAttempts", map[string]any{"replicationMinimumAttempts": "20"}, Env{}, fMinimumAttempts, 20},
		{"replicationWindowMinutes", map[string]any{"replicationWindowMinutes": "15"}, Env{}, fWindowMinutes, 15},
		{"activityAlarms", map[string]any{"activityAlarms": "false"}, Env{}, fActivityAlarms, false},
		{"anomalyStdDevs", map[string]any{"anomalyStdDevs": "2.5"}, Env{}, fAnomalyStdDevs, 2.5},
		{"enhancedScanning", map[string]any{"enhancedScanning": "true"}, Env{}, fEnhancedScanning, true},
		{"controlTower", map[string]any{"controlTower": " true "}, Env{}, fControlTower, true},
		{"controlTower false", map[string]any{"controlTower": "false"}, Env{}, fControlTower, false},
		{"integral decimal string", map[string]any{"productionImageCount": "20.0"}, Env{}, fProductionCount, 20},
	})
}

func TestParseEachKeyFromJSONType(t *testing.T) {
	runParseCases(t, []parseCase{
		{"sourceRegion", map[string]any{"sourceRegion": "ca-central-1"}, Env{}, fSourceRegion, "ca-central-1"},
		{"destinationRegion", map[string]any{"destinationRegion": "eu-north-1"}, Env{}, fDestinations, []string{"eu-north-1", "eu-west-1"}},
		{"secondaryRegion", map[string]any{"secondaryRegion": "ap-east-2"}, Env{}, fDestinations, []string{"us-west-2", "ap-east-2"}},
		{"additionalRegions array", map[string]any{"additionalRegions": []any{"mx-central-1", " ap-southeast-7"}}, Env{}, fDestinations,
			[]string{"us-west-2", "eu-west-1", "mx-central-1", "ap-southeast-7"}},
		{"additionalRegions []string", map[string]any{"additionalRegions": []string{"il-central-1"}}, Env{}, fDestinations,
			[]string{"us-west-2", "eu-west-1", "il-central-1"}},
		{"repoPrefix", map[string]any{"repoPrefix": "platform"}, Env{}, fRepoPrefix, "platform"},
		{"productionRepositories array", map[string]any{"productionRepositories": []any{"api", "worker"}}, Env{}, fProductionRepos, []string{"api", "worker"}},
		{"testingRepositories array", map[string]any{"testingRepositories": []any{"qa/api"}}, Env{}, fTestingRepos, []string{"qa/api"}},
		{"productionImageCount number", map[string]any{"productionImageCount": float64(25)}, Env{}, fProductionCount, 25},
		{"productionImageCount Go int", map[string]any{"productionImageCount": 25}, Env{}, fProductionCount, 25},
		{"productionTagPrefixes array", map[string]any{"productionTagPrefixes": []any{"prod", "rel"}}, Env{}, fProductionTags, []string{"prod", "rel"}},
		{"untaggedExpiryDays number", map[string]any{"untaggedExpiryDays": float64(3650)}, Env{}, fUntaggedDays, 3650},
		{"testingImageCount number", map[string]any{"testingImageCount": float64(1)}, Env{}, fTestingCount, 1},
		{"testingTagPrefixes array", map[string]any{"testingTagPrefixes": []any{"feature", "pr"}}, Env{}, fTestingTags, []string{"feature", "pr"}},
		{"testingMaxAgeDays number", map[string]any{"testingMaxAgeDays": float64(1)}, Env{}, fTestingMaxAge, 1},
		{"sourceAccount number", map[string]any{"sourceAccount": float64(123456789012)}, Env{}, fSourceAccount, "123456789012"},
		{"destinationAccount number", map[string]any{"sourceAccount": "111122223333", "destinationAccount": float64(444455556666)}, Env{},
			fDestinationAccount, "444455556666"},
		{"pullAccounts array", map[string]any{"pullAccounts": []any{"012345678901"}}, Env{}, fPullAccounts, []string{"012345678901"}},
		{"organizationId", map[string]any{"organizationId": "o-abcdefghij0123456789"}, Env{}, fOrganizationID, "o-abcdefghij0123456789"},
		{"encryption", map[string]any{"encryption": "AES256"}, Env{}, fEncryption, EncryptionAES256},
		{"repositoryStacks number", map[string]any{"repositoryStacks": float64(20)}, Env{}, func(c *Config) any { return c.RepositoryStacks }, 20},
		{"repositoryStacks string", map[string]any{"repositoryStacks": "2"}, Env{}, func(c *Config) any { return c.RepositoryStacks }, 2},
		{"alertEmail", map[string]any{"alertEmail": "team.alerts@example.co.uk"}, Env{}, fAlertEmail, "team.alerts@example.co.uk"},
		{"replicationFailureThreshold number", map[string]any{"replicationFailureThreshold": 0.5}, Env{}, fFailureThreshold, 0.5},
		{"replicationMinimumAttempts number", map[string]any{"replicationMinimumAttempts": float64(100000)}, Env{}, fMinimumAttempts, 100000},
		{"replicationWindowMinutes number", map[string]any{"replicationWindowMinutes": float64(1440)}, Env{}, fWindowMinutes, 1440},
		{"activityAlarms bool", map[string]any{"activityAlarms": false}, Env{}, fActivityAlarms, false},
		{"anomalyStdDevs number", map[string]any{"anomalyStdDevs": float64(10)}, Env{}, fAnomalyStdDevs, 10.0},
		{"enhancedScanning bool", map[string]any{"enhancedScanning": true}, Env{}, fEnhancedScanning, true},
		{"controlTower bool", map[string]any{"controlTower": true}, Env{}, fControlTower, true},
	})
}

// A cdk.json context block, decoded the way CDK hands it over, including
// CDK's own keys (which are ignored).
func TestParseCDKJSON(t *testing.T) {
	const cdkJSON = `{
	  "@aws-cdk/aws-ecr:noResourceStatements": true,
	  "aws:cdk:enable-path-metadata": true,
	  "acknowledged-issue-numbers": [32775],
	  "sourceRegion": "eu-west-1",
	  "destinationRegion": "eu-central-1",
	  "secondaryRegion": "none",
	  "additionalRegions": ["eu-north-1", "eu-south-2"],
	  "repoPrefix": "shop",
	  "productionRepositories": ["api", "web"],
	  "testingRepositories": "sandbox",
	  "productionImageCount": 30,
	  "productionTagPrefixes": ["v", "hotfix"],
	  "untaggedExpiryDays": 2,
	  "testingImageCount": 8,
	  "testingTagPrefixes": ["pr"],
	  "testingMaxAgeDays": 14,
	  "sourceAccount": "011122223333",
	  "destinationAccount": 444455556666,
	  "pullAccounts": ["777788889999"],
	  "organizationId": "o-exampleorg1",
	  "encryption": "KMS",
	  "repositoryStacks": 3,
	  "alertEmail": "ops@example.com",
	  "replicationFailureThreshold": 5,
	  "replicationMinimumAttempts": 3,
	  "replicationWindowMinutes": 30,
	  "activityAlarms": false,
	  "anomalyStdDevs": 2,
	  "enhancedScanning": true,
	  "storageMetrics": true,
	  "storageScheduleMinutes": 30,
	  "storageRepositoryMetrics": ["api", "sandbox"],
	  "storageGrowthAlarmGiB": 2.5,
	  "replicationLatency": false,
	  "replicationLatencyAlarmMinutes": 45,
	  "lifecycleTrail": true,
	  "controlTower": false
	}`
	var ctx map[string]any
	if err := json.Unmarshal([]byte(cdkJSON), &ctx); err != nil {
		t.Fatal(err)
	}
	got := mustParse(t, ctx, Env{DefaultAccount: "999999999999"})
	want := &Config{
		SourceRegion:                "eu-west-1",
		DestinationRegions:          []string{"eu-central-1", "eu-north-1", "eu-south-2"},
		RepoPrefix:                  "shop",
		ProductionRepositories:      []string{"api", "web"},
		TestingRepositories:         []string{"sandbox"},
		ProductionImageCount:        30,
		ProductionTagPrefixes:       []string{"v", "hotfix"},
		UntaggedExpiryDays:          2,
		TestingImageCount:           8,
		TestingTagPrefixes:          []string{"pr"},
		TestingMaxAgeDays:           14,
		SourceAccount:               "011122223333",
		DestinationAccount:          "444455556666",
		PullAccounts:                []string{"777788889999"},
		OrganizationID:              "o-exampleorg1",
		Encryption:                  EncryptionKMS,
		RepositoryStacks:            3,
		DeployRoleTrust:             []replication.TrustPrincipal{{Account: "011122223333"}},
		CIRoleTrust:                 []replication.TrustPrincipal{{Account: "011122223333"}},
		RegistrySettingsOnDestroy:   OnDestroyDelete,
		AlertEmail:                  "ops@example.com",
		ReplicationFailureThreshold: 5,
		ReplicationMinimumAttempts:  3,
		ReplicationWindowMinutes:    30,
		ActivityAlarms:              false,
		AnomalyStdDevs:              2,
		EnhancedScanning:            true,
		StorageMetrics:              true,
		StorageScheduleMinutes:      30,
		StorageRepositoryMetrics:    []string{"shop/api", "shop/sandbox"},
		StorageGrowthAlarmGiB:       2.5,
		ReplicationLatency:          false,
		LatencyAlarmMinutes:         45,
		LifecycleTrail:              true,
		ControlTower:                false,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	if !got.CrossAccount() || got.DestinationAccountOrSource() != "444455556666" {
		t.Errorf("CrossAccount=%v DestinationAccountOrSource=%q", got.CrossAccount(), got.DestinationAccountOrSource())
	}
	wantRepos := []Repository{
		{Name: "api", FullName: "shop/api", Namespace: "shop", Profile: ProfileProduction},
		{Name: "web", FullName: "shop/web", Namespace: "shop", Profile: ProfileProduction},
		{Name: "sandbox", FullName: "shop/sandbox", Namespace: "shop", Profile: ProfileTesting},
	}
	if r := got.Repositories(); !reflect.DeepEqual(r, wantRepos) {
		t.Errorf("Repositories() = %+v, want %+v", r, wantRepos)
	}
}

// ------------------------------------------------------------ bad input

type badCase struct {
	name     string
	ctx      map[string]any
	env      Env
	key      string // every problem must be about this key
	value    string // the bad value, as the message must show it
	fragment string // part of the expected text
}

func TestBadInput(t *testing.T) {
	otherRegions := awsRegionsExcept("us-east-1", "us-west-2", "eu-west-1")
	longName := strings.Repeat("n", 250)
	fiftyTags := make([]string, 50)
	for i := range fiftyTags {
		fiftyTags[i] = fmt.Sprintf("t%02dx", i)
	}
	cases := []badCase{
		// regions
		{"unknown region", map[string]any{"sourceRegion": "us-east-9"}, Env{}, "sourceRegion", "us-east-9", "expected a known AWS region such as us-east-1"},
		{"empty region", map[string]any{"sourceRegion": " "}, Env{}, "sourceRegion", "", "expected a known AWS region"},
		{"upper-case region", map[string]any{"sourceRegion": "US-EAST-1"}, Env{}, "sourceRegion", "US-EAST-1", `did you mean "us-east-1"?`},
		{"region as boolean", map[string]any{"sourceRegion": true}, Env{}, "sourceRegion", "true", "not a boolean"},
		{"region as null", map[string]any{"sourceRegion": nil}, Env{}, "sourceRegion", "null", "not null"},
		{"region as list", map[string]any{"sourceRegion": []any{"us-east-1"}}, Env{}, "sourceRegion", `["us-east-1"]`, "not a list"},
		{"availability zone", map[string]any{"destinationRegion": "us-west-2a"}, Env{}, "destinationRegion", "us-west-2a", `did you mean "us-west-2"?`},
		{"other partition", map[string]any{"destinationRegion": "cn-north-1"}, Env{}, "destinationRegion", "cn-north-1", "regions of another partition"},
		{"destination is source", map[string]any{"destinationRegion": "us-east-1"}, Env{}, "destinationRegion", "us-east-1", `a region other than sourceRegion "us-east-1"`},
		{"default destination is source", map[string]any{"sourceRegion": "us-west-2"}, Env{}, "destinationRegion", "us-west-2",
			"destinationRegion is not set, so its default us-west-2 applies"},
		{"secondary repeats destination", map[string]any{"secondaryRegion": "us-west-2"}, Env{}, "secondaryRegion", "us-west-2", `"us-west-2" is already destinationRegion`},
		{"unknown secondary", map[string]any{"secondaryRegion": "mars-1"}, Env{}, "secondaryRegion", "mars-1", "or none to disable the second destination"},
		{"NONE is not none", map[string]any{"secondaryRegion": "NONE"}, Env{}, "secondaryRegion", "NONE", "or none to disable"},
		{"default secondary in other partition", map[string]any{"sourceRegion": "cn-north-1", "destinationRegion": "cn-northwest-1"}, Env{},
			"secondaryRegion", "eu-west-1", "set -c secondaryRegion=… or none"},
		{"additional repeats itself", map[string]any{"additionalRegions": "ap-south-1,ap-south-1"}, Env{}, "additionalRegions", "ap-south-1", "listed more than once"},
		{"additional repeats secondary", map[string]any{"additionalRegions": "eu-west-1"}, Env{}, "additionalRegions", "eu-west-1", `"eu-west-1" is already secondaryRegion`},
		{"additional is source", map[string]any{"additionalRegions": []any{"us-east-1"}}, Env{}, "additionalRegions", "us-east-1", "other than sourceRegion"},
		{"additional empty entry", map[string]any{"additionalRegions": "ap-south-1,,sa-east-1"}, Env{}, "additionalRegions", "ap-south-1,,sa-east-1", "empty entry"},
		{"additional in GovCloud", map[string]any{"additionalRegions": "us-gov-west-1"}, Env{}, "additionalRegions", "us-gov-west-1", "in aws-us-gov"},
		{"additional unknown", map[string]any{"additionalRegions": "ap-south-1,eu-west-9"}, Env{}, "additionalRegions", "eu-west-9", "a known AWS region"},
		{"additional none mixed", map[string]any{"additionalRegions": "us-west-1,none"}, Env{}, "additionalRegions", "none", "none on its own"},
		{"additional as object", map[string]any{"additionalRegions": map[string]any{"a": "b"}}, Env{}, "additionalRegions", `{"a":"b"}`, "not an object"},
		{"over 25 destinations", map[string]any{"additionalRegions": strings.Join(otherRegions[:24], ",")}, Env{}, "additionalRegions",
			strings.Join(otherRegions[:24], ","), "at most 25 destinations in total, a destination being a region in an account"},
		// repositories
		{"prefix with capitals", map[string]any{"repoPrefix": "Enterprise_Apps"}, Env{}, "repoPrefix", "Enterprise_Apps", "lower-case letters, digits, and . _ - separators"},
		{"empty prefix", map[string]any{"repoPrefix": ""}, Env{}, "repoPrefix", "", "2–200 characters"},
		{"short prefix", map[string]any{"repoPrefix": "a"}, Env{}, "repoPrefix", "a", "got 1 character"},
		{"prefix trailing slash", map[string]any{"repoPrefix": "apps/"}, Env{}, "repoPrefix", "apps/", "/-separated components"},
		{"prefix double separator", map[string]any{"repoPrefix": "team--apps"}, Env{}, "repoPrefix", "team--apps", "a separator only between letters or digits"},
		{"prefix as number", map[string]any{"repoPrefix": float64(123)}, Env{}, "repoPrefix", "123", "not a number"},
		{"repeated repository", map[string]any{"productionRepositories": "api,api"}, Env{}, "productionRepositories", "api", `"api" is listed more than once`},
		{"upper-case repository", map[string]any{"productionRepositories": "API"}, Env{}, "productionRepositories", "API", "lower-case letters"},
		{"repository too long", map[string]any{"productionRepositories": longName}, Env{}, "productionRepositories", longName, "at most 256 characters; got 266"},
		{"repository in both lists", map[string]any{"testingRepositories": "production"}, Env{}, "testingRepositories", "production",
			`"production" is in both productionRepositories and testingRepositories`},
		{"no repositories at all", map[string]any{"productionRepositories": "none", "testingRepositories": "none"}, Env{}, "productionRepositories", "none",
			"at least one repository"},
		{"none mixed with names", map[string]any{"testingRepositories": "none,sandbox"}, Env{}, "testingRepositories", "none", "none on its own"},
		{"repository list of numbers", map[string]any{"testingRepositories": []any{"qa", 7.0}}, Env{}, "testingRepositories", "7", "each list entry a string, not a number"},
		// lifecycle
		{"zero images", map[string]any{"productionImageCount": "0"}, Env{}, "productionImageCount", "0", "ECR rejects a countNumber of 0"},
		{"fractional images", map[string]any{"productionImageCount": "2.5"}, Env{}, "productionImageCount", "2.5", "an integer from 1 to 10000"},
		{"images in words", map[string]any{"productionImageCount": "ten"}, Env{}, "productionImageCount", "ten", "an integer from 1 to 10000"},
		{"images as boolean", map[string]any{"productionImageCount": true}, Env{}, "productionImageCount", "true", "not a boolean"},
		{"too many images", map[string]any{"testingImageCount": float64(10001)}, Env{}, "testingImageCount", "10001", "from 1 to 10000"},
		{"overlapping tag prefixes", map[string]any{"productionTagPrefixes": "prod,prod-eu"}, Env{}, "productionTagPrefixes", "prod-eu",
			`"prod" is a prefix of "prod-eu"`},
		{"repeated tag prefix", map[string]any{"productionTagPrefixes": "prod,prod"}, Env{}, "productionTagPrefixes", "prod", "listed more than once"},
		{"tag prefix starts with dot", map[string]any{"productionTagPrefixes": ".hidden"}, Env{}, "productionTagPrefixes", ".hidden", "does not start with . or -"},
		{"tag prefix with space", map[string]any{"testingTagPrefixes": "qa build"}, Env{}, "testingTagPrefixes", "qa build", "A-Z a-z 0-9 _ . -"},
		{"tag prefix too long", map[string]any{"testingTagPrefixes": strings.Repeat("t", 129)}, Env{}, "testingTagPrefixes", strings.Repeat("t", 129), "got 129 characters"},
		{"no tag prefixes", map[string]any{"productionTagPrefixes": []any{}}, Env{}, "productionTagPrefixes", "[]", "got none"},
		{"50 tag prefixes", map[string]any{"productionTagPrefixes": fiftyTags}, Env{}, "productionTagPrefixes", display(fiftyTags), "at most 49 tag prefixes"},
		{"untagged expiry too long", map[string]any{"untaggedExpiryDays": "3651"}, Env{}, "untaggedExpiryDays", "3651", "from 1 to 3650"},
		{"negative age", map[string]any{"testingMaxAgeDays": "-1"}, Env{}, "testingMaxAgeDays", "-1", "from 1 to 3650"},
		{"NaN age", map[string]any{"testingMaxAgeDays": math.NaN()}, Env{}, "testingMaxAgeDays", "NaN", "an integer from 1 to 3650"},
		{"Inf string", map[string]any{"untaggedExpiryDays": "Inf"}, Env{}, "untaggedExpiryDays", "Inf", "an integer"},
		{"huge integer", map[string]any{"untaggedExpiryDays": "99999999999999999999999"}, Env{}, "untaggedExpiryDays", "99999999999999999999999", "from 1 to 3650"},
		// accounts
		{"short account", map[string]any{"sourceAccount": "12345"}, Env{}, "sourceAccount", "12345", "a 12-digit AWS account ID"},
		{"account as small number", map[string]any{"sourceAccount": float64(12345)}, Env{}, "sourceAccount", "12345", "loses leading zeros"},
		{"13-digit account", map[string]any{"sourceAccount": "111122223333", "destinationAccount": "1234567890123"}, Env{}, "destinationAccount",
			"1234567890123", "12-digit"},
		{"cross-account without source", map[string]any{"destinationAccount": "444455556666"}, Env{}, "sourceAccount", "",
			"expected the 12-digit source account: pass -c sourceAccount=… or run with AWS credentials so CDK_DEFAULT_ACCOUNT is set"},
		{"bad CDK_DEFAULT_ACCOUNT", nil, Env{DefaultAccount: "unknown-account"}, "sourceAccount", "unknown-account", "CDK_DEFAULT_ACCOUNT"},
		{"repeated pull account", map[string]any{"pullAccounts": "111111111111,111111111111"}, Env{}, "pullAccounts", "111111111111", "listed more than once"},
		{"bad pull account", map[string]any{"pullAccounts": "111111111111,abc"}, Env{}, "pullAccounts", "abc", "12-digit"},
		{"short organization", map[string]any{"organizationId": "o-short"}, Env{}, "organizationId", "o-short", "^o-[a-z0-9]{10,32}$"},
		{"upper-case organization", map[string]any{"organizationId": "O-A1B2C3D4E5"}, Env{}, "organizationId", "O-A1B2C3D4E5", "AWS Organizations ID"},
		{"unknown encryption", map[string]any{"encryption": "ROT13"}, Env{}, "encryption", "ROT13", "AES256 or KMS"},
		{"lower-case encryption", map[string]any{"encryption": "kms"}, Env{}, "encryption", "kms", "(in upper case)"},
		{"DSSE encryption", map[string]any{"encryption": "KMS_DSSE"}, Env{}, "encryption", "KMS_DSSE", "AES256 or KMS"},
		{"display-name e-mail", map[string]any{"alertEmail": "Ops <ops@example.com>"}, Env{}, "alertEmail", "Ops <ops@example.com>", "no display name"},
		{"two e-mails", map[string]any{"alertEmail": "a@example.com,b@example.com"}, Env{}, "alertEmail", "a@example.com,b@example.com", "commas"},
		{"not an e-mail", map[string]any{"alertEmail": "ops team"}, Env{}, "alertEmail", "ops team", "one plain e-mail address"},
		{"e-mail without dotted domain", map[string]any{"alertEmail": "ops@localhost"}, Env{}, "alertEmail", "ops@localhost", "one plain e-mail address"},
		// monitoring
		{"zero threshold", map[string]any{"replicationFailureThreshold": "0"}, Env{}, "replicationFailureThreshold", "0", "greater than 0 and below 100"},
		{"threshold of 100 can never be exceeded", map[string]any{"replicationFailureThreshold": "100"}, Env{}, "replicationFailureThreshold", "100", "below 100"},
		{"threshold over 100", map[string]any{"replicationFailureThreshold": float64(150)}, Env{}, "replicationFailureThreshold", "150", "below 100"},
		{"NaN threshold", map[string]any{"replicationFailureThreshold": "NaN"}, Env{}, "replicationFailureThreshold", "NaN", "a number"},
		{"Inf threshold", map[string]any{"replicationFailureThreshold": math.Inf(1)}, Env{}, "replicationFailureThreshold", "+Inf", "a number"},
		{"zero attempts", map[string]any{"replicationMinimumAttempts": "0"}, Env{}, "replicationMinimumAttempts", "0", "from 1 to 100000"},
		{"window not multiple of 5", map[string]any{"replicationWindowMinutes": "7"}, Env{}, "replicationWindowMinutes", "7", "multiple of 5"},
		{"window too long", map[string]any{"replicationWindowMinutes": "1445"}, Env{}, "replicationWindowMinutes", "1445", "from 5 to 1440"},
		{"fractional window", map[string]any{"replicationWindowMinutes": 62.5}, Env{}, "replicationWindowMinutes", "62.5", "whole number of minutes"},
		{"boolean in words", map[string]any{"activityAlarms": "yes"}, Env{}, "activityAlarms", "yes", "true or false"},
		{"boolean as number", map[string]any{"activityAlarms": float64(1)}, Env{}, "activityAlarms", "1", "true or false, not a number"},
		{"upper-case boolean", map[string]any{"enhancedScanning": "TRUE"}, Env{}, "enhancedScanning", "TRUE", "true or false"},
		{"controlTower in words", map[string]any{"controlTower": "on"}, Env{}, "controlTower", "on", "true or false"},
		{"controlTower as number", map[string]any{"controlTower": float64(1)}, Env{}, "controlTower", "1", "true or false, not a number"},
		{"controlTower empty", map[string]any{"controlTower": ""}, Env{}, "controlTower", "", "true or false"},
		{"narrow band", map[string]any{"anomalyStdDevs": "0.5"}, Env{}, "anomalyStdDevs", "0.5", "from 1 to 10"},
		{"wide band", map[string]any{"anomalyStdDevs": float64(11)}, Env{}, "anomalyStdDevs", "11", "from 1 to 10"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps, _ := problems(t, tc.ctx, tc.env)
			found := false
			for _, p := range ps {
				if p.Key != tc.key {
					t.Errorf("unexpected problem on another key: %s", p.Error())
				}
				msg := p.Error()
				if strings.Contains(msg, shown(tc.value)) && strings.Contains(msg, tc.fragment) {
					found = true
				}
				if !strings.HasPrefix(msg, tc.key+": got ") {
					t.Errorf("message %q does not start with %q", msg, tc.key+": got ")
				}
				if strings.HasSuffix(msg, ".") {
					t.Errorf("message %q ends with a period", msg)
				}
			}
			if !found {
				t.Errorf("no problem on %s shows %s and %q; got:\n%v", tc.key, shown(tc.value), tc.fragment, (&ValidationError{Problems: ps}).Error())
			}
		})
	}
	if len(cases) < 40 {
		t.Errorf("only %d bad-input cases", len(cases))
	}
}

func TestFiveBadKeysAtOnce(t *testing.T) {
	ctx := map[string]any{
		"activityAlarms":       "maybe",
		"encryption":           "ROT13",
		"productionImageCount": "0",
		"repoPrefix":           "Enterprise_Apps",
		"sourceRegion":         "us-east-9",
	}
	ps, ve := problems(t, ctx, Env{})
	var keys []string
	for _, p := range ps {
		keys = append(keys, p.Key)
	}
	want := []string{"sourceRegion", "repoPrefix", "productionImageCount", "encryption", "activityAlarms"}
	if !slices.Equal(keys, want) {
		t.Errorf("problem keys = %v, want %v (Keys() order)", keys, want)
	}
	lines := strings.Split(ve.Error(), "\n")
	if len(lines) != 5 {
		t.Fatalf("Error() has %d lines, want 5:\n%s", len(lines), ve.Error())
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, want[i]+": ") {
			t.Errorf("line %d = %q, want it about %s", i, l, want[i])
		}
	}
	if lines[0] != `sourceRegion: got "us-east-9"; expected a known AWS region such as us-east-1` {
		t.Errorf("line 0 = %q", lines[0])
	}
}

func TestEmptyValueIsNeverTheDefault(t *testing.T) {
	for _, k := range Keys() {
		t.Run(k.Name, func(t *testing.T) {
			ps, _ := problems(t, map[string]any{k.Name: "  "}, Env{DefaultAccount: "111122223333"})
			for _, p := range ps {
				if p.Key != k.Name || p.Value != "" || p.Expected == "" {
					t.Errorf("problem = %+v, want one about %s with an empty value", p, k.Name)
				}
			}
		})
	}
}

// -------------------------------------------------------- cross-account

func TestCrossAccount(t *testing.T) {
	cases := []struct {
		name      string
		ctx       map[string]any
		env       Env
		cross     bool
		source    string
		receiving string
	}{
		{"unknown account, same-account mode", nil, Env{}, false, "", ""},
		{"account from CDK_DEFAULT_ACCOUNT", nil, Env{DefaultAccount: "111122223333"}, false, "111122223333", "111122223333"},
		{"destination equals source", map[string]any{"destinationAccount": "111122223333"}, Env{DefaultAccount: "111122223333"},
			false, "111122223333", "111122223333"},
		{"destination differs from CDK_DEFAULT_ACCOUNT", map[string]any{"destinationAccount": "444455556666"}, Env{DefaultAccount: "111122223333"},
			true, "111122223333", "444455556666"},
		{"destination differs from given source", map[string]any{"sourceAccount": "111122223333", "destinationAccount": "444455556666"}, Env{},
			true, "111122223333", "444455556666"},
		{"given source equals destination, env differs", map[string]any{"sourceAccount": "444455556666", "destinationAccount": "444455556666"},
			Env{DefaultAccount: "111122223333"}, false, "444455556666", "444455556666"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustParse(t, tc.ctx, tc.env)
			if c.CrossAccount() != tc.cross || c.SourceAccount != tc.source || c.DestinationAccountOrSource() != tc.receiving {
				t.Errorf("CrossAccount=%v SourceAccount=%q DestinationAccountOrSource=%q; want %v %q %q",
					c.CrossAccount(), c.SourceAccount, c.DestinationAccountOrSource(), tc.cross, tc.source, tc.receiving)
			}
		})
	}
	t.Run("destination without any source account", func(t *testing.T) {
		ps, _ := problems(t, map[string]any{"destinationAccount": "444455556666"}, Env{})
		if len(ps) != 1 || ps[0].Key != "sourceAccount" {
			t.Errorf("problems = %+v, want one about sourceAccount", ps)
		}
	})
}

// ----------------------------------------------------------------- none

func TestNone(t *testing.T) {
	runParseCases(t, []parseCase{
		{"secondaryRegion none", map[string]any{"secondaryRegion": "none"}, Env{}, fDestinations, []string{"us-west-2"}},
		{"secondaryRegion none keeps additional", map[string]any{"secondaryRegion": " none ", "additionalRegions": "ap-south-1"}, Env{},
			fDestinations, []string{"us-west-2", "ap-south-1"}},
		{"additionalRegions none", map[string]any{"additionalRegions": "none"}, Env{}, fDestinations, []string{"us-west-2", "eu-west-1"}},
		{"additionalRegions empty array", map[string]any{"additionalRegions": []any{}}, Env{}, fDestinations, []string{"us-west-2", "eu-west-1"}},
		{"productionRepositories none", map[string]any{"productionRepositories": "none"}, Env{}, fProductionRepos, []string(nil)},
		{"productionRepositories none keeps testing", map[string]any{"productionRepositories": "none"}, Env{}, fTestingRepos, []string{"testing"}},
		{"testingRepositories none", map[string]any{"testingRepositories": "none"}, Env{}, fTestingRepos, []string(nil)},
		{"testingRepositories empty array", map[string]any{"testingRepositories": []any{}}, Env{}, fTestingRepos, []string(nil)},
		{"testingRepositories [none]", map[string]any{"testingRepositories": []any{"none"}}, Env{}, fTestingRepos, []string(nil)},
		{"pullAccounts none", map[string]any{"pullAccounts": "none"}, Env{}, fPullAccounts, []string(nil)},
		{"a tag prefix called none is a prefix", map[string]any{"testingTagPrefixes": "none"}, Env{}, fTestingTags, []string{"none"}},
	})
	c := mustParse(t, map[string]any{"testingRepositories": "none"}, Env{})
	want := []Repository{{Name: "production", FullName: "enterprise-apps/production", Namespace: "enterprise-apps", Profile: ProfileProduction}}
	if got := c.Repositories(); !reflect.DeepEqual(got, want) {
		t.Errorf("Repositories() = %+v, want %+v", got, want)
	}
}

// ------------------------------------------------------------ typo hints

func TestTypoHints(t *testing.T) {
	cases := []struct{ key, want string }{
		{"destinationRegions", "destinationRegion"},
		{"sourceregion", "sourceRegion"},
		{"repoprefix", "repoPrefix"},
		{"alertEmails", "alertEmail"},
		{"source_region", "sourceRegion"},
		{"destination_regions", "destinationRegion"},
		{"SourceRegion", "sourceRegion"},
		{"productionRepository", "productionRepositories"},
		{"testingTagPrefix", "testingTagPrefixes"},
		{"encription", "encryption"},
		{"repositoryPrefix", "repoPrefix"},
		{"pullAccount", "pullAccounts"},
		{"organisationId", "organizationId"},
		{"enhancedScaning", "enhancedScanning"},
		{"deleteReplications", "deleteReplication"},
		{"deploy_role_trust", "deployRoleTrust"},
		{"ciRoleTrusts", "ciRoleTrust"},
		{"signingProfileARN", "signingProfileArn"},
		{"signin", "signing"},
		{"deleteOnDestory", "deleteOnDestroy"},
		{"deleteProductionOnDestroys", "deleteProductionOnDestroy"},
		{"registrySettingOnDestroy", "registrySettingsOnDestroy"},
		{"controltower", "controlTower"},
		{"control_tower", "controlTower"},
	}
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			ps, _ := problems(t, map[string]any{tc.key: "us-west-2"}, Env{})
			if len(ps) != 1 {
				t.Fatalf("problems = %+v, want 1", ps)
			}
			want := fmt.Sprintf("%s: unknown context key; did you mean %q?", tc.key, tc.want)
			if got := ps[0].Error(); got != want || ps[0].Key != tc.key {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}

	ignored := map[string]any{
		"@aws-cdk/aws-ecr:noResourceStatements":                    true,
		"@aws-cdk/core:newStyleStackSynthesis":                     "true",
		"aws:cdk:enable-path-metadata":                             true,
		"availability-zones:account=111122223333:region=us-east-1": []any{"us-east-1a"},
		"cdk-default-region":                                       "us-east-1",
		"aws-cdk:enableDiffNoFail":                                 "true",
		"acknowledged-issue-numbers":                               []any{float64(1)},
		"environment":                                              "prod",
		"team":                                                     "platform",
		"region":                                                   "us-east-1",
		"regionSource":                                             "x",
	}
	if _, err := Parse(ignored, Env{}); err != nil {
		t.Errorf("CDK's own and unrelated keys must be ignored, got:\n%v", err)
	}

	// A typo is reported together with the other problems, first.
	ps, ve := problems(t, map[string]any{"repoprefix": "x", "encryption": "ROT13"}, Env{})
	if len(ps) != 2 || ps[0].Key != "repoprefix" || ps[1].Key != "encryption" {
		t.Errorf("problems = %+v", ps)
	}
	if !strings.HasPrefix(ve.Error(), "repoprefix: unknown context key") {
		t.Errorf("Error() = %q", ve.Error())
	}
}

// ----------------------------------------------------------- huge values

func TestHugeValues(t *testing.T) {
	huge := strings.Repeat("a", 10000)
	hugeList := strings.Repeat("abc,", 2500) + "abc"
	distinct := make([]string, 3000)
	for i := range distinct {
		distinct[i] = fmt.Sprintf("x%d", i)
	}
	distinctList := strings.Join(distinct, ",")
	for _, k := range Keys() {
		for name, v := range map[string]string{"long": huge, "repeated entries": hugeList, "distinct entries": distinctList} {
			t.Run(k.Name+"/"+name, func(t *testing.T) {
				_, err := Parse(map[string]any{k.Name: v}, Env{})
				if err == nil {
					if name == "distinct entries" && strings.HasSuffix(k.Name, "Repositories") {
						return // 3000 well-formed repository names are valid
					}
					t.Fatalf("Parse accepted a %d-character %s", len(v), k.Name)
				}
				lines := strings.Split(err.Error(), "\n")
				if len(lines) > maxProblemsPerKey+1 {
					t.Errorf("%d lines for one key; want at most %d", len(lines), maxProblemsPerKey+1)
				}
				for _, l := range lines {
					if len(l) > 600 {
						t.Errorf("line of %d bytes: %.100s…", len(l), l)
					}
				}
				if k.Name == "repoPrefix" && name == "long" &&
					!strings.Contains(err.Error(), `got "`+strings.Repeat("a", 60)+`…" (10000 characters)`) {
					t.Errorf("long value not shortened: %.200s", err)
				}
			})
		}
	}
	// The summary line for a long run of problems.
	_, ve := problems(t, map[string]any{"pullAccounts": distinctList}, Env{})
	if !strings.Contains(ve.Error(), "2990 more problems with this value are not listed") {
		t.Errorf("no summary line:\n%s", ve.Error())
	}
}

// ------------------------------------------------------- destinations

func TestDestinations(t *testing.T) {
	others := awsRegionsExcept("us-east-1", "us-west-2", "eu-west-1")
	c := mustParse(t, map[string]any{"additionalRegions": strings.Join(others[:23], ",")}, Env{})
	if len(c.DestinationRegions) != 25 {
		t.Errorf("25 destinations: got %d", len(c.DestinationRegions))
	}
	want := append([]string{"us-west-2", "eu-west-1"}, others[:23]...)
	if !slices.Equal(c.DestinationRegions, want) {
		t.Errorf("order: got %v, want %v", c.DestinationRegions, want)
	}

	for _, tc := range []struct {
		source, partition string
		destinations      []string
	}{
		{"cn-north-1", "aws-cn", []string{"cn-northwest-1"}},
		{"us-gov-west-1", "aws-us-gov", []string{"us-gov-east-1"}},
		{"ap-southeast-6", "aws", []string{"us-west-2", "eu-west-1"}},
	} {
		ctx := map[string]any{"sourceRegion": tc.source}
		if tc.partition != "aws" {
			ctx["destinationRegion"], ctx["secondaryRegion"] = tc.destinations[0], "none"
		}
		c := mustParse(t, ctx, Env{})
		if c.Partition() != tc.partition || !slices.Equal(c.DestinationRegions, tc.destinations) {
			t.Errorf("source %s: Partition=%q destinations=%v; want %q %v", tc.source, c.Partition(), c.DestinationRegions, tc.partition, tc.destinations)
		}
	}
}

// The region table holds every region the brief lists.
func TestKnownRegions(t *testing.T) {
	want := map[string]string{"cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn", "us-gov-east-1": "aws-us-gov", "us-gov-west-1": "aws-us-gov"}
	for _, r := range strings.Fields(`af-south-1 ap-east-1 ap-east-2 ap-northeast-1 ap-northeast-2 ap-northeast-3
		ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 ap-southeast-4 ap-southeast-5 ap-southeast-7
		ca-central-1 ca-west-1 eu-central-1 eu-central-2 eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 eu-west-3
		il-central-1 me-central-1 me-south-1 mx-central-1 sa-east-1 us-east-1 us-east-2 us-west-1 us-west-2`) {
		want[r] = "aws"
	}
	for r, p := range want {
		if got, ok := awsid.PartitionOf(r), awsid.IsRegion(r); !ok || got != p {
			t.Errorf("awsid.PartitionOf(%s) = %q, known %v; want %q", r, got, ok, p)
		}
	}
}

func awsRegionsExcept(skip ...string) []string {
	var out []string
	for _, r := range awsid.Regions() {
		if awsid.PartitionOf(r) == "aws" && !slices.Contains(skip, r) {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

// --------------------------------------------------------------- errors

func TestProblemError(t *testing.T) {
	cases := []struct {
		p    Problem
		want string
	}{
		{Problem{Key: "encryption", Value: "ROT13", Expected: "AES256 or KMS"}, `encryption: got "ROT13"; expected AES256 or KMS`},
		{Problem{Key: "repoPrefix", Value: "", Expected: "x"}, `repoPrefix: got ""; expected x`},
		{Problem{Key: "alertEmail", Value: "a\"b\n", Expected: "x"}, `alertEmail: got "a\"b\n"; expected x`},
		{Problem{Key: "repoPrefix", Value: strings.Repeat("é", 60), Expected: "x"}, `repoPrefix: got "` + strings.Repeat("é", 60) + `"; expected x`},
		{Problem{Key: "repoPrefix", Value: strings.Repeat("b", 61), Expected: "x"}, `repoPrefix: got "` + strings.Repeat("b", 60) + `…" (61 characters); expected x`},
		{Problem{Key: "sourceregion", Value: "", Expected: `did you mean "sourceRegion"?`}, `sourceregion: unknown context key; did you mean "sourceRegion"?`},
	}
	for _, tc := range cases {
		if got := tc.p.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestValidationErrorIsSorted(t *testing.T) {
	ve := &ValidationError{Problems: []Problem{
		{Key: "enhancedScanning", Value: "x", Expected: "true or false"},
		{Key: "additionalRegions", Value: "b", Expected: "z"},
		{Key: "sourceRegion", Value: "x", Expected: "y"},
		{Key: "additionalRegions", Value: "a", Expected: "z"},
		{Key: "typo", Value: "", Expected: "did you mean?"},
	}}
	want := strings.Join([]string{
		`typo: unknown context key; did you mean?`,
		`sourceRegion: got "x"; expected y`,
		`additionalRegions: got "a"; expected z`,
		`additionalRegions: got "b"; expected z`,
		`enhancedScanning: got "x"; expected true or false`,
	}, "\n")
	if got := ve.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	if ve.Problems[0].Key != "enhancedScanning" {
		t.Error("Error() reordered the caller's slice")
	}
}

func TestLevenshtein(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"abc", "abd", 1}, {"abc", "ab", 1},
		{"kitten", "sitting", 3}, {"abcdef", "a", 3}, {"ab", "ba", 2},
	} {
		if got := levenshtein(tc.a, tc.b, 2); got != tc.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestRepositoryStacksRefusals(t *testing.T) {
	for _, v := range []any{"0", "21", "two", float64(1.5), "-1"} {
		_, err := Parse(map[string]any{"repositoryStacks": v}, Env{})
		if err == nil || !strings.Contains(err.Error(), "repositoryStacks: got") || !strings.Contains(err.Error(), "from 1 (the repositories stay in each region's stack) to 20") {
			t.Errorf("repositoryStacks=%v: %v; want a refusal naming the key, the value and the range", v, err)
		}
	}
}

// TestMonitoringKeys: the storage, latency and trail keys are validated like the rest, every
// problem at once, each naming the key, the value and what is expected.
func TestMonitoringKeys(t *testing.T) {
	_, err := Parse(map[string]any{
		"storageScheduleMinutes":         "2",
		"storageRepositoryMetrics":       "production,nosuch,production",
		"storageGrowthAlarmGiB":          "0",
		"replicationLatency":             "maybe",
		"replicationLatencyAlarmMinutes": "1441",
		"lifecycleTrail":                 "yes please",
	}, Env{})
	if err == nil {
		t.Fatal("Parse accepted bad monitoring keys")
	}
	for _, want := range []string{
		`storageScheduleMinutes: got "2"`, "from 5 to 1440",
		`storageRepositoryMetrics: got "nosuch"`, "a repository of productionRepositories, testingRepositories or repositoriesFile",
		`"production" is listed more than once`,
		`storageGrowthAlarmGiB: got "0"`, "greater than 0",
		`replicationLatency: got "maybe"`,
		`replicationLatencyAlarmMinutes: got "1441"`, "from 1 to 1440",
		`lifecycleTrail: got "yes please"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	names := make([]string, 11)
	for i := range names {
		names[i] = fmt.Sprintf("r%d", i)
	}
	_, err = Parse(map[string]any{"testingRepositories": strings.Join(names, ","), "storageRepositoryMetrics": strings.Join(names, ",")}, Env{})
	if err == nil || !strings.Contains(err.Error(), "at most 10 repositories") {
		t.Errorf("11 storage repositories: %v; want a refusal naming the limit", err)
	}
	c := mustParse(t, nil, Env{})
	if !c.StorageMetrics || c.StorageScheduleMinutes != 60 || c.StorageGrowthAlarmGiB != 10 || !c.ReplicationLatency || c.LatencyAlarmMinutes != 30 || c.LifecycleTrail || c.StorageRepositoryMetrics != nil {
		t.Errorf("defaults: %+v", c)
	}
}

// ------------------------------------------------------------ fleet file

// repoRoot holds the fixtures: testdata/fleet/ of the repository.
var repoRoot = os.DirFS("..")

// fleetEnv is an environment whose project directory holds files (in memory).
func fleetEnv(files map[string]string) Env {
	m := fstest.MapFS{}
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return Env{ProjectFiles: m}
}

// The fleet file of testdata/fleet, in YAML and in JSON, gives the same configuration: its
// repositories replace the defaults, and the overrides reach RepositorySettings.
func TestFleetFile(t *testing.T) {
	var first *Config
	for _, file := range []string{"testdata/fleet/good.yaml", "testdata/fleet/good.json"} {
		t.Run(file, func(t *testing.T) {
			c := mustParse(t, map[string]any{"repositoriesFile": file}, Env{ProjectFiles: repoRoot})
			if want := []string{"api", "web/frontend"}; !slices.Equal(c.ProductionRepositories, want) {
				t.Errorf("ProductionRepositories = %v, want %v (the file replaces the default production)", c.ProductionRepositories, want)
			}
			if want := []string{"sandbox", "qa/api"}; !slices.Equal(c.TestingRepositories, want) {
				t.Errorf("TestingRepositories = %v, want %v", c.TestingRepositories, want)
			}
			wantOverrides := map[string]Overrides{
				"api":     {ImageCount: 20, TagPrefixes: []string{"v", "hotfix"}, UntaggedExpiryDays: 3},
				"sandbox": {MaxAgeDays: 14},
				"qa/api":  {ImageCount: 2, TagPrefixes: []string{"pr", "feature"}},
			}
			if !reflect.DeepEqual(c.RepositoryOverrides, wantOverrides) {
				t.Errorf("RepositoryOverrides = %+v, want %+v", c.RepositoryOverrides, wantOverrides)
			}
			settings := map[string]RepositorySettings{}
			for _, s := range c.RepositorySettings() {
				settings[s.Name] = s
			}
			wantPolicies := map[string]lifecycle.Policy{
				"api":          lifecycle.ProductionProfile{TagPrefixes: []string{"v", "hotfix"}, ImageCount: 20, UntaggedExpiryDays: 3}.Policy(),
				"web/frontend": lifecycle.ProductionProfile{TagPrefixes: []string{"prod", "release"}, ImageCount: 10, UntaggedExpiryDays: 1}.Policy(),
				"sandbox":      lifecycle.TestingProfile{TagPrefixes: []string{"test", "dev", "staging"}, ImageCount: 5, MaxAgeDays: 14}.Policy(),
				"qa/api":       lifecycle.TestingProfile{TagPrefixes: []string{"pr", "feature"}, ImageCount: 2, MaxAgeDays: 7}.Policy(),
			}
			if len(settings) != len(wantPolicies) {
				t.Errorf("RepositorySettings has %d repositories, want %d", len(settings), len(wantPolicies))
			}
			for name, want := range wantPolicies {
				s := settings[name]
				if !reflect.DeepEqual(s.Lifecycle, want) {
					t.Errorf("%s: lifecycle\n%+v\nwant\n%+v", name, s.Lifecycle, want)
				}
				if err := s.Lifecycle.Validate(); err != nil {
					t.Errorf("%s: lifecycle does not validate: %v", name, err)
				}
				if s.FullName != "enterprise-apps/"+name {
					t.Errorf("%s: FullName %q", name, s.FullName)
				}
			}
			if settings["api"].TagMutability != replication.Immutable || settings["sandbox"].TagMutability != replication.Mutable {
				t.Errorf("tag mutability: api %s, sandbox %s", settings["api"].TagMutability, settings["sandbox"].TagMutability)
			}
			// Repositories() hands out copies: changing one changes nothing.
			c.Repositories()[0].Overrides.TagPrefixes[0] = "changed"
			if c.RepositoryOverrides["api"].TagPrefixes[0] != "v" {
				t.Error("Repositories() shares the overrides' tag prefixes with the Config")
			}
			if first == nil {
				first = c
			} else if !reflect.DeepEqual(c, first) {
				t.Errorf("good.json gives\n%+v\ngood.yaml gives\n%+v", c, first)
			}
		})
	}
}

// With repositoriesFile, the repository lists add to the file (and default to none).
func TestFleetFileAndLists(t *testing.T) {
	env := fleetEnv(map[string]string{"fleet.yml": "repositories:\n  - {name: api, profile: production, imageCount: 3}\n  - {name: sandbox, profile: testing}\n"})
	runParseCases(t, []parseCase{
		{"file alone: production", map[string]any{"repositoriesFile": "fleet.yml"}, env, fProductionRepos, []string{"api"}},
		{"file alone: testing", map[string]any{"repositoriesFile": "fleet.yml"}, env, fTestingRepos, []string{"sandbox"}},
		{"union with productionRepositories", map[string]any{"repositoriesFile": "fleet.yml", "productionRepositories": "billing,web"}, env,
			fProductionRepos, []string{"billing", "web", "api"}},
		{"an unset list stays empty", map[string]any{"repositoriesFile": "fleet.yml", "productionRepositories": "billing"}, env,
			fTestingRepos, []string{"sandbox"}},
		{"union with a cdk.json array", map[string]any{"repositoriesFile": "./fleet.yml", "testingRepositories": []any{"qa", "load"}}, env,
			fTestingRepos, []string{"qa", "load", "sandbox"}},
		{"none adds nothing", map[string]any{"repositoriesFile": "fleet.yml", "productionRepositories": "none"}, env,
			fProductionRepos, []string{"api"}},
		{"overrides only for the file", map[string]any{"repositoriesFile": "fleet.yml", "productionRepositories": "billing"}, env,
			func(c *Config) any { return c.RepositoryOverrides }, map[string]Overrides{"api": {ImageCount: 3}}},
		{"storage metric of a file repository", map[string]any{"repositoriesFile": "fleet.yml", "storageRepositoryMetrics": "sandbox"}, env,
			func(c *Config) any { return c.StorageRepositoryMetrics }, []string{"enterprise-apps/sandbox"}},
		{"an empty file list with a repository list", map[string]any{"repositoriesFile": "empty.json", "testingRepositories": "qa"},
			fleetEnv(map[string]string{"empty.json": `{"repositories": []}`}), fTestingRepos, []string{"qa"}},
	})
	// A full name of exactly 256 characters is ECR's limit, and accepted.
	longest := strings.Repeat("n", 253)
	c := mustParse(t, map[string]any{"repositoriesFile": "f.yaml", "repoPrefix": "ab"},
		fleetEnv(map[string]string{"f.yaml": "repositories: [{name: " + longest + ", profile: testing}]"}))
	if r := c.Repositories(); len(r) != 1 || len(r[0].FullName) != 256 {
		t.Errorf("Repositories() = %+v, want one of 256 characters", r)
	}

	c = mustParse(t, map[string]any{"repositoriesFile": "fleet.yml", "productionRepositories": "billing"}, env)
	want := []Repository{
		{Name: "billing", FullName: "enterprise-apps/billing", Namespace: "enterprise-apps", Profile: ProfileProduction},
		{Name: "api", FullName: "enterprise-apps/api", Namespace: "enterprise-apps", Profile: ProfileProduction, Overrides: Overrides{ImageCount: 3}},
		{Name: "sandbox", FullName: "enterprise-apps/sandbox", Namespace: "enterprise-apps", Profile: ProfileTesting},
	}
	if got := c.Repositories(); !reflect.DeepEqual(got, want) {
		t.Errorf("Repositories() = %+v, want %+v", got, want)
	}
}

// fleetCase is a bad fleet file: every problem is on repositoriesFile, and the messages hold
// every fragment (each naming the file, line, key path, value and expectation).
type fleetCase struct {
	name     string
	files    map[string]string
	ctx      map[string]any // repositoriesFile defaults to fleet.yaml
	problems int            // how many problems, all on repositoriesFile
	want     []string
}

func TestFleetFileBadInput(t *testing.T) {
	entry := func(fields string) map[string]string {
		return map[string]string{"fleet.yaml": "repositories:\n  - name: api\n    profile: production\n" + fields}
	}
	fiftyTags := make([]string, 50)
	for i := range fiftyTags {
		fiftyTags[i] = fmt.Sprintf("t%02dx", i)
	}
	cases := []fleetCase{
		// the file
		{"missing file", nil, nil, 1, []string{`repositoriesFile: got "fleet.yaml"; expected an existing file: there is no such file in the project directory`}},
		{"absolute path", nil, map[string]any{"repositoriesFile": "/etc/fleet.yaml"}, 1,
			[]string{`repositoriesFile: got "/etc/fleet.yaml"; expected a path, relative to the project directory`, "absolute or leaves the project directory"}},
		{"path leaving the project", nil, map[string]any{"repositoriesFile": "../other/fleet.yaml"}, 1,
			[]string{`repositoriesFile: got "../other/fleet.yaml"; expected`, "absolute or leaves the project directory"}},
		{"unknown extension", nil, map[string]any{"repositoriesFile": "fleet.toml"}, 1,
			[]string{`repositoriesFile: got "fleet.toml"; expected`, `.yaml, .yml or .json`, `(".toml")`}},
		{"a directory", map[string]string{"fleet.yaml/x": ""}, nil, 1, []string{`repositoriesFile: got "fleet.yaml"; expected a file, not a directory`}},
		{"too large", map[string]string{"fleet.yaml": "# " + strings.Repeat("x", 1<<20)}, nil, 1, []string{"at most 1048576 bytes; got 1048578"}},
		{"empty file", map[string]string{"fleet.yaml": ""}, nil, 1, []string{`repositoriesFile: fleet.yaml: got ""; expected a mapping with a repositories list`, "the file is empty"}},
		{"only a comment", map[string]string{"fleet.yaml": "# nothing yet\n"}, nil, 1, []string{"the file is empty"}},
		{"malformed YAML", map[string]string{"fleet.yaml": "repositories:\n  - name: api\n    profile: production\n  - name: web\n   profile: testing\n"}, nil, 1,
			[]string{`repositoriesFile: fleet.yaml:5: got "profile: testing"; expected well-formed YAML (the parser says: did not find expected '-' indicator)`}},
		{"tab indentation", map[string]string{"fleet.yaml": "repositories:\n\t- name: api\n"}, nil, 1,
			[]string{`repositoriesFile: fleet.yaml:2: got "- name: api"; expected well-formed YAML (the parser says: found character that cannot start any token)`}},
		{"malformed JSON", map[string]string{"fleet.json": "{\n  \"repositories\": [\n    {\"name\": \"api\", \"profile\": \"production\"},\n  ]\n}\n"},
			map[string]any{"repositoriesFile": "fleet.json"}, 1,
			[]string{`repositoriesFile: fleet.json:4:3: got "]"; expected well-formed JSON (invalid character ']' looking for beginning of value)`}},
		{"JSON with a comment", map[string]string{"fleet.json": "// fleet\n{\"repositories\": []}\n"}, map[string]any{"repositoriesFile": "fleet.json"}, 1,
			[]string{`repositoriesFile: fleet.json:1:1: got "// fleet"; expected well-formed JSON`}},
		{"truncated JSON", map[string]string{"fleet.json": `{"repositories": [`}, map[string]any{"repositoriesFile": "fleet.json"}, 1,
			[]string{`repositoriesFile: fleet.json:1:18: got "{\"repositories\": ["; expected well-formed JSON (unexpected end of JSON input)`}},
		{"two documents", map[string]string{"fleet.yaml": "repositories: []\n---\nrepositories: []\n"}, nil, 1,
			[]string{`repositoriesFile: fleet.yaml:2:1: got "---"; expected one YAML document`}},
		// the document
		{"a list at the top", map[string]string{"fleet.yaml": "- name: api\n  profile: production\n"}, nil, 1,
			[]string{`repositoriesFile: fleet.yaml:1:1: got "[{name: api, profile: production}]"; expected a mapping with a repositories list`, "not a list"}},
		{"a typo at the top", map[string]string{"fleet.yaml": "repository:\n  - {name: api, profile: production}\n"}, nil, 2,
			[]string{`repositoriesFile: fleet.yaml:1:1: repository: got "repository"; expected a known field in the document: repositories, namespaces (did you mean "repositories"?)`,
				`repositoriesFile: fleet.yaml:1:1: got ""; expected a mapping with a repositories list`, "the repositories (or namespaces) field is missing"}},
		{"repositories not a list", map[string]string{"fleet.yaml": "repositories:\n  api: production\n"}, nil, 1,
			[]string{`repositoriesFile: fleet.yaml:2:3: repositories: got "{api: production}"; expected a list of repositories`, "not a mapping"}},
		{"repositories null", map[string]string{"fleet.yaml": "repositories:\n"}, nil, 1,
			[]string{`repositories: got "null"; expected a list of repositories`, "not null"}},
		{"an entry that is a string", map[string]string{"fleet.yaml": "repositories:\n  - api\n"}, nil, 1,
			[]string{`repositoriesFile: fleet.yaml:2:5: repositories[0]: got "api"; expected a repository: a mapping with a name and a profile`, "not a string"}},
		{"unknown field", entry("    imagecount: 20\n"), nil, 1,
			[]string{`repositoriesFile: fleet.yaml:4:5: repositories[0].imagecount: got "imagecount"; expected a known field in repositories[0]: name, profile, imageCount, tagPrefixes, untaggedExpiryDays, maxAgeDays (did you mean "imageCount"?)`}},
		{"a context key as a field", entry("    productionTagPrefixes: [v]\n"), nil, 1, []string{`repositories[0].productionTagPrefixes`, `(did you mean "tagPrefixes"?)`}},
		{"unknown field without a hint", entry("    owner: team-a\n"), nil, 1, []string{`repositories[0].owner: got "owner"; expected a known field`}},
		{"merge key", map[string]string{"fleet.yaml": "defaults: &d {imageCount: 3}\nrepositories:\n  - <<: *d\n    name: api\n    profile: production\n"}, nil, 2,
			[]string{`fleet.yaml:1:1: defaults: got "defaults"`, `fleet.yaml:3:5: repositories[0].<<: got "<<"`, "merge keys are not supported"}},
		{"a field twice", entry("    imageCount: 3\n    imageCount: 4\n"), nil, 1,
			[]string{`repositoriesFile: fleet.yaml:5:5: repositories[0].imageCount: got "imageCount"; expected each field once in repositories[0]: imageCount is already on line 4`}},
		{"no name", map[string]string{"fleet.yaml": "repositories:\n  - profile: testing\n"}, nil, 1,
			[]string{`repositoriesFile: fleet.yaml:2:5: repositories[0]: got "{profile: testing}"; expected a repository`, "the name field is missing"}},
		{"no profile", map[string]string{"fleet.yaml": "repositories:\n  - name: api\n"}, nil, 1,
			[]string{`repositoriesFile: fleet.yaml:2:5: repositories[0]: got "{name: api}"; expected a repository`, "the profile field (production or testing) is missing"}},
		// names
		{"name with capitals", map[string]string{"fleet.yaml": "repositories:\n  - {name: Web_App, profile: testing}\n"}, nil, 1,
			[]string{`repositoriesFile: fleet.yaml:2:12: repositories[0].name: got "Web_App"; expected a repository name made of lower-case letters`}},
		{"name over ECR's limit", map[string]string{"fleet.yaml": "repositories:\n  - {name: " + strings.Repeat("n", 250) + ", profile: testing}\n"}, nil, 1,
			[]string{`repositoriesFile: fleet.yaml:2:12: repositories[0].name: got "` + strings.Repeat("n", 60) + `…" (250 characters); expected a full repository name enterprise-apps/<name> of at most 256 characters (ECR's limit); got 266`}},
		{"name one over the limit with a short prefix", map[string]string{"fleet.yaml": "repositories:\n  - {name: " + strings.Repeat("n", 254) + ", profile: testing}\n"},
			map[string]any{"repositoriesFile": "fleet.yaml", "repoPrefix": "ab"}, 1, []string{"a full repository name ab/<name> of at most 256 characters (ECR's limit); got 257"}},
		{"name is a list", map[string]string{"fleet.yaml": "repositories:\n  - {name: [api], profile: testing}\n"}, nil, 1,
			[]string{`repositories[0].name: got "[api]"; expected a repository name`, "not a list"}},
		{"name twice", map[string]string{"fleet.yaml": "repositories:\n  - {name: api, profile: testing}\n  - {name: web, profile: testing}\n  - {name: api, profile: testing}\n"}, nil, 1,
			[]string{`repositoriesFile: fleet.yaml:4:12: repositories[2].name: got "api"; expected each repository once: "api" is already repositories[0] (line 2)`}},
		{"both profiles", map[string]string{"fleet.yaml": "repositories:\n  - {name: api, profile: production}\n  - {name: api, profile: testing}\n"}, nil, 1,
			[]string{`repositoriesFile: fleet.yaml:3:12: repositories[1].name: got "api"; expected a repository in one profile: "api" is already repositories[0] (line 2) with profile production, so it would be in both profiles`}},
		{"also in productionRepositories", map[string]string{"fleet.yaml": "repositories:\n  - {name: api, profile: testing}\n"},
			map[string]any{"repositoriesFile": "fleet.yaml", "productionRepositories": "api,web"}, 1,
			[]string{`repositoriesFile: fleet.yaml:2:12: repositories[0].name: got "api"; expected a repository not already in productionRepositories: "api" is in both productionRepositories and repositoriesFile`}},
		{"also in testingRepositories", map[string]string{"fleet.yaml": "repositories:\n  - {name: qa, profile: testing}\n"},
			map[string]any{"repositoriesFile": "fleet.yaml", "testingRepositories": []any{"qa"}}, 1,
			[]string{`repositories[0].name: got "qa"; expected a repository not already in testingRepositories`}},
		{"no repository at all", map[string]string{"fleet.yaml": "repositories: []\n"}, nil, 1,
			[]string{`repositoriesFile: got "fleet.yaml"; expected at least one repository overall: repositoriesFile lists none`}},
		// profiles and overrides
		{"unknown profile", map[string]string{"fleet.yaml": "repositories:\n  - {name: api, profile: staging}\n"}, nil, 1,
			[]string{`repositoriesFile: fleet.yaml:2:26: repositories[0].profile: got "staging"; expected production or testing`}},
		{"profile in capitals", map[string]string{"fleet.yaml": "repositories:\n  - {name: api, profile: Production}\n"}, nil, 1,
			[]string{`got "Production"; expected production or testing (in lower case)`}},
		{"zero images", entry("    imageCount: 0\n"), nil, 1,
			[]string{`repositoriesFile: fleet.yaml:4:17: repositories[0].imageCount: got "0"; expected an integer from 1 to 10000 (images to keep; ECR rejects a countNumber of 0)`}},
		{"too many images", entry("    imageCount: 10001\n"), nil, 1, []string{`repositories[0].imageCount: got "10001"; expected an integer from 1 to 10000`}},
		{"fractional images", entry("    imageCount: 2.5\n"), nil, 1, []string{`repositories[0].imageCount: got "2.5"; expected an integer from 1 to 10000`}},
		{"images as a string", entry("    imageCount: \"20\"\n"), nil, 1, []string{`repositories[0].imageCount: got "20"; expected an integer from 1 to 10000`, "not a string"}},
		{"images in JSON as a string", map[string]string{"fleet.json": `{"repositories": [{"name": "api", "profile": "production", "imageCount": "20"}]}`},
			map[string]any{"repositoriesFile": "fleet.json"}, 1, []string{`repositoriesFile: fleet.json:1:74: repositories[0].imageCount: got "20"`, "not a string"}},
		{"images null", entry("    imageCount:\n"), nil, 1, []string{`repositories[0].imageCount: got "null"`, "not null"}},
		{"untagged expiry out of range", entry("    untaggedExpiryDays: 3651\n"), nil, 1,
			[]string{`repositoriesFile: fleet.yaml:4:25: repositories[0].untaggedExpiryDays: got "3651"; expected an integer from 1 to 3650 (days)`}},
		{"max age in a production repository", entry("    maxAgeDays: 14\n"), nil, 1,
			[]string{`repositoriesFile: fleet.yaml:4:5: repositories[0].maxAgeDays: got "14"; expected no maxAgeDays in a production repository: it overrides the testing profile's testingMaxAgeDays (production repositories take untaggedExpiryDays)`}},
		{"untagged expiry in a testing repository", map[string]string{"fleet.yaml": "repositories:\n  - name: qa\n    profile: testing\n    untaggedExpiryDays: 2\n"}, nil, 1,
			[]string{`repositoriesFile: fleet.yaml:4:5: repositories[0].untaggedExpiryDays: got "2"; expected no untaggedExpiryDays in a testing repository: it overrides the production profile's untaggedExpiryDays (testing repositories take maxAgeDays)`}},
		{"max age zero", map[string]string{"fleet.yaml": "repositories:\n  - {name: qa, profile: testing, maxAgeDays: 0}\n"}, nil, 1,
			[]string{`repositories[0].maxAgeDays: got "0"; expected an integer from 1 to 3650 (days)`}},
		{"overlapping tag prefixes", entry("    tagPrefixes: [v, v2, \"qa env\"]\n"), nil, 2,
			[]string{`repositoriesFile: fleet.yaml:4:22: repositories[0].tagPrefixes[1]: got "v2"; expected prefixes that do not overlap: "v" is a prefix of "v2"`,
				`repositoriesFile: fleet.yaml:4:26: repositories[0].tagPrefixes[2]: got "qa env"; expected a tag prefix of 1–128 characters`}},
		{"a tag prefix twice", entry("    tagPrefixes:\n      - v\n      - v\n"), nil, 1,
			[]string{`repositoriesFile: fleet.yaml:6:9: repositories[0].tagPrefixes[1]: got "v"; expected each prefix once: "v" is listed more than once in repositories[0].tagPrefixes`}},
		{"no tag prefixes", entry("    tagPrefixes: []\n"), nil, 1, []string{`repositories[0].tagPrefixes: got "[]"; expected a list of 1 to 49 tag prefixes such as [v, hotfix]; got none`}},
		{"tag prefixes as a string", entry("    tagPrefixes: v,hotfix\n"), nil, 1, []string{`repositories[0].tagPrefixes: got "v,hotfix"; expected a list of 1 to 49 tag prefixes`, "not a string"}},
		{"a tag prefix that is a list", entry("    tagPrefixes: [v, [x]]\n"), nil, 1, []string{`repositories[0].tagPrefixes[1]: got "[x]"; expected a tag prefix, not a list`}},
		{"50 tag prefixes", entry("    tagPrefixes: [" + strings.Join(fiftyTags, ", ") + "]\n"), nil, 1,
			[]string{`repositoriesFile: fleet.yaml:4:18: repositories[0].tagPrefixes: got "[t00x, t01x,`, "at most 49 tag prefixes", "got 50"}},
	}
	twelve := "repositories:\n"
	for i := range 12 {
		twelve += fmt.Sprintf("  - {name: r%d, profile: testing, imageCount: 0}\n", i)
	}
	cases = append(cases, fleetCase{"more than 10 problems", map[string]string{"fleet.yaml": twelve}, nil, 11,
		[]string{`fleet.yaml:2:`, `fleet.yaml:11:`, `repositoriesFile: got "fleet.yaml"; expected valid entries throughout; 2 more problems with this value are not listed`}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = map[string]any{"repositoriesFile": "fleet.yaml"}
			}
			ps, ve := problems(t, ctx, fleetEnv(tc.files))
			for _, p := range ps {
				if p.Key != "repositoriesFile" {
					t.Errorf("a problem on another key: %s", p.Error())
				}
				if strings.HasSuffix(p.Error(), ".") {
					t.Errorf("message %q ends with a period", p.Error())
				}
			}
			if len(ps) != tc.problems {
				t.Errorf("%d problems, want %d:\n%v", len(ps), tc.problems, ve)
			}
			for _, w := range tc.want {
				if !strings.Contains(ve.Error(), w) {
					t.Errorf("no message holds\n%s\ngot:\n%v", w, ve)
				}
			}
		})
	}
}

// Every problem of the fleet file is reported, in file order (line 10 after line 9), with
// the problems of the other keys.
func TestFleetFileProblemsAllAtOnce(t *testing.T) {
	ctx := map[string]any{"repositoriesFile": "testdata/fleet/bad-many.yaml", "sourceRegion": "us-east-9", "encryption": "ROT13"}
	ps, ve := problems(t, ctx, Env{ProjectFiles: repoRoot})
	var lines []int
	keys := map[string]int{}
	for _, p := range ps {
		keys[p.Key]++
		if p.Key == "repositoriesFile" {
			if p.At.File != "testdata/fleet/bad-many.yaml" || p.At.Line == 0 || p.At.Column == 0 || !strings.HasPrefix(p.At.Path, "repositories[") {
				t.Errorf("problem not located in the file: %+v", p)
			}
			lines = append(lines, p.At.Line)
		}
	}
	if want := map[string]int{"sourceRegion": 1, "repositoriesFile": 10, "encryption": 1}; !maps.Equal(keys, want) {
		t.Errorf("problems per key = %v, want %v:\n%v", keys, want, ve)
	}
	if !slices.IsSorted(lines) {
		t.Errorf("file problems out of line order: %v", lines)
	}
	msg := ve.Error()
	for _, w := range []string{
		`sourceRegion: got "us-east-9"`,
		`repositoriesFile: testdata/fleet/bad-many.yaml:4:17: repositories[0].imageCount: got "0"`,
		`repositoriesFile: testdata/fleet/bad-many.yaml:5:5: repositories[0].maxAgeDays: got "14"; expected no maxAgeDays in a production repository`,
		`repositoriesFile: testdata/fleet/bad-many.yaml:7:14: repositories[1].profile: got "staging"`,
		`repositoriesFile: testdata/fleet/bad-many.yaml:10:5: repositories[2].untaggedExpiryDays: got "2"`,
		`repositoriesFile: testdata/fleet/bad-many.yaml:11:23: repositories[2].tagPrefixes[1]: got "pr-1"`,
		`repositoriesFile: testdata/fleet/bad-many.yaml:11:29: repositories[2].tagPrefixes[2]: got "qa env"`,
		`repositoriesFile: testdata/fleet/bad-many.yaml:12:5: repositories[3]: got "{profile: testing}"`,
		`repositoriesFile: testdata/fleet/bad-many.yaml:13:11: repositories[4].name: got "api"; expected each repository once`,
		`repositoriesFile: testdata/fleet/bad-many.yaml:17:17: repositories[5].maxAgeDays: got "3651"`,
		`repositoriesFile: testdata/fleet/bad-many.yaml:18:5: repositories[5].tagPrefix: got "tagPrefix"`,
		`encryption: got "ROT13"`,
	} {
		if !strings.Contains(msg, w) {
			t.Errorf("missing %q in:\n%s", w, msg)
		}
	}
	if i, j := strings.Index(msg, "bad-many.yaml:7:"), strings.Index(msg, "bad-many.yaml:10:"); i < 0 || j < i {
		t.Errorf("line 10 sorted before line 7:\n%s", msg)
	}
}

// The fixtures of testdata/fleet each fail the way their name says.
func TestFleetFixtures(t *testing.T) {
	for file, want := range map[string]string{
		"bad-malformed.yaml":     `repositoriesFile: testdata/fleet/bad-malformed.yaml:5: got "profile: testing"; expected well-formed YAML`,
		"bad-malformed.json":     `repositoriesFile: testdata/fleet/bad-malformed.json:4:20: got "{\"name\": \"web\" \"profile\": \"testing\"}"; expected well-formed JSON (invalid character '"' after object key:value pair)`,
		"bad-unknown-field.yaml": `repositoriesFile: testdata/fleet/bad-unknown-field.yaml:4:5: repositories[0].imagecount: got "imagecount"; expected a known field`,
		"bad-name.yaml":          `repositoriesFile: testdata/fleet/bad-name.yaml:2:11: repositories[0].name: got "nnnn`,
		"bad-both-profiles.yaml": `repositoriesFile: testdata/fleet/bad-both-profiles.yaml:4:11: repositories[1].name: got "api"; expected a repository in one profile`,
		"missing.yaml":           `repositoriesFile: got "testdata/fleet/missing.yaml"; expected an existing file`,
	} {
		t.Run(file, func(t *testing.T) {
			_, ve := problems(t, map[string]any{"repositoriesFile": "testdata/fleet/" + file}, Env{ProjectFiles: repoRoot})
			if !strings.Contains(ve.Error(), want) {
				t.Errorf("want\n%s\ngot\n%v", want, ve)
			}
		})
	}
}

// Without Env.ProjectFiles the file is read from the working directory, and cannot be
// outside it.
func TestFleetFileFromTheWorkingDirectory(t *testing.T) {
	_, ve := problems(t, map[string]any{"repositoriesFile": "../testdata/fleet/good.yaml"}, Env{})
	if !strings.Contains(ve.Error(), "absolute or leaves the project directory") {
		t.Errorf("a path out of the working directory: %v", ve)
	}
	_, ve = problems(t, map[string]any{"repositoriesFile": "testdata/no-such-fleet.yaml"}, Env{})
	if !strings.Contains(ve.Error(), `repositoriesFile: got "testdata/no-such-fleet.yaml"; expected an existing file`) {
		t.Errorf("a missing file: %v", ve)
	}
	c := mustParse(t, map[string]any{"repositoriesFile": "fleet_test.yaml"}, Env{})
	if !slices.Equal(c.ProductionRepositories, []string{"config-test"}) {
		t.Errorf("ProductionRepositories = %v", c.ProductionRepositories)
	}
}

func TestLocationString(t *testing.T) {
	for _, tc := range []struct {
		l    Location
		want string
	}{
		{Location{File: "f.yaml"}, "f.yaml"},
		{Location{File: "f.yaml", Line: 3}, "f.yaml:3"},
		{Location{File: "f.yaml", Line: 3, Column: 7}, "f.yaml:3:7"},
		{Location{File: "f.yaml", Line: 3, Column: 7, Path: "repositories[0].name"}, "f.yaml:3:7: repositories[0].name"},
	} {
		if got := tc.l.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.l, got, tc.want)
		}
	}
	p := Problem{Key: "repositoriesFile", Value: "0", Expected: "x", At: Location{File: "f.yaml", Line: 2, Column: 5, Path: "repositories[1].imageCount"}}
	if got, want := p.Error(), `repositoriesFile: f.yaml:2:5: repositories[1].imageCount: got "0"; expected x`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// --------------------------------------------------- destination accounts

func TestDestinationAccounts(t *testing.T) {
	const src, b, c3, d = "111111111111", "222222222222", "333333333333", "444444444444"
	cases := []struct {
		name  string
		ctx   map[string]any
		env   Env
		want  []replication.Destination
		cross bool
	}{
		{"defaults, unknown account", nil, Env{}, []replication.Destination{{Region: "us-west-2", Account: ""}, {Region: "eu-west-1", Account: ""}}, false},
		{"defaults, known account", nil, Env{DefaultAccount: src}, []replication.Destination{{Region: "us-west-2", Account: src}, {Region: "eu-west-1", Account: src}}, false},
		{"destinationAccount for all", map[string]any{"sourceAccount": src, "destinationAccount": b}, Env{},
			[]replication.Destination{{Region: "us-west-2", Account: b}, {Region: "eu-west-1", Account: b}}, true},
		{"each in its own account", map[string]any{"sourceAccount": src, "destinationRegion": "us-west-2@" + b, "secondaryRegion": "eu-west-1@" + c3,
			"additionalRegions": "ap-southeast-2@" + d + ",ca-central-1"}, Env{},
			[]replication.Destination{{Region: "us-west-2", Account: b}, {Region: "eu-west-1", Account: c3}, {Region: "ap-southeast-2", Account: d}, {Region: "ca-central-1", Account: src}}, true},
		{"@account beats destinationAccount", map[string]any{"sourceAccount": src, "destinationAccount": b, "secondaryRegion": "eu-west-1@" + c3}, Env{},
			[]replication.Destination{{Region: "us-west-2", Account: b}, {Region: "eu-west-1", Account: c3}}, true},
		{"@ the source account is same-account", map[string]any{"destinationRegion": "us-west-2@" + src}, Env{DefaultAccount: src},
			[]replication.Destination{{Region: "us-west-2", Account: src}, {Region: "eu-west-1", Account: src}}, false},
		{"the source region in another account", map[string]any{"sourceAccount": src, "destinationRegion": "us-east-1@" + b}, Env{},
			[]replication.Destination{{Region: "us-east-1", Account: b}, {Region: "eu-west-1", Account: src}}, true},
		{"the source region in destinationAccount", map[string]any{"sourceAccount": src, "destinationAccount": b, "destinationRegion": "us-east-1"}, Env{},
			[]replication.Destination{{Region: "us-east-1", Account: b}, {Region: "eu-west-1", Account: b}}, true},
		{"cdk.json array", map[string]any{"sourceAccount": src, "additionalRegions": []any{"ap-southeast-2@" + d, " ca-central-1 "}}, Env{},
			[]replication.Destination{{Region: "us-west-2", Account: src}, {Region: "eu-west-1", Account: src}, {Region: "ap-southeast-2", Account: d}, {Region: "ca-central-1", Account: src}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustParse(t, tc.ctx, tc.env)
			if got := c.Destinations(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Destinations() = %+v, want %+v", got, tc.want)
			}
			var regions []string
			for _, d := range tc.want {
				regions = append(regions, d.Region)
			}
			if !slices.Equal(c.DestinationRegions, regions) {
				t.Errorf("DestinationRegions = %v, want %v", c.DestinationRegions, regions)
			}
			if c.CrossAccount() != tc.cross {
				t.Errorf("CrossAccount() = %v, want %v", c.CrossAccount(), tc.cross)
			}
		})
	}

	c := mustParse(t, map[string]any{"sourceAccount": src, "secondaryRegion": "eu-west-1@" + c3}, Env{})
	if want := []string{"", c3}; !slices.Equal(c.DestinationRegionAccounts, want) {
		t.Errorf("DestinationRegionAccounts = %q, want %q", c.DestinationRegionAccounts, want)
	}
	if c := mustParse(t, map[string]any{"sourceAccount": src, "destinationAccount": b}, Env{}); c.DestinationRegionAccounts != nil {
		t.Errorf("no @account: DestinationRegionAccounts = %q, want nil", c.DestinationRegionAccounts)
	}
	// A Config built by hand, without DestinationRegionAccounts, still has destinations.
	hand := &Config{SourceAccount: src, DestinationRegions: []string{"us-west-2", "eu-west-1"}, DestinationRegionAccounts: []string{b}}
	if got, want := hand.Destinations(), []replication.Destination{{Region: "us-west-2", Account: b}, {Region: "eu-west-1", Account: src}}; !reflect.DeepEqual(got, want) {
		t.Errorf("short DestinationRegionAccounts: %+v, want %+v", got, want)
	}
}

func TestDestinationAccountsBadInput(t *testing.T) {
	const src, b = "111111111111", "222222222222"
	others := awsRegionsExcept("us-east-1", "us-west-2", "eu-west-1")
	cases := []badCase{
		{"short account", map[string]any{"destinationRegion": "us-west-2@1234"}, Env{DefaultAccount: src}, "destinationRegion", "us-west-2@1234",
			"a 12-digit AWS account ID after the @, such as us-west-2@123456789012"},
		{"empty account", map[string]any{"secondaryRegion": "eu-west-1@"}, Env{DefaultAccount: src}, "secondaryRegion", "eu-west-1@", "a 12-digit AWS account ID after the @"},
		{"two @", map[string]any{"additionalRegions": "ca-central-1@" + b + "@" + b}, Env{DefaultAccount: src}, "additionalRegions",
			"ca-central-1@" + b + "@" + b, "a 12-digit AWS account ID after the @"},
		{"account with letters", map[string]any{"additionalRegions": []any{"ca-central-1@12345678901x"}}, Env{DefaultAccount: src}, "additionalRegions",
			"ca-central-1@12345678901x", "12-digit"},
		{"unknown region with an account", map[string]any{"destinationRegion": "us-west-9@" + b}, Env{DefaultAccount: src}, "destinationRegion",
			"us-west-9@" + b, "a known AWS region"},
		{"availability zone with an account", map[string]any{"destinationRegion": "us-west-2a@" + b}, Env{DefaultAccount: src}, "destinationRegion",
			"us-west-2a@" + b, `did you mean "us-west-2"?`},
		{"source region with an account", map[string]any{"sourceRegion": "us-east-1@" + src}, Env{}, "sourceRegion", "us-east-1@" + src,
			"sourceRegion takes no @account: the source account is sourceAccount"},
		{"the source registry by @", map[string]any{"destinationRegion": "us-east-1@" + src}, Env{DefaultAccount: src}, "destinationRegion", "us-east-1@" + src,
			`a region other than sourceRegion "us-east-1" in the source account (the same region in another account is written us-east-1@<account>)`},
		{"the same destination twice", map[string]any{"sourceAccount": src, "destinationAccount": b, "additionalRegions": "us-west-2@" + b}, Env{}, "additionalRegions",
			"us-west-2@" + b, `each destination once: "us-west-2@222222222222" is already destinationRegion as "us-west-2" (both are us-west-2 in account 222222222222)`},
		{"the same destination in the source account", map[string]any{"secondaryRegion": "us-west-2@" + src}, Env{DefaultAccount: src}, "secondaryRegion",
			"us-west-2@" + src, `is already destinationRegion as "us-west-2" (both are us-west-2 in the source account)`},
		{"the same @destination twice", map[string]any{"destinationRegion": "ca-central-1@" + b, "additionalRegions": "ca-central-1@" + b}, Env{DefaultAccount: src},
			"additionalRegions", "ca-central-1@" + b, `each destination once: "ca-central-1@222222222222" is already destinationRegion`},
		{"one region in two accounts", map[string]any{"sourceAccount": src, "additionalRegions": "us-west-2@" + b}, Env{}, "additionalRegions", "us-west-2@" + b,
			`each destination region once: us-west-2 is already destinationRegion ("us-west-2", in the source account); the app deploys one replica stack per region (ecr-replication-replica-us-west-2), so one region cannot receive replicas in two accounts`},
		{"@account in another partition", map[string]any{"destinationRegion": "cn-north-1@" + b}, Env{DefaultAccount: src}, "destinationRegion", "cn-north-1@" + b,
			"ECR does not replicate to regions of another partition"},
		{"@account without a known source account", map[string]any{"additionalRegions": "ca-central-1@" + b}, Env{}, "sourceAccount", "",
			"(cross-account replication to additionalRegions ca-central-1@222222222222 needs it)"},
		{"@accounts and destinationAccount without a source account", map[string]any{"destinationAccount": b, "additionalRegions": "ca-central-1@" + b + ",sa-east-1@" + b + ",me-south-1@" + b}, Env{},
			"sourceAccount", "", "(cross-account replication to destinationAccount 222222222222, additionalRegions ca-central-1@222222222222, additionalRegions sa-east-1@222222222222, 1 more needs it)"},
		{"26 destinations", map[string]any{"additionalRegions": strings.Join(others[:23], ",") + ",us-west-2@" + b}, Env{DefaultAccount: src}, "additionalRegions",
			strings.Join(others[:23], ",") + ",us-west-2@" + b, "at most 25 destinations in total, a destination being a region in an account"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps, ve := problems(t, tc.ctx, tc.env)
			found := false
			for _, p := range ps {
				if p.Key != tc.key {
					t.Errorf("unexpected problem on another key: %s", p.Error())
				}
				if msg := p.Error(); strings.Contains(msg, shown(tc.value)) && strings.Contains(msg, tc.fragment) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem on %s shows %s and %q; got:\n%v", tc.key, shown(tc.value), tc.fragment, ve)
			}
		})
	}

	t.Run("25 destinations, one of them the source region in another account", func(t *testing.T) {
		c := mustParse(t, map[string]any{"sourceAccount": src, "additionalRegions": strings.Join(others[:22], ",") + ",us-east-1@" + b}, Env{})
		if n := len(c.Destinations()); n != 25 {
			t.Errorf("%d destinations, want 25", n)
		}
	})
	t.Run("a bad destinationAccount adds no problem to the destinations", func(t *testing.T) {
		ps, ve := problems(t, map[string]any{"sourceAccount": src, "destinationAccount": "12345", "destinationRegion": "us-east-1", "additionalRegions": "us-west-2@" + b}, Env{})
		if len(ps) != 1 || ps[0].Key != "destinationAccount" {
			t.Errorf("want one problem, on destinationAccount:\n%v", ve)
		}
	})
	t.Run("every destination problem at once", func(t *testing.T) {
		ps, ve := problems(t, map[string]any{"destinationRegion": "us-west-2@1", "secondaryRegion": "mars-1@" + b, "additionalRegions": "us-east-1,ca-central-1@x"}, Env{DefaultAccount: src})
		var keys []string
		for _, p := range ps {
			keys = append(keys, p.Key)
		}
		if want := []string{"destinationRegion", "secondaryRegion", "additionalRegions", "additionalRegions"}; !slices.Equal(keys, want) {
			t.Errorf("problems on %v, want %v:\n%v", keys, want, ve)
		}
	})
}

// A cdk.json context with arrays, accounts on destinations and a fleet file, decoded the way
// CDK hands it over.
func TestParseCDKJSONFleet(t *testing.T) {
	const cdkJSON = `{
	  "sourceAccount": "111111111111",
	  "destinationRegion": "us-west-2@222222222222",
	  "secondaryRegion": "none",
	  "additionalRegions": ["ap-southeast-2@444444444444", "ca-central-1"],
	  "productionRepositories": ["billing", "ledger"],
	  "repositoriesFile": "testdata/fleet/good.json",
	  "storageRepositoryMetrics": ["billing", "api"]
	}`
	var ctx map[string]any
	if err := json.Unmarshal([]byte(cdkJSON), &ctx); err != nil {
		t.Fatal(err)
	}
	c := mustParse(t, ctx, Env{ProjectFiles: repoRoot})
	if want := []string{"billing", "ledger", "api", "web/frontend"}; !slices.Equal(c.ProductionRepositories, want) {
		t.Errorf("ProductionRepositories = %v, want %v", c.ProductionRepositories, want)
	}
	if want := []string{"sandbox", "qa/api"}; !slices.Equal(c.TestingRepositories, want) {
		t.Errorf("TestingRepositories = %v, want %v", c.TestingRepositories, want)
	}
	want := []replication.Destination{{Region: "us-west-2", Account: "222222222222"}, {Region: "ap-southeast-2", Account: "444444444444"}, {Region: "ca-central-1", Account: "111111111111"}}
	if got := c.Destinations(); !reflect.DeepEqual(got, want) {
		t.Errorf("Destinations() = %+v, want %+v", got, want)
	}
	if want := []string{"enterprise-apps/billing", "enterprise-apps/api"}; !slices.Equal(c.StorageRepositoryMetrics, want) {
		t.Errorf("StorageRepositoryMetrics = %v, want %v", c.StorageRepositoryMetrics, want)
	}
	if !c.CrossAccount() {
		t.Error("CrossAccount() = false")
	}
}

// TestActivityAlarmRepositories: the watched repositories are configured repositories, at
// most 25, and names whose construct ids would collide are refused before anything is built.
func TestActivityAlarmRepositories(t *testing.T) {
	c := mustParse(t, map[string]any{"testingRepositories": "a,b,c", "activityAlarmRepositories": "b,production"}, Env{})
	if want := []string{"enterprise-apps/b", "enterprise-apps/production"}; !slices.Equal(c.ActivityAlarmRepositories, want) {
		t.Errorf("ActivityAlarmRepositories = %v; want %v", c.ActivityAlarmRepositories, want)
	}
	if c := mustParse(t, map[string]any{"activityAlarmRepositories": "none"}, Env{}); c.ActivityAlarmRepositories == nil || len(c.ActivityAlarmRepositories) != 0 {
		t.Errorf("none: %v; want an empty, non-nil list (watch none)", c.ActivityAlarmRepositories)
	}
	if c := mustParse(t, nil, Env{}); c.ActivityAlarmRepositories != nil {
		t.Errorf("default: %v; want nil (the monitoring default)", c.ActivityAlarmRepositories)
	}
	_, err := Parse(map[string]any{"activityAlarmRepositories": "production,ghost", "testingRepositories": "team/api,team-api"}, Env{})
	if err == nil {
		t.Fatal("accepted an unknown watched repository and colliding names")
	}
	for _, want := range []string{`activityAlarmRepositories: got "ghost"`, `testingRepositories: got "team-api"`, `differ from those of "team/api"`, `"TeamApi"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	var many []string
	for i := 0; i < 26; i++ {
		many = append(many, fmt.Sprintf("r%d", i))
	}
	_, err = Parse(map[string]any{"testingRepositories": strings.Join(many, ","), "activityAlarmRepositories": strings.Join(many, ",")}, Env{})
	if err == nil || !strings.Contains(err.Error(), "at most 25 repositories") {
		t.Errorf("26 watched repositories: %v", err)
	}
}

// TestControlTowerKey: controlTower makes testing repositories IMMUTABLE (CT.ECR.PR.3) and is
// refused with lifecycleTrail, whose trail would fail eight controls.
func TestControlTowerKey(t *testing.T) {
	c, err := Parse(map[string]any{"controlTower": "true"}, Env{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.RepositorySettings() {
		if s.TagMutability != replication.Immutable {
			t.Errorf("%s (%s) is %s with controlTower; want IMMUTABLE", s.FullName, s.Profile, s.TagMutability)
		}
	}
	plain, _ := Parse(map[string]any{}, Env{})
	if got := plain.RepositorySettings()[1]; got.Profile != ProfileTesting || got.TagMutability != replication.Mutable {
		t.Errorf("without controlTower the testing repository is %s; want MUTABLE", got.TagMutability)
	}
	_, err = Parse(map[string]any{"controlTower": "true", "lifecycleTrail": "true"}, Env{})
	if err == nil || !strings.Contains(err.Error(), `lifecycleTrail: got "true"; expected false with controlTower=true`) {
		t.Errorf("controlTower with lifecycleTrail: %v", err)
	}
}
