#!/usr/bin/env bash
# make release IMAGE=REPO/builder-frontend:TAG: the frontend image for every platform a builder node may have, as
# one index pushed by the current buildx builder. Each binary is cross-compiled by the host Go (CGO_ENABLED=0) and
# the Dockerfile's target "prebuilt" (FROM scratch) packs them: nothing is pulled, nothing runs emulated.
#
#   IMAGE             where to push (required)
#   PLATFORMS         default linux/amd64,linux/arm64,linux/ppc64le,linux/s390x
#   BUILDX            the buildx command; default `docker buildx` when there is one, else bin/buildx
#   FRONTEND_CONTEXT  where the binaries go (the build context); default build/frontend
#   RELEASE_FLAGS     more `buildx build` flags, e.g. --provenance=mode=max
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
: "${IMAGE:?set IMAGE=registry/repository:tag}"
platforms=${PLATFORMS:-linux/amd64,linux/arm64,linux/ppc64le,linux/s390x}
ctx=${FRONTEND_CONTEXT:-build/frontend}
if [ -n "${BUILDX:-}" ]; then
  read -r -a buildx <<<"$BUILDX"
elif command -v docker >/dev/null && docker buildx version >/dev/null 2>&1; then
  buildx=(docker buildx)
else
  buildx=(bin/buildx)
fi
read -r -a extra <<<"${RELEASE_FLAGS:-}"

rm -rf "$ctx"
for p in ${platforms//,/ }; do
  case $p in
    linux/*/*|linux/) echo "release: platform $p: want linux/<GOARCH>, e.g. linux/arm64" >&2; exit 2 ;;
    linux/*) ;;
    *) echo "release: platform $p: the frontend runs in a Linux daemon; want linux/<GOARCH>" >&2; exit 2 ;;
  esac
  arch=${p#linux/}
  echo "release: go build for $p"
  CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -o "$ctx/$arch/builder-frontend" ./cmd/builder-frontend
done
set -x
"${buildx[@]}" build --platform "$platforms" --target prebuilt -f Dockerfile --provenance=false \
  ${extra[@]+"${extra[@]}"} -t "$IMAGE" --push "$ctx"
