// Package registry holds the L3 constructs for Amazon ECR registries that replicate:
//
//   - [ReplicatedRepository]: an awsecr.Repository whose settings (tag mutability, lifecycle
//     policy, pull access, scanning) are known, so that each replica can be created with the
//     same ones ([IReplicatedRepository.Settings], [ReplicatedRepository.ReplicaProps]);
//     [ImportReplicatedRepository], [ImportReplicatedRepositoryFromArn] and
//     [ImportReplicatedRepositoryFromAttributes] do the same for a repository that already
//     exists, in any account and region.
//   - Grants: [GrantPullOnNamespace] and [GrantPullPushOnNamespace] (identity policy, one ARN
//     pattern per registry), [AdmitCrossAccount] and [CrossAccountPrincipalOf] (the resource
//     side, in other accounts), [GrantPullFromReplicas] (by names, same account only); each
//     returns an awsiam.Grant where aws-cdk's would.
//   - [Replication]: the registry's replication configuration (one per account and region),
//     with the quotas CloudFormation does not check: 10 rules, 25 unique destinations, 100
//     filters per rule, no destination in another partition.
//   - [CreationTemplate]: the settings ECR gives repositories it creates itself (replicas of
//     repositories that were not pre-created).
//   - [DestinationRegistryPolicy]: the registry policy a destination account needs, in every
//     destination region, before another account can replicate into it.
//   - [EnhancedScanning] and [NewRepositoryKey]: the registry's enhanced scanning
//     configuration, and a KMS key ECR may use.
//
// Replication configuration, registry policy and scanning configuration are registry-wide
// singletons: CloudFormation fails to create a second one (AlreadyExists), an update replaces
// every rule, and deleting the stack empties the registry's setting. A second one for the same
// account and region anywhere in the app fails synthesis.
//
// Every construct refuses bad props before anything is created, with every problem at once, by
// panicking with a *checks.Error (read it with errors.As):
//
//	ReplicatedRepository App/Stack/Api: invalid props:
//	  - RepositoryName: got "Team/Api"; expected 2-256 characters: ...
package registry
