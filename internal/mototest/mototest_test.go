package mototest

import (
	"flag"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func get(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}

func TestStartAnswersUntilStopped(t *testing.T) {
	s := Start(t)
	if !strings.HasPrefix(s.Endpoint, "http://127.0.0.1:") {
		t.Errorf("endpoint %q", s.Endpoint)
	}
	if err := get(s.Endpoint + "/moto-api/"); err != nil {
		t.Fatalf("a started server answers: %v", err)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if err := get(s.Endpoint + "/moto-api/"); err == nil {
		t.Error("the server still answers after Stop")
	}
	s.Stop() // a second Stop (and the test's cleanup) does nothing
}

func TestSharedStartsOnce(t *testing.T) {
	var sh Shared
	defer sh.Stop()
	a, b := sh.Get(t), sh.Get(t)
	if a != b {
		t.Errorf("two servers: %s and %s", a.Endpoint, b.Endpoint)
	}
	if err := get(a.Endpoint + "/moto-api/"); err != nil {
		t.Fatal(err)
	}
}

// recorder stands for the test when the tool is missing.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()                        {}
func (r *recorder) Fatalf(format string, a ...any) { r.fatal = fmt.Sprintf(format, a...) }
func (r *recorder) Skipf(format string, a ...any)  { r.skip = fmt.Sprintf(format, a...) }

func TestMissingToolFailsOrSkipsUnderShort(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	// Both halves run whatever -short the test itself runs with (make unit passes it).
	short := flag.Lookup("test.short").Value.String()
	defer func() { _ = flag.Set("test.short", short) }()
	if err := flag.Set("test.short", "false"); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	if path := Require(r); path != "" || r.skip != "" ||
		!strings.HasPrefix(r.fatal, "this test needs moto_server, which is not on PATH (") ||
		!strings.HasSuffix(r.fatal, "install it or run go test -short to skip the tests that need it") {
		t.Errorf("without -short: path %q, fatal %q, skip %q", path, r.fatal, r.skip)
	}

	if err := flag.Set("test.short", "true"); err != nil {
		t.Fatal(err)
	}
	r = &recorder{TB: t}
	Require(r)
	if r.skip != "skipped with -short: this test needs moto_server, which is not on PATH" {
		t.Errorf("with -short: skip %q, fatal %q", r.skip, r.fatal)
	}
}
