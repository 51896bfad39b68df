package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestNativePackagesFallBackToEmulated: a base image with no variant for the build platform (here the arm64
// manifest of the lab's Debian image, by digest) cannot run the package manager natively: the step runs emulated,
// the build succeeds, and a warning at the packages lines says why.
func TestNativePackagesFallBackToEmulated(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	apt, err := e.AptRepository(ctx)
	if err != nil {
		t.Fatal(err)
	}
	debian, err := e.DebianImage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := e.Index(debian)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	arm64Only := ""
	for _, m := range im.Manifests {
		if m.Platform != nil && m.Platform.Architecture == "arm64" {
			arm64Only = debian[:strings.LastIndex(debian, ":")] + "@" + m.Digest.String()
		}
	}
	if arm64Only == "" {
		t.Fatalf("%s has no arm64 manifest", debian)
	}
	dir := writeSpec(t, `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
images:
  img:
    base: `+arm64Only+`
    packages:
      manager: apt
      repositories:
        - {name: lab, url: "`+apt.Source(apt.Keyring)+`"}
      install: [libbrotli1]
`, nil)
	out := e.mustBuild(t, dir, "builder.yaml", "--platform", "linux/arm64", "-t", e.ref("fallback"), "--push")
	for _, want := range []string{
		"packages (apt, linux/arm64) run emulated: the base image " + arm64Only + " has no variant for the build platform linux/amd64 (it is linux/arm64), " +
			"where the native route runs apt; give the base image a linux/amd64 variant, or write packages.mode: emulated (line 6)",
		"[packages linux/arm64] apt install libbrotli1\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("build output lacks %q:\n%s", want, tail(out, 30))
		}
	}
	if strings.Contains(out, "(natively on") {
		t.Errorf("a step ran natively:\n%s", tail(out, 30))
	}

	// A value of BUILDER_PACKAGES other than emulated is refused before anything runs.
	out, err = e.build(t, dir, "builder.yaml", "--platform", "linux/arm64", "--build-arg", "BUILDER_PACKAGES=qemu")
	if want := "--build-arg BUILDER_PACKAGES=qemu: the only value is emulated (the package step runs on the target platform, whatever packages.mode says); leave it out for the spec's mode"; err == nil || !strings.Contains(out, want) {
		t.Errorf("BUILDER_PACKAGES=qemu: %v, output lacks %q:\n%s", err, want, tail(out, 20))
	}
}
