// Command lifecycle-preview shows, offline, what an ECR lifecycle policy would do
// to the images of a repository: which images expire or move to archive, which
// rule decides each one and why, and how much storage that saves; and, with a
// synthesized CDK app, what that means in each region the repository replicates to.
//
// Usage:
//
//	lifecycle-preview --images describe-images.json
//	    (--policy policy.json | --cdk-out cdk.out --repository NAME [--stack NAME]
//	     [--destination-images REGION=FILE ...])
//	    [--now RFC3339] [--json] [--price-per-gb-month 0.10]
//
// --images is the output of `aws ecr describe-images --repository-name NAME`
// (timestamps as ISO-8601 strings or epoch seconds). The policy comes either
// from a lifecycle policy JSON file (--policy) or from a synthesized CDK app
// (--cdk-out): the LifecyclePolicyText of the AWS::ECR::Repository named
// --repository in the *.template.json files, or, when no repository matches,
// the LifecyclePolicy of the AWS::ECR::RepositoryCreationTemplate with the most
// specific Prefix covering it. When several stacks define the repository, the
// source stack's wins (see below), else the first by file name; --stack picks
// one stack (file name without .template.json).
//
// Savings are the expired images' sizes in GB (2^30 bytes, the unit AWS bills
// storage in as GB-month) times --price-per-gb-month. They are an upper bound:
// describe-images sizes count layers shared between images once per image.
//
// # Destinations
//
// With --cdk-out the report ends with the destinations. The source stack is the
// one holding the AWS::ECR::ReplicationConfiguration; its rules whose
// PREFIX_MATCH filters cover --repository (a rule without filters covers every
// repository) give the destinations, each a region and an account. For each,
// the report says whether the rule's DeleteReplication is on. On, ECR mirrors
// lifecycle expirations in the source to the rule's destinations, so the images
// the source's policy expires are listed as deleted there too; archive
// transitions are not mirrored. Off, the replicas keep those images and the
// replica's own lifecycle policy decides. A repository no rule covers is
// reported as not replicated.
//
// --destination-images REGION=FILE (repeatable) is the describe-images output
// of the replica in REGION, which must be a destination of those rules. The
// replica's own policy is evaluated on it, with the times the destination
// reports: the policy of the repository of that name in the replica stack,
// found by the app's stack names (<deployment>-replica-<region>, or its
// -repositories-<k> stacks, beside the source stack <deployment>-source-<region>),
// else of the creation template covering it there; when cdk.out has no replica
// stack for REGION, the source's policy, with a warning. Each image of the
// destination is then kept, or goes because the source's expiry is mirrored
// (matched by digest), because its own policy expires it, or both, with totals
// and savings as for the source (sizes as the destination reports them).
// Without the file only the mirrored deletes are reported, sized as in the
// source, since the replica's own times are unknown.
//
// Exit status: 0 on success, 1 for bad input (unreadable or malformed files,
// invalid policy, repository not found), 2 for bad usage (including a
// --destination-images region that is not a destination of the repository).
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
