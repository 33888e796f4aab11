package monitoring

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// The activity segment of the source region: pulls (AWS/ECR RepositoryPullCount, the only
// metric ECR publishes), pushes (a rule per repository on "ECR Image Action" PUSH, counted by
// its AWS/Events TriggeredRules) and the anomaly-detection alarms on both.

// addPushRules creates the activity log and one push rule per repository.
func (s *SourceMonitor) addPushRules() {
	props := s.props
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
}

// addActivityAlarms creates the pull and push anomaly alarms of every repository.
func (s *SourceMonitor) addActivityAlarms() {
	props := s.props
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
