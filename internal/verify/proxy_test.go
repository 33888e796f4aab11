package verify_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// proxy sits between the command and moto_server. It forwards every request, after delay when
// set (the bench adds a real endpoint's round trip), counts the requests, per operation too,
// and the most in flight at once, and answers the operations in answers itself (replays of
// documented responses, or throttling). An operation is named by its X-Amz-Target (JSON
// protocols: ECR) or its Action (query protocols: CloudFormation, STS).
type proxy struct {
	*httptest.Server
	delay   func() time.Duration
	answers map[string]answer

	mu                 sync.Mutex
	requests, inFlight int
	peak               int
	perOp              map[string]int
}

// answer answers one request of an operation in a region (from its SigV4 scope): an HTTP status
// and a body (JSON, or XML when it starts with "<"). Status 0 forwards the request instead.
type answer = func(region string, body []byte) (int, string)

// newProxy starts a proxy in front of target for the test (or benchmark).
func newProxy(tb testing.TB, target string, delay func() time.Duration, answers map[string]answer) *proxy {
	tb.Helper()
	u, err := url.Parse(target)
	if err != nil {
		tb.Fatal(err)
	}
	p := &proxy{delay: delay, answers: answers, perOp: map[string]int{}}
	forward := httputil.NewSingleHostReverseProxy(u)
	forward.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.serve(w, r, forward)
	}))
	tb.Cleanup(p.Close)
	return p
}

func (p *proxy) serve(w http.ResponseWriter, r *http.Request, forward http.Handler) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	op := operation(r, body)
	p.enter(op)
	defer p.leave()
	if p.delay != nil {
		time.Sleep(p.delay())
	}
	if h, ok := p.answers[op]; ok {
		if status, text := h(signedRegion(r), body); status != 0 {
			contentType := "application/x-amz-json-1.1"
			if strings.HasPrefix(text, "<") {
				contentType = "text/xml"
			}
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, text)
			return
		}
	}
	forward.ServeHTTP(w, r)
}

// operation names the operation of a request.
func operation(r *http.Request, body []byte) string {
	if op := r.Header.Get("X-Amz-Target"); op != "" {
		return op[strings.LastIndex(op, ".")+1:]
	}
	if form, err := url.ParseQuery(string(body)); err == nil {
		return form.Get("Action")
	}
	return ""
}

func (p *proxy) enter(op string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	p.perOp[op]++
	p.inFlight++
	p.peak = max(p.peak, p.inFlight)
}

func (p *proxy) leave() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inFlight--
}

// stats returns the requests so far, the most in flight at once, and the requests per
// operation, and starts counting afresh.
func (p *proxy) stats() (requests, peak int, perOp map[string]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	requests, peak, perOp = p.requests, p.peak, p.perOp
	p.requests, p.peak, p.perOp = 0, 0, map[string]int{}
	return requests, peak, perOp
}

// signedRegion reads the region from the request's SigV4 credential scope.
func signedRegion(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return ""
	}
	parts := strings.Split(auth[i+len("Credential="):], "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}
