// Package constructs is the home of ecr-replication's reusable L3 constructs. It holds no code
// itself: the folder name collides with github.com/aws/constructs-go/constructs/v10, so each
// construct family lives in a sub-package named for what it does:
//
//   - registry: replicated repositories, the registry replication rule, the destination
//     registry policy and repository creation templates.
//   - monitoring: replication, activity, delivery and security monitoring on signals AWS
//     really publishes, and the dashboard of every region.
//   - measurement: what AWS does not publish, measured without Lambda by Step Functions:
//     stored bytes and replication latency.
//   - checks: how every construct refuses bad props.
package constructs
