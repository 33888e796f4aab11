package backfill

import (
	"context"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/acme-platform/ecr-replication/internal/session"
)

// ECRAPI is the part of the ECR API the command uses, all of it on the source registry in the
// source region; *ecr.Client implements it. StartReplicationBackfill and
// StopReplicationBackfill are the only calls that change anything.
type ECRAPI interface {
	DescribeRegistry(context.Context, *ecr.DescribeRegistryInput, ...func(*ecr.Options)) (*ecr.DescribeRegistryOutput, error)
	StartReplicationBackfill(context.Context, *ecr.StartReplicationBackfillInput, ...func(*ecr.Options)) (*ecr.StartReplicationBackfillOutput, error)
	DescribeReplicationBackfillResults(context.Context, *ecr.DescribeReplicationBackfillResultsInput, ...func(*ecr.Options)) (*ecr.DescribeReplicationBackfillResultsOutput, error)
	ListReplicationBackfills(context.Context, *ecr.ListReplicationBackfillsInput, ...func(*ecr.Options)) (*ecr.ListReplicationBackfillsOutput, error)
	StopReplicationBackfill(context.Context, *ecr.StopReplicationBackfillInput, ...func(*ecr.Options)) (*ecr.StopReplicationBackfillOutput, error)
}

// NewECR returns the ECR client of region. Unless the configuration chooses a retry mode
// (AWS_RETRY_MODE, retry_mode in the shared config), it uses the SDK's adaptive mode, which
// retries throttled calls and then slows the request rate down on the client side, so that
// polling a fleet of destinations backs off instead of failing. AWS_MAX_ATTEMPTS still applies.
//
// The SDK counts LimitExceededException as throttling; for StartReplicationBackfill ECR uses it
// for "ten backfills in progress", which no retry within seconds changes, so this client
// neither retries it nor slows down for it: the command queues the destination instead.
func NewECR(cfg aws.Config, region string) *ecr.Client {
	cfg = cfg.Copy()
	cfg.Region = region
	if cfg.Retryer != nil || cfg.RetryMode != "" {
		return ecr.NewFromConfig(cfg)
	}
	// The client resolves its default retryer before it applies this option, which replaces it.
	return ecr.NewFromConfig(cfg, func(o *ecr.Options) {
		o.Retryer = retry.NewAdaptiveMode(func(ao *retry.AdaptiveModeOptions) {
			ao.Throttles = append([]retry.IsErrorThrottle{retry.IsErrorThrottleFunc(notForLimit)}, ao.Throttles...)
			ao.StandardOptions = append(ao.StandardOptions, func(so *retry.StandardOptions) {
				so.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(notForLimit)}, so.Retryables...)
			})
		})
	})
}

// notForLimit says "no" for LimitExceededException and "don't know" for anything else.
func notForLimit(err error) aws.Ternary {
	if session.IsCode(err, "LimitExceededException") {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// Limits and page sizes the ECR API Reference documents (StartReplicationBackfill,
// ListReplicationBackfills, DescribeReplicationBackfillResults).
const (
	// MaxInProgress is the number of backfills a registry may have in progress at once.
	MaxInProgress = 10
	// listPageSize is ListReplicationBackfills' largest page (1–50, default 25).
	listPageSize = 50
	// resultsPageSize is DescribeReplicationBackfillResults' largest page (1–1000, default 100).
	resultsPageSize = 1000
)

// backfillID is the pattern of replicationBackfillId (a UUID), from the ECR API Reference
// (API_StopReplicationBackfill, API_ReplicationBackfillSummary).
var backfillID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Statuses of a backfill besides ECR's: a destination whose backfill the command has not
// started (yet).
const (
	// StatusQueued: waiting for a slot (one in progress per destination region, ten per
	// registry).
	StatusQueued = "QUEUED"
	// StatusNotStarted: StartReplicationBackfill refused for another reason than a slot.
	StatusNotStarted = "NOT_STARTED"
)

// Terminal reports whether an ECR backfill status is final: COMPLETE, FAILED or STOPPED.
func Terminal(status string) bool {
	switch types.ReplicationBackfillStatus(status) {
	case types.ReplicationBackfillStatusComplete, types.ReplicationBackfillStatusFailed, types.ReplicationBackfillStatusStopped:
		return true
	}
	return false
}

// Stoppable reports whether a backfill in this status can be stopped (and attached to):
// PREPARING or IN_PROGRESS.
func Stoppable(status string) bool {
	switch types.ReplicationBackfillStatus(status) {
	case types.ReplicationBackfillStatusPreparing, types.ReplicationBackfillStatusInProgress:
		return true
	}
	return false
}

// holdsSlot reports whether a backfill in this status counts against the limits: every ECR
// status that is not terminal. STOPPING is counted too: AWS does not say whether it frees the
// slot before STOPPED, and starting too early only costs a queued retry.
func holdsSlot(status string) bool {
	return status != "" && !Terminal(status) && status != StatusQueued && status != StatusNotStarted
}

// listAll returns every backfill of the registry (ECR keeps terminal ones for 90 days), all
// pages.
func listAll(ctx context.Context, api ECRAPI, registry string) ([]types.ReplicationBackfillSummary, error) {
	var out []types.ReplicationBackfillSummary
	in := &ecr.ListReplicationBackfillsInput{RegistryId: aws.String(registry), MaxResults: aws.Int32(listPageSize)}
	for {
		page, err := api.ListReplicationBackfills(ctx, in)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Backfills...)
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

// describePage reads a backfill's status and progress with one page of its failed
// replications (of size results, at most resultsPageSize; the list is empty until a terminal
// status). token is "" for the first page.
func describePage(ctx context.Context, api ECRAPI, registry, id, token string, results int32) (*ecr.DescribeReplicationBackfillResultsOutput, error) {
	in := &ecr.DescribeReplicationBackfillResultsInput{
		RegistryId:            aws.String(registry),
		ReplicationBackfillId: aws.String(id),
		ResultStatusFilter:    types.ReplicationBackfillResultStatusFailed,
		MaxResults:            aws.Int32(results),
	}
	if token != "" {
		in.NextToken = aws.String(token)
	}
	return api.DescribeReplicationBackfillResults(ctx, in)
}
