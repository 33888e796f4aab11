package monitoring

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/constructs/measurement"
)

// The dashboard only arranges what the segments measure: every metric on it comes from the
// metric functions of this package (metrics.go), which refuse a metric AWS does not publish.

func (s *SourceMonitor) dashboard() awscloudwatch.Dashboard {
	props := s.props
	d := props.Dashboard
	if d == nil {
		name := props.DashboardName
		if name == "" {
			name = strings.ReplaceAll(s.namePrefix, ".", "-") + "-replication"
		}
		d = awscloudwatch.NewDashboard(s, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
			DashboardName:   jsii.String(name),
			DefaultInterval: awscdk.Duration_Days(jsii.Number(7)),
		})
	}
	d.AddWidgets(awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{
		Width:  jsii.Number(24),
		Height: jsii.Number(3),
		Markdown: jsii.String(fmt.Sprintf("# ECR replication of `%s/`\n"+
			"Every number below is a metric AWS publishes: AWS/ECR RepositoryPullCount, AWS/Events TriggeredRules of this app's rules "+
			"(replications, pushes, findings, lifecycle records), AWS/Usage (API calls, images per repository) and AWS/Billing. "+
			"ECR publishes no push, size, replication-latency or failure-rate metric. Destinations in another account show data only "+
			"when CloudWatch cross-account observability shares their metrics with this account.",
			strings.Trim(props.RepositoryPrefix, "/"))),
	}))

	s.replicationRows(d)
	s.pullRows(d)
	s.pushRow(d)
	s.countRows(d)
	s.storageRows(d)
	s.latencyRow(d)
	s.findingsRow(d)
	s.alarmRow(d)
	return d
}

// replicationRows adds the replication outcomes and the failure-rate alarm of each destination.
// On a dashboard several namespaces share, the outcomes alone, two a row: a dashboard holds at
// most 500 widgets, and each namespace's failure-rate alarms notify from their own regions.
func (s *SourceMonitor) replicationRows(d awscloudwatch.Dashboard) {
	props := s.props
	stack := awscdk.Stack_Of(s)
	sourceRegion := *stack.Region()
	var shared []awscloudwatch.IWidget
	// Replication outcomes and the failure-rate alarm of each destination.
	for i, dest := range props.Destinations {
		account := ""
		if dest.Account != "" && dest.Account != props.SourceAccount {
			account = dest.Account
		}
		succeeded := ruleMetric(replicationSucceededRuleName(s.namePrefix, sourceRegion), "Replicated", dest.Region, account,
			&awscloudwatch.MetricOptions{Period: hour()})
		failed := ruleMetric(replicationFailedRuleName(s.namePrefix, sourceRegion), "Failed", dest.Region, account,
			&awscloudwatch.MetricOptions{Period: hour(), Color: awscloudwatch.Color_RED()})
		graph := &awscloudwatch.GraphWidgetProps{
			Title:  jsii.String(fmt.Sprintf("Replication %s → %s (images per hour)", sourceRegion, dest.Region)),
			Left:   &[]awscloudwatch.IMetric{succeeded, failed},
			Region: jsii.String(dest.Region),
			Width:  jsii.Number(12),
		}
		if account != "" {
			graph.AccountId = jsii.String(account)
		}
		if props.Dashboard != nil {
			shared = append(shared, awscloudwatch.NewGraphWidget(graph))
			continue
		}
		alarmAccount := dest.Account
		if alarmAccount == "" {
			alarmAccount = *stack.Account()
		}
		alarmArn := fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", *stack.Partition(), dest.Region, alarmAccount,
			replicationFailureRateAlarmName(s.namePrefix, sourceRegion))
		alarm := awscloudwatch.Alarm_FromAlarmArn(s, jsii.String(fmt.Sprintf("ReplicaAlarm%d", i)), jsii.String(alarmArn))
		alarmWidget := &awscloudwatch.AlarmWidgetProps{
			Title:  jsii.String(fmt.Sprintf("Failure-rate alarm in %s", dest.Region)),
			Alarm:  alarm,
			Region: jsii.String(dest.Region),
			Width:  jsii.Number(12),
		}
		if account != "" {
			alarmWidget.AccountId = jsii.String(account)
		}
		d.AddWidgets(awscloudwatch.NewGraphWidget(graph), awscloudwatch.NewAlarmWidget(alarmWidget))
	}
	addRows(d, shared)
}

// pullRows adds pulls per repository, one line per region.
func (s *SourceMonitor) pullRows(d awscloudwatch.Dashboard) {
	props := s.props
	// Pulls per watched repository, one line per region.
	var pullWidgets []awscloudwatch.IWidget
	for _, repo := range s.watched {
		var lines []awscloudwatch.IMetric
		for _, region := range s.regions() {
			lines = append(lines, s.MetricPulls(repo, region, &awscloudwatch.MetricOptions{Period: hour()}))
		}
		pullWidgets = append(pullWidgets, awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String("Pulls of " + repo + " per region (RepositoryPullCount, per hour)"),
			Left:  &lines,
			Width: jsii.Number(12),
		}))
	}
	// A fleet: the most pulled repositories of the namespace, per region (one SEARCH each).
	if len(s.watched) < len(props.RepositoryNames) {
		for _, region := range s.regions() {
			pullWidgets = append(pullWidgets, awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
				Title: jsii.String(fmt.Sprintf("The %d most pulled repositories in %s (RepositoryPullCount, per hour)", summaryTop, region)),
				Left: ptr(search{label: "", schemas: []string{"RepositoryName"}, namespace: "AWS/ECR", metricName: "RepositoryPullCount",
					terms: namespaceTerm(props.RepositoryPrefix), statistic: "Sum", region: region, account: s.destinationMetricAccount(region), top: summaryTop}.expressions()),
				Region: jsii.String(region),
				Width:  jsii.Number(12),
			}))
		}
	}
	addRows(d, pullWidgets)
}

// pushRow adds pushes per repository (push rules) and account-level PutImage calls.
func (s *SourceMonitor) pushRow(d awscloudwatch.Dashboard) {
	// Pushes: per repository from the push rules, and account-level PutImage calls.
	var pushLines []awscloudwatch.IMetric
	for _, repo := range s.watched {
		pushLines = append(pushLines, s.MetricPushes(repo, &awscloudwatch.MetricOptions{Period: hour()}))
	}
	if s.NamespacePushRule != nil {
		pushLines = append(pushLines, s.MetricNamespacePushes(&awscloudwatch.MetricOptions{Period: hour()}))
	}

	d.AddWidgets(
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String("Pushes per repository (ECR Image Action PUSH events, per hour)"),
			Left:  &pushLines,
			Width: jsii.Number(12),
		}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String("PutImage API calls, whole account and region (AWS/Usage CallCount, per hour)"),
			Left: ptr(search{label: "PutImage calls", schemas: usageAPISchemas, namespace: "AWS/Usage", metricName: "CallCount",
				terms: `Service="ECR" Type="API" Resource="PutImage"`, statistic: "Sum"}.expressions()),
			Width: jsii.Number(12),
		}),
	)
}

// countRows adds image counts per repository and region (AWS/Usage ResourceCount) and the ECR line of the estimated charges.
func (s *SourceMonitor) countRows(d awscloudwatch.Dashboard) {
	props := s.props
	stack := awscdk.Stack_Of(s)
	sourceRegion := *stack.Region()
	// Image counts per repository and region (AWS/Usage ResourceCount), and the ECR line of
	// the estimated charges (us-east-1 only, needs billing alerts).
	var countWidgets []awscloudwatch.IWidget
	for _, region := range s.regions() {
		var lines []awscloudwatch.IMetric
		account := ""
		if region != sourceRegion {
			account = s.destinationMetricAccount(region)
		}
		for _, repo := range s.watched {
			lines = append(lines, search{label: repo, schemas: usageResourceSchemas, namespace: "AWS/Usage", metricName: "ResourceCount",
				terms:     fmt.Sprintf(`Service="ECR" Resource="ImagesPerRepositoryCount" ResourceId="repository/%s"`, repo),
				statistic: "Maximum", region: region, account: account}.expressions()...)
		}
		if len(s.watched) < len(props.RepositoryNames) {
			// A fleet: the repositories with the most images, in one SEARCH per schema.
			lines = append(lines, search{label: "", schemas: usageResourceSchemas, namespace: "AWS/Usage", metricName: "ResourceCount",
				terms:     `Service="ECR" Resource="ImagesPerRepositoryCount" ` + namespaceTerm(props.RepositoryPrefix),
				statistic: "Maximum", region: region, account: account, top: summaryTop}.expressions()...)
		}
		countWidgets = append(countWidgets, awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title:  jsii.String("Images per repository in " + region + " (AWS/Usage ResourceCount)"),
			Left:   &lines,
			Region: jsii.String(region),
			Width:  jsii.Number(12),
		}))
	}
	countWidgets = append(countWidgets, awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title: jsii.String("ECR estimated charges, USD month to date (AWS/Billing, us-east-1, needs billing alerts)"),
		Left: ptr(search{label: "Amazon ECR", schemas: billingSchemas, namespace: "AWS/Billing", metricName: "EstimatedCharges",
			terms: `ServiceName="AmazonECR" Currency="USD"`, statistic: "Maximum", region: "us-east-1"}.expressions()),
		Region: jsii.String("us-east-1"),
		Width:  jsii.Number(12),
	}))
	addRows(d, countWidgets)
}

// findingsRow adds scans with findings and lifecycle records.
func (s *SourceMonitor) findingsRow(d awscloudwatch.Dashboard) {
	stack := awscdk.Stack_Of(s)
	sourceRegion := *stack.Region()
	// Findings and lifecycle records.
	var findings []awscloudwatch.IMetric
	if s.ScanFindingsRule != nil {
		findings = append(findings, ruleMetric(scanFindingsRuleName(s.namePrefix), "Basic scans with CRITICAL/HIGH", "", "", &awscloudwatch.MetricOptions{Period: hour()}))
	}
	if s.InspectorFindingsRule != nil {
		findings = append(findings, ruleMetric(inspectorFindingsRuleName(s.namePrefix), "Inspector scans with CRITICAL/HIGH", "", "", &awscloudwatch.MetricOptions{Period: hour()}))
	}
	var lifecycle []awscloudwatch.IMetric
	for _, region := range s.regions() {
		account := ""
		if region != sourceRegion {
			account = s.destinationMetricAccount(region)
		}
		lifecycle = append(lifecycle, ruleMetric(lifecycleRuleName(s.namePrefix), region, region, account, &awscloudwatch.MetricOptions{Period: hour()}))
	}
	var row []awscloudwatch.IWidget
	if len(findings) > 0 {
		row = append(row, awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String("Scans with CRITICAL or HIGH findings (notifications sent, per hour)"),
			Left:  &findings,
			Width: jsii.Number(12),
		}))
	}
	row = append(row, awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title: jsii.String("Lifecycle expiration records per region (CloudTrail PolicyExecutionEvent, per hour)"),
		Left:  &lifecycle,
		Width: jsii.Number(12),
	}))
	d.AddWidgets(row...)
}

// alarmRow adds the status of the activity alarms.
func (s *SourceMonitor) alarmRow(d awscloudwatch.Dashboard) {
	stack := awscdk.Stack_Of(s)
	sourceRegion := *stack.Region()
	if alarms := s.Alarms(); len(alarms) > 0 {
		refs := make([]interfacesawscloudwatch.IAlarmRef, len(alarms))
		for i, a := range alarms {
			refs[i] = a
		}
		d.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
			Title:  jsii.String("Activity alarms in " + sourceRegion),
			Alarms: &refs,
			Width:  jsii.Number(24),
		}))
	}
}

// addRows adds widgets of width 12 two by two.
func addRows(d awscloudwatch.Dashboard, widgets []awscloudwatch.IWidget) {
	for i := 0; i < len(widgets); i += 2 {
		end := i + 2
		if end > len(widgets) {
			end = len(widgets)
		}
		d.AddWidgets(widgets[i:end]...)
	}
}

func ptr[T any](v T) *T { return &v }

// storageRows adds, per region, the logical bytes under the namespace and the configured
// repositories, as each region's measurement.StorageMetrics publishes them.
func (s *SourceMonitor) storageRows(d awscloudwatch.Dashboard) {
	if !s.props.Storage {
		return
	}
	var widgets []awscloudwatch.IWidget
	for _, region := range s.regions() {
		lines := measurement.StorageMetricsIn(region, s.destinationMetricAccount(region), s.props.RepositoryPrefix, s.props.StorageRepositoryMetrics)
		widgets = append(widgets, awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title:  jsii.String(fmt.Sprintf("Storage in %s (logical bytes: layers shared between images count once per image)", region)),
			Left:   &lines,
			Region: jsii.String(region),
			Width:  jsii.Number(12),
		}))
	}
	addRows(d, widgets)
}

// latencyRow adds the replication-latency widgets.
func (s *SourceMonitor) latencyRow(d awscloudwatch.Dashboard) {
	if s.props.Latency != nil {
		d.AddWidgets(s.props.Latency.Widgets()...)
	}
}

// summaryTop is how many repositories a fleet's summary widgets show.
const summaryTop = 10

// namespaceTerm is a SEARCH term that keeps the metrics whose dimension values contain the
// namespace's words (a SEARCH matches partial tokens; it cannot match a prefix exactly, so
// other namespaces sharing the words may show too, which the widget titles say).
func namespaceTerm(prefix string) string {
	return fmt.Sprintf("%q", strings.Trim(prefix, "/"))
}
