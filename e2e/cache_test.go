package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestRegistryCacheImport: --cache-to exports the tool layers to the
// registry; after the daemon's cache is pruned, --cache-from brings them
// back without downloading anything (the frontend forwards the cache
// imports on its solve).
func TestRegistryCacheImport(t *testing.T) {
	e := setup(t)
	serveReleases(t, e, "7.10.0", "v3.20.0")
	dir := writeSpec(t, twoToolSpec("7.10.0", "v3.20.0"), nil)
	cache := e.Registry() + "/e2e/cache:twotools"
	common := []string{"--platform", "linux/amd64,linux/arm64", "--build-arg", "RELEASES=" + e.ArtifactURL(), "--build-arg", "HELM_MIRROR=" + e.ArtifactURL(),
		"--build-context", "base=docker-image://" + e.base}
	e.mustBuild(t, dir, "builder.yaml", append(common, "--cache-to", "type=registry,ref="+cache+",mode=max")...)
	hits := e.ArtifactHits("/helm-v3.20.0-linux-arm64.tar.gz") + e.ArtifactHits("/bazel-7.10.0-linux-arm64")
	if hits != 2 {
		t.Fatalf("first build fetched the arm64 artifacts %d times, want 2", hits)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := e.Buildctl(ctx, "prune", "--all"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	ref := e.ref("fromcache")
	out := e.mustBuild(t, dir, "builder.yaml", append(common, "--cache-from", "type=registry,ref="+cache, "-t", ref, "--push")...)
	if got := e.ArtifactHits("/helm-v3.20.0-linux-arm64.tar.gz") + e.ArtifactHits("/bazel-7.10.0-linux-arm64"); got != hits {
		t.Errorf("the build from the registry cache fetched %d artifacts again", got-hits)
	}
	if !strings.Contains(out, "CACHED") {
		t.Errorf("nothing came from the cache:\n%s", tail(out, 30))
	}
	fs, err := e.Filesystem(ref, "linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	wantELF(t, fs, "linux/arm64", "/usr/local/bin/helm", 0o755)
	wantELF(t, fs, "linux/arm64", "/usr/bin/bazel", 0o755)
}
