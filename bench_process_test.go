package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fleetContext is the 400 repositories x 8 destination regions context.
func fleetContext() map[string]any {
	var prod, test []string
	for i := 0; i < 200; i++ {
		prod = append(prod, fmt.Sprintf("svc%03d", i))
		test = append(test, fmt.Sprintf("tst%03d", i))
	}
	return map[string]any{
		"productionRepositories": strings.Join(prod, ","),
		"testingRepositories":    strings.Join(test, ","),
		"additionalRegions":      "ap-southeast-2,ca-central-1,sa-east-1,eu-north-1,ap-northeast-1,eu-central-1",
	}
}

// runSynth runs a built CDK app binary the way the CDK CLI does and returns its wall time and
// peak resident memory (the largest of the Go process and the Node.js process jsii starts).
func runSynth(b *testing.B, bin string, ctx map[string]any) (time.Duration, int64) {
	b.Helper()
	raw, _ := json.Marshal(ctx)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "CDK_CONTEXT_JSON="+string(raw), "CDK_OUTDIR="+b.TempDir(), "CDK_DEFAULT_ACCOUNT=", "CDK_DEFAULT_REGION=")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", filepath.Base(bin), err, out)
	}
	elapsed := time.Since(start)
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024
	}
	var children syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children) == nil && children.Maxrss*1024 > rss {
		rss = children.Maxrss * 1024
	}
	return elapsed, rss
}

// BenchmarkAppVsMinimal runs, in one run and alternately, a minimal one-resource CDK for Go app
// built from the same go.mod (bench/minimal), the app with the default context, and the app
// at 400 repositories x 8 destinations, each as `cdk synth` runs it (a fresh process), and
// reports the median times and their ratios: the targets are default within 1.3x the
// minimal app and 400 x 8 within 4x the default (never enforced: read them in the README).
func BenchmarkAppVsMinimal(b *testing.B) {
	dir := b.TempDir()
	app, minimal := filepath.Join(dir, "app"), filepath.Join(dir, "minimal")
	for bin, pkg := range map[string]string{app: ".", minimal: "./bench/minimal"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			b.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	const rounds = 3
	times := map[string][]time.Duration{}
	var peak int64
	for i := 0; i < b.N; i++ {
		for r := 0; r < rounds; r++ {
			for _, run := range []struct {
				name string
				bin  string
				ctx  map[string]any
			}{{"minimal", minimal, nil}, {"default", app, map[string]any{}}, {"400x8", app, fleetContext()}} {
				d, rss := runSynth(b, run.bin, run.ctx)
				times[run.name] = append(times[run.name], d)
				if run.name == "400x8" && rss > peak {
					peak = rss
				}
			}
		}
	}
	median := func(ds []time.Duration) float64 {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2].Seconds()
	}
	m, d, f := median(times["minimal"]), median(times["default"]), median(times["400x8"])
	b.ReportMetric(m, "minimal-s")
	b.ReportMetric(d, "default-s")
	b.ReportMetric(f, "400x8-s")
	b.ReportMetric(d/m, "default/minimal")
	b.ReportMetric(f/d, "400x8/default")
	b.ReportMetric(float64(peak)/1e6, "400x8-peak-MB")
}
