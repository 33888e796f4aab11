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

	"github.com/acme-platform/ecr-replication/awsid"
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
  --profile NAME             credentials of the source account (default: the default chain);
                             destinations in the source account use them too
  --destination-profile ACCOUNT=NAME
                             credentials of one destination account (repeatable: one per
                             account other than the source)
  --destination-profile NAME the same for destinationAccount, or for the one destination
                             account other than the source
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
	profile            string
	destProfs          []string // --destination-profile values, as given
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
	fs.Func("destination-profile", "", func(s string) error { opts.destProfs = append(opts.destProfs, s); return nil })
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
	for _, v := range opts.destProfs {
		if _, _, err := splitDestinationProfile(v); err != "" {
			problems = append(problems, err)
		}
	}
	return opts, problems, false
}

// expDestProfile is what --destination-profile takes.
const expDestProfile = "expected NAME (the profile of the one destination account other than the source) or ACCOUNT=NAME with a 12-digit destination account, such as 333333333333=replica-admin"

// splitDestinationProfile reads one --destination-profile value: ACCOUNT=NAME, or a bare NAME
// (account ""). problem is "" when the value is well formed.
func splitDestinationProfile(v string) (account, name, problem string) {
	account, name, hasEq := strings.Cut(v, "=")
	if !hasEq {
		account, name = "", v
	}
	switch {
	case strings.TrimSpace(v) == "":
		return "", "", fmt.Sprintf("--destination-profile %q: empty; %s", v, expDestProfile)
	case hasEq && !awsid.IsAccount(account):
		return "", "", fmt.Sprintf("--destination-profile %q: %q is not a 12-digit AWS account ID; %s", v, account, expDestProfile)
	case strings.TrimSpace(name) == "" || strings.TrimSpace(name) != name || strings.ContainsAny(name, "="):
		return "", "", fmt.Sprintf("--destination-profile %q: %q is not a profile name; %s", v, name, expDestProfile)
	}
	return account, name, ""
}

// otherAccounts returns the destination accounts other than the source, in the order of their
// first destination, and the regions of each.
func otherAccounts(cfg *config.Config) (accounts []string, regions map[string][]string) {
	regions = map[string][]string{}
	for _, d := range cfg.Destinations() {
		if d.Account == "" || d.Account == cfg.SourceAccount {
			continue
		}
		if _, ok := regions[d.Account]; !ok {
			accounts = append(accounts, d.Account)
		}
		regions[d.Account] = append(regions[d.Account], d.Region)
	}
	return accounts, regions
}

// describeAccounts renders "222222222222 (us-west-2, eu-west-1), 333333333333 (ap-southeast-2)".
func describeAccounts(accounts []string, regions map[string][]string) string {
	var parts []string
	for _, a := range accounts {
		parts = append(parts, fmt.Sprintf("%s (%s)", a, strings.Join(regions[a], ", ")))
	}
	return strings.Join(parts, ", ")
}

// destinationProfiles maps each --destination-profile value onto a destination account other
// than the source: ACCOUNT=NAME names it, a bare NAME is destinationAccount's, or that of the one
// other account. Every refusal names the flag, the value and what is expected.
func destinationProfiles(values []string, cfg *config.Config) (map[string]string, []string) {
	accounts, regions := otherAccounts(cfg)
	profiles := map[string]string{}
	given := map[string]string{} // account → the value that named it
	var problems []string
	expected := func() string {
		if len(accounts) == 0 {
			return fmt.Sprintf("every destination is in the source account %s, whose credentials are --profile's: drop --destination-profile", cfg.SourceAccount)
		}
		return "expected a destination account other than the source: " + describeAccounts(accounts, regions)
	}
	for _, v := range values {
		account, name, problem := splitDestinationProfile(v)
		if problem != "" {
			problems = append(problems, problem)
			continue
		}
		if account == "" {
			switch {
			case cfg.DestinationAccount != "" && regions[cfg.DestinationAccount] != nil:
				account = cfg.DestinationAccount
			case len(accounts) == 1:
				account = accounts[0]
			case len(accounts) == 0:
				problems = append(problems, fmt.Sprintf("--destination-profile %s: %s", v, expected()))
				continue
			default:
				problems = append(problems, fmt.Sprintf(
					"--destination-profile %s: ambiguous, the destinations are in %d accounts other than the source (%s) and destinationAccount names none of them: give one --destination-profile ACCOUNT=NAME per account",
					v, len(accounts), describeAccounts(accounts, regions)))
				continue
			}
		}
		switch {
		case account == cfg.SourceAccount:
			problems = append(problems, fmt.Sprintf("--destination-profile %s: %s is the source account, whose destinations use the source credentials (--profile); %s",
				v, account, expected()))
			continue
		case regions[account] == nil:
			problems = append(problems, fmt.Sprintf("--destination-profile %s: %s is not a destination account of the configuration; %s", v, account, expected()))
			continue
		}
		if first, dup := given[account]; dup {
			problems = append(problems, fmt.Sprintf("--destination-profile %s: account %s already has a profile (--destination-profile %s); give each destination account once",
				v, account, first))
			continue
		}
		given[account], profiles[account] = v, name
	}
	return profiles, problems
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
	// Every destination account other than the source needs credentials of its own, and they
	// must be that account's: every check of a destination reads its own account.
	profiles, problems := destinationProfiles(opts.destProfs, cfg)
	if len(problems) > 0 {
		for _, p := range problems {
			fail("%s", p)
		}
		return fail("run 'verify -h' for usage")
	}
	accounts, regions := otherAccounts(cfg)
	loaded := map[string]Clients{opts.profile: source}
	destinations := map[string]AccountClients{}
	for _, a := range accounts {
		where := fmt.Sprintf("%s %s", plural(len(regions[a]), "the destination", "the destinations"), strings.Join(regions[a], ", "))
		prof, ok := profiles[a]
		if !ok {
			return fail("%s %s in account %s, and the source credentials (%s) are for account %s: pass --destination-profile %s=NAME with credentials of %s",
				where, plural(len(regions[a]), "is", "are"), a, describeProfile("source", opts.profile), srcID, a, a)
		}
		clients, ok := loaded[prof]
		if !ok {
			if clients, err = env.LoadClients(ctx, prof, region); err != nil {
				return fail("%v", err)
			}
			loaded[prof] = clients
		}
		what := fmt.Sprintf("destination account %s, profile %s", a, prof)
		id, err := identify(ctx, clients, region, what)
		if err != nil {
			return fail("%v", err)
		}
		if id != a {
			return fail("the destination credentials (%s) are for account %s, but %s %s in account %s: pass --destination-profile %s=NAME with credentials of %s",
				what, id, where, plural(len(regions[a]), "lives", "live"), a, a, a)
		}
		destinations[a] = AccountClients{Clients: clients, Profile: prof}
	}

	qualifier := DefaultBootstrapQualifier
	if q, ok := ctxMap["@aws-cdk/core:bootstrapQualifier"].(string); ok && q != "" {
		qualifier = q
	}
	v := &Verifier{
		Config: cfg, Source: source, SourceProfile: opts.profile, Destinations: destinations,
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

// plural picks the singular or plural form for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
