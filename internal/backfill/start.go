package backfill

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/internal/progress"
	"github.com/acme-platform/ecr-replication/internal/session"
	"github.com/acme-platform/ecr-replication/replication"
)

// Backfiller starts, follows and stops the backfills of one source registry.
type Backfiller struct {
	// ECR is the client of the source region, with the source account's credentials.
	ECR ECRAPI
	// Registry is the source account; Region the source region.
	Registry, Region string
	// Now and Sleep are the clock; Sleep returns early with the context's error.
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
	// Display shows progress and what was started (nil: nothing).
	Display *progress.Display
	// Parallel bounds the calls in flight while polling.
	Parallel int
}

// slots is what the limits leave: the backfills in progress per destination region (of any
// registry: the limit is per region) and in the whole registry.
type slots struct {
	inProgress int
	// byRegion says which backfill holds each destination region.
	byRegion map[string]string
	// running are the PREPARING or IN_PROGRESS backfills, by destination.
	running map[replication.Destination]types.ReplicationBackfillSummary
}

func newSlots(all []types.ReplicationBackfillSummary) *slots {
	s := &slots{byRegion: map[string]string{}, running: map[replication.Destination]types.ReplicationBackfillSummary{}}
	for _, b := range all {
		if !holdsSlot(string(b.Status)) {
			continue
		}
		s.inProgress++
		d := destinationOf(b.Destination)
		s.byRegion[d.Region] = describeHolder(b)
		if Stoppable(string(b.Status)) {
			s.running[d] = b
		}
	}
	return s
}

// describeHolder renders "backfill ID (IN_PROGRESS, to us-west-2 (222222222222))".
func describeHolder(b types.ReplicationBackfillSummary) string {
	return fmt.Sprintf("backfill %s (%s, to %s)", aws.ToString(b.ReplicationBackfillId), b.Status, label(destinationOf(b.Destination)))
}

// take records a backfill just started (or found running).
func (s *slots) take(b types.ReplicationBackfillSummary) {
	s.inProgress++
	d := destinationOf(b.Destination)
	s.byRegion[d.Region] = describeHolder(b)
	s.running[d] = b
}

// blocked says why no backfill can start to d now, or "" when one can.
func (s *slots) blocked(d replication.Destination) string {
	if holder, ok := s.byRegion[d.Region]; ok {
		return fmt.Sprintf("%s already has %s: ECR runs one backfill per destination region at a time", d.Region, holder)
	}
	if s.inProgress >= MaxInProgress {
		return fmt.Sprintf("the registry has %d backfills in progress, ECR's limit", s.inProgress)
	}
	return ""
}

// StartQueued starts a backfill for every queued entry that a slot allows, in order, and
// attaches to the one already running to the same destination; the rest stays queued with the
// reason. It reads the registry's backfills first, so that backfills started by anyone count.
// Errors are a *session.FatalError (AWS unreachable, credentials) or the context's.
func (b *Backfiller) StartQueued(ctx context.Context, entries []*Backfill) error {
	if !anyQueued(entries) {
		return nil
	}
	all, err := listAll(ctx, b.ECR, b.Registry)
	if err != nil {
		return b.apiError(ctx, err, "ListReplicationBackfills")
	}
	s := newSlots(all)
	for _, e := range entries {
		if e.Status != StatusQueued {
			continue
		}
		if err := b.place(ctx, e, s); err != nil {
			return err
		}
	}
	return nil
}

func anyQueued(entries []*Backfill) bool {
	for _, e := range entries {
		if e.Status == StatusQueued {
			return true
		}
	}
	return false
}

// place attaches e to a running backfill, queues it, or starts it. The two refusals that mean
// "no slot" are those the API Reference documents for StartReplicationBackfill
// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_StartReplicationBackfill.html):
// ReplicationBackfillInProgressException (one per destination region) and
// LimitExceededException (ten per registry); the tests replay both from the test server.
func (b *Backfiller) place(ctx context.Context, e *Backfill, s *slots) error {
	if r, ok := s.running[e.Destination]; ok {
		b.attach(e, r)
		return nil
	}
	if reason := s.blocked(e.Destination); reason != "" {
		e.queue(reason)
		return nil
	}
	out, err := b.ECR.StartReplicationBackfill(ctx, &ecr.StartReplicationBackfillInput{
		RegistryId:  aws.String(b.Registry),
		Destination: &types.ReplicationDestination{Region: aws.String(e.Destination.Region), RegistryId: aws.String(e.Destination.Account)},
	})
	switch {
	case err == nil:
		sum := types.ReplicationBackfillSummary{ReplicationBackfillId: out.ReplicationBackfillId, Destination: out.Destination, Status: out.Status, StartedAt: out.StartedAt}
		e.Action, e.Detail = ActionStarted, ""
		e.fromSummary(sum)
		s.take(sum)
		b.Display.Log(fmt.Sprintf("started backfill %s to %s", e.ID, label(e.Destination)))
		return nil
	case session.IsCode(err, "ReplicationBackfillInProgressException"):
		// Someone started one since the list: attach to it if it is this destination's.
		return b.raced(ctx, e, s, err)
	case session.IsCode(err, "LimitExceededException"):
		s.inProgress = max(s.inProgress, MaxInProgress)
		e.queue(fmt.Sprintf("ECR refused: %s (at most %d backfills in progress per registry)", session.Short(err), MaxInProgress))
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if fe := session.Fatal(err, "source account"); fe != nil {
		return fe
	}
	e.Action, e.Status = ActionNotStarted, StatusNotStarted
	e.Detail = "StartReplicationBackfill refused: " + session.Short(err)
	return nil
}

// raced handles ReplicationBackfillInProgressException: a backfill to the destination region
// started between the list and the start. It attaches to it when it goes to e's destination,
// and queues e otherwise.
func (b *Backfiller) raced(ctx context.Context, e *Backfill, s *slots, startErr error) error {
	all, err := listAll(ctx, b.ECR, b.Registry)
	if err != nil {
		return b.apiError(ctx, err, "ListReplicationBackfills")
	}
	fresh := newSlots(all)
	if r, ok := fresh.running[e.Destination]; ok {
		b.attach(e, r)
		s.take(r)
		return nil
	}
	holder, ok := fresh.byRegion[e.Destination.Region]
	if !ok {
		holder = "a backfill ECR did not list yet"
	}
	s.byRegion[e.Destination.Region] = holder
	e.queue(fmt.Sprintf("%s already has %s (ECR refused the start: %s)", e.Destination.Region, holder, session.Short(startErr)))
	return nil
}

// attach follows a backfill that was already running to e's destination instead of starting
// another.
func (b *Backfiller) attach(e *Backfill, r types.ReplicationBackfillSummary) {
	e.Action = ActionAttached
	e.fromSummary(r)
	e.Detail = "already running: attached to it instead of starting another"
	b.Display.Log(fmt.Sprintf("attached to backfill %s to %s (%s)", e.ID, label(e.Destination), e.Status))
}

// apiError classifies an error of a call the whole run depends on: the context's, a
// *session.FatalError, or an error naming the call.
func (b *Backfiller) apiError(ctx context.Context, err error, call string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if fe := session.Fatal(err, "source account"); fe != nil {
		return fe
	}
	return &session.UsageError{Problems: []string{fmt.Sprintf("ecr:%s on registry %s in %s failed: %s", call, b.Registry, b.Region, session.Short(err))}}
}
