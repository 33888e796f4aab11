package rehearse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/acme-platform/ecr-replication/internal/diagram"
)

// Account is moto's default account: the credentials the rehearsal uses belong to it, so the
// CLI resolves it as the deploy account.
const Account = "123456789012"

// cliRegion is the default region of the CLI and the SDK clients; every stack deploys to its
// own region.
const cliRegion = "us-east-1"

// Options say what to deploy, and where.
type Options struct {
	// Dir is the project directory: cdk.json, and node_modules/.bin with the pinned CDK CLI and
	// Node.js 22 (`make deps`).
	Dir string
	// Endpoint is moto_server's base URL, http://localhost:<port> (mototest.Options.Host
	// says why localhost).
	Endpoint string
	// Context are the -c key=value pairs of the deployment; none deploys the default one.
	Context map[string]string
	// Output is the cloud assembly directory (cdk --output): one per rehearsal, so that
	// parallel runs do not clash. It is created when missing. Dir and Output may be relative
	// to the process's directory.
	Output string
	// Concurrency is cdk deploy --concurrency: stacks deployed at once (0 means 1).
	Concurrency int
	// Log receives the CLI's output; nil discards it (a failing command's last lines are in
	// its error either way).
	Log io.Writer
}

// Deployment is what Deploy did.
type Deployment struct {
	// Options are the options it deployed with.
	Options Options
	// Stacks are the stacks of the synthesized assembly, by name.
	Stacks []Stack
	// Synth, Bootstrap and Deploy are the wall times of the three CLI runs.
	Synth, Bootstrap, Deploy time.Duration
}

// Stack is one stack of the assembly.
type Stack struct {
	diagram.Stack
	// TemplateBytes is the size of the template file.
	TemplateBytes int
}

// Deploy synthesizes the app into opts.Output with `cdk synth`, bootstraps every environment
// of the assembly with `cdk bootstrap` (a no-op where it is bootstrapped already) and deploys
// every stack with `cdk deploy --all` on that assembly, against opts.Endpoint only.
func Deploy(ctx context.Context, opts Options) (*Deployment, error) {
	opts.Dir, opts.Output = absolute(opts.Dir), absolute(opts.Output)
	c, err := newCLI(opts)
	if err != nil {
		return nil, err
	}
	d := &Deployment{Options: opts}
	start := time.Now()
	if err := c.run(ctx, append([]string{"synth", "--quiet", "--output", opts.Output}, contextArgs(opts.Context)...)...); err != nil {
		return nil, err
	}
	d.Synth = time.Since(start)
	if d.Stacks, err = readStacks(opts.Output); err != nil {
		return nil, err
	}
	return d, Redeploy(ctx, d)
}

// Redeploy bootstraps and deploys the deployment's assembly again, without synthesizing it:
// deploy, Destroy, Redeploy. On AWS, and on moto, a redeploy after destroy fails while the
// retained repositories exist (RepositoryAlreadyExistsException: `cdk import` adopts them);
// it succeeds once they are deleted.
func Redeploy(ctx context.Context, d *Deployment) error {
	c, err := newCLI(d.Options)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := c.run(ctx, append([]string{"bootstrap", "--app", d.Options.Output}, environments(d.Stacks)...)...); err != nil {
		return err
	}
	d.Bootstrap = time.Since(start)
	start = time.Now()
	if err := c.run(ctx, "deploy", "--app", d.Options.Output, "--all", "--require-approval", "never",
		"--concurrency", strconv.Itoa(max(d.Options.Concurrency, 1)), "--progress", "events"); err != nil {
		return err
	}
	d.Deploy = time.Since(start)
	return nil
}

// Destroy runs `cdk destroy --all --force` on the deployment's assembly and returns its wall
// time.
func Destroy(ctx context.Context, d *Deployment) (time.Duration, error) {
	c, err := newCLI(d.Options)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := c.run(ctx, "destroy", "--app", d.Options.Output, "--all", "--force"); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// absolute makes a path absolute (the CLI runs in Dir, the checks in the process's directory);
// "" stays "" for Options.problems to name.
func absolute(path string) string {
	if path == "" {
		return ""
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// readStacks reads the assembly's stacks and their template sizes.
func readStacks(dir string) ([]Stack, error) {
	stacks, err := diagram.ReadAssembly(dir)
	if err != nil {
		return nil, err
	}
	var out []Stack
	for _, s := range stacks {
		if s.Account == diagram.UnknownAccount || s.Region == diagram.UnknownRegion {
			return nil, fmt.Errorf("cloud assembly %s: stack %s has no concrete environment (%s/%s): the CLI did not resolve the account from the endpoint", dir, s.Name, s.Account, s.Region)
		}
		info, err := os.Stat(filepath.Join(dir, s.TemplateFile))
		if err != nil {
			return nil, fmt.Errorf("cloud assembly %s: stack %s: %w", dir, s.Name, err)
		}
		out = append(out, Stack{Stack: s, TemplateBytes: int(info.Size())})
	}
	return out, nil
}

// environments lists aws://account/region of every stack, once each, sorted.
func environments(stacks []Stack) []string {
	seen := map[string]bool{}
	var envs []string
	for _, s := range stacks {
		e := "aws://" + s.Account + "/" + s.Region
		if !seen[e] {
			seen[e] = true
			envs = append(envs, e)
		}
	}
	sort.Strings(envs)
	return envs
}

// contextArgs renders the context as -c key=value pairs, sorted by key.
func contextArgs(ctx map[string]string) []string {
	var args []string
	for _, k := range slices.Sorted(maps.Keys(ctx)) {
		args = append(args, "-c", k+"="+ctx[k])
	}
	return args
}

// cli runs the pinned CDK CLI in the project directory against the endpoint.
type cli struct {
	path string
	dir  string
	env  []string
	log  io.Writer
}

// newCLI checks opts, every problem at once, and prepares the CLI's environment.
func newCLI(opts Options) (*cli, error) {
	if problems := opts.problems(); len(problems) > 0 {
		return nil, &OptionsError{Problems: problems}
	}
	if err := os.MkdirAll(opts.Output, 0o755); err != nil {
		return nil, fmt.Errorf("rehearse: Output: %w", err)
	}
	bin := filepath.Join(opts.Dir, "node_modules", ".bin")
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	return &cli{path: filepath.Join(bin, "cdk"), dir: opts.Dir, env: endpointEnv(os.Environ(), opts.Endpoint, bin), log: log}, nil
}

// OptionsError lists every problem of an Options value.
type OptionsError struct{ Problems []string }

// Error lists the problems, one a line.
func (e *OptionsError) Error() string {
	return "rehearse: invalid options:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// problems returns one message per bad field, naming it, its value and what is expected.
func (o Options) problems() []string {
	var p []string
	if _, err := os.Stat(filepath.Join(o.Dir, "cdk.json")); err != nil {
		p = append(p, fmt.Sprintf("Dir: got %q; expected the project directory, with cdk.json (%v)", o.Dir, err))
	} else if _, err := os.Stat(filepath.Join(o.Dir, "node_modules", ".bin", "cdk")); err != nil {
		p = append(p, fmt.Sprintf("Dir: got %q; expected the pinned CDK CLI in node_modules/.bin (run make deps): %v", o.Dir, err))
	}
	if u, err := url.Parse(o.Endpoint); err != nil || u.Scheme != "http" || u.Hostname() != "localhost" || u.Port() == "" || (u.Path != "" && u.Path != "/") {
		p = append(p, fmt.Sprintf("Endpoint: got %q; expected moto_server's http://localhost:<port> (localhost, not 127.0.0.1: moto reads a TemplateURL's bucket from the host name)", o.Endpoint))
	}
	if o.Output == "" {
		p = append(p, `Output: got ""; expected a directory for the cloud assembly, one per rehearsal`)
	}
	if o.Concurrency < 0 {
		p = append(p, fmt.Sprintf("Concurrency: got %d; expected 0 or more stacks at once", o.Concurrency))
	}
	for k, v := range o.Context {
		if k == "" || strings.ContainsAny(k, "= ") {
			p = append(p, fmt.Sprintf("Context: key %q (value %q); expected a context key such as encryption", k, v))
		}
	}
	sort.Strings(p)
	return p
}

// endpointEnv is the CLI's environment: the process's, without anything that names other AWS
// credentials, profiles, regions or endpoints, plus moto's endpoint, test credentials, no
// instance metadata, no telemetry or version check, and the pinned Node.js and CLI first on
// PATH.
func endpointEnv(environ []string, endpoint, bin string) []string {
	var env []string
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "AWS_"), strings.HasPrefix(k, "CDK_DEFAULT_"):
			continue
		case k == "PATH":
			env = append(env, "PATH="+bin+string(os.PathListSeparator)+v)
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"AWS_ENDPOINT_URL="+endpoint,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION="+cliRegion,
		"AWS_DEFAULT_REGION="+cliRegion,
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
		"CDK_DISABLE_CLI_TELEMETRY=true",
		"CDK_DISABLE_VERSION_CHECK=true",
	)
}

// run runs one CLI command; its output goes to the log, and its last lines into the error when
// it fails. The CLI and what it starts (go run) are stopped when ctx ends.
func (c *cli) run(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, c.path, append([]string{"--no-notices"}, args...)...)
	cmd.Dir, cmd.Env = c.dir, c.env
	tail := &tailWriter{max: 4096}
	cmd.Stdout = io.MultiWriter(c.log, tail)
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Run(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = errors.Join(err, ctxErr)
		}
		return fmt.Errorf("cdk %s: %w\n%s", strings.Join(args, " "), err, tail.String())
	}
	return nil
}

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	max int
	b   []byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailWriter) String() string { return string(t.b) }
