// Command lifecycle-preview shows, offline, what an ECR lifecycle policy would do
// to the images of a repository: which images expire or move to archive, which
// rule decides each one and why, and how much storage that saves.
//
// Usage:
//
//	lifecycle-preview --images describe-images.json
//	    (--policy policy.json | --cdk-out cdk.out --repository NAME [--stack NAME])
//	    [--now RFC3339] [--json] [--price-per-gb-month 0.10]
//
// --images is the output of `aws ecr describe-images --repository-name NAME`
// (timestamps as ISO-8601 strings or epoch seconds). The policy comes either
// from a lifecycle policy JSON file (--policy) or from a synthesized CDK app
// (--cdk-out): the LifecyclePolicyText of the AWS::ECR::Repository named
// --repository in the *.template.json files, or, when no repository matches,
// the LifecyclePolicy of the AWS::ECR::RepositoryCreationTemplate with the most
// specific Prefix covering it. --stack picks one stack (file name without
// .template.json) when several define the repository.
//
// Savings are the expired images' sizes in GB (2^30 bytes, the unit AWS bills
// storage in as GB-month) times --price-per-gb-month. They are an upper bound:
// describe-images sizes count layers shared between images once per image.
//
// Exit status: 0 on success, 1 for bad input (unreadable or malformed files,
// invalid policy, repository not found), 2 for bad usage.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
