package monitoring_test

// Test helpers of the measuring constructs (StorageMetrics, ReplicationLatency,
// LatencyForwarder): one synthesized fixture app, access to the synthesized state machine
// definitions, and a runner that evaluates their JSONata with the reference implementation
// (testdata/jsonata/eval.js, npm jsonata pinned in package.json) in one Node.js process per
// batch.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/replication"
)

const (
	measurePrefix  = "enterprise-apps"
	measureSource  = "us-east-1"
	measureAccount = "111111111111"
	measureReplica = "222222222222"
)

// measureStack is one synthesized stack of the measure fixture.
type measureStack struct {
	name, region string
	stack        awscdk.Stack
	json         map[string]any
}

func (s *measureStack) tmpl() cfntest.Template { return cfntest.Template(s.json) }

// measureFixture is built once per test binary:
//
//   - "Storage": us-east-1, account 111111111111, StorageMetrics with two repository
//     metrics, a 30-minute schedule and a 5 GiB threshold;
//   - "StorageDefaults": eu-west-1, no account (deploy-time), every default;
//   - "Latency": us-east-1, account 111111111111, ReplicationLatency to us-west-2 in
//     account 222222222222 and to eu-west-1 in the same account, threshold 20 minutes;
//   - "ForwarderCrossAccount": us-west-2, account 222222222222, source account given;
//   - "ForwarderSameAccount": eu-west-1, no account: same-account mode with a token account.
type measureFixture struct {
	stacks   map[string]*measureStack
	storage  *monitoring.StorageMetrics
	defaults *monitoring.StorageMetrics
	latency  *monitoring.ReplicationLatency
	crossFwd *monitoring.LatencyForwarder
	sameFwd  *monitoring.LatencyForwarder
}

var theMeasureFixture *measureFixture

func getMeasureFixture(t *testing.T) *measureFixture {
	t.Helper()
	if theMeasureFixture != nil {
		return theMeasureFixture
	}
	f := &measureFixture{stacks: map[string]*measureStack{}}
	app := awscdk.NewApp(&awscdk.AppProps{Context: featureFlags()})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	newStack := func(name, region, account string) awscdk.Stack {
		env := &awscdk.Environment{Region: jsii.String(region)}
		if account != "" {
			env.Account = jsii.String(account)
		}
		st := awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{Env: env})
		f.stacks[name] = &measureStack{name: name, region: region, stack: st}
		return st
	}
	topic := func(st awscdk.Stack, region, account string) awssns.ITopic {
		if account == "" {
			account = "000000000000"
		}
		return awssns.Topic_FromTopicArn(st, jsii.String("Alert"), jsii.String("arn:aws:sns:"+region+":"+account+":alerts"))
	}

	st := newStack("Storage", measureSource, measureAccount)
	f.storage = monitoring.NewStorageMetrics(st, "StorageMetrics", &monitoring.StorageMetricsProps{
		RepositoryPrefix:     measurePrefix,
		RepositoryMetrics:    []string{"enterprise-apps/production", "enterprise-apps/testing"},
		Schedule:             awscdk.Duration_Minutes(jsii.Number(30)),
		GrowthThresholdBytes: 5 * 1024 * 1024 * 1024,
		AlertTopic:           topic(st, measureSource, measureAccount),
	})
	st = newStack("StorageDefaults", "eu-west-1", "")
	f.defaults = monitoring.NewStorageMetrics(st, "StorageMetrics", &monitoring.StorageMetricsProps{
		RepositoryPrefix: measurePrefix,
		AlertTopic:       topic(st, "eu-west-1", ""),
	})
	st = newStack("Latency", measureSource, measureAccount)
	f.latency = monitoring.NewReplicationLatency(st, "Latency", &monitoring.ReplicationLatencyProps{
		RepositoryPrefix: measurePrefix,
		Destinations:     []replication.Destination{{Region: "us-west-2", Account: measureReplica}, {Region: "eu-west-1"}},
		AlertTopic:       topic(st, measureSource, measureAccount),
		LatencyThreshold: awscdk.Duration_Minutes(jsii.Number(20)),
	})
	st = newStack("ForwarderCrossAccount", "us-west-2", measureReplica)
	f.crossFwd = monitoring.NewLatencyForwarder(st, "Forwarder", &monitoring.LatencyForwarderProps{
		RepositoryPrefix: measurePrefix, SourceRegion: measureSource, SourceAccount: measureAccount,
	})
	st = newStack("ForwarderSameAccount", "eu-west-1", "")
	f.sameFwd = monitoring.NewLatencyForwarder(st, "Forwarder", &monitoring.LatencyForwarderProps{
		RepositoryPrefix: measurePrefix, SourceRegion: measureSource,
	})

	for _, s := range f.stacks {
		s.json = *assertions.Template_FromStack(s.stack, nil).ToJSON()
	}
	theMeasureFixture = f
	return f
}

// definitionOf returns the decoded DefinitionString of the only state machine of a
// template, and its DefinitionSubstitutions.
func definitionOf(t *testing.T, tmpl cfntest.Template) (map[string]any, map[string]any) {
	t.Helper()
	sms := tmpl.Resources("AWS::StepFunctions::StateMachine")
	if len(sms) != 1 {
		t.Fatalf("%d state machines, want 1", len(sms))
	}
	text, ok := sms[0].Properties["DefinitionString"].(string)
	if !ok {
		t.Fatalf("DefinitionString is not a plain string: %s", cfntest.JSON(sms[0].Properties["DefinitionString"]))
	}
	var def map[string]any
	if err := json.Unmarshal([]byte(text), &def); err != nil {
		t.Fatalf("DefinitionString is not JSON: %v", err)
	}
	subs, _ := sms[0].Properties["DefinitionSubstitutions"].(map[string]any)
	return def, subs
}

// at walks a decoded JSON value along keys (object keys, or decimal indexes of arrays).
func at(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for i, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[k]
			if !ok {
				t.Fatalf("no %q at %s", k, strings.Join(keys[:i], "."))
			}
			v = next
		case []any:
			var n int
			if _, err := fmt.Sscan(k, &n); err != nil || n < 0 || n >= len(x) {
				t.Fatalf("no index %q at %s", k, strings.Join(keys[:i], "."))
			}
			v = x[n]
		default:
			t.Fatalf("cannot index %T with %q at %s", v, k, strings.Join(keys[:i], "."))
		}
	}
	return v
}

// exprAt returns the JSONata expression string at keys.
func exprAt(t *testing.T, def map[string]any, keys ...string) string {
	t.Helper()
	s, ok := at(t, def, keys...).(string)
	if !ok || !strings.HasPrefix(s, "{%") {
		t.Fatalf("%s is not a JSONata expression: %v", strings.Join(keys, "."), at(t, def, keys...))
	}
	return s
}

// jsonataCase is one input of testdata/jsonata/eval.js.
type jsonataCase struct {
	Expr   string         `json:"expr,omitempty"`
	States map[string]any `json:"states,omitempty"`
	Vars   map[string]any `json:"vars,omitempty"`
	Run    map[string]any `json:"run,omitempty"`
	Input  any            `json:"input,omitempty"`
	Mocks  []sdkMock      `json:"mocks,omitempty"`
}

// sdkMock answers one Task call of an execution.
type sdkMock struct {
	Resource  string `json:"resource"`
	Arguments any    `json:"arguments"`
	Result    any    `json:"result,omitempty"`
	Error     string `json:"error,omitempty"`
}

// jsonataResult is one output of testdata/jsonata/eval.js.
type jsonataResult struct {
	Value     any    `json:"value"`
	Undefined bool   `json:"undefined"`
	Error     string `json:"error"`
	Output    any    `json:"output"`
	Calls     []struct {
		Resource  string `json:"resource"`
		Arguments any    `json:"arguments"`
	} `json:"calls"`
	Path []string `json:"path"`
}

// nodeBinary is Node.js from the pinned npm package (make deps), else the one on PATH.
func nodeBinary(t *testing.T) string {
	t.Helper()
	local := filepath.Join("..", "..", "node_modules", ".bin", "node")
	if _, err := os.Stat(local); err == nil {
		return local
	}
	path, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("Node.js is required to evaluate JSONata (run make deps): %v", err)
	}
	return path
}

// runJSONata evaluates every case in one Node.js process.
func runJSONata(t *testing.T, cases []jsonataCase) []jsonataResult {
	t.Helper()
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nodeBinary(t), filepath.Join("testdata", "jsonata", "eval.js"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node testdata/jsonata/eval.js: %v\n%s(the npm package jsonata comes from make deps)", err, stderr.String())
	}
	var results []jsonataResult
	if err := json.Unmarshal(out, &results); err != nil || len(results) != len(cases) {
		t.Fatalf("eval.js returned %d results for %d cases (%v): %s", len(results), len(cases), err, out)
	}
	return results
}

// sameJSON compares two values after a JSON round trip (so that numbers compare as float64).
func sameJSON(a, b any) bool {
	norm := func(v any) any {
		raw, _ := json.Marshal(v)
		var out any
		_ = json.Unmarshal(raw, &out)
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// nagFindings returns the unsuppressed cdk-nag AwsSolutions errors and warnings of a stack.
func nagFindings(s *measureStack) []string {
	pattern := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	ann := assertions.Annotations_FromStack(s.stack)
	var out []string
	for _, found := range []*[]*cxapi.SynthesisMessage{ann.FindError(jsii.String("*"), pattern), ann.FindWarning(jsii.String("*"), pattern)} {
		for _, m := range *found {
			out = append(out, fmt.Sprintf("%s %s: %v", m.Level, *m.Id, m.Entry.Data))
		}
	}
	return out
}

// policyStatements returns the statements of every AWS::IAM::Policy and every inline
// policy of the AWS::IAM::Role resources whose logical id starts with rolePrefix.
func policyStatements(t *testing.T, tmpl cfntest.Template, rolePrefix string) []map[string]any {
	t.Helper()
	var out []map[string]any
	collect := func(doc any) {
		for _, s := range asList(at(t, doc, "Statement")) {
			out = append(out, s.(map[string]any))
		}
	}
	for _, r := range tmpl.Resources("AWS::IAM::Role") {
		if !strings.HasPrefix(r.LogicalID, rolePrefix) {
			continue
		}
		for _, p := range asList(r.Properties["Policies"]) {
			collect(p.(map[string]any)["PolicyDocument"])
		}
		for _, p := range tmpl.Resources("AWS::IAM::Policy") {
			for _, role := range asList(p.Properties["Roles"]) {
				if ref, _ := role.(map[string]any)["Ref"].(string); ref == r.LogicalID {
					collect(p.Properties["PolicyDocument"])
				}
			}
		}
	}
	return out
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// measureLint runs cfn-lint over the fixture's stacks (cfntest.CfnLint requires cfn-lint,
// or skips with -short when it is missing, saying so).
func measureLint(t *testing.T, names ...string) {
	t.Helper()
	f := getMeasureFixture(t)
	var files []cfntest.LintFile
	for _, n := range names {
		s := f.stacks[n]
		files = append(files, cfntest.LintFile{Name: n, Region: s.region, Template: s.tmpl()})
	}
	cfntest.CfnLint(t, files)
}
