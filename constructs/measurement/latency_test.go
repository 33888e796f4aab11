package measurement_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/internal/checkstest"
	"github.com/acme-platform/ecr-replication/constructs/measurement"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/eventpattern"
	"github.com/acme-platform/ecr-replication/internal/jsonatatest"
	"github.com/acme-platform/ecr-replication/pricing"
	"github.com/acme-platform/ecr-replication/replication"
)

// forwardedSamples are the events as they arrive on the source region's bus, by name.
func forwardedSamples(t *testing.T) map[string]map[string]any {
	t.Helper()
	samples, err := eventpattern.LoadSamples(filepath.Join(eventpattern.SamplesDir(filepath.Join("..", "..")), "forwarded"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, s := range samples {
		out[s.Name] = s.Event
	}
	return out
}

func onlyRule(t *testing.T, tmpl cfntest.Template) cfntest.EventRule {
	t.Helper()
	rules := cfntest.EventRules(tmpl)
	if len(rules) != 1 || rules[0].Pattern == nil {
		t.Fatalf("rules = %+v", rules)
	}
	return rules[0]
}

func TestLatencyEventPatterns(t *testing.T) {
	f := getFixture(t)
	samples := forwardedSamples(t)
	expect := map[string][]string{
		"Latency":               {"forwarded-success-eu-west-1", "forwarded-success-us-west-2"},
		"ForwarderCrossAccount": {"forwarded-success-eu-west-1", "forwarded-success-us-west-2", "forwarded-unknown-destination"},
		"ForwarderSameAccount":  {"forwarded-other-source-account", "forwarded-success-eu-west-1", "forwarded-success-us-west-2", "forwarded-unknown-destination"},
	}
	for stack, want := range expect {
		t.Run(stack, func(t *testing.T) {
			rule := onlyRule(t, f.stacks[stack].tmpl())
			var got []string
			for name, ev := range samples {
				ok, err := eventpattern.Match(rule.Pattern, ev)
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					got = append(got, name)
				}
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("matched %v, want %v\npattern %s", got, want, cfntest.JSON(rule.Pattern))
			}
		})
	}
	t.Run("the patterns exactly", func(t *testing.T) {
		detail := `"detail":{"action-type":["REPLICATE"],"repository-name":[{"prefix":"enterprise-apps/"}],"result":["SUCCESS"],"source-account":["111111111111"],"source-region":["us-east-1"]}`
		want := map[string]string{
			"Latency":               `{"account":["111111111111","222222222222"],` + detail + `,"detail-type":["ECR Replication Action"],"region":["eu-west-1","us-west-2"],"source":["aws.ecr"]}`,
			"ForwarderCrossAccount": `{` + detail + `,"detail-type":["ECR Replication Action"],"source":["aws.ecr"]}`,
			"ForwarderSameAccount":  `{"detail":{"action-type":["REPLICATE"],"repository-name":[{"prefix":"enterprise-apps/"}],"result":["SUCCESS"],"source-region":["us-east-1"]},"detail-type":["ECR Replication Action"],"source":["aws.ecr"]}`,
		}
		for stack, w := range want {
			if got := cfntest.JSON(onlyRule(t, f.stacks[stack].tmpl()).Pattern); got != w {
				t.Errorf("%s pattern\n got %s\nwant %s", stack, got, w)
			}
		}
	})
}

func TestLatencyStateMachine(t *testing.T) {
	f := getFixture(t)
	tmpl := f.stacks["Latency"].tmpl()
	def, _ := jsonatatest.Definition(t, tmpl)
	sm := tmpl.Resources("AWS::StepFunctions::StateMachine")[0]

	t.Run("Express JSONata state machine with logging ALL and tracing", func(t *testing.T) {
		if sm.Properties["StateMachineType"] != "EXPRESS" || def["QueryLanguage"] != "JSONata" {
			t.Errorf("type %v, language %v", sm.Properties["StateMachineType"], def["QueryLanguage"])
		}
		if got := cfntest.JSON(sm.Properties["TracingConfiguration"]); got != `{"Enabled":true}` {
			t.Errorf("tracing %s", got)
		}
		if got := jsonatatest.At(t, def, "States", "DescribeSourceImage", "Resource"); got != describeImages {
			t.Errorf("resource %v", got)
		}
		if got := jsonatatest.At(t, def, "States", "PublishLatency", "Resource"); got != putMetricData {
			t.Errorf("resource %v", got)
		}
		// One metric per destination; no schedule.
		if got := cfntest.JSON(sm.Raw["Metadata"].(map[string]any)[pricing.MetadataKey]); got != `{"customMetrics":2,"scheduledRunsPerMonth":0}` {
			t.Errorf("cost metadata = %s", got)
		}
	})
	t.Run("IAM: describeImages under the prefix, PutMetricData in the namespace, StartExecution for the rule", func(t *testing.T) {
		want := []string{
			`{"Action":"ecr:DescribeImages","Condition":null,"Resource":"arn:aws:ecr:us-east-1:111111111111:repository/enterprise-apps/*","Sid":"DescribeSourceImages"}`,
			`{"Action":"cloudwatch:PutMetricData","Condition":{"StringEquals":{"cloudwatch:namespace":"ECRReplication"}},"Resource":"*","Sid":"PublishLatencyMetrics"}`,
		}
		if ours := ownStatements(t, tmpl, "LatencyRole"); !jsonatatest.SameJSON(ours, want) {
			t.Errorf("statements\n%s", strings.Join(ours, "\n"))
		}
		for _, r := range tmpl.Resources("AWS::IAM::Role") {
			if !strings.HasPrefix(r.LogicalID, "LatencyRuleRole") {
				continue
			}
			if got := cfntest.JSON(r.Properties["Policies"]); got != `[{"PolicyDocument":{"Statement":[{"Action":"states:StartExecution","Effect":"Allow","Resource":{"Ref":"`+sm.LogicalID+`"}}],"Version":"2012-10-17"},"PolicyName":"StartMeasurement"}]` {
				t.Errorf("rule role policies %s", got)
			}
			if got := cfntest.JSON(r.Properties["AssumeRolePolicyDocument"]); !strings.Contains(got, `"Principal":{"Service":"events.amazonaws.com"}`) {
				t.Errorf("trust %s", got)
			}
		}
		rule := tmpl.Resources("AWS::Events::Rule")[0].Properties
		if rule["Name"] != "ecr-enterprise-apps-replication-latency" || !strings.Contains(cfntest.JSON(rule["Targets"]), `"Arn":{"Ref":"`+sm.LogicalID+`"}`) {
			t.Errorf("rule %s", cfntest.JSON(rule))
		}
	})
	t.Run("no Lambda and no custom resource", func(t *testing.T) {
		expectNoLambda(t, f, "Latency", "ForwarderCrossAccount", "ForwarderSameAccount")
	})
}

// TestLatencyBusPolicies: the source bus admits each sending account, only for the forwarder
// rules of this namespace, whose name is the one the forwarders really get.
func TestLatencyBusPolicies(t *testing.T) {
	f := getFixture(t)
	pols := map[string]string{}
	for _, p := range f.stacks["Latency"].tmpl().Resources("AWS::Events::EventBusPolicy") {
		pols[p.Properties["StatementId"].(string)] = cfntest.JSON(p.Properties["Statement"])
	}
	want := map[string]string{
		"ecr-enterprise-apps-replication-events-from-222222222222": `{"Action":"events:PutEvents","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:events:*:222222222222:rule/ecr-enterprise-apps-forward-replications-to-us-east-1"}},"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},` +
			`"Resource":"arn:aws:events:us-east-1:111111111111:event-bus/default","Sid":"ecr-enterprise-apps-replication-events-from-222222222222"}`,
		"ecr-enterprise-apps-replication-events-from-SourceAccount": `{"Action":"events:PutEvents","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:events:*:111111111111:rule/ecr-enterprise-apps-forward-replications-to-us-east-1"}},"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},` +
			`"Resource":"arn:aws:events:us-east-1:111111111111:event-bus/default","Sid":"ecr-enterprise-apps-replication-events-from-SourceAccount"}`,
	}
	if len(pols) != len(want) {
		t.Fatalf("bus policies %v; want %d", pols, len(want))
	}
	for sid, w := range want {
		if pols[sid] != w {
			t.Errorf("bus policy %s\n got %s\nwant %s", sid, pols[sid], w)
		}
	}
	if got := onlyRule(t, f.stacks["ForwarderCrossAccount"].tmpl()).Name; got != "ecr-enterprise-apps-forward-replications-to-us-east-1" || f.crossFwd.RuleName != got {
		t.Errorf("the forwarder's rule is %q (RuleName %q); the bus policies admit ecr-enterprise-apps-forward-replications-to-us-east-1", got, f.crossFwd.RuleName)
	}
	if got := []string{"AdmitSourceAccount", "Admit222222222222"}; len(f.latency.BusPolicies) != 2 || f.latency.BusPolicies[got[0]] == nil || f.latency.BusPolicies[got[1]] == nil {
		t.Errorf("BusPolicies = %v; want the ids %v", f.latency.BusPolicies, got)
	}
}

func TestLatencyAlarms(t *testing.T) {
	f := getFixture(t)
	alarms := alarmsByName(f.stacks["Latency"].tmpl())
	if len(alarms) != 3 {
		t.Fatalf("alarms %v", alarms)
	}
	for _, region := range []string{"us-west-2", "eu-west-1"} {
		a, ok := alarms["ecr-enterprise-apps-replication-latency-p90-"+region]
		if !ok {
			t.Fatalf("no alarm for %s", region)
		}
		want := `[{"Id":"m1","Label":"` + region + ` p90 (seconds)","MetricStat":{"Metric":{"Dimensions":[{"Name":"DestinationRegion","Value":"` + region +
			`"}],"MetricName":"ReplicationLatencySeconds","Namespace":"ECRReplication"},"Period":3600,"Stat":"p90","Unit":"Seconds"},"ReturnData":true}]`
		if got := cfntest.JSON(a["Metrics"]); got != want || a["Threshold"] != float64(1200) || a["TreatMissingData"] != "notBreaching" ||
			a["ComparisonOperator"] != "GreaterThanThreshold" || a["EvaluationPeriods"] != float64(1) {
			t.Errorf("%s alarm %s", region, cfntest.JSON(a))
		}
		if d := a["AlarmDescription"].(string); !strings.Contains(d, "stalled replication emits none") || !strings.Contains(d, "cmd/verify --wait") {
			t.Errorf("description %q", d)
		}
	}
	if _, ok := alarms["ecr-enterprise-apps-replication-latency-failed"]; !ok {
		t.Error("no execution-failure alarm")
	}
	expectAlertActions(t, alarms)
}

// TestLatencyAccessors covers the exported methods and names of ReplicationLatency and
// LatencyForwarder.
func TestLatencyAccessors(t *testing.T) {
	f := getFixture(t)
	cfntest.ExpectOK(t, func() {
		a := f.latency.Alarms()
		if len(a) != 3 || a[0] != f.latency.LatencyAlarms["eu-west-1"] || a[1] != f.latency.LatencyAlarms["us-west-2"] || a[2] != f.latency.ExecutionFailureAlarm {
			t.Errorf("Alarms() = %v; want eu-west-1, us-west-2, then the execution-failure alarm", a)
		}
		if n := len(f.latency.Widgets()); n != 1 {
			t.Errorf("Widgets() = %d", n)
		}
		m := f.latency.MetricLatency("eu-west-1", "p50", nil)
		if got := fmt.Sprint(*m.Namespace(), " ", *m.MetricName(), " ", *m.Statistic(), " ", *m.Label()); got != "ECRReplication ReplicationLatencySeconds p50 eu-west-1 p50 (seconds)" {
			t.Errorf("MetricLatency = %s", got)
		}
		fm := f.crossFwd.MetricFailedInvocations(nil)
		if got := fmt.Sprint(*fm.Namespace(), " ", *fm.MetricName(), " ", (*fm.Dimensions())["RuleName"], " ", *fm.Statistic()); got != "AWS/Events FailedInvocations ecr-enterprise-apps-forward-replications-to-us-east-1 Sum" {
			t.Errorf("MetricFailedInvocations = %s", got)
		}
	})
	if f.latency.RuleName != "ecr-enterprise-apps-replication-latency" || f.latency.ExecutionFailureAlarmName != "ecr-enterprise-apps-replication-latency-failed" ||
		f.latency.LatencyAlarmNames["us-west-2"] != "ecr-enterprise-apps-replication-latency-p90-us-west-2" {
		t.Errorf("names %q %q %v", f.latency.RuleName, f.latency.ExecutionFailureAlarmName, f.latency.LatencyAlarmNames)
	}
}

func TestLatencyForwarders(t *testing.T) {
	f := getFixture(t)
	for stack, bus := range map[string]string{
		"ForwarderCrossAccount": `"arn:aws:events:us-east-1:111111111111:event-bus/default"`,
		"ForwarderSameAccount":  `{"Fn::Join":["",["arn:aws:events:us-east-1:",{"Ref":"AWS::AccountId"},":event-bus/default"]]}`,
	} {
		ft := f.stacks[stack].tmpl()
		rule := ft.Resources("AWS::Events::Rule")[0].Properties
		targets := cfntest.JSON(rule["Targets"])
		if !strings.Contains(targets, `"Arn":`+bus) || !strings.Contains(targets, `"RoleArn":{"Fn::GetAtt":["ForwarderRole`) {
			t.Errorf("%s targets %s", stack, targets)
		}
		if rule["Name"] != "ecr-enterprise-apps-forward-replications-to-us-east-1" {
			t.Errorf("%s name %v", stack, rule["Name"])
		}
		roles := ft.Resources("AWS::IAM::Role")
		if len(roles) != 1 {
			t.Fatalf("%s: %d roles", stack, len(roles))
		}
		if got := cfntest.JSON(roles[0].Properties["Policies"]); got != `[{"PolicyDocument":{"Statement":[{"Action":"events:PutEvents","Effect":"Allow","Resource":`+bus+`}],"Version":"2012-10-17"},"PolicyName":"PutEventsOnSourceBus"}]` {
			t.Errorf("%s role policy %s", stack, got)
		}
		if got := cfntest.JSON(roles[0].Properties["AssumeRolePolicyDocument"]); !strings.Contains(got, `"Principal":{"Service":"events.amazonaws.com"}`) {
			t.Errorf("%s trust %s", stack, got)
		}
		if n := len(ft.Resources("")); n != 2 {
			t.Errorf("%s: %d resources, want the rule and its role", stack, n)
		}
	}
}

// TestLatencyJSONata evaluates the expressions of the synthesized definition, then whole
// executions with the forwarded sample events as input, in one Node.js process.
func TestLatencyJSONata(t *testing.T) {
	def, _ := jsonatatest.Definition(t, getFixture(t).stacks["Latency"].tmpl())
	samples := forwardedSamples(t)
	jsonatatest.RunChecks(t, append(latencyExpressionChecks(t, def, samples), latencyExecutionChecks(def, samples)...))
}

// sourceImage is the DescribeImages result of the source image of the us-west-2 sample, pushed
// at pushedAt.
func sourceImage(samples map[string]map[string]any, pushedAt any) map[string]any {
	return map[string]any{"ImageDetails": []any{map[string]any{
		"RegistryId": sourceAccount, "RepositoryName": "enterprise-apps/production", "ImageDigest": samples["forwarded-success-us-west-2"]["detail"].(map[string]any)["image-digest"],
		"ImageTags": []any{"prod-42"}, "ImageSizeInBytes": 1234, "ImageManifestMediaType": dockerManifest, "ImagePushedAt": pushedAt,
	}}}
}

// latencyExpressionChecks: the lookup arguments, every ImagePushedAt form, the metric datum.
// The samples' event time is 2026-11-20T10:15:00Z (us-west-2) and 2026-11-20T10:20:30Z
// (eu-west-1); 1795169100 is 2026-11-20T10:05:00Z in epoch seconds.
func latencyExpressionChecks(t *testing.T, def map[string]any, samples map[string]map[string]any) []jsonatatest.Check {
	west, eu := samples["forwarded-success-us-west-2"], samples["forwarded-success-eu-west-1"]
	output := jsonatatest.Expr(t, def, "States", "DescribeSourceImage", "Output")
	pushed := func(v any) map[string]any { return sourceImage(samples, v) }
	return []jsonatatest.Check{
		{Name: "repository name from the event detail", Case: jsonatatest.Case{Expr: jsonatatest.Expr(t, def, "States", "DescribeSourceImage", "Arguments", "RepositoryName"), States: map[string]any{"input": west}},
			Want: "enterprise-apps/production"},
		{Name: "image digest from the event detail", Case: jsonatatest.Case{Expr: jsonatatest.Expr(t, def, "States", "DescribeSourceImage", "Arguments", "ImageIds", "0", "ImageDigest"), States: map[string]any{"input": west}},
			Want: "sha256:3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"},
		{Name: "ImagePushedAt as an ISO 8601 string", Case: jsonatatest.Case{Expr: output, States: map[string]any{"input": west, "result": pushed("2026-11-20T10:05:00Z")}},
			Want: map[string]any{"DestinationRegion": "us-west-2", "LatencySeconds": 600}},
		{Name: "ImagePushedAt as ISO 8601 with milliseconds and an offset", Case: jsonatatest.Case{Expr: output, States: map[string]any{"input": west, "result": pushed("2026-11-20T11:05:00.250+01:00")}},
			Want: map[string]any{"DestinationRegion": "us-west-2", "LatencySeconds": 599.75}},
		{Name: "ImagePushedAt as epoch seconds with a fraction (the ECR wire format)", Case: jsonatatest.Case{Expr: output, States: map[string]any{"input": eu, "result": pushed(1795169100.5)}},
			Want: map[string]any{"DestinationRegion": "eu-west-1", "LatencySeconds": 929.5}},
		{Name: "ImagePushedAt as epoch milliseconds", Case: jsonatatest.Case{Expr: output, States: map[string]any{"input": west, "result": pushed(1795169100500.0)}},
			Want: map[string]any{"DestinationRegion": "us-west-2", "LatencySeconds": 599.5}},
		{Name: "metric datum per destination region in seconds", Case: jsonatatest.Case{Expr: jsonatatest.Expr(t, def, "States", "PublishLatency", "Arguments", "MetricData"),
			States: map[string]any{"input": map[string]any{"DestinationRegion": "eu-west-1", "LatencySeconds": 42.5}}},
			Want: []any{map[string]any{"MetricName": "ReplicationLatencySeconds", "Dimensions": []any{map[string]any{"Name": "DestinationRegion", "Value": "eu-west-1"}}, "Unit": "Seconds", "Value": 42.5}}},
	}
}

// latencyExecutionChecks run the state machine on the forwarded samples: each publishes its
// latency once; a deleted source image ends without a metric.
func latencyExecutionChecks(def map[string]any, samples map[string]map[string]any) []jsonatatest.Check {
	west, eu := samples["forwarded-success-us-west-2"], samples["forwarded-success-eu-west-1"]
	describe := func(ev map[string]any) map[string]any {
		d := ev["detail"].(map[string]any)
		return map[string]any{"RepositoryName": d["repository-name"], "ImageIds": []any{map[string]any{"ImageDigest": d["image-digest"]}}}
	}
	publish := func(region string, seconds float64) jsonatatest.Mock {
		return jsonatatest.Mock{Resource: putMetricData, Arguments: map[string]any{"Namespace": "ECRReplication", "MetricData": []any{map[string]any{
			"MetricName": "ReplicationLatencySeconds", "Dimensions": []any{map[string]any{"Name": "DestinationRegion", "Value": region}}, "Unit": "Seconds", "Value": seconds}}},
			Result: map[string]any{}}
	}
	published := func(t *testing.T, r jsonatatest.Result) {
		if r.Error != "" || len(r.Calls) != 2 || !reflect.DeepEqual(r.Path, []string{"DescribeSourceImage", "PublishLatency"}) {
			t.Errorf("error %q, calls %v, path %v", r.Error, r.Calls, r.Path)
		}
	}
	return []jsonatatest.Check{
		{Name: "execution: us-west-2, 10 minutes", Case: jsonatatest.Case{Run: def, Input: west, Mocks: []jsonatatest.Mock{
			{Resource: describeImages, Arguments: describe(west), Result: sourceImage(samples, "2026-11-20T10:05:00Z")}, publish("us-west-2", 600)}}, Verify: published},
		{Name: "execution: eu-west-1, epoch seconds", Case: jsonatatest.Case{Run: def, Input: eu, Mocks: []jsonatatest.Mock{
			{Resource: describeImages, Arguments: describe(eu), Result: sourceImage(samples, 1795169100.0)}, publish("eu-west-1", 930)}}, Verify: published},
		{Name: "execution: a deleted source image ends without a metric", Case: jsonatatest.Case{Run: def, Input: west, Mocks: []jsonatatest.Mock{
			{Resource: describeImages, Arguments: describe(west), Error: "Ecr.ImageNotFoundException"}}},
			Verify: func(t *testing.T, r jsonatatest.Result) {
				if r.Error != "" || len(r.Calls) != 1 || !reflect.DeepEqual(r.Path, []string{"DescribeSourceImage", "SourceImageGone"}) {
					t.Errorf("error %q, calls %v, path %v", r.Error, r.Calls, r.Path)
				}
			}},
	}
}

func TestLatencyPropsValidation(t *testing.T) {
	topicIn := func(s awscdk.Stack) awssns.ITopic {
		return awssns.Topic_FromTopicArn(s, jsii.String("T"), jsii.String("arn:aws:sns:us-east-1:111111111111:t"))
	}
	latency := func(change func(p *measurement.ReplicationLatencyProps)) func(s awscdk.Stack) {
		return func(s awscdk.Stack) {
			p := &measurement.ReplicationLatencyProps{RepositoryPrefix: prefix, AlertTopic: topicIn(s), Destinations: []replication.Destination{{Region: "us-west-2"}}}
			change(p)
			measurement.NewReplicationLatency(s, "L", p)
		}
	}
	const namespaceRule = `a repository namespace such as "enterprise-apps": lower-case letters, digits, ._- and inner /, no leading or trailing /`
	cases := []struct {
		name, kind string
		make       func(s awscdk.Stack)
		want       []string
	}{
		{"nil props", "ReplicationLatency", func(s awscdk.Stack) { measurement.NewReplicationLatency(s, "L", nil) },
			[]string{"RepositoryPrefix: required; expected " + namespaceRule, "Destinations: required; expected at least one destination region", "AlertTopic: required; expected the alert topic of this region"}},
		{"duplicate destination", "ReplicationLatency", latency(func(p *measurement.ReplicationLatencyProps) {
			p.Destinations = []replication.Destination{{Region: "us-west-2"}, {Region: "us-west-2"}}
		}), []string{`Destinations[1].Region: got "us-west-2"; expected each region once`}},
		{"the source region as destination", "ReplicationLatency", latency(func(p *measurement.ReplicationLatencyProps) {
			p.Destinations = []replication.Destination{{Region: "us-east-1"}}
		}), []string{`Destinations[0].Region: got "us-east-1"; expected a destination region, not the source region`}},
		{"threshold below a minute", "ReplicationLatency", latency(func(p *measurement.ReplicationLatencyProps) {
			p.LatencyThreshold = awscdk.Duration_Seconds(jsii.Number(30))
		}), []string{"LatencyThreshold: got 0.5 minutes; expected whole minutes from 1 to 1440"}},
		{"bad destination account", "ReplicationLatency", latency(func(p *measurement.ReplicationLatencyProps) {
			p.Destinations = []replication.Destination{{Region: "us-west-2", Account: "12"}}
		}), []string{`Destinations[0].Account: got "12"; expected a 12-digit AWS account ID such as 123456789012 or nothing`}},
		{"a stack without a concrete region", "ReplicationLatency", func(awscdk.Stack) {
			agnostic := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Agnostic"), nil)
			latency(func(*measurement.ReplicationLatencyProps) {})(agnostic)
		}, []string{"Env.Region: got an unresolved token; expected the stack's concrete region: it is written into the event pattern"}},
		{"forwarder in the source region", "LatencyForwarder", func(s awscdk.Stack) {
			measurement.NewLatencyForwarder(s, "F", &measurement.LatencyForwarderProps{RepositoryPrefix: prefix, SourceRegion: "us-east-1"})
		}, []string{`SourceRegion: got "us-east-1"; expected a region other than this stack's: LatencyForwarder belongs in the destination regions`}},
		{"forwarder without source region", "LatencyForwarder", func(s awscdk.Stack) {
			measurement.NewLatencyForwarder(s, "F", &measurement.LatencyForwarderProps{RepositoryPrefix: prefix, SourceAccount: "${Token[AWS.AccountId.1]}"})
		}, []string{`SourceRegion: required; expected a known AWS region such as "us-east-1"`,
			"SourceAccount: got an unresolved token; expected a 12-digit AWS account ID such as 123456789012 or nothing"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStackIn("us-east-1")
			checkstest.ExpectProblems(t, func() { c.make(s) }, c.kind, c.want...)
		})
	}
}

// TestLatencyCost: 2 destinations and 10,000 replications, worked out by hand: fixed 2 metrics x
// $0.30 + 4 alarm metrics x $0.10 = $1.00; variable 10,000 x $0.00001 PutMetricData ($0.10) +
// 10,000 x ($0.000001 + 0.4 s x 0.0625 GB x $0.00001667) Express ($0.0142) + 10,000 forwarded
// events at $1/M ($0.01) + 10,000 x 2,400 bytes of logs at $0.50/GB ($0.012) = $0.1362.
func TestLatencyCost(t *testing.T) {
	c := getFixture(t).latency.EstimatedMonthlyCost(pricing.ListPrices, 10000)
	if c.CustomMetrics != 2 || c.AlarmMetrics != 4 || c.ExecutionsPerMonth != 10000 || fmt.Sprintf("%.4f %.4f", c.FixedUSD, c.VariableUSD) != "1.0000 0.1362" {
		t.Errorf("cost %+v; want fixed 1.0000 and variable 0.1362", c)
	}
	if c2 := getFixture(t).latency.EstimatedMonthlyCost(pricing.ListPrices, 200000); !strings.Contains(strings.Join(c2.Lines, "\n"), "X-Ray traces beyond the free tier: $0.5000 (variable)") {
		t.Errorf("200,000 replications: %v; want 100,000 traces beyond the free tier at $5/M", c2.Lines)
	}
	t.Logf("2 destinations, 10,000 replications: %.4f USD/month fixed + %.4f variable\n%s", c.FixedUSD, c.VariableUSD, strings.Join(c.Lines, "\n"))
}

func TestLatencyCfnLintAndCdkNag(t *testing.T) {
	expectCleanLintAndNag(t, "Latency", "ForwarderCrossAccount", "ForwarderSameAccount")
}
