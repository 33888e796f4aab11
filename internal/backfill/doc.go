// Package backfill replicates the images that existed before replication was set up: the
// logic behind cmd/backfill, plain Go on the AWS SDK for Go v2 (no CDK, no Node.js).
//
// ECR replicates only what is pushed after the replication configuration exists; a
// replication backfill copies the images that exist now and match the current rules, to one
// destination (a region and a registry) per backfill
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication-backfill.html). Every
// backfill API is called on the source registry, in the source region, with the source
// account's credentials: StartReplicationBackfill, DescribeReplicationBackfillResults,
// ListReplicationBackfills and StopReplicationBackfill
// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_StartReplicationBackfill.html
// and the pages of the other three), plus DescribeRegistry to check that each destination is
// in the deployed replication configuration.
//
// What AWS documents and this package relies on:
//   - one backfill in progress per destination region (ReplicationBackfillInProgressException)
//     and at most 10 in progress per registry (LimitExceededException): the rest is queued and
//     started as slots free;
//   - statuses PREPARING → IN_PROGRESS → COMPLETE | FAILED, and STOPPING → STOPPED after a
//     stop, which only PREPARING and IN_PROGRESS backfills accept
//     (ReplicationBackfillInvalidStatusException otherwise);
//   - progress is null while PREPARING; per-image results come only at a terminal status,
//     paged 1–1000 (default 100); ListReplicationBackfills pages 1–50 (default 25);
//   - backfill IDs are UUIDs (the pattern of replicationBackfillId in
//     https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_StopReplicationBackfill.html).
//
// Not documented, and handled conservatively: whether a STOPPING backfill still holds its
// region's slot (it is counted as holding it), and whether a COMPLETE backfill can carry
// failed replications (the user guide says COMPLETE means all succeeded; a COMPLETE with
// failures is reported as a problem).
//
// [Run] is the whole command. Every AWS call goes through [ECRAPI], which *ecr.Client
// satisfies; the tests answer the four backfill operations from a local server that keeps
// backfills as ECR documents them (moto lacks them) and send everything else to moto_server.
package backfill
