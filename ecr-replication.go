// Command ecr-replication is the CDK app: it reads the CDK context, validates every key before
// any construct is built, and synthesizes a source stack and one replica stack per destination
// region. Bad input is reported all at once on stderr, with a non-zero exit and no template.
package main

import (
	"fmt"
	"io"
	"os"

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
	app.Synth(nil)
	return 0
}
