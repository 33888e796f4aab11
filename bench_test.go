package main

import (
	"runtime"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/config"
)

// BenchmarkSynth measures a whole synthesis of a variant (app, every stack, cloud assembly
// written), which dominates `cdk synth` after the Go build. Run with `make bench`.
func BenchmarkSynth(b *testing.B) {
	for _, variant := range []string{"default", "many-repositories"} {
		b.Run(variant, func(b *testing.B) {
			ctx := map[string]any{}
			for k, v := range variants[variant] {
				ctx[k] = v
			}
			cfg, err := config.Parse(ctx, config.Env{})
			if err != nil {
				b.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for i := 0; i < b.N; i++ {
				app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(b.TempDir())})
				build(app, cfg)
				app.Synth(nil)
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/1e6, "GoMB/op")
		})
	}
}
