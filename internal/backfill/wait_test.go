package backfill_test

import (
	"strings"
	"testing"
	"time"
)

func TestWaitUntilEveryBackfillCompletes(t *testing.T) {
	w := newWorld(t, nil)
	code, out, stderr := w.run("--wait", "1h")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	west := w.fake.nth(0)
	// Progress on stderr, one plain line per change (not a terminal): preparing, replicating, done.
	expectDetail(t, "stderr", stderr,
		"started backfill "+west+" to us-west-2 (123456789012)",
		"backfill: 0 of 2 finished; waiting until 10:00:00 UTC",
		"us-west-2 (123456789012)  PREPARING    preparing the list of images",
		"us-west-2 (123456789012)  IN_PROGRESS  4/8 done",
		"backfill "+west+" to us-west-2 (123456789012): COMPLETE",
		"us-west-2 (123456789012)  COMPLETE     8/8 done",
		"backfill: 2 of 2 finished")
	if strings.Contains(stderr, "\033[") {
		t.Errorf("control characters on a stderr that is not a terminal: %q", stderr)
	}
	if n := strings.Count(stderr, "IN_PROGRESS  4/8 done"); n != 2 { // once per destination: lines repeat only on change
		t.Errorf("a progress line printed %d times, want once per destination:\n%s", n, stderr)
	}
	expectDetail(t, "stdout", out, "us-west-2 (123456789012)  COMPLETE  8          0       8      "+west+"  started; took 5m0s",
		"2 COMPLETE: every backfill COMPLETE")

	code, r, _ := w.runJSON("--status")
	if code != 0 || len(r.Backfills) != 2 || r.Backfills[0].Progress == nil || r.Backfills[0].Progress.Completed != 8 || r.Backfills[0].EndedAt == "" {
		t.Errorf("--status after the wait: exit %d, %+v", code, r.Backfills)
	}
}

func TestFailedBackfillExitsOneWithItsFailureCodes(t *testing.T) {
	w := newWorld(t, nil)
	// Every second replication to eu-west-1 fails; one is a manifest list whose images failed.
	results := images("enterprise-apps/production", 150, 2, "ACCESS_DENIED")
	results[3].code, results[3].sub = "SUB_IMAGE_FAILED", []string{"ACCESS_DENIED", "IMAGE_TOO_LARGE"}
	w.fake.plans[de1] = plan{prepare: time.Minute, run: 10 * time.Minute, results: results, failureCode: "REPLICATION_FAILURE_THRESHOLD"}
	code, r, stderr := w.runJSON("--wait", "1h")
	if code != 1 || r.OK {
		t.Fatalf("exit %d (ok %v), want 1 for a FAILED backfill\n%s", code, r.OK, stderr)
	}
	if b := r.to(t, dw2); b.Status != "COMPLETE" {
		t.Errorf("us-west-2: %+v", b)
	}
	b := r.to(t, de1)
	// ECR fails a backfill once at least half of at least 100 replications failed.
	if b.Status != "FAILED" || b.FailureCode != "REPLICATION_FAILURE_THRESHOLD" || b.Progress == nil ||
		b.Progress.Completed != 50 || b.Progress.Failed != 50 || b.Progress.Total != 150 {
		t.Fatalf("eu-west-1: %+v", b)
	}
	if got := strings.Join(b.Progress.FailureCodes, ","); got != "ACCESS_DENIED,SUB_IMAGE_FAILED" {
		t.Errorf("failure codes %q", got)
	}
	if len(b.Failed) != 50 {
		t.Fatalf("%d failed replications listed, want all 50", len(b.Failed))
	}
	f := b.Failed[1] // results[3], the manifest list
	if f.Repository != "enterprise-apps/production" || f.ImageTag != "release-3" || !strings.HasPrefix(f.ImageDigest, "sha256:") ||
		f.FailureCode != "SUB_IMAGE_FAILED" || strings.Join(f.Sub, ",") != "ACCESS_DENIED,IMAGE_TOO_LARGE" {
		t.Errorf("manifest list: %+v", f)
	}

	_, out, _ := w.run("--results", b.ID)
	expectDetail(t, "--results table", out, "eu-west-1 (123456789012)  FAILED", "backfill failure code REPLICATION_FAILURE_THRESHOLD",
		"FAILED REPLICATIONS to eu-west-1 (123456789012), backfill "+b.ID+": 50", "release-3 (sha256:", "SUB_IMAGE_FAILED  ACCESS_DENIED, IMAGE_TOO_LARGE",
		"… and 30 more (--json lists every one)", "1 FAILED: NOT every image was replicated: eu-west-1 (123456789012) FAILED, 50 failed replications")
}

func TestCompleteWithFailedReplicationsIsAProblemAndEveryPageIsRead(t *testing.T) {
	w := newWorld(t, map[string]any{"secondaryRegion": "none"})
	// 3000 replications, 40% failed: below ECR's threshold, so the backfill is not FAILED;
	// 1200 failed results take two pages of 1000.
	results := images("enterprise-apps/testing", 3000, 0, "")
	for i := range results {
		if i%5 < 2 {
			results[i].code = "ACCESS_DENIED"
		}
	}
	w.fake.plans[dw2] = plan{prepare: time.Minute, run: time.Hour, results: results}
	code, r, _ := w.runJSON("--wait", "2h", "--poll-interval", "5m")
	b := r.to(t, dw2)
	if code != 1 || b.Status != "COMPLETE" || len(b.Failed) != 1200 || b.Progress.Failed != 1200 {
		t.Fatalf("exit %d, %s with %d failed listed (progress %+v); want exit 1 and all 1200", code, b.Status, len(b.Failed), b.Progress)
	}
	if w.fake.describeTokens == 0 {
		t.Error("the second page of results was never asked for")
	}
	seen := map[string]bool{}
	for _, f := range b.Failed {
		seen[f.ImageTag] = true
	}
	if len(seen) != 1200 {
		t.Errorf("%d distinct failed images, want 1200 (no page read twice)", len(seen))
	}
	code, out, _ := w.run("--results", b.ID)
	if code != 1 {
		t.Errorf("--results: exit %d", code)
	}
	expectDetail(t, "--results", out, "COMPLETE, but replications failed", "… and 1180 more (--json lists every one)",
		"1 COMPLETE: NOT every image was replicated: us-west-2 (123456789012) COMPLETE, 1200 failed replications")
}

func TestDeadlineLeavesTheBackfillsRunning(t *testing.T) {
	w := newWorld(t, nil)
	code, r, _ := w.runJSON("--wait", "3m", "--poll-interval", "1m")
	if code != 1 || r.End != "deadline" || r.OK {
		t.Fatalf("exit %d, end %q", code, r.End)
	}
	for _, region := range []string{dw2, de1} {
		b := r.to(t, region)
		expectDetail(t, region, b.Detail, "still IN_PROGRESS when the deadline passed: it goes on in AWS", "--stop "+b.ID)
		if got := w.fake.statusOf(b.ID); got != "IN_PROGRESS" {
			t.Errorf("%s is %s in ECR, want still IN_PROGRESS", b.ID, got)
		}
	}
	if n := w.fake.count("StopReplicationBackfill"); n != 0 {
		t.Errorf("the deadline stopped %d backfills", n)
	}
	_, out, _ := w.run("--wait", "1m", "--poll-interval", "1m")
	expectDetail(t, "table", out, "the deadline passed; the backfills still running go on in AWS")
}

func TestInterruptDetachesAndLeavesTheBackfillsRunning(t *testing.T) {
	w := newWorld(t, nil)
	w.interruptAt = 4 // after 1m30s: both IN_PROGRESS
	code, r, stderr := w.runJSON("--wait", "1h")
	if code != 130 || r.End != "detached" {
		t.Fatalf("exit %d, end %q, stderr %s", code, r.End, stderr)
	}
	expectDetail(t, "stderr", stderr, "backfill: interrupted: detached; the backfills go on in AWS (they are not stopped)")
	for _, b := range r.Backfills {
		expectDetail(t, b.Destination.Region, b.Detail, "when detached: it goes on in AWS")
		if st := w.fake.statusOf(b.ID); st != "IN_PROGRESS" {
			t.Errorf("%s: %s after the interrupt, want IN_PROGRESS", b.ID, st)
		}
	}
	if n := w.fake.count("StopReplicationBackfill"); n != 0 {
		t.Errorf("Ctrl-C stopped %d backfills", n)
	}
	noTrace(t, stderr)
}

func TestTerminalProgressIsRedrawnInPlace(t *testing.T) {
	w := newWorld(t, nil)
	w.terminal = true
	code, _, stderr := w.run("--wait", "1h")
	if code != 0 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	// The block (a title and two destinations) is erased from its first line and redrawn.
	if !strings.Contains(stderr, "\r\033[2A\033[J") {
		t.Errorf("no in-place redraw of a three-line block: %q", stderr)
	}
	if !strings.HasSuffix(stderr, "COMPLETE     8/8 done\n") {
		t.Errorf("the last block is not left on screen ending its line: %q", stderr[max(0, len(stderr)-200):])
	}
}

func TestThrottledCallsAreRetried(t *testing.T) {
	w := newWorld(t, map[string]any{"secondaryRegion": "none"})
	// One throttled answer: the SDK waits about a second before the retry, and the adaptive
	// mode then slows the client down for a while (real time, not the test's clock).
	w.fake.throttle["DescribeReplicationBackfillResults"] = 1
	code, _, stderr := w.run("--wait", "1h", "--poll-interval", "5m") // one poll: the backfill is COMPLETE then
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := w.fake.errorCount("DescribeReplicationBackfillResults", "ThrottlingException"); n != 1 {
		t.Errorf("%d throttled answers, want 1", n)
	}
}

func TestAFleetIsPolledWithBoundedConcurrency(t *testing.T) {
	// 25 destinations, ECR's quota: ten start, fifteen queue and start as slots free.
	var regions []string
	for _, r := range []string{"us-east-2", "us-west-1", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-2",
		"eu-west-3", "eu-north-1", "eu-south-1", "eu-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
		"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2", "sa-east-1", "me-central-1", "il-central-1", "af-south-1"} {
		regions = append(regions, r+"@"+otherAccount)
	}
	w := newWorld(t, map[string]any{"additionalRegions": strings.Join(regions, ",")})
	code, r, stderr := w.runJSON("--wait", "6h")
	if code != 0 || len(r.Backfills) != 25 {
		t.Fatalf("exit %d, %d backfills\n%s", code, len(r.Backfills), stderr)
	}
	if m := w.fake.maxInFlight; m > 4 || m < 2 {
		t.Errorf("at most %d requests in flight, want 2 to 4 (parallel, bounded)", m)
	}
	refused := 0
	for _, code := range []string{"LimitExceededException", "ReplicationBackfillInProgressException"} {
		refused += w.fake.errorCount("StartReplicationBackfill", code)
	}
	if refused != 0 || w.fake.count("StartReplicationBackfill") != 25 {
		t.Errorf("%d starts, %d refused: each destination must start once, within the limits", w.fake.count("StartReplicationBackfill"), refused)
	}
	t.Logf("25 destinations: %d sleeps, %d Describe, %d List calls", w.sleeps,
		w.fake.count("DescribeReplicationBackfillResults"), w.fake.count("ListReplicationBackfills"))
}
