package backfill_test

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCtrlCDetachesTheBuiltCommand builds cmd/backfill and interrupts a --wait with SIGINT, as
// Ctrl-C does: the command detaches (exit 130) and stops nothing.
func TestCtrlCDetachesTheBuiltCommand(t *testing.T) {
	w := newWorld(t, map[string]any{"secondaryRegion": "none"})
	bin := filepath.Join(t.TempDir(), "backfill")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/acme-platform/ecr-replication/cmd/backfill").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sdkEnv(t, w.fake.server.URL)
	cmd := exec.Command(bin, "--dir", w.dir, "--wait", "1h", "--poll-interval", "1s")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	scanner := bufio.NewScanner(stderr)
	for scanner.Scan() {
		lines = append(lines, scanner.Text())
		if strings.HasPrefix(scanner.Text(), "backfill: 0 of 1 finished") { // waiting now
			time.Sleep(100 * time.Millisecond)
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Fatalf("exit: %v, want status 130\nstderr:\n%s", err, strings.Join(lines, "\n"))
	}
	expectDetail(t, "stderr", strings.Join(lines, "\n"), "backfill: interrupted: detached; the backfills go on in AWS (they are not stopped)")
	expectDetail(t, "stdout", stdout.String(), "detached; the backfills go on in AWS")
	if n := w.fake.count("StopReplicationBackfill"); n != 0 || w.fake.statusOf(w.fake.nth(0)) != "PREPARING" {
		t.Errorf("%d stop calls, status %s: Ctrl-C must leave the backfill running", n, w.fake.statusOf(w.fake.nth(0)))
	}
}
