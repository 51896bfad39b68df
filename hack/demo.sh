#!/usr/bin/env bash
# make demo: the whole path a user takes, on a private stack. It installs what
# it needs, starts buildkitd + a registry + an artifact server (make up),
# builds the frontend image, then builds examples/minimal for linux/amd64 and
# linux/arm64 through `docker buildx build` and the spec's `# syntax=` line,
# and prints what each platform's image holds. `make down` stops the stack.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin

step() { printf '\n== %s\n' "$*"; }

step "dependencies (runc, qemu binfmt, buildkitd/buildctl/buildx from tools/go.mod)"
hack/install-deps.sh

step "stack: buildkitd, registry and artifact server on free loopback ports"
go build -o bin/lab ./hack/lab
bin/lab up >/dev/null
# shellcheck disable=SC1091
. .lab/env

step "frontend image (built by buildkitd, pushed to the local registry)"
# The demo's one daemon runs the frontend for its own platform; `make image` builds all four.
frontend=$(bin/lab image -platforms "linux/$(go env GOARCH)")
echo "$frontend"

step "base image (busybox-static for amd64 and arm64) and fixture releases"
base=$(bin/lab base)
echo "$base"
go run ./internal/fixture/cmd/fixtures "$ARTIFACT_DIR"
echo "releases served at $ARTIFACTS"

# docker buildx when a docker CLI is there, the standalone buildx otherwise:
# the same plugin binary either way.
buildx=(bin/buildx)
if command -v docker >/dev/null && docker buildx version >/dev/null 2>&1; then
  buildx=(docker buildx)
fi
ref=$REGISTRY/demo/minimal:latest
step "build examples/minimal ($(head -1 examples/minimal/builder.yaml))"
set -x
"${buildx[@]}" build --platform linux/amd64,linux/arm64 \
  -f examples/minimal/builder.yaml \
  --build-arg BUILDKIT_SYNTAX="$frontend" \
  --build-arg RELEASES="$ARTIFACTS" \
  --build-context base=docker-image://"$base" \
  --provenance=false \
  -t "$ref" --push examples/minimal
{ set +x; } 2>/dev/null

step "what each platform's image holds"
go run ./hack/inspect examples/minimal/builder.yaml "$ref"
echo
echo "The stack keeps running for more builds (. .lab/env; bin/buildx build ...). Stop it with: make down"
