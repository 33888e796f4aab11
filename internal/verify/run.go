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

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/acme-platform/ecr-replication/config"
)

// Exit statuses of [Run].
const (
	ExitHealthy  = 0 // every check passed (warnings and skips allowed)
	ExitProblems = 1 // at least one check found a problem
	ExitUsage    = 2 // bad usage, bad configuration, no credentials or AWS not reachable
)

// UsageText is printed for -h.
const UsageText = `usage: verify [--preflight | --wait DURATION | --canary REPOSITORY] [--json]
              [--profile NAME] [--destination-profile NAME] [-c key=value ...]

Checks an ecr-replication deployment against the app's configuration (cdk.json context,
cdk.context.json and -c overrides, validated like the app does).

  (no mode)                  after deploy: replication rule, replicas (tag mutability,
                             lifecycle, repository policy, encryption), creation templates,
                             registry policies across accounts, recent images everywhere
  --preflight                before the first deploy: what cdk deploy would run into
  --wait DURATION            poll until every recent image is replicated (e.g. 10m)
  --canary REPOSITORY        tag an existing image of a mutable repository, time its
                             arrival in every destination, then remove the tag
  --canary-timeout DURATION  how long the canary waits (default 15m)
  --images N                 recent images checked per repository (default 5)
  --poll-interval DURATION   polling period of --wait and --canary (default 10s)
  --profile NAME             credentials of the source account (default: the default chain)
  --destination-profile NAME credentials of the destination account (cross-account)
  -c, --context key=value    context override, as with cdk (repeatable)
  --dir DIR                  project directory with cdk.json (default .)
  --json                     print a JSON document instead of a table

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
	// LoadClients returns the clients of a profile ("" for the default chain); nil means the
	// SDK's default configuration (LoadDefaultConfig).
	LoadClients func(ctx context.Context, profile, region string) (Clients, error)
}

// options are the parsed flags.
type options struct {
	preflight          bool
	wait               time.Duration
	canary             string
	canaryTimeout      time.Duration
	images             int
	poll               time.Duration
	profile, destProf  string
	overrides          []string
	dir                string
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
	fs.StringVar(&opts.profile, "profile", "", "")
	fs.StringVar(&opts.destProf, "destination-profile", "", "")
	ctxFlag := func(s string) error { opts.overrides = append(opts.overrides, s); return nil }
	fs.Func("c", "", ctxFlag)
	fs.Func("context", "", ctxFlag)
	fs.StringVar(&opts.dir, "dir", ".", "")
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
	if env.LoadClients == nil {
		env.LoadClients = LoadSDKClients
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

	ctxMap, err := config.ReadContext(opts.dir, opts.overrides)
	if err != nil {
		return fail("%v", err)
	}
	// repositoriesFile is relative to the project directory, as for cdk, and cannot leave it.
	project, err := os.OpenRoot(opts.dir)
	if err != nil {
		return fail("%v", err)
	}
	defer project.Close()
	cfg, err := config.Parse(ctxMap, config.Env{DefaultAccount: env.Getenv("CDK_DEFAULT_ACCOUNT"), ProjectFiles: project.FS()})
	needAccount := false
	if err != nil {
		var ve *config.ValidationError
		if !errors.As(err, &ve) || !onlyAbout(ve, "sourceAccount") {
			return fail("invalid context (the same checks as the app's):\n%v", err)
		}
		needAccount = true // cross-account without sourceAccount: the credentials tell it, as with cdk
	}
	region := ""
	if cfg != nil {
		region = cfg.SourceRegion
	} else if r, ok := ctxMap["sourceRegion"].(string); ok {
		region = strings.TrimSpace(r)
	}
	if region == "" {
		region = config.Default().SourceRegion
	}

	source, err := env.LoadClients(ctx, opts.profile, region)
	if err != nil {
		return fail("%v", err)
	}
	srcID, err := identify(ctx, source, region, describeProfile("source", opts.profile))
	if err != nil {
		return fail("%v", err)
	}
	if needAccount || (cfg != nil && cfg.SourceAccount == "") {
		cfg, err = config.Parse(ctxMap, config.Env{DefaultAccount: srcID, ProjectFiles: project.FS()})
		if err != nil {
			return fail("invalid context (the same checks as the app's):\n%v", err)
		}
	}
	if cfg.SourceAccount != srcID {
		return fail("the source credentials (%s) are for account %s, but sourceAccount is %s: use --profile with credentials of %s",
			describeProfile("source", opts.profile), srcID, cfg.SourceAccount, cfg.SourceAccount)
	}
	// verify reads one destination account (destinationAccount); destinations that name an
	// account of their own (region@account) in another one are not verified yet: refuse rather
	// than check the wrong registry.
	for _, d := range cfg.Destinations() {
		if d.Account != "" && d.Account != cfg.DestinationAccountOrSource() {
			return fail("destination %s is in account %s, and verify checks one destination account (%s): run it with -c destinationAccount=%s and only the destinations of that account",
				d.Region, d.Account, cfg.DestinationAccountOrSource(), d.Account)
		}
	}
	destination := source
	if opts.destProf != "" {
		if destination, err = env.LoadClients(ctx, opts.destProf, region); err != nil {
			return fail("%v", err)
		}
	}
	if cfg.CrossAccount() || opts.destProf != "" {
		dstID, err := identify(ctx, destination, region, describeProfile("destination", opts.destProf))
		if err != nil {
			return fail("%v", err)
		}
		if want := cfg.DestinationAccountOrSource(); dstID != want {
			return fail("the destination credentials (%s) are for account %s, but the replicas live in account %s: pass --destination-profile with credentials of %s",
				describeProfile("destination", opts.destProf), dstID, want, want)
		}
	}

	qualifier := DefaultBootstrapQualifier
	if q, ok := ctxMap["@aws-cdk/core:bootstrapQualifier"].(string); ok && q != "" {
		qualifier = q
	}
	v := &Verifier{
		Config: cfg, Source: source, Destination: destination,
		SourceProfile: opts.profile, DestinationProfile: opts.destProf,
		Images: opts.images, BootstrapQualifier: qualifier, Now: env.Now, Sleep: env.Sleep,
	}
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

func onlyAbout(ve *config.ValidationError, key string) bool {
	for _, p := range ve.Problems {
		if p.Key != key {
			return false
		}
	}
	return len(ve.Problems) > 0
}

func describeProfile(side, profile string) string {
	if profile == "" {
		return side + " account, default credential chain"
	}
	return fmt.Sprintf("%s account, profile %s", side, profile)
}

// identify returns the account of the credentials, or a *FatalError-worded error.
func identify(ctx context.Context, c Clients, region, what string) (string, error) {
	out, err := c.STS(region).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if fe := fatal(err, what); fe != nil {
			return "", fe
		}
		return "", fmt.Errorf("cannot tell whose credentials these are (%s): sts:GetCallerIdentity: %s", what, short(err))
	}
	return aws.ToString(out.Account), nil
}

// LoadSDKClients loads the SDK's default configuration (credential chain, shared config and
// credentials files, AWS_ENDPOINT_URL…) for profile ("" for the default) and returns its
// clients. region is only the default; every client gets its own region.
func LoadSDKClients(ctx context.Context, profile, region string) (Clients, error) {
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(region)}
	if profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(profile))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var missing awsconfig.SharedConfigProfileNotExistError
		if errors.As(err, &missing) {
			return nil, fmt.Errorf("AWS profile %q not found in the shared config or credentials files (aws configure --profile %s)", profile, profile)
		}
		return nil, fmt.Errorf("loading the AWS configuration: %v", err)
	}
	return NewSDKClients(cfg), nil
}

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
