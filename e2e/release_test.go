package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReleaseFourPlatforms: `make release IMAGE=ref` cross-compiles the frontend with the host Go and pushes the
// Dockerfile's prebuilt target as one index for linux/amd64, arm64, ppc64le and s390x, each binary for its
// platform (nothing emulated, nothing pulled). The released image then works as a spec's # syntax= image.
func TestReleaseFourPlatforms(t *testing.T) {
	e := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	ref := e.Registry() + "/e2e/builder-frontend:release"
	cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "-C", e.RepoRoot(), "release", "IMAGE="+ref,
		"BUILDX="+filepath.Join(e.RepoRoot(), "bin", "buildx"), "FRONTEND_CONTEXT="+t.TempDir())
	cmd.Env = append(os.Environ(), e.Env()...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make release: %v\n%s", err, tail(string(out), 40))
	}
	wantFrontendIndex(t, e, ref)

	dir := writeSpec(t, twoToolSpec("7.4.1", "v3.16.0"), nil)
	out, err := e.Buildx(ctx, "build", "--progress=plain", "--provenance=false", "--platform", "linux/arm64",
		"-f", filepath.Join(dir, "builder.yaml"), "--build-arg", "BUILDKIT_SYNTAX="+ref,
		"--build-arg", "RELEASES="+e.ArtifactURL(), "--build-arg", "HELM_MIRROR="+e.ArtifactURL(),
		"--build-context", "base=docker-image://"+e.base, dir)
	if err != nil {
		t.Fatalf("build with the released frontend image: %v\n%s", err, tail(string(out), 30))
	}
	if !strings.Contains(string(out), "docker-image://"+ref) {
		t.Errorf("the build did not run the released frontend image %s:\n%s", ref, tail(string(out), 30))
	}
}
