package verify_test

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Requests run in parallel, within --concurrency, and the report reads exactly as a run one
// request at a time: a proxy with random delays makes answers come back in another order than
// the requests went out.
func TestParallelReportIsTheSequentialReport(t *testing.T) {
	w := newWorld(t, nil)
	w.broken()
	p := newProxy(t, w.moto.endpoint, func() time.Duration { return time.Duration(rand.IntN(20)) * time.Millisecond }, nil)
	w.via(p.URL)

	type run struct {
		json, table    string
		requests, peak int
	}
	var runs []run
	for _, c := range []string{"1", "16"} {
		code, out, stderr := w.run("--concurrency", c, "--json")
		requests, peak, _ := p.stats()
		_, table, _ := w.run("--concurrency", c)
		p.stats()
		if code != 1 {
			t.Fatalf("--concurrency %s: exit %d, want 1 (the world has problems); stderr %s", c, code, stderr)
		}
		runs = append(runs, run{out, table, requests, peak})
	}
	seq, par := runs[0], runs[1]
	if seq.json != par.json {
		t.Errorf("the JSON report differs between --concurrency 1 and 16:\n%s", firstDifference(seq.json, par.json))
	}
	if seq.table != par.table {
		t.Errorf("the table differs between --concurrency 1 and 16:\n%s", firstDifference(seq.table, par.table))
	}
	if seq.peak != 1 {
		t.Errorf("--concurrency 1: %d requests in flight at once, want 1", seq.peak)
	}
	if par.peak < 2 || par.peak > 16 {
		t.Errorf("--concurrency 16: %d requests in flight at most, want 2 to 16", par.peak)
	}
	if seq.requests != par.requests {
		t.Errorf("%d requests one at a time, %d in parallel: the same checks must send the same requests", seq.requests, par.requests)
	}
}

// firstDifference shows the first line where a and b differ.
func firstDifference(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "line " + strconv.Itoa(i+1) + ":\n  " + la[i] + "\n  " + lb[i]
		}
	}
	return "one is a prefix of the other"
}

// ECR answers a request above its rate with ThrottlingException (HTTP 400; the ECR API
// Reference's common errors, https://docs.aws.amazon.com/AmazonECR/latest/APIReference/CommonErrors.html).
// The SDK's adaptive retry retries it, so the run is still healthy.
func TestThrottlingIsRetried(t *testing.T) {
	w := newWorld(t, nil)
	w.healthy()
	t.Setenv("AWS_MAX_ATTEMPTS", "") // the SDK's default number of attempts
	var mu sync.Mutex
	throttled := 0
	p := newProxy(t, w.moto.endpoint, nil, map[string]answer{
		"GetLifecyclePolicy": func(string, []byte) (int, string) {
			mu.Lock()
			defer mu.Unlock()
			if throttled < 3 {
				throttled++
				return http.StatusBadRequest, `{"__type":"ThrottlingException","message":"Rate exceeded"}`
			}
			return 0, ""
		},
		// moto lacks these two (HTTP 500, which the SDK would retry with backoff too).
		"DescribeRepositoryCreationTemplates": templateAnswer(w, nil),
		"DescribeImageReplicationStatus":      statusAnswer(w, func(string, string, string) (string, string) { return "COMPLETE", "" }),
	})
	w.via(p.URL)
	code, r, stderr := w.runJSON()
	if code != 0 {
		t.Fatalf("exit %d; problems %+v; stderr %s", code, r.problems(), stderr)
	}
	for _, region := range []string{src, dw2, de1} {
		for _, repo := range []string{production, testingRep} {
			r.expect(t, "lifecycle-policy", region, repo, "ok", "matches the configuration")
		}
	}
	_, _, perOp := p.stats()
	// 2 repositories in 3 regions, and the 3 throttled attempts once more.
	if n := perOp["GetLifecyclePolicy"]; n != 6+3 {
		t.Errorf("GetLifecyclePolicy: %d requests, want 9 (6 and 3 retries)", n)
	}
}
