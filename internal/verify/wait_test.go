package verify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

func TestWaitUntilReplicated(t *testing.T) {
	w := newWorld(t, nil)
	w.healthy()
	w.putImage(src, testingCreds, testingRep, "dev-2", "test-b")
	// Replication "happens" while the command sleeps: us-west-2 after the first poll,
	// eu-west-1 after the second.
	w.onSleep = func(n int) {
		switch n {
		case 1:
			w.putImage(dw2, testingCreds, testingRep, "dev-2", "test-b")
		case 2:
			w.putImage(de1, testingCreds, testingRep, "dev-2", "test-b")
		}
	}
	code, out, stderr := w.run("--wait", "1m", "--poll-interval", "5s")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if strings.Contains(stderr, "verify: ") { // never an error line
		t.Errorf("stderr has errors: %s", stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	wantLines := []string{
		"waiting 0:00 of 1:00: us-west-2 3/4, eu-west-1 3/4",
		"waiting 0:05 of 1:00: us-west-2 4/4, eu-west-1 3/4",
		"waiting 0:10 of 1:00: us-west-2 4/4, eu-west-1 4/4",
	}
	if len(lines) != len(wantLines) {
		t.Fatalf("progress (not a terminal: plain lines):\n%s", stderr)
	}
	for i := range wantLines {
		if lines[i] != wantLines[i] {
			t.Errorf("progress line %d: %q, want %q", i, lines[i], wantLines[i])
		}
	}
	if !strings.Contains(out, "every recent image replicated after 10s") {
		t.Errorf("report:\n%s", out)
	}
}

func TestWaitDeadlineAndTerminalProgress(t *testing.T) {
	w := newWorld(t, nil)
	w.healthy()
	w.putImage(src, testingCreds, testingRep, "dev-2", "test-b")
	w.terminal = true
	code, r, stderr := w.runJSON("--wait", "30s", "--poll-interval", "10s")
	if code != 1 {
		t.Fatalf("exit %d, want 1 at the deadline", code)
	}
	if w.sleeps != 3 {
		t.Errorf("slept %d times, want 3 (30s at 10s)", w.sleeps)
	}
	if !strings.Contains(stderr, "\r\033[Kwaiting 0:30 of 0:30: us-west-2 3/4, eu-west-1 3/4\n") {
		t.Errorf("terminal progress should redraw one line: %q", stderr)
	}
	r.expect(t, "images", dw2, testingRep, "problem", "dev-2", "not replicated before the deadline")
	r.expect(t, "images", dw2, production, "ok")
	r.expect(t, "wait", src, "", "problem", "deadline of 30s passed")
}

func TestWaitStopsAtAFailedReplication(t *testing.T) {
	w := newWorld(t, nil)
	w.healthy()
	p := replayProxy(t, w.moto.endpoint, map[string]answer{
		"DescribeImageReplicationStatus": statusAnswer(w, func(region, repo, _ string) (string, string) {
			if region == de1 && repo == testingRep {
				return "FAILED", "CLIENT_ERROR"
			}
			return "IN_PROGRESS", ""
		}),
	})
	w.via(p.URL)
	code, r, _ := w.runJSON("--wait", "10m")
	if code != 1 || w.sleeps != 0 {
		t.Fatalf("exit %d after %d sleeps; want 1 at once", code, w.sleeps)
	}
	r.expect(t, "images", de1, testingRep, "problem", "replication FAILED: CLIENT_ERROR")
	r.expect(t, "wait", src, "", "problem", "a replication FAILED")
}

// tagsOf returns the tags of the image with digest in a repository.
func tagsOf(t *testing.T, c *ecr.Client, repo, digest string) []string {
	t.Helper()
	out, err := c.DescribeImages(context.Background(), &ecr.DescribeImagesInput{
		RepositoryName: aws.String(repo), ImageIds: []types.ImageIdentifier{{ImageDigest: aws.String(digest)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.ImageDetails[0].ImageTags
}
