package monitoring_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/monitoring"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
)

const (
	describeRepositories = "arn:aws:states:::aws-sdk:ecr:describeRepositories"
	describeImages       = "arn:aws:states:::aws-sdk:ecr:describeImages"
	putMetricData        = "arn:aws:states:::aws-sdk:cloudwatch:putMetricData"
	dockerList           = "application/vnd.docker.distribution.manifest.list.v2+json"
	dockerManifest       = "application/vnd.docker.distribution.manifest.v2+json"
	ociIndex             = "application/vnd.oci.image.index.v1+json"
	ociManifest          = "application/vnd.oci.image.manifest.v1+json"
)

// image is an ImageDetail as the Step Functions SDK integration returns it (PascalCase).
func image(digest string, size float64, mediaType string, tags ...string) map[string]any {
	d := map[string]any{
		"RegistryId": measureAccount, "RepositoryName": "ignored", "ImageDigest": "sha256:" + digest,
		"ImageSizeInBytes": size, "ImageManifestMediaType": mediaType, "ImagePushedAt": "2026-11-20T10:00:00Z",
	}
	if len(tags) > 0 {
		d["ImageTags"] = tags
	}
	return d
}

func repo(name string) map[string]any {
	return map[string]any{
		"RepositoryName": name, "RepositoryArn": "arn:aws:ecr:us-east-1:" + measureAccount + ":repository/" + name,
		"RegistryId": measureAccount, "RepositoryUri": measureAccount + ".dkr.ecr.us-east-1.amazonaws.com/" + name,
	}
}

func TestStorageStateMachineTemplate(t *testing.T) {
	f := getMeasureFixture(t)
	tmpl := f.stacks["Storage"].tmpl()
	def, subs := definitionOf(t, tmpl)
	sm := tmpl.Resources("AWS::StepFunctions::StateMachine")[0]

	t.Run("is an Express state machine in JSONata with logging ALL and tracing", func(t *testing.T) {
		if got := sm.Properties["StateMachineType"]; got != "EXPRESS" {
			t.Errorf("StateMachineType = %v", got)
		}
		if got := def["QueryLanguage"]; got != "JSONata" {
			t.Errorf("QueryLanguage = %v", got)
		}
		if got := cfntest.JSON(sm.Properties["LoggingConfiguration"]); !strings.Contains(got, `"Level":"ALL"`) || !strings.Contains(got, `"IncludeExecutionData":false`) {
			t.Errorf("LoggingConfiguration = %s", got)
		}
		if got := cfntest.JSON(sm.Properties["TracingConfiguration"]); got != `{"Enabled":true}` {
			t.Errorf("TracingConfiguration = %s", got)
		}
		if got := cfntest.JSON(subs); got != `{"Partition":"aws"}` {
			t.Errorf("DefinitionSubstitutions = %s", got)
		}
		lg := tmpl.Resources("AWS::Logs::LogGroup")
		if len(lg) != 1 || !strings.HasPrefix(fmt.Sprint(lg[0].Properties["LogGroupName"]), "/aws/vendedlogs/states/") || lg[0].Properties["RetentionInDays"] != float64(30) {
			t.Errorf("log group = %s", cfntest.JSON(lg))
		}
	})
	t.Run("calls exactly describeRepositories, describeImages and putMetricData", func(t *testing.T) {
		got := map[string]bool{}
		var walk func(states map[string]any)
		walk = func(states map[string]any) {
			for _, v := range states {
				st := v.(map[string]any)
				if r, ok := st["Resource"].(string); ok {
					got[r] = true
				}
				if p, ok := st["ItemProcessor"].(map[string]any); ok {
					walk(p["States"].(map[string]any))
				}
			}
		}
		walk(def["States"].(map[string]any))
		want := map[string]bool{describeRepositories: true, describeImages: true, putMetricData: true}
		if !sameJSON(got, want) {
			t.Errorf("resources = %v", got)
		}
		if n := at(t, def, "States", "MeasureRepositories", "MaxConcurrency"); n != float64(5) {
			t.Errorf("MaxConcurrency = %v", n)
		}
	})
	t.Run("grants exactly the three ECR and CloudWatch statements besides logging and tracing", func(t *testing.T) {
		var ours []string
		for _, s := range policyStatements(t, tmpl, "StorageMetricsRole") {
			if sid, ok := s["Sid"].(string); ok {
				ours = append(ours, cfntest.JSON(map[string]any{"Sid": sid, "Action": s["Action"], "Resource": s["Resource"], "Condition": s["Condition"]}))
			}
		}
		want := []string{
			`{"Action":"ecr:DescribeRepositories","Condition":null,"Resource":"*","Sid":"ListRepositories"}`,
			`{"Action":"ecr:DescribeImages","Condition":null,"Resource":"arn:aws:ecr:us-east-1:111111111111:repository/enterprise-apps/*","Sid":"DescribeImagesUnderPrefix"}`,
			`{"Action":"cloudwatch:PutMetricData","Condition":{"StringEquals":{"cloudwatch:namespace":"ECRReplication"}},"Resource":"*","Sid":"PublishStorageMetrics"}`,
		}
		if !sameJSON(ours, want) {
			t.Errorf("statements:\n%s\nwant:\n%s", strings.Join(ours, "\n"), strings.Join(want, "\n"))
		}
		for _, s := range policyStatements(t, tmpl, "StorageMetricsRole") {
			if _, ok := s["Sid"]; ok {
				continue
			}
			for _, a := range asList(s["Action"]) {
				if !strings.HasPrefix(a.(string), "logs:") && !strings.HasPrefix(a.(string), "xray:") {
					t.Errorf("unexpected action %v", a)
				}
			}
		}
	})
	t.Run("the schedule starts the state machine every 30 minutes with a role trusted by Scheduler for this account", func(t *testing.T) {
		sch := tmpl.Resources("AWS::Scheduler::Schedule")
		if len(sch) != 1 {
			t.Fatalf("%d schedules", len(sch))
		}
		p := sch[0].Properties
		if p["ScheduleExpression"] != "rate(30 minutes)" || cfntest.JSON(p["FlexibleTimeWindow"]) != `{"Mode":"OFF"}` || p["Name"] != "ecr-enterprise-apps-storage-metrics" {
			t.Errorf("schedule = %s", cfntest.JSON(p))
		}
		if got := cfntest.JSON(at(t, p, "Target", "Arn")); got != `{"Ref":"`+sm.LogicalID+`"}` {
			t.Errorf("target = %s", got)
		}
		role := tmpl.Resources("AWS::IAM::Role")
		found := false
		for _, r := range role {
			if !strings.HasPrefix(r.LogicalID, "StorageMetricsSchedulerRole") {
				continue
			}
			found = true
			trust := cfntest.JSON(r.Properties["AssumeRolePolicyDocument"])
			if !strings.Contains(trust, `"Principal":{"Service":"scheduler.amazonaws.com"}`) || !strings.Contains(trust, `"Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}}`) {
				t.Errorf("trust = %s", trust)
			}
			if got := cfntest.JSON(r.Properties["Policies"]); got != `[{"PolicyDocument":{"Statement":[{"Action":"states:StartExecution","Effect":"Allow","Resource":{"Ref":"`+sm.LogicalID+`"}}],"Version":"2012-10-17"},"PolicyName":"StartMeasurement"}]` {
				t.Errorf("policies = %s", got)
			}
		}
		if !found {
			t.Error("no scheduler role")
		}
	})
	t.Run("the defaults: hourly, 10 GiB, namespace ECRReplication, only the total", func(t *testing.T) {
		d := f.stacks["StorageDefaults"].tmpl()
		if got := d.Resources("AWS::Scheduler::Schedule")[0].Properties["ScheduleExpression"]; got != "rate(1 hour)" {
			t.Errorf("schedule = %v", got)
		}
		def, _ := definitionOf(t, d)
		data := exprAt(t, def, "States", "PublishMetrics", "Arguments", "MetricData")
		if strings.Count(data, `"MetricName"`) != 1 {
			t.Errorf("MetricData = %s", data)
		}
		for _, a := range d.Resources("AWS::CloudWatch::Alarm") {
			if a.Properties["AlarmName"] == "ecr-enterprise-apps-storage-growth" && a.Properties["Threshold"] != float64(10*1024*1024*1024) {
				t.Errorf("threshold = %v", a.Properties["Threshold"])
			}
		}
	})
	t.Run("alarms on daily growth and on failed executions, both notifying the alert topic", func(t *testing.T) {
		alarms := map[string]map[string]any{}
		for _, a := range tmpl.Resources("AWS::CloudWatch::Alarm") {
			alarms[fmt.Sprint(a.Properties["AlarmName"])] = a.Properties
		}
		g, ok := alarms["ecr-enterprise-apps-storage-growth"]
		if !ok || len(alarms) != 2 {
			t.Fatalf("alarms = %v", alarms)
		}
		if g["Threshold"] != float64(5*1024*1024*1024) || g["ComparisonOperator"] != "GreaterThanThreshold" || g["TreatMissingData"] != "notBreaching" || g["EvaluationPeriods"] != float64(1) {
			t.Errorf("growth alarm = %s", cfntest.JSON(g))
		}
		metrics := cfntest.JSON(g["Metrics"])
		for _, want := range []string{`"Expression":"DIFF(total)"`, `"MetricName":"StoredLogicalBytes"`, `"Namespace":"ECRReplication"`,
			`"Dimensions":[{"Name":"RepositoryPrefix","Value":"enterprise-apps"}]`, `"Period":86400`, `"Stat":"Maximum"`, `logical bytes`} {
			if !strings.Contains(metrics, want) {
				t.Errorf("growth alarm metrics lack %s: %s", want, metrics)
			}
		}
		if !strings.Contains(fmt.Sprint(g["AlarmDescription"]), "logical bytes") || !strings.Contains(fmt.Sprint(g["AlarmDescription"]), "5 GiB") {
			t.Errorf("description = %v", g["AlarmDescription"])
		}
		e := alarms["ecr-enterprise-apps-storage-metrics-failed"]
		em := cfntest.JSON(e["Metrics"])
		for _, want := range []string{`"Expression":"FILL(failed, 0) + FILL(timedOut, 0)"`, `"MetricName":"ExecutionsFailed"`, `"MetricName":"ExecutionsTimedOut"`, `"Namespace":"AWS/States"`} {
			if !strings.Contains(em, want) {
				t.Errorf("failure alarm metrics lack %s: %s", want, em)
			}
		}
		for name, a := range alarms {
			if cfntest.JSON(a["AlarmActions"]) != `["arn:aws:sns:us-east-1:111111111111:alerts"]` || cfntest.JSON(a["OKActions"]) != `["arn:aws:sns:us-east-1:111111111111:alerts"]` {
				t.Errorf("%s actions = %s / %s", name, cfntest.JSON(a["AlarmActions"]), cfntest.JSON(a["OKActions"]))
			}
		}
	})
	t.Run("no Lambda and no custom resource", func(t *testing.T) {
		for _, name := range []string{"Storage", "StorageDefaults"} {
			for _, r := range f.stacks[name].tmpl().Resources("") {
				if r.Type == "AWS::Lambda::Function" || strings.HasPrefix(r.Type, "Custom::") {
					t.Errorf("%s: %s %s", name, r.LogicalID, r.Type)
				}
			}
		}
	})
	t.Run("dashboard widgets and metrics say logical bytes", func(t *testing.T) {
		cfntest.ExpectOK(t, func() {
			label := *f.storage.MetricTotalBytes(nil).Label()
			if !strings.Contains(label, "logical bytes") {
				t.Errorf("label = %q", label)
			}
			if l := *f.storage.MetricRepositoryBytes("enterprise-apps/production", nil).Label(); !strings.Contains(l, "logical bytes") {
				t.Errorf("label = %q", l)
			}
			if n := len(f.storage.Widgets("us-east-1")); n != 2 {
				t.Errorf("%d widgets", n)
			}
			if n := len(f.defaults.Widgets("")); n != 1 {
				t.Errorf("%d widgets", n)
			}
			if n := len(f.storage.Alarms()); n != 2 {
				t.Errorf("%d alarms", n)
			}
		})
		cfntest.ExpectPanic(t, func() { f.storage.MetricRepositoryBytes("enterprise-apps/other", nil) }, "not one of RepositoryMetrics")
	})
}

// TestStorageJSONata evaluates the expressions of the synthesized definition one by one,
// then runs whole executions against SDK-integration-shaped responses, all in one Node.js
// process.
func TestStorageJSONata(t *testing.T) {
	def, _ := definitionOf(t, getMeasureFixture(t).stacks["Storage"].tmpl())
	item := func(keys ...string) []string {
		return append([]string{"States", "MeasureRepositories", "ItemProcessor", "States"}, keys...)
	}
	type check struct {
		name string
		c    jsonataCase
		want any
		run  func(t *testing.T, r jsonataResult)
	}
	expr := func(keys ...string) string { return exprAt(t, def, keys...) }
	listed := expr("States", "ListRepositories", "Assign", "repositories")
	token := expr("States", "ListRepositories", "Assign", "repositoryToken")
	imageBytes := expr(item("DescribeImages", "Assign", "imageBytes")...)
	data := expr("States", "PublishMetrics", "Arguments", "MetricData")
	datum := func(dim, value string, bytes float64) map[string]any {
		return map[string]any{"MetricName": "StoredLogicalBytes", "Dimensions": []any{map[string]any{"Name": dim, "Value": value}}, "Unit": "Bytes", "Value": bytes}
	}
	checks := []check{
		{name: "first repositories page: no NextToken", c: jsonataCase{Expr: expr("States", "ListRepositories", "Arguments"), Vars: map[string]any{"repositoryToken": nil}},
			want: map[string]any{"MaxResults": 1000}},
		{name: "next repositories page: NextToken", c: jsonataCase{Expr: expr("States", "ListRepositories", "Arguments"), Vars: map[string]any{"repositoryToken": "t1"}},
			want: map[string]any{"MaxResults": 1000, "NextToken": "t1"}},
		{name: "keeps only repositories under enterprise-apps/", c: jsonataCase{Expr: listed, Vars: map[string]any{"repositories": []any{}},
			States: map[string]any{"result": map[string]any{"Repositories": []any{repo("enterprise-apps/api"), repo("enterprise-apps-legacy/api"), repo("enterprise-apps"), repo("other/enterprise-apps/x"), repo("enterprise-apps/team/web")}}}},
			want: []any{"enterprise-apps/api", "enterprise-apps/team/web"}},
		{name: "a single match stays a list and appends", c: jsonataCase{Expr: listed, Vars: map[string]any{"repositories": []any{"enterprise-apps/api"}},
			States: map[string]any{"result": map[string]any{"Repositories": []any{repo("enterprise-apps/web")}}}},
			want: []any{"enterprise-apps/api", "enterprise-apps/web"}},
		{name: "a page without matches changes nothing", c: jsonataCase{Expr: listed, Vars: map[string]any{"repositories": []any{"enterprise-apps/api"}},
			States: map[string]any{"result": map[string]any{"Repositories": []any{repo("legacy/api")}}}},
			want: []any{"enterprise-apps/api"}},
		{name: "an empty registry gives an empty list", c: jsonataCase{Expr: listed, Vars: map[string]any{"repositories": []any{}},
			States: map[string]any{"result": map[string]any{"Repositories": []any{}}}}, want: []any{}},
		{name: "NextToken is followed", c: jsonataCase{Expr: token, States: map[string]any{"result": map[string]any{"NextToken": "abc"}}}, want: "abc"},
		{name: "absent NextToken ends paging", c: jsonataCase{Expr: token, States: map[string]any{"result": map[string]any{}}}, want: nil},
		{name: "null NextToken ends paging", c: jsonataCase{Expr: token, States: map[string]any{"result": map[string]any{"NextToken": nil}}}, want: nil},
		{name: "empty NextToken ends paging", c: jsonataCase{Expr: token, States: map[string]any{"result": map[string]any{"NextToken": ""}}}, want: nil},
		{name: "more repositories when a token is held", c: jsonataCase{Expr: expr("States", "MoreRepositories", "Choices", "0", "Condition"), Vars: map[string]any{"repositoryToken": "x"}}, want: true},
		{name: "no more repositories without token", c: jsonataCase{Expr: expr("States", "MoreRepositories", "Choices", "0", "Condition"), Vars: map[string]any{"repositoryToken": nil}}, want: false},
		{name: "first images page", c: jsonataCase{Expr: expr(item("DescribeImages", "Arguments")...), Vars: map[string]any{"repository": "enterprise-apps/api", "imageToken": nil}},
			want: map[string]any{"RepositoryName": "enterprise-apps/api", "MaxResults": 100}},
		{name: "next images page", c: jsonataCase{Expr: expr(item("DescribeImages", "Arguments")...), Vars: map[string]any{"repository": "enterprise-apps/api", "imageToken": "p2"}},
			want: map[string]any{"RepositoryName": "enterprise-apps/api", "MaxResults": 100, "NextToken": "p2"}},
		{name: "sums image manifests, leaves out manifest lists and image indexes, keeps artifacts", c: jsonataCase{Expr: imageBytes, Vars: map[string]any{"imageBytes": 0},
			States: map[string]any{"result": map[string]any{"ImageDetails": []any{
				image("a", 1000, dockerManifest, "v1"), image("b", 2000, ociManifest), image("list", 2000, dockerList, "multi"),
				image("index", 3000, ociIndex, "multi-oci"), image("c", 7, ociManifest),
				map[string]any{"ImageDigest": "sha256:sig", "ImageSizeInBytes": 500, "ImageManifestMediaType": ociManifest, "ArtifactMediaType": "application/vnd.dev.cosign.artifact.sig.v1+json"},
			}}}},
			want: 3507.0},
		{name: "a detail without media type counts", c: jsonataCase{Expr: imageBytes, Vars: map[string]any{"imageBytes": 10},
			States: map[string]any{"result": map[string]any{"ImageDetails": []any{map[string]any{"ImageSizeInBytes": 5}}}}}, want: 15.0},
		{name: "an empty repository adds 0", c: jsonataCase{Expr: imageBytes, Vars: map[string]any{"imageBytes": 0}, States: map[string]any{"result": map[string]any{"ImageDetails": []any{}}}}, want: 0.0},
		{name: "a page without ImageDetails adds 0", c: jsonataCase{Expr: imageBytes, Vars: map[string]any{"imageBytes": 42}, States: map[string]any{"result": map[string]any{}}}, want: 42.0},
		{name: "a single image page", c: jsonataCase{Expr: imageBytes, Vars: map[string]any{"imageBytes": 1}, States: map[string]any{"result": map[string]any{"ImageDetails": []any{image("x", 10737418240, dockerManifest)}}}}, want: 10737418241.0},
		{name: "metric data: total and the configured repositories, missing ones as 0", c: jsonataCase{Expr: data, States: map[string]any{"input": []any{
			map[string]any{"RepositoryName": "enterprise-apps/production", "Bytes": 300}, map[string]any{"RepositoryName": "enterprise-apps/api", "Bytes": 50}}}},
			want: []any{datum("RepositoryPrefix", "enterprise-apps", 350), datum("RepositoryName", "enterprise-apps/production", 300), datum("RepositoryName", "enterprise-apps/testing", 0)}},
		{name: "metric data with no repository at all", c: jsonataCase{Expr: data, States: map[string]any{"input": []any{}}},
			want: []any{datum("RepositoryPrefix", "enterprise-apps", 0), datum("RepositoryName", "enterprise-apps/production", 0), datum("RepositoryName", "enterprise-apps/testing", 0)}},
		{name: "metric data with a single repository", c: jsonataCase{Expr: data, States: map[string]any{"input": []any{map[string]any{"RepositoryName": "enterprise-apps/testing", "Bytes": 9}}}},
			want: []any{datum("RepositoryPrefix", "enterprise-apps", 9), datum("RepositoryName", "enterprise-apps/production", 0), datum("RepositoryName", "enterprise-apps/testing", 9)}},
	}

	// A whole execution: two repository pages (with repositories outside the prefix), an
	// api repository with two image pages and a manifest list, an empty repository, and a
	// repository deleted between listing and describing.
	page := func(next string, details ...any) map[string]any {
		r := map[string]any{"ImageDetails": details}
		if next != "" {
			r["NextToken"] = next
		}
		return r
	}
	mocks := []sdkMock{
		{Resource: describeRepositories, Arguments: map[string]any{"MaxResults": 1000}, Result: map[string]any{
			"Repositories": []any{repo("enterprise-apps/api"), repo("legacy/api"), repo("enterprise-apps-legacy/web")}, "NextToken": "r2"}},
		{Resource: describeRepositories, Arguments: map[string]any{"MaxResults": 1000, "NextToken": "r2"}, Result: map[string]any{
			"Repositories": []any{repo("enterprise-apps/production"), repo("enterprise-apps/empty"), repo("enterprise-apps/deleted")}}},
		{Resource: describeImages, Arguments: map[string]any{"RepositoryName": "enterprise-apps/api", "MaxResults": 100},
			Result: page("i2", image("1", 100, dockerManifest, "v1"), image("2", 200, dockerManifest))},
		{Resource: describeImages, Arguments: map[string]any{"RepositoryName": "enterprise-apps/api", "MaxResults": 100, "NextToken": "i2"},
			Result: page("", image("3", 300, ociManifest), image("list", 300, dockerList, "multi"))},
		{Resource: describeImages, Arguments: map[string]any{"RepositoryName": "enterprise-apps/production", "MaxResults": 100},
			Result: page("", image("p", 5000, dockerManifest, "prod"))},
		{Resource: describeImages, Arguments: map[string]any{"RepositoryName": "enterprise-apps/empty", "MaxResults": 100}, Result: page("")},
		{Resource: describeImages, Arguments: map[string]any{"RepositoryName": "enterprise-apps/deleted", "MaxResults": 100}, Error: "Ecr.RepositoryNotFoundException"},
		{Resource: putMetricData, Arguments: map[string]any{"Namespace": "ECRReplication", "MetricData": []any{
			datum("RepositoryPrefix", "enterprise-apps", 5600), datum("RepositoryName", "enterprise-apps/production", 5000), datum("RepositoryName", "enterprise-apps/testing", 0)}},
			Result: map[string]any{}},
	}
	checks = append(checks, check{name: "execution: pages, filters, sums and publishes once", c: jsonataCase{Run: def, Input: map[string]any{}, Mocks: mocks},
		run: func(t *testing.T, r jsonataResult) {
			if r.Error != "" {
				t.Fatalf("execution failed: %s\npath %v", r.Error, r.Path)
			}
			if !sameJSON(r.Output, map[string]any{"Repositories": 4, "LogicalBytes": 5600}) {
				t.Errorf("output = %v", r.Output)
			}
			puts := 0
			for _, c := range r.Calls {
				if c.Resource == putMetricData {
					puts++
				}
			}
			if puts != 1 || len(r.Calls) != 8 {
				t.Errorf("%d calls, %d PutMetricData: %v", len(r.Calls), puts, r.Calls)
			}
		}})
	checks = append(checks, check{name: "execution: no repository under the prefix publishes zeros", c: jsonataCase{Run: def, Input: map[string]any{}, Mocks: []sdkMock{
		{Resource: describeRepositories, Arguments: map[string]any{"MaxResults": 1000}, Result: map[string]any{"Repositories": []any{repo("legacy/api")}}},
		{Resource: putMetricData, Arguments: map[string]any{"Namespace": "ECRReplication", "MetricData": []any{
			datum("RepositoryPrefix", "enterprise-apps", 0), datum("RepositoryName", "enterprise-apps/production", 0), datum("RepositoryName", "enterprise-apps/testing", 0)}},
			Result: map[string]any{}},
	}}, run: func(t *testing.T, r jsonataResult) {
		if r.Error != "" || !sameJSON(r.Output, map[string]any{"Repositories": 0, "LogicalBytes": 0}) {
			t.Errorf("error %q, output %v, path %v", r.Error, r.Output, r.Path)
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

func TestStoragePropsValidation(t *testing.T) {
	topic := awssns.Topic_FromTopicArn(awscdk.NewStack(awscdk.NewApp(nil), jsii.String("T"), nil), jsii.String("T"), jsii.String("arn:aws:sns:us-east-1:111111111111:t"))
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprintf("enterprise-apps/r%d", i)
	}
	cases := []struct {
		name  string
		props *monitoring.StorageMetricsProps
		want  []string
	}{
		{"nil props", nil, []string{"RepositoryPrefix: required", "AlertTopic: required"}},
		{"too many repository metrics", &monitoring.StorageMetricsProps{RepositoryPrefix: measurePrefix, AlertTopic: topic, RepositoryMetrics: eleven}, []string{"got 11 repositories, at most 10"}},
		{"repository outside the prefix", &monitoring.StorageMetricsProps{RepositoryPrefix: measurePrefix, AlertTopic: topic, RepositoryMetrics: []string{"legacy/api"}}, []string{`"legacy/api" is not under "enterprise-apps/"`}},
		{"duplicate repository", &monitoring.StorageMetricsProps{RepositoryPrefix: measurePrefix, AlertTopic: topic, RepositoryMetrics: []string{"enterprise-apps/a", "enterprise-apps/a"}}, []string{"listed twice"}},
		{"trailing slash", &monitoring.StorageMetricsProps{RepositoryPrefix: "enterprise-apps/", AlertTopic: topic}, []string{"no leading or trailing /"}},
		{"schedule too short", &monitoring.StorageMetricsProps{RepositoryPrefix: measurePrefix, AlertTopic: topic, Schedule: awscdk.Duration_Minutes(jsii.Number(1))}, []string{"Schedule: got 1 minutes"}},
		{"schedule too long", &monitoring.StorageMetricsProps{RepositoryPrefix: measurePrefix, AlertTopic: topic, Schedule: awscdk.Duration_Days(jsii.Number(2))}, []string{"Schedule: got 2880 minutes"}},
		{"negative threshold", &monitoring.StorageMetricsProps{RepositoryPrefix: measurePrefix, AlertTopic: topic, GrowthThresholdBytes: -1}, []string{"GrowthThresholdBytes: got -1"}},
		{"AWS namespace", &monitoring.StorageMetricsProps{RepositoryPrefix: measurePrefix, AlertTopic: topic, Namespace: "AWS/ECR"}, []string{`Namespace: got "AWS/ECR"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
			cfntest.ExpectPanic(t, func() { monitoring.NewStorageMetrics(stack, "S", c.props) }, c.want...)
		})
	}
}

func TestStorageRateExpressionsAndCost(t *testing.T) {
	f := getMeasureFixture(t)
	c := f.defaults.EstimatedMonthlyCost(monitoring.MeasureListPrices, 100, 2)
	if c.CustomMetrics != 1 || c.AlarmMetrics != 3 || c.ExecutionsPerMonth != 730 {
		t.Errorf("cost = %+v", c)
	}
	if c.FixedUSD < 0.59 || c.FixedUSD > 0.61 || c.VariableUSD <= 0 || c.VariableUSD > 0.25 {
		t.Errorf("fixed %.4f variable %.4f: %v", c.FixedUSD, c.VariableUSD, c.Lines)
	}
	c2 := f.storage.EstimatedMonthlyCost(monitoring.MeasureListPrices, 2, 1)
	if c2.CustomMetrics != 3 || c2.ExecutionsPerMonth != 1460 {
		t.Errorf("cost = %+v", c2)
	}
	t.Logf("defaults, 100 repositories: %.4f USD/month fixed + %.4f variable\n%s", c.FixedUSD, c.VariableUSD, strings.Join(c.Lines, "\n"))
}

func TestStorageCfnLintAndCdkNag(t *testing.T) {
	f := getMeasureFixture(t)
	for _, name := range []string{"Storage", "StorageDefaults"} {
		for _, finding := range nagFindings(f.stacks[name]) {
			t.Errorf("%s: %s", name, finding)
		}
	}
	measureLint(t, "Storage", "StorageDefaults")
}

// TestStorageDefaultNamePrefixFits: a namespace too long for a readable name prefix gets the
// shortened DefaultNamePrefix that every other monitoring construct uses.
func TestStorageDefaultNamePrefixFits(t *testing.T) {
	long := strings.Repeat("a", 60)
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	var s *monitoring.StorageMetrics
	cfntest.ExpectOK(t, func() {
		s = monitoring.NewStorageMetrics(stack, "Storage", &monitoring.StorageMetricsProps{RepositoryPrefix: long, AlertTopic: awssns.NewTopic(stack, jsii.String("T"), nil)})
	})
	if s == nil {
		return
	}
	if want := monitoring.DefaultNamePrefix(long) + "-storage-metrics"; s.ScheduleName != want || len(monitoring.DefaultNamePrefix(long)) > 40 {
		t.Errorf("ScheduleName = %q; want %q with a prefix of at most 40 characters", s.ScheduleName, want)
	}
}
