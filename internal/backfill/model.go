package backfill

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/replication"
)

// Action is what the command did about a destination.
type Action string

// Actions.
const (
	ActionStarted    Action = "started"     // StartReplicationBackfill succeeded
	ActionAttached   Action = "attached"    // one was already running to this destination
	ActionQueued     Action = "queued"      // no slot: not started
	ActionNotStarted Action = "not-started" // StartReplicationBackfill refused for another reason
	ActionListed     Action = "listed"      // --status, --results: only read
	ActionStopped    Action = "stop-requested"
	ActionRefused    Action = "refused" // --stop of a backfill that cannot be stopped
)

// Progress is a backfill's progress, as ECR reports it once preparation is over. A
// replication is one image and tag.
type Progress struct {
	Total        int      `json:"total"`
	Completed    int      `json:"completed"`
	Failed       int      `json:"failed"`
	FailureCodes []string `json:"failureCodes"`
}

// ImageFailure is one failed replication of a terminal backfill.
type ImageFailure struct {
	Repository  string `json:"repository"`
	ImageDigest string `json:"imageDigest,omitempty"`
	ImageTag    string `json:"imageTag,omitempty"`
	FailureCode string `json:"failureCode,omitempty"`
	// SubImageFailureCodes are the distinct failure codes of the images a manifest list
	// references (only for a manifest list).
	SubImageFailureCodes []string `json:"subImageFailureCodes,omitempty"`
}

// Backfill is one destination's backfill as the command last saw it.
type Backfill struct {
	// Destination receives the images; Account is always set.
	Destination replication.Destination
	// InConfiguration is false for a backfill (--status) to a destination the configuration
	// does not name.
	InConfiguration bool
	// ID is ECR's replicationBackfillId, "" while queued.
	ID string
	// Action is what the command did.
	Action Action
	// Status is ECR's status, or StatusQueued / StatusNotStarted.
	Status string
	// StartedAt and EndedAt are ECR's times (EndedAt once terminal).
	StartedAt, EndedAt *time.Time
	// FailureCode is the backfill's own failure code (FAILED).
	FailureCode string
	// Progress is nil while PREPARING (and for a backfill stopped while preparing).
	Progress *Progress
	// Failures are the failed replications, read once the backfill is terminal.
	Failures []ImageFailure
	// ResultsRead is true once every page of Failures is read.
	ResultsRead bool
	// Detail says why (queued, refused, not started) or adds a note.
	Detail string
	// Note is said about the destination besides Detail (such as another rule that also
	// replicates to it).
	Note string
}

// Problem reports whether the backfill did not end well: not COMPLETE, or COMPLETE with failed
// replications.
func (b *Backfill) Problem() bool {
	if b.Status != string(types.ReplicationBackfillStatusComplete) {
		return true
	}
	return (b.Progress != nil && b.Progress.Failed > 0) || len(b.Failures) > 0
}

// queue marks the backfill as waiting for a slot.
func (b *Backfill) queue(reason string) {
	b.Action, b.Status, b.Detail = ActionQueued, StatusQueued, reason
}

// fromSummary fills b from a ListReplicationBackfills entry.
func (b *Backfill) fromSummary(s types.ReplicationBackfillSummary) {
	b.ID = aws.ToString(s.ReplicationBackfillId)
	b.Status = string(s.Status)
	b.StartedAt, b.EndedAt = s.StartedAt, s.EndedAt
	b.FailureCode = aws.ToString(s.FailureCode)
	b.Progress = progressOf(s.Progress)
}

// fromDescribe fills b from a DescribeReplicationBackfillResults page and appends its failed
// replications.
func (b *Backfill) fromDescribe(out *ecr.DescribeReplicationBackfillResultsOutput) {
	b.Status = string(out.Status)
	if out.StartedAt != nil {
		b.StartedAt = out.StartedAt
	}
	b.EndedAt = out.EndedAt
	b.FailureCode = aws.ToString(out.FailureCode)
	b.Progress = progressOf(out.Progress)
	for _, r := range out.Results {
		if r.Status != types.ReplicationBackfillResultStatusFailed {
			continue
		}
		f := ImageFailure{Repository: aws.ToString(r.RepositoryName), FailureCode: aws.ToString(r.FailureCode), SubImageFailureCodes: r.SubImageFailureCodes}
		if r.ImageId != nil {
			f.ImageDigest, f.ImageTag = aws.ToString(r.ImageId.ImageDigest), aws.ToString(r.ImageId.ImageTag)
		}
		b.Failures = append(b.Failures, f)
	}
}

func progressOf(p *types.ReplicationBackfillProgress) *Progress {
	if p == nil {
		return nil
	}
	return &Progress{
		Total: int(aws.ToInt32(p.TotalReplicationCount)), Completed: int(aws.ToInt32(p.CompletedReplicationCount)),
		Failed: int(aws.ToInt32(p.FailedReplicationCount)), FailureCodes: p.FailureCodes,
	}
}

// destinationOf turns ECR's destination into the configuration's vocabulary.
func destinationOf(d *types.ReplicationDestination) replication.Destination {
	if d == nil {
		return replication.Destination{}
	}
	return replication.Destination{Region: aws.ToString(d.Region), Account: aws.ToString(d.RegistryId)}
}

// progressLine renders "us-west-2 (123456789012)  IN_PROGRESS  40/100 done, 2 failed (ACCESS_DENIED)",
// the destination padded to width.
func (b *Backfill) progressLine(width int) string {
	s := fmt.Sprintf("%-*s  %-12s", width, label(b.Destination), b.Status)
	switch {
	case b.Status == StatusQueued:
		return s + " waiting for a slot"
	case b.Progress == nil && !Terminal(b.Status):
		return s + " preparing the list of images"
	case b.Progress == nil:
		return s
	}
	p := b.Progress
	s += fmt.Sprintf(" %d/%d done", p.Completed+p.Failed, p.Total)
	if p.Failed > 0 {
		s += fmt.Sprintf(", %d failed (%s)", p.Failed, strings.Join(p.FailureCodes, ", "))
	}
	return s
}

// label renders a destination as "us-west-2 (123456789012)".
func label(d replication.Destination) string {
	return fmt.Sprintf("%s (%s)", d.Region, d.Account)
}
