package e2e

import (
	"strings"
	"testing"
)

// TestSpecErrorShownByBuildx: a typo in the spec fails the build before
// anything runs, and buildx shows file:line:col, the hint and the YAML line.
func TestSpecErrorShownByBuildx(t *testing.T) {
	e := setup(t)
	dir := writeSpec(t, `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
images:
  builder:
    base: example.com/base:1
    tools:
      - name: helm
        version: v3.16.0
        url: https://get.helm.sh/helm-${version}-linux-${arch}.tar.gz
        sha256:
          linux/amd64: c5b1bd64bb74eda6425c043f4afba503c49ed52e75f25607f76dfd12f0edb773
        dset: /usr/local/bin
`, nil)
	out, err := e.build(t, dir, "builder.yaml", "--platform", "linux/amd64")
	if err == nil {
		t.Fatalf("build of a bad spec succeeded:\n%s", tail(out, 30))
	}
	for _, want := range []string{
		`builder.yaml:12:9: unknown field "dset"; did you mean "dest"?`,
		`dset: /usr/local/bin`, // the source line, printed by buildx
	} {
		if !strings.Contains(out, want) {
			t.Errorf("buildx output lacks %q:\n%s", want, tail(out, 30))
		}
	}
}

// TestMissingPlatformArtifact: asking for a platform a tool has no sha256
// for fails up front, naming the tool, the platform and the line.
func TestMissingPlatformArtifact(t *testing.T) {
	e := setup(t)
	dir := writeSpec(t, `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
images:
  builder:
    base: example.com/base:1
    tools:
      - name: helm
        version: v3.16.0
        url: https://get.helm.sh/helm-${version}-linux-${arch}.tar.gz
        sha256:
          linux/amd64: c5b1bd64bb74eda6425c043f4afba503c49ed52e75f25607f76dfd12f0edb773
        dest: /usr/local/bin
`, nil)
	out, err := e.build(t, dir, "builder.yaml", "--platform", "linux/amd64,linux/arm64")
	if err == nil {
		t.Fatalf("build succeeded:\n%s", tail(out, 30))
	}
	want := `builder.yaml:10:9: tool "helm" has no artifact for linux/arm64: no sha256 for that platform`
	if !strings.Contains(out, want) {
		t.Errorf("buildx output lacks %q:\n%s", want, tail(out, 30))
	}
}
