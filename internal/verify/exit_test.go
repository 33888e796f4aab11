package verify_test

import (
	"net"
	"strings"
	"testing"
)

// noTrace fails when stderr looks like a Go panic.
func noTrace(t *testing.T, stderr string) {
	t.Helper()
	for _, s := range []string{"goroutine ", "panic:", ".go:"} {
		if strings.Contains(stderr, s) {
			t.Errorf("stderr has a stack trace: %s", stderr)
		}
	}
}

func TestExitCodes(t *testing.T) {
	w := newWorld(t, nil)
	w.healthy()

	for _, args := range [][]string{{"--wait", "0s"}, {"--preflight", "--canary", "testing"}, {"extra"}, {"--no-such-flag"}, {"--canary-timeout", "1m"}} {
		code, _, stderr := w.run(args...)
		if code != 2 || !strings.Contains(stderr, "run 'verify -h' for usage") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
		noTrace(t, stderr)
	}
	// Every bad value at once, each naming the flag, the value and what is expected.
	code, _, stderr := w.run("--concurrency", "0", "--images", "0")
	if code != 2 || !strings.Contains(stderr, "verify: --concurrency 0: expected a whole number of requests in flight from 1 to 64 (default 16)") ||
		!strings.Contains(stderr, "verify: --images needs a positive count") {
		t.Errorf("--concurrency 0 --images 0: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := w.run("--concurrency", "65"); code != 2 || !strings.Contains(stderr, "--concurrency 65: expected a whole number") {
		t.Errorf("--concurrency 65: exit %d, stderr %q", code, stderr)
	}
	code, out, _ := w.run("-h")
	if code != 0 || !strings.Contains(out, "usage: verify") {
		t.Errorf("-h: exit %d %q", code, out)
	}

	// Bad configuration: the app's own messages, every problem at once.
	code, _, stderr = w.run("-c", "sourceRegion=mars-1", "-c", "productionImageCount=lots")
	if code != 2 || !strings.Contains(stderr, `sourceRegion: got "mars-1"`) || !strings.Contains(stderr, `productionImageCount: got "lots"`) {
		t.Errorf("bad config: exit %d, stderr %q", code, stderr)
	}
	noTrace(t, stderr)

	code, _, stderr = w.run("--profile", "nope")
	if code != 2 || !strings.Contains(stderr, `AWS profile "nope" not found`) {
		t.Errorf("missing profile: exit %d, stderr %q", code, stderr)
	}

	// The same healthy world through the command: 0; a broken one: 1 (see the other tests).
	if code, _, stderr := w.run(); code != 0 {
		t.Errorf("healthy: exit %d %s", code, stderr)
	}
}

func TestNoCredentials(t *testing.T) {
	awsEnv(t, "http://127.0.0.1:1")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	w := &world{t: t, dir: projectDir(t)}
	code, out, stderr := w.run()
	if code != 2 || out != "" || !strings.Contains(stderr, "verify: no AWS credentials found for the source account") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	noTrace(t, stderr)
}

func TestUnreachableEndpoint(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there any more
	awsEnv(t, "http://"+addr)
	w := &world{t: t, dir: projectDir(t)}
	code, out, stderr := w.run("--preflight")
	if code != 2 || out != "" || !strings.Contains(stderr, "verify: AWS is not reachable (source account, default credential chain)") || !strings.Contains(stderr, "connection refused") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	noTrace(t, stderr)
}
