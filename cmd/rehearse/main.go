// Command rehearse deploys the app to moto_server with the pinned CDK CLI, checks what the
// deploy did, runs verify, destroys it and checks what was left: the deploy rehearsal (see
// package internal/rehearse). Each rehearsal gets a moto_server of its own, on localhost and a
// free port, started and stopped by the command; nothing reaches AWS.
//
// Usage:
//
//	rehearse [-c key=value ...] [--name NAME] [--concurrency N] [--dir DIR] [--keep] [-v]
//
// Without -c it rehearses the default deployment and its KMS variant (rehearse.Variants);
// with -c, the one deployment those context values give. It prints every finding that is not
// a plain pass (each moto gap with its reason), the passes by check, the timings and a verdict.
//
// Exit status: 0 every rehearsal passed, 1 a check failed, 2 bad usage or the rehearsal could
// not run (moto_server or the CDK CLI missing, the deploy failed).
package main

import "github.com/acme-platform/ecr-replication/internal/cli"

func main() { cli.Main(run) }
