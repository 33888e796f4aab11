// Command verify checks an ecr-replication deployment against the app's configuration,
// reading the same context (cdk.json, cdk.context.json, -c key=value) and the user's AWS
// credentials, without the CDK or Node.js.
//
// Usage:
//
//	verify [--preflight | --wait DURATION | --canary REPOSITORY] [--json] [--namespace PREFIX ...]
//	       [--profile NAME] [--destination-profile [ACCOUNT=]NAME ...] [-c key=value ...]
//
// Without a mode it checks a deployed setup; --preflight predicts what `cdk deploy` would run
// into, on the first deploy and on an update that would replace repositories holding images;
// --wait polls until every recent image is replicated; --canary times a tag's arrival in every
// destination. With several namespaces every check follows them, and --namespace narrows every
// mode to some. Requests run in parallel, at most --concurrency (default 16) in flight and paced
// per account, region and API. Each destination is checked in its own
// account: --profile gives the source account's credentials, --destination-profile NAME those of
// destinationAccount and --destination-profile ACCOUNT=NAME those of each other destination
// account. Run `verify -h` for every flag, and see docs/verify.md for the permissions each mode
// needs.
//
// Exit status: 0 healthy, 1 problems found, 2 bad usage, bad configuration or AWS not
// reachable.
package main

import (
	"github.com/acme-platform/ecr-replication/internal/cli"
	"github.com/acme-platform/ecr-replication/internal/verify"
)

func main() { cli.Main(verify.Run) }
