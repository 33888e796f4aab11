package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestBinaryEndToEnd builds the command and runs it on the fixtures as a
// reviewer would: exit codes, stdout and stderr of the real process.
func TestBinaryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(goBin); err != nil {
		if goBin, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command to build with")
		}
	}
	bin := filepath.Join(t.TempDir(), "lifecycle-preview")
	if out, err := exec.Command(goBin, "build", "-buildvcs=false", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	runBinary := func(args ...string) (int, string, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("running %s: %v", bin, err)
		}
		if strings.Contains(stderr.String(), "goroutine ") {
			t.Fatalf("the binary panicked:\n%s", stderr.String())
		}
		return code, stdout.String(), stderr.String()
	}

	code, stdout, stderr := runBinary("--images", fixture("describe-images-production.json"),
		"--cdk-out", fixture("cdk-out"), "--repository", "enterprise-apps/production", "--now", fixedNow, "--json")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing on stderr", code, stderr)
	}
	var rep report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("--json output does not parse: %v", err)
	}
	if v := byTag(t, rep, "prod-1.3.0"); v.Verdict != "expire" || v.RulePriority != 1 {
		t.Errorf("the 11th newest prod image: %s by rule %d; want expire by rule 1", v.Verdict, v.RulePriority)
	}
	if rep.Totals.Images != 26 || rep.Totals.Expired+rep.Totals.Kept+rep.Totals.Transitioned != 26 {
		t.Errorf("totals = %+v; want 26 images accounted for", rep.Totals)
	}

	code, stdout, stderr = runBinary("--images", fixture("describe-images-production.json"),
		"--cdk-out", fixture("cdk-out"), "--repository", "enterprise-apps/production", "--now", fixedNow,
		"--destination-images", "us-west-2="+fixture("describe-images-production-us-west-2.json"))
	if code != 0 || stderr != "" || !strings.Contains(stdout, "  Images: 25 (kept 19, expire 6: 1 mirrored only, 1 own policy only, 4 both; transition 0)") {
		t.Errorf("destinations table: exit %d, stderr %q, output:\n%s", code, stderr, stdout)
	}
	code, stdout, stderr = runBinary("--images", fixture("describe-images-production.json"),
		"--cdk-out", fixture("cdk-out"), "--repository", "enterprise-apps/production",
		"--destination-images", "ap-southeast-2=x.json")
	if code != 2 || stdout != "" || !strings.Contains(stderr, "ap-southeast-2 is not a destination of enterprise-apps/production (expected one of: eu-west-1, us-west-2)") {
		t.Errorf("bad destination region: exit %d, stdout %q, stderr %q; want 2 and the expected regions", code, stdout, stderr)
	}

	code, stdout, _ = runBinary("--images", fixture("describe-images-testing.json"), "--policy", fixture("policy-testing.json"), "--now", fixedNow)
	if code != 0 || !strings.Contains(stdout, "Images: 16 (kept 12, expire 4, transition 0)") {
		t.Errorf("testing table: exit %d, output:\n%s", code, stdout)
	}

	code, stdout, stderr = runBinary("--images", fixture("describe-images-malformed.json"), "--policy", fixture("policy-testing.json"))
	if code != 1 || stdout != "" || !strings.Contains(stderr, "describe-images-malformed.json: not valid describe-images JSON: line 13, column 9") {
		t.Errorf("malformed input: exit %d, stdout %q, stderr %q; want 1 and a message naming the file, line and column", code, stdout, stderr)
	}

	code, _, stderr = runBinary("--policy", fixture("policy-testing.json"))
	if code != 2 || !strings.Contains(stderr, "--images is required") {
		t.Errorf("missing --images: exit %d, stderr %q; want 2 and a usage message", code, stderr)
	}
}
