package verify

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/middleware"

	"github.com/acme-platform/ecr-replication/internal/cli"
)

// Request limits. verify reads every repository of every region, so a fleet of 400
// repositories in 9 registries means thousands of requests; they run in parallel, bounded:
//
//   - at most Concurrency requests in flight across every account and region (--concurrency,
//     DefaultConcurrency; 1 runs them one at a time);
//   - per account, region and API, at most PerAPIInFlight in flight, and at most the API's rate
//     started in any one second: ECR's published quota where there is one, else
//     UndocumentedRate;
//   - adaptive retry (aws-sdk-go-v2 retry.AdaptiveMode, unless AWS_RETRY_MODE says otherwise):
//     a ThrottlingException is retried, and the client then slows its own request rate down.
const (
	// DefaultConcurrency is the default of --concurrency.
	DefaultConcurrency = 16
	// MaxConcurrency is the most --concurrency accepts.
	MaxConcurrency = 64
	// PerAPIInFlight is how many requests of one API verify has in flight at most in one
	// account and region.
	PerAPIInFlight = 4
	// UndocumentedRate is the pace, in requests a second per account, region and API, of the
	// APIs without a published rate quota (DescribeRepositories, GetLifecyclePolicy,
	// GetRepositoryPolicy, DescribeImages, DescribeImageReplicationStatus and every non-ECR API
	// verify calls). It is this tool's choice, not an AWS figure: AWS throttles those APIs at
	// rates it does not publish, and adaptive retry slows down further when it does.
	UndocumentedRate = 20
)

// documentedRates are ECR's published request-rate quotas, per second in each account and
// region, of the APIs verify calls that have one. The Amazon ECR service quotas page
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html, "Rate of <API>
// requests") lists rates for the image push and pull APIs only (BatchCheckLayerAvailability
// 1,000, BatchGetImage 2,000, CompleteLayerUpload 100, GetAuthorizationToken 500,
// GetDownloadUrlForLayer 3,000, InitiateLayerUpload 100, PutImage 10, UploadLayerPart 500);
// none for DescribeRepositories, DescribeImages or the other read APIs.
var documentedRates = map[string]int{
	"ECR/BatchGetImage": 2000,
	"ECR/PutImage":      10,
}

// rateOf is how many requests of one API of a service may start in one second.
func rateOf(service, operation string) int {
	if r, ok := documentedRates[service+"/"+operation]; ok {
		return r
	}
	return UndocumentedRate
}

// Limits bounds the requests of one run; every SDK client of the run shares one.
type Limits struct {
	global chan struct{}
	// concurrency is the capacity of global.
	concurrency int
}

// NewLimits returns the limits of a run with at most concurrency requests in flight.
func NewLimits(concurrency int) *Limits {
	concurrency = max(concurrency, 1)
	return &Limits{global: make(chan struct{}, concurrency), concurrency: concurrency}
}

// Concurrency is the most requests in flight at once.
func (l *Limits) Concurrency() int { return l.concurrency }

// HTTPClient wraps the HTTP client of one service's SDK client in one account and region: every
// attempt (retries included) waits for its API's pace and for a free place, and holds it until
// the response body is closed.
func (l *Limits) HTTPClient(inner aws.HTTPClient, service string) aws.HTTPClient {
	return &limitedClient{inner: inner, service: service, global: l.global, apis: map[string]*apiLimit{}}
}

type limitedClient struct {
	inner   aws.HTTPClient
	service string
	global  chan struct{}

	mu   sync.Mutex
	apis map[string]*apiLimit
}

// apiLimit is the in-flight bound and the rate of one API in one account and region.
type apiLimit struct {
	slots chan struct{}

	mu sync.Mutex
	// starts are the start times of the last rate requests (reserved, so some may lie ahead),
	// a ring whose oldest entry is starts[next].
	starts []time.Time
	next   int
}

func (c *limitedClient) api(operation string) *apiLimit {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.apis[operation]
	if !ok {
		a = &apiLimit{slots: make(chan struct{}, PerAPIInFlight), starts: make([]time.Time, rateOf(c.service, operation))}
		c.apis[operation] = a
	}
	return a
}

// Do implements aws.HTTPClient.
func (c *limitedClient) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	release, err := c.api(middleware.GetOperationName(ctx)).acquire(ctx, c.global)
	if err != nil {
		return nil, err
	}
	resp, err := c.inner.Do(req)
	if err != nil || resp == nil || resp.Body == nil {
		release()
		return resp, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: sync.OnceFunc(release)}
	return resp, nil
}

// acquire takes a place of the API, waits for its pace, then takes a place of the run; the
// returned function gives both back.
func (a *apiLimit) acquire(ctx context.Context, global chan struct{}) (func(), error) {
	select {
	case a.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := a.pace(ctx); err != nil {
		<-a.slots
		return nil, err
	}
	select {
	case global <- struct{}{}:
	case <-ctx.Done():
		<-a.slots
		return nil, ctx.Err()
	}
	return func() { <-global; <-a.slots }, nil
}

// pace waits until the API may start another request.
func (a *apiLimit) pace(ctx context.Context) error {
	now := time.Now()
	if wait := a.reserve(now).Sub(now); wait > 0 {
		return cli.Sleep(ctx, wait)
	}
	return nil
}

// reserve books the start of a request asked for at now and returns it: at most len(starts)
// start in any one second, so a burst up to the rate starts at once and more wait for the
// second to pass.
func (a *apiLimit) reserve(now time.Time) time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	start := now
	if earliest := a.starts[a.next].Add(time.Second); earliest.After(now) {
		start = earliest
	}
	a.starts[a.next] = start
	a.next = (a.next + 1) % len(a.starts)
	return start
}

// releasingBody gives the request's places back when the SDK closes the response body (it
// always does, after reading it or on an error).
type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}
