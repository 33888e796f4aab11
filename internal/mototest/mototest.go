// Package mototest starts moto_server, a local AWS API emulator, for tests and for the deploy
// rehearsal: on 127.0.0.1 (or localhost) and a free port, waited for until it answers, and
// stopped (its whole process group) at the end.
//
// A missing moto_server follows the repository's convention for external tools (the same as
// cfntest.RequireTool, which this package cannot import: cfntest links the CDK): the test fails
// naming the tool, except under `go test -short`, where it is skipped, saying so.
//
// [Start] gives a test a server of its own; a [Shared] serves a whole package, started on first
// use, reset before each test and stopped by the package's TestMain. [Launch] starts one with
// [Options] outside a test (the caller stops it): on localhost, which a CloudFormation deploy
// needs, and with [CloudFormationFixes] applied to moto. The package imports no CDK or jsii
// package.
package mototest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Tool is the executable this package starts.
const Tool = "moto_server"

// readyTimeout is how long moto_server has to answer after its start.
const readyTimeout = 60 * time.Second

// Server is a running moto_server.
type Server struct {
	// Endpoint is its base URL, http://127.0.0.1:<port> (or http://localhost:<port>).
	Endpoint string

	cmd    *exec.Cmd
	output *lockedBuffer
	// fixesDir holds the CloudFormation fixes moto_server imports, removed by Stop.
	fixesDir string
}

// Output is what moto_server printed so far (stdout and stderr), for failure messages.
func (s *Server) Output() string { return s.output.String() }

// Reset empties moto's state (every service, every account) through its /moto-api/reset.
func (s *Server) Reset() error {
	resp, err := http.Post(s.Endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return fmt.Errorf("resetting moto_server: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("resetting moto_server: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Stop ends the process group the server was started in (a pyenv shim and the server), with
// SIGTERM and, after 10 seconds, SIGKILL, and removes the fixes it wrote. It may be called more
// than once.
func (s *Server) Stop() {
	if s == nil {
		return
	}
	if s.cmd != nil && s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	s.cmd = nil
	if s.fixesDir != "" {
		_ = os.RemoveAll(s.fixesDir)
		s.fixesDir = ""
	}
}

// Require returns the path of moto_server. When it is not on PATH the test fails naming it,
// or, under `go test -short`, is skipped with a message saying so.
func Require(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath(Tool)
	if err == nil {
		return path
	}
	if testing.Short() {
		t.Skipf("skipped with -short: this test needs %s, which is not on PATH", Tool)
	}
	t.Fatalf("this test needs %s, which is not on PATH (%v); install it or run go test -short to skip the tests that need it", Tool, err)
	return ""
}

// Start starts a moto_server for one test and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith starts a moto_server with opts for one test and stops it when the test ends.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := launch(Require(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Launch starts a moto_server with opts outside a test; the caller stops it. A missing
// moto_server is an error naming it.
func Launch(opts Options) (*Server, error) {
	path, err := exec.LookPath(Tool)
	if err != nil {
		return nil, fmt.Errorf("%s is not on PATH (%v): install Python moto 5.2 (pip install 'moto[server]')", Tool, err)
	}
	return launch(path, opts)
}

// Shared is one moto_server for a whole test package. The zero value is ready to use; the
// package's TestMain calls Stop after m.Run.
type Shared struct {
	once sync.Once
	s    *Server
	err  error
}

// Get returns the shared server, started on the first call, reset to an empty state.
func (sh *Shared) Get(t testing.TB) *Server {
	t.Helper()
	path := Require(t)
	sh.once.Do(func() { sh.s, sh.err = launch(path, Options{}) })
	if sh.err != nil {
		t.Fatal(sh.err)
	}
	if err := sh.s.Reset(); err != nil {
		t.Fatal(err)
	}
	return sh.s
}

// Stop stops the shared server if it was started.
func (sh *Shared) Stop() {
	if sh.s != nil {
		sh.s.Stop()
	}
}

// launch runs moto_server on opts.Host and a free port, in a process group of its own, and
// waits until it answers (and, with opts.CloudFormationFixes, until the fixes are applied).
func launch(path string, opts Options) (*Server, error) {
	host := opts.Host
	if host == "" {
		host = "127.0.0.1"
	}
	if host != "127.0.0.1" && host != "localhost" {
		return nil, fmt.Errorf("mototest: Options.Host %q: expected 127.0.0.1 or localhost (loopback only)", host)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	s := &Server{Endpoint: "http://" + host + ":" + strconv.Itoa(port), output: &lockedBuffer{}}
	s.cmd = exec.Command(path, "-H", host, "-p", strconv.Itoa(port))
	s.cmd.Stdout, s.cmd.Stderr = s.output, s.output
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if opts.CloudFormationFixes {
		if s.fixesDir, err = writeFixes(); err != nil {
			return nil, err
		}
		s.cmd.Env = append(os.Environ(), "PYTHONPATH="+joinPath(s.fixesDir, os.Getenv("PYTHONPATH")))
	}
	if err := s.cmd.Start(); err != nil {
		s.Stop()
		return nil, fmt.Errorf("starting %s: %v", Tool, err)
	}
	if err := s.waitReady(opts.CloudFormationFixes); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitReady waits until the server answers and, when fixes were asked for, has said that it
// applied them.
func (s *Server) waitReady(fixes bool) error {
	client := &http.Client{Timeout: 30 * time.Second}
	deadline := time.Now().Add(readyTimeout)
	for {
		err := fixesApplied(s.Output(), fixes)
		if err == nil {
			var resp *http.Response
			if resp, err = client.Get(s.Endpoint + "/moto-api/"); err == nil {
				_ = resp.Body.Close()
				return nil
			}
		}
		if errors.Is(err, errFixesFailed) {
			return fmt.Errorf("%s: %w\n%s", Tool, err, s.Output())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer on %s within %s: %v\n%s", Tool, s.Endpoint, readyTimeout, err, s.Output())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// lockedBuffer collects the server's output from two pipes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
