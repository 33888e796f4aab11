package config_test

import (
	"testing"

	"github.com/acme-platform/ecr-replication/config"
)

// BenchmarkParse measures validating a full context (every key set).
func BenchmarkParse(b *testing.B) {
	ctx := map[string]any{
		"sourceRegion": "us-east-1", "destinationRegion": "us-west-2", "secondaryRegion": "eu-west-1",
		"additionalRegions": "ap-southeast-2,ca-central-1", "repoPrefix": "enterprise-apps",
		"productionRepositories": "api,web,worker", "testingRepositories": "sandbox,qa",
		"productionImageCount": "10", "productionTagPrefixes": "prod,release", "untaggedExpiryDays": "1",
		"testingImageCount": "5", "testingTagPrefixes": "test,dev,staging", "testingMaxAgeDays": "7",
		"sourceAccount": "111111111111", "destinationAccount": "222222222222", "pullAccounts": "333333333333",
		"organizationId": "o-a1b2c3d4e5", "encryption": "KMS", "alertEmail": "ops@example.com",
		"destinationRegions": "typo",
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := config.Parse(ctx, config.Env{}); err == nil {
			b.Fatal("the typo must be refused")
		}
	}
}
