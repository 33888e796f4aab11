package backfill

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// How a wait ended.
const (
	EndDone     = ""         // every backfill is final
	EndDeadline = "deadline" // the deadline passed first
	EndDetached = "detached" // interrupted (Ctrl-C): the backfills go on in AWS
)

// Wait polls the backfills until every one is final (terminal, its failed replications read),
// the deadline passes or ctx is cancelled; queued destinations are started as slots free. It
// returns how the wait ended; errors are a *session.FatalError or a *session.UsageError (a call
// AWS refused).
func (b *Backfiller) Wait(ctx context.Context, entries []*Backfill, timeout, poll time.Duration) (string, error) {
	deadline := b.Now().Add(timeout)
	defer b.Display.Done()
	for {
		b.show(entries, deadline)
		if allFinal(entries) {
			return EndDone, nil
		}
		now := b.Now()
		if !now.Before(deadline) {
			return EndDeadline, nil
		}
		if err := b.Sleep(ctx, min(poll, deadline.Sub(now))); err != nil {
			return EndDetached, nil
		}
		err := b.refresh(ctx, entries)
		if err == nil {
			err = b.StartQueued(ctx, entries)
		}
		if err != nil {
			if ctx.Err() != nil {
				return EndDetached, nil
			}
			return "", err
		}
	}
}

// allFinal reports whether nothing is left to wait for.
func allFinal(entries []*Backfill) bool {
	for _, e := range entries {
		if e.Status != StatusNotStarted && !e.ResultsRead {
			return false
		}
	}
	return true
}

// show draws the progress block: a title, then a line per destination.
func (b *Backfiller) show(entries []*Backfill, deadline time.Time) {
	final, width := 0, 0
	for _, e := range entries {
		if e.ResultsRead || e.Status == StatusNotStarted {
			final++
		}
		width = max(width, len(label(e.Destination)))
	}
	lines := []string{fmt.Sprintf("backfill: %d of %d finished; waiting until %s", final, len(entries), deadline.UTC().Format("15:04:05 UTC"))}
	for _, e := range entries {
		lines = append(lines, "  "+e.progressLine(width))
	}
	b.Display.Lines(lines...)
}

// refresh reads every backfill that has an ID and is not final yet: its status and progress,
// and at a terminal status every page of its failed replications. At most b.Parallel calls
// are in flight (the SDK's retries back off when ECR throttles).
func (b *Backfiller) refresh(ctx context.Context, entries []*Backfill) error {
	var todo []*Backfill
	for _, e := range entries {
		if e.ID != "" && !e.ResultsRead {
			todo = append(todo, e)
		}
	}
	errs := make([]error, len(todo))
	forEach(len(todo), b.Parallel, func(i int) { errs[i] = b.read(ctx, todo[i]) })
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for _, e := range todo {
		if e.ResultsRead {
			b.Display.Log(fmt.Sprintf("backfill %s to %s: %s", e.ID, label(e.Destination), e.Status))
		}
	}
	return nil
}

// read reads one backfill; at a terminal status, every page of its failed replications.
func (b *Backfiller) read(ctx context.Context, e *Backfill) error {
	token := ""
	e.Failures = nil
	for {
		out, err := describePage(ctx, b.ECR, b.Registry, e.ID, token, resultsPageSize)
		if err != nil {
			return b.apiError(ctx, err, "DescribeReplicationBackfillResults")
		}
		e.fromDescribe(out)
		token = aws.ToString(out.NextToken)
		if !Terminal(e.Status) {
			e.Failures = nil
			return nil
		}
		if token == "" {
			e.ResultsRead = true
			return nil
		}
	}
}

// forEach runs fn(0) … fn(n-1), at most limit at a time (at least one).
func forEach(n, limit int, fn func(i int)) {
	sem := make(chan struct{}, max(limit, 1))
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fn(i)
		}()
	}
	wg.Wait()
}

// afterWait adds to each backfill what the end of the wait means for it.
func afterWait(entries []*Backfill, end string) {
	if end == EndDone {
		return
	}
	when := "the deadline passed"
	if end == EndDetached {
		when = "detached"
	}
	for _, e := range entries {
		switch {
		case e.Status == StatusQueued:
			e.Detail = fmt.Sprintf("not started (%s): %s", when, e.Detail)
		case e.ID != "" && !Terminal(e.Status):
			e.Detail = fmt.Sprintf("still %s when %s: it goes on in AWS (follow it with --status, stop it with --stop %s)", e.Status, when, e.ID)
		}
	}
}
