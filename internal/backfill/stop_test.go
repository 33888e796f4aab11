package backfill_test

import (
	"testing"
	"time"
)

func TestStopStopsWhatCanBeStoppedAndRefusesTheRest(t *testing.T) {
	w := newWorld(t, nil)
	w.fake.plans[de1] = plan{prepare: time.Minute, run: 2 * time.Minute, results: images("enterprise-apps/testing", 4, 0, "")}
	_, r, _ := w.runJSON()
	west, eu := r.to(t, dw2).ID, r.to(t, de1).ID
	w.advance(3 * time.Minute) // us-west-2 IN_PROGRESS, eu-west-1 COMPLETE

	code, r, stderr := w.runJSON("--stop", west)
	b := r.to(t, dw2)
	if code != 0 || b.Action != "stop-requested" || b.Status != "STOPPING" || w.fake.statusOf(west) != "STOPPING" {
		t.Fatalf("--stop %s: exit %d, %+v, stderr %s", west, code, b, stderr)
	}
	expectDetail(t, "stop", b.Detail, "replications already running finish, nothing already replicated is removed")

	code, r, _ = w.runJSON("--stop", eu)
	if b := r.to(t, de1); code != 1 || b.Action != "refused" || w.fake.count("StopReplicationBackfill") != 1 {
		t.Errorf("--stop of a COMPLETE backfill: exit %d, %+v (%d stop calls)", code, b, w.fake.count("StopReplicationBackfill"))
	} else {
		expectDetail(t, "refusal", b.Detail, "cannot be stopped: it is COMPLETE; only a PREPARING or IN_PROGRESS backfill can be stopped")
	}

	w.advance(2 * time.Minute)
	_, out, _ := w.run("--stop", west)
	expectDetail(t, "stopped again", out, "STOPPED", "already STOPPED", "1 STOPPED: stopped")

	const unknown = "0f3c7a52-9a43-4c2e-8d1b-2a4b6c8d0e1f"
	code, out, stderr = w.run("--stop", unknown, "--stop", eu)
	if code != 2 || out != "" {
		t.Errorf("unknown ID: exit %d, stdout %q", code, out)
	}
	expectDetail(t, "unknown ID", stderr, "backfill: --stop "+unknown+": registry 123456789012 in us-east-1 has no backfill with this ID", "see the IDs with --status")
	noTrace(t, stderr)
}

func TestStopAllLeavesOtherDestinationsAlone(t *testing.T) {
	w := newWorld(t, nil)
	other := w.fake.seed("ap-south-1", "999999999999") // another team's destination in the same registry
	_, r, _ := w.runJSON()
	preparing := r.to(t, dw2).ID
	w.advance(90 * time.Second)
	_, r, _ = w.runJSON("--destination", de1, "--stop-all") // --destination narrows it
	if b := r.to(t, dw2); len(r.Backfills) != 3 || r.to(t, de1).Action != "stop-requested" || b.Action != "listed" || !b.InConfiguration {
		t.Fatalf("--stop-all --destination eu-west-1: %+v", r.Backfills)
	}

	code, r, stderr := w.runJSON("--stop-all")
	if code != 0 || !r.OK {
		t.Fatalf("exit %d, %+v, %s", code, r, stderr)
	}
	if b := r.to(t, dw2); b.Action != "stop-requested" || w.fake.statusOf(preparing) != "STOPPING" {
		t.Errorf("us-west-2: %+v, ECR says %s", b, w.fake.statusOf(preparing))
	}
	if b := r.to(t, "ap-south-1"); b.InConfiguration || b.Action != "listed" || w.fake.statusOf(other) != "IN_PROGRESS" {
		t.Errorf("another team's backfill: %+v, ECR says %s", b, w.fake.statusOf(other))
	} else {
		expectDetail(t, "left alone", b.Detail, "left alone: not a destination this run covers (stop it with --stop "+other+")")
	}

	w.advance(time.Hour)
	code, out, _ := w.run("--stop-all")
	if code != 0 {
		t.Errorf("nothing to stop: exit %d", code)
	}
	expectDetail(t, "nothing left", out, "no backfill: nothing to stop")
}

func TestStoppedWhilePreparingHasNoProgress(t *testing.T) {
	w := newWorld(t, map[string]any{"secondaryRegion": "none"})
	_, r, _ := w.runJSON()
	id := r.to(t, dw2).ID
	code, r, _ := w.runJSON("--stop-all")
	if b := r.to(t, dw2); code != 0 || b.Status != "STOPPED" || b.Progress != nil {
		t.Fatalf("exit %d, %+v: a PREPARING backfill stops at once, without progress", code, b)
	}
	code, r, _ = w.runJSON("--results", id)
	if b := r.to(t, dw2); code != 1 || b.Status != "STOPPED" || b.Progress != nil || len(b.Failed) != 0 {
		t.Errorf("--results of a STOPPED backfill: exit %d, %+v", code, b)
	}
}

func TestStatusListsEveryBackfillWithProgress(t *testing.T) {
	w := newWorld(t, nil)
	other := w.fake.seed("ap-south-1", "999999999999")
	w.runJSON()
	w.advance(3 * time.Minute)
	code, r, _ := w.runJSON("--status")
	if code != 0 || r.Mode != "status" || len(r.Backfills) != 3 {
		t.Fatalf("exit %d, %+v", code, r)
	}
	b := r.to(t, dw2)
	if !b.InConfiguration || b.Status != "IN_PROGRESS" || b.Progress == nil || b.Progress.Total != 8 || b.Progress.Completed != 4 || b.StartedAt == "" {
		t.Errorf("us-west-2: %+v", b)
	}
	if b := r.to(t, "ap-south-1"); b.InConfiguration || b.ID != other || b.Detail != "not a destination of this configuration" {
		t.Errorf("another destination: %+v", b)
	}
	_, r, _ = w.runJSON("--status", "--destination", de1)
	if len(r.Backfills) != 1 || r.Backfills[0].Destination.Region != de1 {
		t.Errorf("--status --destination eu-west-1: %+v", r.Backfills)
	}
	_, out, _ := w.run("--status")
	expectDetail(t, "table", out, "ap-south-1 (999999999999)  IN_PROGRESS", "not a destination of this configuration", "3 IN_PROGRESS: listed")
}

func TestResultsOfARunningBackfillSayWhenTheyCome(t *testing.T) {
	w := newWorld(t, map[string]any{"secondaryRegion": "none"})
	_, r, _ := w.runJSON()
	id := r.to(t, dw2).ID
	w.advance(2 * time.Minute)
	code, r, _ := w.runJSON("--results", id)
	if b := r.to(t, dw2); code != 1 || b.Status != "IN_PROGRESS" || len(b.Failed) != 0 {
		t.Fatalf("exit %d, %+v", code, b)
	} else {
		expectDetail(t, "detail", b.Detail, "still IN_PROGRESS: ECR gives the per-image results once it is COMPLETE, FAILED or STOPPED")
	}
	w.advance(time.Hour)
	if code, r, _ := w.runJSON("--results", id); code != 0 || !r.OK || r.to(t, dw2).Status != "COMPLETE" {
		t.Errorf("--results of a COMPLETE backfill: exit %d, %+v", code, r)
	}
}
