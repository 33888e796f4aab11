package monitoring

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/internal/watch"
)

// Every metric and SEARCH expression of this package is built here, through package watch,
// which refuses a metric nobody publishes before the CDK sees it: such a metric cannot reach
// a dashboard or an alarm.

// hour is the period of activity metrics and dashboard graphs. (A function: a package-level
// jsii value would start the jsii kernel at import time.)
func hour() awscdk.Duration { return awscdk.Duration_Hours(jsii.Number(1)) }

// ruleMetric is the AWS/Events TriggeredRules metric (Sum) of a rule: how many events it
// matched, in region and account when they are not "".
func ruleMetric(ruleName, label, region, account string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return watch.RuleMetric("TriggeredRules", ruleName, label, region, account, opts)
}

// pullMetric is AWS/ECR RepositoryPullCount (Sum) of one repository, the only metric the
// AWS/ECR namespace has.
func pullMetric(repositoryName, label, region, account string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return watch.DimensionMetric{Namespace: "AWS/ECR", MetricName: "RepositoryPullCount", Dimension: "RepositoryName", Value: repositoryName,
		Statistic: "Sum", Label: label, Region: region, Account: account}.Metric(opts)
}

// search is one metric SEARCH over a namespace's schemas. AWS/Usage documents its dimensions
// but not whether ECR metrics also carry the Class dimension (ECR "does not use" it); a schema
// matches an exact dimension set, so a search may list several schemas and the ones that do
// not exist stay empty.
type search struct {
	label      string
	schemas    []string // dimension lists after the namespace, "" for none
	namespace  string
	metricName string
	terms      string // further search terms, such as Service="ECR"
	statistic  string
	region     string
	account    string
	// top keeps the top series by their maximum (SORT(..., MAX, DESC, top)); 0 keeps all.
	top int
}

// expressions returns one SEARCH expression per schema.
func (q search) expressions() []awscloudwatch.IMetric {
	watch.MustBePublished(q.namespace, q.metricName)
	var out []awscloudwatch.IMetric
	for _, schema := range q.schemas {
		braces := q.namespace
		if schema != "" {
			braces += "," + schema
		}
		term := strings.TrimSpace(fmt.Sprintf(`MetricName="%s" %s`, q.metricName, q.terms))
		expr := fmt.Sprintf("SEARCH('{%s} %s', '%s', 3600)", braces, term, q.statistic)
		if q.top > 0 {
			expr = fmt.Sprintf("SORT(%s, MAX, DESC, %d)", expr, q.top)
		}
		props := &awscloudwatch.SearchExpressionProps{
			Expression: jsii.String(expr),
			Period:     hour(),
		}
		if q.label != "" {
			props.Label = jsii.String(q.label)
		}
		if q.region != "" {
			props.SearchRegion = jsii.String(q.region)
		}
		if q.account != "" {
			props.SearchAccount = jsii.String(q.account)
		}
		out = append(out, awscloudwatch.NewSearchExpression(props))
	}
	return out
}

var (
	usageAPISchemas      = []string{"Class,Resource,Service,Type", "Resource,Service,Type"}
	usageResourceSchemas = []string{"Class,Resource,ResourceId,Service,Type", "Resource,ResourceId,Service,Type"}
	billingSchemas       = []string{"Currency,ServiceName"}
)
