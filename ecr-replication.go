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
	"github.com/acme-platform/ecr-replication/stacks"
)

func main() {
	code := run(os.Stderr)
	jsii.Close()
	os.Exit(code)
}

// run builds and synthesizes the app, returning the process exit code. Input problems are
// caught by config.Parse before any construct exists; a construct or synthesis error that
// still gets through (a registry singleton defined twice, say) is reported the same way, as a
// message rather than a Go panic trace.
func run(stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "ecr-replication: synthesis failed: %v\n", r)
			code = 1
		}
	}()
	app := awscdk.NewApp(nil)
	cfg, err := config.Parse(contextOf(app), config.Env{DefaultAccount: os.Getenv("CDK_DEFAULT_ACCOUNT")})
	if err != nil {
		fmt.Fprintf(stderr, "ecr-replication: invalid context, nothing was synthesized:\n%v\n", err)
		return 1
	}
	stacks.Build(app, cfg)
	app.Synth(nil)
	return 0
}

// contextOf returns every context value of the app: cdk.json, cdk.context.json and -c flags.
func contextOf(app awscdk.App) map[string]any {
	all, _ := app.Node().GetAllContext(nil).(map[string]any)
	return all
}
