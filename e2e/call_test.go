package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCallOutlineAndTargets: buildx --call answers from the spec instead of
// falling back to the Dockerfile parser.
func TestCallOutlineAndTargets(t *testing.T) {
	e := setup(t)
	dir, _ := filepath.Abs("../examples/minimal")
	out := e.mustBuild(t, dir, "builder.yaml", "--call", "outline")
	for _, want := range []string{"HELM_VERSION", "v3.16.0", "helm release installed in the image", "BAZEL_VERSION", "RELEASES"} {
		if !strings.Contains(out, want) {
			t.Errorf("--call outline lacks %q:\n%s", want, tail(out, 30))
		}
	}
	out = e.mustBuild(t, dir, "builder.yaml", "--call", "targets")
	if !strings.Contains(out, "builder") || !strings.Contains(out, "(default)") {
		t.Errorf("--call targets:\n%s", tail(out, 30))
	}
}
