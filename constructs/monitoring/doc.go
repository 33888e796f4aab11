// Package monitoring is a reusable monitoring bundle (L3 constructs) for Amazon ECR
// cross-region and cross-account replication, built only on signals AWS publishes.
//
// The bundle has four constructs:
//
//   - [NotificationTopics]: the alert, security and lifecycle SNS topics of one region,
//     encrypted with a KMS key whose policy lets EventBridge and CloudWatch publish, with
//     TLS-only topic policies and optional e-mail subscriptions.
//   - [ReplicationMonitor]: placed in each destination region, where ECR emits
//     "ECR Replication Action" events. It notifies failures at once, turns successes and
//     failures into AWS/Events rule metrics and alarms on the failure rate.
//   - [SourceMonitor]: placed in the source region. Pull and push activity with
//     anomaly-detection alarms, image counts, scan findings, lifecycle expirations and the
//     single dashboard that shows every region.
//   - [LifecycleNotifications]: lifecycle-policy expirations (CloudTrail
//     PolicyExecutionEvent) to a topic; used by both monitors and usable on its own.
//
// Nothing here creates a Lambda function or a custom resource, and no value crosses a
// region as a token: the source dashboard finds replica metrics and alarms through the
// deterministic names returned by the *Name functions of this package.
//
// AWS/ECR publishes exactly one metric, RepositoryPullCount. Every other number on the
// dashboard or in an alarm comes from AWS/Events rule metrics, AWS/Usage or AWS/Billing.
// See README.md for what each alarm means, what is and is not measured, and the cost.
package monitoring
