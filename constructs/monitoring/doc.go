// Package monitoring is a reusable monitoring bundle (L3 constructs) for Amazon ECR
// cross-region and cross-account replication, built only on signals AWS publishes.
//
// Per region:
//
//   - [NotificationTopics]: the alert, security and lifecycle SNS topics, encrypted with a
//     KMS key whose policy lets EventBridge and CloudWatch publish; the EventBridge statement
//     of each topic policy has no Condition (EventBridge cannot satisfy one), the CloudWatch
//     statement is narrowed to this account's alarms.
//   - [DeliveryAlarms]: alarms on AWS/Events FailedInvocations of every rule that delivers to
//     a topic, a bus or a state machine, so a notification that never arrives is noticed.
//   - [StorageMetrics]: the logical bytes under the namespace (and of a bounded set of
//     repositories), measured by a Step Functions Express state machine (JSONata, SDK
//     integrations) on an EventBridge Scheduler schedule, with a daily-growth alarm.
//   - [LifecycleNotifications]: lifecycle-policy expirations (CloudTrail PolicyExecutionEvent)
//     to a topic; [LifecycleTrail] creates the trail they need, where the account has none.
//
// In each destination region, [ReplicationMonitor] notifies failed replications at once and
// alarms on the failure rate (and, with enhanced scanning, notifies Inspector findings);
// [LatencyForwarder] forwards successful replications to the source region. In the source
// region, [ReplicationLatency] turns them into latency per destination (event time minus the
// source image's push time) with a p90 alarm, and [SourceMonitor] watches pull and push
// activity (per repository for a bounded set, per namespace beyond it), scan findings and
// lifecycle expirations, and owns the one dashboard that shows every region.
//
// Nothing here creates a Lambda function or a custom resource, and no value crosses a region as
// a token: the dashboard finds other regions' metrics and alarms through the deterministic
// names of this package's *Name functions. Every metric is built through one function that
// refuses a metric AWS does not publish ([IsPublished], package published); AWS/ECR publishes
// exactly one, RepositoryPullCount. [EstimateMonthlyCost] prices synthesized templates. See
// README.md for each alarm, message, signal and cost.
package monitoring
