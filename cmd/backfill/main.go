// Command backfill replicates the images that existed before replication was deployed: it
// starts one ECR replication backfill per destination of the app's configuration (the same
// context as the app: cdk.json, cdk.context.json, -c key=value), attaches to one already
// running, queues what ECR's limits do not allow yet, and with --wait follows them to the end.
//
// Usage:
//
//	backfill [--destination REGION[@ACCOUNT] ...] [--wait DURATION [--poll-interval DURATION]]
//	backfill --status | --stop ID ... | --stop-all | --results ID
//	         [--json] [--profile NAME] [-c key=value ...] [--dir DIR]
//
// Every call goes to the source registry with the source account's credentials (--profile).
// Run `backfill -h` for every flag, and see docs/backfill.md for the permissions each mode
// needs.
//
// Exit status: 0 done, 1 FAILED, STOPPED, the deadline or something left undone, 2 bad usage,
// bad configuration, not deployed, credentials or AWS not reachable; Ctrl-C detaches (the
// backfills go on in AWS) with 130.
package main

import (
	"github.com/acme-platform/ecr-replication/internal/backfill"
	"github.com/acme-platform/ecr-replication/internal/cli"
)

func main() { cli.Main(backfill.Run) }
