package monitoring

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/checks"
)

// The delivery segment: a notification that never arrives says nothing, so every rule whose
// target is a topic, another bus or a state machine is watched through its AWS/Events
// FailedInvocations, which EventBridge publishes when a delivery to a target fails for good
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html). The alarms
// notify through CloudWatch's own path to the topic, which does not depend on the EventBridge
// statement of the topic policy.

// maxMetricsPerAlarm is how many metrics one CloudWatch alarm's metric math may use.
const maxMetricsPerAlarm = 10

// DeliveryAlarmsProps configures DeliveryAlarms.
type DeliveryAlarmsProps struct {
	// RuleNames are the EventBridge rules (default bus, this region) whose deliveries are
	// watched. Required: at least one.
	RuleNames []string
	// AlertTopic receives the alarms' state changes (ALARM and OK), in this region. Required.
	AlertTopic awssns.ITopic
	// NamePrefix starts the alarm names.
	//
	// Default: "ecr".
	NamePrefix string
	// Period over which failed deliveries are summed.
	//
	// Default: awscdk.Duration_Minutes(5).
	Period awscdk.Duration
}

// DeliveryAlarms alarms when any watched rule fails to deliver an event to its target: one
// alarm per 10 rules (a CloudWatch alarm's metric math may use 10 metrics), each the sum of
// the rules' FailedInvocations, firing on the first failed delivery.
type DeliveryAlarms struct {
	constructs.Construct
	// Alarms are the alarms, in RuleNames order (10 rules each).
	Alarms []awscloudwatch.Alarm
	// AlarmNames are their deterministic names.
	AlarmNames []string
}

// DeliveryAlarmName is the name of the i-th (from 0) delivery alarm of a region.
func DeliveryAlarmName(namePrefix string, i int) string {
	name := namePrefix + "-undelivered-events"
	if i > 0 {
		name += fmt.Sprintf("-%d", i+1)
	}
	return fitName(name, maxAlarmNameLength)
}

// NewDeliveryAlarms creates the alarms.
func NewDeliveryAlarms(scope constructs.Construct, id string, props *DeliveryAlarmsProps) *DeliveryAlarms {
	if props == nil {
		props = &DeliveryAlarmsProps{}
	}
	problems := checks.For("DeliveryAlarms", scope, id)
	if len(props.RuleNames) == 0 {
		problems.Missing("RuleNames", "at least one rule name")
	}
	seen := map[string]bool{}
	for i, n := range props.RuleNames {
		switch {
		case n == "" || len(n) > maxRuleNameLength || sanitizeName(n) != n:
			problems.Add(fmt.Sprintf("RuleNames[%d]", i), n, "an EventBridge rule name of 1-64 characters of A-Za-z0-9._-")
		case seen[n]:
			problems.Add(fmt.Sprintf("RuleNames[%d]", i), n, "each rule once")
		}
		seen[n] = true
	}
	if props.AlertTopic == nil {
		problems.Missing("AlertTopic", "the alert topic of this region")
	}
	problems.Join(checkNamePrefix("NamePrefix", props.NamePrefix))
	problems.Panic()

	d := &DeliveryAlarms{}
	constructs.NewConstruct_Override(d, scope, &id)
	prefix := props.NamePrefix
	if prefix == "" {
		prefix = "ecr"
	}
	period := props.Period
	if period == nil {
		period = awscdk.Duration_Minutes(jsii.Number(5))
	}
	action := notify(props.AlertTopic)
	for i := 0; i < len(props.RuleNames); i += maxMetricsPerAlarm {
		chunk := props.RuleNames[i:min(i+maxMetricsPerAlarm, len(props.RuleNames))]
		using := map[string]awscloudwatch.IMetric{}
		var terms []string
		for j, rule := range chunk {
			key := fmt.Sprintf("r%d", j)
			using[key] = eventsMetric("FailedInvocations", rule, rule, "", "", &awscloudwatch.MetricOptions{Period: period})
			terms = append(terms, fmt.Sprintf("FILL(%s, 0)", key))
		}
		sorted := append([]string(nil), chunk...)
		sort.Strings(sorted)
		name := DeliveryAlarmName(prefix, i/maxMetricsPerAlarm)
		alarm := awscloudwatch.NewAlarm(d, jsii.String(fmt.Sprintf("Alarm%d", i/maxMetricsPerAlarm)), &awscloudwatch.AlarmProps{
			AlarmName: jsii.String(name),
			AlarmDescription: jsii.String(fmt.Sprintf("EventBridge failed to deliver events of %s to their targets (AWS/Events FailedInvocations): "+
				"notifications or measurements are being lost. Check the target's resource policy (an SNS topic policy must have no "+
				"Condition for events.amazonaws.com), its KMS key policy, and the rule's role.", strings.Join(sorted, ", "))),
			Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
				Expression:   jsii.String(strings.Join(terms, " + ")),
				UsingMetrics: &using,
				Label:        jsii.String("Undelivered events"),
				Period:       period,
			}),
			Threshold:          jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			EvaluationPeriods:  jsii.Number(1),
			DatapointsToAlarm:  jsii.Number(1),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		alarm.AddAlarmAction(action)
		alarm.AddOkAction(action)
		d.Alarms = append(d.Alarms, alarm)
		d.AlarmNames = append(d.AlarmNames, name)
	}
	return d
}

// AlarmList returns the alarms as awscloudwatch.IAlarm, for a dashboard or a composite alarm.
func (d *DeliveryAlarms) AlarmList() []awscloudwatch.IAlarm {
	out := make([]awscloudwatch.IAlarm, 0, len(d.Alarms))
	for _, a := range d.Alarms {
		out = append(out, a)
	}
	return out
}
