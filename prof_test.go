package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/acme-platform/ecr-replication/config"
)

func TestProfileSynth(t *testing.T) {
	var p, q []string
	for i := 0; i < 200; i++ {
		p = append(p, fmt.Sprintf("svc%03d", i))
		q = append(q, fmt.Sprintf("tst%03d", i))
	}
	ctx := map[string]any{"productionRepositories": strings.Join(p, ","), "testingRepositories": strings.Join(q, ","), "additionalRegions": "ap-southeast-2,ca-central-1,sa-east-1,eu-north-1,ap-northeast-1,eu-central-1"}
	cfg, _ := config.Parse(ctx, config.Env{})
	t0 := time.Now()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: stringPtr(t.TempDir())})
	t1 := time.Now()
	d := deploymentProps(cfg)
	_ = d
	build(app, cfg)
	t2 := time.Now()
	app.Synth(nil)
	t3 := time.Now()
	t.Logf("app %v build %v synth %v", t1.Sub(t0), t2.Sub(t1), t3.Sub(t2))
}

func stringPtr(s string) *string { return &s }
