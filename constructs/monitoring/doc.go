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
//   - [LifecycleNotifications]: lifecycle-policy expirations (CloudTrail PolicyExecutionEvent)
//     to a topic; [LifecycleTrail] creates the trail they need, where the account has none.
//
// In each destination region, [ReplicationMonitor] notifies failed replications at once and
// alarms on the failure rate (and, with enhanced scanning, notifies Inspector findings). In the
// source region, [SourceMonitor] watches pull and push activity (per repository for a bounded
// set, per namespace beyond it), scan findings and lifecycle expirations, and owns the one
// dashboard that shows every region, including what the measurements of package
// constructs/measurement publish (stored bytes and replication latency).
//
// Every alarm notifies its topic of ALARM and of OK, so that whoever was paged learns that
// the condition ended. Every metric is checked before the CDK sees it: AWS/ECR publishes exactly
// one metric, RepositoryPullCount, and a metric nobody publishes (package published lists those
// AWS does) is refused at synth. Nothing here creates a Lambda function or a custom resource, and
// no value crosses a region as a token: the dashboard finds other regions' rules and alarms by
// deterministic names built from [DefaultNamePrefix]. Invalid props panic with a *checks.Error
// (package constructs/checks) that lists every problem. Package pricing prices synthesized
// templates. See README.md for each alarm, message, signal and cost.
package monitoring
