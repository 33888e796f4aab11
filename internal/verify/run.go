package verify

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/acme-platform/ecr-replication/internal/cli"
	"github.com/acme-platform/ecr-replication/internal/session"
)

// Exit statuses of [Run].
const (
	ExitHealthy  = 0 // every check passed (warnings and skips allowed)
	ExitProblems = 1 // at least one check found a problem
	ExitUsage    = 2 // bad usage, bad configuration, no credentials or AWS not reachable
)

// UsageText is printed for -h.
const UsageText = `usage: verify [--preflight | --wait DURATION | --canary REPOSITORY] [--json]
              [--namespace PREFIX ...] [--profile NAME] [--destination-profile [ACCOUNT=]NAME ...]
              [-c key=value ...]

Checks an ecr-replication deployment against the app's configuration (cdk.json context,
cdk.context.json and -c overrides, validated like the app does).

  (no mode)                  after deploy: replication rule, replicas (tag mutability,
                             lifecycle, repository policy, encryption), creation templates,
                             registry policies across accounts, recent images everywhere,
                             each in the account of its destination
  --preflight                before a deploy: what cdk deploy would run into, the
                             repositories an update would replace, and the images a new
                             destination will not get without a backfill
  --wait DURATION            poll until every recent image is replicated (e.g. 10m)
  --canary REPOSITORY        tag an existing image of a mutable repository (of any
                             namespace), time its arrival in every destination of its
                             namespace, then remove the tag
  --canary-timeout DURATION  how long the canary waits (default 15m)
  --images N                 recent images checked per repository (default 5)
  --poll-interval DURATION   polling period of --wait and --canary (default 10s)
  --concurrency N            requests in flight at most, across every region (1 to 64,
                             default 16; 1 sends them one at a time); each API is also paced
                             per account and region
  --namespace PREFIX         check only that namespace (repeatable); default: every one
  --json                     print a JSON document instead of a table
` + session.FlagsUsage + `
AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) are honoured as the AWS SDK does; throttled
requests are retried in the SDK's adaptive retry mode unless AWS_RETRY_MODE names another.
Exit status: 0 healthy, 1 problems found, 2 bad usage, bad configuration or AWS not reachable.
`

// Env is what Run needs from the process (the commands' shared [cli.Env]); tests replace
// every part.
type Env = cli.Env

// options are the parsed flags.
type options struct {
	preflight          bool
	wait               time.Duration
	canary             string
	canaryTimeout      time.Duration
	images             int
	poll               time.Duration
	concurrency        int
	namespaces         []string
	session            session.Flags
	json               bool
	waitGiven, canaryT bool
}

func parseArgs(args []string) (opts options, problems []string, help bool) {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&opts.preflight, "preflight", false, "")
	fs.DurationVar(&opts.wait, "wait", 0, "")
	fs.StringVar(&opts.canary, "canary", "", "")
	fs.DurationVar(&opts.canaryTimeout, "canary-timeout", 15*time.Minute, "")
	fs.IntVar(&opts.images, "images", 5, "")
	fs.DurationVar(&opts.poll, "poll-interval", 10*time.Second, "")
	fs.IntVar(&opts.concurrency, "concurrency", DefaultConcurrency, "")
	fs.Func("namespace", "", func(s string) error { opts.namespaces = append(opts.namespaces, s); return nil })
	opts.session.Register(fs)
	fs.BoolVar(&opts.json, "json", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opts, nil, true
		}
		return opts, []string{err.Error()}, false
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "wait":
			opts.waitGiven = true
		case "canary-timeout":
			opts.canaryT = true
		}
	})
	if fs.NArg() > 0 {
		problems = append(problems, fmt.Sprintf("unexpected argument %q: every input is given with a flag", fs.Arg(0)))
	}
	return opts, append(problems, opts.problems()...), false
}

// problems lists what is wrong in the flag values, all at once.
func (o options) problems() []string {
	var problems []string
	modes := 0
	for _, on := range []bool{o.preflight, o.waitGiven, o.canary != ""} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		problems = append(problems, "--preflight, --wait and --canary are separate modes: give one")
	}
	if o.waitGiven && o.wait <= 0 {
		problems = append(problems, "--wait needs a positive duration such as 10m")
	}
	if o.canaryT && o.canary == "" {
		problems = append(problems, "--canary-timeout only applies with --canary")
	}
	if o.canaryTimeout <= 0 {
		problems = append(problems, "--canary-timeout needs a positive duration such as 15m")
	}
	if o.images < 1 {
		problems = append(problems, "--images needs a positive count")
	}
	if o.poll <= 0 {
		problems = append(problems, "--poll-interval needs a positive duration such as 10s")
	}
	for _, n := range o.namespaces {
		if n == "" {
			problems = append(problems, `--namespace "": expected the prefix of a namespace of the configuration, such as payments`)
		}
	}
	if o.concurrency < 1 || o.concurrency > MaxConcurrency {
		problems = append(problems, fmt.Sprintf("--concurrency %d: expected a whole number of requests in flight from 1 to %d (default %d)", o.concurrency, MaxConcurrency, DefaultConcurrency))
	}
	return append(problems, o.session.Problems()...)
}

// Run is the whole command: it parses args, reads and validates the configuration, checks
// the credentials, runs the mode's checks, writes the report to Stdout and returns the exit
// status. Errors go to Stderr as "verify: " lines, never as a stack trace.
func Run(ctx context.Context, args []string, env Env) int {
	env = env.WithDefaults()
	opts, problems, help := parseArgs(args)
	if help {
		fmt.Fprint(env.Stdout, UsageText)
		return ExitHealthy
	}
	if len(problems) > 0 {
		return usageFailure(env.Stderr, problems)
	}
	sess, err := session.Open(ctx, opts.session, session.Env{Getenv: env.Getenv, Load: env.LoadAWS})
	if err != nil {
		var ue *session.UsageError
		if errors.As(err, &ue) && ue.InFlags {
			return usageFailure(env.Stderr, ue.Problems)
		}
		return failure(env.Stderr, err.Error())
	}
	var unknown []string
	for _, p := range UnknownNamespaces(sess.Config, opts.namespaces) {
		unknown = append(unknown, namespaceProblem(sess.Config, p))
	}
	if len(unknown) > 0 {
		return usageFailure(env.Stderr, unknown)
	}
	v := NewVerifier(sess, opts.images, NewLimits(opts.concurrency), env.Now, env.Sleep)
	v.Only = opts.namespaces
	report, err := runMode(ctx, v, opts, env)
	if err != nil {
		return failure(env.Stderr, err.Error())
	}
	return writeReport(env, report, opts.json)
}

// runMode runs the checks of the mode the flags chose.
func runMode(ctx context.Context, v *Verifier, opts options, env Env) (*Report, error) {
	report := &Report{}
	var err error
	switch {
	case opts.preflight:
		report.Mode = "preflight"
		report.Checks, err = v.Preflight(ctx)
	case opts.waitGiven:
		report.Mode = "wait"
		report.Checks, err = v.Wait(ctx, opts.wait, opts.poll, NewProgress(env.Stderr, env.StderrIsTerminal))
	case opts.canary != "":
		report.Mode = "canary"
		report.Checks, err = v.Canary(ctx, opts.canary, opts.canaryTimeout, opts.poll, NewProgress(env.Stderr, env.StderrIsTerminal))
	default:
		report.Mode = "deployed"
		report.Checks, err = v.Deployed(ctx)
	}
	if err != nil {
		return nil, err
	}
	report.Checks = v.labelNamespaces(report.Checks)
	report.Subject = v.Subject(map[string]string{"preflight": "preflight", "wait": "wait", "canary": "canary", "deployed": "after deploy"}[report.Mode])
	return report, nil
}

// writeReport prints the report and returns the exit status it calls for.
func writeReport(env Env, report *Report, asJSON bool) int {
	var err error
	if asJSON {
		err = report.WriteJSON(env.Stdout)
	} else {
		err = report.WriteTable(env.Stdout)
	}
	if err != nil {
		return failure(env.Stderr, "writing the report: "+err.Error())
	}
	if !report.Healthy() {
		return ExitProblems
	}
	return ExitHealthy
}

// failure prints each line of message as a "verify: " line and returns ExitUsage.
func failure(stderr io.Writer, message string) int {
	cli.Print(stderr, "verify", message)
	return ExitUsage
}

// usageFailure prints every problem of the flags, then where the usage is.
func usageFailure(stderr io.Writer, problems []string) int {
	for _, p := range problems {
		failure(stderr, p)
	}
	return failure(stderr, "run 'verify -h' for usage")
}

// UsageError is a refusal that is the caller's to fix (exit 2), such as --canary on an
// immutable repository.
type UsageError struct{ Message string }

func (e *UsageError) Error() string { return e.Message }
