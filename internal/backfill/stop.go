package backfill

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/internal/session"
	"github.com/acme-platform/ecr-replication/replication"
)

// notFound is the refusal of a backfill ID the registry does not know.
func (b *Backfiller) notFound(flag, id string) string {
	return fmt.Sprintf("%s %s: registry %s in %s has no backfill with this ID (ECR lists backfills until 90 days after they end): see the IDs with --status",
		flag, id, b.Registry, b.Region)
}

// Describe reads one backfill: its status and progress and, with results, every page of its
// failed replications (at a terminal status). An unknown ID is a *session.UsageError naming
// flag.
func (b *Backfiller) Describe(ctx context.Context, flag, id string, results bool) (*Backfill, error) {
	size := int32(1)
	if results {
		size = resultsPageSize
	}
	out, err := describePage(ctx, b.ECR, b.Registry, id, "", size)
	if session.IsCode(err, "ReplicationBackfillNotFoundException") {
		return nil, &session.UsageError{Problems: []string{b.notFound(flag, id)}}
	}
	if err != nil {
		return nil, b.apiError(ctx, err, "DescribeReplicationBackfillResults")
	}
	e := &Backfill{Destination: destinationOf(out.Destination), ID: id, Action: ActionListed}
	if !results {
		e.fromDescribe(out)
		e.Failures = nil
		return e, nil
	}
	if err := b.read(ctx, e); err != nil {
		return nil, err
	}
	if !Terminal(e.Status) {
		e.Detail = fmt.Sprintf("still %s: ECR gives the per-image results once it is COMPLETE, FAILED or STOPPED (wait for it with --wait DURATION)", e.Status)
	}
	return e, nil
}

// StopIDs stops the named backfills: a PREPARING or IN_PROGRESS one is stopped; a STOPPING or
// STOPPED one is left as it is; a COMPLETE or FAILED one is refused. Every unknown ID is a
// problem of the returned *session.UsageError.
func (b *Backfiller) StopIDs(ctx context.Context, ids []string) ([]*Backfill, error) {
	var out []*Backfill
	var problems []string
	for _, id := range ids {
		e, err := b.Describe(ctx, "--stop", id, false)
		if err != nil {
			var ue *session.UsageError
			if errors.As(err, &ue) {
				problems = append(problems, ue.Problems...)
				continue
			}
			return nil, err
		}
		if err := b.stopOne(ctx, e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if len(problems) > 0 {
		return out, &session.UsageError{Problems: problems}
	}
	return out, nil
}

// StopAll stops every PREPARING or IN_PROGRESS backfill to one of dests; a backfill to another
// destination (another team's, sharing the registry, or one --destination left out) is listed
// and left alone. InConfiguration tells the configuration's destinations (inConfig) from others.
func (b *Backfiller) StopAll(ctx context.Context, inConfig, dests []replication.Destination) ([]*Backfill, error) {
	all, err := listAll(ctx, b.ECR, b.Registry)
	if err != nil {
		return nil, b.apiError(ctx, err, "ListReplicationBackfills")
	}
	var out []*Backfill
	for _, s := range all {
		if !holdsSlot(string(s.Status)) {
			continue
		}
		e := &Backfill{Destination: destinationOf(s.Destination), Action: ActionListed}
		e.fromSummary(s)
		e.InConfiguration = slices.Contains(inConfig, e.Destination)
		if !slices.Contains(dests, e.Destination) {
			e.Detail = fmt.Sprintf("left alone: not a destination this run covers (stop it with --stop %s)", e.ID)
		} else if err := b.stopOne(ctx, e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// stopOne stops e if it can be stopped, and says why not otherwise.
func (b *Backfiller) stopOne(ctx context.Context, e *Backfill) error {
	switch {
	case e.Status == string(types.ReplicationBackfillStatusStopping) || e.Status == string(types.ReplicationBackfillStatusStopped):
		e.Detail = "already " + e.Status
		return nil
	case !Stoppable(e.Status):
		e.Action = ActionRefused
		e.Detail = fmt.Sprintf("cannot be stopped: it is %s; only a PREPARING or IN_PROGRESS backfill can be stopped", e.Status)
		return nil
	}
	out, err := b.ECR.StopReplicationBackfill(ctx, &ecr.StopReplicationBackfillInput{RegistryId: aws.String(b.Registry), ReplicationBackfillId: aws.String(e.ID)})
	if session.IsCode(err, "ReplicationBackfillInvalidStatusException") {
		// It reached a terminal status since it was read.
		e.Action = ActionRefused
		e.Detail = "cannot be stopped any more: " + session.Short(err)
		return nil
	}
	if err != nil {
		return b.apiError(ctx, err, "StopReplicationBackfill")
	}
	e.Action, e.Status = ActionStopped, string(out.Status)
	e.Detail = "stop requested: replications already running finish, nothing already replicated is removed"
	b.Display.Log(fmt.Sprintf("stopping backfill %s to %s: %s", e.ID, label(e.Destination), e.Status))
	return nil
}

// Status lists the registry's backfills (ECR keeps terminal ones for 90 days), those to dests
// only when filter is set. InConfiguration tells the configuration's destinations (inConfig)
// from the others.
func (b *Backfiller) Status(ctx context.Context, inConfig, dests []replication.Destination, filter bool) ([]*Backfill, error) {
	all, err := listAll(ctx, b.ECR, b.Registry)
	if err != nil {
		return nil, b.apiError(ctx, err, "ListReplicationBackfills")
	}
	var out []*Backfill
	for _, s := range all {
		e := &Backfill{Destination: destinationOf(s.Destination), Action: ActionListed}
		e.fromSummary(s)
		if filter && !slices.Contains(dests, e.Destination) {
			continue
		}
		e.InConfiguration = slices.Contains(inConfig, e.Destination)
		if !e.InConfiguration {
			e.Detail = "not a destination of this configuration"
		}
		out = append(out, e)
	}
	return out, nil
}
