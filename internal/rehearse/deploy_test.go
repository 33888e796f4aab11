package rehearse

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestOptionsRefusesEveryProblemAtOnce(t *testing.T) {
	_, err := newCLI(Options{Dir: t.TempDir(), Endpoint: "http://127.0.0.1:5000", Concurrency: -1, Context: map[string]string{"a=b": "c"}})
	var oe *OptionsError
	if !errors.As(err, &oe) {
		t.Fatalf("got %v", err)
	}
	want := []string{
		"Concurrency: got -1; expected 0 or more stacks at once",
		`Context: key "a=b" (value "c"); expected a context key such as encryption`,
		"Dir: got ",
		`Endpoint: got "http://127.0.0.1:5000"; expected moto_server's http://localhost:<port> (localhost, not 127.0.0.1`,
		`Output: got ""; expected a directory for the cloud assembly, one per rehearsal`,
	}
	if len(oe.Problems) != len(want) {
		t.Fatalf("problems %q", oe.Problems)
	}
	for i, w := range want {
		if !strings.HasPrefix(oe.Problems[i], w) {
			t.Errorf("problem %d: %q, want it to start with %q", i, oe.Problems[i], w)
		}
	}
	if !strings.Contains(oe.Problems[2], "expected the project directory, with cdk.json") {
		t.Errorf("Dir: %q", oe.Problems[2])
	}
}

func TestOptionsNeedThePinnedCLI(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cdk.json"), []byte(`{"app": "true"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	p := Options{Dir: dir, Endpoint: "http://localhost:5000", Output: "out"}.problems()
	if len(p) != 1 || !strings.Contains(p[0], "expected the pinned CDK CLI in node_modules/.bin (run make deps)") {
		t.Errorf("got %q", p)
	}
}

func TestEndpointEnvKeepsAWSOut(t *testing.T) {
	env := endpointEnv([]string{
		"HOME=/root", "PATH=/usr/bin", "AWS_PROFILE=prod", "AWS_ACCESS_KEY_ID=AKIAREAL", "AWS_ENDPOINT_URL_S3=https://s3.example",
		"CDK_DEFAULT_ACCOUNT=999999999999", "CDK_DISABLE_CLI_TELEMETRY=false",
	}, "http://localhost:5000", "/p/node_modules/.bin")
	want := []string{
		"HOME=/root", "PATH=/p/node_modules/.bin:/usr/bin", "CDK_DISABLE_CLI_TELEMETRY=false",
		"AWS_ENDPOINT_URL=http://localhost:5000", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true", "CDK_DISABLE_CLI_TELEMETRY=true", "CDK_DISABLE_VERSION_CHECK=true",
	}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("got  %q\nwant %q", env, want)
	}
}

func TestContextArgsAreSorted(t *testing.T) {
	got := contextArgs(map[string]string{"secondaryRegion": "none", "encryption": "KMS"})
	if want := []string{"-c", "encryption=KMS", "-c", "secondaryRegion=none"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q", got)
	}
}

func TestTailWriterKeepsTheEnd(t *testing.T) {
	w := &tailWriter{max: 5}
	_, _ = w.Write([]byte("abc"))
	_, _ = w.Write([]byte("defg"))
	if w.String() != "cdefg" {
		t.Errorf("got %q", w.String())
	}
}

func TestReportWrite(t *testing.T) {
	r := &Report{Name: "default", Timings: []Timing{{"deploy", 12.34}}, Findings: []Finding{
		{Check: "deploy", Stack: "a", Subject: "stack", Status: StatusPass, Summary: true, Detail: "CREATE_COMPLETE"},
		{Check: "setting", Stack: "a", Subject: "Repo Tags", Status: StatusPass},
		{Check: "realized", Stack: "a", Subject: "Alarm1", Status: StatusGap, Gap: "AWS::CloudWatch::Alarm not realized: why"},
		{Check: "realized", Stack: "b", Subject: "Alarm2", Status: StatusGap, Gap: "AWS::CloudWatch::Alarm not realized: why"},
		{Check: "setting", Stack: "b", Subject: "Board Body", Status: StatusSkipped, Detail: "not compared"},
	}}
	var b strings.Builder
	if err := r.Write(&b, false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	spaced := strings.Join(strings.Fields(out), " ") // the table's columns, one space apart
	for _, want := range []string{
		`rehearsal "default"`,
		"pass deploy a stack CREATE_COMPLETE",
		"gap realized 2 stack(s) 2× e.g. Alarm1 AWS::CloudWatch::Alarm not realized: why",
		"skipped setting b Board Body not compared",
	} {
		if !strings.Contains(spaced, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	for _, want := range []string{
		"passed: deploy 1, setting 1\ntimings: deploy 12.3 s\n2 pass, 2 gap(s), 1 skipped, 0 failed: rehearsal passed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "Repo Tags") {
		t.Errorf("a plain pass is printed:\n%s", out)
	}
	r.add(Finding{Check: "order", Status: StatusFail, Subject: "after b", Detail: "too early"})
	b.Reset()
	_ = r.Write(&b, true)
	if out := b.String(); !strings.Contains(out, "Repo Tags") || !strings.Contains(out, "FAIL     order") || !strings.HasSuffix(out, "1 failed: REHEARSAL FAILED\n") || !r.Failed() {
		t.Errorf("with every finding and a failure:\n%s", out)
	}
}

func TestPathsAreMadeAbsolute(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if got := absolute("cdk.out"); got != filepath.Join(wd, "cdk.out") {
		t.Errorf("got %q", got)
	}
	if got := absolute(""); got != "" {
		t.Errorf("an empty path: %q (Options.problems names it)", got)
	}
}
