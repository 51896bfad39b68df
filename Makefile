# Build plumbing and the real-stack tests. Everything runs on loopback; `make test` needs root (buildkitd + runc).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
# Go is installed in /usr/local/go on the CI machines; keep it reachable when PATH does not have it.
export PATH := $(PATH):/usr/local/go/bin
TEST_TIMEOUT ?= 40m
TEST_FLAGS ?=
TOOLS := bin/buildkitd bin/buildctl bin/buildx

.PHONY: all tools deps test fuzz test-short up down env image release base demo frontend-bin clean FORCE
.DEFAULT_GOAL := all

all: frontend-bin

## tools: build buildkitd, buildctl and buildx (tools/go.mod) into bin/
tools: $(TOOLS)
$(TOOLS) &: tools/go.mod tools/go.sum
	hack/build-tools.sh
	touch $(TOOLS)

## deps: install what the tests and the demo need (apt packages, arm64 binfmt, bin/ tools); root, Debian 12
deps:
	hack/install-deps.sh

## test: all tests, the end-to-end ones on a real buildkitd (LAB_REQUIRED=1: they fail instead of skipping), then a short fuzz run
test: deps
	LAB_REQUIRED=1 $(GO) test -timeout $(TEST_TIMEOUT) $(TEST_FLAGS) ./...
	$(MAKE) fuzz

FUZZ_TIME ?= 15s
## fuzz: the parser, the extends merge, the subrequests (targets, outline, lint), the reading of a failed package step's log, the planner, the unpacker and builder drift's Dockerfile reader on random input for FUZZ_TIME each (never a panic or a hang)
fuzz:
	GO=$(GO) FUZZ_TIME=$(FUZZ_TIME) hack/fuzz.sh FuzzParse ./spec
	GO=$(GO) FUZZ_TIME=$(FUZZ_TIME) hack/fuzz.sh FuzzExtends ./spec
	GO=$(GO) FUZZ_TIME=$(FUZZ_TIME) hack/fuzz.sh FuzzSubrequests ./frontend
	GO=$(GO) FUZZ_TIME=$(FUZZ_TIME) hack/fuzz.sh FuzzPackagesFailure ./frontend
	GO=$(GO) FUZZ_TIME=$(FUZZ_TIME) hack/fuzz.sh FuzzPlan ./llb
	GO=$(GO) FUZZ_TIME=$(FUZZ_TIME) hack/fuzz.sh FuzzExtract ./internal/unpack
	GO=$(GO) FUZZ_TIME=$(FUZZ_TIME) hack/fuzz.sh FuzzReadDockerfile ./internal/drift

## test-short: the tests that need no lab
test-short:
	LAB_REQUIRED= $(GO) test -short ./...

## frontend-bin: the frontend binary for the host, as the Dockerfile target "prebuilt" takes it
## (build/frontend/<GOARCH>/builder-frontend)
frontend-bin:
	CGO_ENABLED=0 $(GO) build -trimpath -o build/frontend/$$($(GO) env GOARCH)/builder-frontend ./cmd/builder-frontend

bin/lab: FORCE
	$(GO) build -o bin/lab ./hack/lab

## up: start a lab in the background (registry, artifact server, buildkitd); writes .lab/env
up: $(TOOLS) bin/lab
	bin/lab up

## down: stop the lab started by `make up` and remove .lab
down: bin/lab
	bin/lab down

env: bin/lab
	@bin/lab env

## image: build the frontend image for linux/amd64, arm64, ppc64le and s390x (host Go cross-compiles, target
## prebuilt packs, no emulation) and push it as one index to the lab registry (make up); IMAGE=ref names it
image: bin/lab
	bin/lab image $(if $(IMAGE),-name $(IMAGE))

## release: the same four-platform index, pushed to IMAGE=ref (any registry) by the current buildx builder
## (hack/release.sh: BUILDX, PLATFORMS, RELEASE_FLAGS)
release:
	IMAGE=$(IMAGE) hack/release.sh

## base: build the two-platform busybox base image into the lab registry
base: bin/lab
	bin/lab base

## bench: benchmark the frontend (packages native and emulated) against a hand-optimised and a seed-style Dockerfile
## (cold and bump-one-tool builds for linux/amd64+linux/arm64, same daemon); writes docs/performance.md. Not part
## of `make test`; over an hour on 2 cores (the first run also makes the cached fixtures). BENCH_FLAGS=-runs=1 for
## a quicker pass.
.PHONY: bench
bench: deps
	$(GO) run ./bench/cmd/bench $(BENCH_FLAGS)

## demo: the end-to-end demo (hack/demo.sh)
demo: deps
	hack/demo.sh

clean:
	-[ ! -x bin/lab ] || bin/lab down
	rm -rf build/frontend bin/lab
