package monitoring_test

import (
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/eventpattern"
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
	f := getMeasureFixture(t)
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

func TestLatencyTemplates(t *testing.T) {
	f := getMeasureFixture(t)
	tmpl := f.stacks["Latency"].tmpl()
	def, _ := definitionOf(t, tmpl)
	sm := tmpl.Resources("AWS::StepFunctions::StateMachine")[0]

	t.Run("Express JSONata state machine with logging ALL and tracing", func(t *testing.T) {
		if sm.Properties["StateMachineType"] != "EXPRESS" || def["QueryLanguage"] != "JSONata" {
			t.Errorf("type %v, language %v", sm.Properties["StateMachineType"], def["QueryLanguage"])
		}
		if got := cfntest.JSON(sm.Properties["TracingConfiguration"]); got != `{"Enabled":true}` {
			t.Errorf("tracing %s", got)
		}
		if got := at(t, def, "States", "DescribeSourceImage", "Resource"); got != "arn:aws:states:::aws-sdk:ecr:describeImages" {
			t.Errorf("resource %v", got)
		}
		if got := at(t, def, "States", "PublishLatency", "Resource"); got != "arn:aws:states:::aws-sdk:cloudwatch:putMetricData" {
			t.Errorf("resource %v", got)
		}
	})
	t.Run("IAM: describeImages under the prefix, PutMetricData in the namespace, StartExecution for the rule", func(t *testing.T) {
		var ours []string
		for _, s := range policyStatements(t, tmpl, "LatencyRole") {
			if sid, ok := s["Sid"].(string); ok {
				ours = append(ours, cfntest.JSON(map[string]any{"Sid": sid, "Action": s["Action"], "Resource": s["Resource"], "Condition": s["Condition"]}))
			}
		}
		want := []string{
			`{"Action":"ecr:DescribeImages","Condition":null,"Resource":"arn:aws:ecr:us-east-1:111111111111:repository/enterprise-apps/*","Sid":"DescribeSourceImages"}`,
			`{"Action":"cloudwatch:PutMetricData","Condition":{"StringEquals":{"cloudwatch:namespace":"ECRReplication"}},"Resource":"*","Sid":"PublishLatencyMetrics"}`,
		}
		if !sameJSON(ours, want) {
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
	t.Run("the source bus admits each sending account, only for its forwarder rules", func(t *testing.T) {
		pols := map[string]string{}
		for _, p := range tmpl.Resources("AWS::Events::EventBusPolicy") {
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
		if monitoring.LatencyForwarderRuleName("ecr-enterprise-apps", "us-east-1") != "ecr-enterprise-apps-forward-replications-to-us-east-1" {
			t.Error("the forwarder rule name the bus policy admits is not the one LatencyForwarder creates")
		}
	})
	t.Run("one p90 alarm per destination and an execution-failure alarm, all notifying the topic", func(t *testing.T) {
		alarms := map[string]map[string]any{}
		for _, a := range tmpl.Resources("AWS::CloudWatch::Alarm") {
			alarms[a.Properties["AlarmName"].(string)] = a.Properties
		}
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
		for name, a := range alarms {
			if cfntest.JSON(a["AlarmActions"]) != `["arn:aws:sns:us-east-1:111111111111:alerts"]` {
				t.Errorf("%s actions %s", name, cfntest.JSON(a["AlarmActions"]))
			}
		}
		if _, ok := alarms["ecr-enterprise-apps-replication-latency-failed"]; !ok {
			t.Error("no execution-failure alarm")
		}
		cfntest.ExpectOK(t, func() {
			if n := len(f.latency.Alarms()); n != 3 {
				t.Errorf("Alarms() = %d", n)
			}
			if n := len(f.latency.Widgets()); n != 1 {
				t.Errorf("Widgets() = %d", n)
			}
		})
	})
	t.Run("forwarders target the source default bus with a role allowed to put events there", func(t *testing.T) {
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
		cfntest.ExpectOK(t, func() {
			if m := f.crossFwd.MetricFailedInvocations(nil); *m.MetricName() != "FailedInvocations" || *m.Namespace() != "AWS/Events" {
				t.Errorf("metric %s %s", *m.Namespace(), *m.MetricName())
			}
		})
	})
	t.Run("no Lambda and no custom resource", func(t *testing.T) {
		for _, name := range []string{"Latency", "ForwarderCrossAccount", "ForwarderSameAccount"} {
			for _, r := range f.stacks[name].tmpl().Resources("") {
				if r.Type == "AWS::Lambda::Function" || strings.HasPrefix(r.Type, "Custom::") {
					t.Errorf("%s: %s %s", name, r.LogicalID, r.Type)
				}
			}
		}
	})
}

// TestLatencyJSONata evaluates the expressions of the synthesized definition, then whole
// executions with the forwarded sample events as input, in one Node.js process.
func TestLatencyJSONata(t *testing.T) {
	def, _ := definitionOf(t, getMeasureFixture(t).stacks["Latency"].tmpl())
	samples := forwardedSamples(t)
	west, eu := samples["forwarded-success-us-west-2"], samples["forwarded-success-eu-west-1"]
	output := exprAt(t, def, "States", "DescribeSourceImage", "Output")
	pushed := func(v any) map[string]any {
		return map[string]any{"ImageDetails": []any{map[string]any{
			"RegistryId": measureAccount, "RepositoryName": "enterprise-apps/production", "ImageDigest": west["detail"].(map[string]any)["image-digest"],
			"ImageTags": []any{"prod-42"}, "ImageSizeInBytes": 1234, "ImageManifestMediaType": dockerManifest, "ImagePushedAt": v,
		}}}
	}
	type check struct {
		name string
		c    jsonataCase
		want any
		run  func(t *testing.T, r jsonataResult)
	}
	checks := []check{
		{name: "repository name from the event detail", c: jsonataCase{Expr: exprAt(t, def, "States", "DescribeSourceImage", "Arguments", "RepositoryName"), States: map[string]any{"input": west}},
			want: "enterprise-apps/production"},
		{name: "image digest from the event detail", c: jsonataCase{Expr: exprAt(t, def, "States", "DescribeSourceImage", "Arguments", "ImageIds", "0", "ImageDigest"), States: map[string]any{"input": west}},
			want: "sha256:3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"},
		{name: "ImagePushedAt as an ISO 8601 string", c: jsonataCase{Expr: output, States: map[string]any{"input": west, "result": pushed("2026-11-20T10:05:00Z")}},
			want: map[string]any{"DestinationRegion": "us-west-2", "LatencySeconds": 600}},
		{name: "ImagePushedAt as ISO 8601 with milliseconds and an offset", c: jsonataCase{Expr: output, States: map[string]any{"input": west, "result": pushed("2026-11-20T11:05:00.250+01:00")}},
			want: map[string]any{"DestinationRegion": "us-west-2", "LatencySeconds": 599.75}},
		{name: "ImagePushedAt as epoch seconds with a fraction (the ECR wire format)", c: jsonataCase{Expr: output, States: map[string]any{"input": eu, "result": pushed(1795169100.5)}},
			want: map[string]any{"DestinationRegion": "eu-west-1", "LatencySeconds": 929.5}},
		{name: "ImagePushedAt as epoch milliseconds", c: jsonataCase{Expr: output, States: map[string]any{"input": west, "result": pushed(1795169100500.0)}},
			want: map[string]any{"DestinationRegion": "us-west-2", "LatencySeconds": 599.5}},
		{name: "metric datum per destination region in seconds", c: jsonataCase{Expr: exprAt(t, def, "States", "PublishLatency", "Arguments", "MetricData"),
			States: map[string]any{"input": map[string]any{"DestinationRegion": "eu-west-1", "LatencySeconds": 42.5}}},
			want: []any{map[string]any{"MetricName": "ReplicationLatencySeconds", "Dimensions": []any{map[string]any{"Name": "DestinationRegion", "Value": "eu-west-1"}}, "Unit": "Seconds", "Value": 42.5}}},
	}
	describe := func(ev map[string]any) map[string]any {
		d := ev["detail"].(map[string]any)
		return map[string]any{"RepositoryName": d["repository-name"], "ImageIds": []any{map[string]any{"ImageDigest": d["image-digest"]}}}
	}
	publish := func(region string, seconds float64) sdkMock {
		return sdkMock{Resource: putMetricData, Arguments: map[string]any{"Namespace": "ECRReplication", "MetricData": []any{map[string]any{
			"MetricName": "ReplicationLatencySeconds", "Dimensions": []any{map[string]any{"Name": "DestinationRegion", "Value": region}}, "Unit": "Seconds", "Value": seconds}}},
			Result: map[string]any{}}
	}
	for _, e := range []struct {
		name    string
		ev      map[string]any
		pushed  any
		region  string
		seconds float64
	}{
		{"execution: us-west-2, 10 minutes", west, "2026-11-20T10:05:00Z", "us-west-2", 600},
		{"execution: eu-west-1, epoch seconds", eu, 1795169100.0, "eu-west-1", 930},
	} {
		e := e
		checks = append(checks, check{name: e.name, c: jsonataCase{Run: def, Input: e.ev, Mocks: []sdkMock{
			{Resource: describeImages, Arguments: describe(e.ev), Result: pushed(e.pushed)}, publish(e.region, e.seconds)}},
			run: func(t *testing.T, r jsonataResult) {
				if r.Error != "" || len(r.Calls) != 2 || !reflect.DeepEqual(r.Path, []string{"DescribeSourceImage", "PublishLatency"}) {
					t.Errorf("error %q, calls %v, path %v", r.Error, r.Calls, r.Path)
				}
			}})
	}
	checks = append(checks, check{name: "execution: a deleted source image ends without a metric", c: jsonataCase{Run: def, Input: west, Mocks: []sdkMock{
		{Resource: describeImages, Arguments: describe(west), Error: "Ecr.ImageNotFoundException"}}},
		run: func(t *testing.T, r jsonataResult) {
			if r.Error != "" || len(r.Calls) != 1 || !reflect.DeepEqual(r.Path, []string{"DescribeSourceImage", "SourceImageGone"}) {
				t.Errorf("error %q, calls %v, path %v", r.Error, r.Calls, r.Path)
			}
		}})

	cases := make([]jsonataCase, len(checks))
	for i, c := range checks {
		cases[i] = c.c
	}
	results := runJSONata(t, cases)
	for i, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			r := results[i]
			if c.run != nil {
				c.run(t, r)
				return
			}
			if r.Error != "" || r.Undefined {
				t.Fatalf("error %q (undefined %v) for %s", r.Error, r.Undefined, c.c.Expr)
			}
			if !sameJSON(r.Value, c.want) {
				t.Errorf("got %s\nwant %s\nexpr %s", cfntest.JSON(r.Value), cfntest.JSON(c.want), c.c.Expr)
			}
		})
	}
}

func TestLatencyPropsValidation(t *testing.T) {
	newStack := func(region string) awscdk.Stack {
		return awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String(region)}})
	}
	topicIn := func(s awscdk.Stack) awssns.ITopic {
		return awssns.Topic_FromTopicArn(s, jsii.String("T"), jsii.String("arn:aws:sns:us-east-1:111111111111:t"))
	}
	cases := []struct {
		name string
		make func(s awscdk.Stack)
		want []string
	}{
		{"nil props", func(s awscdk.Stack) { monitoring.NewReplicationLatency(s, "L", nil) }, []string{"RepositoryPrefix: required", "Destinations: required", "AlertTopic: required"}},
		{"duplicate destination", func(s awscdk.Stack) {
			monitoring.NewReplicationLatency(s, "L", &monitoring.ReplicationLatencyProps{RepositoryPrefix: measurePrefix, AlertTopic: topicIn(s),
				Destinations: []replication.Destination{{Region: "us-west-2"}, {Region: "us-west-2"}}})
		}, []string{`"us-west-2" is listed twice`}},
		{"the source region as destination", func(s awscdk.Stack) {
			monitoring.NewReplicationLatency(s, "L", &monitoring.ReplicationLatencyProps{RepositoryPrefix: measurePrefix, AlertTopic: topicIn(s),
				Destinations: []replication.Destination{{Region: "us-east-1"}}})
		}, []string{`"us-east-1" is the source region`}},
		{"threshold below a minute", func(s awscdk.Stack) {
			monitoring.NewReplicationLatency(s, "L", &monitoring.ReplicationLatencyProps{RepositoryPrefix: measurePrefix, AlertTopic: topicIn(s),
				Destinations: []replication.Destination{{Region: "us-west-2"}}, LatencyThreshold: awscdk.Duration_Seconds(jsii.Number(30))})
		}, []string{"LatencyThreshold: got 0.5 minutes"}},
		{"bad destination account", func(s awscdk.Stack) {
			monitoring.NewReplicationLatency(s, "L", &monitoring.ReplicationLatencyProps{RepositoryPrefix: measurePrefix, AlertTopic: topicIn(s),
				Destinations: []replication.Destination{{Region: "us-west-2", Account: "12"}}})
		}, []string{`Destinations[0].Account: got "12"`}},
		{"forwarder in the source region", func(s awscdk.Stack) {
			monitoring.NewLatencyForwarder(s, "F", &monitoring.LatencyForwarderProps{RepositoryPrefix: measurePrefix, SourceRegion: "us-east-1"})
		}, []string{`"us-east-1" is this stack's region`}},
		{"forwarder without source region", func(s awscdk.Stack) {
			monitoring.NewLatencyForwarder(s, "F", &monitoring.LatencyForwarderProps{RepositoryPrefix: measurePrefix})
		}, []string{"SourceRegion: required"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStack("us-east-1")
			cfntest.ExpectPanic(t, func() { c.make(s) }, c.want...)
		})
	}
}

func TestLatencyCostCfnLintAndCdkNag(t *testing.T) {
	f := getMeasureFixture(t)
	c := f.latency.EstimatedMonthlyCost(monitoring.MeasureListPrices, 10000)
	if c.CustomMetrics != 2 || c.AlarmMetrics != 4 || c.FixedUSD < 0.99 || c.FixedUSD > 1.01 || c.VariableUSD > 0.2 {
		t.Errorf("cost %+v", c)
	}
	t.Logf("2 destinations, 10,000 replications: %.4f USD/month fixed + %.4f variable\n%s", c.FixedUSD, c.VariableUSD, strings.Join(c.Lines, "\n"))
	for _, name := range []string{"Latency", "ForwarderCrossAccount", "ForwarderSameAccount"} {
		for _, finding := range nagFindings(f.stacks[name]) {
			t.Errorf("%s: %s", name, finding)
		}
	}
	measureLint(t, "Latency", "ForwarderCrossAccount", "ForwarderSameAccount")
}
