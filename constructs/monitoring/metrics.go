package monitoring

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"
)

// Every metric and SEARCH expression of this package is built here, and each checks that its
// metric is published (mustBePublished) before the CDK sees it: a metric nobody publishes
// cannot reach a dashboard or an alarm.

// newMetric builds a CloudWatch metric after checking that it is published.
func newMetric(props *awscloudwatch.MetricProps, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	mustBePublished(*props.Namespace, *props.MetricName)
	return withOptions(awscloudwatch.NewMetric(props), opts)
}

// dimensionMetric is a metric of one dimension, in region and account when they are not ""
// (this stack's otherwise).
func dimensionMetric(namespace, metricName, dimension, value, statistic, label, region, account string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	props := &awscloudwatch.MetricProps{
		Namespace:     jsii.String(namespace),
		MetricName:    jsii.String(metricName),
		DimensionsMap: &map[string]*string{dimension: jsii.String(value)},
		Statistic:     jsii.String(statistic),
		Label:         jsii.String(label),
	}
	if region != "" {
		props.Region = jsii.String(region)
	}
	if account != "" {
		props.Account = jsii.String(account)
	}
	return newMetric(props, opts)
}

// eventsMetric is an AWS/Events metric (TriggeredRules, FailedInvocations, …; Sum) of a rule on
// the default bus, identified by its name only. EventBridge publishes it only for periods in
// which it is not zero, so a quiet period has no data point (FILL it, or treat missing data as
// not breaching).
func eventsMetric(metricName, ruleName, label string, region, account string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return dimensionMetric("AWS/Events", metricName, "RuleName", ruleName, "Sum", label, region, account, opts)
}

// ruleMetric is the AWS/Events TriggeredRules metric (Sum) of a rule: how many events it matched.
func ruleMetric(ruleName, label string, region, account string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return eventsMetric("TriggeredRules", ruleName, label, region, account, opts)
}

// pullMetric is AWS/ECR RepositoryPullCount (Sum) of one repository, the only metric the
// AWS/ECR namespace has.
func pullMetric(repositoryName, label, region, account string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return dimensionMetric("AWS/ECR", "RepositoryPullCount", "RepositoryName", repositoryName, "Sum", label, region, account, opts)
}

func withOptions(m awscloudwatch.Metric, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	if opts == nil {
		return m
	}
	return m.With(opts)
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

func (q search) expressions() []awscloudwatch.IMetric {
	mustBePublished(q.namespace, q.metricName)
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
