// Package e2e builds real images through buildx and the frontend image on a
// real buildkitd (internal/lab) and asserts what each platform's image holds.
package e2e

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maistra/builder-frontend/internal/fixture"
	"github.com/maistra/builder-frontend/internal/lab"
	"github.com/maistra/builder-frontend/internal/lab/labtest"
)

var theLab = labtest.NewShared(lab.Options{})

func TestMain(m *testing.M) { os.Exit(theLab.Main(m)) }

// env is what every test builds with: the lab, the frontend image, a
// two-platform base image, and the fixture releases on the artifact server.
type env struct {
	*lab.Lab
	frontend string
	base     string
}

var (
	envOnce sync.Once
	envErr  error
	theEnv  env
	tagSeq  atomic.Int64
)

func setup(t *testing.T) env {
	t.Helper()
	l := theLab.Get(t)
	envOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		theEnv.Lab = l
		if theEnv.frontend, envErr = l.FrontendImage(ctx); envErr != nil {
			return
		}
		if theEnv.base, envErr = l.BaseImage(ctx); envErr != nil {
			return
		}
		envErr = fixture.WriteDir(l.ArtifactDir(), fixture.Minimal())
	})
	if envErr != nil {
		t.Fatalf("e2e setup: %v", envErr)
	}
	return theEnv
}

// ref is a fresh image name in the lab registry.
func (e env) ref(name string) string {
	return fmt.Sprintf("%s/e2e/%s:t%d-%d", e.Registry(), name, time.Now().Unix(), tagSeq.Add(1))
}

// build runs `buildx build` the way a user does, with the # syntax= line
// redirected to the lab's frontend image. It returns buildx's output.
func (e env) build(t *testing.T, dir, file string, args ...string) (string, error) {
	t.Helper()
	return e.buildWithin(t, 15*time.Minute, dir, file, args...)
}

// buildWithin is build with another time limit than 15 minutes.
func (e env) buildWithin(t *testing.T, limit time.Duration, dir, file string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	full := append([]string{"build", "--progress=plain", "--provenance=false",
		"-f", filepath.Join(dir, file),
		"--build-arg", "BUILDKIT_SYNTAX=" + e.frontend,
	}, args...)
	full = append(full, dir)
	out, err := e.Buildx(ctx, full...)
	return string(out), err
}

// mustBuild is build that fails the test on error, showing buildx's output.
func (e env) mustBuild(t *testing.T, dir, file string, args ...string) string {
	t.Helper()
	out, err := e.build(t, dir, file, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, tail(out, 60))
	}
	return out
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// writeSpec writes a spec and any extra files into a fresh context dir.
func writeSpec(t *testing.T, spec string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "builder.yaml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var machines = map[string]elf.Machine{"linux/amd64": elf.EM_X86_64, "linux/arm64": elf.EM_AARCH64}

// wantELF asserts that path in fs is an executable for platform.
func wantELF(t *testing.T, fs *lab.Filesystem, platform, path string, mode os.FileMode) *lab.FileInfo {
	t.Helper()
	f, err := fs.Lookup(path)
	if err != nil {
		t.Errorf("%s: %s: %v", platform, path, err)
		return nil
	}
	if !f.IsRegular() {
		t.Errorf("%s: %s is %v, want a regular file", platform, path, f.Mode)
		return f
	}
	if f.Mode.Perm() != mode {
		t.Errorf("%s: %s has mode %v, want %v", platform, path, f.Mode.Perm(), mode)
	}
	m, err := lab.ELFMachine(f.Head)
	if err != nil {
		t.Errorf("%s: %s: %v", platform, path, err)
	} else if m != machines[platform] {
		t.Errorf("%s: %s is for %v, want %v", platform, path, m, machines[platform])
	}
	return f
}
