package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maistra/builder-frontend/internal/fixture"
)

// twoToolSpec: bazel from RELEASES, helm from HELM_MIRROR. Each test takes
// versions no other test fetched, so the daemon's cache holds none of them.
func twoToolSpec(bazelV, helmV string) string {
	return fmt.Sprintf(`# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  RELEASES: http://127.0.0.1:1
  HELM_MIRROR: http://127.0.0.1:1
arches:
  bazel: {linux/amd64: x86_64, linux/arm64: arm64}
images:
  builder:
    base: example.com/unused:1
    tools:
      - name: bazel
        version: %s
        url: ${RELEASES}/bazel-${version}-linux-${arch}
        arch: bazel
        sha256:
          linux/amd64: %s
          linux/arm64: %s
        dest: /usr/bin/bazel
      - name: helm
        version: %s
        url: ${HELM_MIRROR}/helm-${version}-linux-${arch}.tar.gz
        sha256:
          linux/amd64: %s
          linux/arm64: %s
        strip: 1
        take: [helm]
        dest: /usr/local/bin
`, bazelV, fixture.Bazel(bazelV, "amd64", "x86_64").SHA256(), fixture.Bazel(bazelV, "arm64", "arm64").SHA256(),
		helmV, fixture.Helm(helmV, "amd64").SHA256(), fixture.Helm(helmV, "arm64").SHA256())
}

// waitFor polls cond for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestArtifactServerDownForOneTool: the mirror of one tool dies while the
// other tool is fetched. The error names the tool and its URL; once the
// mirror is back, the rebuild fetches only that tool.
func TestArtifactServerDownForOneTool(t *testing.T) {
	e := setup(t)
	serveReleases(t, e, "7.8.0", "v3.18.0")
	bazelPath := "/bazel-7.8.0-linux-x86_64"
	hitsBefore := e.ArtifactHits(bazelPath)

	// A mirror that accepts the connection, waits until bazel is in, then
	// dies without answering.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				waitFor(30*time.Second, func() bool { return e.ArtifactHits(bazelPath) > hitsBefore })
				time.Sleep(2 * time.Second) // let bazel's layer finish
				c.Close()
			}()
		}
	}()
	deadMirror := "http://" + ln.Addr().String()
	dir := writeSpec(t, twoToolSpec("7.8.0", "v3.18.0"), nil)
	common := []string{"--platform", "linux/amd64", "--build-arg", "RELEASES=" + e.ArtifactURL(), "--build-context", "base=docker-image://" + e.base}

	out, err := e.build(t, dir, "builder.yaml", append(common, "--build-arg", "HELM_MIRROR="+deadMirror)...)
	ln.Close()
	if err == nil {
		t.Fatalf("build with a dead mirror succeeded")
	}
	if want := `tool "helm" (linux/amd64): cannot download ` + deadMirror + `/helm-v3.18.0-linux-amd64.tar.gz`; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, tail(out, 20))
	}
	if e.ArtifactHits(bazelPath) != hitsBefore+1 {
		t.Fatalf("bazel was fetched %d times during the failed build, want once", e.ArtifactHits(bazelPath)-hitsBefore)
	}

	out = e.mustBuild(t, dir, "builder.yaml", append(common, "--build-arg", "HELM_MIRROR="+e.ArtifactURL())...)
	if got := e.ArtifactHits(bazelPath) - hitsBefore; got != 1 {
		t.Errorf("bazel was fetched %d times in all; its finished layer should have been reused", got)
	}
	if !strings.Contains(out, "CACHED") {
		t.Errorf("the rebuild reused nothing:\n%s", tail(out, 30))
	}
}

// TestDaemonKilledMidBuild: buildkitd is killed while one download hangs;
// after a restart the next build succeeds and does not fetch again what
// had finished.
func TestDaemonKilledMidBuild(t *testing.T) {
	e := setup(t)
	serveReleases(t, e, "7.9.0", "v3.19.0")
	helm := fixture.Helm("v3.19.0", "amd64")
	release := make(chan struct{})
	stalled := make(chan struct{}, 1)
	t.Cleanup(e.Handle("/slow/"+helm.Name, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case stalled <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		case <-time.After(2 * time.Minute):
		}
		w.Write(helm.Data)
	})))
	bazelPath := "/bazel-7.9.0-linux-x86_64"
	hitsBefore := e.ArtifactHits(bazelPath)
	dir := writeSpec(t, twoToolSpec("7.9.0", "v3.19.0"), nil)
	args := []string{"--platform", "linux/amd64", "--build-arg", "RELEASES=" + e.ArtifactURL(), "--build-arg", "HELM_MIRROR=" + e.ArtifactURL() + "/slow", "--build-context", "base=docker-image://" + e.base}

	done := make(chan error, 1)
	go func() {
		_, err := e.build(t, dir, "builder.yaml", args...)
		done <- err
	}()
	select {
	case <-stalled:
	case <-time.After(2 * time.Minute):
		t.Fatal("the helm download never started")
	}
	if !waitFor(time.Minute, func() bool { return e.ArtifactHits(bazelPath) > hitsBefore }) {
		t.Fatal("bazel was never fetched")
	}
	time.Sleep(2 * time.Second) // bazel's layer finishes while helm hangs
	if err := e.KillBuildkitd(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the build survived its daemon")
		}
	case <-time.After(time.Minute):
		t.Fatal("buildx did not notice the daemon died")
	}
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := e.RestartBuildkitd(ctx); err != nil {
		t.Fatal(err)
	}
	ref := e.ref("restart")
	e.mustBuild(t, dir, "builder.yaml", append(args, "-t", ref, "--push")...)
	if got := e.ArtifactHits(bazelPath) - hitsBefore; got != 1 {
		t.Errorf("bazel was fetched %d times; the restarted daemon should reuse the finished download", got)
	}
	fs, err := e.Filesystem(ref, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	wantELF(t, fs, "linux/amd64", "/usr/local/bin/helm", 0o755)
	wantELF(t, fs, "linux/amd64", "/usr/bin/bazel", 0o755)
}

// serveReleases puts bazel and helm fixtures of these versions on the
// artifact server.
func serveReleases(t *testing.T, e env, bazelV, helmV string) {
	t.Helper()
	var arts []fixture.Artifact
	for _, a := range fixture.Arches {
		arts = append(arts, fixture.Bazel(bazelV, a.GOARCH, a.Bazel), fixture.Helm(helmV, a.GOARCH))
	}
	for _, a := range arts {
		if err := os.WriteFile(filepath.Join(e.ArtifactDir(), a.Name), a.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
