package monitoring

import (
	"strings"

	"fmt"
	"github.com/acme-platform/ecr-replication/awsid"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
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
	s.ActivityLog = eventLog(s, "ActivityLog", props.EventLogRetention)
	pushes := constructs.NewConstruct(s, jsii.String("Pushes"))
	for _, repo := range s.watched {
		s.PushRules = append(s.PushRules, newRule(pushes, ruleSpec{
			id:          awsid.ConstructID(shortRepositoryName(props.RepositoryPrefix, repo)),
			name:        PushRuleName(s.namePrefix, props.RepositoryPrefix, repo),
			description: "Successful pushes to " + repo,
			pattern:     pushPattern(repo),
			log:         s.ActivityLog,
		}))
	}
	if len(s.watched) < len(props.RepositoryNames) {
		namespace := strings.Trim(props.RepositoryPrefix, "/") + "/"
		s.NamespacePushRule = newRule(pushes, ruleSpec{
			id:          "Namespace",
			name:        NamespacePushRuleName(s.namePrefix),
			description: "Successful pushes to every repository under " + namespace,
			pattern:     namespacePushPattern(props.RepositoryPrefix),
			log:         s.ActivityLog,
		})
	}
}

// addActivityAlarms creates the pull and push anomaly alarms of every watched repository, and
// the namespace's push alarm when some repositories are not watched.
func (s *SourceMonitor) addActivityAlarms() {
	props := s.props
	action := notify(props.AlertTopic)
	for _, repo := range s.watched {
		id := awsid.ConstructID(shortRepositoryName(props.RepositoryPrefix, repo))
		pull := s.anomalyAlarm("PullAnomaly"+id, PullAnomalyAlarmName(s.namePrefix, props.RepositoryPrefix, repo),
			s.MetricPulls(repo, "", &awscloudwatch.MetricOptions{Period: hour()}),
			fmt.Sprintf("Pulls of %s (AWS/ECR RepositoryPullCount, hourly sum) were above the expected band (%g standard deviations) for 2 hours. "+
				"Check who pulls (CloudTrail BatchGetImage / GetDownloadUrlForLayer): a new deployment or scaling, or credentials used from elsewhere.", repo, props.stdDevs()))
		push := s.anomalyAlarm("PushAnomaly"+id, PushAnomalyAlarmName(s.namePrefix, props.RepositoryPrefix, repo),
			s.MetricPushes(repo, &awscloudwatch.MetricOptions{Period: hour()}),
			fmt.Sprintf("Pushes to %s (EventBridge rule %s, AWS/Events TriggeredRules, hourly sum) were above the expected band (%g standard deviations) for 2 hours. "+
				"Check CloudTrail PutImage callers: a CI loop, or a credential pushing images it should not.", repo, PushRuleName(s.namePrefix, props.RepositoryPrefix, repo), props.stdDevs()))
		pull.AddAlarmAction(action)
		push.AddAlarmAction(action)
		s.PullAlarms = append(s.PullAlarms, pull)
		s.PushAlarms = append(s.PushAlarms, push)
	}
	if s.NamespacePushRule != nil {
		name := NamespacePushRuleName(s.namePrefix)
		s.NamespacePushAlarm = s.anomalyAlarm("NamespacePushAnomaly", NamespacePushAnomalyAlarmName(s.namePrefix),
			ruleMetric(name, "pushes to "+strings.Trim(props.RepositoryPrefix, "/")+"/", "", "", &awscloudwatch.MetricOptions{Period: hour()}),
			fmt.Sprintf("Pushes to the repositories under %s/ (EventBridge rule %s, AWS/Events TriggeredRules, hourly sum) were above the expected "+
				"band (%g standard deviations) for 2 hours. The activity log group has every push: Logs Insights shows which repositories.",
				strings.Trim(props.RepositoryPrefix, "/"), name, props.stdDevs()))
		s.NamespacePushAlarm.AddAlarmAction(action)
	}
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
	for _, r := range s.watched {
		if r == repositoryName {
			return ruleMetric(PushRuleName(s.namePrefix, s.props.RepositoryPrefix, repositoryName), repositoryName, "", "", opts)
		}
	}
	panic(fmt.Sprintf("MetricPushes: %s is not one of the repositories watched one by one (ActivityRepositories)", repositoryName))
}

// MetricNamespacePushes counts successful pushes to every repository under the namespace: the
// namespace rule's TriggeredRules when some repositories are not watched one by one, else the
// sum of the watched repositories' rules.
func (s *SourceMonitor) MetricNamespacePushes(opts *awscloudwatch.MetricOptions) awscloudwatch.IMetric {
	label := "pushes to " + strings.Trim(s.props.RepositoryPrefix, "/") + "/"
	if s.NamespacePushRule != nil {
		return ruleMetric(NamespacePushRuleName(s.namePrefix), label, "", "", opts)
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

// Alarms returns every alarm created here.
func (s *SourceMonitor) Alarms() []awscloudwatch.IAlarm {
	var alarms []awscloudwatch.IAlarm
	for _, a := range s.PullAlarms {
		alarms = append(alarms, a)
	}
	for _, a := range s.PushAlarms {
		alarms = append(alarms, a)
	}
	if s.NamespacePushAlarm != nil {
		alarms = append(alarms, s.NamespacePushAlarm)
	}
	return alarms
}
