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
	repos := map[string][]stacks.Repository{} // by namespace
	for _, s := range cfg.RepositorySettings() {
		policy := s.Lifecycle
		repos[s.Namespace] = append(repos[s.Namespace], stacks.Repository{
			Name:            s.FullName,
			Description:     string(s.Profile) + " profile",
			TagMutability:   s.TagMutability,
			LifecyclePolicy: &policy,
		})
	}
	activity := cfg.ActivityAlarms
	threshold, attempts := cfg.ReplicationFailureThreshold, float64(cfg.ReplicationMinimumAttempts)
	template := cfg.TemplateLifecycle()
	props := &stacks.DeploymentProps{
		Common: stacks.Common{
			RepositoryPrefix:  cfg.RepoPrefix,
			Repositories:      repos[cfg.RepoPrefix],
			PullAccess:        cfg.PullAccess(false),
			KMS:               cfg.Encryption == config.EncryptionKMS,
			EnhancedScanning:  cfg.EnhancedScanning,
			RepositoryStacks:  cfg.RepositoryStacks,
			DeleteReplication: cfg.DeleteReplication,
			DeployRoleTrust:   cfg.DeployRoleTrust,
			CIRoleTrust:       cfg.CIRoleTrust,
			DeleteOnDestroy:   cfg.DeleteOnDestroy,
			ControlTower:      cfg.ControlTower,
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
		Destinations:      stackDestinations(cfg, cfg.Destinations()),
		TemplateLifecycle: &template,
	}
	if cfg.StorageMetrics {
		props.Monitoring.Storage = &stacks.StorageOptions{
			Schedule:             awscdk.Duration_Minutes(jsii.Number(float64(cfg.StorageScheduleMinutes))),
			RepositoryMetrics:    cfg.StorageRepositoryMetrics,
			GrowthThresholdBytes: cfg.StorageGrowthAlarmGiB * (1 << 30),
		}
	}
	if cfg.ManyNamespaces() {
		props.RepositoryPrefix, props.Repositories = "", nil
		for _, n := range cfg.Namespaces() {
			props.Namespaces = append(props.Namespaces, stacks.Namespace{
				Prefix: n.Prefix, Repositories: repos[n.Prefix], Destinations: stackDestinations(cfg, n.Destinations),
				DeleteReplication: n.DeleteReplication, DeployRoleTrust: n.DeployRoleTrust, CIRoleTrust: n.CIRoleTrust,
			})
		}
	}
	if cfg.RegistrySettingsOnDestroy == config.OnDestroyRetain {
		props.RegistrySettingsRemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	if cfg.ManagedSigning() {
		props.Signing = &stacks.SigningOptions{ProfileArn: cfg.SigningProfileArn}
	}
	if cfg.ReplicationLatency {
		props.Monitoring.Latency = &stacks.LatencyOptions{Threshold: awscdk.Duration_Minutes(jsii.Number(float64(cfg.LatencyAlarmMinutes)))}
	}
	return props
}

// stackDestinations returns the destinations as the stacks take them: one in the source account
// stays account-less, so that its stack and its replication destination use the source stack's
// account, known or not.
func stackDestinations(cfg *config.Config, dests []replication.Destination) []replication.Destination {
	out := make([]replication.Destination, 0, len(dests))
	for _, d := range dests {
		dest := replication.Destination{Region: d.Region}
		if d.CrossAccount(cfg.SourceAccount) {
			dest.Account = d.Account
		}
		out = append(out, dest)
	}
	return out
}

// build adds the app's stacks for cfg to scope.
func build(scope constructs.Construct, cfg *config.Config) *stacks.Deployment {
	return stacks.NewDeployment(scope, replication.DefaultDeploymentID, deploymentProps(cfg))
}
