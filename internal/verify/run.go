package verify

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

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
              [--profile NAME] [--destination-profile [ACCOUNT=]NAME ...] [-c key=value ...]

Checks an ecr-replication deployment against the app's configuration (cdk.json context,
cdk.context.json and -c overrides, validated like the app does).

  (no mode)                  after deploy: replication rule, replicas (tag mutability,
                             lifecycle, repository policy, encryption), creation templates,
                             registry policies across accounts, recent images everywhere,
                             each in the account of its destination
  --preflight                before the first deploy: what cdk deploy would run into
  --wait DURATION            poll until every recent image is replicated (e.g. 10m)
  --canary REPOSITORY        tag an existing image of a mutable repository, time its
                             arrival in every destination, then remove the tag
  --canary-timeout DURATION  how long the canary waits (default 15m)
  --images N                 recent images checked per repository (default 5)
  --poll-interval DURATION   polling period of --wait and --canary (default 10s)
  --json                     print a JSON document instead of a table
` + session.FlagsUsage + `
AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) are honoured as the AWS SDK does.
Exit status: 0 healthy, 1 problems found, 2 bad usage, bad configuration or AWS not reachable.
`

// Env is what Run needs from the process; tests replace every part.
type Env struct {
	// Stdout receives the report; Stderr progress and errors.
	Stdout, Stderr io.Writer
	// Getenv is os.Getenv.
	Getenv func(string) string
	// Now and Sleep are the clock (time.Now and a context-aware sleep when nil).
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
	// StderrIsTerminal says whether progress may redraw one line.
	StderrIsTerminal bool
	// LoadAWS loads the SDK configuration of a profile ("" for the default chain); nil means
	// the SDK's default configuration (session.LoadAWSConfig).
	LoadAWS session.LoadFunc
}

// options are the parsed flags.
type options struct {
	preflight          bool
	wait               time.Duration
	canary             string
	canaryTimeout      time.Duration
	images             int
	poll               time.Duration
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
	modes := 0
	for _, on := range []bool{opts.preflight, opts.waitGiven, opts.canary != ""} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		problems = append(problems, "--preflight, --wait and --canary are separate modes: give one")
	}
	if opts.waitGiven && opts.wait <= 0 {
		problems = append(problems, "--wait needs a positive duration such as 10m")
	}
	if opts.canaryT && opts.canary == "" {
		problems = append(problems, "--canary-timeout only applies with --canary")
	}
	if opts.canaryTimeout <= 0 {
		problems = append(problems, "--canary-timeout needs a positive duration such as 15m")
	}
	if opts.images < 1 {
		problems = append(problems, "--images needs a positive count")
	}
	if opts.poll <= 0 {
		problems = append(problems, "--poll-interval needs a positive duration such as 10s")
	}
	problems = append(problems, opts.session.Problems()...)
	return opts, problems, false
}

// Run is the whole command: it parses args, reads and validates the configuration, checks
// the credentials, runs the mode's checks, writes the report to Stdout and returns the exit
// status. Errors go to Stderr as "verify: " lines, never as a stack trace.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Sleep == nil {
		env.Sleep = sleep
	}
	fail := func(format string, a ...any) int {
		for _, line := range strings.Split(strings.TrimRight(fmt.Sprintf(format, a...), "\n"), "\n") {
			fmt.Fprintf(env.Stderr, "verify: %s\n", line)
		}
		return ExitUsage
	}
	opts, problems, help := parseArgs(args)
	if help {
		fmt.Fprint(env.Stdout, UsageText)
		return ExitHealthy
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fail("%s", p)
		}
		return fail("run 'verify -h' for usage")
	}

	sess, err := session.Open(ctx, opts.session, session.Env{Getenv: env.Getenv, Load: env.LoadAWS})
	if err != nil {
		var ue *session.UsageError
		if errors.As(err, &ue) && ue.InFlags {
			for _, p := range ue.Problems {
				fail("%s", p)
			}
			return fail("run 'verify -h' for usage")
		}
		return fail("%v", err)
	}
	v := NewVerifier(sess, opts.images, env.Now, env.Sleep)
	report := &Report{}
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
		return fail("%v", err)
	}
	report.Subject = v.Subject(map[string]string{"preflight": "preflight", "wait": "wait", "canary": "canary", "deployed": "after deploy"}[report.Mode])
	if opts.json {
		err = report.WriteJSON(env.Stdout)
	} else {
		err = report.WriteTable(env.Stdout)
	}
	if err != nil {
		return fail("writing the report: %v", err)
	}
	if !report.Healthy() {
		return ExitProblems
	}
	return ExitHealthy
}

// UsageError is a refusal that is the caller's to fix (exit 2), such as --canary on an
// immutable repository.
type UsageError struct{ Message string }

func (e *UsageError) Error() string { return e.Message }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
