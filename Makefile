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

.PHONY: all deps synth test unit lint bench clean

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

# The fast tests only (no jsii synthesis).
unit:
	$(GO) test -count=1 ./config/... ./constructs/lifecycle/... ./cmd/...

lint:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))"; \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted" >&2; exit 1; fi
	$(GO) vet ./...

# Benchmarks: speed and memory, reported in the README (never enforced by timed tests).
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./config/... ./constructs/lifecycle/...
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x .

clean:
	rm -rf cdk.out
