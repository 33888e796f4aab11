package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/acme-platform/ecr-replication/internal/cli"
	"github.com/acme-platform/ecr-replication/internal/mototest"
	"github.com/acme-platform/ecr-replication/internal/rehearse"
)

const usage = `usage: rehearse [-c key=value ...] [--name NAME] [--concurrency N] [--dir DIR] [--keep] [-v]

Deploys the app to a moto_server of its own (localhost, a free port) with the pinned CDK CLI,
checks what moto holds against the synthesized templates, runs verify, destroys the
deployment and checks what was retained. Nothing reaches AWS.

  -c, --context key=value  deployment context (repeatable); without it, the default
                           deployment and its KMS variant are rehearsed
  --name NAME              the rehearsal's name with -c (default "custom")
  --concurrency N          cdk deploy --concurrency (default 1)
  --dir DIR                project directory with cdk.json and node_modules (default .)
  --keep                   keep each cloud assembly (its directory is printed)
  -v                       print every finding one by one, and the CDK CLI's output (to stderr)

Exit status: 0 passed, 1 a check failed, 2 bad usage or the rehearsal could not run.
`

// options are the parsed flags.
type options struct {
	context     map[string]string
	name        string
	concurrency int
	dir         string
	keep        bool
	verbose     bool
}

// parseArgs parses the flags; problems lists every bad one.
func parseArgs(args []string) (opts options, problems []string, help bool) {
	fs := flag.NewFlagSet("rehearse", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	opts.context = map[string]string{}
	addContext := func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			problems = append(problems, fmt.Sprintf("-c %q: expected key=value, e.g. -c encryption=KMS", s))
			return nil
		}
		opts.context[k] = v
		return nil
	}
	fs.Func("c", "", addContext)
	fs.Func("context", "", addContext)
	fs.StringVar(&opts.name, "name", "custom", "")
	fs.IntVar(&opts.concurrency, "concurrency", 1, "")
	fs.StringVar(&opts.dir, "dir", ".", "")
	fs.BoolVar(&opts.keep, "keep", false, "")
	fs.BoolVar(&opts.verbose, "v", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opts, nil, true
		}
		return opts, []string{err.Error()}, false
	}
	if fs.NArg() > 0 {
		problems = append(problems, fmt.Sprintf("unexpected argument %q: every input is given with a flag", fs.Arg(0)))
	}
	if opts.concurrency < 1 {
		problems = append(problems, fmt.Sprintf("--concurrency: got %d; expected 1 or more stacks at once", opts.concurrency))
	}
	return opts, problems, false
}

// run is the whole command; it returns the exit status.
func run(ctx context.Context, args []string, env cli.Env) int {
	stdout, stderr := env.Stdout, env.Stderr
	opts, problems, help := parseArgs(args)
	if help {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if len(problems) > 0 {
		cli.Print(stderr, "rehearse", strings.Join(append(problems, "run 'rehearse -h' for usage"), "\n"))
		return 2
	}
	variants := rehearse.Variants
	if len(opts.context) > 0 {
		variants = []rehearse.Variant{{Name: opts.name, Context: opts.context}}
	}
	code := 0
	for _, v := range variants {
		report, err := rehearseOne(ctx, v, opts, stderr)
		if report != nil && len(report.Findings) > 0 {
			if werr := report.Write(stdout, opts.verbose); werr != nil && err == nil {
				err = werr
			}
		}
		switch {
		case err != nil:
			cli.Print(stderr, "rehearse", fmt.Sprintf("%s: %v", v.Name, err))
			return 2
		case report.Failed():
			code = 1
		}
		fmt.Fprintln(stdout)
	}
	return code
}

// rehearseOne runs one rehearsal against a moto_server of its own.
func rehearseOne(ctx context.Context, v rehearse.Variant, opts options, stderr io.Writer) (*rehearse.Report, error) {
	moto, err := mototest.Launch(mototest.Options{Host: "localhost", CloudFormationFixes: true})
	if err != nil {
		return nil, err
	}
	defer moto.Stop()
	out, err := os.MkdirTemp("", "rehearse-"+v.Name+"-")
	if err != nil {
		return nil, err
	}
	if opts.keep {
		fmt.Fprintf(stderr, "rehearse: %s: cloud assembly in %s\n", v.Name, out)
	} else {
		defer os.RemoveAll(out)
	}
	dir, err := filepath.Abs(opts.dir)
	if err != nil {
		return nil, err
	}
	var log io.Writer
	if opts.verbose {
		log = stderr
	}
	return rehearse.Rehearse(ctx, v.Name, rehearse.Options{
		Dir: dir, Endpoint: moto.Endpoint, Context: v.Context, Output: filepath.Join(out, "cdk.out"),
		Concurrency: opts.concurrency, Log: log,
	})
}
