// Command ecr-replication is the CDK app: it reads the CDK context, validates every key before
// any construct is built, and synthesizes a source stack and one replica stack per destination
// region. Bad input is reported all at once on stderr, with a non-zero exit and no template.
package main

import (
	"path/filepath"
	"strings"

	"fmt"
	"io"
	"os"

	"github.com/acme-platform/ecr-replication/internal/limits"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/config"
)

func main() {
	// The context is read and validated before the CDK (jsii, a Node.js process) starts: bad
	// input is refused in milliseconds, and nothing is written.
	ctx, err := config.ContextFromEnv(os.Getenv)
	if err == nil {
		var cfg *config.Config
		if cfg, err = config.Parse(ctx, config.Env{DefaultAccount: os.Getenv("CDK_DEFAULT_ACCOUNT")}); err == nil {
			code := run(cfg, os.Stderr)
			jsii.Close()
			os.Exit(code)
		}
	}
	fmt.Fprintf(os.Stderr, "ecr-replication: invalid context, nothing was synthesized:\n%v\n", err)
	os.Exit(1)
}

// run builds and synthesizes the app for a validated configuration, returning the process
// exit code. A construct or synthesis error that still gets through (a registry singleton
// defined twice, say) is reported as a message rather than a Go panic trace.
func run(cfg *config.Config, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "ecr-replication: synthesis failed: %v\n", r)
			code = 1
		}
	}()
	app := awscdk.NewApp(nil)
	build(app, cfg)
	assembly := app.Synth(nil)
	if problems := checkLimits(*assembly.Directory()); len(problems) > 0 {
		fmt.Fprintf(stderr, "ecr-replication: the synthesized templates would fail to deploy:\n  - %s\n", strings.Join(problems, "\n  - "))
		return 1
	}
	return 0
}

// checkLimits measures every template of the cloud assembly in dir against CloudFormation's,
// IAM's and CloudWatch's limits (internal/limits) and returns what exceeds them.
func checkLimits(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.template.json"))
	var problems []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		u, err := limits.Measure(raw)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", filepath.Base(f), err))
			continue
		}
		problems = append(problems, u.Problems(strings.TrimSuffix(filepath.Base(f), ".template.json"))...)
	}
	return problems
}
