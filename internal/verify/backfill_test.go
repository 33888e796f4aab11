package verify_test

import (
	"strings"
	"testing"
	"time"
)

// predating seeds a same-account deployment whose source stack (replication configuration)
// changed after production's two images were pushed, which eu-west-1 lacks: they may predate it.
// testing's dev-1 is everywhere; with after, dev-2 is pushed a second later (moto stamps pushes
// to the second) and reaches us-west-2 only.
func (w *world) predating(after bool) {
	w.t.Helper()
	for _, region := range []string{src, dw2, de1} {
		w.createRepo(region, testingCreds, production, w.expectedLifecycle(production))
		w.createRepo(region, testingCreds, testingRep, w.expectedLifecycle(testingRep))
	}
	w.replicationConfig(testingCreds, appRule(sourceAccount, dw2, de1))
	for _, region := range []string{src, dw2} {
		w.putImage(region, testingCreds, production, "release-1.0", "prod-a")
		w.putImage(region, testingCreds, production, "release-1.1", "prod-b")
	}
	for _, region := range []string{src, dw2, de1} {
		w.putImage(region, testingCreds, testingRep, "dev-1", "test-a")
	}
	time.Sleep(1100 * time.Millisecond)
	w.stack(src, testingCreds, "ecr-replication-source-us-east-1", nil)
	if !after {
		return
	}
	time.Sleep(1100 * time.Millisecond)
	for _, region := range []string{src, dw2} {
		w.putImage(region, testingCreds, testingRep, "dev-2", "test-b")
	}
}

func TestMissingImagesOlderThanTheReplicationChangeNameTheBackfill(t *testing.T) {
	w := newWorld(t, nil)
	w.predating(true)
	code, r, stderr := w.runJSON()
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	r.expect(t, "images", de1, production, "problem", "0 of 2 recent images replicated",
		"release-1.0", "release-1.1", "before the last update of ecr-replication-source-us-east-1",
		"if this destination joined the replication rule after those pushes, ECR never copies them (if it was in the rule already, their replication failed); a backfill copies them: go run ./cmd/backfill --destination eu-west-1 [")
	// dev-2 was pushed after the change: eu-west-1 was in the rule, so it is a failure, and
	// the check does not suggest a backfill.
	r.expect(t, "images", de1, testingRep, "problem", "1 of 2 recent images replicated", "dev-2", "after the last update of ecr-replication-source-us-east-1", "its replication did not happen")
	if c := r.find("images", de1, testingRep); len(c) == 1 && strings.Contains(c[0].Detail, "backfill") {
		t.Errorf("a replication that should have happened is not a backfill case: %s", c[0].Detail)
	}
	r.expect(t, "images", dw2, production, "ok")
	r.expect(t, "images", dw2, testingRep, "ok")
}

func TestWaitDoesNotWaitForImagesThatMayPredateTheirDestination(t *testing.T) {
	w := newWorld(t, nil)
	w.predating(false)
	code, r, stderr := w.runJSON("--wait", "10m")
	if code != 1 || w.sleeps != 0 {
		t.Fatalf("exit %d after %d sleeps, want 1 at once; stderr %s", code, w.sleeps, stderr)
	}
	r.expect(t, "wait", src, "", "problem", "every other recent image replicated after 0s; 2 not waited for", "backfill")
	r.expect(t, "images", de1, production, "problem", "go run ./cmd/backfill --destination eu-west-1")
	r.expect(t, "images", de1, testingRep, "ok")
}

// Where CloudFormation lists the replication configuration's own LastUpdatedTimestamp, that is
// the time compared with. The resource list and the replication statuses are replayed
// (moto lists neither), with the shapes of the CloudFormation and ECR API References.
func TestReplicationChangeFromItsStackResource(t *testing.T) {
	w := newWorld(t, nil)
	w.predating(false)
	changed := time.Now().Add(time.Minute)
	p := replayProxy(t, w.moto.endpoint, map[string]answer{
		"ListStackResources": stackResourcesAnswer("ecr-replication-source-us-east-1", changed, []stackResource{
			{"ReplicationE4F5A6B7", sourceAccount, "AWS::ECR::ReplicationConfiguration"},
		}),
		// ECR reports us-west-2; of eu-west-1, which joined the rule after the push, it says
		// nothing.
		"DescribeImageReplicationStatus": statusAnswer(w, func(region, repo, _ string) (string, string) {
			if region == de1 && repo == production {
				return "", ""
			}
			return "COMPLETE", ""
		}),
	})
	w.via(p.URL)
	code, r, stderr := w.runJSON()
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	r.expect(t, "images", de1, production, "problem", "before the replication configuration last changed (ReplicationE4F5A6B7 of ecr-replication-source-us-east-1) at "+changed.UTC().Format(time.RFC3339),
		"go run ./cmd/backfill --destination eu-west-1", "[digest comparison]")
	r.expect(t, "images", dw2, production, "ok", "[replication status]")
}

func TestPreflightNamesTheBackfillForNewDestinations(t *testing.T) {
	w, _ := crossAccount(t)
	for _, repo := range []string{production, testingRep} {
		w.createRepo(src, testingCreds, repo, w.expectedLifecycle(repo))
	}
	w.putImage(src, testingCreds, production, "release-1.0", "prod-a")
	w.putImage(src, testingCreds, production, "release-1.1", "prod-b")
	w.putImage(src, testingCreds, testingRep, "dev-1", "test-a")
	// The deployed rule has us-west-2 of the destination account; eu-west-1 is new.
	w.replicationConfig(testingCreds, appRule(destAccount, dw2))
	_, r, stderr := w.runJSON("--preflight", "--destination-profile", "dest")
	if len(r.Checks) == 0 {
		t.Fatalf("no checks; stderr %s", stderr)
	}
	r.expect(t, "backfill", de1, "", "warning", "new to the replication rule: the 3 image(s) already in the source repositories are not copied when the deploy adds it",
		"ECR replicates only later pushes", "after the deploy, run go run ./cmd/backfill --destination eu-west-1@222222222222")
	if n := len(r.find("backfill", dw2, "")); n != 0 {
		t.Errorf("us-west-2 is in the deployed rule: no backfill check, got %d", n)
	}
}
