package e2e

import (
	"strings"
	"testing"

	"github.com/maistra/builder-frontend/internal/lab"
)

// TestTargetAndAnnotations: --target picks one of several images, and its
// annotations land on each manifest and on the index.
func TestTargetAndAnnotations(t *testing.T) {
	e := setup(t)
	dir := writeSpec(t, `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  REVISION: unknown
images:
  builder:
    base: example.com/unused:1
    env: {FLAVOUR: plain}
  proxy-builder:
    base: example.com/unused:1
    env: {FLAVOUR: proxy}
    annotations:
      org.opencontainers.image.source: https://github.com/maistra/test-infra
      org.opencontainers.image.revision: ${REVISION}
`, nil)
	ref := e.ref("target")
	e.mustBuild(t, dir, "builder.yaml", "--target", "proxy-builder", "--build-arg", "REVISION=abc123",
		"--build-context", "base=docker-image://"+e.base, "-t", ref, "--push")
	idx, err := e.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if im.Annotations["org.opencontainers.image.revision"] != "abc123" {
		t.Errorf("index annotations %v", im.Annotations)
	}
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		img, err := lab.Image(ref, p)
		if err != nil {
			t.Fatal(err)
		}
		m, err := img.Manifest()
		if err != nil {
			t.Fatal(err)
		}
		if m.Annotations["org.opencontainers.image.source"] != "https://github.com/maistra/test-infra" || m.Annotations["org.opencontainers.image.revision"] != "abc123" {
			t.Errorf("%s: manifest annotations %v", p, m.Annotations)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(cf.Config.Env, " "), "FLAVOUR=proxy") {
			t.Errorf("%s: --target built the wrong image: env %v", p, cf.Config.Env)
		}
	}

	out, err := e.build(t, dir, "builder.yaml", "--target", "proxy", "--build-context", "base=docker-image://"+e.base)
	if err == nil || !strings.Contains(out, `no image named "proxy" in the spec; pass --target with one of: builder, proxy-builder`) {
		t.Errorf("unknown target: %v\n%s", err, tail(out, 15))
	}
}
