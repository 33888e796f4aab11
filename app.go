package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-platform/ecr-replication/config"
	"github.com/acme-platform/ecr-replication/replication"
	"github.com/acme-platform/ecr-replication/stacks"
)

// deploymentProps maps the validated configuration onto the stacks' typed props. It is the one
// place where context keys meet the library: stacks and constructs know nothing of config.
func deploymentProps(cfg *config.Config) *stacks.DeploymentProps {
	repos := make([]stacks.Repository, 0, len(cfg.Repositories()))
	for _, s := range cfg.RepositorySettings() {
		policy := s.Lifecycle
		repos = append(repos, stacks.Repository{
			Name:            s.FullName,
			Description:     string(s.Profile) + " profile",
			TagMutability:   s.TagMutability,
			LifecyclePolicy: &policy,
		})
	}
	var dests []replication.Destination
	for _, d := range cfg.Destinations() {
		// A destination in the source account stays account-less: its stack and its
		// replication destination then use the source stack's account, known or not.
		dest := replication.Destination{Region: d.Region}
		if d.CrossAccount(cfg.SourceAccount) {
			dest.Account = d.Account
		}
		dests = append(dests, dest)
	}
	activity := cfg.ActivityAlarms
	threshold, attempts := cfg.ReplicationFailureThreshold, float64(cfg.ReplicationMinimumAttempts)
	template := cfg.TemplateLifecycle()
	props := &stacks.DeploymentProps{
		Common: stacks.Common{
			RepositoryPrefix: cfg.RepoPrefix,
			Repositories:     repos,
			PullAccess:       cfg.PullAccess(false),
			KMS:              cfg.Encryption == config.EncryptionKMS,
			EnhancedScanning: cfg.EnhancedScanning,
			RepositoryStacks: cfg.RepositoryStacks,
			Monitoring: stacks.Monitoring{
				AlertEmail:                  cfg.AlertEmail,
				ActivityAlarms:              &activity,
				ActivityRepositories:        cfg.ActivityAlarmRepositories,
				AnomalyStdDevs:              cfg.AnomalyStdDevs,
				ReplicationFailureThreshold: &threshold,
				ReplicationMinimumAttempts:  &attempts,
				ReplicationWindow:           awscdk.Duration_Minutes(jsii.Number(float64(cfg.ReplicationWindowMinutes))),
				LifecycleTrail:              cfg.LifecycleTrail,
			},
		},
		SourceRegion:      cfg.SourceRegion,
		SourceAccount:     cfg.SourceAccount,
		Destinations:      dests,
		TemplateLifecycle: &template,
	}
	if cfg.StorageMetrics {
		props.Monitoring.Storage = &stacks.StorageOptions{
			Schedule:             awscdk.Duration_Minutes(jsii.Number(float64(cfg.StorageScheduleMinutes))),
			RepositoryMetrics:    cfg.StorageRepositoryMetrics,
			GrowthThresholdBytes: cfg.StorageGrowthAlarmGiB * (1 << 30),
		}
	}
	if cfg.ReplicationLatency {
		props.Monitoring.Latency = &stacks.LatencyOptions{Threshold: awscdk.Duration_Minutes(jsii.Number(float64(cfg.LatencyAlarmMinutes)))}
	}
	return props
}

// build adds the app's stacks for cfg to scope.
func build(scope constructs.Construct, cfg *config.Config) *stacks.Deployment {
	return stacks.NewDeployment(scope, replication.DefaultDeploymentID, deploymentProps(cfg))
}
