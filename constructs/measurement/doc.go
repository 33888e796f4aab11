// Package measurement measures, without Lambda, two things AWS does not publish for Amazon ECR:
// how many bytes a repository namespace stores, and how long replication takes to each
// destination. Both are Step Functions Express state machines written in JSONata that call AWS
// SDK integrations and publish custom CloudWatch metrics in DefaultNamespace ("ECRReplication"):
//
//   - [StorageMetrics], in every region: on an EventBridge Scheduler schedule it lists the
//     repositories under the namespace, sums ImageSizeInBytes of their ACTIVE images (logical
//     bytes: a layer shared by several images counts once per image) and publishes
//     [StorageMetricName] for the region's total and for a bounded set of repositories, with a
//     day-over-day growth alarm.
//   - [LatencyForwarder], in each destination region, forwards the successful "ECR Replication
//     Action" events to the source region's default bus; [ReplicationLatency], in the source
//     region, looks up each source image's push time and publishes [LatencyMetricName]
//     (event time minus push time) per destination, with a p90 alarm per destination.
//
// Step Functions cannot call the APIs of another region, so each region measures itself.
// Every state machine also has an execution-failure alarm, so that a broken measurement does not
// pass for missing data. All alarms notify the alert topic of ALARM and OK. The constructs
// register their metrics as published for the process, so the monitoring dashboard
// (package constructs/monitoring) may chart them; [StorageMetricsIn] gives the lines of another
// region's storage. Costs: [StorageMetrics.EstimatedMonthlyCost],
// [ReplicationLatency.EstimatedMonthlyCost] (package pricing holds the prices).
//
// Invalid props panic with a *checks.Error (package constructs/checks) that lists every problem.
// See README.md for the state machines step by step, their permissions and what could not be
// confirmed.
package measurement
