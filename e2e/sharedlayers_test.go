package e2e

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/maistra/builder-frontend/internal/imagewalk"
	"github.com/maistra/builder-frontend/internal/lab"
	"github.com/maistra/builder-frontend/llb"
)

// TestLayersSharedAcrossBranches: two branches' specs pin the same Go toolchain, bazel and Go tool and each has a
// tool of its own; both push to one repository. The second branch pushes the first one's layers for the shared
// tools, blob for blob, and uploads none of them. Moving the base image to a new digest (one file more) changes no
// tool layer either, and its push uploads no layer at all.
func TestLayersSharedAcrossBranches(t *testing.T) {
	e := setup(t)
	fx := goSetup(t, e)
	spec := func(own string) string {
		return fmt.Sprintf(`# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  RELEASES: http://127.0.0.1:1
  GOPROXY: https://proxy.golang.org
arches:
  bazel: {linux/amd64: x86_64, linux/arm64: arm64}
images:
  builder:
    base: example.com/unused:1
    tools:
      - name: go
        version: "%s"
        url: ${RELEASES}/go${version}.linux-${arch}.tar.gz
        sha256: {linux/amd64: %s, linux/arm64: %s}
        strip: 1
        dest: /usr/local/go
        path: [/usr/local/go/bin]
      - name: bazel
        version: 7.4.1
        url: ${RELEASES}/bazel-${version}-linux-${arch}
        arch: bazel
        sha256: {linux/amd64: %s, linux/arm64: %s}
        dest: /usr/bin/bazel
%s    go:
      env:
        GOPROXY: ${GOPROXY}
        GOSUMDB: "off"
    goTools:
      - name: go-junit-report
        package: github.com/jstemmer/go-junit-report/v2
        version: v2.1.0
`, goVersion, fx.toolchainSums["amd64"], fx.toolchainSums["arm64"],
			sumOf(t, "bazel-7.4.1-linux-x86_64"), sumOf(t, "bazel-7.4.1-linux-arm64"), own)
	}
	mainDir := writeSpec(t, spec(`      - name: helm
        version: v3.16.0
        url: ${RELEASES}/helm-${version}-linux-${arch}.tar.gz
        sha256: {linux/amd64: `+sumOf(t, "helm-v3.16.0-linux-amd64.tar.gz")+`, linux/arm64: `+sumOf(t, "helm-v3.16.0-linux-arm64.tar.gz")+`}
        strip: 1
        take: [helm]
        dest: /usr/local/bin
`), nil)
	// A dest no other test uses: this layer is new to the registry, so its upload shows the log works.
	releaseDir := writeSpec(t, spec(`      - name: shellcheck
        version: v0.10.0
        url: ${RELEASES}/shellcheck-${version}.linux.${arch}.tar.xz
        arch: uname
        sha256: {linux/amd64: `+sumOf(t, "shellcheck-v0.10.0.linux.x86_64.tar.xz")+`, linux/arm64: `+sumOf(t, "shellcheck-v0.10.0.linux.aarch64.tar.xz")+`}
        strip: 1
        take: [shellcheck]
        dest: /opt/release-1.0/bin
`), nil)

	repo := e.Registry() + "/e2e/branches"
	push := func(dir, tag, base string) map[string]int {
		t.Helper()
		mark := len(e.RegistryRequests(0))
		e.mustBuild(t, dir, "builder.yaml", "--platform", "linux/amd64,linux/arm64",
			"--build-arg", "RELEASES="+e.ArtifactURL(), "--build-arg", "GOPROXY="+e.ArtifactURL()+"/goproxy",
			"--build-context", "base=docker-image://"+base, "-t", repo+":"+tag, "--push")
		uploads := map[string]int{}
		for _, u := range lab.BlobUploads(e.RegistryRequests(mark)) {
			uploads[u.Digest]++
		}
		return uploads
	}
	push(mainDir, "main", e.base)
	releaseUploads := push(releaseDir, "release-1.0", e.base)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bumpedBase := e.ref("base-bumped")
	if err := e.BaseVariant(ctx, e.base, bumpedBase, map[string]string{"/etc/base-release": "2\n"}); err != nil {
		t.Fatal(err)
	}
	bumpUploads := push(mainDir, "main-base-bumped", bumpedBase)

	shared := []string{"go", "bazel", "go-junit-report"}
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		mainTools, releaseTools, bumpTools := toolLayers(t, repo+":main", p), toolLayers(t, repo+":release-1.0", p), toolLayers(t, repo+":main-base-bumped", p)
		for _, tool := range shared {
			if d := mainTools[tool]; d == "" || releaseTools[tool] != d {
				t.Errorf("%s: %s's layer: main %q, release-1.0 %q; want one blob", p, tool, d, releaseTools[tool])
			}
			if n := releaseUploads[mainTools[tool]]; n > 0 {
				t.Errorf("%s: release-1.0's push uploaded %s's layer %s again (%d times)", p, tool, mainTools[tool], n)
			}
		}
		if d := releaseTools["shellcheck"]; d == "" || releaseUploads[d] != 1 {
			t.Errorf("%s: release-1.0's own layer (shellcheck, %q) was uploaded %d times, want once; uploads: %v", p, d, releaseUploads[d], releaseUploads)
		}
		for tool, d := range mainTools {
			if bumpTools[tool] != d {
				t.Errorf("%s: moving the base changed %s's layer: %s -> %s", p, tool, d, bumpTools[tool])
			}
		}
		baseLayers, err := layerDigests(e.base, p)
		if err != nil {
			t.Fatal(err)
		}
		bumpedLayers, err := layerDigests(repo+":main-base-bumped", p)
		if err != nil {
			t.Fatal(err)
		}
		if len(bumpedLayers) != len(baseLayers)+1+len(mainTools) {
			t.Errorf("%s: the image on the bumped base has %d layers, want the base's %d, one more and the %d tools'", p, len(bumpedLayers), len(baseLayers), len(mainTools))
		}
		for _, d := range bumpedLayers {
			if bumpUploads[d] > 0 {
				t.Errorf("%s: the push on the bumped base uploaded layer %s", p, d)
			}
		}
	}
}

// toolLayers maps each tool of the image ref for platform to the digest of the layer that holds its manifest
// (llb.ManifestDir/<tool>.json): the tool's own layer.
func toolLayers(t *testing.T, ref, platform string) map[string]string {
	t.Helper()
	layers, err := lab.Layers(ref, platform)
	if err != nil {
		t.Fatal(err)
	}
	tools := map[string]string{}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		err = imagewalk.Layer(l, func(p string, _ *tar.Header, _ io.Reader) error {
			if path.Dir(p) == llb.ManifestDir && strings.HasSuffix(p, ".json") {
				tools[strings.TrimSuffix(path.Base(p), ".json")] = d.String()
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s %s: layer %s: %v", ref, platform, d, err)
		}
	}
	return tools
}
