package e2e

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/maistra/builder-frontend/internal/fixture"
	"github.com/maistra/builder-frontend/internal/lab"
)

// flakySpec has one tool whose arm64 binary does not start: it prints a
// line and exits 3 (its amd64 binary exits 0).
func flakySpec(t *testing.T, e env) string {
	t.Helper()
	var arts []fixture.Artifact
	sums := map[string]string{}
	for _, a := range fixture.Arches {
		var status uint8
		if a.GOARCH == "arm64" {
			status = 3
		}
		bin, err := fixture.ExecutableExiting(a.GOARCH, fmt.Sprintf("flaky cannot start on %s\n", a.GOARCH), status)
		if err != nil {
			t.Fatal(err)
		}
		name := "flaky-1.0-linux-" + a.GOARCH
		arts = append(arts, fixture.Artifact{Name: name, Data: bin})
		sums[a.GOARCH] = sha256hex(bin)
	}
	if err := fixture.WriteDir(e.ArtifactDir(), arts); err != nil {
		t.Fatal(err)
	}
	return `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
images:
  builder:
    base: example.com/unused:1
    tools:
      - name: flaky
        version: "1.0"
        url: ` + e.ArtifactURL() + `/flaky-${version}-linux-${arch}
        sha256:
          linux/amd64: ` + sums["amd64"] + `
          linux/arm64: ` + sums["arm64"] + `
        dest: /usr/local/bin/flaky
        check: flaky --version
`
}

// TestCheckFailsOnArm64Only: a check that fails on one platform fails the
// build, naming tool, platform, command, exit code and output, with the
// check's spec lines; nothing is pushed. BUILDER_CHECKS=skip builds it.
func TestCheckFailsOnArm64Only(t *testing.T) {
	e := setup(t)
	dir := writeSpec(t, flakySpec(t, e), nil)
	ref := e.ref("flaky")
	common := []string{"--platform", "linux/amd64,linux/arm64", "--build-context", "base=docker-image://" + e.base, "--push", "-t", ref}
	out, err := e.build(t, dir, "builder.yaml", common...)
	if err == nil {
		t.Fatalf("build succeeded:\n%s", tail(out, 20))
	}
	want := `tool "flaky" (linux/arm64): check "flaky --version" exited with code 3; its output: "flaky cannot start on arm64\n"; the tool does not start on linux/arm64: check its artifact (or build) for that platform, or the check's command; --build-arg BUILDER_CHECKS=skip builds without checks`
	for _, w := range []string{want, "[flaky linux/arm64] check: flaky --version", "[flaky linux/amd64] check: flaky --version", ">>>         check: flaky --version"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, tail(out, 30))
		}
	}
	if strings.Contains(out, `tool "flaky" (linux/amd64): check`) {
		t.Errorf("the amd64 check, which exits 0, is reported:\n%s", tail(out, 30))
	}
	if _, err := lab.Image(ref, "linux/amd64"); err == nil {
		t.Errorf("%s was pushed although a check failed", ref)
	}

	out = e.mustBuild(t, dir, "builder.yaml", append(common, "--build-arg", "BUILDER_CHECKS=skip")...)
	if strings.Contains(out, "check: flaky") {
		t.Errorf("BUILDER_CHECKS=skip ran the checks:\n%s", tail(out, 30))
	}
	fs, err := e.Filesystem(ref, "linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	wantELF(t, fs, "linux/arm64", "/usr/local/bin/flaky", 0o755)
	if _, err := fs.Lookup(filepath.Join("/", ".builder-check")); err == nil {
		t.Error("the image holds the checks' directory")
	}

	out, err = e.build(t, dir, "builder.yaml", append(common, "--build-arg", "BUILDER_CHECKS=later")...)
	if want := "--build-arg BUILDER_CHECKS=later: use skip to build without the tools' checks, or leave it out to run them"; err == nil || !strings.Contains(out, want) {
		t.Errorf("BUILDER_CHECKS=later: %v\n%s", err, tail(out, 20))
	}
}

// TestPassingChecksKeepLayers: examples/minimal's checks pass on both
// platforms (arm64 under emulation), and the pushed image has the very
// layers of a build without checks. --call outline lists the checks.
func TestPassingChecksKeepLayers(t *testing.T) {
	e := setup(t)
	dir, _ := filepath.Abs("../examples/minimal")
	common := []string{"--platform", "linux/amd64,linux/arm64", "--build-arg", "RELEASES=" + e.ArtifactURL(), "--build-context", "base=docker-image://" + e.base, "--push"}
	checked, skipped := e.ref("checked"), e.ref("unchecked")
	out := e.mustBuild(t, dir, "builder.yaml", append(common, "-t", checked)...)
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		for _, c := range []string{"[helm " + p + "] check: helm version", "[bazel " + p + "] check: bazel --version", "[protoc " + p + "] check: protoc --version", "[shellcheck " + p + "] check: shellcheck --version"} {
			if !strings.Contains(out, c) {
				t.Errorf("the build did not run %q:\n%s", c, tail(out, 40))
			}
		}
	}
	e.mustBuild(t, dir, "builder.yaml", append(common, "-t", skipped, "--build-arg", "BUILDER_CHECKS=skip")...)
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		a, err := layerDigests(checked, p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := layerDigests(skipped, p)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a, b) {
			t.Errorf("%s: layers with checks %v, without %v", p, a, b)
		}
	}

	out = e.mustBuild(t, dir, "builder.yaml", "--call", "outline")
	if want := "smoke checks, run in the finished image on every platform (skip: skips them): helm: helm version; bazel: bazel --version; protoc: protoc --version; shellcheck: shellcheck --version"; !strings.Contains(out, "BUILDER_CHECKS") || !strings.Contains(out, want) {
		t.Errorf("--call outline lacks the checks:\n%s", tail(out, 30))
	}
}

// TestCheckWithoutShell: a check in an image without /bin/sh cannot run;
// the build fails saying so, with the check's tool and platform.
func TestCheckWithoutShell(t *testing.T) {
	e := setup(t)
	text := strings.Replace(flakySpec(t, e), "base: example.com/unused:1", "base: scratch", 1)
	dir := writeSpec(t, text, nil)
	out, err := e.build(t, dir, "builder.yaml", "--platform", "linux/amd64")
	if err == nil {
		t.Fatalf("build succeeded:\n%s", tail(out, 20))
	}
	for _, w := range []string{`tool "flaky" (linux/amd64): check "flaky --version" could not run: `, `; a check runs with the image's /bin/sh`} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, tail(out, 30))
		}
	}
}
