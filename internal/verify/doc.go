// Package verify checks an ecr-replication deployment against its configuration, with the
// AWS SDK for Go v2 and without the CDK: the logic behind cmd/verify.
//
// It reads the same context as the app ([config.ReadContext], then [config.Parse]) and the
// user's credentials, and produces a [Report]: a list of [Check]s, each with a status
// (ok, problem, warning or skipped), the region and repository it is about, and a detail
// that says what was found and, for a problem, what to do. Four modes share the checks:
//
//   - after deploy (the default): each namespace's replication rule (destinations and delete
//     replication), every replica's settings (tag mutability, lifecycle policy compared by
//     meaning, repository policy, encryption), the creation templates, the destination registry
//     policies across accounts, with managed signing the signing configuration, statuses and
//     signatures, and whether the most recent images of every source repository are in every
//     destination of its namespace (a missing one pushed before the replication configuration
//     last changed may predate its destination: the check names the backfill command);
//   - preflight: what `cdk deploy` would run into (registry singletons and repositories that
//     already exist, replication rules of no declared namespace that it would remove, regions that are not bootstrapped, CloudWatch Logs resource policies used
//     up, no CloudTrail trail), on an update the repositories it would replace, rename or let go
//     of with their images, and the images a destination new to the rule will not get without a
//     backfill;
//   - wait: the image checks, polled until every recent image is replicated or a deadline;
//   - canary: a tag added to an existing image by PutImage of its manifest, timed until it
//     appears in every destination, then removed.
//
// Every check follows the namespaces of the configuration (namespaces.go), and Verifier.Only
// narrows them (--namespace).
//
// Every AWS call goes through the small interfaces of clients.go, which the SDK clients
// satisfy; [Run] builds them from the default credential chain (or named profiles) and
// honours AWS_ENDPOINT_URL as the SDK does, so the package is tested against moto_server and
// a local replay of documented ECR responses. The checks run in parallel and are reported in
// a fixed order; the requests stay within [Limits] (limits.go) and are retried adaptively when
// throttled.
package verify
