package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maistra/builder-frontend/internal/lab"
)

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
)

// builderCLI builds cmd/builder once per test run.
func builderCLI(t *testing.T) string {
	t.Helper()
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "builder-cli-")
		if err != nil {
			cliErr = err
			return
		}
		cliPath = filepath.Join(dir, "builder")
		out, err := exec.Command("go", "build", "-o", cliPath, "../cmd/builder").CombinedOutput()
		if err != nil {
			cliErr = fmt.Errorf("go build ./cmd/builder: %w\n%s", err, out)
		}
	})
	if cliErr != nil {
		t.Fatalf("build the builder CLI: %v", cliErr)
	}
	return cliPath
}

func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, builderCLI(t), args...).CombinedOutput()
	return string(out), err
}

// minimalSpec is examples/minimal with the lab's base image, in a fresh
// context directory.
func minimalSpec(t *testing.T, e env) string {
	t.Helper()
	data, err := os.ReadFile("../examples/minimal/builder.yaml")
	if err != nil {
		t.Fatal(err)
	}
	entry, err := os.ReadFile("../examples/minimal/entrypoint.sh")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "base: docker.io/library/busybox:1.37", "base: "+e.base, 1)
	if text == string(data) {
		t.Fatal("examples/minimal no longer names docker.io/library/busybox:1.37")
	}
	return writeSpec(t, text, map[string]string{"entrypoint.sh": string(entry)})
}

// TestCLILLBSolves: the definition `builder llb` prints is what buildctl
// reads: dump-llb decodes it, and buildctl build solves it on the daemon
// into the image's file system.
func TestCLILLBSolves(t *testing.T) {
	e := setup(t)
	dir := minimalSpec(t, e)
	def := filepath.Join(t.TempDir(), "amd64.llb")
	if out, err := runCLI(t, "llb", "--platform", "linux/amd64", "--build-arg", "RELEASES="+e.ArtifactURL(),
		"--frontend-image", e.frontend, "-o", def, filepath.Join(dir, "builder.yaml")); err != nil {
		t.Fatalf("builder llb: %v\n%s", err, out)
	}
	data, err := os.ReadFile(def)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dump := e.Command(ctx, "buildctl", "debug", "dump-llb")
	dump.Stdin = bytes.NewReader(data)
	out, err := dump.CombinedOutput()
	if err != nil {
		t.Fatalf("buildctl debug dump-llb: %v\n%s", err, out)
	}
	for _, want := range []string{
		e.ArtifactURL() + "/helm-v3.16.0-linux-amd64.tar.gz",
		"sha256:c5b1bd64bb74eda6425c043f4afba503c49ed52e75f25607f76dfd12f0edb773",
		"docker-image://" + e.base,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("dump-llb lacks %q", want)
		}
	}

	dest := t.TempDir()
	solve := e.Command(ctx, "buildctl", "build", "--local", "context="+dir, "--output", "type=local,dest="+dest)
	solve.Stdin = bytes.NewReader(data)
	if out, err := solve.CombinedOutput(); err != nil {
		t.Fatalf("buildctl build of the printed LLB: %v\n%s", err, tail(string(out), 40))
	}
	for _, p := range []string{"usr/local/bin/helm", "usr/bin/bazel", "opt/protoc/bin/protoc", "usr/local/bin/shellcheck", "usr/local/bin/entrypoint", "bin/busybox"} { // bin/busybox: the base image
		f, err := os.Open(filepath.Join(dest, p))
		if err != nil {
			t.Errorf("the solved LLB has no %s: %v", p, err)
			continue
		}
		head := make([]byte, 64)
		n, _ := f.Read(head)
		f.Close()
		if p == "usr/local/bin/entrypoint" {
			continue
		}
		if m, err := lab.ELFMachine(head[:n]); err != nil || m != machines["linux/amd64"] {
			t.Errorf("%s: %v %v, want an amd64 executable", p, m, err)
		}
	}
}

// TestCLILockThenBuild: a spec without checksums is locked against the
// artifact server; --check then passes and buildx builds it.
func TestCLILockThenBuild(t *testing.T) {
	e := setup(t)
	dir := writeSpec(t, `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  HELM_VERSION: v3.16.0   # comments stay
images:
  builder:
    base: `+e.base+`
    tools:
      - name: helm
        version: ${HELM_VERSION}
        url: `+e.ArtifactURL()+`/helm-${version}-linux-${arch}.tar.gz
        strip: 1
        take: [helm]
        dest: /usr/local/bin
`, nil)
	spec := filepath.Join(dir, "builder.yaml")
	if out, err := runCLI(t, "lock", "--check", spec); err == nil || !strings.Contains(out, "2 checksums missing or stale") {
		t.Errorf("lock --check of an unlocked spec: %v\n%s", err, out)
	}
	if out, err := e.build(t, dir, "builder.yaml", "--check"); err == nil {
		t.Errorf("buildx --check of an unlocked spec passed:\n%s", tail(out, 20))
	}
	if out, err := runCLI(t, "lock", spec); err != nil {
		t.Fatalf("builder lock: %v\n%s", err, out)
	}
	locked, _ := os.ReadFile(spec)
	if !strings.Contains(string(locked), "  HELM_VERSION: v3.16.0   # comments stay\n") ||
		!strings.Contains(string(locked), "        sha256:\n          linux/amd64: c5b1bd64bb74eda6425c043f4afba503c49ed52e75f25607f76dfd12f0edb773\n          linux/arm64: a695787bc8bf5ea20b634bcab366e7fc566380bf85aa0b463766eb6ac1d839bc\n") {
		t.Errorf("builder lock wrote:\n%s", locked)
	}
	if out, err := runCLI(t, "lock", "--check", spec); err != nil {
		t.Errorf("lock --check after lock: %v\n%s", err, out)
	}
	if out := e.mustBuild(t, dir, "builder.yaml", "--check"); !strings.Contains(out, "Check complete, no warnings found.") {
		t.Errorf("buildx --check after lock:\n%s", tail(out, 20))
	}
	e.mustBuild(t, dir, "builder.yaml", "--platform", "linux/amd64,linux/arm64")
}
