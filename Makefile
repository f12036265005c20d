# GCC Onboard. `make` (or `make help`) lists the targets.
# Everything a target needs is installed by `make tools` (scripts/tools.sh), idempotently.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.PHONY: help tools generate build run test test-short loadtest bench synth deploy services-start services-stop clean distclean

# jsii (the CDK's Go<->JS bridge) warns on every run under Node 20; the CLI's own update
# check needs the network and adds nothing here.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := 1

CDK := node_modules/.bin/cdk
# Every Lambda: a functions/<name>/ holding a main.go. devserver is the local server, not a Lambda.
FUNCTIONS := $(filter-out devserver,$(patsubst functions/%/main.go,%,$(wildcard functions/*/main.go)))

# Extra `go test` flags and packages, e.g. make test TESTFLAGS='-run TestOrders -v' PKGS=./shared/...
TESTFLAGS ?=
PKGS ?= ./...
# Extra `cdk deploy` arguments, e.g. make deploy CDK_ARGS='--require-approval never'
CDK_ARGS ?=

help: ## list the targets
	@echo "GCC Onboard targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 22

tools: ## install what tests and CDK need (npm packages, Java, Chromium); fast when done
	@scripts/tools.sh

# Pages and mail are templ components: compiled Go, no reflection at run time. The generated
# *_templ.go files are committed; a test fails if one is stale.
generate: ## regenerate the *_templ.go files after editing a .templ file
	go tool templ generate -path shared

# One linux/arm64 bootstrap per Lambda, for the provided.al2023 runtime.
# -tags lambda.norpc: provided.* runtimes speak only the Lambda Runtime API, so aws-lambda-go's
# net/rpc server (needed only by the retired go1.x runtime) is left out: smaller binary, faster
# cold start, no listening port.
build: ## build build/<function>/bootstrap for every Lambda (linux/arm64)
	@for fn in $(FUNCTIONS); do \
	  echo "go build -> build/$$fn/bootstrap"; \
	  GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -trimpath -tags lambda.norpc -ldflags "-s -w" \
	    -o build/$$fn/bootstrap ./functions/$$fn; \
	done

run: ## local server on http://127.0.0.1:8080, data under .data/
	go run ./functions/devserver -addr 127.0.0.1:8080 -data .data

# Services are stopped on every exit (pass, fail, Ctrl-C); the recipe exits with go test's status.
test: tools build ## everything: starts DynamoDB Local + SES emulator, go test ./..., stops them
	@trap 'scripts/services.sh stop' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; \
	scripts/services.sh start; \
	eval "$$(scripts/services.sh env)"; \
	export GCC_TEST_REQUIRE_SERVICES=1 GCC_TEST_CHROMIUM=/usr/bin/chromium GCC_LOADTEST_SECONDS=$${GCC_LOADTEST_SECONDS:-3}; \
	echo "go test -count=1 -timeout 20m $(TESTFLAGS) $(PKGS)"; \
	go test -count=1 -timeout 20m $(TESTFLAGS) $(PKGS)

loadtest: tools ## 30 s of mixed concurrent traffic on the local server over DynamoDB Local; prints req/s, p50, p99
	@trap 'scripts/services.sh stop' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; \
	scripts/services.sh start; \
	eval "$$(scripts/services.sh env)"; \
	GCC_TEST_REQUIRE_SERVICES=1 GCC_LOADTEST_SECONDS=$${GCC_LOADTEST_SECONDS:-30} \
	  go test -count=1 -run '^TestLoad$$' -v ./functions/devserver | grep -E 'load:|FAIL|ok|reconcile|answered'

# Not part of `make test`: timings belong to the machine. One run builds every function and a
# hello-world Lambda, times cold starts, warm invocations and intake throughput, counts DynamoDB
# requests per step, and writes BENCHMARKS.md (shared/bench; knobs: GCC_BENCH_* in report_test.go).
bench: tools ## size, cold start, warm latency, DynamoDB cost and throughput vs the floor; writes BENCHMARKS.md
	@trap 'scripts/services.sh stop' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; \
	scripts/services.sh start; \
	eval "$$(scripts/services.sh env)"; \
	GCC_TEST_REQUIRE_SERVICES=1 GCC_BENCH_REPORT=$(CURDIR)/BENCHMARKS.md \
	  go test -count=1 -timeout 30m -run '^TestReport$$' -v ./shared/bench

test-short: ## unit tests only: go test -short, no services
	go test -short $(TESTFLAGS) $(PKGS)

services-start: ## start DynamoDB Local + SES emulator and print their env (for go test by hand)
	@scripts/services.sh start
	@scripts/services.sh env

services-stop: ## stop them
	@scripts/services.sh stop

synth: tools build ## CDK synth into cdk.out/
	$(CDK) synth --quiet

deploy: tools build ## CDK deploy (needs AWS credentials)
	$(CDK) deploy --all $(CDK_ARGS)

clean: ## remove build/ and cdk.out/
	rm -rf build cdk.out

distclean: clean ## also remove installed tools (node_modules/, .tools/)
	@scripts/services.sh stop >/dev/null 2>&1 || true
	rm -rf node_modules .tools
