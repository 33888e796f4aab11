package backfill_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// fakeECR answers the four replication-backfill operations of ECR, which moto 5.2 lacks, and
// sends every other request (DescribeRegistry, STS) to moto_server.
//
// Wire shapes: awsJson1_1 with camelCase members, timestamps as epoch seconds, errors as
// {"__type": CODE, "message": …} with HTTP 400, as the AWS SDK for Go v2 reads them
// (service/ecr v1.69.0: schemas/schemas.go and the response snapshots
// response_snapshot/{StartReplicationBackfill,DescribeReplicationBackfillResults,
// ListReplicationBackfills,StopReplicationBackfill}.response.snap and
// ReplicationBackfill*Exception.error.snap).
//
// Behaviour, from the ECR API Reference (API_StartReplicationBackfill,
// API_DescribeReplicationBackfillResults, API_ListReplicationBackfills,
// API_StopReplicationBackfill) and the user guide's replication-backfill page:
//   - a new backfill is returned PREPARING; it is PREPARING for plan.prepare, then IN_PROGRESS
//     for plan.run (replications done evenly over that time), then COMPLETE, or FAILED as soon
//     as at least 100 replications are done and at least half of them failed;
//   - progress is absent while PREPARING (and for a backfill stopped while preparing); results
//     are returned only at a terminal status, filtered by resultStatusFilter, paged by maxResults
//     (1–1000, default 100); ListReplicationBackfills pages by maxResults (1–50, default 25);
//   - one backfill in progress per destination region (ReplicationBackfillInProgressException),
//     ten per registry (LimitExceededException); the destination must be in the registry's
//     replication configuration (read from moto);
//   - only PREPARING and IN_PROGRESS backfills can be stopped
//     (ReplicationBackfillInvalidStatusException otherwise): PREPARING stops at once, IN_PROGRESS
//     becomes STOPPING for plan.drain, then STOPPED; unknown IDs are
//     ReplicationBackfillNotFoundException.
//
// Assumptions where AWS documents nothing (the command must not depend on them): a STOPPING
// backfill still holds its region; the error for a destination that is not in the replication
// configuration (InvalidParameterException here); the order of ListReplicationBackfills (start
// order here); a run with fewer than half failed replications ends COMPLETE (the user guide
// says COMPLETE means all succeeded).
type fakeECR struct {
	t        *testing.T
	now      func() time.Time
	registry string
	region   string
	// moto reads the replication configuration of the source registry.
	moto *ecr.Client

	mu        sync.Mutex
	backfills []*fakeBackfill
	// plans by destination region; defaultPlan for the others.
	plans       map[string]plan
	defaultPlan plan
	// calls counts requests per operation; errors the error answers per operation and code.
	calls  map[string]int
	errors map[string]int
	// throttle is how many ThrottlingException answers each operation still gets.
	throttle map[string]int
	// deny answers AccessDeniedException to every call of an operation.
	deny map[string]bool
	// inFlight and maxInFlight measure concurrent backfill requests.
	inFlight, maxInFlight int
	// beforeStart runs (unlocked) before a StartReplicationBackfill is handled.
	beforeStart func(region, registry string)
	// describeTokens counts DescribeReplicationBackfillResults requests with a nextToken.
	describeTokens int
	seq            int

	server *httptest.Server
}

// result is one replication (an image and tag) of a plan; code "" is a success.
type result struct {
	repo, tag, digest, code string
	sub                     []string
}

// plan is how a backfill to one destination unfolds.
type plan struct {
	prepare, run, drain time.Duration
	results             []result
	// failureCode is the backfill's own failure code once FAILED.
	failureCode string
}

type fakeBackfill struct {
	id, region, registry string
	started              time.Time
	plan                 plan
	stopAt               *time.Time
}

const backfillTarget = "AmazonEC2ContainerRegistry_V20150921."

// newFakeECR starts the server in front of moto (motoEndpoint); now is the clock the
// backfills' statuses follow.
func newFakeECR(t *testing.T, motoEndpoint, registry, region string, now func() time.Time, motoECR *ecr.Client) *fakeECR {
	f := &fakeECR{
		t: t, now: now, registry: registry, region: region, moto: motoECR,
		plans: map[string]plan{}, calls: map[string]int{}, errors: map[string]int{}, throttle: map[string]int{}, deny: map[string]bool{},
		defaultPlan: plan{prepare: time.Minute, run: 4 * time.Minute, drain: time.Minute, results: images("enterprise-apps/production", 8, 0, "")},
	}
	target, err := url.Parse(motoEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	handlers := map[string]func([]byte) (int, any){
		"StartReplicationBackfill":           f.start,
		"DescribeReplicationBackfillResults": f.locked(1000, f.describe),
		"ListReplicationBackfills":           f.locked(50, f.list),
		"StopReplicationBackfill":            f.locked(0, f.stop),
	}
	f.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, isECR := strings.CutPrefix(r.Header.Get("X-Amz-Target"), backfillTarget)
		h, ok := handlers[op]
		if !isECR || !ok {
			forward.ServeHTTP(w, r)
			return
		}
		f.serve(w, r, op, h)
	}))
	t.Cleanup(f.server.Close)
	return f
}

// serve answers one backfill request: throttled, refused for the wrong region, or handled.
func (f *fakeECR) serve(w http.ResponseWriter, r *http.Request, op string, h func([]byte) (int, any)) {
	f.mu.Lock()
	f.calls[op]++
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	throttled, denied := f.throttle[op] > 0, f.deny[op]
	if throttled {
		f.throttle[op]--
	}
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.inFlight--; f.mu.Unlock() }()
	time.Sleep(time.Millisecond) // lets concurrent requests overlap, for maxInFlight
	body, _ := io.ReadAll(r.Body)
	status, out := http.StatusBadRequest, any(apiError("ThrottlingException", "Rate exceeded"))
	switch region := signedRegion(r); {
	case throttled:
	case denied:
		out = apiError("AccessDeniedException", "User: arn:aws:iam::123456789012:user/test is not authorized to perform: ecr:"+op)
	case region != f.region:
		f.t.Errorf("%s signed for %q: every backfill call belongs in the source region %s", op, region, f.region)
		out = apiError("InvalidSignatureException", "test: wrong region "+region)
	default:
		status, out = h(body)
	}
	if e, ok := out.(errorBody); ok {
		f.mu.Lock()
		f.errors[op+" "+e.Type]++
		f.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}

type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func apiError(code, msg string) errorBody { return errorBody{Type: code, Message: msg} }

func badRequest(code, format string, a ...any) (int, any) {
	return http.StatusBadRequest, apiError(code, fmt.Sprintf(format, a...))
}

// signedRegion reads the region from the request's SigV4 credential scope.
func signedRegion(r *http.Request) string {
	_, cred, _ := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	parts := strings.Split(cred, "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

type wireDestination struct {
	Region     string `json:"region"`
	RegistryID string `json:"registryId"`
}

// request is every member the four operations take.
type request struct {
	RegistryID            *string          `json:"registryId"`
	Destination           *wireDestination `json:"destination"`
	ReplicationBackfillID string           `json:"replicationBackfillId"`
	ResultStatusFilter    string           `json:"resultStatusFilter"`
	MaxResults            *int             `json:"maxResults"`
	NextToken             string           `json:"nextToken"`
}

// parse reads a request and checks the members every operation shares.
func (f *fakeECR) parse(body []byte, maxPage int) (request, int, any) {
	var req request
	if err := json.Unmarshal(body, &req); err != nil {
		s, e := badRequest("SerializationException", "test: %v", err)
		return req, s, e
	}
	if req.RegistryID != nil && *req.RegistryID != f.registry {
		s, e := badRequest("InvalidParameterException", "test: registryId %s is not the caller's registry %s", *req.RegistryID, f.registry)
		return req, s, e
	}
	if req.MaxResults != nil && (*req.MaxResults < 1 || *req.MaxResults > maxPage) {
		s, e := badRequest("InvalidParameterException", "test: maxResults %d is outside 1-%d", *req.MaxResults, maxPage)
		return req, s, e
	}
	return req, 0, nil
}

func (f *fakeECR) start(body []byte) (int, any) {
	req, s, e := f.parse(body, 0)
	if e != nil {
		return s, e
	}
	if req.Destination == nil {
		return badRequest("InvalidParameterException", "destination is required")
	}
	d := *req.Destination
	if f.beforeStart != nil {
		f.beforeStart(d.Region, d.RegistryID)
	}
	if !f.configured(d) {
		return badRequest("InvalidParameterException", "The destination %s/%s is not in the registry's replication configuration", d.RegistryID, d.Region)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now, busy := f.now(), 0
	for _, b := range f.backfills {
		if st, _, _ := b.state(now); !terminal(st) {
			busy++
			if b.region == d.Region {
				return badRequest("ReplicationBackfillInProgressException", "A replication backfill is already in progress for destination Region %s", d.Region)
			}
		}
	}
	if busy >= 10 {
		return badRequest("LimitExceededException", "The registry already has %d replication backfills in progress", busy)
	}
	b := f.add(d.Region, d.RegistryID, now)
	return http.StatusOK, map[string]any{
		"replicationBackfillId": b.id, "registryId": f.registry, "destination": d,
		"status": "PREPARING", "startedAt": epoch(b.started),
	}
}

// seed records a backfill started now by someone else, as if StartReplicationBackfill had
// accepted it, and returns its ID.
func (f *fakeECR) seed(region, registry string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.add(region, registry, f.now()).id
}

// add records a backfill started at t; f.mu is held.
func (f *fakeECR) add(region, registry string, t time.Time) *fakeBackfill {
	f.seq++
	p, ok := f.plans[region]
	if !ok {
		p = f.defaultPlan
	}
	h := fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprint("backfill ", f.seq)))) // a version-4 UUID, the same every run
	id := h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
	b := &fakeBackfill{id: id, region: region, registry: registry, started: t, plan: p}
	f.backfills = append(f.backfills, b)
	return b
}

// configured reports whether moto's replication configuration of the source registry sends
// to d.
func (f *fakeECR) configured(d wireDestination) bool {
	out, err := f.moto.DescribeRegistry(context.Background(), &ecr.DescribeRegistryInput{})
	if err != nil {
		f.t.Errorf("reading moto's replication configuration: %v", err)
		return false
	}
	if out.ReplicationConfiguration == nil {
		return false
	}
	for _, r := range out.ReplicationConfiguration.Rules {
		for _, rd := range r.Destinations {
			if aws.ToString(rd.Region) == d.Region && aws.ToString(rd.RegistryId) == d.RegistryID {
				return true
			}
		}
	}
	return false
}

// locked parses a request (maxPage: the largest maxResults the operation takes) and answers it
// with h, f.mu held.
func (f *fakeECR) locked(maxPage int, h func(request) (int, any)) func([]byte) (int, any) {
	return func(body []byte) (int, any) {
		req, s, e := f.parse(body, maxPage)
		if e != nil {
			return s, e
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		return h(req)
	}
}

// named finds the request's backfill, or answers ReplicationBackfillNotFoundException.
func (f *fakeECR) named(req request) (*fakeBackfill, int, any) {
	for _, b := range f.backfills {
		if b.id == req.ReplicationBackfillID {
			return b, 0, nil
		}
	}
	s, e := badRequest("ReplicationBackfillNotFoundException", "Replication backfill %s not found in registry %s", req.ReplicationBackfillID, f.registry)
	return nil, s, e
}

func (f *fakeECR) describe(req request) (int, any) {
	b, s, e := f.named(req)
	if e != nil {
		return s, e
	}
	if req.NextToken != "" {
		f.describeTokens++
	}
	out := b.summary(f.now())
	out["registryId"] = f.registry
	if st, _, done := b.state(f.now()); terminal(st) {
		var matching []map[string]any
		for _, r := range b.plan.results[:max(done, 0)] {
			if w := r.wire(); req.ResultStatusFilter == "" || w["status"] == req.ResultStatusFilter {
				matching = append(matching, w)
			}
		}
		if s, e := putPage(out, "results", matching, req.MaxResults, 100, req.NextToken); e != nil {
			return s, e
		}
	}
	return http.StatusOK, out
}

func (f *fakeECR) list(req request) (int, any) {
	var all []map[string]any
	for _, b := range f.backfills {
		all = append(all, b.summary(f.now()))
	}
	out := map[string]any{"registryId": f.registry}
	if s, e := putPage(out, "backfills", all, req.MaxResults, 25, req.NextToken); e != nil {
		return s, e
	}
	return http.StatusOK, out
}

func (f *fakeECR) stop(req request) (int, any) {
	b, s, e := f.named(req)
	if e != nil {
		return s, e
	}
	now := f.now()
	if st, _, _ := b.state(now); st != "PREPARING" && st != "IN_PROGRESS" {
		return badRequest("ReplicationBackfillInvalidStatusException", "Replication backfill %s is %s and cannot be stopped", b.id, st)
	}
	b.stopAt = &now
	st, _, _ := b.state(now)
	return http.StatusOK, map[string]any{
		"replicationBackfillId": b.id, "registryId": f.registry, "destination": wireDestination{b.region, b.registry},
		"status": st, "startedAt": epoch(b.started),
	}
}

// putPage puts into out, under key, the page of items of size (default def) that token (an
// offset, opaque to the client) starts, and the nextToken of the next page if there is one.
func putPage[T any](out map[string]any, key string, items []T, size *int, def int, token string) (int, any) {
	n, from := def, 0
	if size != nil {
		n = *size
	}
	if token != "" {
		i, err := strconv.Atoi(strings.TrimPrefix(token, "page-"))
		if err != nil || i < 0 || i > len(items) {
			return badRequest("InvalidParameterException", "test: bad nextToken %q", token)
		}
		from = i
	}
	to := min(from+n, len(items))
	if to < len(items) {
		out["nextToken"] = "page-" + strconv.Itoa(to)
	}
	out[key] = append([]T{}, items[from:to]...)
	return 0, nil
}

func terminal(status string) bool {
	return status == "COMPLETE" || status == "FAILED" || status == "STOPPED"
}

func epoch(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// processedAt is how many replications are done at t.
func (b *fakeBackfill) processedAt(t time.Time) int {
	n, from := len(b.plan.results), b.started.Add(b.plan.prepare)
	switch {
	case t.Before(from):
		return 0
	case b.plan.run == 0 || !t.Before(from.Add(b.plan.run)):
		return n
	}
	return int(int64(n) * int64(t.Sub(from)) / int64(b.plan.run))
}

// failsAt is the number of done replications at which the backfill fails (at least 100
// done, at least half failed), or -1.
func (b *fakeBackfill) failsAt() int {
	failed := 0
	for k, r := range b.plan.results {
		if r.code != "" {
			failed++
		}
		if done := k + 1; done >= 100 && 2*failed >= done {
			return done
		}
	}
	return -1
}

// timeOf is when the k-th replication is done.
func (b *fakeBackfill) timeOf(k int) time.Time {
	from := b.started.Add(b.plan.prepare)
	if n := len(b.plan.results); n > 0 {
		return from.Add(time.Duration(int64(b.plan.run) * int64(k) / int64(n)))
	}
	return from
}

// state is the backfill's status at now, when it ended (nil while running), and how many
// replications are done (-1: no progress yet).
func (b *fakeBackfill) state(now time.Time) (string, *time.Time, int) {
	prepared := b.started.Add(b.plan.prepare)
	if b.stopAt != nil && b.stopAt.Before(prepared) {
		return "STOPPED", b.stopAt, -1
	}
	if now.Before(prepared) {
		return "PREPARING", nil, -1
	}
	limit := now
	if b.stopAt != nil && b.stopAt.Before(limit) {
		limit = *b.stopAt
	}
	k := b.processedAt(limit)
	if f := b.failsAt(); f >= 0 && k >= f {
		t := b.timeOf(f)
		return "FAILED", &t, f
	}
	if b.stopAt != nil {
		end := b.stopAt.Add(b.plan.drain)
		if now.Before(end) {
			return "STOPPING", nil, k
		}
		return "STOPPED", &end, k
	}
	if k < len(b.plan.results) {
		return "IN_PROGRESS", nil, k
	}
	t := prepared.Add(b.plan.run)
	return "COMPLETE", &t, k
}

// summary is the backfill as ListReplicationBackfills and DescribeReplicationBackfillResults
// show it.
func (b *fakeBackfill) summary(now time.Time) map[string]any {
	st, ended, done := b.state(now)
	out := map[string]any{
		"replicationBackfillId": b.id, "destination": wireDestination{b.region, b.registry},
		"status": st, "startedAt": epoch(b.started),
	}
	if ended != nil {
		out["endedAt"] = epoch(*ended)
	}
	if st == "FAILED" && b.plan.failureCode != "" {
		out["failureCode"] = b.plan.failureCode
	}
	if done >= 0 {
		completed, failed, codes := 0, 0, []string{}
		for _, r := range b.plan.results[:done] {
			if r.code == "" {
				completed++
				continue
			}
			failed++
			if !slices.Contains(codes, r.code) {
				codes = append(codes, r.code)
			}
		}
		out["progress"] = map[string]any{
			"totalReplicationCount": len(b.plan.results), "completedReplicationCount": completed,
			"failedReplicationCount": failed, "failureCodes": codes,
		}
	}
	return out
}

func (r result) wire() map[string]any {
	w := map[string]any{"repositoryName": r.repo, "imageId": map[string]any{"imageDigest": r.digest, "imageTag": r.tag}, "status": "COMPLETE"}
	if r.code != "" {
		w["status"], w["failureCode"] = "FAILED", r.code
	}
	if r.sub != nil {
		w["subImageFailureCodes"] = r.sub
	}
	return w
}

// images returns n replications of repo; every failEvery-th one (0: none) fails with code.
func images(repo string, n, failEvery int, code string) []result {
	out := make([]result, n)
	for i := range out {
		out[i] = result{repo: repo, tag: fmt.Sprintf("release-%d", i), digest: fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(repo+fmt.Sprint(i))))}
		if failEvery > 0 && i%failEvery == failEvery-1 {
			out[i].code = code
		}
	}
	return out
}

// count returns the calls of op; errorCount the error answers of op with code.
func (f *fakeECR) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *fakeECR) errorCount(op, code string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.errors[op+" "+code]
}

// nth is the ID of the i-th backfill started (from 0).
func (f *fakeECR) nth(i int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.backfills[i].id
}

// mustFind returns the backfill with id; f.mu is held.
func (f *fakeECR) mustFind(id string) *fakeBackfill {
	b, _, e := f.named(request{ReplicationBackfillID: id})
	if e != nil {
		f.t.Fatalf("no backfill %s", id)
	}
	return b
}

// endOf is when a backfill ended (the zero time while it runs).
func (f *fakeECR) endOf(id string) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ended, _ := f.mustFind(id).state(f.now()); ended != nil {
		return *ended
	}
	return time.Time{}
}

// statusOf is a backfill's status now.
func (f *fakeECR) statusOf(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, _, _ := f.mustFind(id).state(f.now())
	return st
}
