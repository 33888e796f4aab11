package verify_test

import (
	"strings"
	"testing"
)

func TestHealthyDeploymentOnMotoAlone(t *testing.T) {
	w := newWorld(t, nil)
	w.healthy()
	code, r, stderr := w.runJSON()
	if code != 0 || !r.Healthy {
		t.Fatalf("exit %d, healthy %v; problems %+v\nstderr %s", code, r.Healthy, r.problems(), stderr)
	}
	r.expect(t, "replication-rule", src, "", "ok", "PREFIX_MATCH enterprise-apps/")
	for _, region := range []string{dw2, de1} {
		r.expect(t, "replication-destination", region, "", "ok")
		for _, repo := range []string{production, testingRep} {
			r.expect(t, "repository", region, repo, "ok")
			r.expect(t, "lifecycle-policy", region, repo, "ok", "matches the configuration")
			r.expect(t, "repository-policy", region, repo, "ok")
			r.expect(t, "encryption", region, repo, "ok", "AES256")
			// moto has no DescribeImageReplicationStatus: digests are compared, and the
			// detail says so.
			r.expect(t, "images", region, repo, "ok", "recent images replicated", "digest comparison", "DescribeImageReplicationStatus did not answer")
		}
		// moto has no DescribeRepositoryCreationTemplates: skipped, never passed.
		r.expect(t, "creation-template", region, "", "skipped", "does not implement DescribeRepositoryCreationTemplates")
	}
	r.expect(t, "tag-mutability", de1, production, "ok", "IMMUTABLE")
	r.expect(t, "tag-mutability", de1, testingRep, "ok", "MUTABLE")
	r.expect(t, "images", dw2, production, "ok", "all 2 recent images")
	if len(r.find("registry-policy", dw2, "")) != 0 {
		t.Error("same-account: no registry policy check expected")
	}

	// The table names the same things.
	code, table, _ := w.run()
	if code != 0 || !strings.Contains(table, "healthy") || !strings.Contains(table, "STATUS") || !strings.Contains(table, "enterprise-apps/production") {
		t.Fatalf("table (exit %d):\n%s", code, table)
	}
}

// broken seeds a same-account deployment with problems: eu-west-1 has no testing replica
// and is not in the rule, the production replica of us-west-2 keeps 20 release images instead
// of 10, an image is missing in us-west-2 and another is a different image in eu-west-1.
func (w *world) broken() {
	w.t.Helper()
	for _, region := range []string{src, dw2, de1} {
		w.createRepo(region, testingCreds, production, w.expectedLifecycle(production))
	}
	w.createRepo(src, testingCreds, testingRep, w.expectedLifecycle(testingRep))
	w.createRepo(dw2, testingCreds, testingRep, w.expectedLifecycle(testingRep))
	// eu-west-1 has no testing replica. The replica of production in us-west-2 keeps 20
	// release images instead of 10.
	wrong := strings.Replace(w.expectedLifecycle(production), `"countNumber": 10`, `"countNumber": 20`, 1)
	if wrong == w.expectedLifecycle(production) {
		w.t.Fatal("test setup: could not alter the lifecycle policy")
	}
	if _, err := w.ecr(dw2, testingCreds).PutLifecyclePolicy(w.t.Context(), putLifecycle(production, wrong)); err != nil {
		w.t.Fatal(err)
	}
	// The rule lacks eu-west-1.
	w.replicationConfig(testingCreds, appRule(sourceAccount, dw2))

	w.putImage(src, testingCreds, production, "release-1.0", "prod-a")
	w.putImage(src, testingCreds, production, "release-1.1", "prod-b")
	w.putImage(src, testingCreds, testingRep, "dev-1", "test-a")
	// us-west-2: release-1.0 is there, release-1.1 is missing; eu-west-1: release-1.1 is
	// another image under the same tag.
	w.putImage(dw2, testingCreds, production, "release-1.0", "prod-a")
	w.putImage(dw2, testingCreds, testingRep, "dev-1", "test-a")
	w.putImage(de1, testingCreds, production, "release-1.0", "prod-a")
	w.putImage(de1, testingCreds, production, "release-1.1", "prod-b-rebuilt")
}

func TestProblemsAreReportedExactly(t *testing.T) {
	w := newWorld(t, nil)
	w.broken()

	code, r, stderr := w.runJSON()
	if code != 1 || r.Healthy {
		t.Fatalf("exit %d healthy %v, want 1 and unhealthy; stderr %s", code, r.Healthy, stderr)
	}
	r.expect(t, "replication-destination", de1, "", "problem", "missing from the replication rule", "redeploy ecr-replication-source-us-east-1")
	r.expect(t, "replication-destination", dw2, "", "ok")
	r.expect(t, "lifecycle-policy", dw2, production, "problem", "rule 2", `"countNumber":20`, `expected`, `"countNumber":10`)
	r.expect(t, "lifecycle-policy", de1, production, "ok")
	r.expect(t, "repository", de1, testingRep, "problem", "replica missing", "deploy ecr-replication-replica-eu-west-1")
	r.expect(t, "images", dw2, production, "problem", "1 of 2 recent images replicated", "release-1.1", "missing")
	r.expect(t, "images", de1, production, "problem", "1 of 2 recent images replicated", "different: tag release-1.1 is sha256:")
	r.expect(t, "images", de1, testingRep, "problem", "0 of 1", "the replica repository does not exist")
	r.expect(t, "images", dw2, testingRep, "ok")

	want := map[string]bool{
		"replication-destination/" + de1 + "/":       true,
		"lifecycle-policy/" + dw2 + "/" + production: true,
		"repository/" + de1 + "/" + testingRep:       true,
		"images/" + dw2 + "/" + production:           true,
		"images/" + de1 + "/" + production:           true,
		"images/" + de1 + "/" + testingRep:           true,
	}
	for _, p := range r.problems() {
		if !want[p.Name+"/"+p.Region+"/"+p.Repository] {
			t.Errorf("unexpected problem: %+v", p)
		}
	}
	if len(r.problems()) != len(want) {
		t.Errorf("want %d problems, got %d: %+v", len(want), len(r.problems()), r.problems())
	}
}

func TestRecentPushNotYetReplicatedIsAWarning(t *testing.T) {
	w := newWorld(t, nil)
	w.healthy()
	w.offset = 0 // the command's clock is now: the image below was pushed seconds ago
	w.putImage(src, testingCreds, testingRep, "dev-2", "test-b")
	code, r, _ := w.runJSON()
	if code != 0 {
		t.Fatalf("exit %d: a push within ReplicationGrace is in progress, not a problem: %+v", code, r.problems())
	}
	r.expect(t, "images", dw2, testingRep, "warning", "1 of 2 recent images replicated", "dev-2", "not here yet, pushed", "--wait")
}
