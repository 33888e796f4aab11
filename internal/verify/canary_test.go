package verify_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

const oldCanary = "replication-canary-20200101-000000" // someone else's, never touched

// canaryWorld is a healthy world whose testing image also carries an older canary tag.
func canaryWorld(t *testing.T) (*world, string) {
	w := newWorld(t, nil)
	w.healthy()
	var digest string
	for _, region := range []string{src, dw2, de1} {
		digest = w.putImage(region, testingCreds, testingRep, oldCanary, "test-a")
	}
	return w, digest
}

// newCanaryTag finds the canary tag the command added in the source.
func newCanaryTag(t *testing.T, w *world) string {
	out, err := w.ecr(src, testingCreds).ListImages(context.Background(), &ecr.ListImagesInput{RepositoryName: aws.String(testingRep)})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range out.ImageIds {
		if tag := aws.ToString(id.ImageTag); strings.HasPrefix(tag, "replication-canary-") && tag != oldCanary {
			return tag
		}
	}
	return ""
}

func TestCanaryMeasuresAndCleansUp(t *testing.T) {
	w, digest := canaryWorld(t)
	seen := ""
	// Replication of the tag: to us-west-2 during the first sleep, eu-west-1 the second.
	w.onSleep = func(n int) {
		tag := newCanaryTag(t, w)
		if tag == "" {
			t.Errorf("sleep %d: no canary tag in the source", n)
			return
		}
		seen = tag
		region := map[int]string{1: dw2, 2: de1}[n]
		if region != "" {
			w.putImage(region, testingCreds, testingRep, tag, "test-a")
		}
	}
	code, r, stderr := w.runJSON("--canary", "testing", "--poll-interval", "10s")
	if code != 0 {
		t.Fatalf("exit %d; problems %+v; stderr %s", code, r.problems(), stderr)
	}
	if !strings.HasPrefix(seen, "replication-canary-") {
		t.Fatalf("canary tag %q", seen)
	}
	r.expect(t, "canary", src, testingRep, "ok", "tagged dev-1", "as "+seen)
	for region, secs := range map[string]float64{dw2: 10, de1: 20} {
		cs := r.find("canary-arrival", region, testingRep)
		if len(cs) != 1 || cs[0].Status != "ok" || cs[0].LatencySeconds == nil {
			t.Fatalf("canary-arrival %s: %+v", region, cs)
		}
		if got := *cs[0].LatencySeconds; got < secs || got > secs+5 {
			t.Errorf("%s latency %.1fs, want about %.0fs", region, got, secs)
		}
		r.expect(t, "canary-cleanup", region, testingRep, "ok", "removed the tag "+seen)
	}
	r.expect(t, "canary-cleanup", src, testingRep, "ok", "removed the tag "+seen)
	// Only the canary's own tag is gone: the image, its tag and the older canary tag stay.
	for _, region := range []string{src, dw2, de1} {
		tags := tagsOf(t, w.ecr(region, testingCreds), testingRep, digest)
		slices.Sort(tags)
		if !slices.Equal(tags, []string{"dev-1", oldCanary}) {
			t.Errorf("%s tags after the canary: %v", region, tags)
		}
	}
}

func TestCanaryTimeoutStillCleansUp(t *testing.T) {
	w, digest := canaryWorld(t)
	code, r, _ := w.runJSON("--canary", testingRep, "--canary-timeout", "20s", "--poll-interval", "10s")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	r.expect(t, "canary-arrival", dw2, testingRep, "problem", "did not arrive within 20s")
	r.expect(t, "canary-cleanup", src, testingRep, "ok", "removed the tag replication-canary-")
	r.expect(t, "canary-cleanup", dw2, testingRep, "ok", "nothing to remove")
	if tags := tagsOf(t, w.ecr(src, testingCreds), testingRep, digest); len(tags) != 2 {
		t.Errorf("source tags after the canary: %v", tags)
	}
}

func TestCanaryRefusesImmutableAndUnknownRepositories(t *testing.T) {
	w := newWorld(t, nil)
	w.healthy()
	before, _ := w.ecr(src, testingCreds).ListImages(context.Background(), &ecr.ListImagesInput{RepositoryName: aws.String(production)})
	code, out, stderr := w.run("--canary", production)
	if code != 2 || !strings.Contains(stderr, "refusing: the repository's tags are IMMUTABLE") || out != "" {
		t.Fatalf("exit %d, stderr %q, stdout %q", code, stderr, out)
	}
	after, _ := w.ecr(src, testingCreds).ListImages(context.Background(), &ecr.ListImagesInput{RepositoryName: aws.String(production)})
	if len(before.ImageIds) != len(after.ImageIds) {
		t.Errorf("the refusal changed the repository: %v → %v", before.ImageIds, after.ImageIds)
	}
	code, _, stderr = w.run("--canary", "nope")
	if code != 2 || !strings.Contains(stderr, "not a repository of the configuration (enterprise-apps/production, enterprise-apps/testing)") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}
