package monitoring

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/awsid"
	"github.com/acme-platform/ecr-replication/constructs/internal/naming"
	"github.com/acme-platform/ecr-replication/constructs/internal/watch"
)

// The activity segment of the source region: pulls (AWS/ECR RepositoryPullCount, the only
// metric ECR publishes), pushes ("ECR Image Action" PUSH events counted by the AWS/Events
// TriggeredRules of a rule) and anomaly-detection alarms on both.
//
// Watched repositories (ActivityRepositories) get a push rule and two alarms each; a fleet's
// other repositories are counted together by one rule for the namespace, with one alarm on
// its pushes (per-repository pulls stay on the dashboard). Construct ids come from the
// repository's name, so adding or removing a repository changes no other resource.

// DefaultActivityRepositories is how many repositories are watched one by one when
// ActivityRepositories is not given: every repository of a deployment this small, none of a
// larger one (each watched repository costs two anomaly alarms, about $0.60 a month).
const DefaultActivityRepositories = 10

// watched returns the repositories watched one by one.
func (p *SourceMonitorProps) watched() []string {
	if p.ActivityRepositories != nil {
		return p.ActivityRepositories
	}
	if len(p.RepositoryNames) <= DefaultActivityRepositories {
		return p.RepositoryNames
	}
	return []string{}
}

// addPushRules creates the activity log, one push rule per watched repository and, when some
// repositories are not watched, the namespace's push rule.
func (s *SourceMonitor) addPushRules() {
	props := s.props
	s.ActivityLog = props.EventLog
	if s.ActivityLog == nil {
		s.ActivityLog = NewEventLog(s, "ActivityLog", &EventLogProps{Retention: props.EventLogRetention, EncryptionKey: props.EventLogKey, RemovalPolicy: props.EventLogRemovalPolicy})
	}
	pushes := constructs.NewConstruct(s, jsii.String("Pushes"))
	for _, repo := range s.watched {
		s.PushRules = append(s.PushRules, newRule(pushes, ruleSpec{
			id:          awsid.ConstructID(naming.ShortRepositoryName(props.RepositoryPrefix, repo)),
			name:        pushRuleName(s.namePrefix, props.RepositoryPrefix, repo),
			description: "Successful pushes to " + repo,
			pattern:     pushPattern(repo),
			log:         s.ActivityLog,
		}))
	}
	if len(s.watched) < len(props.RepositoryNames) {
		s.NamespacePushRule = newRule(pushes, ruleSpec{
			id:          "Namespace",
			name:        namespacePushRuleName(s.namePrefix),
			description: "Successful pushes to every repository under " + props.RepositoryPrefix + "/",
			pattern:     namespacePushPattern(props.RepositoryPrefix),
			log:         s.ActivityLog,
		})
	}
}

// addActivityAlarms creates the pull and push anomaly alarms of every watched repository, and
// the namespace's push alarm when some repositories are not watched.
func (s *SourceMonitor) addActivityAlarms() {
	props := s.props
	for _, repo := range s.watched {
		id := awsid.ConstructID(naming.ShortRepositoryName(props.RepositoryPrefix, repo))
		s.PullAlarms = append(s.PullAlarms, s.anomalyAlarm("PullAnomaly"+id, anomalyAlarmName(s.namePrefix, "pull", props.RepositoryPrefix, repo),
			s.MetricPulls(repo, "", &awscloudwatch.MetricOptions{Period: hour()}),
			fmt.Sprintf("Pulls of %s (AWS/ECR RepositoryPullCount, hourly sum) were above the expected band (%g standard deviations) for 2 hours. "+
				"Check who pulls (CloudTrail BatchGetImage / GetDownloadUrlForLayer): a new deployment or scaling, or credentials used from elsewhere.", repo, props.stdDevs())))
		s.PushAlarms = append(s.PushAlarms, s.anomalyAlarm("PushAnomaly"+id, anomalyAlarmName(s.namePrefix, "push", props.RepositoryPrefix, repo),
			s.MetricPushes(repo, &awscloudwatch.MetricOptions{Period: hour()}),
			fmt.Sprintf("Pushes to %s (EventBridge rule %s, AWS/Events TriggeredRules, hourly sum) were above the expected band (%g standard deviations) for 2 hours. "+
				"Check CloudTrail PutImage callers: a CI loop, or a credential pushing images it should not.", repo, pushRuleName(s.namePrefix, props.RepositoryPrefix, repo), props.stdDevs())))
	}
	if s.NamespacePushRule != nil {
		s.NamespacePushAlarm = s.anomalyAlarm("NamespacePushAnomaly", anomalyAlarmName(s.namePrefix, "push", props.RepositoryPrefix, ""),
			s.MetricNamespacePushes(&awscloudwatch.MetricOptions{Period: hour()}),
			fmt.Sprintf("Pushes to the repositories under %s/ (EventBridge rule %s, AWS/Events TriggeredRules, hourly sum) were above the expected "+
				"band (%g standard deviations) for 2 hours. The activity log group has every push: Logs Insights shows which repositories.",
				props.RepositoryPrefix, namespacePushRuleName(s.namePrefix), props.stdDevs()))
	}
}

// anomalyAlarm fires when metric is above its anomaly-detection band for 2 consecutive hours;
// activity normally drops at night, and a drop does not page.
func (s *SourceMonitor) anomalyAlarm(id, name string, metric awscloudwatch.IMetric, description string) awscloudwatch.Alarm {
	return watch.NewAlarm(s, id, watch.Spec{
		Name:           name,
		Description:    description,
		Metric:         metric,
		AnomalyStdDevs: s.props.stdDevs(),
		Periods:        2,
		Topic:          s.props.AlertTopic,
	})
}

// MetricPulls is AWS/ECR RepositoryPullCount (Sum) of one repository in region (empty for
// this stack's region), the only metric the AWS/ECR namespace has. Replicas keep the
// repository name, so the same call shows pulls of the replica in a destination region.
func (s *SourceMonitor) MetricPulls(repositoryName, region string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	if region == "" {
		return pullMetric(repositoryName, repositoryName, "", "", opts)
	}
	return pullMetric(repositoryName, region, region, s.destinationMetricAccount(region), opts)
}

// MetricPushes counts successful pushes to one watched repository (AWS/Events TriggeredRules
// of its push rule, Sum). ECR publishes no push metric; this one counts "ECR Image Action"
// PUSH events, which EventBridge delivers on a best-effort basis. It panics for a repository
// that is not watched (it has no rule of its own): use MetricNamespacePushes.
func (s *SourceMonitor) MetricPushes(repositoryName string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	if !slices.Contains(s.watched, repositoryName) {
		panic(fmt.Errorf("MetricPushes: %s is not one of the repositories watched one by one (ActivityRepositories)", repositoryName))
	}
	return ruleMetric(pushRuleName(s.namePrefix, s.props.RepositoryPrefix, repositoryName), repositoryName, "", "", opts)
}

// MetricNamespacePushes counts successful pushes to every repository under the namespace: the
// namespace rule's TriggeredRules when some repositories are not watched one by one, else the
// sum of the watched repositories' rules.
func (s *SourceMonitor) MetricNamespacePushes(opts *awscloudwatch.MetricOptions) awscloudwatch.IMetric {
	label := "pushes to " + s.props.RepositoryPrefix + "/"
	if s.NamespacePushRule != nil {
		return ruleMetric(namespacePushRuleName(s.namePrefix), label, "", "", opts)
	}
	using := map[string]awscloudwatch.IMetric{}
	var terms []string
	for i, r := range s.watched {
		key := fmt.Sprintf("p%d", i)
		using[key] = s.MetricPushes(r, opts)
		terms = append(terms, "FILL("+key+", 0)")
	}
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(strings.Join(terms, " + ")), UsingMetrics: &using, Label: jsii.String(label), Period: hour(),
	})
}

// Alarms returns every alarm created here: the pull alarms, the push alarms, then the
// namespace's push alarm.
func (s *SourceMonitor) Alarms() []awscloudwatch.IAlarm {
	var alarms []awscloudwatch.IAlarm
	for _, a := range slices.Concat(s.PullAlarms, s.PushAlarms) {
		alarms = append(alarms, a)
	}
	if s.NamespacePushAlarm != nil {
		alarms = append(alarms, s.NamespacePushAlarm)
	}
	return alarms
}
