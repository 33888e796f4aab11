package monitoring

// Shared, self-contained helpers of the two measuring constructs (StorageMetrics in
// storage.go, ReplicationLatency and LatencyForwarder in latency.go): Amazon States Language
// rendering, names, validation and list prices. They deliberately share nothing with the
// rest of the package.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/acme-platform/ecr-replication/awsid"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/internal/nag"
)

// DefaultMeasureNamespace is the CloudWatch namespace of the custom metrics that
// StorageMetrics and ReplicationLatency publish.
const DefaultMeasureNamespace = "ECRReplication"

// Metric names published by the measuring constructs. They live in a custom namespace
// (DefaultMeasureNamespace unless configured); AWS/ECR publishes no such metric.
const (
	// StorageMetricName is the summed imageSizeInBytes of the ACTIVE images: logical bytes,
	// layers shared between images counted once per image. Dimension RepositoryPrefix (the
	// region's total) or RepositoryName (one configured repository). Unit Bytes.
	StorageMetricName = "StoredLogicalBytes"
	// LatencyMetricName is the time from the push of an image in the source region to the
	// ECR Replication Action event of its replica. Dimension DestinationRegion. Unit Seconds.
	LatencyMetricName = "ReplicationLatencySeconds"
)

// Limits of AWS names and of these constructs.
const (
	measureMaxNamePrefix  = 40
	measureMaxRuleName    = 64
	measureMaxAlarmName   = 255
	measureMaxStatementID = 64
)

// measureCWNamespacePattern is CloudWatch's rule for a custom namespace.
var measureCWNamespacePattern = regexp.MustCompile(`^[A-Za-z0-9.\-_/#: ]{1,255}$`)

func measureIsToken(s string) bool { return awsid.IsToken(s) }

func measureCheckPrefix(field, prefix string) error {
	switch {
	case measureIsToken(prefix):
		return fmt.Errorf("%s: got an unresolved token; expected a plain namespace: it is written into JSONata expressions and event patterns", field)
	case strings.HasPrefix(prefix, "/") || strings.HasSuffix(prefix, "/"):
		return fmt.Errorf("%s: got %q; expected a repository namespace such as \"enterprise-apps\", with no leading or trailing /", field, prefix)
	}
	return checkNamespace(field, prefix)
}

func measureCheckRegion(field, region string) error { return checkRegion(field, region, true) }

func measureCheckAccount(field, account string) error {
	if measureIsToken(account) {
		return fmt.Errorf("%s: got an unresolved token; expected %s or nothing (nothing means this stack's account)", field, awsid.AccountRule)
	}
	return checkAccount(field, account)
}

func measureCheckNamespace(field, ns string) error {
	if ns == "" {
		return nil
	}
	if !measureCWNamespacePattern.MatchString(ns) || strings.HasPrefix(ns, "AWS/") {
		return fmt.Errorf("%s: got %q; expected 1-255 characters of A-Za-z0-9.-_/#: and space, not starting with \"AWS/\" (reserved)", field, ns)
	}
	return nil
}

func measureCheckNamePrefix(field, namePrefix string) error {
	return checkNamePrefix(field, namePrefix)
}

// measureNamePrefix returns namePrefix, or DefaultNamePrefix(repositoryPrefix), the prefix the
// other monitoring constructs use.
func measureNamePrefix(namePrefix, repositoryPrefix string) string {
	if namePrefix != "" {
		return namePrefix
	}
	return DefaultNamePrefix(repositoryPrefix)
}

func measureJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// measureQuote renders s as a JSONata string literal (JSONata string literals follow JSON
// escaping).
func measureQuote(s string) string { return measureJSON(s) }

// jsonata wraps a JSONata expression the way Step Functions expects it in a JSONata state.
func jsonata(expr string) string { return "{% " + expr + " %}" }

// sdkResource is the Task resource of an AWS SDK integration in partition: the literal
// partition when the stack knows it (a stack with a concrete region), else ${Partition},
// which DefinitionSubstitutions replaces; either way the definition stays a plain string.
// (cfn-lint checks Resource ARNs only in the literal form.)
func sdkResource(partition, service, action string) string {
	return "arn:" + partition + ":states:::aws-sdk:" + service + ":" + action
}

// measurePartition returns the stack's partition as a literal, or "${Partition}" when it is
// only known at deploy time.
func measurePartition(scope constructs.Construct) string {
	stack := awscdk.Stack_Of(scope)
	if p := *stack.Partition(); !measureIsToken(p) {
		return p
	}
	// Without the partition-literals feature flag the CDK gives a token even for a known
	// region; the region says which partition it is.
	if r := *stack.Region(); !measureIsToken(r) {
		return awsid.PartitionOf(r)
	}
	return "${Partition}"
}

// sdkRetry retries throttling and transient failures of an SDK task; the errors listed in
// noRetry fail at once (a retrier with MaxAttempts 0), so that a Catch can handle them.
// Error names of AWS SDK integrations are "<Service>.<Exception>" in PascalCase, e.g.
// "Ecr.ImageNotFoundException" (Step Functions developer guide, "Learning to use AWS
// service SDK integrations in Step Functions", supported-services-awssdk.html).
func sdkRetry(noRetry ...string) []any {
	var out []any
	if len(noRetry) > 0 {
		out = append(out, map[string]any{"ErrorEquals": noRetry, "MaxAttempts": 0})
	}
	return append(out, map[string]any{
		"ErrorEquals":     []string{"States.TaskFailed"},
		"IntervalSeconds": 1,
		"MaxAttempts":     3,
		"BackoffRate":     2,
		"JitterStrategy":  "FULL",
	})
}

// measureStateMachine is what both measuring constructs build around their definition: a
// role trusted by Step Functions, an encrypted-by-default log group (vended-logs name), and
// an Express state machine in JSONata with logging ALL and X-Ray tracing (cdk-nag
// AwsSolutions-SF1/SF2).
type measureStateMachine struct {
	role         awsiam.Role
	logGroup     awslogs.LogGroup
	stateMachine awsstepfunctions.StateMachine
}

func newMeasureStateMachine(scope constructs.Construct, comment string, definition map[string]any, retention awslogs.RetentionDays, statements ...awsiam.PolicyStatement) *measureStateMachine {
	m := &measureStateMachine{}
	m.role = awsiam.NewRole(scope, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("states.amazonaws.com"), nil),
		Description: jsii.String(comment + " (Step Functions execution role)"),
	})
	for _, s := range statements {
		m.role.AddToPrincipalPolicy(s)
	}
	if retention == "" {
		retention = awslogs.RetentionDays_ONE_MONTH
	}
	// Step Functions recommends log groups under /aws/vendedlogs/ so that CloudWatch Logs
	// does not grow its account-wide resource policy with one entry per log group
	// (Step Functions developer guide, cw-logs.html).
	m.logGroup = awslogs.NewLogGroup(scope, jsii.String("Logs"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String("/aws/vendedlogs/states/" + *awscdk.Names_UniqueResourceName(scope, &awscdk.UniqueResourceNameOptions{MaxLength: jsii.Number(200)})),
		Retention:     retention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	m.stateMachine = awsstepfunctions.NewStateMachine(scope, jsii.String("StateMachine"), &awsstepfunctions.StateMachineProps{
		Comment:                 jsii.String(comment),
		DefinitionBody:          awsstepfunctions.DefinitionBody_FromString(jsii.String(measureJSON(definition))),
		DefinitionSubstitutions: &map[string]*string{"Partition": awscdk.Stack_Of(scope).Partition()},
		StateMachineType:        awsstepfunctions.StateMachineType_EXPRESS,
		QueryLanguage:           awsstepfunctions.QueryLanguage_JSONATA,
		Role:                    m.role,
		TracingEnabled:          jsii.Bool(true),
		Logs: &awsstepfunctions.LogOptions{
			Destination: m.logGroup,
			Level:       awsstepfunctions.LogLevel_ALL,
			// Execution data (repository names, sizes, events) stays out of the logs; the
			// state transitions and errors are enough to debug, and the logs stay small.
			IncludeExecutionData: jsii.Bool(false),
		},
	})
	// CDK makes the state machine depend on its role, which it also references with
	// Fn::GetAtt; cfn-lint warns about the redundancy (W3005). Harmless, so silenced here only.
	m.stateMachine.Node().DefaultChild().(awscdk.CfnResource).AddMetadata(jsii.String("cfn-lint"),
		map[string]any{"config": map[string]any{"ignore_checks": []string{"W3005"}}})
	nag.Suppress(m.role, true, nag.Suppression{
		ID: "AwsSolutions-IAM5",
		Reason: "the actions on \"*\" support no resource-level permission: the log-delivery (logs:CreateLogDelivery, ...) " +
			"and X-Ray (xray:PutTraceSegments, ...) actions CDK adds for logging and tracing (Step Functions developer guide, " +
			"cw-logs.html and concepts-xray-tracing.html), cloudwatch:PutMetricData (narrowed by a cloudwatch:namespace condition) " +
			"and, for the storage measurement, ecr:DescribeRepositories, a listing call authorized on \"*\"",
		AppliesTo: []string{"Resource::*"},
	})
	return m
}

// measureFailureAlarm alarms when an execution of sm failed or timed out in an hour
// (AWS/States ExecutionsFailed and ExecutionsTimedOut, dimension StateMachineArn; Express
// workflows publish them too). It catches a broken measurement (a missing permission, an
// API change) that would otherwise only show as missing data.
func measureFailureAlarm(scope constructs.Construct, name, what string, sm awsstepfunctions.StateMachine, topic awssns.ITopic) awscloudwatch.Alarm {
	hour := awscdk.Duration_Hours(jsii.Number(1))
	opts := &awscloudwatch.MetricOptions{Period: hour, Statistic: jsii.String("Sum")}
	mustBePublished("AWS/States", "ExecutionsFailed")
	mustBePublished("AWS/States", "ExecutionsTimedOut")
	alarm := awscloudwatch.NewAlarm(scope, jsii.String("ExecutionFailureAlarm"), &awscloudwatch.AlarmProps{
		AlarmName: jsii.String(name),
		AlarmDescription: jsii.String("An execution of the " + what + " state machine failed or timed out in the last hour, " +
			"so the measurement is missing; see the state machine's log group for the error."),
		Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression:   jsii.String("FILL(failed, 0) + FILL(timedOut, 0)"),
			UsingMetrics: &map[string]awscloudwatch.IMetric{"failed": sm.MetricFailed(opts), "timedOut": sm.MetricTimedOut(opts)},
			Label:        jsii.String("Failed or timed-out executions"),
			Period:       hour,
		}),
		Threshold:          jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
		DatapointsToAlarm:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	measureNotify(alarm, topic)
	return alarm
}

func measureNotify(alarm awscloudwatch.Alarm, topic awssns.ITopic) {
	action := notify(topic)
	alarm.AddAlarmAction(action)
	alarm.AddOkAction(action)
}

// MeasurePrices are the us-east-1 list prices (USD) behind the cost estimates of
// StorageMetrics and ReplicationLatency. Confirm them on the pricing pages of CloudWatch,
// Step Functions, EventBridge and EventBridge Scheduler before relying on them.
type MeasurePrices struct {
	CustomMetricMonth      float64 // one standard custom metric per month
	AlarmMetricMonth       float64 // one standard-resolution alarm metric per month
	PutMetricDataPer1000   float64 // CloudWatch API requests
	ExpressPerMillion      float64 // Step Functions Express requests
	ExpressPerGBSecond     float64 // Step Functions Express duration (first 1,000 GB-hours)
	ExpressMinimumGB       float64 // memory an Express execution is billed for at least (64 MB)
	EventsPerMillion       float64 // EventBridge cross-Region/cross-account events (AWS service events on the default bus are free)
	SchedulerPerMillion    float64 // EventBridge Scheduler invocations beyond the 14 million free each month
	LogsIngestionPerGB     float64
	XRayTracesPerMillion   float64 // beyond the 100,000 free traces each month
	FreeSchedulerPerMonth  float64
	FreeXRayTracesPerMonth float64
}

// MeasureListPrices are the list prices the estimates use (us-east-1, checked 2026-12).
var MeasureListPrices = MeasurePrices{
	CustomMetricMonth:      0.30,
	AlarmMetricMonth:       0.10,
	PutMetricDataPer1000:   0.01,
	ExpressPerMillion:      1.00,
	ExpressPerGBSecond:     0.00001667,
	ExpressMinimumGB:       0.0625,
	EventsPerMillion:       1.00,
	SchedulerPerMillion:    1.00,
	LogsIngestionPerGB:     0.50,
	XRayTracesPerMillion:   5.00,
	FreeSchedulerPerMonth:  14_000_000,
	FreeXRayTracesPerMonth: 100_000,
}

// MeasureCost is a monthly estimate for one construct in one region.
type MeasureCost struct {
	// CustomMetrics is the number of custom metrics published; AlarmMetrics the number of
	// metrics read by alarms.
	CustomMetrics int
	AlarmMetrics  int
	// ExecutionsPerMonth and PutMetricDataPerMonth count requests.
	ExecutionsPerMonth    float64
	PutMetricDataPerMonth float64
	// FixedUSD is what bills whatever happens (metrics and alarms); VariableUSD the
	// requests, execution time and events at the assumed volume; both per month.
	FixedUSD    float64
	VariableUSD float64
	// Lines itemizes both.
	Lines []string
}

func (c *MeasureCost) fixed(label string, usd float64) {
	c.FixedUSD += usd
	c.Lines = append(c.Lines, fmt.Sprintf("%s: $%.4f (fixed)", label, usd))
}

func (c *MeasureCost) variable(label string, usd float64) {
	c.VariableUSD += usd
	c.Lines = append(c.Lines, fmt.Sprintf("%s: $%.4f (variable)", label, usd))
}

// TotalUSD is FixedUSD + VariableUSD.
func (c MeasureCost) TotalUSD() float64 { return c.FixedUSD + c.VariableUSD }

// measureSuppressPrefix suppresses cdk-nag AwsSolutions-IAM5 for exactly the repository ARN
// pattern under prefix on role's policy, with reason.
func measureSuppressPrefix(role awsiam.Role, prefix, reason string) {
	nag.Suppress(role, true, nag.Suppression{
		ID:             "AwsSolutions-IAM5",
		Reason:         reason,
		AppliesToRegex: []string{fmt.Sprintf(`/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):ecr:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\d{12}):repository\/%s\/\*$/g`, regexp.QuoteMeta(prefix))},
	})
}

// costMetadataKey is the template metadata under which a measuring state machine states what
// it bills every month, for EstimateMonthlyCost: the custom metrics it publishes and, for a
// scheduled one, its runs.
const costMetadataKey = "ecr-replication:cost"

// annotateCost records on sm's template resource how many custom metrics it publishes and how
// many scheduled runs it makes a month (0 for an event-driven one).
func annotateCost(sm awsstepfunctions.StateMachine, customMetrics int, runsPerMonth float64) {
	sm.Node().DefaultChild().(awscdk.CfnResource).AddMetadata(jsii.String(costMetadataKey), map[string]any{
		"customMetrics":         customMetrics,
		"scheduledRunsPerMonth": runsPerMonth,
	})
}
