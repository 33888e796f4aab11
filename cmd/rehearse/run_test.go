package main

import (
	"context"
	"strings"
	"testing"

	"github.com/acme-platform/ecr-replication/internal/cli"
	"github.com/acme-platform/ecr-replication/internal/mototest"
)

func TestBadUsageIsRefusedWithEveryProblem(t *testing.T) {
	var stdout, stderr strings.Builder
	code := run(context.Background(), []string{"-c", "encryption", "--concurrency", "0", "extra"}, cli.Env{Stdout: &stdout, Stderr: &stderr})
	want := "rehearse: -c \"encryption\": expected key=value, e.g. -c encryption=KMS\n" +
		"rehearse: unexpected argument \"extra\": every input is given with a flag\n" +
		"rehearse: --concurrency: got 0; expected 1 or more stacks at once\n" +
		"rehearse: run 'rehearse -h' for usage\n"
	if code != 2 || stderr.String() != want || stdout.Len() != 0 {
		t.Errorf("exit %d, stderr:\n%s\nstdout:\n%s", code, stderr.String(), stdout.String())
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run(context.Background(), []string{"-h"}, cli.Env{Stdout: &stdout, Stderr: &stderr}); code != 0 || stdout.String() != usage || stderr.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

func TestContextSelectsOneRehearsal(t *testing.T) {
	opts, problems, _ := parseArgs([]string{"-c", "encryption=KMS", "--context", "additionalRegions=ap-southeast-2", "--name", "kms-apac", "-v"})
	if len(problems) > 0 || opts.context["encryption"] != "KMS" || opts.context["additionalRegions"] != "ap-southeast-2" ||
		opts.name != "kms-apac" || !opts.verbose || opts.concurrency != 1 || opts.dir != "." {
		t.Errorf("got %+v, problems %q", opts, problems)
	}
}

func TestAMissingProjectIsABadRun(t *testing.T) {
	mototest.Require(t) // the command starts moto_server before it reads the project
	var stdout, stderr strings.Builder
	code := run(context.Background(), []string{"--dir", t.TempDir(), "-c", "encryption=KMS"}, cli.Env{Stdout: &stdout, Stderr: &stderr})
	if code != 2 || !strings.Contains(stderr.String(), "rehearse: custom: rehearse: invalid options:\nrehearse:   - Dir: got ") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr.String())
	}
}
