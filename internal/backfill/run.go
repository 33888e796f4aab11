package backfill

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/internal/cli"
	"github.com/acme-platform/ecr-replication/internal/progress"
	"github.com/acme-platform/ecr-replication/internal/session"
	"github.com/acme-platform/ecr-replication/replication"
)

// Exit statuses of [Run].
const (
	ExitOK          = 0   // every backfill completed, or every destination has one running (without --wait)
	ExitProblems    = 1   // FAILED, STOPPED, the deadline, a destination left queued, a stop refused
	ExitUsage       = 2   // bad usage, bad configuration, not deployed, credentials, AWS not reachable
	ExitInterrupted = 130 // Ctrl-C: detached, the backfills go on (128 + SIGINT, as shells report it)
)

// UsageText is printed for -h.
const UsageText = `usage: backfill [--destination REGION[@ACCOUNT] ...] [--wait DURATION [--poll-interval DURATION]]
       backfill --status [--destination REGION[@ACCOUNT] ...]
       backfill --stop ID ... | --stop-all [--destination REGION[@ACCOUNT] ...]
       backfill --results ID
       [--json] [--profile NAME] [-c key=value ...] [--dir DIR]

Replicates the images that existed before replication was deployed (ECR replication backfill),
to every destination of the app's configuration (cdk.json context, cdk.context.json and -c
overrides, validated like the app does). Every call goes to the source registry, in the source
region, with the source account's credentials.

  (no mode)                  start one backfill per destination; where one is already running
                             to a destination, attach to it; queue what ECR's limits do not
                             allow now (one in progress per destination region, ten per registry)
  --destination REGION[@ACCOUNT]
                             only this destination of the configuration (repeatable)
  --wait DURATION            then poll until every backfill is COMPLETE, FAILED or STOPPED,
                             starting queued ones as slots free (e.g. 2h); Ctrl-C detaches
  --poll-interval DURATION   polling period of --wait (default 30s, at least 1s)
  --status                   list the registry's backfills with their progress
  --stop ID                  stop a PREPARING or IN_PROGRESS backfill (repeatable)
  --stop-all                 stop every running backfill to the configuration's destinations
  --results ID               the failed replications of one backfill (once it is terminal)
  --json                     print a JSON document instead of a table
` + session.FlagsUsage + `
backfill calls only the source registry: --destination-profile is accepted and checked against
the configuration, as for verify, but never needed.
AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_ECR) are honoured as the AWS SDK does.
Exit status: 0 every backfill completed (with --wait) or every destination has one running
(without), the stop or the listing done; 1 FAILED, STOPPED, the deadline, a destination left
queued or a stop refused; 2 bad usage, bad configuration, not deployed, credentials or AWS not
reachable; 130 interrupted (the backfills go on).
`

// Env is what Run needs from the process; tests replace every part.
type Env = cli.Env

// options are the parsed flags.
type options struct {
	destinations []destFlag
	wait         time.Duration
	poll         time.Duration
	status       bool
	stop         []string
	stopAll      bool
	results      string
	json         bool
	session      session.Flags
	waitGiven    bool
	pollGiven    bool
}

// mode is the mode the flags select.
func (o *options) mode() string {
	switch {
	case o.status:
		return ModeStatus
	case len(o.stop) > 0 || o.stopAll:
		return ModeStop
	case o.results != "":
		return ModeResults
	case o.waitGiven:
		return ModeWait
	}
	return ModeStart
}

func parseArgs(args []string) (opts options, problems []string, help bool) {
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Func("destination", "", func(v string) error {
		d, p := parseDestination(v)
		if p != "" {
			problems = append(problems, p)
		}
		opts.destinations = append(opts.destinations, d)
		return nil
	})
	fs.DurationVar(&opts.wait, "wait", 0, "")
	fs.DurationVar(&opts.poll, "poll-interval", 30*time.Second, "")
	fs.BoolVar(&opts.status, "status", false, "")
	fs.Func("stop", "", func(v string) error { opts.stop = append(opts.stop, v); return nil })
	fs.BoolVar(&opts.stopAll, "stop-all", false, "")
	fs.StringVar(&opts.results, "results", "", "")
	fs.BoolVar(&opts.json, "json", false, "")
	opts.session.Register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opts, nil, true
		}
		return opts, append(problems, err.Error()), false
	}
	fs.Visit(func(f *flag.Flag) {
		opts.waitGiven = opts.waitGiven || f.Name == "wait"
		opts.pollGiven = opts.pollGiven || f.Name == "poll-interval"
	})
	if fs.NArg() > 0 {
		problems = append(problems, fmt.Sprintf("unexpected argument %q: every input is given with a flag", fs.Arg(0)))
	}
	problems = append(problems, opts.modeProblems()...)
	problems = append(problems, opts.valueProblems()...)
	return opts, append(problems, opts.session.Problems()...), false
}

// modeProblems refuses flags that do not go together.
func (o *options) modeProblems() []string {
	var problems []string
	var modes []string
	for _, m := range []struct {
		on   bool
		flag string
	}{{o.waitGiven, "--wait"}, {o.status, "--status"}, {len(o.stop) > 0, "--stop"}, {o.stopAll, "--stop-all"}, {o.results != "", "--results"}} {
		if m.on {
			modes = append(modes, m.flag)
		}
	}
	if len(modes) > 1 {
		problems = append(problems, fmt.Sprintf("%s are separate modes: give one of --wait, --status, --stop, --stop-all and --results", strings.Join(modes, " and ")))
	}
	if len(o.destinations) > 0 && (len(o.stop) > 0 || o.results != "") {
		problems = append(problems, "--destination does not apply to --stop ID or --results ID: the ID names the backfill")
	}
	if o.pollGiven && !o.waitGiven {
		problems = append(problems, "--poll-interval only applies with --wait")
	}
	return problems
}

// valueProblems refuses bad durations and backfill IDs.
func (o *options) valueProblems() []string {
	var problems []string
	if o.waitGiven && o.wait <= 0 {
		problems = append(problems, fmt.Sprintf("--wait %s: expected a positive duration such as 2h or 45m", o.wait))
	}
	if o.poll < time.Second {
		problems = append(problems, fmt.Sprintf("--poll-interval %s: expected a duration of at least 1s such as 30s", o.poll))
	}
	seen := map[string]bool{}
	for _, id := range o.stop {
		switch {
		case !backfillID.MatchString(id):
			problems = append(problems, fmt.Sprintf("--stop %q: %s", id, expID))
		case seen[strings.ToLower(id)]:
			problems = append(problems, fmt.Sprintf("--stop %s: given twice; give each backfill once", id))
		}
		seen[strings.ToLower(id)] = true
	}
	if o.results != "" && !backfillID.MatchString(o.results) {
		problems = append(problems, fmt.Sprintf("--results %q: %s", o.results, expID))
	}
	return problems
}

// expID is what --stop and --results take.
const expID = "expected a backfill ID, a UUID such as 0f3c7a52-9a43-4c2e-8d1b-2a4b6c8d0e1f (see --status)"

// Run is the whole command: it parses args, reads and validates the configuration, checks the
// credentials, runs the mode, writes the report to Stdout and returns the exit status. Errors
// go to Stderr as "backfill: " lines, never as a stack trace.
func Run(ctx context.Context, args []string, env Env) int {
	env = env.WithDefaults()
	opts, problems, help := parseArgs(args)
	if help {
		fmt.Fprint(env.Stdout, UsageText)
		return ExitOK
	}
	if len(problems) > 0 {
		return usageFailure(env.Stderr, problems, true)
	}
	sess, err := session.Open(ctx, opts.session, session.Env{Getenv: env.Getenv, Load: env.LoadAWS, SourceOnly: true})
	if err != nil {
		return failure(env.Stderr, err)
	}
	cfg := sess.Config
	dests, problems := resolveDestinations(cfg, opts.destinations)
	if len(problems) > 0 {
		return usageFailure(env.Stderr, problems, false)
	}
	b := &Backfiller{
		ECR: NewECR(sess.Source.AWS, cfg.SourceRegion), Registry: cfg.SourceAccount, Region: cfg.SourceRegion,
		Now: env.Now, Sleep: env.Sleep, Display: progress.New(env.Stderr, env.StderrIsTerminal), Parallel: 4,
	}
	report := &Report{Mode: opts.mode(), Registry: b.Registry, Region: b.Region}
	switch report.Mode {
	case ModeStatus:
		report.Backfills, err = b.Status(ctx, cfg.Destinations(), dests, len(opts.destinations) > 0)
	case ModeStop:
		report.Backfills, err = b.stop(ctx, opts, cfg.Destinations(), dests)
	case ModeResults:
		var e *Backfill
		if e, err = b.Describe(ctx, "--results", opts.results, true); err == nil {
			e.InConfiguration = slices.Contains(cfg.Destinations(), e.Destination)
			report.Backfills = []*Backfill{e}
		}
	default:
		report.Backfills, report.End, err = b.startAndWait(ctx, cfg, dests, opts)
	}
	if err != nil {
		code := failure(env.Stderr, err)
		if anyStarted(report.Backfills) {
			printLines(env.Stderr, "the backfills already started go on in AWS: follow them with --status, stop them with --stop-all")
		}
		return code
	}
	return write(env, report, opts.json)
}

// anyStarted reports whether a backfill is underway (started or attached to).
func anyStarted(entries []*Backfill) bool {
	return slices.ContainsFunc(entries, func(e *Backfill) bool { return e.ID != "" && !Terminal(e.Status) })
}

// stop runs --stop ID or --stop-all.
func (b *Backfiller) stop(ctx context.Context, opts options, inConfig, dests []replication.Destination) ([]*Backfill, error) {
	if opts.stopAll {
		return b.StopAll(ctx, inConfig, dests)
	}
	entries, err := b.StopIDs(ctx, opts.stop)
	for _, e := range entries {
		e.InConfiguration = slices.Contains(inConfig, e.Destination)
	}
	return entries, err
}

// startAndWait checks that every destination is deployed, starts (or attaches to, or queues)
// a backfill per destination and, with --wait, waits for them.
func (b *Backfiller) startAndWait(ctx context.Context, cfg *config.Config, dests []replication.Destination, opts options) ([]*Backfill, string, error) {
	entries := make([]*Backfill, len(dests))
	for i, d := range dests {
		entries[i] = &Backfill{Destination: d, InConfiguration: true, Status: StatusQueued, Action: ActionQueued}
	}
	if err := checkDeployed(ctx, b.ECR, cfg, entries); err != nil {
		return nil, EndDone, err
	}
	if err := b.StartQueued(ctx, entries); err != nil {
		if ctx.Err() != nil {
			afterWait(entries, EndDetached)
			return entries, EndDetached, nil
		}
		return entries, EndDone, err
	}
	if !opts.waitGiven {
		return entries, EndDone, nil
	}
	end, err := b.Wait(ctx, entries, opts.wait, opts.poll)
	if err != nil {
		return entries, EndDone, err
	}
	afterWait(entries, end)
	return entries, end, nil
}

// write prints the report and returns the exit status.
func write(env Env, r *Report, asJSON bool) int {
	var err error
	if asJSON {
		err = r.WriteJSON(env.Stdout)
	} else {
		err = r.WriteTable(env.Stdout)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "backfill: writing the report: %v\n", err)
		return ExitUsage
	}
	switch {
	case r.End == EndDetached:
		fmt.Fprintln(env.Stderr, "backfill: interrupted: detached; the backfills go on in AWS (they are not stopped): follow them with --status or --wait DURATION, stop them with --stop-all")
		return ExitInterrupted
	case r.OK():
		return ExitOK
	}
	return ExitProblems
}

// usageFailure prints each problem on a line of its own and returns ExitUsage.
func usageFailure(w io.Writer, problems []string, pointAtUsage bool) int {
	for _, p := range problems {
		printLines(w, p)
	}
	if pointAtUsage {
		printLines(w, "run 'backfill -h' for usage")
	}
	return ExitUsage
}

// failure prints an error of the session or of a call (a *session.UsageError,
// *session.FatalError, or another error) and returns ExitUsage.
func failure(w io.Writer, err error) int {
	var ue *session.UsageError
	if errors.As(err, &ue) {
		return usageFailure(w, ue.Problems, ue.InFlags)
	}
	printLines(w, err.Error())
	return ExitUsage
}

func printLines(w io.Writer, text string) { cli.Print(w, "backfill", text) }
