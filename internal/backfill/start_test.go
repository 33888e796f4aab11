package backfill_test

import (
	"strings"
	"testing"
	"time"
)

func TestStartsOneBackfillPerDestinationThenAttaches(t *testing.T) {
	// A destination in another account: backfill needs no credentials of it.
	w := newWorld(t, map[string]any{"additionalRegions": "ap-southeast-2@" + otherAccount})
	code, r, stderr := w.runJSON()
	if code != 0 || !r.OK || r.Mode != "start" || r.Registry != sourceAccount || r.Region != src {
		t.Fatalf("exit %d, report %+v, stderr %s", code, r, stderr)
	}
	ids := map[string]string{}
	for _, d := range []struct{ region, account string }{{dw2, sourceAccount}, {de1, sourceAccount}, {"ap-southeast-2", otherAccount}} {
		b := r.to(t, d.region)
		if b.Action != "started" || b.Status != "PREPARING" || b.Destination.Account != d.account || !b.InConfiguration || b.Progress != nil {
			t.Errorf("%s: %+v, want a started PREPARING backfill to %s without progress", d.region, b, d.account)
		}
		if got := w.fake.statusOf(b.ID); got != "PREPARING" {
			t.Errorf("%s: ECR has %s as %s", d.region, b.ID, got)
		}
		ids[d.region] = b.ID
	}
	if n := w.fake.count("StartReplicationBackfill"); n != 3 {
		t.Errorf("%d StartReplicationBackfill calls, want 3", n)
	}

	// Again a minute later (one is IN_PROGRESS by then): every destination is attached to,
	// nothing new is started.
	w.advance(90 * time.Second)
	code, out, stderr := w.run()
	if code != 0 || w.fake.count("StartReplicationBackfill") != 3 {
		t.Fatalf("second run: exit %d, %d starts\n%s\n%s", code, w.fake.count("StartReplicationBackfill"), out, stderr)
	}
	for region, id := range ids {
		if !strings.Contains(out, id) {
			t.Errorf("second run does not show %s's backfill %s:\n%s", region, id, out)
		}
	}
	expectDetail(t, "table", out, "IN_PROGRESS", "attached", "3 IN_PROGRESS: every destination has a backfill running")
	expectDetail(t, "stderr", stderr, "attached to backfill "+ids[dw2]+" to us-west-2 (123456789012) (IN_PROGRESS)")
	noTrace(t, stderr)
}

func TestAttachesToBackfillsStartedElsewhere(t *testing.T) {
	w := newWorld(t, nil)
	running := w.fake.seed(dw2, sourceAccount) // started before the command ran
	var raced string
	w.fake.beforeStart = func(region, _ string) {
		if region == de1 && raced == "" { // someone starts one between the command's list and its start
			raced = w.fake.seed(de1, sourceAccount)
		}
	}
	code, r, stderr := w.runJSON()
	if code != 0 || !r.OK {
		t.Fatalf("exit %d, report %+v, stderr %s", code, r, stderr)
	}
	if b := r.to(t, dw2); b.Action != "attached" || b.ID != running {
		t.Errorf("us-west-2: %+v, want attached to %s", b, running)
	}
	if b := r.to(t, de1); b.Action != "attached" || b.ID != raced {
		t.Errorf("eu-west-1: %+v, want attached to %s (started during the run)", b, raced)
	}
	if n, refused := w.fake.count("StartReplicationBackfill"), w.fake.errorCount("StartReplicationBackfill", "ReplicationBackfillInProgressException"); n != 1 || refused != 1 {
		t.Errorf("%d starts (%d refused as in progress), want only eu-west-1's, refused", n, refused)
	}
}

// twelve is a configuration with 12 destinations, two more than ECR runs at once.
var twelve = map[string]any{"additionalRegions": "us-east-2,us-west-1,ca-central-1,eu-central-1,eu-west-2,eu-west-3,eu-north-1,ap-southeast-1,ap-southeast-2,ap-northeast-1"}

func TestQueuesPastTheRegistryLimitThenStartsAsSlotsFree(t *testing.T) {
	w := newWorld(t, twelve)
	code, r, _ := w.runJSON()
	if code != 1 || r.OK {
		t.Fatalf("exit %d (ok %v): two destinations left queued must not exit 0", code, r.OK)
	}
	started, queued := 0, 0
	for _, b := range r.Backfills {
		switch b.Action {
		case "started":
			started++
		case "queued":
			queued++
			expectDetail(t, b.Destination.Region, b.Detail, "the registry has 10 backfills in progress, ECR's limit")
			if b.Status != "QUEUED" || b.ID != "" {
				t.Errorf("%s: %+v", b.Destination.Region, b)
			}
		}
	}
	if started != 10 || queued != 2 {
		t.Fatalf("%d started, %d queued; want 10 and 2", started, queued)
	}
	if n := w.fake.errorCount("StartReplicationBackfill", "LimitExceededException"); n != 0 {
		t.Errorf("the command ran into the limit %d times instead of counting", n)
	}
	_, out, _ := w.run()
	expectDetail(t, "table", out, "10 PREPARING, 2 QUEUED: not every destination has a backfill running: run the same command again later")

	code, r, stderr := w.runJSON("--wait", "2h")
	if code != 0 || !r.OK {
		t.Fatalf("--wait: exit %d, %+v\n%s", code, r, stderr)
	}
	for _, b := range r.Backfills {
		if b.Status != "COMPLETE" {
			t.Errorf("%s: %s (%s)", b.Destination.Region, b.Status, b.Detail)
		}
	}
	if n := w.fake.count("StartReplicationBackfill"); n != 12 {
		t.Errorf("%d starts, want 12 (each destination once)", n)
	}
	if n := w.fake.errorCount("StartReplicationBackfill", "LimitExceededException") + w.fake.errorCount("StartReplicationBackfill", "ReplicationBackfillInProgressException"); n != 0 {
		t.Errorf("%d starts refused: queued destinations must wait for a free slot", n)
	}
}

func TestQueuesBehindAnotherRegistrysBackfillToTheSameRegion(t *testing.T) {
	w := newWorld(t, nil)
	// Another destination in us-west-2 (another account's registry, another team's rule).
	other := w.fake.seed(dw2, "999999999999")
	code, r, _ := w.runJSON()
	if code != 1 {
		t.Fatalf("exit %d, want 1 (us-west-2 queued)", code)
	}
	b := r.to(t, dw2)
	if b.Action != "queued" {
		t.Fatalf("us-west-2: %+v", b)
	}
	expectDetail(t, "us-west-2", b.Detail, "us-west-2 already has backfill "+other, "to us-west-2 (999999999999)", "one backfill per destination region")
	if r.to(t, de1).Action != "started" {
		t.Errorf("eu-west-1 must start: %+v", r.to(t, de1))
	}

	code, r, stderr := w.runJSON("--wait", "1h")
	if code != 0 {
		t.Fatalf("--wait: exit %d %+v\n%s", code, r, stderr)
	}
	b = r.to(t, dw2)
	startedAt, _ := time.Parse(time.RFC3339, b.StartedAt)
	if b.Status != "COMPLETE" || b.ID == other || startedAt.Before(w.fake.endOf(other)) {
		t.Errorf("us-west-2: %+v; want started after %s ended (%s)", b, other, w.fake.endOf(other))
	}
}

func TestLimitReachedByOthersDuringTheRunQueues(t *testing.T) {
	w := newWorld(t, map[string]any{"secondaryRegion": "none"})
	w.fake.beforeStart = func(string, string) {
		if w.fake.count("StartReplicationBackfill") == 1 { // ten backfills elsewhere start meanwhile
			for _, region := range []string{"us-east-2", "us-west-1", "ca-central-1", "eu-central-1", "eu-west-2", "eu-west-3", "eu-north-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1"} {
				w.fake.seed(region, "999999999999")
			}
		}
	}
	code, r, _ := w.runJSON()
	b := r.to(t, dw2)
	if code != 1 || b.Action != "queued" {
		t.Fatalf("exit %d, us-west-2 %+v: want queued", code, b)
	}
	expectDetail(t, "us-west-2", b.Detail, "ECR refused: LimitExceededException", "at most 10 backfills in progress per registry")
	if n := w.fake.count("StartReplicationBackfill"); n != 1 {
		t.Errorf("%d StartReplicationBackfill calls: the limit is a state, not a rate; no retry changes it", n)
	}
}

func TestStartRefusedForAnotherReasonIsReported(t *testing.T) {
	w := newWorld(t, nil)
	// eu-west-1 leaves the replication configuration between the command's check and its start.
	w.fake.beforeStart = func(region, _ string) {
		if region == de1 {
			w.deploy(dw2)
		}
	}
	code, r, _ := w.runJSON()
	b := r.to(t, de1)
	if code != 1 || b.Action != "not-started" || b.Status != "NOT_STARTED" || r.to(t, dw2).Action != "started" {
		t.Fatalf("exit %d, %+v", code, r.Backfills)
	}
	expectDetail(t, "eu-west-1", b.Detail, "StartReplicationBackfill refused: InvalidParameterException")
}

func TestAccessDeniedWhileWaitingSaysTheBackfillsGoOn(t *testing.T) {
	w := newWorld(t, nil)
	w.fake.deny["DescribeReplicationBackfillResults"] = true
	code, out, stderr := w.run("--wait", "1h")
	if code != 2 || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	expectDetail(t, "stderr", stderr,
		"backfill: ecr:DescribeReplicationBackfillResults on registry 123456789012 in us-east-1 failed: AccessDeniedException: User: arn:aws:iam::123456789012:user/test is not authorized to perform: ecr:DescribeReplicationBackfillResults",
		"backfill: the backfills already started go on in AWS: follow them with --status, stop them with --stop-all")
	noTrace(t, stderr)
}
