package monitoring

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// DefaultAnomalyStdDevs is the default width of the anomaly-detection band.
const DefaultAnomalyStdDevs = 3.0

// Destination is one region (and account) that receives replicated images.
type Destination struct {
	// Region receives the replicated images; a plain region name. Required.
	Region string

	// Account owns the destination registry. When it differs from the source account, the
	// destination's metrics and alarms live in that account and the source dashboard shows
	// them only if CloudWatch cross-account observability shares them (see README.md).
	//
	// Default: - the source stack's account (same-account replication).
	Account string
}

// SourceMonitorProps configures SourceMonitor.
type SourceMonitorProps struct {
	// RepositoryPrefix is the repository namespace, such as "enterprise-apps". Scan findings
	// and lifecycle expirations are watched for every repository under "<prefix>/". Required.
	RepositoryPrefix string

	// RepositoryNames are the full names of the replicated repositories, such as
	// "enterprise-apps/production"; each must be under RepositoryPrefix. Pulls, pushes and
	// image counts are shown, and alarmed on, per repository. Required, at least one.
	RepositoryNames []string

	// Destinations are the replica regions shown on the dashboard. Required, at least one.
	Destinations []Destination

	// SourceAccount is the account of the source registry, used to tell cross-account
	// destinations apart.
	//
	// Default: - the stack's account; a destination with an Account is then treated as
	// cross-account.
	SourceAccount string

	// AlertTopic receives the state changes of the activity alarms. It must be in this
	// stack's region. Required.
	AlertTopic awssns.ITopic

	// SecurityTopic receives basic-scan (and, with EnhancedScanning, Amazon Inspector)
	// results with CRITICAL or HIGH findings.
	//
	// Default: - no scan-findings rules.
	SecurityTopic awssns.ITopic

	// LifecycleTopic receives lifecycle-policy expirations in the source region.
	//
	// Default: - no lifecycle rule in the source region.
	LifecycleTopic awssns.ITopic

	// ActivityAlarms creates the anomaly-detection alarms on pulls and pushes (two per
	// repository; each bills as three alarm metrics).
	//
	// Default: true
	ActivityAlarms *bool

	// AnomalyStdDevs is the width of the anomaly-detection band, in standard deviations.
	//
	// Default: 3
	AnomalyStdDevs float64

	// EnhancedScanning adds the Amazon Inspector ("Inspector2 Scan") findings rule, for
	// registries whose scanning configuration is ENHANCED.
	//
	// Default: false
	EnhancedScanning bool

	// NamePrefix starts rule, alarm and dashboard names; use the same value in every stack
	// of the app, since the dashboard finds replica rules and alarms by name.
	//
	// Default: - DefaultNamePrefix(RepositoryPrefix)
	NamePrefix string

	// DashboardName names the dashboard: 1-255 characters of A-Z a-z 0-9 - _.
	//
	// Default: - "<NamePrefix>-replication", with "." turned into "-" (dashboard names
	// allow no dots).
	DashboardName string

	// EventLogRetention is how long the push events kept in CloudWatch Logs are retained.
	//
	// Default: awslogs.RetentionDays_ONE_MONTH
	EventLogRetention awslogs.RetentionDays
}

func (p *SourceMonitorProps) namePrefix() string {
	if p.NamePrefix == "" {
		return DefaultNamePrefix(p.RepositoryPrefix)
	}
	return p.NamePrefix
}

func (p *SourceMonitorProps) stdDevs() float64 {
	if p.AnomalyStdDevs == 0 {
		return DefaultAnomalyStdDevs
	}
	return p.AnomalyStdDevs
}

func (p *SourceMonitorProps) validate() error {
	var errs []error
	if err := checkNamespace("repositoryPrefix", p.RepositoryPrefix); err != nil {
		errs = append(errs, err)
	}
	if len(p.RepositoryNames) == 0 {
		errs = append(errs, errors.New("repositoryNames: required, at least one repository such as \"enterprise-apps/production\""))
	}
	seen := map[string]bool{}
	namespace := strings.Trim(p.RepositoryPrefix, "/") + "/"
	for _, name := range p.RepositoryNames {
		switch {
		case !strings.HasPrefix(name, namespace) || len(name) == len(namespace):
			errs = append(errs, fmt.Errorf("repositoryNames: got %q, want a repository under %q", name, namespace))
		case seen[name]:
			errs = append(errs, fmt.Errorf("repositoryNames: %q is listed twice", name))
		}
		seen[name] = true
	}
	if len(p.Destinations) == 0 {
		errs = append(errs, errors.New("destinations: required, at least one destination region"))
	}
	seenDest := map[Destination]bool{}
	for i, d := range p.Destinations {
		if err := checkRegion(fmt.Sprintf("destinations[%d].region", i), d.Region, true); err != nil {
			errs = append(errs, err)
		}
		if err := checkAccount(fmt.Sprintf("destinations[%d].account", i), d.Account); err != nil {
			errs = append(errs, err)
		}
		if seenDest[d] {
			errs = append(errs, fmt.Errorf("destinations[%d]: %s %s is listed twice", i, d.Region, d.Account))
		}
		seenDest[d] = true
	}
	if err := checkAccount("sourceAccount", p.SourceAccount); err != nil {
		errs = append(errs, err)
	}
	if p.AlertTopic == nil {
		errs = append(errs, errors.New("alertTopic: required, the alert topic of the source region"))
	}
	if s := p.stdDevs(); s <= 0 || math.IsNaN(s) {
		errs = append(errs, fmt.Errorf("anomalyStdDevs: got %v, want a number above 0", s))
	}
	if p.DashboardName != "" && !dashboardNameRegexp.MatchString(p.DashboardName) {
		errs = append(errs, fmt.Errorf("dashboardName: got %q, want 1-255 characters of A-Za-z0-9_-", p.DashboardName))
	}
	if err := checkNamePrefix("namePrefix", p.NamePrefix); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// SourceMonitor watches the source region (pull and push activity, image counts, scan
// findings, lifecycle expirations) and owns the one dashboard that shows every region.
type SourceMonitor struct {
	constructs.Construct

	// PushRules count successful pushes, one rule per repository (RepositoryNames order).
	PushRules []awsevents.CfnRule
	// ActivityLog keeps the push events matched by PushRules.
	ActivityLog awslogs.LogGroup
	// ScanFindingsRule notifies basic scans with CRITICAL or HIGH findings; nil without a
	// SecurityTopic.
	ScanFindingsRule awsevents.CfnRule
	// InspectorFindingsRule notifies Amazon Inspector scans with CRITICAL or HIGH findings;
	// nil unless EnhancedScanning and SecurityTopic are set.
	InspectorFindingsRule awsevents.CfnRule
	// Lifecycle notifies expirations in the source region; nil without a LifecycleTopic.
	Lifecycle *LifecycleNotifications
	// PullAlarms and PushAlarms are the anomaly-detection alarms (RepositoryNames order);
	// empty when ActivityAlarms is false.
	PullAlarms []awscloudwatch.AnomalyDetectionAlarm
	PushAlarms []awscloudwatch.AnomalyDetectionAlarm
	// Dashboard shows every region.
	Dashboard awscloudwatch.Dashboard

	props      SourceMonitorProps
	namePrefix string
}

// hour is the period of activity metrics and dashboard graphs. (A function: a package-level
// jsii value would start the jsii kernel at import time.)
func hour() awscdk.Duration { return awscdk.Duration_Hours(jsii.Number(1)) }

// NewSourceMonitor creates the source-region rules, alarms and the dashboard.
func NewSourceMonitor(scope constructs.Construct, id string, props *SourceMonitorProps) *SourceMonitor {
	if props == nil {
		props = &SourceMonitorProps{}
	}
	if err := props.validate(); err != nil {
		panic(err)
	}
	s := &SourceMonitor{props: *props, namePrefix: props.namePrefix()}
	constructs.NewConstruct_Override(s, scope, &id)
	if region := *awscdk.Stack_Of(s).Region(); isToken(region) {
		panic(errors.New("source monitor: the stack has no concrete region (Env.Region); rule names and the dashboard need the source region at synth time"))
	}
	namespace := strings.Trim(props.RepositoryPrefix, "/") + "/"

	s.ActivityLog = eventLog(s, "ActivityLog", props.EventLogRetention)
	pushes := constructs.NewConstruct(s, jsii.String("Pushes"))
	for i, repo := range props.RepositoryNames {
		s.PushRules = append(s.PushRules, newRule(pushes, ruleSpec{
			id:          fmt.Sprintf("Repository%d", i),
			name:        PushRuleName(s.namePrefix, props.RepositoryPrefix, repo),
			description: "Successful pushes to " + repo,
			pattern:     pushPattern(repo),
			log:         s.ActivityLog,
		}))
	}

	if props.SecurityTopic != nil {
		s.ScanFindingsRule = newRule(s, ruleSpec{
			id:          "ScanFindingsRule",
			name:        ScanFindingsRuleName(s.namePrefix),
			description: "Basic scans of " + namespace + " with CRITICAL or HIGH findings",
			pattern:     basicScanFindingsPattern(props.RepositoryPrefix),
			topic:       props.SecurityTopic,
			message: &topicMessage{
				paths: map[string]string{
					"repository": "$.detail.repository-name",
					"digest":     "$.detail.image-digest",
					"critical":   "$.detail.finding-severity-counts.CRITICAL",
					"high":       "$.detail.finding-severity-counts.HIGH",
					"region":     "$.region",
					"account":    "$.account",
					"time":       "$.time",
				},
				template: "ECR basic scan found vulnerabilities in <repository> (<digest>), region <region>, account <account>, at <time>: " +
					"CRITICAL <critical>, HIGH <high> (an empty count means none). Details: aws ecr describe-image-scan-findings.",
			},
		})
		if props.EnhancedScanning {
			s.InspectorFindingsRule = newRule(s, ruleSpec{
				id:          "InspectorFindingsRule",
				name:        InspectorFindingsRuleName(s.namePrefix),
				description: "Amazon Inspector scans of " + namespace + " with CRITICAL or HIGH findings",
				pattern:     inspectorScanFindingsPattern(props.RepositoryPrefix),
				topic:       props.SecurityTopic,
				message: &topicMessage{
					paths: map[string]string{
						"repository": "$.detail.repository-name",
						"digest":     "$.detail.image-digest",
						"critical":   "$.detail.finding-severity-counts.CRITICAL",
						"high":       "$.detail.finding-severity-counts.HIGH",
						"total":      "$.detail.finding-severity-counts.TOTAL",
						"status":     "$.detail.scan-status",
						"region":     "$.region",
						"time":       "$.time",
					},
					template: "Amazon Inspector (ECR enhanced scanning, <status>) found vulnerabilities in <repository> (<digest>), " +
						"region <region>, at <time>: CRITICAL <critical>, HIGH <high>, TOTAL <total>. Details: Amazon Inspector findings.",
				},
			})
		}
	}

	if props.LifecycleTopic != nil {
		s.Lifecycle = NewLifecycleNotifications(s, "Lifecycle", &LifecycleNotificationsProps{
			RepositoryPrefix: props.RepositoryPrefix,
			Topic:            props.LifecycleTopic,
			NamePrefix:       s.namePrefix,
		})
	}

	if props.ActivityAlarms == nil || *props.ActivityAlarms {
		action := awscloudwatchactions.NewSnsAction(props.AlertTopic)
		for i, repo := range props.RepositoryNames {
			pull := s.anomalyAlarm(fmt.Sprintf("UnusualPulls%d", i), PullAnomalyAlarmName(s.namePrefix, props.RepositoryPrefix, repo),
				s.MetricPulls(repo, "", &awscloudwatch.MetricOptions{Period: hour()}),
				fmt.Sprintf("Pulls of %s (AWS/ECR RepositoryPullCount, hourly sum) were above the expected band (%g standard deviations) for 2 hours. "+
					"Check who pulls (CloudTrail BatchGetImage / GetDownloadUrlForLayer): a new deployment or scaling, or credentials used from elsewhere.", repo, props.stdDevs()))
			push := s.anomalyAlarm(fmt.Sprintf("UnusualPushes%d", i), PushAnomalyAlarmName(s.namePrefix, props.RepositoryPrefix, repo),
				s.MetricPushes(repo, &awscloudwatch.MetricOptions{Period: hour()}),
				fmt.Sprintf("Pushes to %s (EventBridge rule %s, AWS/Events TriggeredRules, hourly sum) were above the expected band (%g standard deviations) for 2 hours. "+
					"Check CloudTrail PutImage callers: a CI loop, or a credential pushing images it should not.", repo, PushRuleName(s.namePrefix, props.RepositoryPrefix, repo), props.stdDevs()))
			pull.AddAlarmAction(action)
			push.AddAlarmAction(action)
			s.PullAlarms = append(s.PullAlarms, pull)
			s.PushAlarms = append(s.PushAlarms, push)
		}
	}

	s.Dashboard = s.dashboard()
	return s
}

func (s *SourceMonitor) anomalyAlarm(id, name string, metric awscloudwatch.IMetric, description string) awscloudwatch.AnomalyDetectionAlarm {
	return awscloudwatch.NewAnomalyDetectionAlarm(s, jsii.String(id), &awscloudwatch.AnomalyDetectionAlarmProps{
		AlarmName:          jsii.String(name),
		AlarmDescription:   jsii.String(description),
		Metric:             metric,
		StdDevs:            jsii.Number(s.props.stdDevs()),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_UPPER_THRESHOLD,
		EvaluationPeriods:  jsii.Number(2),
		DatapointsToAlarm:  jsii.Number(2),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
}

// MetricPulls is AWS/ECR RepositoryPullCount (Sum) of one repository in region (empty for
// this stack's region), the only metric the AWS/ECR namespace has. Replicas keep the
// repository name, so the same call shows pulls of the replica in a destination region.
func (s *SourceMonitor) MetricPulls(repositoryName, region string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	props := &awscloudwatch.MetricProps{
		Namespace:     jsii.String("AWS/ECR"),
		MetricName:    jsii.String("RepositoryPullCount"),
		DimensionsMap: &map[string]*string{"RepositoryName": jsii.String(repositoryName)},
		Statistic:     jsii.String("Sum"),
		Label:         jsii.String(repositoryName),
	}
	if region != "" {
		props.Region = jsii.String(region)
		props.Label = jsii.String(region)
		if account := s.destinationMetricAccount(region); account != "" {
			props.Account = jsii.String(account)
		}
	}
	return withOptions(awscloudwatch.NewMetric(props), opts)
}

// MetricPushes counts successful pushes to one repository (AWS/Events TriggeredRules of its
// push rule, Sum). ECR publishes no push metric; this one counts "ECR Image Action" PUSH
// events, which EventBridge delivers on a best-effort basis.
func (s *SourceMonitor) MetricPushes(repositoryName string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return ruleMetric(PushRuleName(s.namePrefix, s.props.RepositoryPrefix, repositoryName), repositoryName, "", "", opts)
}

// Alarms returns every alarm created here.
func (s *SourceMonitor) Alarms() []awscloudwatch.IAlarm {
	var alarms []awscloudwatch.IAlarm
	for _, a := range s.PullAlarms {
		alarms = append(alarms, a)
	}
	for _, a := range s.PushAlarms {
		alarms = append(alarms, a)
	}
	return alarms
}

// destinationMetricAccount returns the account to read a destination region's metrics
// from, or "" for this account.
func (s *SourceMonitor) destinationMetricAccount(region string) string {
	for _, d := range s.props.Destinations {
		if d.Region == region && d.Account != "" && d.Account != s.props.SourceAccount {
			return d.Account
		}
	}
	return ""
}

func (s *SourceMonitor) regions() []string {
	stack := awscdk.Stack_Of(s)
	regions := []string{*stack.Region()}
	seen := map[string]bool{regions[0]: true}
	for _, d := range s.props.Destinations {
		if !seen[d.Region] {
			seen[d.Region] = true
			regions = append(regions, d.Region)
		}
	}
	return regions
}

// searchExpressions returns one SEARCH per metric schema, for the same search term. AWS/Usage
// documents its dimensions but not whether ECR metrics also carry the Class dimension
// (ECR "does not use" it); a schema matches an exact dimension set, so both variants are
// searched and the one that does not exist stays empty.
func searchExpressions(label string, schemas []string, term, statistic, region, account string) []awscloudwatch.IMetric {
	var out []awscloudwatch.IMetric
	for _, schema := range schemas {
		props := &awscloudwatch.SearchExpressionProps{
			Expression: jsii.String(fmt.Sprintf("SEARCH('{%s} %s', '%s', 3600)", schema, term, statistic)),
			Label:      jsii.String(label),
			Period:     hour(),
		}
		if region != "" {
			props.SearchRegion = jsii.String(region)
		}
		if account != "" {
			props.SearchAccount = jsii.String(account)
		}
		out = append(out, awscloudwatch.NewSearchExpression(props))
	}
	return out
}

var (
	usageAPISchemas      = []string{"AWS/Usage,Class,Resource,Service,Type", "AWS/Usage,Resource,Service,Type"}
	usageResourceSchemas = []string{"AWS/Usage,Class,Resource,ResourceId,Service,Type", "AWS/Usage,Resource,ResourceId,Service,Type"}
	billingSchemas       = []string{"AWS/Billing,Currency,ServiceName"}
)

func (s *SourceMonitor) dashboard() awscloudwatch.Dashboard {
	props := s.props
	stack := awscdk.Stack_Of(s)
	sourceRegion := *stack.Region()
	name := props.DashboardName
	if name == "" {
		name = strings.ReplaceAll(s.namePrefix, ".", "-") + "-replication"
	}
	d := awscloudwatch.NewDashboard(s, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName:   jsii.String(name),
		DefaultInterval: awscdk.Duration_Days(jsii.Number(7)),
	})
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

	// Replication outcomes and the failure-rate alarm of each destination.
	for i, dest := range props.Destinations {
		account := ""
		if dest.Account != "" && dest.Account != props.SourceAccount {
			account = dest.Account
		}
		succeeded := ruleMetric(ReplicationSucceededRuleName(s.namePrefix, sourceRegion), "Replicated", dest.Region, account,
			&awscloudwatch.MetricOptions{Period: hour()})
		failed := ruleMetric(ReplicationFailedRuleName(s.namePrefix, sourceRegion), "Failed", dest.Region, account,
			&awscloudwatch.MetricOptions{Period: hour(), Color: awscloudwatch.Color_RED()})
		graph := &awscloudwatch.GraphWidgetProps{
			Title:  jsii.String(fmt.Sprintf("Replication %s → %s (images per hour)", sourceRegion, dest.Region)),
			Left:   &[]awscloudwatch.IMetric{succeeded, failed},
			Region: jsii.String(dest.Region),
			Width:  jsii.Number(12),
		}
		alarmAccount := dest.Account
		if alarmAccount == "" {
			alarmAccount = *stack.Account()
		}
		alarmArn := fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", *stack.Partition(), dest.Region, alarmAccount,
			ReplicationFailureRateAlarmName(s.namePrefix, sourceRegion))
		alarm := awscloudwatch.Alarm_FromAlarmArn(s, jsii.String(fmt.Sprintf("ReplicaAlarm%d", i)), jsii.String(alarmArn))
		alarmWidget := &awscloudwatch.AlarmWidgetProps{
			Title:  jsii.String(fmt.Sprintf("Failure-rate alarm in %s", dest.Region)),
			Alarm:  alarm,
			Region: jsii.String(dest.Region),
			Width:  jsii.Number(12),
		}
		if account != "" {
			graph.AccountId = jsii.String(account)
			alarmWidget.AccountId = jsii.String(account)
		}
		d.AddWidgets(awscloudwatch.NewGraphWidget(graph), awscloudwatch.NewAlarmWidget(alarmWidget))
	}

	// Pulls per repository, one line per region.
	var pullWidgets []awscloudwatch.IWidget
	for _, repo := range props.RepositoryNames {
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
	addRows(d, pullWidgets)

	// Pushes: per repository from the push rules, and account-level PutImage calls.
	var pushLines []awscloudwatch.IMetric
	for _, repo := range props.RepositoryNames {
		pushLines = append(pushLines, s.MetricPushes(repo, &awscloudwatch.MetricOptions{Period: hour()}))
	}
	d.AddWidgets(
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String("Pushes per repository (ECR Image Action PUSH events, per hour)"),
			Left:  &pushLines,
			Width: jsii.Number(12),
		}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String("PutImage API calls, whole account and region (AWS/Usage CallCount, per hour)"),
			Left: ptr(searchExpressions("PutImage calls", usageAPISchemas,
				`MetricName="CallCount" Service="ECR" Type="API" Resource="PutImage"`, "Sum", "", "")),
			Width: jsii.Number(12),
		}),
	)

	// Image counts per repository and region (AWS/Usage ResourceCount), and the ECR line of
	// the estimated charges (us-east-1 only, needs billing alerts).
	var countWidgets []awscloudwatch.IWidget
	for _, region := range s.regions() {
		var lines []awscloudwatch.IMetric
		account := ""
		if region != sourceRegion {
			account = s.destinationMetricAccount(region)
		}
		for _, repo := range props.RepositoryNames {
			lines = append(lines, searchExpressions(repo, usageResourceSchemas,
				fmt.Sprintf(`MetricName="ResourceCount" Service="ECR" Resource="ImagesPerRepositoryCount" ResourceId="repository/%s"`, repo),
				"Maximum", region, account)...)
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
		Left: ptr(searchExpressions("Amazon ECR", billingSchemas,
			`MetricName="EstimatedCharges" ServiceName="AmazonECR" Currency="USD"`, "Maximum", "us-east-1", "")),
		Region: jsii.String("us-east-1"),
		Width:  jsii.Number(12),
	}))
	addRows(d, countWidgets)

	// Findings and lifecycle records.
	var findings []awscloudwatch.IMetric
	if s.ScanFindingsRule != nil {
		findings = append(findings, ruleMetric(ScanFindingsRuleName(s.namePrefix), "Basic scans with CRITICAL/HIGH", "", "", &awscloudwatch.MetricOptions{Period: hour()}))
	}
	if s.InspectorFindingsRule != nil {
		findings = append(findings, ruleMetric(InspectorFindingsRuleName(s.namePrefix), "Inspector scans with CRITICAL/HIGH", "", "", &awscloudwatch.MetricOptions{Period: hour()}))
	}
	var lifecycle []awscloudwatch.IMetric
	for _, region := range s.regions() {
		account := ""
		if region != sourceRegion {
			account = s.destinationMetricAccount(region)
		}
		lifecycle = append(lifecycle, ruleMetric(LifecycleRuleName(s.namePrefix), region, region, account, &awscloudwatch.MetricOptions{Period: hour()}))
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
	return d
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
