package monitoring

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/replication"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// DefaultLatencyThresholdMinutes is the default p90 latency (over one hour) above which a
// ReplicationLatency alarm fires.
const DefaultLatencyThresholdMinutes = 30

// How ECR Replication Action events look (Amazon ECR user guide, ecr-eventbridge.html): they
// are emitted in the destination region, with detail.result SUCCESS or FAILED,
// detail.action-type REPLICATE, detail.repository-name, detail.image-digest,
// detail.source-region and detail.source-account; the envelope region and account are the
// destination's. A rule that forwards them to another region's bus (a cross-Region
// event-bus target, EventBridge user guide eb-cross-region.html) delivers them with the
// envelope unchanged: source stays aws.ecr, region and account stay the destination's
// (LocalStack reproduces this in AWS-validated tests, localstack/localstack#11027 and
// #12554; not stated in the AWS guide itself).
const (
	latencySource     = "aws.ecr"
	latencyDetailType = "ECR Replication Action"
)

// latencyPattern matches successful replications of prefix/ from sourceRegion (and
// sourceAccount when known). regions and accounts, when set, restrict the envelope (the
// destination that emitted the event).
func latencyPattern(prefix, sourceRegion, sourceAccount string, regions, accounts []string) map[string]any {
	detail := map[string]any{
		"result":          []any{"SUCCESS"},
		"action-type":     []any{"REPLICATE"},
		"repository-name": []any{map[string]any{"prefix": prefix + "/"}},
		"source-region":   []any{sourceRegion},
	}
	if sourceAccount != "" {
		detail["source-account"] = []any{sourceAccount}
	}
	p := map[string]any{
		"source":      []any{latencySource},
		"detail-type": []any{latencyDetailType},
		"detail":      detail,
	}
	if len(regions) > 0 {
		p["region"] = toAnySlice(regions)
	}
	if len(accounts) > 0 {
		p["account"] = toAnySlice(accounts)
	}
	return p
}

func toAnySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// concreteAccount returns the stack's account, or "" when it is a token (an
// environment-agnostic stack).
func concreteAccount(scope constructs.Construct) string {
	a := *awscdk.Stack_Of(scope).Account()
	if measureIsToken(a) {
		return ""
	}
	return a
}

func concreteRegion(scope constructs.Construct) string {
	r := *awscdk.Stack_Of(scope).Region()
	if measureIsToken(r) {
		return ""
	}
	return r
}

// LatencyForwarderProps configures LatencyForwarder.
type LatencyForwarderProps struct {
	// RepositoryPrefix is the repository namespace, such as "enterprise-apps". Required.
	RepositoryPrefix string
	// SourceRegion is the region the images are replicated from, where ReplicationLatency
	// runs. Required; it must differ from this stack's region.
	SourceRegion string
	// SourceAccount owns the source registry and its default event bus.
	//
	// Default: - this stack's account (same-account replication); it may be a deploy-time
	// token, then the rule does not filter on detail.source-account.
	SourceAccount string
	// NamePrefix starts the rule name; use the same value as ReplicationLatency.
	//
	// Default: - "ecr-" and RepositoryPrefix with "/" turned into "-".
	NamePrefix string
}

func (p *LatencyForwarderProps) validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(measureCheckPrefix("RepositoryPrefix", p.RepositoryPrefix))
	add(measureCheckRegion("SourceRegion", p.SourceRegion))
	add(measureCheckAccount("SourceAccount", p.SourceAccount))
	add(measureCheckNamePrefix("NamePrefix", p.NamePrefix))
	return errors.Join(errs...)
}

// LatencyForwarder lives in each destination region: it forwards the successful
// "ECR Replication Action" events of the namespace from SourceRegion to the default event
// bus of the source region and account, where ReplicationLatency measures them. Across
// accounts, the source bus must admit this account (ReplicationLatency creates that
// policy for every destination account it is given).
type LatencyForwarder struct {
	constructs.Construct

	// Rule matches the replication events and targets the source bus; Role lets EventBridge
	// put them there.
	Rule awsevents.CfnRule
	Role awsiam.Role
	// RuleName is the deterministic rule name; SourceBusArn the target.
	RuleName     string
	SourceBusArn *string
}

// NewLatencyForwarder creates the forwarding rule and its role in a destination region.
func NewLatencyForwarder(scope constructs.Construct, id string, props *LatencyForwarderProps) *LatencyForwarder {
	if props == nil {
		props = &LatencyForwarderProps{}
	}
	problems := checks.For("LatencyForwarder", scope, id)
	problems.Join(props.validate())
	problems.Panic()
	f := &LatencyForwarder{}
	constructs.NewConstruct_Override(f, scope, &id)
	if r := concreteRegion(f); r == props.SourceRegion {
		panic(fmt.Errorf("SourceRegion: %q is this stack's region; LatencyForwarder belongs in the destination regions", r))
	}
	stack := awscdk.Stack_Of(f)
	account := props.SourceAccount
	patternAccount := props.SourceAccount
	if account == "" {
		account = *stack.Account()
		patternAccount = concreteAccount(f)
	}
	f.SourceBusArn = stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("events"), Region: jsii.String(props.SourceRegion), Account: jsii.String(account),
		Resource: jsii.String("event-bus"), ResourceName: jsii.String("default"),
	})
	f.RuleName = LatencyForwarderRuleName(measureNamePrefix(props.NamePrefix, props.RepositoryPrefix), props.SourceRegion)
	// Cross-Region event-bus targets need a role with events:PutEvents on the target bus
	// (EventBridge user guide, eb-cross-region.html).
	f.Role = awsiam.NewRole(f, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
		Description: jsii.String("Lets EventBridge forward ECR replication events to the source region's default bus"),
		InlinePolicies: &map[string]awsiam.PolicyDocument{"PutEventsOnSourceBus": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
			Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("events:PutEvents"),
				Resources: &[]*string{f.SourceBusArn},
			})},
		})},
	})
	f.Rule = awsevents.NewCfnRule(f, jsii.String("Rule"), &awsevents.CfnRuleProps{
		Name:         jsii.String(f.RuleName),
		Description:  jsii.String("Forwards successful ECR replications of " + props.RepositoryPrefix + "/ from " + props.SourceRegion + " to its default event bus, to measure latency"),
		EventPattern: latencyPattern(props.RepositoryPrefix, props.SourceRegion, patternAccount, nil, nil),
		State:        jsii.String("ENABLED"),
		Targets: &[]*awsevents.CfnRule_TargetProperty{{
			Id:      jsii.String("SourceRegionBus"),
			Arn:     f.SourceBusArn,
			RoleArn: f.Role.RoleArn(),
		}},
	})
	return f
}

// MetricFailedInvocations counts events the rule could not deliver to the source bus
// (AWS/Events FailedInvocations of Rule, Sum over 1 hour unless opts says otherwise;
// published only when non-zero, EventBridge user guide eb-monitoring.html). A missing bus
// policy or role permission shows here.
func (f *LatencyForwarder) MetricFailedInvocations(opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return newMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String("AWS/Events"),
		MetricName:    jsii.String("FailedInvocations"),
		DimensionsMap: &map[string]*string{"RuleName": jsii.String(f.RuleName)},
		Statistic:     jsii.String("Sum"),
		Period:        awscdk.Duration_Hours(jsii.Number(1)),
		Label:         jsii.String("Replication events not forwarded"),
	}, opts)
}

// ReplicationLatencyProps configures ReplicationLatency.
type ReplicationLatencyProps struct {
	// RepositoryPrefix is the repository namespace, such as "enterprise-apps". Required.
	RepositoryPrefix string
	// Destinations are the regions that replicate from this one, each with a
	// LatencyForwarder. Required, at least one, each region once.
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
	// Default: DefaultMeasureNamespace ("ECRReplication")
	Namespace string
	// NamePrefix starts rule, alarm and bus-policy names; the same as in LatencyForwarder.
	//
	// Default: - "ecr-" and RepositoryPrefix with "/" turned into "-".
	NamePrefix string
	// LogRetention is how long the state machine's logs are kept.
	//
	// Default: awslogs.RetentionDays_ONE_MONTH
	LogRetention awslogs.RetentionDays
}

func (p *ReplicationLatencyProps) thresholdMinutes() float64 {
	if p.LatencyThreshold == nil {
		return DefaultLatencyThresholdMinutes
	}
	return *p.LatencyThreshold.ToMinutes(&awscdk.TimeConversionOptions{Integral: jsii.Bool(false)})
}

func (p *ReplicationLatencyProps) namespace() string {
	if p.Namespace == "" {
		return DefaultMeasureNamespace
	}
	return p.Namespace
}

func (p *ReplicationLatencyProps) validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(measureCheckPrefix("RepositoryPrefix", p.RepositoryPrefix))
	add(measureCheckAccount("SourceAccount", p.SourceAccount))
	add(measureCheckNamespace("Namespace", p.Namespace))
	add(measureCheckNamePrefix("NamePrefix", p.NamePrefix))
	if p.AlertTopic == nil {
		add(errors.New("AlertTopic: required; expected the alert topic of this region"))
	}
	if len(p.Destinations) == 0 {
		add(errors.New("Destinations: required; expected at least one destination region"))
	}
	seen := map[string]bool{}
	for i, d := range p.Destinations {
		add(measureCheckRegion(fmt.Sprintf("Destinations[%d].Region", i), d.Region))
		add(measureCheckAccount(fmt.Sprintf("Destinations[%d].Account", i), d.Account))
		if seen[d.Region] {
			add(fmt.Errorf("Destinations[%d].region: %q is listed twice", i, d.Region))
		}
		seen[d.Region] = true
	}
	if m := p.thresholdMinutes(); m != math.Trunc(m) || m < 1 || m > 1440 {
		add(fmt.Errorf("LatencyThreshold: got %v minutes; expected whole minutes from 1 to 1440", m))
	}
	return errors.Join(errs...)
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
// breaching). The replication failure-rate alarm (FAILED events, ReplicationMonitor) and
// `cmd/verify --wait` (which waits for each replica) cover stalls and failures. The event
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

	namespace string
	regions   []string
	threshold float64 // seconds
}

// NewReplicationLatency creates the rule, the state machine, the bus policies and the
// alarms of the source region.
func NewReplicationLatency(scope constructs.Construct, id string, props *ReplicationLatencyProps) *ReplicationLatency {
	if props == nil {
		props = &ReplicationLatencyProps{}
	}
	problems := checks.For("ReplicationLatency", scope, id)
	problems.Join(props.validate())
	problems.Panic()
	registerCustomMetric(props.namespace(), LatencyMetricName)
	r := &ReplicationLatency{
		namespace:         props.namespace(),
		threshold:         props.thresholdMinutes() * 60,
		BusPolicies:       map[string]awscdk.CfnResource{},
		LatencyAlarms:     map[string]awscloudwatch.Alarm{},
		LatencyAlarmNames: map[string]string{},
	}
	constructs.NewConstruct_Override(r, scope, &id)
	sourceRegion := concreteRegion(r)
	if sourceRegion == "" {
		panic(errors.New("ReplicationLatency needs a stack with a concrete region (Env.Region): the region is written into the event pattern"))
	}
	sourceAccount := props.SourceAccount
	if sourceAccount == "" {
		sourceAccount = concreteAccount(r)
	}
	var accounts []string
	accountsKnown := true
	seenAccount := map[string]bool{}
	for _, d := range props.Destinations {
		if d.Region == sourceRegion {
			panic(fmt.Errorf("Destinations: %q is the source region", d.Region))
		}
		r.regions = append(r.regions, d.Region)
		a := d.Account
		if a == "" {
			a = sourceAccount
		}
		if a == "" {
			accountsKnown = false
		} else if !seenAccount[a] {
			seenAccount[a] = true
			accounts = append(accounts, a)
		}
	}
	sort.Strings(r.regions)
	sort.Strings(accounts)
	if !accountsKnown {
		accounts = nil
	}
	namePrefix := measureNamePrefix(props.NamePrefix, props.RepositoryPrefix)
	r.RuleName = measureFitName(namePrefix+"-replication-latency", measureMaxRuleName)
	r.ExecutionFailureAlarmName = namePrefix + "-replication-latency-failed"

	stack := awscdk.Stack_Of(r)
	sm := newMeasureStateMachine(r, "Measures ECR replication latency of "+props.RepositoryPrefix+"/ from this region to each destination",
		latencyDefinition(measurePartition(r), r.namespace), props.LogRetention,
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:     jsii.String("DescribeSourceImages"),
			Actions: jsii.Strings("ecr:DescribeImages"),
			Resources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("ecr"), Resource: jsii.String("repository"), ResourceName: jsii.String(props.RepositoryPrefix + "/*"),
			})},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("PublishLatencyMetrics"),
			Actions:    jsii.Strings("cloudwatch:PutMetricData"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"cloudwatch:namespace": r.namespace}},
		}),
	)
	r.StateMachine, r.Role, r.LogGroup = sm.stateMachine, sm.role, sm.logGroup
	annotateCost(r.StateMachine, len(r.regions), 0)
	measureSuppressPrefix(r.Role, props.RepositoryPrefix,
		"ecr:DescribeImages is limited to the source repositories under the prefix; replication events may name any of them, including repositories created later")

	r.RuleRole = awsiam.NewRole(r, jsii.String("RuleRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
		Description: jsii.String("Lets EventBridge start the ECR replication-latency measurement"),
		InlinePolicies: &map[string]awsiam.PolicyDocument{"StartMeasurement": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
			Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("states:StartExecution"),
				Resources: &[]*string{r.StateMachine.StateMachineArn()},
			})},
		})},
	})
	r.Rule = awsevents.NewCfnRule(r, jsii.String("Rule"), &awsevents.CfnRuleProps{
		Name:         jsii.String(r.RuleName),
		Description:  jsii.String("Successful ECR replications of " + props.RepositoryPrefix + "/ forwarded from the destination regions; starts the latency measurement"),
		EventPattern: latencyPattern(props.RepositoryPrefix, sourceRegion, sourceAccount, r.regions, accounts),
		State:        jsii.String("ENABLED"),
		Targets: &[]*awsevents.CfnRule_TargetProperty{{
			Id:      jsii.String("MeasureLatency"),
			Arn:     r.StateMachine.StateMachineArn(),
			RoleArn: r.RuleRole.RoleArn(),
		}},
	})

	// The receiving bus admits each sending account, only for the forwarder rules of this
	// namespace: the cross-account examples of the EventBridge user guide
	// (eb-event-bus-example-policy-restrict-rule.html) narrow with aws:SourceArn on the rule, and
	// the same-account bus-to-bus guide (eb-bus-to-bus.html) also puts a resource policy on the
	// receiving bus, so the source account gets a statement too.
	forwarderRule := LatencyForwarderRuleName(namePrefix, sourceRegion)
	for _, d := range props.Destinations {
		a, id := d.Account, "Admit"+d.Account
		if a == "" || a == sourceAccount {
			a, id = *stack.Account(), "AdmitSourceAccount"
		}
		if r.BusPolicies[id] != nil {
			continue
		}
		sid := measureFitStatementID(namePrefix + "-replication-events-from-" + strings.TrimPrefix(id, "Admit"))
		// A plain CfnResource: the L1 CfnEventBusPolicy reads its deprecated Principal prop,
		// which makes jsii print a deprecation warning into every synth.
		r.BusPolicies[id] = awscdk.NewCfnResource(r, jsii.String(id), &awscdk.CfnResourceProps{Type: jsii.String("AWS::Events::EventBusPolicy"), Properties: &map[string]any{
			"EventBusName": "default",
			"StatementId":  sid,
			"Statement": map[string]any{
				"Sid":       sid,
				"Effect":    "Allow",
				"Principal": map[string]any{"AWS": "arn:" + *stack.Partition() + ":iam::" + a + ":root"},
				"Action":    "events:PutEvents",
				"Resource":  stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("events"), Resource: jsii.String("event-bus"), ResourceName: jsii.String("default")}),
				"Condition": map[string]any{"ArnLike": map[string]any{
					"aws:SourceArn": "arn:" + *stack.Partition() + ":events:*:" + a + ":rule/" + forwarderRule,
				}},
			},
		}})
	}

	for _, region := range r.regions {
		name := measureFitName(namePrefix+"-replication-latency-p90-"+region, measureMaxAlarmName)
		r.LatencyAlarmNames[region] = name
		alarm := awscloudwatch.NewAlarm(r, jsii.String("LatencyAlarm-"+region), &awscloudwatch.AlarmProps{
			AlarmName: jsii.String(name),
			AlarmDescription: jsii.String(fmt.Sprintf("ECR replication of %s/ from %s to %s: the 90th percentile of push-to-replica latency "+
				"over one hour exceeded %g minutes. Events are best effort and a stalled replication emits none: see also the "+
				"replication failure-rate alarm in %s and cmd/verify --wait.", props.RepositoryPrefix, sourceRegion, region, r.threshold/60, region)),
			Metric:             r.MetricLatency(region, "p90", nil),
			Threshold:          jsii.Number(r.threshold),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(1),
			DatapointsToAlarm:  jsii.Number(1),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		measureNotify(alarm, props.AlertTopic)
		r.LatencyAlarms[region] = alarm
	}
	r.ExecutionFailureAlarm = measureFailureAlarm(r, r.ExecutionFailureAlarmName, "ECR replication-latency", r.StateMachine, props.AlertTopic)
	return r
}

// MetricLatency is the latency to one destination region in seconds, with statistic (such
// as "p50", "p90", "Maximum") over one hour unless opts says otherwise. Percentiles work
// because each latency is published as a raw value.
func (r *ReplicationLatency) MetricLatency(region, statistic string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return newMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(r.namespace),
		MetricName:    jsii.String(LatencyMetricName),
		DimensionsMap: &map[string]*string{"DestinationRegion": jsii.String(region)},
		Statistic:     jsii.String(statistic),
		Period:        awscdk.Duration_Hours(jsii.Number(1)),
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

// EstimatedMonthlyCost estimates this construct's monthly cost at list prices for
// replications (successful replications to all destinations together) a month. The
// forwarded events cost the EventBridge cross-Region event price, paid in the
// destination regions.
func (r *ReplicationLatency) EstimatedMonthlyCost(prices MeasurePrices, replications float64) MeasureCost {
	return latencyCost(prices, len(r.regions), replications)
}

func latencyCost(prices MeasurePrices, destinations int, replications float64) MeasureCost {
	c := MeasureCost{CustomMetrics: destinations, AlarmMetrics: destinations + 2}
	c.ExecutionsPerMonth = replications
	c.PutMetricDataPerMonth = replications
	c.fixed(fmt.Sprintf("%d custom metrics (one per destination region)", destinations), float64(destinations)*prices.CustomMetricMonth)
	c.fixed(fmt.Sprintf("%d p90 alarms and the execution-failure alarm (2 metrics)", destinations), float64(c.AlarmMetrics)*prices.AlarmMetricMonth)
	c.variable(fmt.Sprintf("%.0f PutMetricData requests", replications), replications/1000*prices.PutMetricDataPer1000)
	// Two SDK calls of about 200 ms, billed in 100 ms increments at 64 MB.
	c.variable(fmt.Sprintf("%.0f Express executions", replications), replications*(prices.ExpressPerMillion/1e6+0.4*prices.ExpressMinimumGB*prices.ExpressPerGBSecond))
	c.variable("forwarded events (cross-Region, paid in the destinations)", replications/1e6*prices.EventsPerMillion)
	c.variable("log ingestion", replications*8*300/1e9*prices.LogsIngestionPerGB)
	if replications > prices.FreeXRayTracesPerMonth {
		c.variable("X-Ray traces beyond the free tier", (replications-prices.FreeXRayTracesPerMonth)/1e6*prices.XRayTracesPerMillion)
	}
	return c
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
						measureQuote(LatencyMetricName))),
				},
				"Output": map[string]any{},
				"Retry":  sdkRetry(),
				"End":    true,
			},
		},
	}
}

// measureFitName keeps names of the [A-Za-z0-9._-] alphabet within max characters, the way
// every name of this package is shortened (fitName: a hash of the whole name, awsid.Fit).
func measureFitName(name string, max int) string { return fitName(name, max) }

// measureFitStatementID fits an event-bus policy statement id ([A-Za-z0-9_-], 1-64).
func measureFitStatementID(s string) string {
	return measureFitName(strings.ReplaceAll(s, ".", "-"), measureMaxStatementID)
}

// LatencyForwarderRuleName is the name of the rule a LatencyForwarder creates in a destination
// region to forward replication events to sourceRegion.
func LatencyForwarderRuleName(namePrefix, sourceRegion string) string {
	return measureFitName(namePrefix+"-forward-replications-to-"+sourceRegion, measureMaxRuleName)
}
