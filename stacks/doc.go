// Package stacks combines the registry and monitoring constructs into the app's stacks: one
// source stack in the source region (source repositories, the registry's replication
// configuration, the deploy and CI roles) and one replica stack per destination region
// (pre-created replicas with the source's settings, a repository creation template for
// repositories created later and, across accounts, the destination registry policy).
//
// Stacks of different regions never reference each other's tokens: everything one stack needs
// from another (account ids, region and repository names, role names) is a plain value known
// at synth, so the app needs no Lambda-backed cross-region references.
package stacks
