package measurement

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/internal/naming"
	"github.com/acme-platform/ecr-replication/constructs/internal/watch"
)

// Defaults and limits of StorageMetricsProps.
const (
	// DefaultStorageGrowthThresholdBytes is 10 GiB of logical bytes per day.
	DefaultStorageGrowthThresholdBytes = 10 * 1024 * 1024 * 1024
	// MaxStorageRepositoryMetrics bounds RepositoryMetrics: each metric costs about $0.30 a
	// month in every region, so a fleet must not get one per repository by default.
	MaxStorageRepositoryMetrics = 10
)

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
	// Default: DefaultNamespace ("ECRReplication")
	Namespace string

	// NamePrefix starts the schedule and alarm names.
	//
	// Default: - monitoring.DefaultNamePrefix(RepositoryPrefix): "ecr-" and RepositoryPrefix
	// with "/" turned into "-".
	NamePrefix string

	// LogRetention is how long the state machine's logs are kept.
	//
	// Default: awslogs.RetentionDays_ONE_MONTH
	LogRetention awslogs.RetentionDays

	// LogKey encrypts the state machine's log group (its key policy must let
	// logs.<region>.amazonaws.com use it).
	//
	// Default: - CloudWatch Logs' own encryption.
	LogKey awskms.IKey
}

func (p *StorageMetricsProps) growthThreshold() float64 {
	if p.GrowthThresholdBytes == 0 {
		return DefaultStorageGrowthThresholdBytes
	}
	return p.GrowthThresholdBytes
}

// check records every problem of the props.
func (p *StorageMetricsProps) check(problems *checks.Problems, _ constructs.Construct) {
	naming.Namespace(problems, "RepositoryPrefix", p.RepositoryPrefix)
	checkMetricNamespace(problems, "Namespace", p.Namespace)
	naming.NamePrefix(problems, "NamePrefix", p.NamePrefix)
	if p.AlertTopic == nil {
		problems.Missing("AlertTopic", "the alert topic of this region")
	}
	if m := wholeMinutes(p.Schedule, 60); m != math.Trunc(m) || m < 5 || m > 1440 {
		problems.Add("Schedule", naming.Minutes(m), "whole minutes from 5 to 1440 (the growth alarm compares daily maxima)")
	}
	if t := p.growthThreshold(); t <= 0 || math.IsNaN(t) || math.IsInf(t, 0) {
		problems.Add("GrowthThresholdBytes", t, "a positive number of bytes")
	}
	if n := len(p.RepositoryMetrics); n > MaxStorageRepositoryMetrics {
		problems.Add("RepositoryMetrics", n,
			fmt.Sprintf("at most %d repositories (each custom metric costs about $0.30 a month per region)", MaxStorageRepositoryMetrics))
	}
	under := p.RepositoryPrefix + "/"
	for i, name := range p.RepositoryMetrics {
		field := fmt.Sprintf("RepositoryMetrics[%d]", i)
		switch {
		case !awsid.IsRepositoryName(name) || (p.RepositoryPrefix != "" && !strings.HasPrefix(name, under)):
			problems.Add(field, name, fmt.Sprintf("a repository name under %q (only those are measured)", under))
		case slices.Contains(p.RepositoryMetrics[:i], name):
			problems.Add(field, name, "each repository once")
		}
	}
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
// Invalid props panic with a *checks.Error that lists every problem.
func NewStorageMetrics(scope constructs.Construct, id string, props *StorageMetricsProps) *StorageMetrics {
	props = naming.Checked("StorageMetrics", scope, id, props, (*StorageMetricsProps).check)
	s := &StorageMetrics{
		prefix:          props.RepositoryPrefix,
		namespace:       namespaceOr(props.Namespace),
		repositories:    slices.Clone(props.RepositoryMetrics),
		scheduleMinutes: wholeMinutes(props.Schedule, 60),
	}
	watch.RegisterCustomMetric(s.namespace, StorageMetricName)
	constructs.NewConstruct_Override(s, scope, &id)
	namePrefix := naming.PrefixOr(props.NamePrefix, props.RepositoryPrefix)
	s.ScheduleName = namePrefix + "-storage-metrics"
	s.GrowthAlarmName = namePrefix + "-storage-growth"
	s.ExecutionFailureAlarmName = namePrefix + "-storage-metrics-failed"

	m := s.newMachine(props.LogRetention, props.LogKey)
	s.StateMachine, s.Role, s.LogGroup = m.stateMachine, m.role, m.logGroup
	s.addSchedule()
	s.GrowthAlarm = watch.NewAlarm(s, "GrowthAlarm", watch.Spec{
		Name: s.GrowthAlarmName,
		Description: fmt.Sprintf("The images under %s/ in this region grew by more than %s (logical bytes: layers shared "+
			"between images count once per image) from one day's maximum to the next. Check recent pushes and the lifecycle policies.",
			props.RepositoryPrefix, bytesText(props.growthThreshold())),
		Metric:     s.MetricDailyGrowth(),
		Threshold:  props.growthThreshold(),
		Comparison: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		Topic:      props.AlertTopic,
	})
	s.ExecutionFailureAlarm = m.failureAlarm(s, s.ExecutionFailureAlarmName, "ECR storage measurement", props.AlertTopic)
	return s
}

// newMachine creates the state machine with exactly the permissions it needs.
func (s *StorageMetrics) newMachine(retention awslogs.RetentionDays, key awskms.IKey) *machine {
	repositoryArn := awscdk.Stack_Of(s).FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("ecr"), Resource: jsii.String("repository"), ResourceName: jsii.String(s.prefix + "/*"),
	})
	m := newMachine(s, machineSpec{
		comment:    "Measures the logical bytes of the ECR repositories under " + s.prefix + "/ in this region",
		definition: storageDefinition(partitionOf(s), s.prefix, s.namespace, s.repositories),
		retention:  retention,
		logKey:     key,
		statements: []awsiam.PolicyStatement{
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
			putMetricDataStatement("PublishStorageMetrics", s.namespace),
		},
		customMetrics: 1 + len(s.repositories),
		runsPerMonth:  30 * 24 * 60 / s.scheduleMinutes,
	})
	m.suppressPrefix(s.prefix, "ecr:DescribeImages is limited to the repositories under the prefix, which ECR may create later "+
		"(replication, creation templates), so their names are not known at deploy time")
	return m
}

// putMetricDataStatement allows cloudwatch:PutMetricData in namespace only: the action has no
// resource-level permission, the cloudwatch:namespace condition key narrows it (CloudWatch user
// guide, iam-cw-condition-keys-namespace.html).
func putMetricDataStatement(sid, namespace string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(sid),
		Actions:    jsii.Strings("cloudwatch:PutMetricData"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"cloudwatch:namespace": namespace}},
	})
}

// addSchedule creates the EventBridge Scheduler schedule and the role it starts the state
// machine with: trusted by scheduler.amazonaws.com for this account only (aws:SourceAccount,
// as "Confused deputy prevention in EventBridge Scheduler" recommends,
// scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).
func (s *StorageMetrics) addSchedule() {
	s.SchedulerRole = awsiam.NewRole(s, jsii.String("SchedulerRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewPrincipalWithConditions(awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), nil),
			&map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": awscdk.Stack_Of(s).Account()}}),
		Description:    jsii.String("Lets EventBridge Scheduler start the ECR storage measurement"),
		InlinePolicies: startExecutionPolicy(s.StateMachine),
	})
	s.Schedule = awsscheduler.NewCfnSchedule(s, jsii.String("Schedule"), &awsscheduler.CfnScheduleProps{
		Name:               jsii.String(s.ScheduleName),
		Description:        jsii.String("Measures the logical bytes of " + s.prefix + "/ in this region"),
		ScheduleExpression: jsii.String(rateExpression(s.scheduleMinutes)),
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
}

// startExecutionPolicy is the inline policy ("StartMeasurement") of a role that starts sm.
func startExecutionPolicy(sm awsstepfunctions.StateMachine) *map[string]awsiam.PolicyDocument {
	return &map[string]awsiam.PolicyDocument{"StartMeasurement": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("states:StartExecution"),
			Resources: &[]*string{sm.StateMachineArn()},
		})},
	})}
}

// storageMetric is StorageMetricName with one dimension, Maximum over 1 hour unless opts says
// otherwise.
func (s *StorageMetrics) storageMetric(dimension, value, label string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return watch.Metric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(s.namespace),
		MetricName:    jsii.String(StorageMetricName),
		DimensionsMap: &map[string]*string{dimension: jsii.String(value)},
		Statistic:     jsii.String("Maximum"),
		Period:        hour(),
		Label:         jsii.String(label),
		Unit:          awscloudwatch.Unit_BYTES,
	}, opts)
}

// MetricTotalBytes is the region's total for the prefix in logical bytes (Maximum over 1
// hour unless opts says otherwise).
func (s *StorageMetrics) MetricTotalBytes(opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return s.storageMetric("RepositoryPrefix", s.prefix, s.prefix+"/ (logical bytes)", opts)
}

// MetricRepositoryBytes is one repository's logical bytes (Maximum over 1 hour unless opts
// says otherwise). It panics unless name is one of RepositoryMetrics: other repositories
// have no metric.
func (s *StorageMetrics) MetricRepositoryBytes(name string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	if !slices.Contains(s.repositories, name) {
		panic(fmt.Errorf("MetricRepositoryBytes: %q is not one of RepositoryMetrics %v, so it has no metric", name, s.repositories))
	}
	return s.storageMetric("RepositoryName", name, name+" (logical bytes)", opts)
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
// RepositoryMetrics is set, the configured repositories, both in logical bytes; the titles
// name the stack's region when it is known.
func (s *StorageMetrics) Widgets() []awscloudwatch.IWidget {
	where := ""
	if region := regionOf(s); region != "" {
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

// rateExpression renders a whole number of minutes as an EventBridge Scheduler rate
// expression: rate(1 hour), rate(30 minutes), rate(1 day).
func rateExpression(minutes float64) string {
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

// bytesText renders a byte count with a binary unit: "5 GiB", "1.5 MiB", "10 bytes".
func bytesText(b float64) string {
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
