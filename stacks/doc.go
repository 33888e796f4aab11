// Package stacks combines the registry and monitoring constructs into deployable stacks, with
// typed props and no knowledge of the app's context keys:
//
//   - [NewSourceStack]: the source repositories, the registry's replication configuration, the
//     deploy (pull) and CI (push) roles, and the source region's monitoring and dashboard.
//   - [NewReplicaStack]: in one destination region and account, the replicas pre-created with
//     the source's settings, a repository creation template for repositories ECR creates
//     later, the destination registry policy when the source is another account, and the
//     replication monitoring of that region.
//   - [NewDeployment]: both, for every destination, with the deploy order they need (every
//     replica stack before the source stack), under an id that starts every stack name, so
//     several deployments fit in one app. [Deployment.GrantPull] and [Deployment.GrantPullPush]
//     let principals of your own pull (and push) in every region and account: the identity
//     policy, and the repository policies of the other accounts.
//
// The stacks are scopes: pass a [SourceStack] or [ReplicaStack] to constructs of your own.
// [Repository] carries what a repository must look like in every region; the source and every
// replica stack create their repositories from the same values, so a replica cannot drift from
// its source. Stacks of different regions never reference each other's tokens: everything one
// needs from another (account ids, region, repository and role names) is a plain value known
// at synth, so no Lambda-backed cross-region reference is created.
//
// Several teams may share one registry: Common.Namespaces gives each namespace its own
// replication rule, destinations, delete replication, roles and monitoring, in a construct of
// its own in every stack (adding one moves no other logical id); a replica stack holds only the
// namespaces that replicate to its region. Common.RepositoryStacks moves the repositories into
// stacks of their own for fleets beyond one stack's 500 resources. Common.ControlTower passes AWS
// Control Tower's proactive controls; Common.DeleteOnDestroy makes `cdk destroy` leave nothing
// behind (a sandbox); Common.RegistrySettingsRemovalPolicy decides what it does to the
// registry-wide singletons.
package stacks
