# The builder-frontend image: a BuildKit gateway frontend. Every daemon runs the frontend image for its own platform,
# so the image has one for each platform a builder node may have. Two ways to build it:
#
#   full build (default target "image"), context = the repository; Go cross-compiles on the build platform, nothing
#   runs emulated:
#     docker buildx build --platform linux/amd64,linux/arm64,linux/ppc64le,linux/s390x -t REPO/builder-frontend:TAG --push .
#
#   target "prebuilt", context = a directory holding <GOARCH>/builder-frontend, binaries built by the host Go, for
#   machines that cannot pull a golang image; FROM scratch pulls nothing (make image, make release, internal/lab):
#     for a in amd64 arm64 ppc64le s390x; do
#       CGO_ENABLED=0 GOOS=linux GOARCH=$a go build -trimpath -o build/frontend/$a/builder-frontend ./cmd/builder-frontend
#     done
#     docker buildx build --platform linux/amd64,linux/arm64,linux/ppc64le,linux/s390x --target prebuilt \
#       -f Dockerfile -t REPO/builder-frontend:TAG --push build/frontend
#
# No "# syntax" line on purpose: the daemon's built-in Dockerfile frontend is used, so nothing is pulled for it.

ARG GO_IMAGE=golang:1.26-bookworm

FROM --platform=$BUILDPLATFORM ${GO_IMAGE} AS build
ARG TARGETOS
ARG TARGETARCH
# Passed through to go: e.g. --build-arg GOPROXY=http://127.0.0.1:8124 --build-arg GOFLAGS=-mod=mod
ARG GOPROXY
ARG GOFLAGS
WORKDIR /src
RUN --mount=type=bind,target=/src \
    --mount=type=cache,id=builder-frontend-gomod,target=/go/pkg/mod \
    --mount=type=cache,id=builder-frontend-gobuild,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -o /out/builder-frontend ./cmd/builder-frontend

# Labels and entrypoint shared by both image targets. The caps are those of the upstream Dockerfile frontend image
# (moby/buildkit frontend/dockerfile/cmd/dockerfile-frontend/Dockerfile) that this frontend implements: inputs
# (named contexts passed as inputs), subrequests (--call outline|targets|...), contexts (--build-context). Upstream
# also has gitquerystring and contexts.zstd, which this frontend does not handle.
FROM scratch AS frontend-base
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
ENTRYPOINT ["/builder-frontend"]

FROM frontend-base AS prebuilt
ARG TARGETARCH
COPY --chmod=0755 ${TARGETARCH}/builder-frontend /builder-frontend

FROM frontend-base AS image
COPY --from=build /out/builder-frontend /builder-frontend
