// Package session gives the commands that talk to AWS (cmd/verify, cmd/backfill) one way to
// read the app's configuration and to find the credentials of every account it involves: the
// same context as the app (cdk.json, cdk.context.json, -c key=value, validated by config), the
// source account's credentials (--profile) and those of each destination account other than the
// source (--destination-profile [ACCOUNT=]NAME), each identified with STS and refused when it is
// another account's. AWS_ENDPOINT_URL is honoured as the AWS SDK does. It imports no jsii
// package.
package session

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/replication"
)

// FlagsUsage documents the flags [Flags.Register] adds, for a command's usage text.
const FlagsUsage = `  --profile NAME             credentials of the source account (default: the default chain);
                             destinations in the source account use them too
  --destination-profile ACCOUNT=NAME
                             credentials of one destination account (repeatable: one per
                             account other than the source)
  --destination-profile NAME the same for destinationAccount, or for the one destination
                             account other than the source
  -c, --context key=value    context override, as with cdk (repeatable)
  --dir DIR                  project directory with cdk.json (default .)
`

// Flags are the configuration and credential flags every command that talks to AWS shares.
type Flags struct {
	// Profile names the source account's profile ("" for the default chain).
	Profile string
	// DestinationProfiles are the --destination-profile values, as given.
	DestinationProfiles []string
	// Context are the -c key=value overrides, in order.
	Context []string
	// Dir is the project directory that holds cdk.json.
	Dir string
}

// Register adds the flags to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Profile, "profile", "", "")
	fs.Func("destination-profile", "", func(s string) error { f.DestinationProfiles = append(f.DestinationProfiles, s); return nil })
	ctxFlag := func(s string) error { f.Context = append(f.Context, s); return nil }
	fs.Func("c", "", ctxFlag)
	fs.Func("context", "", ctxFlag)
	fs.StringVar(&f.Dir, "dir", ".", "")
}

// Problems returns what is malformed in the flags themselves, before any configuration is
// read: one message per bad --destination-profile value.
func (f *Flags) Problems() []string {
	var problems []string
	for _, v := range f.DestinationProfiles {
		if _, _, p := splitDestinationProfile(v); p != "" {
			problems = append(problems, p)
		}
	}
	return problems
}

// Account is one account's credentials.
type Account struct {
	// ID is the 12-digit account, as STS identified the credentials.
	ID string
	// Profile names the profile the credentials come from ("" for the default chain), for the
	// commands a message suggests.
	Profile string
	// AWS is the SDK configuration; its Region is only a default: give every client its own.
	AWS aws.Config
}

// Session is a validated configuration with the credentials of every account it involves.
type Session struct {
	// Config is the validated configuration; its SourceAccount is known (from the context or
	// from the source credentials, as cdk does).
	Config *config.Config
	// Context is the merged context the configuration was read from.
	Context map[string]any
	// Source are the source account's credentials; destinations in the source account use them.
	Source Account
	// Destinations are the credentials of each destination account other than the source, by
	// account ID.
	Destinations map[string]Account
}

// For returns the credentials that serve destination d: its account's, or the source's.
func (s *Session) For(d replication.Destination) Account {
	if a, ok := s.Destinations[d.Account]; ok {
		return a
	}
	return s.Source
}

// BootstrapQualifier is the CDK bootstrap qualifier of the context
// (@aws-cdk/core:bootstrapQualifier), or DefaultBootstrapQualifier.
func (s *Session) BootstrapQualifier() string {
	if q, ok := s.Context["@aws-cdk/core:bootstrapQualifier"].(string); ok && q != "" {
		return q
	}
	return DefaultBootstrapQualifier
}

// DefaultBootstrapQualifier is the qualifier of `cdk bootstrap` without --qualifier.
const DefaultBootstrapQualifier = "hnb659fds"

// LoadFunc loads the SDK configuration of a profile ("" for the default chain); region is only
// the default.
type LoadFunc func(ctx context.Context, profile, region string) (aws.Config, error)

// Env is what Open needs from the process.
type Env struct {
	// Getenv is os.Getenv (CDK_DEFAULT_ACCOUNT).
	Getenv func(string) string
	// Load loads a profile's configuration; nil means LoadAWSConfig.
	Load LoadFunc
	// SourceOnly is for a command that calls only the source registry (cmd/backfill): the
	// destination accounts' credentials are neither required nor loaded, and
	// Session.Destinations is empty. --destination-profile values are still checked against
	// the configuration, with the same messages, so that one set of flags serves every command.
	SourceOnly bool
}

// UsageError lists what the user must fix in the flags or the configuration (exit 2); a
// command prints each problem on a line of its own, and points at its usage text when
// InFlags.
type UsageError struct {
	Problems []string
	// InFlags is true when the problems are in the flag values themselves.
	InFlags bool
}

func (e *UsageError) Error() string { return strings.Join(e.Problems, "\n") }

func usage(format string, a ...any) error {
	return &UsageError{Problems: []string{fmt.Sprintf(format, a...)}}
}

// Open reads and validates the configuration, loads the source credentials and those of every
// destination account other than the source, and checks with STS that each set is its
// account's. Errors are a *UsageError (flags, configuration, credentials of the wrong account)
// or a *FatalError (no credentials, AWS not reachable), each worded for the user.
func Open(ctx context.Context, f Flags, env Env) (*Session, error) {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Load == nil {
		env.Load = LoadAWSConfig
	}
	if p := f.Problems(); len(p) > 0 {
		return nil, &UsageError{Problems: p, InFlags: true}
	}
	ctxMap, err := config.ReadContext(f.Dir, f.Context)
	if err != nil {
		return nil, usage("%v", err)
	}
	// repositoriesFile is relative to the project directory, as for cdk, and cannot leave it.
	project, err := os.OpenRoot(f.Dir)
	if err != nil {
		return nil, usage("%v", err)
	}
	defer project.Close()
	cfg, err := config.Parse(ctxMap, config.Env{DefaultAccount: env.Getenv("CDK_DEFAULT_ACCOUNT"), ProjectFiles: project.FS()})
	needAccount := false
	if err != nil {
		var ve *config.ValidationError
		if !errors.As(err, &ve) || !onlyAbout(ve, "sourceAccount") {
			return nil, usage("invalid context (the same checks as the app's):\n%v", err)
		}
		needAccount = true // cross-account without sourceAccount: the credentials tell it, as with cdk
	}
	region := sourceRegion(cfg, ctxMap)

	srcAWS, err := env.Load(ctx, f.Profile, region)
	if err != nil {
		return nil, usage("%v", err)
	}
	srcID, err := identify(ctx, srcAWS, region, describeProfile("source", f.Profile))
	if err != nil {
		return nil, err
	}
	if needAccount || (cfg != nil && cfg.SourceAccount == "") {
		cfg, err = config.Parse(ctxMap, config.Env{DefaultAccount: srcID, ProjectFiles: project.FS()})
		if err != nil {
			return nil, usage("invalid context (the same checks as the app's):\n%v", err)
		}
	}
	if cfg.SourceAccount != srcID {
		return nil, usage("the source credentials (%s) are for account %s, but sourceAccount is %s: use --profile with credentials of %s",
			describeProfile("source", f.Profile), srcID, cfg.SourceAccount, cfg.SourceAccount)
	}
	s := &Session{Config: cfg, Context: ctxMap, Source: Account{ID: srcID, Profile: f.Profile, AWS: srcAWS}}
	if env.SourceOnly {
		if _, problems := destinationProfiles(f.DestinationProfiles, cfg); len(problems) > 0 {
			return nil, &UsageError{Problems: problems, InFlags: true}
		}
		s.Destinations = map[string]Account{}
		return s, nil
	}
	s.Destinations, err = destinationAccounts(ctx, f, cfg, env.Load, region, s.Source)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// sourceRegion is the configuration's source region, or what the context says when it did not
// validate, or the default.
func sourceRegion(cfg *config.Config, ctxMap map[string]any) string {
	if cfg != nil {
		return cfg.SourceRegion
	}
	if r, ok := ctxMap["sourceRegion"].(string); ok && strings.TrimSpace(r) != "" {
		return strings.TrimSpace(r)
	}
	return config.Default().SourceRegion
}

// destinationAccounts loads and identifies the credentials of every destination account other
// than the source: each needs credentials of its own, and they must be that account's, since
// every check of a destination reads its own account.
func destinationAccounts(ctx context.Context, f Flags, cfg *config.Config, load LoadFunc, region string, source Account) (map[string]Account, error) {
	profiles, problems := destinationProfiles(f.DestinationProfiles, cfg)
	if len(problems) > 0 {
		return nil, &UsageError{Problems: problems, InFlags: true}
	}
	accounts, regions := OtherAccounts(cfg)
	loaded := map[string]aws.Config{f.Profile: source.AWS}
	out := map[string]Account{}
	for _, a := range accounts {
		where := fmt.Sprintf("%s %s", plural(len(regions[a]), "the destination", "the destinations"), strings.Join(regions[a], ", "))
		prof, ok := profiles[a]
		if !ok {
			return nil, usage("%s %s in account %s, and the source credentials (%s) are for account %s: pass --destination-profile %s=NAME with credentials of %s",
				where, plural(len(regions[a]), "is", "are"), a, describeProfile("source", f.Profile), source.ID, a, a)
		}
		awsCfg, ok := loaded[prof]
		if !ok {
			var err error
			if awsCfg, err = load(ctx, prof, region); err != nil {
				return nil, usage("%v", err)
			}
			loaded[prof] = awsCfg
		}
		what := fmt.Sprintf("destination account %s, profile %s", a, prof)
		id, err := identify(ctx, awsCfg, region, what)
		if err != nil {
			return nil, err
		}
		if id != a {
			return nil, usage("the destination credentials (%s) are for account %s, but %s %s in account %s: pass --destination-profile %s=NAME with credentials of %s",
				what, id, where, plural(len(regions[a]), "lives", "live"), a, a, a)
		}
		out[a] = Account{ID: a, Profile: prof, AWS: awsCfg}
	}
	return out, nil
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

// OtherAccounts returns the destination accounts other than the source, in the order of their
// first destination, and the regions of each.
func OtherAccounts(cfg *config.Config) (accounts []string, regions map[string][]string) {
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
	accounts, regions := OtherAccounts(cfg)
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

// identify returns the account of the credentials, or an error worded for the user (a
// *FatalError when AWS cannot be reached or the credentials are missing or refused).
func identify(ctx context.Context, cfg aws.Config, region, what string) (string, error) {
	out, err := sts.NewFromConfig(cfg, func(o *sts.Options) { o.Region = region }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if fe := Fatal(err, what); fe != nil {
			return "", fe
		}
		return "", usage("cannot tell whose credentials these are (%s): sts:GetCallerIdentity: %s", what, Short(err))
	}
	return aws.ToString(out.Account), nil
}

// LoadAWSConfig loads the SDK's default configuration (credential chain, shared config and
// credentials files, AWS_ENDPOINT_URL…) for profile ("" for the default). region is only the
// default; every client gets its own region.
func LoadAWSConfig(ctx context.Context, profile, region string) (aws.Config, error) {
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(region)}
	if profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(profile))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var missing awsconfig.SharedConfigProfileNotExistError
		if errors.As(err, &missing) {
			return aws.Config{}, fmt.Errorf("AWS profile %q not found in the shared config or credentials files (aws configure --profile %s)", profile, profile)
		}
		return aws.Config{}, fmt.Errorf("loading the AWS configuration: %v", err)
	}
	return cfg, nil
}
