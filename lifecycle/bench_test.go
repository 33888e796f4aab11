package lifecycle_test

import (
	"math/rand"
	"testing"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

// BenchmarkEvaluate evaluates the production profile over 10,000 images.
func BenchmarkEvaluate(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	var images []lifecycle.Image
	for len(images) < 10000 {
		images = append(images, genImages(rng, []string{"prod", "release", "other"})...)
	}
	images = images[:10000]
	policy := lifecycle.ProductionProfile{}.Policy()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if v := policy.Evaluate(images, now); len(v) != len(images) {
			b.Fatalf("got %d verdicts", len(v))
		}
	}
}
