package monitoring

import (
	"fmt"
	"math"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/internal/naming"
	"github.com/acme-platform/ecr-replication/constructs/internal/watch"
)

// Defaults of ReplicationMonitorProps.
const (
	DefaultReplicationFailureThreshold = 10.0 // percent
	DefaultReplicationMinimumAttempts  = 5.0
)

// ReplicationMonitorProps configures ReplicationMonitor.
type ReplicationMonitorProps struct {
	// RepositoryPrefix is the repository namespace, such as "enterprise-apps"; replications
	// of "enterprise-apps/..." count, those of "enterprise-apps-legacy/..." do not. Required.
	RepositoryPrefix string

	// SourceRegion is the region the images are replicated from, a plain region name.
	// Required.
	SourceRegion string

	// SourceAccount is the account the images are replicated from. When set, only events
	// whose detail.source-account equals it count.
	//
	// Default: - events from any source account count.
	SourceAccount string

	// AlertTopic receives each failure at once and the alarm state changes. It must be in
	// this stack's region. Required.
	AlertTopic awssns.ITopic

	// LifecycleTopic, when set, adds LifecycleNotifications for this region (replicas carry
	// their own lifecycle policies).
	//
	// Default: - no lifecycle rule in this region.
	LifecycleTopic awssns.ITopic

	// SecurityTopic receives the Amazon Inspector findings (CRITICAL or HIGH) of this region's
	// replicas when EnhancedScanning is set: a registry that scans ENHANCED emits them here.
	//
	// Default: - no findings rule.
	SecurityTopic awssns.ITopic

	// EnhancedScanning says this region's registry scans ENHANCED (Amazon Inspector).
	//
	// Default: false
	EnhancedScanning bool

	// ReplicationFailureThreshold is the failure rate, in percent of attempts in one window,
	// above which the alarm fires. 0 fires on any failure once the minimum is reached.
	//
	// Default: 10
	ReplicationFailureThreshold *float64

	// ReplicationMinimumAttempts is the number of attempts (successes + failures) a window
	// needs before its failure rate is judged; below it the rate counts as 0. 1 judges every
	// failure ("one failure out of one" pages).
	//
	// Default: 5
	ReplicationMinimumAttempts *float64

	// ReplicationWindow is the alarm period: whole minutes, from 1 minute to 1 day.
	//
	// Default: awscdk.Duration_Hours(1)
	ReplicationWindow awscdk.Duration

	// NamePrefix starts rule and alarm names; use the same value in every stack of the app.
	//
	// Default: - DefaultNamePrefix(RepositoryPrefix)
	NamePrefix string

	// EventLog is a log group several monitors of one stack share (NewEventLog): one per
	// namespace would use up the account's 10 CloudWatch Logs resource policies per region.
	//
	// Default: - the monitor creates its own.
	EventLog awslogs.LogGroup

	// EventLogRetention is how long the replication events kept in CloudWatch Logs are
	// retained.
	//
	// Default: awslogs.RetentionDays_ONE_MONTH
	EventLogRetention awslogs.RetentionDays

	// EventLogKey encrypts the event log (its key policy must let logs.<region>.amazonaws.com
	// use it), and EventLogRemovalPolicy says what `cdk destroy` does to it.
	//
	// Default: - CloudWatch Logs' own encryption; retained.
	EventLogKey           awskms.IKey
	EventLogRemovalPolicy awscdk.RemovalPolicy
}

// threshold is ReplicationFailureThreshold or its default.
func (p *ReplicationMonitorProps) threshold() float64 {
	return valueOr(p.ReplicationFailureThreshold, DefaultReplicationFailureThreshold)
}

// minimumAttempts is ReplicationMinimumAttempts or its default.
func (p *ReplicationMonitorProps) minimumAttempts() float64 {
	return valueOr(p.ReplicationMinimumAttempts, DefaultReplicationMinimumAttempts)
}

// valueOr returns *v, or def when v is nil.
func valueOr(v *float64, def float64) float64 {
	if v == nil {
		return def
	}
	return *v
}

// windowMinutes is ReplicationWindow in minutes (default 60).
func (p *ReplicationMonitorProps) windowMinutes() float64 {
	if p.ReplicationWindow == nil {
		return 60
	}
	return *p.ReplicationWindow.ToSeconds(nil) / 60
}

// check records every problem of the props.
func (p *ReplicationMonitorProps) check(problems *checks.Problems, _ constructs.Construct) {
	naming.Namespace(problems, "RepositoryPrefix", p.RepositoryPrefix)
	naming.Region(problems, "SourceRegion", p.SourceRegion)
	naming.Account(problems, "SourceAccount", p.SourceAccount)
	if p.AlertTopic == nil {
		problems.Missing("AlertTopic", "the alert topic of this region")
	}
	if t := p.threshold(); t < 0 || t >= 100 || math.IsNaN(t) {
		problems.Add("ReplicationFailureThreshold", t, "a percentage from 0 to below 100")
	}
	if m := p.minimumAttempts(); m < 1 || m != math.Trunc(m) {
		problems.Add("ReplicationMinimumAttempts", m, "a whole number of at least 1")
	}
	if w := p.windowMinutes(); w < 1 || w > 1440 || w != math.Trunc(w) {
		problems.Add("ReplicationWindow", naming.Minutes(w), "whole minutes from 1 to 1440 (a CloudWatch alarm period is at most one day)")
	}
	naming.NamePrefix(problems, "NamePrefix", p.NamePrefix)
}

// ReplicationMonitor watches replication outcomes in one destination region, where ECR
// emits "ECR Replication Action" events.
//
// Failures notify the alert topic at once with a readable message. Successes and failures
// are counted by the AWS/Events TriggeredRules metric of two rules with deterministic names
// (the rules also write the events to a log group, so they always have a target). An alarm
// fires when failures exceed ReplicationFailureThreshold percent of at least
// ReplicationMinimumAttempts attempts in one window.
type ReplicationMonitor struct {
	constructs.Construct

	// SucceededRule matches successful replications of the namespace from the source region.
	SucceededRule awsevents.CfnRule
	// FailedRule matches failed replications and notifies the alert topic.
	FailedRule awsevents.CfnRule
	// EventLog keeps both kinds of events.
	EventLog awslogs.LogGroup
	// FailureRateAlarm is the failure-rate alarm, named FailureRateAlarmName.
	FailureRateAlarm awscloudwatch.Alarm
	// Lifecycle is set when LifecycleTopic was given.
	Lifecycle *LifecycleNotifications
	// InspectorFindingsRule notifies Inspector findings of the replicas; nil unless
	// EnhancedScanning and SecurityTopic are set.
	InspectorFindingsRule awsevents.CfnRule

	// FailureRateAlarmName is the deterministic, token-free name of FailureRateAlarm; the
	// source dashboard shows the alarm by it.
	FailureRateAlarmName string
	// SucceededRuleName and FailedRuleName are the deterministic rule names.
	SucceededRuleName string
	FailedRuleName    string

	window  awscdk.Duration
	minimum float64
}

// NewReplicationMonitor creates the rules, the event log, the failure-rate alarm and, when
// LifecycleTopic is set, the lifecycle rule of a destination region. Invalid props panic with a
// *checks.Error that lists every problem.
func NewReplicationMonitor(scope constructs.Construct, id string, props *ReplicationMonitorProps) *ReplicationMonitor {
	props = naming.Checked("ReplicationMonitor", scope, id, props, (*ReplicationMonitorProps).check)
	r := &ReplicationMonitor{}
	constructs.NewConstruct_Override(r, scope, &id)

	namePrefix := naming.PrefixOr(props.NamePrefix, props.RepositoryPrefix)
	r.SucceededRuleName = replicationSucceededRuleName(namePrefix, props.SourceRegion)
	r.FailedRuleName = replicationFailedRuleName(namePrefix, props.SourceRegion)
	r.FailureRateAlarmName = replicationFailureRateAlarmName(namePrefix, props.SourceRegion)
	r.window = awscdk.Duration_Minutes(jsii.Number(props.windowMinutes()))
	r.minimum = props.minimumAttempts()

	r.addRules(props)
	r.FailureRateAlarm = watch.NewAlarm(r, "FailureRateAlarm", watch.Spec{
		Name: r.FailureRateAlarmName,
		Description: fmt.Sprintf(
			"ECR replication from %s into this region: more than %g%% of replication attempts of %s/ failed in %g minutes "+
				"(judged only when there were at least %g attempts). Each failure was also sent to the alert topic with repository, "+
				"tag and digest; see README.md of constructs/monitoring for what to check.",
			props.SourceRegion, props.threshold(), props.RepositoryPrefix, props.windowMinutes(), r.minimum),
		Metric:     r.MetricFailureRate(),
		Threshold:  props.threshold(),
		Comparison: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		Topic:      props.AlertTopic,
	})
	if props.EnhancedScanning && props.SecurityTopic != nil {
		r.InspectorFindingsRule = newInspectorFindingsRule(r, namePrefix, props.RepositoryPrefix, props.SecurityTopic)
	}
	if props.LifecycleTopic != nil {
		r.Lifecycle = NewLifecycleNotifications(r, "Lifecycle", &LifecycleNotificationsProps{
			RepositoryPrefix: props.RepositoryPrefix,
			Topic:            props.LifecycleTopic,
			NamePrefix:       namePrefix,
		})
	}
	return r
}

// addRules creates the event log and the two replication rules: successes are only counted
// (and logged), each failure also notifies the alert topic with a readable message.
func (r *ReplicationMonitor) addRules(props *ReplicationMonitorProps) {
	r.EventLog = props.EventLog
	if r.EventLog == nil {
		r.EventLog = NewEventLog(r, "EventLog", &EventLogProps{Retention: props.EventLogRetention, EncryptionKey: props.EventLogKey, RemovalPolicy: props.EventLogRemovalPolicy})
	}
	namespace := props.RepositoryPrefix + "/"
	r.SucceededRule = newRule(r, ruleSpec{
		id:          "SucceededRule",
		name:        r.SucceededRuleName,
		description: "Successful ECR replications of " + namespace + " from " + props.SourceRegion,
		pattern:     replicationPattern(props.RepositoryPrefix, "SUCCESS", props.SourceRegion, props.SourceAccount),
		log:         r.EventLog,
	})
	r.FailedRule = newRule(r, ruleSpec{
		id:          "FailedRule",
		name:        r.FailedRuleName,
		description: "Failed ECR replications of " + namespace + " from " + props.SourceRegion,
		pattern:     replicationPattern(props.RepositoryPrefix, "FAILED", props.SourceRegion, props.SourceAccount),
		topic:       props.AlertTopic,
		message: &topicMessage{
			paths: map[string]string{
				"repository":    "$.detail.repository-name",
				"tag":           "$.detail.image-tag",
				"digest":        "$.detail.image-digest",
				"sourceRegion":  "$.detail.source-region",
				"sourceAccount": "$.detail.source-account",
				"region":        "$.region",
				"account":       "$.account",
				"time":          "$.time",
			},
			template: "ECR replication FAILED: <repository>:<tag> (<digest>) from <sourceRegion> (account <sourceAccount>) " +
				"to <region> (account <account>) at <time>. Check the destination registry policy (ecr:ReplicateImage, " +
				"ecr:CreateRepository), the repository creation template and its KMS key, and tag immutability of the replica.",
		},
		log: r.EventLog,
	})
}

// MetricSucceeded counts successful replications (AWS/Events TriggeredRules of
// SucceededRule, Sum over the alarm window unless opts says otherwise).
func (r *ReplicationMonitor) MetricSucceeded(opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return watch.WithOptions(ruleMetric(r.SucceededRuleName, "Replicated", "", "", &awscloudwatch.MetricOptions{Period: r.window}), opts)
}

// MetricFailed counts failed replications (AWS/Events TriggeredRules of FailedRule, Sum
// over the alarm window unless opts says otherwise).
func (r *ReplicationMonitor) MetricFailed(opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return watch.WithOptions(ruleMetric(r.FailedRuleName, "Failed", "", "", &awscloudwatch.MetricOptions{Period: r.window}), opts)
}

// MetricFailureRate is the percentage of failed attempts per window, 0 when the window has
// fewer attempts than the minimum; this is what FailureRateAlarm watches.
func (r *ReplicationMonitor) MetricFailureRate() awscloudwatch.MathExpression {
	return failureRateExpression(r.MetricSucceeded(nil), r.MetricFailed(nil), r.minimum, r.window)
}

// Alarms returns every alarm created here.
func (r *ReplicationMonitor) Alarms() []awscloudwatch.IAlarm {
	return []awscloudwatch.IAlarm{r.FailureRateAlarm}
}

func failureRateExpression(succeeded, failed awscloudwatch.IMetric, minimum float64, period awscdk.Duration) awscloudwatch.MathExpression {
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(fmt.Sprintf(
			"IF((FILL(failed, 0) + FILL(succeeded, 0)) >= %g, 100 * FILL(failed, 0) / (FILL(failed, 0) + FILL(succeeded, 0)), 0)", minimum)),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"failed":    failed,
			"succeeded": succeeded,
		},
		Label:  jsii.String("Failure rate (%)"),
		Period: period,
	})
}

// NotifyingRuleNames returns the rules of this monitor that deliver to a topic (the failure
// rule, and the findings and lifecycle rules when present), for DeliveryAlarms.
func (r *ReplicationMonitor) NotifyingRuleNames() []string {
	names := []string{r.FailedRuleName}
	if r.InspectorFindingsRule != nil {
		names = append(names, *r.InspectorFindingsRule.Name())
	}
	if r.Lifecycle != nil {
		names = append(names, r.Lifecycle.RuleName)
	}
	return names
}
