package verify

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Progress shows how far a wait has come: on a terminal one line redrawn in place, otherwise
// a plain line whenever the numbers change.
type Progress struct {
	w        io.Writer
	terminal bool
	mu       sync.Mutex
	last     string
	drawn    bool
}

// NewProgress returns a Progress writing to w (normally stderr).
func NewProgress(w io.Writer, terminal bool) *Progress { return &Progress{w: w, terminal: terminal} }

// Update shows line.
func (p *Progress) Update(line string) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.drawn = true
		return
	}
	if line != p.last {
		fmt.Fprintln(p.w, line)
	}
	p.last = line
}

// Done ends a redrawn line.
func (p *Progress) Done() {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal && p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// Wait polls the recent images of every source repository (the set found at the start)
// until each is in every destination, a replication FAILED, or timeout passed. It reports
// progress per destination and returns one "images" check per destination and repository;
// anything not replicated at the deadline is a problem. An image pushed before the replication
// configuration last changed, and not in a destination, is not waited for: it may predate the
// destination, which ECR never copies it to (the check names the backfill command).
func (v *Verifier) Wait(ctx context.Context, timeout, poll time.Duration, progress *Progress) ([]Check, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	start := v.Now()
	deadline := start.Add(timeout)
	var fixed map[string][]sourceImage
	var setup []Check
	for {
		states, checks, err := v.imageStates(ctx, fixed)
		if err != nil {
			progress.Done()
			return nil, err
		}
		if fixed == nil {
			setup, fixed = checks, imageSet(states)
		}
		round := waitRound(states)
		elapsed := v.Now().Sub(start)
		progress.Update(progressLine(v, states, elapsed, timeout))
		if round.done || round.failed || !v.Now().Before(deadline) {
			progress.Done()
			return append(setup, v.waitResult(states, round, elapsed, timeout)...), nil
		}
		if err := v.Sleep(ctx, min(poll, deadline.Sub(v.Now()))); err != nil {
			progress.Done()
			return nil, fmt.Errorf("interrupted while waiting: %v", err)
		}
	}
}

// imageSet is the images the states are about, by repository: what --wait keeps looking at.
func imageSet(states []imageState) map[string][]sourceImage {
	fixed := map[string][]sourceImage{}
	seen := map[string]bool{}
	for _, s := range states {
		if k := s.Image.Repository + "@" + s.Image.Digest; !seen[k] {
			seen[k] = true
			fixed[s.Image.Repository] = append(fixed[s.Image.Repository], s.Image)
		}
	}
	return fixed
}

// waitState is where one round of --wait stands.
type waitState struct {
	// done: every image waited for is replicated everywhere.
	done bool
	// failed: a replication FAILED.
	failed bool
	// predates counts the images not waited for (statePredates).
	predates int
}

// waitRound sums up one round. While waiting, a replica not there yet is pending whatever the
// push time (states are changed accordingly), except one that may predate its destination.
func waitRound(states []imageState) waitState {
	r := waitState{done: true}
	for i := range states {
		switch states[i].State {
		case stateMissing, stateDifferent:
			states[i].State = statePending
			r.done = false
		case statePending:
			r.done = false
		case stateFailed:
			r.failed = true
		case statePredates:
			r.predates++
		}
	}
	return r
}

// waitResult is the images checks at the end of --wait, then the wait check itself.
func (v *Verifier) waitResult(states []imageState, r waitState, elapsed, timeout time.Duration) []Check {
	// At the deadline what is still pending is a problem; after a failure it is reported as
	// pending.
	out := summarizeImages(v, states, !r.done && !r.failed)
	c := Check{Name: "wait", Region: v.Config.SourceRegion, Account: v.Config.SourceAccount, Status: StatusProblem}
	switch {
	case r.failed:
		c.Detail = fmt.Sprintf("stopped after %s: a replication FAILED (see the images checks)", elapsed.Round(time.Second))
	case !r.done:
		c.Detail = fmt.Sprintf("deadline of %s passed with images not replicated", timeout)
	case r.predates > 0:
		c.Detail = fmt.Sprintf("every other recent image replicated after %s; %d not waited for: pushed before the replication configuration last changed, they may predate their destination (see the images checks for the backfill command)",
			elapsed.Round(time.Second), r.predates)
	default:
		c.Status, c.Detail = StatusOK, fmt.Sprintf("every recent image replicated after %s", elapsed.Round(time.Second))
	}
	return append(out, c)
}

// progressLine renders "waiting 0:42 of 10:00: us-west-2 4/6, eu-west-1 6/6".
func progressLine(v *Verifier, states []imageState, elapsed, timeout time.Duration) string {
	total, replicated := map[string]int{}, map[string]int{}
	failed := map[string]int{}
	for _, s := range states {
		total[s.Region]++
		switch s.State {
		case stateReplicated:
			replicated[s.Region]++
		case stateFailed:
			failed[s.Region]++
		}
	}
	var parts []string
	for _, r := range v.destinationRegions() {
		p := fmt.Sprintf("%s %d/%d", r, replicated[r], total[r])
		if failed[r] > 0 {
			p += fmt.Sprintf(" (%d FAILED)", failed[r])
		}
		parts = append(parts, p)
	}
	return fmt.Sprintf("waiting %s of %s: %s", clock(elapsed), clock(timeout), strings.Join(parts, ", "))
}

func clock(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}
