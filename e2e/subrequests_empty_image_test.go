package e2e

import (
	"strings"
	"testing"
)

// TestCallOnEmptyImage: --call targets and --check run before validation;
// a spec with an image that has no body is answered, not a crashed
// frontend.
func TestCallOnEmptyImage(t *testing.T) {
	e := setup(t)
	dir := writeSpec(t, `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
images:
  builder:
  other:
    base: example.com/base:1
`, nil)
	out := e.mustBuild(t, dir, "builder.yaml", "--call", "targets")
	if !strings.Contains(out, "empty: a build fails until it has a base") || !strings.Contains(out, "other") {
		t.Errorf("--call targets:\n%s", tail(out, 30))
	}
	out, err := e.build(t, dir, "builder.yaml", "--check")
	if err == nil || !strings.Contains(out, `builder.yaml:4:3: image "builder" is empty; give it base: and what it installs (see docs/spec.md), or remove it`) {
		t.Errorf("--check: %v\n%s", err, tail(out, 30))
	}
	out, err = e.build(t, dir, "builder.yaml", "--target", "other", "--platform", "linux/amd64,linux/amd64")
	if err == nil || !strings.Contains(out, "--platform lists linux/amd64 twice; list each platform once") {
		t.Errorf("--platform twice: %v\n%s", err, tail(out, 30))
	}
}
