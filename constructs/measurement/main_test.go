package measurement_test

// Test helpers of the measuring constructs: one fixture app synthesized once, and readers of
// its templates. The JSONata of the definitions is evaluated through internal/jsonatatest.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-platform/ecr-replication/constructs/measurement"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/jsiitest"
	"github.com/acme-platform/ecr-replication/internal/jsonatatest"
	"github.com/acme-platform/ecr-replication/replication"
)

func TestMain(m *testing.M) { jsiitest.Main(m) }

const (
	prefix         = "enterprise-apps"
	sourceRegion   = "us-east-1"
	sourceAccount  = "111111111111"
	replicaAccount = "222222222222"
	alertTopicArn  = "arn:aws:sns:us-east-1:111111111111:alerts"
)

// stack is one synthesized stack of the fixture.
type stack struct {
	name, region string
	stack        awscdk.Stack
	json         map[string]any
}

func (s *stack) tmpl() cfntest.Template { return cfntest.Template(s.json) }

// fixture is built once per test binary:
//
//   - "Storage": us-east-1, account 111111111111, StorageMetrics with two repository
//     metrics, a 30-minute schedule and a 5 GiB threshold;
//   - "StorageDefaults": eu-west-1, no account (deploy-time), every default;
//   - "Latency": us-east-1, account 111111111111, ReplicationLatency to us-west-2 in
//     account 222222222222 and to eu-west-1 in the same account, threshold 20 minutes;
//   - "ForwarderCrossAccount": us-west-2, account 222222222222, source account given;
//   - "ForwarderSameAccount": eu-west-1, no account: same-account mode with a token account.
type fixture struct {
	stacks   map[string]*stack
	storage  *measurement.StorageMetrics
	defaults *measurement.StorageMetrics
	latency  *measurement.ReplicationLatency
	crossFwd *measurement.LatencyForwarder
	sameFwd  *measurement.LatencyForwarder
}

var theFixture *fixture

// featureFlags are the cdk.json context values that affect these constructs; tests do not
// read cdk.json, so they are set explicitly.
func featureFlags() *map[string]any {
	return &map[string]any{
		"@aws-cdk/aws-kms:reduceCrossAccountRegionPolicyScope": true,
		"@aws-cdk/core:enablePartitionLiterals":                true,
	}
}

func getFixture(t *testing.T) *fixture {
	t.Helper()
	if theFixture != nil {
		return theFixture
	}
	f := &fixture{stacks: map[string]*stack{}}
	app := awscdk.NewApp(&awscdk.AppProps{Context: featureFlags()})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	newStack := func(name, region, account string) awscdk.Stack {
		env := &awscdk.Environment{Region: jsii.String(region)}
		if account != "" {
			env.Account = jsii.String(account)
		}
		st := awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{Env: env})
		f.stacks[name] = &stack{name: name, region: region, stack: st}
		return st
	}
	topic := func(st awscdk.Stack, arn string) awssns.ITopic {
		return awssns.Topic_FromTopicArn(st, jsii.String("Alert"), jsii.String(arn))
	}

	st := newStack("Storage", sourceRegion, sourceAccount)
	f.storage = measurement.NewStorageMetrics(st, "StorageMetrics", &measurement.StorageMetricsProps{
		RepositoryPrefix:     prefix,
		RepositoryMetrics:    []string{"enterprise-apps/production", "enterprise-apps/testing"},
		Schedule:             awscdk.Duration_Minutes(jsii.Number(30)),
		GrowthThresholdBytes: 5 * 1024 * 1024 * 1024,
		AlertTopic:           topic(st, alertTopicArn),
	})
	st = newStack("StorageDefaults", "eu-west-1", "")
	f.defaults = measurement.NewStorageMetrics(st, "StorageMetrics", &measurement.StorageMetricsProps{
		RepositoryPrefix: prefix,
		AlertTopic:       topic(st, "arn:aws:sns:eu-west-1:000000000000:alerts"),
	})
	st = newStack("Latency", sourceRegion, sourceAccount)
	f.latency = measurement.NewReplicationLatency(st, "Latency", &measurement.ReplicationLatencyProps{
		RepositoryPrefix: prefix,
		Destinations:     []replication.Destination{{Region: "us-west-2", Account: replicaAccount}, {Region: "eu-west-1"}},
		AlertTopic:       topic(st, alertTopicArn),
		LatencyThreshold: awscdk.Duration_Minutes(jsii.Number(20)),
	})
	st = newStack("ForwarderCrossAccount", "us-west-2", replicaAccount)
	f.crossFwd = measurement.NewLatencyForwarder(st, "Forwarder", &measurement.LatencyForwarderProps{
		RepositoryPrefix: prefix, SourceRegion: sourceRegion, SourceAccount: sourceAccount,
	})
	st = newStack("ForwarderSameAccount", "eu-west-1", "")
	f.sameFwd = measurement.NewLatencyForwarder(st, "Forwarder", &measurement.LatencyForwarderProps{
		RepositoryPrefix: prefix, SourceRegion: sourceRegion,
	})

	for _, s := range f.stacks {
		s.json = *assertions.Template_FromStack(s.stack, nil).ToJSON()
	}
	theFixture = f
	return f
}

// alarmsByName returns the alarms of a template by AlarmName.
func alarmsByName(tmpl cfntest.Template) map[string]map[string]any {
	alarms := map[string]map[string]any{}
	for _, a := range tmpl.Resources("AWS::CloudWatch::Alarm") {
		alarms[fmt.Sprint(a.Properties["AlarmName"])] = a.Properties
	}
	return alarms
}

// expectAlertActions checks that every alarm notifies the alert topic of ALARM and OK.
func expectAlertActions(t *testing.T, alarms map[string]map[string]any) {
	t.Helper()
	for name, a := range alarms {
		if cfntest.JSON(a["AlarmActions"]) != `["`+alertTopicArn+`"]` || cfntest.JSON(a["OKActions"]) != `["`+alertTopicArn+`"]` {
			t.Errorf("%s actions = %s / %s", name, cfntest.JSON(a["AlarmActions"]), cfntest.JSON(a["OKActions"]))
		}
	}
}

// ownStatements returns, as JSON, the statements with a Sid (the construct's own) of the roles
// whose logical id starts with rolePrefix.
func ownStatements(t *testing.T, tmpl cfntest.Template, rolePrefix string) []string {
	t.Helper()
	var ours []string
	for _, s := range policyStatements(t, tmpl, rolePrefix) {
		if sid, ok := s["Sid"].(string); ok {
			ours = append(ours, cfntest.JSON(map[string]any{"Sid": sid, "Action": s["Action"], "Resource": s["Resource"], "Condition": s["Condition"]}))
		}
	}
	return ours
}

// policyStatements returns the statements of every AWS::IAM::Policy and every inline
// policy of the AWS::IAM::Role resources whose logical id starts with rolePrefix.
func policyStatements(t *testing.T, tmpl cfntest.Template, rolePrefix string) []map[string]any {
	t.Helper()
	var out []map[string]any
	collect := func(doc any) {
		for _, s := range asList(jsonatatest.At(t, doc, "Statement")) {
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

// expectNoLambda checks that no stack of names has a Lambda function or a custom resource.
func expectNoLambda(t *testing.T, f *fixture, names ...string) {
	t.Helper()
	for _, name := range names {
		for _, r := range f.stacks[name].tmpl().Resources("") {
			if r.Type == "AWS::Lambda::Function" || strings.HasPrefix(r.Type, "Custom::") {
				t.Errorf("%s: %s %s", name, r.LogicalID, r.Type)
			}
		}
	}
}

// expectCleanLintAndNag checks that cdk-nag's AwsSolutions pack left no unsuppressed finding
// on the stacks, and that cfn-lint reports nothing (cfntest.CfnLint requires cfn-lint, or
// skips with -short when it is missing, saying so).
func expectCleanLintAndNag(t *testing.T, names ...string) {
	t.Helper()
	f := getFixture(t)
	var files []cfntest.LintFile
	for _, n := range names {
		s := f.stacks[n]
		for _, m := range jsiitest.Messages(s.stack, "AwsSolutions-") {
			t.Errorf("%s: %s %s: %v", n, m.Level, *m.Id, m.Entry.Data)
		}
		files = append(files, cfntest.LintFile{Name: n, Region: s.region, Template: s.tmpl()})
	}
	cfntest.CfnLint(t, files)
}

// newStackIn is a fresh stack in region, for validation tests that synthesize nothing.
func newStackIn(region string) awscdk.Stack {
	return awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String(region)}})
}
