package monitoring

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/acme-platform/ecr-replication/awsid"

	"github.com/acme-platform/ecr-replication/constructs/checks"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Defaults and limits of StorageMetricsProps.
const (
	// DefaultStorageGrowthThresholdBytes is 10 GiB of logical bytes per day.
	DefaultStorageGrowthThresholdBytes = 10 * 1024 * 1024 * 1024
	// MaxStorageRepositoryMetrics bounds RepositoryMetrics: each metric costs about $0.30 a
	// month in every region, so a fleet must not get one per repository by default.
	MaxStorageRepositoryMetrics = 10
	// storageImagesPageSize keeps one DescribeImages page (about 0.6-1 KB per ImageDetail)
	// far below the 256 KiB Step Functions payload limit, which applies to the raw
	// service response too.
	storageImagesPageSize = 100
	// storageRepositoriesPageSize is the DescribeRepositories maximum; only names are kept.
	storageRepositoriesPageSize = 1000
	// storageMapConcurrency bounds parallel DescribeImages calls (ECR API rate quotas).
	storageMapConcurrency = 5
)

// storageIndexMediaTypes are the manifest lists / image indexes. DescribeImages reports for
// them the size of the largest manifest (ECR API ImageDetail.imageSizeInBytes), while the
// platform manifests they reference are listed as images of their own; counting both would
// count a multi-platform image twice, so the indexes are left out of the sum.
var storageIndexMediaTypes = []string{
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.oci.image.index.v1+json",
}

// StorageMetricsProps configures StorageMetrics.
type StorageMetricsProps struct {
	// RepositoryPrefix is the repository namespace, such as "enterprise-apps": every
	// repository named "enterprise-apps/..." in this region counts, including those ECR
	// creates later (replication creates them on first push). Required.
	RepositoryPrefix string

	// Schedule is how often the region is measured, in whole minutes from 5 minutes to 1
	// day.
	//
	// Default: awscdk.Duration_Hours(1)
	Schedule awscdk.Duration

	// RepositoryMetrics are full repository names ("enterprise-apps/api") that get a metric
	// of their own besides the region's total, at most MaxStorageRepositoryMetrics (each
	// costs about $0.30 a month). A name that does not exist (yet) is published as 0.
	//
	// Default: - none, only the region's total.
	RepositoryMetrics []string

	// GrowthThresholdBytes is the day-over-day growth of the region's total, in logical
	// bytes, above which the growth alarm fires.
	//
	// Default: DefaultStorageGrowthThresholdBytes (10 GiB)
	GrowthThresholdBytes float64

	// AlertTopic receives the growth and execution-failure alarms. It must be in this
	// stack's region. Required.
	AlertTopic awssns.ITopic

	// Namespace is the CloudWatch namespace of the metrics.
	//
	// Default: DefaultMeasureNamespace ("ECRReplication")
	Namespace string

	// NamePrefix starts the schedule and alarm names.
	//
	// Default: - "ecr-" and RepositoryPrefix with "/" turned into "-".
	NamePrefix string

	// LogRetention is how long the state machine's logs are kept.
	//
	// Default: awslogs.RetentionDays_ONE_MONTH
	LogRetention awslogs.RetentionDays
}

func (p *StorageMetricsProps) namespace() string {
	if p.Namespace == "" {
		return DefaultMeasureNamespace
	}
	return p.Namespace
}

func (p *StorageMetricsProps) growthThreshold() float64 {
	if p.GrowthThresholdBytes == 0 {
		return DefaultStorageGrowthThresholdBytes
	}
	return p.GrowthThresholdBytes
}

func (p *StorageMetricsProps) scheduleMinutes() float64 {
	if p.Schedule == nil {
		return 60
	}
	return *p.Schedule.ToMinutes(&awscdk.TimeConversionOptions{Integral: jsii.Bool(false)})
}

func (p *StorageMetricsProps) validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(measureCheckPrefix("RepositoryPrefix", p.RepositoryPrefix))
	add(measureCheckNamespace("Namespace", p.Namespace))
	add(measureCheckNamePrefix("NamePrefix", p.NamePrefix))
	if p.AlertTopic == nil {
		add(errors.New("AlertTopic: required; expected the alert topic of this region"))
	}
	if m := p.scheduleMinutes(); m != math.Trunc(m) || m < 5 || m > 1440 {
		add(fmt.Errorf("Schedule: got %v minutes; expected whole minutes from 5 to 1440 (the growth alarm compares daily maxima)", m))
	}
	if t := p.growthThreshold(); t <= 0 || math.IsNaN(t) || math.IsInf(t, 0) {
		add(fmt.Errorf("GrowthThresholdBytes: got %v; expected a positive number of bytes", t))
	}
	if n := len(p.RepositoryMetrics); n > MaxStorageRepositoryMetrics {
		add(fmt.Errorf("RepositoryMetrics: got %d repositories, at most %d may get a metric of their own (each custom metric costs about $0.30 a month per region)", n, MaxStorageRepositoryMetrics))
	}
	seen := map[string]bool{}
	for _, name := range p.RepositoryMetrics {
		switch {
		case !awsid.IsRepositoryName(name):
			add(fmt.Errorf("RepositoryMetrics: %q is not a repository name", name))
		case p.RepositoryPrefix != "" && !strings.HasPrefix(name, p.RepositoryPrefix+"/"):
			add(fmt.Errorf("RepositoryMetrics: %q is not under %q, so it is never measured", name, p.RepositoryPrefix+"/"))
		case seen[name]:
			add(fmt.Errorf("RepositoryMetrics: %q is listed twice", name))
		}
		seen[name] = true
	}
	return errors.Join(errs...)
}

// StorageMetrics measures, in one region, how many bytes the images of a repository
// namespace take, without Lambda: an Express Step Functions state machine (JSONata, AWS SDK
// integrations) on an EventBridge Scheduler schedule lists the repositories under the
// prefix (ecr:DescribeRepositories, paged), pages ecr:DescribeImages (100 images a page)
// in each, sums ImageSizeInBytes and publishes, in one cloudwatch:PutMetricData call, the
// region's total (dimension RepositoryPrefix) and one metric per RepositoryMetrics entry
// (dimension RepositoryName), metric StorageMetricName in Namespace, unit Bytes.
//
// The figure is logical bytes: imageSizeInBytes is the compressed size of an image, and a
// layer shared by several images counts once per image, so the sum is an upper bound of
// what ECR stores (and bills). Only ACTIVE images count (DescribeImages without
// Filter.ImageStatus); manifest lists / image indexes are left out because their platform
// manifests are counted as images of their own.
//
// Step Functions cannot call the AWS APIs of another region ("cross-Region AWS SDK
// integration ... isn't available", Step Functions developer guide,
// concepts-access-cross-acct-resources.html), so every region needs its own
// StorageMetrics. A growth alarm fires when the total grows by more than
// GrowthThresholdBytes from one day's maximum to the next; a second alarm fires when an
// execution fails, so that a broken measurement does not pass for missing data.
type StorageMetrics struct {
	constructs.Construct

	// StateMachine measures the region; Role is its execution role.
	StateMachine awsstepfunctions.StateMachine
	Role         awsiam.Role
	// LogGroup receives the state machine's logs (level ALL, without execution data).
	LogGroup awslogs.LogGroup
	// Schedule starts StateMachine; SchedulerRole is the role it starts it with.
	Schedule      awsscheduler.CfnSchedule
	SchedulerRole awsiam.Role
	// GrowthAlarm watches the day-over-day growth of the total; ExecutionFailureAlarm
	// watches failed or timed-out executions.
	GrowthAlarm           awscloudwatch.Alarm
	ExecutionFailureAlarm awscloudwatch.Alarm

	// ScheduleName, GrowthAlarmName and ExecutionFailureAlarmName are deterministic names.
	ScheduleName              string
	GrowthAlarmName           string
	ExecutionFailureAlarmName string

	prefix          string
	namespace       string
	repositories    []string
	scheduleMinutes float64
}

// NewStorageMetrics creates the state machine, its schedule and the alarms of one region.
func NewStorageMetrics(scope constructs.Construct, id string, props *StorageMetricsProps) *StorageMetrics {
	if props == nil {
		props = &StorageMetricsProps{}
	}
	problems := checks.For("StorageMetrics", scope, id)
	problems.Join(props.validate())
	problems.Panic()
	registerCustomMetric(props.namespace(), StorageMetricName)
	s := &StorageMetrics{
		prefix:          props.RepositoryPrefix,
		namespace:       props.namespace(),
		repositories:    append([]string(nil), props.RepositoryMetrics...),
		scheduleMinutes: props.scheduleMinutes(),
	}
	constructs.NewConstruct_Override(s, scope, &id)
	stack := awscdk.Stack_Of(s)
	namePrefix := measureNamePrefix(props.NamePrefix, props.RepositoryPrefix)
	s.ScheduleName = namePrefix + "-storage-metrics"
	s.GrowthAlarmName = namePrefix + "-storage-growth"
	s.ExecutionFailureAlarmName = namePrefix + "-storage-metrics-failed"

	repositoryArn := stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("ecr"), Resource: jsii.String("repository"), ResourceName: jsii.String(props.RepositoryPrefix + "/*"),
	})
	sm := newMeasureStateMachine(s, "Measures the logical bytes of the ECR repositories under "+props.RepositoryPrefix+"/ in this region",
		storageDefinition(measurePartition(s), props.RepositoryPrefix, s.namespace, s.repositories), props.LogRetention,
		// DescribeRepositories without repositoryNames lists the registry; such a call is
		// authorized against resource "*" (AccessDenied messages name "on resource: *"), so
		// a repository ARN pattern would not allow it. It returns repository metadata only.
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ListRepositories"),
			Actions:   jsii.Strings("ecr:DescribeRepositories"),
			Resources: jsii.Strings("*"),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("DescribeImagesUnderPrefix"),
			Actions:   jsii.Strings("ecr:DescribeImages"),
			Resources: &[]*string{repositoryArn},
		}),
		// cloudwatch:PutMetricData has no resource-level permission; the cloudwatch:namespace
		// condition key narrows it (CloudWatch user guide, iam-cw-condition-keys-namespace.html).
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("PublishStorageMetrics"),
			Actions:    jsii.Strings("cloudwatch:PutMetricData"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"cloudwatch:namespace": s.namespace}},
		}),
	)
	s.StateMachine, s.Role, s.LogGroup = sm.stateMachine, sm.role, sm.logGroup
	annotateCost(s.StateMachine, 1+len(s.repositories), 30*24*60/s.scheduleMinutes)
	measureSuppressPrefix(s.Role, props.RepositoryPrefix, "ecr:DescribeImages is limited to the repositories under the prefix, which ECR may create later "+
		"(replication, creation templates), so their names are not known at deploy time")

	// EventBridge Scheduler's execution role: trusted by scheduler.amazonaws.com for this
	// account only (aws:SourceAccount, as "Confused deputy prevention in EventBridge
	// Scheduler" recommends, scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).
	s.SchedulerRole = awsiam.NewRole(s, jsii.String("SchedulerRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewPrincipalWithConditions(awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), nil),
			&map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()}}),
		Description: jsii.String("Lets EventBridge Scheduler start the ECR storage measurement"),
		InlinePolicies: &map[string]awsiam.PolicyDocument{"StartMeasurement": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
			Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("states:StartExecution"),
				Resources: &[]*string{s.StateMachine.StateMachineArn()},
			})},
		})},
	})
	s.Schedule = awsscheduler.NewCfnSchedule(s, jsii.String("Schedule"), &awsscheduler.CfnScheduleProps{
		Name:               jsii.String(s.ScheduleName),
		Description:        jsii.String("Measures the logical bytes of " + props.RepositoryPrefix + "/ in this region"),
		ScheduleExpression: jsii.String(storageRate(s.scheduleMinutes)),
		FlexibleTimeWindow: &awsscheduler.CfnSchedule_FlexibleTimeWindowProperty{Mode: jsii.String("OFF")},
		State:              jsii.String("ENABLED"),
		Target: &awsscheduler.CfnSchedule_TargetProperty{
			Arn:     s.StateMachine.StateMachineArn(),
			RoleArn: s.SchedulerRole.RoleArn(),
			// One missed run is harmless (the next one measures again); retries would only
			// overlap with it.
			RetryPolicy: &awsscheduler.CfnSchedule_RetryPolicyProperty{MaximumRetryAttempts: jsii.Number(0)},
		},
	})

	threshold := props.growthThreshold()
	s.GrowthAlarm = awscloudwatch.NewAlarm(s, jsii.String("GrowthAlarm"), &awscloudwatch.AlarmProps{
		AlarmName: jsii.String(s.GrowthAlarmName),
		AlarmDescription: jsii.String(fmt.Sprintf("The images under %s/ in this region grew by more than %s (logical bytes: layers shared "+
			"between images count once per image) from one day's maximum to the next. Check recent pushes and the lifecycle policies.",
			props.RepositoryPrefix, storageBytesText(threshold))),
		Metric:             s.MetricDailyGrowth(),
		Threshold:          jsii.Number(threshold),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
		DatapointsToAlarm:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	measureNotify(s.GrowthAlarm, props.AlertTopic)
	s.ExecutionFailureAlarm = measureFailureAlarm(s, s.ExecutionFailureAlarmName, "ECR storage measurement", s.StateMachine, props.AlertTopic)
	return s
}

// MetricTotalBytes is the region's total for the prefix in logical bytes (Maximum over 1
// hour unless opts says otherwise).
func (s *StorageMetrics) MetricTotalBytes(opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return newMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(s.namespace),
		MetricName:    jsii.String(StorageMetricName),
		DimensionsMap: &map[string]*string{"RepositoryPrefix": jsii.String(s.prefix)},
		Statistic:     jsii.String("Maximum"),
		Period:        awscdk.Duration_Hours(jsii.Number(1)),
		Label:         jsii.String(s.prefix + "/ (logical bytes)"),
		Unit:          awscloudwatch.Unit_BYTES,
	}, opts)
}

// MetricRepositoryBytes is one repository's logical bytes (Maximum over 1 hour unless opts
// says otherwise). It panics unless name is one of RepositoryMetrics: other repositories
// have no metric.
func (s *StorageMetrics) MetricRepositoryBytes(name string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	found := false
	for _, r := range s.repositories {
		found = found || r == name
	}
	if !found {
		panic(fmt.Sprintf("MetricRepositoryBytes: %q is not one of RepositoryMetrics %v, so it has no metric", name, s.repositories))
	}
	return newMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(s.namespace),
		MetricName:    jsii.String(StorageMetricName),
		DimensionsMap: &map[string]*string{"RepositoryName": jsii.String(name)},
		Statistic:     jsii.String("Maximum"),
		Period:        awscdk.Duration_Hours(jsii.Number(1)),
		Label:         jsii.String(name + " (logical bytes)"),
		Unit:          awscloudwatch.Unit_BYTES,
	}, opts)
}

// MetricDailyGrowth is what GrowthAlarm watches: DIFF of the daily Maximum of the total, the
// growth from one day's maximum to the next, in logical bytes. Metric math has no time
// shift; DIFF over a one-day period is the documented way to a day-over-day change
// (CloudWatch user guide, using-metric-math.html, function DIFF).
func (s *StorageMetrics) MetricDailyGrowth() awscloudwatch.MathExpression {
	day := awscdk.Duration_Days(jsii.Number(1))
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression:   jsii.String("DIFF(total)"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{"total": s.MetricTotalBytes(&awscloudwatch.MetricOptions{Period: day, Statistic: jsii.String("Maximum")})},
		Label:        jsii.String("Daily growth of " + s.prefix + "/ (logical bytes)"),
		Period:       day,
	})
}

// Alarms returns GrowthAlarm and ExecutionFailureAlarm.
func (s *StorageMetrics) Alarms() []awscloudwatch.IAlarm {
	return []awscloudwatch.IAlarm{s.GrowthAlarm, s.ExecutionFailureAlarm}
}

// Widgets returns the dashboard widgets of this region: the total and, when
// RepositoryMetrics is set, the configured repositories, both in logical bytes. region
// labels the titles (pass "" for none); metrics are those of this stack's region.
func (s *StorageMetrics) Widgets(region string) []awscloudwatch.IWidget {
	where := ""
	if region != "" {
		where = " in " + region
	}
	widgets := []awscloudwatch.IWidget{awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title:  jsii.String("ECR storage of " + s.prefix + "/" + where + " (logical bytes: shared layers count once per image)"),
		Left:   &[]awscloudwatch.IMetric{s.MetricTotalBytes(nil)},
		Width:  jsii.Number(12),
		Height: jsii.Number(6),
	})}
	if len(s.repositories) > 0 {
		metrics := make([]awscloudwatch.IMetric, 0, len(s.repositories))
		for _, r := range s.repositories {
			metrics = append(metrics, s.MetricRepositoryBytes(r, nil))
		}
		widgets = append(widgets, awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title:  jsii.String("Largest repositories" + where + " (logical bytes, configured repositories)"),
			Left:   &metrics,
			Width:  jsii.Number(12),
			Height: jsii.Number(6),
		}))
	}
	return widgets
}

// EstimatedMonthlyCost estimates this construct's monthly cost in one region at list prices
// for repositories repositories of about pagesPerRepository DescribeImages pages each. It
// assumes about 200 ms per SDK call and 64 MB of billed memory per execution.
func (s *StorageMetrics) EstimatedMonthlyCost(prices MeasurePrices, repositories int, pagesPerRepository float64) MeasureCost {
	return storageCost(prices, len(s.repositories), s.scheduleMinutes, repositories, pagesPerRepository)
}

func storageCost(prices MeasurePrices, repositoryMetrics int, scheduleMinutes float64, repositories int, pagesPerRepository float64) MeasureCost {
	const hoursPerMonth = 730.0
	c := MeasureCost{CustomMetrics: 1 + repositoryMetrics, AlarmMetrics: 1 + 2}
	c.ExecutionsPerMonth = hoursPerMonth * 60 / scheduleMinutes
	c.PutMetricDataPerMonth = c.ExecutionsPerMonth
	c.fixed(fmt.Sprintf("%d custom metrics", c.CustomMetrics), float64(c.CustomMetrics)*prices.CustomMetricMonth)
	c.fixed("growth alarm (1 metric) and execution-failure alarm (2 metrics)", float64(c.AlarmMetrics)*prices.AlarmMetricMonth)
	c.variable(fmt.Sprintf("%.0f PutMetricData requests", c.PutMetricDataPerMonth), c.PutMetricDataPerMonth/1000*prices.PutMetricDataPer1000)
	calls := math.Ceil(float64(repositories)/storageMapConcurrency)*math.Max(pagesPerRepository, 1) + 2
	seconds := math.Ceil(calls*0.2*10) / 10 // billed in 100 ms increments
	c.variable(fmt.Sprintf("%.0f Express executions of about %.1f s", c.ExecutionsPerMonth, seconds),
		c.ExecutionsPerMonth*(prices.ExpressPerMillion/1e6+seconds*prices.ExpressMinimumGB*prices.ExpressPerGBSecond))
	// About 2 log events of ~300 bytes per state transition, without execution data.
	transitions := 6 + float64(repositories)*(3+2*math.Max(pagesPerRepository, 1))
	c.variable("log ingestion", c.ExecutionsPerMonth*transitions*2*300/1e9*prices.LogsIngestionPerGB)
	if c.ExecutionsPerMonth > prices.FreeSchedulerPerMonth {
		c.variable("scheduler invocations", (c.ExecutionsPerMonth-prices.FreeSchedulerPerMonth)/1e6*prices.SchedulerPerMillion)
	}
	return c
}

// storageRate renders a whole number of minutes as an EventBridge Scheduler rate
// expression: rate(1 hour), rate(30 minutes), rate(1 day).
func storageRate(minutes float64) string {
	unit := func(n float64, one string) string {
		if n == 1 {
			return fmt.Sprintf("rate(1 %s)", one)
		}
		return fmt.Sprintf("rate(%g %ss)", n, one)
	}
	switch {
	case math.Mod(minutes, 1440) == 0:
		return unit(minutes/1440, "day")
	case math.Mod(minutes, 60) == 0:
		return unit(minutes/60, "hour")
	}
	return unit(minutes, "minute")
}

func storageBytesText(b float64) string {
	for _, u := range []struct {
		name string
		size float64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if b >= u.size {
			return fmt.Sprintf("%g %s", math.Round(b/u.size*100)/100, u.name)
		}
	}
	return fmt.Sprintf("%g bytes", b)
}

// storageNextToken is null unless the page at path has a NextToken to follow (the SDK
// integration may return it absent, null or empty on the last page).
func storageNextToken(path string) string {
	return fmt.Sprintf(`$type(%[1]s) = "string" and %[1]s != "" ? %[1]s : null`, path)
}

// storageDefinition renders the Amazon States Language definition (JSONata) of the
// storage state machine. Results of AWS SDK integrations are PascalCase (Repositories,
// RepositoryName, ImageDetails, ImageSizeInBytes, NextToken). Only names and running sums
// pass between states (256 KiB payload limit); every task discards its raw response.
func storageDefinition(partition, prefix, namespace string, repositories []string) map[string]any {
	under := prefix + "/"
	inPrefix := fmt.Sprintf(`[$states.result.Repositories[$substring(RepositoryName, 0, %d) = %s].RepositoryName]`, len(under), measureQuote(under))
	indexTypes := make([]string, len(storageIndexMediaTypes))
	for i, t := range storageIndexMediaTypes {
		indexTypes[i] = measureQuote(t)
	}
	pageBytes := fmt.Sprintf(`$sum([$states.result.ImageDetails[$not(ImageManifestMediaType in [%s])].ImageSizeInBytes])`, strings.Join(indexTypes, ", "))

	datum := func(dimension, value, sum string) string {
		return fmt.Sprintf(`{"MetricName": %s, "Dimensions": [{"Name": %s, "Value": %s}], "Unit": "Bytes", "Value": %s}`,
			measureQuote(StorageMetricName), measureQuote(dimension), measureQuote(value), sum)
	}
	data := []string{datum("RepositoryPrefix", prefix, `$sum([$states.input.Bytes])`)}
	for _, r := range repositories {
		data = append(data, datum("RepositoryName", r, fmt.Sprintf(`$sum([$states.input[RepositoryName = %s].Bytes])`, measureQuote(r))))
	}

	return map[string]any{
		"Comment":       "Sums imageSizeInBytes (logical bytes) of the ACTIVE images of the repositories under " + under + " and publishes it to CloudWatch",
		"QueryLanguage": "JSONata",
		"StartAt":       "Start",
		"States": map[string]any{
			"Start": map[string]any{
				"Type":   "Pass",
				"Assign": map[string]any{"repositories": []any{}, "repositoryToken": nil},
				"Next":   "ListRepositories",
			},
			"ListRepositories": map[string]any{
				"Type":     "Task",
				"Resource": sdkResource(partition, "ecr", "describeRepositories"),
				"Arguments": jsonata(fmt.Sprintf(`$type($repositoryToken) = "string" ? {"MaxResults": %[1]d, "NextToken": $repositoryToken} : {"MaxResults": %[1]d}`,
					storageRepositoriesPageSize)),
				"Assign": map[string]any{
					"repositories":    jsonata("$append($repositories, " + inPrefix + ")"),
					"repositoryToken": jsonata(storageNextToken("$states.result.NextToken")),
				},
				"Output": map[string]any{},
				"Retry":  sdkRetry(),
				"Next":   "MoreRepositories",
			},
			"MoreRepositories": map[string]any{
				"Type":    "Choice",
				"Choices": []any{map[string]any{"Condition": jsonata(`$type($repositoryToken) = "string"`), "Next": "ListRepositories"}},
				"Default": "MeasureRepositories",
			},
			"MeasureRepositories": map[string]any{
				"Type":           "Map",
				"Items":          jsonata("$repositories"),
				"MaxConcurrency": storageMapConcurrency,
				"ItemProcessor": map[string]any{
					"ProcessorConfig": map[string]any{"Mode": "INLINE"},
					"StartAt":         "StartRepository",
					"States": map[string]any{
						"StartRepository": map[string]any{
							"Type":   "Pass",
							"Assign": map[string]any{"repository": jsonata("$states.input"), "imageBytes": 0, "imageToken": nil},
							"Next":   "DescribeImages",
						},
						"DescribeImages": map[string]any{
							"Type":     "Task",
							"Resource": sdkResource(partition, "ecr", "describeImages"),
							"Arguments": jsonata(fmt.Sprintf(`$type($imageToken) = "string" ? {"RepositoryName": $repository, "MaxResults": %[1]d, "NextToken": $imageToken} : {"RepositoryName": $repository, "MaxResults": %[1]d}`,
								storageImagesPageSize)),
							"Assign": map[string]any{
								"imageBytes": jsonata("$imageBytes + " + pageBytes),
								"imageToken": jsonata(storageNextToken("$states.result.NextToken")),
							},
							"Output": map[string]any{},
							"Retry":  sdkRetry("Ecr.RepositoryNotFoundException"),
							// A repository deleted since it was listed counts with what was summed.
							"Catch": []any{map[string]any{"ErrorEquals": []string{"Ecr.RepositoryNotFoundException"}, "Next": "RepositoryMeasured"}},
							"Next":  "MoreImages",
						},
						"MoreImages": map[string]any{
							"Type":    "Choice",
							"Choices": []any{map[string]any{"Condition": jsonata(`$type($imageToken) = "string"`), "Next": "DescribeImages"}},
							"Default": "RepositoryMeasured",
						},
						"RepositoryMeasured": map[string]any{
							"Type":   "Pass",
							"Output": map[string]any{"RepositoryName": jsonata("$repository"), "Bytes": jsonata("$imageBytes")},
							"End":    true,
						},
					},
				},
				"Next": "PublishMetrics",
			},
			"PublishMetrics": map[string]any{
				"Type":     "Task",
				"Resource": sdkResource(partition, "cloudwatch", "putMetricData"),
				"Arguments": map[string]any{
					"Namespace":  namespace,
					"MetricData": jsonata("[" + strings.Join(data, ", ") + "]"),
				},
				"Output": jsonata(`{"Repositories": $count($states.input), "LogicalBytes": $sum([$states.input.Bytes])}`),
				"Retry":  sdkRetry(),
				"End":    true,
			},
		},
	}
}
