package measurement_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/internal/checkstest"
	"github.com/acme-platform/ecr-replication/constructs/measurement"
	"github.com/acme-platform/ecr-replication/internal/cfntest"
	"github.com/acme-platform/ecr-replication/internal/jsonatatest"
	"github.com/acme-platform/ecr-replication/pricing"
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
		"RegistryId": sourceAccount, "RepositoryName": "ignored", "ImageDigest": "sha256:" + digest,
		"ImageSizeInBytes": size, "ImageManifestMediaType": mediaType, "ImagePushedAt": "2026-11-20T10:00:00Z",
	}
	if len(tags) > 0 {
		d["ImageTags"] = tags
	}
	return d
}

func repo(name string) map[string]any {
	return map[string]any{
		"RepositoryName": name, "RepositoryArn": "arn:aws:ecr:us-east-1:" + sourceAccount + ":repository/" + name,
		"RegistryId": sourceAccount, "RepositoryUri": sourceAccount + ".dkr.ecr.us-east-1.amazonaws.com/" + name,
	}
}

func TestStorageStateMachine(t *testing.T) {
	tmpl := getFixture(t).stacks["Storage"].tmpl()
	def, subs := jsonatatest.Definition(t, tmpl)
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
	t.Run("states what it bills for pricing.EstimateMonthlyCost", func(t *testing.T) {
		// 1 total + 2 repositories; 43,200 minutes a month / 30.
		if got := cfntest.JSON(sm.Raw["Metadata"].(map[string]any)[pricing.MetadataKey]); got != `{"customMetrics":3,"scheduledRunsPerMonth":1440}` {
			t.Errorf("cost metadata = %s", got)
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
		if !jsonatatest.SameJSON(got, want) {
			t.Errorf("resources = %v", got)
		}
		if n := jsonatatest.At(t, def, "States", "MeasureRepositories", "MaxConcurrency"); n != float64(5) {
			t.Errorf("MaxConcurrency = %v", n)
		}
	})
	t.Run("grants exactly the three ECR and CloudWatch statements besides logging and tracing", func(t *testing.T) {
		want := []string{
			`{"Action":"ecr:DescribeRepositories","Condition":null,"Resource":"*","Sid":"ListRepositories"}`,
			`{"Action":"ecr:DescribeImages","Condition":null,"Resource":"arn:aws:ecr:us-east-1:111111111111:repository/enterprise-apps/*","Sid":"DescribeImagesUnderPrefix"}`,
			`{"Action":"cloudwatch:PutMetricData","Condition":{"StringEquals":{"cloudwatch:namespace":"ECRReplication"}},"Resource":"*","Sid":"PublishStorageMetrics"}`,
		}
		if ours := ownStatements(t, tmpl, "StorageMetricsRole"); !jsonatatest.SameJSON(ours, want) {
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
	t.Run("no Lambda and no custom resource", func(t *testing.T) {
		expectNoLambda(t, getFixture(t), "Storage", "StorageDefaults")
	})
}

func TestStorageSchedule(t *testing.T) {
	f := getFixture(t)
	tmpl := f.stacks["Storage"].tmpl()
	sm := tmpl.Resources("AWS::StepFunctions::StateMachine")[0]
	t.Run("starts the state machine every 30 minutes with a role trusted by Scheduler for this account", func(t *testing.T) {
		sch := tmpl.Resources("AWS::Scheduler::Schedule")
		if len(sch) != 1 {
			t.Fatalf("%d schedules", len(sch))
		}
		p := sch[0].Properties
		if p["ScheduleExpression"] != "rate(30 minutes)" || cfntest.JSON(p["FlexibleTimeWindow"]) != `{"Mode":"OFF"}` || p["Name"] != "ecr-enterprise-apps-storage-metrics" ||
			cfntest.JSON(jsonatatest.At(t, p, "Target", "RetryPolicy")) != `{"MaximumRetryAttempts":0}` {
			t.Errorf("schedule = %s", cfntest.JSON(p))
		}
		if got := cfntest.JSON(jsonatatest.At(t, p, "Target", "Arn")); got != `{"Ref":"`+sm.LogicalID+`"}` {
			t.Errorf("target = %s", got)
		}
		found := false
		for _, r := range tmpl.Resources("AWS::IAM::Role") {
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
		def, _ := jsonatatest.Definition(t, d)
		if data := jsonatatest.Expr(t, def, "States", "PublishMetrics", "Arguments", "MetricData"); strings.Count(data, `"MetricName"`) != 1 {
			t.Errorf("MetricData = %s", data)
		}
		if got := alarmsByName(d)["ecr-enterprise-apps-storage-growth"]["Threshold"]; got != float64(10737418240) {
			t.Errorf("threshold = %v; want 10737418240 (10 GiB)", got)
		}
	})
}

func TestStorageAlarms(t *testing.T) {
	alarms := alarmsByName(getFixture(t).stacks["Storage"].tmpl())
	g, ok := alarms["ecr-enterprise-apps-storage-growth"]
	if !ok || len(alarms) != 2 {
		t.Fatalf("alarms = %v", alarms)
	}
	t.Run("the growth alarm watches DIFF of the daily maximum of the total", func(t *testing.T) {
		if g["Threshold"] != float64(5368709120) || g["ComparisonOperator"] != "GreaterThanThreshold" || g["TreatMissingData"] != "notBreaching" || g["EvaluationPeriods"] != float64(1) {
			t.Errorf("growth alarm = %s", cfntest.JSON(g))
		}
		metrics := cfntest.JSON(g["Metrics"])
		for _, want := range []string{`"Expression":"DIFF(total)"`, `"MetricName":"StoredLogicalBytes"`, `"Namespace":"ECRReplication"`,
			`"Dimensions":[{"Name":"RepositoryPrefix","Value":"enterprise-apps"}]`, `"Period":86400`, `"Stat":"Maximum"`, `logical bytes`} {
			if !strings.Contains(metrics, want) {
				t.Errorf("growth alarm metrics lack %s: %s", want, metrics)
			}
		}
		if d := fmt.Sprint(g["AlarmDescription"]); !strings.Contains(d, "grew by more than 5 GiB (logical bytes") {
			t.Errorf("description = %v", d)
		}
	})
	t.Run("the execution-failure alarm sums failed and timed-out executions", func(t *testing.T) {
		em := cfntest.JSON(alarms["ecr-enterprise-apps-storage-metrics-failed"]["Metrics"])
		for _, want := range []string{`"Expression":"FILL(failed, 0) + FILL(timedOut, 0)"`, `"MetricName":"ExecutionsFailed"`, `"MetricName":"ExecutionsTimedOut"`, `"Namespace":"AWS/States"`} {
			if !strings.Contains(em, want) {
				t.Errorf("failure alarm metrics lack %s: %s", want, em)
			}
		}
	})
	t.Run("both notify the alert topic of ALARM and OK", func(t *testing.T) { expectAlertActions(t, alarms) })
}

// TestStorageAccessors covers the exported methods of StorageMetrics.
func TestStorageAccessors(t *testing.T) {
	f := getFixture(t)
	cfntest.ExpectOK(t, func() {
		total := f.storage.MetricTotalBytes(nil)
		if got := []string{*total.Namespace(), *total.MetricName(), *total.Statistic(), *total.Label()}; strings.Join(got, "|") != "ECRReplication|StoredLogicalBytes|Maximum|enterprise-apps/ (logical bytes)" {
			t.Errorf("MetricTotalBytes = %v", got)
		}
		if l := *f.storage.MetricRepositoryBytes("enterprise-apps/production", nil).Label(); l != "enterprise-apps/production (logical bytes)" {
			t.Errorf("MetricRepositoryBytes label = %q", l)
		}
		if e := *f.storage.MetricDailyGrowth().Expression(); e != "DIFF(total)" {
			t.Errorf("MetricDailyGrowth = %q", e)
		}
		if w := f.storage.Widgets(); len(w) != 2 {
			t.Errorf("%d widgets; want the total and the configured repositories", len(w))
		}
		if w := f.defaults.Widgets(); len(w) != 1 {
			t.Errorf("%d widgets; want the total only", len(w))
		}
		if a := f.storage.Alarms(); len(a) != 2 || a[0] != f.storage.GrowthAlarm || a[1] != f.storage.ExecutionFailureAlarm {
			t.Errorf("Alarms() = %v", a)
		}
		if f.storage.ScheduleName != "ecr-enterprise-apps-storage-metrics" || f.storage.GrowthAlarmName != "ecr-enterprise-apps-storage-growth" ||
			f.storage.ExecutionFailureAlarmName != "ecr-enterprise-apps-storage-metrics-failed" {
			t.Errorf("names %q %q %q", f.storage.ScheduleName, f.storage.GrowthAlarmName, f.storage.ExecutionFailureAlarmName)
		}
	})
	cfntest.ExpectPanic(t, func() { f.storage.MetricRepositoryBytes("enterprise-apps/other", nil) }, `"enterprise-apps/other" is not one of RepositoryMetrics`)
}

// TestStorageMetricsIn: the lines a dashboard in another region draws for a region's storage.
func TestStorageMetricsIn(t *testing.T) {
	cfntest.ExpectOK(t, func() {
		lines := measurement.StorageMetricsIn("eu-west-1", "222222222222", "enterprise-apps", []string{"enterprise-apps/api"})
		if len(lines) != 2 {
			t.Fatalf("%d lines; want the total and one repository", len(lines))
		}
		var got []string
		for _, l := range lines {
			m := l.(interface {
				Namespace() *string
				MetricName() *string
				Label() *string
				Region() *string
				Account() *string
				Dimensions() *map[string]any
			})
			got = append(got, fmt.Sprintf("%s %s %s %s %s %v", *m.Namespace(), *m.MetricName(), *m.Label(), *m.Region(), *m.Account(), *m.Dimensions()))
		}
		want := []string{
			"ECRReplication StoredLogicalBytes enterprise-apps/ total eu-west-1 222222222222 map[RepositoryPrefix:enterprise-apps]",
			"ECRReplication StoredLogicalBytes enterprise-apps/api eu-west-1 222222222222 map[RepositoryName:enterprise-apps/api]",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func TestStoragePropsValidation(t *testing.T) {
	topic := awssns.Topic_FromTopicArn(awscdk.NewStack(awscdk.NewApp(nil), jsii.String("T"), nil), jsii.String("T"), jsii.String("arn:aws:sns:us-east-1:111111111111:t"))
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprintf("enterprise-apps/r%d", i)
	}
	props := func(change func(p *measurement.StorageMetricsProps)) *measurement.StorageMetricsProps {
		p := &measurement.StorageMetricsProps{RepositoryPrefix: prefix, AlertTopic: topic}
		change(p)
		return p
	}
	const namespaceRule = `a repository namespace such as "enterprise-apps": lower-case letters, digits, ._- and inner /, no leading or trailing /`
	cases := []struct {
		name  string
		props *measurement.StorageMetricsProps
		want  []string
	}{
		{"nil props", nil, []string{"RepositoryPrefix: required; expected " + namespaceRule, "AlertTopic: required; expected the alert topic of this region"}},
		{"too many repository metrics", props(func(p *measurement.StorageMetricsProps) { p.RepositoryMetrics = eleven }),
			[]string{"RepositoryMetrics: got 11; expected at most 10 repositories (each custom metric costs about $0.30 a month per region)"}},
		{"repository outside the prefix", props(func(p *measurement.StorageMetricsProps) { p.RepositoryMetrics = []string{"legacy/api"} }),
			[]string{`RepositoryMetrics[0]: got "legacy/api"; expected a repository name under "enterprise-apps/" (only those are measured)`}},
		{"duplicate repository", props(func(p *measurement.StorageMetricsProps) {
			p.RepositoryMetrics = []string{"enterprise-apps/a", "enterprise-apps/a"}
		}),
			[]string{`RepositoryMetrics[1]: got "enterprise-apps/a"; expected each repository once`}},
		{"trailing slash", props(func(p *measurement.StorageMetricsProps) { p.RepositoryPrefix = "enterprise-apps/" }),
			[]string{`RepositoryPrefix: got "enterprise-apps/"; expected ` + namespaceRule}},
		{"schedule too short", props(func(p *measurement.StorageMetricsProps) { p.Schedule = awscdk.Duration_Minutes(jsii.Number(1)) }),
			[]string{"Schedule: got 1 minutes; expected whole minutes from 5 to 1440 (the growth alarm compares daily maxima)"}},
		{"schedule too long", props(func(p *measurement.StorageMetricsProps) { p.Schedule = awscdk.Duration_Days(jsii.Number(2)) }),
			[]string{"Schedule: got 2880 minutes; expected whole minutes from 5 to 1440 (the growth alarm compares daily maxima)"}},
		{"negative threshold", props(func(p *measurement.StorageMetricsProps) { p.GrowthThresholdBytes = -1 }),
			[]string{"GrowthThresholdBytes: got -1; expected a positive number of bytes"}},
		{"AWS namespace", props(func(p *measurement.StorageMetricsProps) { p.Namespace = "AWS/ECR" }),
			[]string{`Namespace: got "AWS/ECR"; expected 1-255 characters of A-Za-z0-9.-_/#: and space, not starting with "AWS/" (reserved)`}},
		{"bad name prefix", props(func(p *measurement.StorageMetricsProps) { p.NamePrefix = "has space" }),
			[]string{`NamePrefix: got "has space"; expected 1-40 characters of A-Za-z0-9._-`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkstest.ExpectProblems(t, func() { measurement.NewStorageMetrics(newStackIn("us-east-1"), "S", c.props) }, "StorageMetrics", c.want...)
		})
	}
}

// TestStorageCost: the defaults (hourly, 1 total) with 100 repositories of 2 pages. Worked out
// by hand: 730 runs; fixed 1 metric x $0.30 + 3 alarm metrics x $0.10 = $0.60; PutMetricData
// 730 x $0.00001 = $0.0073; each run ceil(100/5) x 2 + 2 = 42 calls x 0.2 s = 8.4 s, so
// 730 x ($0.000001 + 8.4 x 0.0625 x $0.00001667) = $0.0071; logs 730 x (6 + 100 x 7)
// transitions x 600 bytes = 0.309 GB x $0.50 = $0.1546; variable $0.1690.
func TestStorageCost(t *testing.T) {
	f := getFixture(t)
	c := f.defaults.EstimatedMonthlyCost(pricing.ListPrices, 100, 2)
	if c.CustomMetrics != 1 || c.AlarmMetrics != 3 || c.ExecutionsPerMonth != 730 || c.PutMetricDataPerMonth != 730 {
		t.Errorf("cost = %+v", c)
	}
	if fmt.Sprintf("%.4f %.4f %.4f", c.FixedUSD, c.VariableUSD, c.TotalUSD()) != "0.6000 0.1690 0.7690" {
		t.Errorf("fixed %.4f variable %.4f total %.4f; want 0.6000 0.1690 0.7690\n%s", c.FixedUSD, c.VariableUSD, c.TotalUSD(), strings.Join(c.Lines, "\n"))
	}
	if c2 := f.storage.EstimatedMonthlyCost(pricing.ListPrices, 2, 1); c2.CustomMetrics != 3 || c2.ExecutionsPerMonth != 1460 || fmt.Sprintf("%.2f", c2.FixedUSD) != "1.20" {
		t.Errorf("cost = %+v", c2)
	}
	t.Logf("defaults, 100 repositories: %.4f USD/month fixed + %.4f variable\n%s", c.FixedUSD, c.VariableUSD, strings.Join(c.Lines, "\n"))
}

func TestStorageCfnLintAndCdkNag(t *testing.T) {
	expectCleanLintAndNag(t, "Storage", "StorageDefaults")
}

// TestStorageDefaultNamePrefixFits: a namespace too long for a readable name prefix gets the
// shortened default prefix (40 characters: the first 31 and the first 8 hex digits of the
// SHA-256 of "ecr-" and the namespace, computed outside Go) that every monitoring construct uses.
func TestStorageDefaultNamePrefixFits(t *testing.T) {
	stack := newStackIn("us-east-1")
	var s *measurement.StorageMetrics
	cfntest.ExpectOK(t, func() {
		s = measurement.NewStorageMetrics(stack, "Storage", &measurement.StorageMetricsProps{RepositoryPrefix: strings.Repeat("a", 60), AlertTopic: awssns.NewTopic(stack, jsii.String("T"), nil)})
	})
	if want := "ecr-" + strings.Repeat("a", 27) + "-6a16d2e2-storage-metrics"; s == nil || s.ScheduleName != want {
		t.Errorf("ScheduleName = %q; want %q", s.ScheduleName, want)
	}
}

// storageDatum is one MetricData entry the storage state machine publishes.
func storageDatum(dim, value string, bytes float64) map[string]any {
	return map[string]any{"MetricName": "StoredLogicalBytes", "Dimensions": []any{map[string]any{"Name": dim, "Value": value}}, "Unit": "Bytes", "Value": bytes}
}

// TestStorageJSONata evaluates the expressions of the synthesized definition one by one,
// then runs whole executions against SDK-integration-shaped responses, all in one Node.js
// process.
func TestStorageJSONata(t *testing.T) {
	def, _ := jsonatatest.Definition(t, getFixture(t).stacks["Storage"].tmpl())
	jsonatatest.RunChecks(t, append(storageExpressionChecks(t, def), storageExecutionChecks(def)...))
}

// storageExpressionChecks are the paging, filtering, summing and publishing expressions.
func storageExpressionChecks(t *testing.T, def map[string]any) []jsonatatest.Check {
	item := func(keys ...string) []string {
		return append([]string{"States", "MeasureRepositories", "ItemProcessor", "States"}, keys...)
	}
	expr := func(keys ...string) string { return jsonatatest.Expr(t, def, keys...) }
	listed := expr("States", "ListRepositories", "Assign", "repositories")
	token := expr("States", "ListRepositories", "Assign", "repositoryToken")
	imageBytes := expr(item("DescribeImages", "Assign", "imageBytes")...)
	data := expr("States", "PublishMetrics", "Arguments", "MetricData")
	datum := storageDatum
	return []jsonatatest.Check{
		{Name: "first repositories page: no NextToken", Case: jsonatatest.Case{Expr: expr("States", "ListRepositories", "Arguments"), Vars: map[string]any{"repositoryToken": nil}},
			Want: map[string]any{"MaxResults": 1000}},
		{Name: "next repositories page: NextToken", Case: jsonatatest.Case{Expr: expr("States", "ListRepositories", "Arguments"), Vars: map[string]any{"repositoryToken": "t1"}},
			Want: map[string]any{"MaxResults": 1000, "NextToken": "t1"}},
		{Name: "keeps only repositories under enterprise-apps/", Case: jsonatatest.Case{Expr: listed, Vars: map[string]any{"repositories": []any{}},
			States: map[string]any{"result": map[string]any{"Repositories": []any{repo("enterprise-apps/api"), repo("enterprise-apps-legacy/api"), repo("enterprise-apps"), repo("other/enterprise-apps/x"), repo("enterprise-apps/team/web")}}}},
			Want: []any{"enterprise-apps/api", "enterprise-apps/team/web"}},
		{Name: "a single match stays a list and appends", Case: jsonatatest.Case{Expr: listed, Vars: map[string]any{"repositories": []any{"enterprise-apps/api"}},
			States: map[string]any{"result": map[string]any{"Repositories": []any{repo("enterprise-apps/web")}}}},
			Want: []any{"enterprise-apps/api", "enterprise-apps/web"}},
		{Name: "a page without matches changes nothing", Case: jsonatatest.Case{Expr: listed, Vars: map[string]any{"repositories": []any{"enterprise-apps/api"}},
			States: map[string]any{"result": map[string]any{"Repositories": []any{repo("legacy/api")}}}},
			Want: []any{"enterprise-apps/api"}},
		{Name: "an empty registry gives an empty list", Case: jsonatatest.Case{Expr: listed, Vars: map[string]any{"repositories": []any{}},
			States: map[string]any{"result": map[string]any{"Repositories": []any{}}}}, Want: []any{}},
		{Name: "NextToken is followed", Case: jsonatatest.Case{Expr: token, States: map[string]any{"result": map[string]any{"NextToken": "abc"}}}, Want: "abc"},
		{Name: "absent NextToken ends paging", Case: jsonatatest.Case{Expr: token, States: map[string]any{"result": map[string]any{}}}, Want: nil},
		{Name: "null NextToken ends paging", Case: jsonatatest.Case{Expr: token, States: map[string]any{"result": map[string]any{"NextToken": nil}}}, Want: nil},
		{Name: "empty NextToken ends paging", Case: jsonatatest.Case{Expr: token, States: map[string]any{"result": map[string]any{"NextToken": ""}}}, Want: nil},
		{Name: "more repositories when a token is held", Case: jsonatatest.Case{Expr: expr("States", "MoreRepositories", "Choices", "0", "Condition"), Vars: map[string]any{"repositoryToken": "x"}}, Want: true},
		{Name: "no more repositories without token", Case: jsonatatest.Case{Expr: expr("States", "MoreRepositories", "Choices", "0", "Condition"), Vars: map[string]any{"repositoryToken": nil}}, Want: false},
		{Name: "first images page", Case: jsonatatest.Case{Expr: expr(item("DescribeImages", "Arguments")...), Vars: map[string]any{"repository": "enterprise-apps/api", "imageToken": nil}},
			Want: map[string]any{"RepositoryName": "enterprise-apps/api", "MaxResults": 100}},
		{Name: "next images page", Case: jsonatatest.Case{Expr: expr(item("DescribeImages", "Arguments")...), Vars: map[string]any{"repository": "enterprise-apps/api", "imageToken": "p2"}},
			Want: map[string]any{"RepositoryName": "enterprise-apps/api", "MaxResults": 100, "NextToken": "p2"}},
		{Name: "sums image manifests, leaves out manifest lists and image indexes, keeps artifacts", Case: jsonatatest.Case{Expr: imageBytes, Vars: map[string]any{"imageBytes": 0},
			States: map[string]any{"result": map[string]any{"ImageDetails": []any{
				image("a", 1000, dockerManifest, "v1"), image("b", 2000, ociManifest), image("list", 2000, dockerList, "multi"),
				image("index", 3000, ociIndex, "multi-oci"), image("c", 7, ociManifest),
				map[string]any{"ImageDigest": "sha256:sig", "ImageSizeInBytes": 500, "ImageManifestMediaType": ociManifest, "ArtifactMediaType": "application/vnd.dev.cosign.artifact.sig.v1+json"},
			}}}},
			Want: 3507.0},
		{Name: "a detail without media type counts", Case: jsonatatest.Case{Expr: imageBytes, Vars: map[string]any{"imageBytes": 10},
			States: map[string]any{"result": map[string]any{"ImageDetails": []any{map[string]any{"ImageSizeInBytes": 5}}}}}, Want: 15.0},
		{Name: "an empty repository adds 0", Case: jsonatatest.Case{Expr: imageBytes, Vars: map[string]any{"imageBytes": 0}, States: map[string]any{"result": map[string]any{"ImageDetails": []any{}}}}, Want: 0.0},
		{Name: "a page without ImageDetails adds 0", Case: jsonatatest.Case{Expr: imageBytes, Vars: map[string]any{"imageBytes": 42}, States: map[string]any{"result": map[string]any{}}}, Want: 42.0},
		{Name: "a single image page", Case: jsonatatest.Case{Expr: imageBytes, Vars: map[string]any{"imageBytes": 1}, States: map[string]any{"result": map[string]any{"ImageDetails": []any{image("x", 10737418240, dockerManifest)}}}}, Want: 10737418241.0},
		{Name: "metric data: total and the configured repositories, missing ones as 0", Case: jsonatatest.Case{Expr: data, States: map[string]any{"input": []any{
			map[string]any{"RepositoryName": "enterprise-apps/production", "Bytes": 300}, map[string]any{"RepositoryName": "enterprise-apps/api", "Bytes": 50}}}},
			Want: []any{datum("RepositoryPrefix", "enterprise-apps", 350), datum("RepositoryName", "enterprise-apps/production", 300), datum("RepositoryName", "enterprise-apps/testing", 0)}},
		{Name: "metric data with no repository at all", Case: jsonatatest.Case{Expr: data, States: map[string]any{"input": []any{}}},
			Want: []any{datum("RepositoryPrefix", "enterprise-apps", 0), datum("RepositoryName", "enterprise-apps/production", 0), datum("RepositoryName", "enterprise-apps/testing", 0)}},
		{Name: "metric data with a single repository", Case: jsonatatest.Case{Expr: data, States: map[string]any{"input": []any{map[string]any{"RepositoryName": "enterprise-apps/testing", "Bytes": 9}}}},
			Want: []any{datum("RepositoryPrefix", "enterprise-apps", 9), datum("RepositoryName", "enterprise-apps/production", 0), datum("RepositoryName", "enterprise-apps/testing", 9)}},
	}
}

// storageExecutionChecks run whole executions: two repository pages (with repositories outside
// the prefix), an api repository with two image pages and a manifest list, an empty repository,
// and a repository deleted between listing and describing; and a registry with nothing under
// the prefix.
func storageExecutionChecks(def map[string]any) []jsonatatest.Check {
	datum := storageDatum
	page := func(next string, details ...any) map[string]any {
		r := map[string]any{"ImageDetails": details}
		if next != "" {
			r["NextToken"] = next
		}
		return r
	}
	mocks := []jsonatatest.Mock{
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
	return []jsonatatest.Check{{Name: "execution: pages, filters, sums and publishes once", Case: jsonatatest.Case{Run: def, Input: map[string]any{}, Mocks: mocks},
		Verify: func(t *testing.T, r jsonatatest.Result) {
			if r.Error != "" {
				t.Fatalf("execution failed: %s\npath %v", r.Error, r.Path)
			}
			if !jsonatatest.SameJSON(r.Output, map[string]any{"Repositories": 4, "LogicalBytes": 5600}) {
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
		}}, {Name: "execution: no repository under the prefix publishes zeros", Case: jsonatatest.Case{Run: def, Input: map[string]any{}, Mocks: []jsonatatest.Mock{
		{Resource: describeRepositories, Arguments: map[string]any{"MaxResults": 1000}, Result: map[string]any{"Repositories": []any{repo("legacy/api")}}},
		{Resource: putMetricData, Arguments: map[string]any{"Namespace": "ECRReplication", "MetricData": []any{
			datum("RepositoryPrefix", "enterprise-apps", 0), datum("RepositoryName", "enterprise-apps/production", 0), datum("RepositoryName", "enterprise-apps/testing", 0)}},
			Result: map[string]any{}},
	}}, Verify: func(t *testing.T, r jsonatatest.Result) {
		if r.Error != "" || !jsonatatest.SameJSON(r.Output, map[string]any{"Repositories": 0, "LogicalBytes": 0}) {
			t.Errorf("error %q, output %v, path %v", r.Error, r.Output, r.Path)
		}
	}}}
}
