# ecr-replication — every command a developer or CI needs. `make synth` and `make test` work on a
# fresh machine with no AWS account: they install the pinned CDK CLI and Node.js 22 from npm and
# the Go modules themselves.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# The pinned CDK CLI and Node.js 22 (package.json) come first on PATH, for the CLI and for
# `go test` (jsii starts Node.js).
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
# No AWS calls while synthesizing or testing: no instance-metadata probing, no CLI telemetry.
export AWS_EC2_METADATA_DISABLED := true
export CDK_DISABLE_CLI_TELEMETRY := true

GO ?= go
GOTEST_FLAGS ?= -count=1 -timeout 40m
CDK := cdk --no-notices

.PHONY: all deps synth test unit lint bench clean verify backfill rehearse

all: lint test

# Installs the npm packages (exactly as locked) and the Go modules.
deps: node_modules/.installed
	$(GO) mod download

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	node --version | grep -q '^v22\.' || { echo "Node.js 22 from npm is not first on PATH" >&2; exit 1; }
	@# The CLI ships Go template files; an empty go.mod keeps node_modules out of ./...
	echo 'module node_modules' > node_modules/go.mod
	touch $@

# Synthesizes the default deployment (or pass CONTEXT="-c key=value ...") into cdk.out.
synth: deps
	$(CDK) synth --quiet $(CONTEXT)
	@ls cdk.out/*.template.json

# Formatting, vet, then every test: configuration, lifecycle, constructs, stacks, cfn-lint,
# cdk-nag and the app binary.
test: deps lint
	$(GO) test $(GOTEST_FLAGS) ./...

# Every test that needs no external tool: `go test -short` skips, saying so, the tests that need
# cfn-lint or moto_server (without -short a missing tool fails the test).
unit: deps
	$(GO) test -short -count=1 ./...

lint:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))"; \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted" >&2; exit 1; fi
	$(GO) vet ./...

# Benchmarks: speed and memory, reported in the README (never enforced by timed tests).
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./config/... ./lifecycle/...
	$(GO) test -run '^$$' -bench 'BenchmarkSynth$$' -benchmem -benchtime 3x .
	@# The app as `cdk synth` runs it, against a minimal one-resource CDK app, in one run.
	$(GO) test -run '^$$' -bench 'BenchmarkAppVsMinimal' -benchtime 1x .
	@# verify against the 400 x 8 fleet in moto_server, through a proxy adding 50 ms a request:
	@# the default concurrency, then one request at a time (requests, peak in flight, seconds).
	$(GO) test -run '^$$' -bench 'BenchmarkVerifyFleet' -benchtime 1x -timeout 60m ./internal/verify
	@# Both fleets (400 x 8, 100 x 25): cdk-nag and cfn-lint over every stack, not a sample.
	FLEET_FULL=1 $(GO) test -count=1 -timeout 60m -run 'TestFleet' -v ./stacks | grep -E '^(---|ok|FAIL)|fleet_test'
	@# The whole suite's wall time, warm (the README quotes it; the target is 90 s on 2 cores).
	@start=$$(date +%s.%N); $(GO) test -count=1 ./... >/dev/null; end=$$(date +%s.%N); \
	  awk -v s=$$start -v e=$$end 'BEGIN { printf "test suite (go test -count=1 ./..., warm): %.1f s\n", e - s }'

# The deploy rehearsal (README.md, "Deploy rehearsal"): the default deployment, its KMS variant
# and a sandbox (deleteOnDestroy), each deployed to a moto_server of its own on localhost with
# the pinned CDK CLI (synth, bootstrap, deploy --all); what moto holds checked against the
# templates, verify run, destroy run and what was retained checked; the checks shown failing
# when moto holds something else; the sandbox deployed again after destroy. It prints each moto
# gap with its reason and fails when a check fails. Nothing reaches AWS. The default
# deployment's rehearsal also runs in `make test`, so .ci/run narrows REHEARSE_TESTS to the
# others. Another deployment: go run ./cmd/rehearse -c key=value.
REHEARSE_TESTS ?= ^TestRehearsal
rehearse: deps
	$(GO) vet -tags rehearsal ./internal/rehearse
	$(GO) test -tags rehearsal -count=1 -timeout 20m -v -run '$(REHEARSE_TESTS)' ./internal/rehearse

# Checks the deployment against the configuration (docs/verify.md); pass flags with
# VERIFY_FLAGS="--preflight", "--wait 10m", "--canary testing --json", "-c key=value", ...
# Unlike synth and test, it uses real credentials, instance and container roles included.
verify:
	env -u AWS_EC2_METADATA_DISABLED $(GO) run ./cmd/verify $(VERIFY_FLAGS)

# Replicates the images pushed before replication was deployed (docs/backfill.md); pass flags with
# BACKFILL_FLAGS="--wait 2h", "--status", "--stop-all", "--destination us-west-2 --json", ...
# Like verify, it uses real credentials, instance and container roles included.
backfill:
	env -u AWS_EC2_METADATA_DISABLED $(GO) run ./cmd/backfill $(BACKFILL_FLAGS)

clean:
	rm -rf cdk.out

# The diagram of what the default deployment puts in each account and region (README.md, "The diagram"):
# synthesizes it (without credentials, so that it shows the deploy-time account like the
# checked-in diagram, whichever account you are logged in to), writes docs/architecture.dot and
# renders docs/architecture.svg (Graphviz compiled to WebAssembly, inside the Go program: nothing
# to install).
# TestArchitectureDiagram fails when docs/architecture.dot is not what the code derives.
.PHONY: diagram
diagram:
	env CDK_DEFAULT_ACCOUNT= AWS_PROFILE= AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= AWS_SESSION_TOKEN= \
	  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_WEB_IDENTITY_TOKEN_FILE= \
	  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI= AWS_CONTAINER_CREDENTIALS_FULL_URI= \
	  $(MAKE) --no-print-directory synth CONTEXT=
	mkdir -p docs
	$(GO) run ./cmd/diagram -assembly cdk.out -o docs/architecture.dot -svg docs/architecture.svg
	@echo "docs/architecture.dot and docs/architecture.svg are up to date"
