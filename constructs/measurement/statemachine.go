package measurement

// What both measuring state machines are built from: the Amazon States Language pieces
// (JSONata expressions, AWS SDK integration resources, retries), the state machine with its
// role and logs, its execution-failure alarm, and the template metadata that prices it.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/internal/watch"
	"github.com/acme-platform/ecr-replication/internal/nag"
	"github.com/acme-platform/ecr-replication/pricing"
)

// compactJSON renders v as JSON without HTML escaping and without a trailing newline.
func compactJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// quote renders s as a JSONata string literal (JSONata string literals follow JSON escaping).
func quote(s string) string { return compactJSON(s) }

// jsonata wraps a JSONata expression the way Step Functions expects it in a JSONata state.
func jsonata(expr string) string { return "{% " + expr + " %}" }

// sdkResource is the Task resource of an AWS SDK integration in partition: the literal
// partition when the stack knows it (a stack with a concrete region), else ${Partition},
// which DefinitionSubstitutions replaces; either way the definition stays a plain string.
// (cfn-lint checks Resource ARNs only in the literal form.)
func sdkResource(partition, service, action string) string {
	return "arn:" + partition + ":states:::aws-sdk:" + service + ":" + action
}

// partitionOf returns the partition of scope's stack as a literal, or "${Partition}" when it
// is known only at deploy time.
func partitionOf(scope constructs.Construct) string {
	stack := awscdk.Stack_Of(scope)
	if p := *stack.Partition(); !awsid.IsToken(p) {
		return p
	}
	// Without the partition-literals feature flag the CDK gives a token even for a known
	// region; the region says which partition it is.
	if r := *stack.Region(); !awsid.IsToken(r) {
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

// machine is what both measuring constructs build around their definition: a role trusted by
// Step Functions, a log group (vended-logs name), and an Express state machine in JSONata
// with logging ALL and X-Ray tracing (cdk-nag AwsSolutions-SF1/SF2).
type machine struct {
	role         awsiam.Role
	logGroup     awslogs.LogGroup
	stateMachine awsstepfunctions.StateMachine
}

// machineSpec says what a measuring state machine does and may do.
type machineSpec struct {
	comment    string
	definition map[string]any
	retention  awslogs.RetentionDays
	logKey     awskms.IKey
	statements []awsiam.PolicyStatement
	// customMetrics and runsPerMonth are what it bills every month (pricing.Metadata).
	customMetrics int
	runsPerMonth  float64
}

// newMachine creates the role ("Role"), the log group ("Logs") and the state machine
// ("StateMachine") of spec in scope.
func newMachine(scope constructs.Construct, spec machineSpec) *machine {
	m := &machine{}
	stack := awscdk.Stack_Of(scope)
	// Confused-deputy prevention: Step Functions may assume the role for this account's state
	// machines only (Step Functions developer guide, "Cross-service confused deputy prevention",
	// https://docs.aws.amazon.com/step-functions/latest/dg/cross-service-confused-deputy-prevention.html).
	m.role = awsiam.NewRole(scope, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewPrincipalWithConditions(awsiam.NewServicePrincipal(jsii.String("states.amazonaws.com"), nil), &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
			"ArnLike": map[string]any{"aws:SourceArn": stack.FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("states"), Resource: jsii.String("stateMachine"), ResourceName: jsii.String("*"),
				ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
			})},
		}),
		Description: jsii.String(spec.comment + " (Step Functions execution role)"),
	})
	for _, s := range spec.statements {
		m.role.AddToPrincipalPolicy(s)
	}
	retention := spec.retention
	if retention == "" {
		retention = awslogs.RetentionDays_ONE_MONTH
	}
	// Step Functions recommends log groups under /aws/vendedlogs/ so that CloudWatch Logs
	// does not grow its account-wide resource policy with one entry per log group
	// (Step Functions developer guide, cw-logs.html).
	m.logGroup = awslogs.NewLogGroup(scope, jsii.String("Logs"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String("/aws/vendedlogs/states/" + *awscdk.Names_UniqueResourceName(scope, &awscdk.UniqueResourceNameOptions{MaxLength: jsii.Number(200)})),
		Retention:     retention,
		EncryptionKey: spec.logKey,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	m.stateMachine = awsstepfunctions.NewStateMachine(scope, jsii.String("StateMachine"), &awsstepfunctions.StateMachineProps{
		Comment:                 jsii.String(spec.comment),
		DefinitionBody:          awsstepfunctions.DefinitionBody_FromString(jsii.String(compactJSON(spec.definition))),
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
	m.annotate(spec)
	return m
}

// annotate records what the template needs besides the resources: what the state machine
// bills (for pricing.EstimateMonthlyCost), the cfn-lint check it silences and the cdk-nag
// findings it answers.
func (m *machine) annotate(spec machineSpec) {
	cfn := m.stateMachine.Node().DefaultChild().(awscdk.CfnResource)
	// CDK makes the state machine depend on its role, which it also references with
	// Fn::GetAtt; cfn-lint warns about the redundancy (W3005). Harmless, so silenced here only.
	cfn.AddMetadata(jsii.String("cfn-lint"), map[string]any{"config": map[string]any{"ignore_checks": []string{"W3005"}}})
	nag.Suppress(m.role, true, nag.Suppression{
		ID: "AwsSolutions-IAM5",
		Reason: "the actions on \"*\" support no resource-level permission: the log-delivery (logs:CreateLogDelivery, ...) " +
			"and X-Ray (xray:PutTraceSegments, ...) actions CDK adds for logging and tracing (Step Functions developer guide, " +
			"cw-logs.html and concepts-xray-tracing.html), cloudwatch:PutMetricData (narrowed by a cloudwatch:namespace condition) " +
			"and, for the storage measurement, ecr:DescribeRepositories, a listing call authorized on \"*\"",
		AppliesTo: []string{"Resource::*"},
	})
	cfn.AddMetadata(jsii.String(pricing.MetadataKey), pricing.Metadata(spec.customMetrics, spec.runsPerMonth))
}

// suppressPrefix answers cdk-nag AwsSolutions-IAM5 for exactly the repository ARN pattern
// under prefix on the role's policy, with reason.
func (m *machine) suppressPrefix(prefix, reason string) {
	nag.Suppress(m.role, true, nag.Suppression{
		ID:             "AwsSolutions-IAM5",
		Reason:         reason,
		AppliesToRegex: []string{fmt.Sprintf(`/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):ecr:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\d{12}):repository\/%s\/\*$/g`, regexp.QuoteMeta(prefix))},
	})
}

// failureAlarm ("ExecutionFailureAlarm") fires when an execution failed or timed out in an hour
// (AWS/States ExecutionsFailed and ExecutionsTimedOut, dimension StateMachineArn; Express
// workflows publish them too, Step Functions developer guide, procedure-cw-metrics.html). It
// catches a broken measurement (a missing permission, an API change) that would otherwise only
// show as missing data.
func (m *machine) failureAlarm(scope constructs.Construct, name, what string, topic awssns.ITopic) awscloudwatch.Alarm {
	hour := awscdk.Duration_Hours(jsii.Number(1))
	opts := &awscloudwatch.MetricOptions{Period: hour, Statistic: jsii.String("Sum")}
	return watch.NewAlarm(scope, "ExecutionFailureAlarm", watch.Spec{
		Name: name,
		Description: "An execution of the " + what + " state machine failed or timed out in the last hour, " +
			"so the measurement is missing; see the state machine's log group for the error.",
		Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression:   jsii.String("FILL(failed, 0) + FILL(timedOut, 0)"),
			UsingMetrics: &map[string]awscloudwatch.IMetric{"failed": m.stateMachine.MetricFailed(opts), "timedOut": m.stateMachine.MetricTimedOut(opts)},
			Label:        jsii.String("Failed or timed-out executions"),
			Period:       hour,
		}),
		Threshold:  1,
		Comparison: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		Topic:      topic,
	})
}
