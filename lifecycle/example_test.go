package lifecycle_test

import (
	"fmt"
	"time"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

func ExampleProductionProfile() {
	policy := lifecycle.ProductionProfile{TagPrefixes: []string{"prod"}, ImageCount: 3, UntaggedExpiryDays: 2}.Policy()
	text, err := policy.JSON()
	if err != nil {
		panic(err)
	}
	fmt.Println(text)
	// Output:
	// {"rules":[{"rulePriority":1,"description":"keep the newest 3 images tagged prod*","selection":{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}},{"rulePriority":2,"description":"expire untagged images older than 2 days","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":2},"action":{"type":"expire"}}]}
}

func ExamplePolicy_Evaluate() {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	policy := lifecycle.ProductionProfile{ImageCount: 1}.Policy()
	images := []lifecycle.Image{
		{Digest: "sha256:a1", Tags: []string{"prod-1.1"}, PushedAt: now.Add(-24 * time.Hour)},
		{Digest: "sha256:a0", Tags: []string{"prod-1.0"}, PushedAt: now.Add(-48 * time.Hour)},
		{Digest: "sha256:b7", Tags: []string{"feature-x"}, PushedAt: now.Add(-900 * time.Hour)},
		{Digest: "sha256:c3", PushedAt: now.Add(-30 * time.Hour)},
	}
	for _, v := range policy.Evaluate(images, now) {
		fmt.Printf("%v: %s\n", v.Image.Tags, v.Reason)
	}
	// Output:
	// [prod-1.1]: kept: claimed by rule 1 ("keep the newest image tagged prod*"): the newest of 2 images tagged prod*, within the newest 1
	// [prod-1.0]: expired by rule 1 ("keep the newest image tagged prod*"): 2nd newest of 2 images tagged prod*, beyond the newest 1
	// [feature-x]: kept: no rule selects tagged images without a prod* or release* tag
	// []: expired by rule 3 ("expire untagged images older than 1 day"): pushed 30 hours ago, more than 1 day ago
}

func ExampleParse() {
	// The recipe's rule: the two prefixes are ANDed, so it only selects images
	// tagged both prod* and release*. ECR accepts it; Evaluate shows the effect.
	recipe := `{"rules":[{"rulePriority":1,"description":"Keep last N images","selection":{"tagStatus":"tagged","tagPrefixList":["prod","release"],"countType":"imageCountMoreThan","countNumber":20},"action":{"type":"expire"}}]}`
	policy, err := lifecycle.Parse([]byte(recipe))
	if err != nil {
		panic(err)
	}
	v := policy.Evaluate([]lifecycle.Image{{Digest: "sha256:1", Tags: []string{"prod-1.0"}}}, time.Now())
	fmt.Println(v[0].Reason)
	// Output:
	// kept: no rule selects tagged images without tags matching all of prod*, release*
}
