// Package rehearse deploys the app to moto_server (a local AWS emulator) with the pinned CDK
// CLI, the way a user deploys it to AWS, and checks what the deploy did: the deploy rehearsal
// behind `make rehearse`.
//
// [Deploy] synthesizes the app with `cdk synth` into a directory of its own (so that parallel
// rehearsals do not clash), bootstraps every environment of the assembly with `cdk bootstrap`,
// and runs `cdk deploy --all` on the synthesized assembly, with any context (-c key=value) and
// concurrency: the verify benchmark uses it to put a 400 × 8 fleet into moto. [Destroy] runs
// `cdk destroy --all --force` on the same assembly, and [Redeploy] deploys it again. They talk
// to one endpoint only, a moto_server on localhost (internal/mototest launches one), with fixed
// test credentials; nothing reaches AWS.
//
// [Check] reads back what the deploy left in moto through the AWS SDK and compares it with
// the synthesized templates: the bootstrap stack of every environment; that every stack
// completed through an executed change set; which resources moto realized (DescribeStackResources) and which
// it skipped, each skipped type named; every realized resource's settings against the
// template (ECR, IAM, KMS, SNS, EventBridge, CloudWatch Logs, Step Functions, CloudWatch
// dashboards), each difference either a known moto gap with its reason ([PropertyGaps]) or a
// failure; the order the stacks were created in against the documented order (every stack
// holding replicas, a creation template or a registry policy before the stack holding the
// replication configuration); and that the templates were published to the bootstrap bucket
// (a template over 51,200 bytes cannot be passed inline). [CheckVerify] runs the verify command
// and requires exactly the non-ok checks the moto gaps explain. [CheckDestroyed] checks what
// `cdk destroy` removed and that the repositories and KMS keys were retained.
//
// [Rehearse] runs all of it for one context and returns a [Report]: one [Finding] per thing
// checked, each passed, a named moto gap, skipped with a reason, or failed.
package rehearse
