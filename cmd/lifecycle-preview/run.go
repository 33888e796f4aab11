package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

const (
	exitOK    = 0
	exitInput = 1
	exitUsage = 2
)

const usageText = `usage: lifecycle-preview --images describe-images.json
           (--policy policy.json | --cdk-out cdk.out --repository NAME [--stack NAME]
            [--destination-images REGION=FILE ...])
           [--now RFC3339] [--json] [--price-per-gb-month 0.10]

Shows what an ECR lifecycle policy would do to a repository's images and, with
--cdk-out, what that means in each destination the repository replicates to.

  --images FILE              output of: aws ecr describe-images --repository-name NAME
  --policy FILE              an ECR lifecycle policy JSON document (or the output
                             of aws ecr get-lifecycle-policy)
  --cdk-out DIR              a synthesized CDK app; the policy of --repository is read
                             from the *.template.json files in DIR, and so are the
                             replication rules covering it
  --repository NAME          the repository name, e.g. enterprise-apps/production
                             (required with --cdk-out; with --policy it labels the report)
  --stack NAME               with --cdk-out: read the policy from NAME.template.json only
  --destination-images REGION=FILE
                             with --cdk-out, repeatable: describe-images output of the
                             replica in REGION, a destination of the repository; the
                             replica's own policy is evaluated on it and joined with the
                             deletes mirrored from the source
  --now TIME                 evaluation time, RFC 3339 (default: now)
  --json                     print a JSON document instead of a table
  --price-per-gb-month USD   storage price used for the savings (default 0.10);
                             GB = 2^30 bytes, as AWS bills storage

Exit status: 0 on success, 1 for bad input, 2 for bad usage.
`

// options are the parsed command-line flags.
type options struct {
	images       string
	policy       string
	cdkOut       string
	repository   string
	stack        string
	destinations []destinationArg
	now          time.Time
	json         bool
	price        float64
}

// readsCdkOut reports whether the policy, and the replication rules, come from --cdk-out.
func (o options) readsCdkOut() bool { return o.cdkOut != "" && o.repository != "" && o.policy == "" }

// destinationArg is one --destination-images REGION=FILE.
type destinationArg struct{ raw, region, file string }

// destinationArgs collects --destination-images; the values are checked after parsing, so
// that every bad one is reported.
type destinationArgs []destinationArg

func (d *destinationArgs) String() string { return "" }

func (d *destinationArgs) Set(v string) error {
	*d = append(*d, destinationArg{raw: v})
	return nil
}

// run is the whole command: it parses args, writes the report to stdout and
// problems to stderr (one per line), and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	opts, problems, help := parseArgs(args)
	if help {
		fmt.Fprint(stdout, usageText)
		return exitOK
	}
	in := &inputs{}
	if opts.readsCdkOut() {
		problems = append(problems, in.findReplication(opts)...)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stderr, "lifecycle-preview: %s\n", p)
		}
		fmt.Fprintln(stderr, "lifecycle-preview: run 'lifecycle-preview -h' for usage")
		return exitUsage
	}

	in.load(opts)
	if len(in.errs) > 0 {
		printErrors(stderr, in.errs)
		return exitInput
	}
	for _, w := range in.warnings {
		fmt.Fprintf(stderr, "lifecycle-preview: warning: %s\n", w)
	}

	verdicts := in.policy.Evaluate(in.images, opts.now)
	rep := buildReport(opts, in.source, verdicts)
	if opts.readsCdkOut() {
		rep.Replication, rep.Destinations = buildDestinations(in.replication, opts.cdkOut, opts.repository, verdicts, in.destinations, opts.now, opts.price)
	}
	var err error
	if opts.json {
		err = writeJSON(stdout, rep)
	} else {
		err = writeTable(stdout, rep)
	}
	if err != nil {
		fmt.Fprintf(stderr, "lifecycle-preview: writing the report: %v\n", err)
		return exitInput
	}
	return exitOK
}

// printErrors writes every line of errs once, each as its own "lifecycle-preview: " line (the
// policy search and the replication search can fail on the same template).
func printErrors(w io.Writer, errs []error) {
	seen := map[string]bool{}
	for _, err := range errs {
		var b strings.Builder
		printLines(&b, err)
		for _, line := range strings.SplitAfter(b.String(), "\n") {
			if line != "" && !seen[line] {
				seen[line] = true
				io.WriteString(w, line)
			}
		}
	}
}

// printLines writes each line of err as its own "lifecycle-preview: " line.
func printLines(w io.Writer, err error) {
	if err == nil {
		return
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if line != "" {
			fmt.Fprintf(w, "lifecycle-preview: %s\n", line)
		}
	}
}

// parseArgs parses and checks the flags, returning every usage problem.
func parseArgs(args []string) (opts options, problems []string, help bool) {
	fs := flag.NewFlagSet("lifecycle-preview", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&opts.images, "images", "", "")
	fs.StringVar(&opts.policy, "policy", "", "")
	fs.StringVar(&opts.cdkOut, "cdk-out", "", "")
	fs.StringVar(&opts.repository, "repository", "", "")
	fs.StringVar(&opts.stack, "stack", "", "")
	fs.Var((*destinationArgs)(&opts.destinations), "destination-images", "")
	now := fs.String("now", "", "")
	fs.BoolVar(&opts.json, "json", false, "")
	fs.Float64Var(&opts.price, "price-per-gb-month", 0.10, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opts, nil, true
		}
		return opts, []string{err.Error()}, false
	}

	if fs.NArg() > 0 {
		problems = append(problems, fmt.Sprintf("unexpected argument %q: every input is given with a flag", fs.Arg(0)))
	}
	if opts.images == "" {
		problems = append(problems, "--images is required: the output of aws ecr describe-images")
	}
	switch {
	case opts.policy == "" && opts.cdkOut == "":
		problems = append(problems, "give the policy with --policy FILE or --cdk-out DIR --repository NAME")
	case opts.policy != "" && opts.cdkOut != "":
		problems = append(problems, "--policy and --cdk-out both given: use one policy source")
	case opts.cdkOut != "" && opts.repository == "":
		problems = append(problems, "--cdk-out needs --repository NAME to find the repository's policy")
	}
	if opts.stack != "" && opts.cdkOut == "" {
		problems = append(problems, "--stack only applies with --cdk-out")
	}
	if *now == "" {
		opts.now = time.Now()
	} else if t, err := time.Parse(time.RFC3339Nano, *now); err != nil {
		problems = append(problems, fmt.Sprintf("--now %q is not an RFC 3339 time such as 2026-11-20T12:00:00Z", *now))
	} else {
		opts.now = t
	}
	if math.IsNaN(opts.price) || math.IsInf(opts.price, 0) || opts.price < 0 {
		problems = append(problems, fmt.Sprintf("--price-per-gb-month %v: expected a non-negative price in USD", opts.price))
	}
	return opts, append(problems, splitDestinationArgs(&opts)...), false
}

// splitDestinationArgs splits every --destination-images into REGION and FILE, reporting each
// value that is not REGION=FILE, a region given twice, and the flag without --cdk-out.
func splitDestinationArgs(opts *options) []string {
	var problems []string
	if len(opts.destinations) > 0 && (opts.cdkOut == "" || opts.policy != "") {
		problems = append(problems, "--destination-images needs --cdk-out DIR --repository NAME: the destinations come from the replication rules there")
	}
	seen := map[string]string{}
	for i := range opts.destinations {
		d := &opts.destinations[i]
		region, file, ok := strings.Cut(d.raw, "=")
		if !ok || region == "" || file == "" {
			problems = append(problems, fmt.Sprintf("--destination-images %q: expected REGION=FILE, e.g. us-west-2=replica-images.json", d.raw))
			continue
		}
		if first, dup := seen[region]; dup {
			problems = append(problems, fmt.Sprintf("--destination-images %q: region %s is already given by %q", d.raw, region, first))
			continue
		}
		seen[region] = d.raw
		d.region, d.file = region, file
	}
	return problems
}

// loadPolicy reads the policy from --policy or --cdk-out and parses it strictly.
// With --cdk-out, prefer is the stack whose repository wins when several define it.
func loadPolicy(opts options, prefer string) (policy lifecycle.Policy, source string, warnings []string, err error) {
	var text []byte
	if opts.policy != "" {
		source = opts.policy
		text, err = os.ReadFile(opts.policy)
		if err != nil {
			return policy, source, nil, fmt.Errorf("cannot read --policy: %w", err)
		}
		// Also accept the output of aws ecr get-lifecycle-policy, which wraps the
		// policy text in a string field.
		var wrapped struct {
			LifecyclePolicyText *string `json:"lifecyclePolicyText"`
		}
		if json.Unmarshal(text, &wrapped) == nil && wrapped.LifecyclePolicyText != nil {
			text = []byte(*wrapped.LifecyclePolicyText)
			source += " (lifecyclePolicyText)"
		}
	} else {
		found, ws, ferr := findPolicyInCdkOut(opts.cdkOut, opts.repository, opts.stack, prefer)
		if ferr != nil {
			return policy, "", ws, ferr
		}
		source, text, warnings = found.source, []byte(found.text), ws
	}
	policy, err = lifecycle.Parse(text)
	if err != nil {
		return policy, source, warnings, prefixLines(fmt.Sprintf("policy %s: ", source), err)
	}
	return policy, source, warnings, nil
}

// prefixLines puts prefix in front of every line of err.
func prefixLines(prefix string, err error) error {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return errors.New(strings.Join(lines, "\n"))
}
