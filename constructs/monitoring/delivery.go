package monitoring

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/internal/naming"
	"github.com/acme-platform/ecr-replication/constructs/internal/watch"
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

// check records every problem of the props.
func (p *DeliveryAlarmsProps) check(problems *checks.Problems, _ constructs.Construct) {
	if len(p.RuleNames) == 0 {
		problems.Missing("RuleNames", "at least one rule name")
	}
	for i, n := range p.RuleNames {
		field := fmt.Sprintf("RuleNames[%d]", i)
		switch {
		case n == "" || len(n) > naming.MaxRule || naming.Sanitize(n) != n:
			problems.Add(field, n, "an EventBridge rule name of 1-64 characters of A-Za-z0-9._-")
		case slices.Contains(p.RuleNames[:i], n):
			problems.Add(field, n, "each rule once")
		}
	}
	if p.AlertTopic == nil {
		problems.Missing("AlertTopic", "the alert topic of this region")
	}
	naming.NamePrefix(problems, "NamePrefix", p.NamePrefix)
}

// DeliveryAlarms alarms when any watched rule fails to deliver an event to its target: one
// alarm per 10 rules (a CloudWatch alarm's metric math may use 10 metrics), each the sum of
// the rules' FailedInvocations, firing on the first failed delivery.
type DeliveryAlarms struct {
	constructs.Construct
	// AlarmNames are the deterministic names of the alarms, in RuleNames order (10 rules each).
	AlarmNames []string

	alarms []awscloudwatch.IAlarm
}

// NewDeliveryAlarms creates the alarms. Invalid props panic with a *checks.Error that lists
// every problem.
func NewDeliveryAlarms(scope constructs.Construct, id string, props *DeliveryAlarmsProps) *DeliveryAlarms {
	props = naming.Checked("DeliveryAlarms", scope, id, props, (*DeliveryAlarmsProps).check)

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
	for i := 0; i < len(props.RuleNames); i += maxMetricsPerAlarm {
		chunk := props.RuleNames[i:min(i+maxMetricsPerAlarm, len(props.RuleNames))]
		name := deliveryAlarmName(prefix, i/maxMetricsPerAlarm)
		d.alarms = append(d.alarms, watch.NewAlarm(d, fmt.Sprintf("Alarm%d", i/maxMetricsPerAlarm), watch.Spec{
			Name: name,
			Description: fmt.Sprintf("EventBridge failed to deliver events of %s to their targets (AWS/Events FailedInvocations): "+
				"notifications or measurements are being lost. Check the target's resource policy (an SNS topic policy must have no "+
				"Condition for events.amazonaws.com), its KMS key policy, and the rule's role.", strings.Join(slices.Sorted(slices.Values(chunk)), ", ")),
			Metric:     failedDeliveries(chunk, period),
			Threshold:  1,
			Comparison: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			Topic:      props.AlertTopic,
		}))
		d.AlarmNames = append(d.AlarmNames, name)
	}
	return d
}

// failedDeliveries sums FailedInvocations of rules (at most 10) over period, each FILLed with 0
// (EventBridge publishes nothing for a period without failures).
func failedDeliveries(rules []string, period awscdk.Duration) awscloudwatch.MathExpression {
	using := map[string]awscloudwatch.IMetric{}
	var terms []string
	for j, rule := range rules {
		key := fmt.Sprintf("r%d", j)
		using[key] = watch.RuleMetric("FailedInvocations", rule, rule, "", "", &awscloudwatch.MetricOptions{Period: period})
		terms = append(terms, fmt.Sprintf("FILL(%s, 0)", key))
	}
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression:   jsii.String(strings.Join(terms, " + ")),
		UsingMetrics: &using,
		Label:        jsii.String("Undelivered events"),
		Period:       period,
	})
}

// Alarms returns every alarm created here, in RuleNames order.
func (d *DeliveryAlarms) Alarms() []awscloudwatch.IAlarm { return slices.Clone(d.alarms) }
