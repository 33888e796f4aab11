package measurement

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/internal/naming"
	"github.com/acme-platform/ecr-replication/constructs/internal/watch"
	"github.com/acme-platform/ecr-replication/replication"
)

// DefaultLatencyThresholdMinutes is the default p90 latency (over one hour) above which a
// ReplicationLatency alarm fires.
const DefaultLatencyThresholdMinutes = 30

// ReplicationLatencyProps configures ReplicationLatency.
type ReplicationLatencyProps struct {
	// RepositoryPrefix is the repository namespace, such as "enterprise-apps". Required.
	RepositoryPrefix string
	// Destinations are the regions that replicate from this one, each with a
	// LatencyForwarder. Required, at least one, each region once, not this stack's region.
	Destinations []replication.Destination
	// SourceAccount owns this (the source) registry.
	//
	// Default: - this stack's account.
	SourceAccount string
	// AlertTopic receives the latency and execution-failure alarms; in this stack's region.
	// Required.
	AlertTopic awssns.ITopic
	// LatencyThreshold is the p90 latency over one hour above which a destination's alarm
	// fires, in whole minutes from 1 minute to 1 day.
	//
	// Default: awscdk.Duration_Minutes(30)
	LatencyThreshold awscdk.Duration
	// Namespace is the CloudWatch namespace of the latency metric.
	//
	// Default: DefaultNamespace ("ECRReplication")
	Namespace string
	// NamePrefix starts rule, alarm and bus-policy names; the same as in LatencyForwarder.
	//
	// Default: - monitoring.DefaultNamePrefix(RepositoryPrefix).
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

// check records every problem of the props for a ReplicationLatency in scope, whose stack
// must have a concrete region: it is written into the event pattern.
func (p *ReplicationLatencyProps) check(problems *checks.Problems, scope constructs.Construct) {
	naming.Namespace(problems, "RepositoryPrefix", p.RepositoryPrefix)
	naming.Account(problems, "SourceAccount", p.SourceAccount)
	checkMetricNamespace(problems, "Namespace", p.Namespace)
	naming.NamePrefix(problems, "NamePrefix", p.NamePrefix)
	if p.AlertTopic == nil {
		problems.Missing("AlertTopic", "the alert topic of this region")
	}
	source := regionOf(scope)
	if source == "" {
		problems.Add("Env.Region", naming.Unresolved, "the stack's concrete region: it is written into the event pattern")
	}
	naming.Destinations(problems, "Destinations", p.Destinations)
	for i, d := range p.Destinations {
		field := fmt.Sprintf("Destinations[%d].Region", i)
		switch {
		case d.Region != "" && d.Region == source:
			problems.Add(field, d.Region, "a destination region, not the source region")
		case slices.ContainsFunc(p.Destinations[:i], func(e replication.Destination) bool { return e.Region == d.Region }):
			problems.Add(field, d.Region, "each region once")
		}
	}
	if m := wholeMinutes(p.LatencyThreshold, DefaultLatencyThresholdMinutes); m != math.Trunc(m) || m < 1 || m > 1440 {
		problems.Add("LatencyThreshold", naming.Minutes(m), "whole minutes from 1 to 1440")
	}
}

// ReplicationLatency measures, in the source region, how long replication takes to each
// destination, without Lambda. The LatencyForwarder of every destination region sends the
// successful "ECR Replication Action" events here; a rule on the default bus starts an
// Express Step Functions state machine (JSONata) that looks up the source image by digest
// (ecr:DescribeImages), computes latency = event time − ImagePushedAt of the source image,
// and publishes it (metric LatencyMetricName, unit Seconds, dimension DestinationRegion =
// the event's envelope region). One alarm per destination fires when the p90 over one hour
// exceeds LatencyThreshold.
//
// What it cannot see: replication events are best effort, and a stalled replication emits
// no event at all, so a stall shows here only as missing data (the alarms treat it as not
// breaching). The replication failure-rate alarm (FAILED events, monitoring.ReplicationMonitor)
// and `cmd/verify --wait` (which waits for each replica) cover stalls and failures. The event
// time has one-second resolution. An image re-tagged or re-pushed long after its first push
// keeps its original ImagePushedAt, so its "latency" includes that wait.
//
// Across accounts, the default bus of this region gets one policy statement per
// destination account admitting its events:PutEvents.
type ReplicationLatency struct {
	constructs.Construct

	// StateMachine computes and publishes the latency; Role is its execution role.
	StateMachine awsstepfunctions.StateMachine
	Role         awsiam.Role
	// LogGroup receives the state machine's logs.
	LogGroup awslogs.LogGroup
	// Rule matches the forwarded events and starts StateMachine with RuleRole.
	Rule     awsevents.CfnRule
	RuleRole awsiam.Role
	// BusPolicies admit the sending accounts, each only for its forwarder rules, by construct
	// id ("AdmitSourceAccount", "Admit<account>").
	BusPolicies map[string]awscdk.CfnResource
	// LatencyAlarms are the p90 alarms by destination region; ExecutionFailureAlarm watches
	// failed executions.
	LatencyAlarms         map[string]awscloudwatch.Alarm
	ExecutionFailureAlarm awscloudwatch.Alarm

	// RuleName and the alarm names (by region) are deterministic.
	RuleName                  string
	LatencyAlarmNames         map[string]string
	ExecutionFailureAlarmName string

	prefix        string
	namePrefix    string
	namespace     string
	sourceRegion  string
	sourceAccount string   // "" when unknown
	regions       []string // sorted
	threshold     float64  // seconds
}

// NewReplicationLatency creates the rule, the state machine, the bus policies and the
// alarms of the source region. Invalid props panic with a *checks.Error that lists every
// problem.
func NewReplicationLatency(scope constructs.Construct, id string, props *ReplicationLatencyProps) *ReplicationLatency {
	props = naming.Checked("ReplicationLatency", scope, id, props, (*ReplicationLatencyProps).check)
	r := &ReplicationLatency{
		prefix:            props.RepositoryPrefix,
		namePrefix:        naming.PrefixOr(props.NamePrefix, props.RepositoryPrefix),
		namespace:         namespaceOr(props.Namespace),
		sourceRegion:      regionOf(scope),
		sourceAccount:     props.SourceAccount,
		regions:           destinationRegions(props.Destinations),
		threshold:         wholeMinutes(props.LatencyThreshold, DefaultLatencyThresholdMinutes) * 60,
		BusPolicies:       map[string]awscdk.CfnResource{},
		LatencyAlarms:     map[string]awscloudwatch.Alarm{},
		LatencyAlarmNames: map[string]string{},
	}
	watch.RegisterCustomMetric(r.namespace, LatencyMetricName)
	constructs.NewConstruct_Override(r, scope, &id)
	if r.sourceAccount == "" {
		r.sourceAccount = accountOf(r)
	}
	r.RuleName = naming.Fit(r.namePrefix+"-replication-latency", naming.MaxRule)
	r.ExecutionFailureAlarmName = r.namePrefix + "-replication-latency-failed"

	m := r.newMachine(props.LogRetention, props.LogKey)
	r.StateMachine, r.Role, r.LogGroup = m.stateMachine, m.role, m.logGroup
	r.addRule(props.Destinations)
	r.addBusPolicies(props.Destinations)
	r.addLatencyAlarms(props.AlertTopic)
	r.ExecutionFailureAlarm = m.failureAlarm(r, r.ExecutionFailureAlarmName, "ECR replication-latency", props.AlertTopic)
	return r
}

// newMachine creates the state machine with exactly the permissions it needs.
func (r *ReplicationLatency) newMachine(retention awslogs.RetentionDays, key awskms.IKey) *machine {
	m := newMachine(r, machineSpec{
		comment:    "Measures ECR replication latency of " + r.prefix + "/ from this region to each destination",
		definition: latencyDefinition(partitionOf(r), r.namespace),
		retention:  retention,
		logKey:     key,
		statements: []awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:     jsii.String("DescribeSourceImages"),
				Actions: jsii.Strings("ecr:DescribeImages"),
				Resources: &[]*string{awscdk.Stack_Of(r).FormatArn(&awscdk.ArnComponents{
					Service: jsii.String("ecr"), Resource: jsii.String("repository"), ResourceName: jsii.String(r.prefix + "/*"),
				})},
			}),
			putMetricDataStatement("PublishLatencyMetrics", r.namespace),
		},
		customMetrics: len(r.regions), // one metric per destination region
	})
	m.suppressPrefix(r.prefix,
		"ecr:DescribeImages is limited to the source repositories under the prefix; replication events may name any of them, including repositories created later")
	return m
}

// destinationRegions returns the regions of destinations, sorted.
func destinationRegions(destinations []replication.Destination) []string {
	regions := make([]string, 0, len(destinations))
	for _, d := range destinations {
		regions = append(regions, d.Region)
	}
	sort.Strings(regions)
	return regions
}

// destinationAccounts returns the accounts the destinations' events come from (a destination
// without an Account is in the source account), sorted and each once; nil when one of them is
// unknown, since the rule can then not filter on the envelope account.
func (r *ReplicationLatency) destinationAccounts(destinations []replication.Destination) []string {
	var accounts []string
	for _, d := range destinations {
		a := d.Account
		if a == "" {
			a = r.sourceAccount
		}
		if a == "" {
			return nil
		}
		if !slices.Contains(accounts, a) {
			accounts = append(accounts, a)
		}
	}
	sort.Strings(accounts)
	return accounts
}

// addRule creates the rule that starts the state machine for every forwarded event, and its
// role.
func (r *ReplicationLatency) addRule(destinations []replication.Destination) {
	r.RuleRole = awsiam.NewRole(r, jsii.String("RuleRole"), &awsiam.RoleProps{
		AssumedBy:      awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
		Description:    jsii.String("Lets EventBridge start the ECR replication-latency measurement"),
		InlinePolicies: startExecutionPolicy(r.StateMachine),
	})
	r.Rule = awsevents.NewCfnRule(r, jsii.String("Rule"), &awsevents.CfnRuleProps{
		Name:         jsii.String(r.RuleName),
		Description:  jsii.String("Successful ECR replications of " + r.prefix + "/ forwarded from the destination regions; starts the latency measurement"),
		EventPattern: replicationPattern(r.prefix, r.sourceRegion, r.sourceAccount, r.regions, r.destinationAccounts(destinations)),
		State:        jsii.String("ENABLED"),
		Targets: &[]*awsevents.CfnRule_TargetProperty{{
			Id:      jsii.String("MeasureLatency"),
			Arn:     r.StateMachine.StateMachineArn(),
			RoleArn: r.RuleRole.RoleArn(),
		}},
	})
}

// addBusPolicies lets the receiving bus admit each sending account, only for the forwarder rules
// of this namespace: the cross-account examples of the EventBridge user guide
// (eb-event-bus-example-policy-restrict-rule.html) narrow with aws:SourceArn on the rule, and the
// same-account bus-to-bus guide (eb-bus-to-bus.html) also puts a resource policy on the receiving
// bus, so the source account gets a statement too.
func (r *ReplicationLatency) addBusPolicies(destinations []replication.Destination) {
	stack := awscdk.Stack_Of(r)
	forwarderRule := forwarderRuleName(r.namePrefix, r.sourceRegion)
	for _, d := range destinations {
		account, id := d.Account, "Admit"+d.Account
		if account == "" || account == r.sourceAccount {
			account, id = *stack.Account(), "AdmitSourceAccount"
		}
		if r.BusPolicies[id] != nil {
			continue
		}
		sid := naming.Fit(strings.ReplaceAll(r.namePrefix+"-replication-events-from-"+strings.TrimPrefix(id, "Admit"), ".", "-"), naming.MaxStatementID)
		// A plain CfnResource: the L1 CfnEventBusPolicy reads its deprecated Principal prop,
		// which makes jsii print a deprecation warning into every synth.
		r.BusPolicies[id] = awscdk.NewCfnResource(r, jsii.String(id), &awscdk.CfnResourceProps{Type: jsii.String("AWS::Events::EventBusPolicy"), Properties: &map[string]any{
			"EventBusName": "default",
			"StatementId":  sid,
			"Statement": map[string]any{
				"Sid":       sid,
				"Effect":    "Allow",
				"Principal": map[string]any{"AWS": "arn:" + *stack.Partition() + ":iam::" + account + ":root"},
				"Action":    "events:PutEvents",
				"Resource":  stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("events"), Resource: jsii.String("event-bus"), ResourceName: jsii.String("default")}),
				"Condition": map[string]any{"ArnLike": map[string]any{
					"aws:SourceArn": "arn:" + *stack.Partition() + ":events:*:" + account + ":rule/" + forwarderRule,
				}},
			},
		}})
	}
}

// addLatencyAlarms creates one p90 alarm per destination region.
func (r *ReplicationLatency) addLatencyAlarms(topic awssns.ITopic) {
	for _, region := range r.regions {
		name := naming.Fit(r.namePrefix+"-replication-latency-p90-"+region, naming.MaxAlarm)
		r.LatencyAlarmNames[region] = name
		r.LatencyAlarms[region] = watch.NewAlarm(r, "LatencyAlarm-"+region, watch.Spec{
			Name: name,
			Description: fmt.Sprintf("ECR replication of %s/ from %s to %s: the 90th percentile of push-to-replica latency "+
				"over one hour exceeded %g minutes. Events are best effort and a stalled replication emits none: see also the "+
				"replication failure-rate alarm in %s and cmd/verify --wait.", r.prefix, r.sourceRegion, region, r.threshold/60, region),
			Metric:     r.MetricLatency(region, "p90", nil),
			Threshold:  r.threshold,
			Comparison: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			Topic:      topic,
		})
	}
}

// MetricLatency is the latency to one destination region in seconds, with statistic (such
// as "p50", "p90", "Maximum") over one hour unless opts says otherwise. Percentiles work
// because each latency is published as a raw value.
func (r *ReplicationLatency) MetricLatency(region, statistic string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return watch.Metric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(r.namespace),
		MetricName:    jsii.String(LatencyMetricName),
		DimensionsMap: &map[string]*string{"DestinationRegion": jsii.String(region)},
		Statistic:     jsii.String(statistic),
		Period:        hour(),
		Label:         jsii.String(region + " " + statistic + " (seconds)"),
		Unit:          awscloudwatch.Unit_SECONDS,
	}, opts)
}

// Alarms returns the latency alarms (sorted by region) and ExecutionFailureAlarm.
func (r *ReplicationLatency) Alarms() []awscloudwatch.IAlarm {
	out := make([]awscloudwatch.IAlarm, 0, len(r.regions)+1)
	for _, region := range r.regions {
		out = append(out, r.LatencyAlarms[region])
	}
	return append(out, r.ExecutionFailureAlarm)
}

// Widgets returns a graph of p50 and p90 latency per destination with the alarm threshold.
func (r *ReplicationLatency) Widgets() []awscloudwatch.IWidget {
	var metrics []awscloudwatch.IMetric
	for _, region := range r.regions {
		metrics = append(metrics, r.MetricLatency(region, "p50", nil), r.MetricLatency(region, "p90", nil))
	}
	return []awscloudwatch.IWidget{awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title: jsii.String("ECR replication latency p50/p90 per destination (seconds; stalls emit no event, see the failure-rate alarms)"),
		Left:  &metrics,
		LeftAnnotations: &[]*awscloudwatch.HorizontalAnnotation{{
			Value: jsii.Number(r.threshold), Label: jsii.String(fmt.Sprintf("p90 alarm threshold (%g min)", r.threshold/60)),
		}},
		Width:  jsii.Number(12),
		Height: jsii.Number(6),
	})}
}

// latencyPushedMillis turns ImagePushedAt into epoch milliseconds. How the Step Functions
// SDK integration serializes timestamps is not documented for ECR: the ECR wire format is
// epoch seconds (a number with fractions), SDK JSON renderers also use ISO 8601 strings or
// epoch milliseconds. All three are handled: a number below 1e11 is seconds (1e11 ms is
// 1973, 1e11 s is the year 5138), a larger number is milliseconds, a string is parsed with
// $toMillis (ISO 8601).
const latencyPushedMillis = `$type($pushed) = "number" ? ($pushed < 100000000000 ? $pushed * 1000 : $pushed) : $toMillis($pushed)`

// latencyDefinition renders the Amazon States Language definition (JSONata) of the latency
// state machine. Its input is the forwarded event.
func latencyDefinition(partition, namespace string) map[string]any {
	latency := `($pushed := $states.result.ImageDetails[0].ImagePushedAt; $pushedMillis := ` + latencyPushedMillis +
		`; ($toMillis($states.input.time) - $pushedMillis) / 1000)`
	gone := []string{"Ecr.ImageNotFoundException", "Ecr.RepositoryNotFoundException"}
	return map[string]any{
		"Comment":       "Latency of one ECR replication: event time minus the source image's ImagePushedAt, published per destination region",
		"QueryLanguage": "JSONata",
		"StartAt":       "DescribeSourceImage",
		"States": map[string]any{
			"DescribeSourceImage": map[string]any{
				"Type":     "Task",
				"Resource": sdkResource(partition, "ecr", "describeImages"),
				"Arguments": map[string]any{
					"RepositoryName": jsonata("$states.input.detail.`repository-name`"),
					"ImageIds":       []any{map[string]any{"ImageDigest": jsonata("$states.input.detail.`image-digest`")}},
				},
				"Output": jsonata(`{"DestinationRegion": $states.input.region, "LatencySeconds": ` + latency + `}`),
				"Retry":  sdkRetry(gone...),
				"Catch":  []any{map[string]any{"ErrorEquals": gone, "Next": "SourceImageGone"}},
				"Next":   "PublishLatency",
			},
			"SourceImageGone": map[string]any{
				"Type":    "Succeed",
				"Comment": "The source image or repository was deleted before it could be looked up: nothing to measure",
			},
			"PublishLatency": map[string]any{
				"Type":     "Task",
				"Resource": sdkResource(partition, "cloudwatch", "putMetricData"),
				"Arguments": map[string]any{
					"Namespace": namespace,
					"MetricData": jsonata(fmt.Sprintf(`[{"MetricName": %s, "Dimensions": [{"Name": "DestinationRegion", "Value": $states.input.DestinationRegion}], "Unit": "Seconds", "Value": $states.input.LatencySeconds}]`,
						quote(LatencyMetricName))),
				},
				"Output": map[string]any{},
				"Retry":  sdkRetry(),
				"End":    true,
			},
		},
	}
}
