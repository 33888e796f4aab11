package monitoring

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/checks"
	"github.com/acme-platform/ecr-replication/constructs/internal/naming"
	"github.com/acme-platform/ecr-replication/constructs/measurement"
	"github.com/acme-platform/ecr-replication/replication"
)

// DefaultAnomalyStdDevs is the default width of the anomaly-detection band.
const DefaultAnomalyStdDevs = 3.0

// MaxActivityRepositories bounds ActivityRepositories: each watched repository adds two anomaly
// alarms (about $0.60 a month) and a widget with a line per region to the dashboard.
const MaxActivityRepositories = 25

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
	Destinations []replication.Destination

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

	// ActivityRepositories are the repositories watched one by one: a push rule each and, with
	// ActivityAlarms, an anomaly alarm on its pulls and one on its pushes. The other
	// repositories are counted together by one namespace push rule (with one alarm).
	//
	// Default: - every repository when there are at most DefaultActivityRepositories, else
	// none.
	ActivityRepositories []string

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

	// Storage adds the storage widgets: in every region (this one and the destinations) the
	// logical bytes under the namespace that a measurement.StorageMetrics of that region (with
	// the default Namespace) measures, and the repositories of StorageRepositoryMetrics.
	//
	// Default: false
	Storage bool

	// StorageRepositoryMetrics are the repositories whose own storage metric is charted.
	//
	// Default: - none.
	StorageRepositoryMetrics []string

	// Latency adds the replication-latency widgets (p50 and p90 per destination).
	//
	// Default: - none.
	Latency *measurement.ReplicationLatency

	// NamePrefix starts rule, alarm and dashboard names; use the same value in every stack
	// of the app, since the dashboard finds replica rules and alarms by name.
	//
	// Default: - DefaultNamePrefix(RepositoryPrefix)
	NamePrefix string

	// Dashboard is a dashboard several monitors share (one per namespace of a deployment that
	// several teams share): this monitor adds its rows to it, under a heading naming its
	// namespace, instead of creating one; DashboardName is then ignored.
	//
	// Default: - the monitor creates its own dashboard.
	Dashboard awscloudwatch.Dashboard

	// DashboardName names the dashboard: 1-255 characters of A-Z a-z 0-9 - _.
	//
	// Default: - "<NamePrefix>-replication", with "." turned into "-" (dashboard names
	// allow no dots).
	DashboardName string

	// EventLog is a log group several monitors of one stack share (NewEventLog): one per
	// namespace would use up the account's 10 CloudWatch Logs resource policies per region.
	//
	// Default: - the monitor creates its own.
	EventLog awslogs.LogGroup

	// EventLogRetention is how long the push events kept in CloudWatch Logs are retained.
	//
	// Default: awslogs.RetentionDays_ONE_MONTH
	EventLogRetention awslogs.RetentionDays

	// EventLogKey encrypts the event log (its key policy must let logs.<region>.amazonaws.com
	// use it), and EventLogRemovalPolicy says what `cdk destroy` does to it.
	//
	// Default: - CloudWatch Logs' own encryption; retained.
	EventLogKey           awskms.IKey
	EventLogRemovalPolicy awscdk.RemovalPolicy
}

func (p *SourceMonitorProps) stdDevs() float64 {
	if p.AnomalyStdDevs == 0 {
		return DefaultAnomalyStdDevs
	}
	return p.AnomalyStdDevs
}

// dashboardNameRegexp is CloudWatch's rule for dashboard names (no dots).
var dashboardNameRegexp = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// check records every problem of the props for a monitor in scope, whose stack needs a
// concrete region: rule names and the dashboard name the source region.
func (p *SourceMonitorProps) check(problems *checks.Problems, scope constructs.Construct) {
	naming.Namespace(problems, "RepositoryPrefix", p.RepositoryPrefix)
	p.checkRepositories(problems)
	p.checkDestinations(problems)
	naming.Account(problems, "SourceAccount", p.SourceAccount)
	if p.AlertTopic == nil {
		problems.Missing("AlertTopic", "the alert topic of the source region")
	}
	if s := p.stdDevs(); s <= 0 || math.IsNaN(s) {
		problems.Add("AnomalyStdDevs", s, "a number above 0")
	}
	if p.DashboardName != "" && !dashboardNameRegexp.MatchString(p.DashboardName) {
		problems.Add("DashboardName", p.DashboardName, "1-255 characters of A-Za-z0-9_-")
	}
	naming.NamePrefix(problems, "NamePrefix", p.NamePrefix)
	if awsid.IsToken(*awscdk.Stack_Of(scope).Region()) {
		problems.Add("Env.Region", naming.Unresolved, "the stack's concrete region: rule names and the dashboard need the source region at synth time")
	}
}

// checkRepositories checks RepositoryNames and ActivityRepositories.
func (p *SourceMonitorProps) checkRepositories(problems *checks.Problems) {
	if len(p.RepositoryNames) == 0 {
		problems.Missing("RepositoryNames", `at least one repository such as "enterprise-apps/production"`)
	}
	namespace := p.RepositoryPrefix + "/"
	for i, name := range p.RepositoryNames {
		field := fmt.Sprintf("RepositoryNames[%d]", i)
		switch {
		case !strings.HasPrefix(name, namespace) || len(name) == len(namespace):
			problems.Add(field, name, fmt.Sprintf("a repository under %q", namespace))
		case slices.Contains(p.RepositoryNames[:i], name):
			problems.Add(field, name, "each repository once")
		}
	}
	for i, n := range p.ActivityRepositories {
		if !slices.Contains(p.RepositoryNames, n) {
			problems.Add(fmt.Sprintf("ActivityRepositories[%d]", i), n, "one of RepositoryNames")
		}
	}
	if n := len(p.ActivityRepositories); n > MaxActivityRepositories {
		problems.Add("ActivityRepositories", n, fmt.Sprintf("at most %d repositories (two anomaly alarms and a dashboard widget each; the namespace rule counts the others)", MaxActivityRepositories))
	}
}

// checkDestinations checks Destinations: at least one, each region and account once.
func (p *SourceMonitorProps) checkDestinations(problems *checks.Problems) {
	naming.Destinations(problems, "Destinations", p.Destinations)
	for i, d := range p.Destinations {
		if slices.Contains(p.Destinations[:i], d) {
			problems.Add(fmt.Sprintf("Destinations[%d]", i), d.Region+" "+d.Account, "each destination once")
		}
	}
}

// SourceMonitor watches the source region (pull and push activity, image counts, scan
// findings, lifecycle expirations) and owns the one dashboard that shows every region.
type SourceMonitor struct {
	constructs.Construct

	// PushRules count successful pushes, one rule per watched repository.
	PushRules []awsevents.CfnRule
	// NamespacePushRule counts pushes to every repository of the namespace; nil when every
	// repository is watched one by one.
	NamespacePushRule awsevents.CfnRule
	// NamespacePushAlarm is the anomaly alarm on NamespacePushRule's count, or nil.
	NamespacePushAlarm awscloudwatch.Alarm
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
	// PullAlarms and PushAlarms are the anomaly-detection alarms of the watched repositories
	// (ActivityRepositories order); empty when ActivityAlarms is false.
	PullAlarms []awscloudwatch.Alarm
	PushAlarms []awscloudwatch.Alarm
	// Dashboard shows every region.
	Dashboard awscloudwatch.Dashboard

	props      SourceMonitorProps
	namePrefix string
	watched    []string
}

// NewSourceMonitor creates the source-region rules, alarms and the dashboard. Invalid props
// panic with a *checks.Error that lists every problem.
func NewSourceMonitor(scope constructs.Construct, id string, props *SourceMonitorProps) *SourceMonitor {
	props = naming.Checked("SourceMonitor", scope, id, props, (*SourceMonitorProps).check)
	s := &SourceMonitor{props: *props, namePrefix: naming.PrefixOr(props.NamePrefix, props.RepositoryPrefix), watched: props.watched()}
	constructs.NewConstruct_Override(s, scope, &id)

	s.addPushRules()
	s.addFindingsRules()

	if props.LifecycleTopic != nil {
		s.Lifecycle = NewLifecycleNotifications(s, "Lifecycle", &LifecycleNotificationsProps{
			RepositoryPrefix: props.RepositoryPrefix,
			Topic:            props.LifecycleTopic,
			NamePrefix:       s.namePrefix,
		})
	}

	if props.ActivityAlarms == nil || *props.ActivityAlarms {
		s.addActivityAlarms()
	}

	s.Dashboard = s.dashboard()
	return s
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

// NotifyingRuleNames returns the rules of this monitor that deliver to a topic (the findings
// rule and the lifecycle rule when present), for DeliveryAlarms.
func (s *SourceMonitor) NotifyingRuleNames() []string {
	var names []string
	for _, r := range []awsevents.CfnRule{s.ScanFindingsRule, s.InspectorFindingsRule} {
		if r != nil {
			names = append(names, *r.Name())
		}
	}
	if s.Lifecycle != nil {
		names = append(names, s.Lifecycle.RuleName)
	}
	return names
}
