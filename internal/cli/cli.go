// Package cli is the process side of the commands that talk to AWS (cmd/backfill, cmd/verify):
// what a command's Run takes from the process ([Env]), the defaults of what a test leaves out,
// the command's main ([Main]: Ctrl-C cancels the run's context) and its "name: " error lines. It
// imports no jsii package.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/acme-platform/ecr-replication/internal/session"
)

// Env is what a command's Run needs from the process; tests replace every part.
type Env struct {
	// Stdout receives the report; Stderr progress and errors.
	Stdout, Stderr io.Writer
	// Getenv is os.Getenv.
	Getenv func(string) string
	// Now and Sleep are the clock (time.Now and [Sleep] when nil).
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
	// StderrIsTerminal says whether progress may be redrawn in place.
	StderrIsTerminal bool
	// LoadAWS loads the SDK configuration of a profile ("" for the default chain); nil means
	// the SDK's default configuration (session.LoadAWSConfig).
	LoadAWS session.LoadFunc
}

// WithDefaults fills what env leaves nil: os.Getenv, time.Now and [Sleep].
func (env Env) WithDefaults() Env {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Sleep == nil {
		env.Sleep = Sleep
	}
	return env
}

// Sleep waits for d, or returns the context's error as soon as it is done.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Main runs a command with the process's arguments and streams, Ctrl-C (SIGINT) cancelling
// its context, and exits with the status it returns.
func Main(run func(context.Context, []string, Env) int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, StderrIsTerminal: IsTerminal(os.Stderr)})
	stop()
	os.Exit(code)
}

// IsTerminal reports whether f is a character device (a terminal), without a dependency.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Print writes text to w, every line prefixed with "name: ", so that a command's errors are
// told from other output and never look like a stack trace.
func Print(w io.Writer, name, text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		fmt.Fprintf(w, "%s: %s\n", name, line)
	}
}
