package measurement

import (
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/internal/watch"
)

// DefaultNamespace is the CloudWatch namespace of the custom metrics that StorageMetrics and
// ReplicationLatency publish, unless their props say otherwise.
const DefaultNamespace = "ECRReplication"

// The custom metrics the measuring constructs publish. AWS/ECR publishes no such metric.
const (
	// StorageMetricName is the summed imageSizeInBytes of the ACTIVE images: logical bytes,
	// layers shared between images counted once per image. Dimension RepositoryPrefix (the
	// region's total) or RepositoryName (one configured repository). Unit Bytes.
	StorageMetricName = "StoredLogicalBytes"
	// LatencyMetricName is the time from the push of an image in the source region to the
	// ECR Replication Action event of its replica. Dimension DestinationRegion. Unit Seconds.
	LatencyMetricName = "ReplicationLatencySeconds"
)

// StorageMetricsIn returns the metrics that the StorageMetrics of region (in account, or the
// caller's account when account is "") publishes under DefaultNamespace: the total under prefix
// ("<prefix>/ total"), then each of repositories (which must be its RepositoryMetrics), Maximum
// per hour. They are for a dashboard that charts every region's storage from one region; the
// StorageMetrics of each region must exist, with the default Namespace, or the lines stay empty.
func StorageMetricsIn(region, account, prefix string, repositories []string) []awscloudwatch.IMetric {
	// The StorageMetrics of that region publishes these; this process may not have created it.
	watch.RegisterCustomMetric(DefaultNamespace, StorageMetricName)
	metric := func(dimension, value, label string) awscloudwatch.IMetric {
		return watch.DimensionMetric{Namespace: DefaultNamespace, MetricName: StorageMetricName, Dimension: dimension, Value: value,
			Statistic: "Maximum", Label: label, Region: region, Account: account}.Metric(&awscloudwatch.MetricOptions{Period: hour()})
	}
	lines := []awscloudwatch.IMetric{metric("RepositoryPrefix", prefix, prefix+"/ total")}
	for _, r := range repositories {
		lines = append(lines, metric("RepositoryName", r, r))
	}
	return lines
}

// hour is the period of the measurements' metrics. (A function: a package-level jsii value
// would start the jsii kernel at import time.)
func hour() awscdk.Duration { return awscdk.Duration_Hours(jsii.Number(1)) }

// metricNamespacePattern is CloudWatch's rule for a custom namespace.
var metricNamespacePattern = regexp.MustCompile(`^[A-Za-z0-9.\-_/#: ]{1,255}$`)

// checkMetricNamespace checks an optional custom CloudWatch namespace.
func checkMetricNamespace(p *checks.Problems, field, value string) {
	if value != "" && (!metricNamespacePattern.MatchString(value) || strings.HasPrefix(value, "AWS/")) {
		p.Add(field, value, `1-255 characters of A-Za-z0-9.-_/#: and space, not starting with "AWS/" (reserved)`)
	}
}

// namespaceOr returns namespace, or DefaultNamespace when it is empty.
func namespaceOr(namespace string) string {
	if namespace == "" {
		return DefaultNamespace
	}
	return namespace
}

// regionOf returns the region of scope's stack, or "" when it is a token (an environment-
// agnostic stack).
func regionOf(scope constructs.Construct) string {
	if r := *awscdk.Stack_Of(scope).Region(); !awsid.IsToken(r) {
		return r
	}
	return ""
}

// accountOf returns the account of scope's stack, or "" when it is a token.
func accountOf(scope constructs.Construct) string {
	if a := *awscdk.Stack_Of(scope).Account(); !awsid.IsToken(a) {
		return a
	}
	return ""
}

// wholeMinutes returns d in minutes, or def when d is nil.
func wholeMinutes(d awscdk.Duration, def float64) float64 {
	if d == nil {
		return def
	}
	return *d.ToMinutes(&awscdk.TimeConversionOptions{Integral: jsii.Bool(false)})
}
