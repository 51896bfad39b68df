package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maistra/builder-frontend/internal/lab"
)

// TestMinimalTwoPlatforms builds examples/minimal exactly as `make demo`
// does and checks what each platform's image holds.
func TestMinimalTwoPlatforms(t *testing.T) {
	e := setup(t)
	ref := e.ref("minimal")
	dir, _ := filepath.Abs("../examples/minimal")
	e.mustBuild(t, dir, "builder.yaml",
		"--platform", "linux/amd64,linux/arm64",
		"--build-arg", "RELEASES="+e.ArtifactURL(),
		"--build-context", "base=docker-image://"+e.base,
		"-t", ref, "--push")

	plats, err := e.Platforms(ref)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(plats)
	if strings.Join(plats, ",") != "linux/amd64,linux/arm64" {
		t.Fatalf("pushed platforms %v", plats)
	}
	for _, p := range plats {
		t.Run(strings.ReplaceAll(p, "/", "-"), func(t *testing.T) {
			fs, err := e.Filesystem(ref, p)
			if err != nil {
				t.Fatal(err)
			}
			arch := strings.TrimPrefix(p, "linux/")
			if f := wantELF(t, fs, p, "/usr/local/bin/helm", 0o755); f != nil && !strings.Contains(string(f.Data), "helm v3.16.0 linux/"+arch) {
				t.Errorf("helm binary is not the v3.16.0 %s release", arch)
			}
			if l := fs.Files["/usr/local/bin/helm3"]; l == nil || l.Mode&os.ModeSymlink == 0 || l.Linkname != "helm" {
				t.Errorf("/usr/local/bin/helm3 is not a symlink to helm: %v", l)
			}
			wantELF(t, fs, p, "/usr/bin/bazel", 0o755)
			wantELF(t, fs, p, "/opt/protoc/bin/protoc", 0o755)
			wantELF(t, fs, p, "/usr/local/bin/shellcheck", 0o755)
			wantELF(t, fs, p, "/bin/busybox", 0o755) // the base is there too
			if _, err := fs.Lookup("/opt/protoc/include/google/protobuf/empty.proto"); err != nil {
				t.Errorf("protoc include dir not taken: %v", err)
			}
			for _, absent := range []string{"/opt/protoc/readme.txt", "/usr/local/bin/LICENSE", "/usr/local/bin/LICENSE.txt", "/usr/local/bin/README.md", "/helm.tar.gz"} {
				if _, err := fs.Lookup(absent); err == nil {
					t.Errorf("%s is in the image; take should have left it out", absent)
				}
			}
			if f, err := fs.Lookup("/usr/share/builder-frontend/tools/helm.json"); err != nil {
				t.Errorf("tools manifest: %v", err)
			} else {
				var m struct{ Name, Version, Platform, URL, SHA256, Dest string }
				if err := json.Unmarshal(f.Data, &m); err != nil || m.Version != "v3.16.0" || m.Platform != p ||
					!strings.HasSuffix(m.URL, "/helm-v3.16.0-linux-"+arch+".tar.gz") || !strings.HasPrefix(m.SHA256, "sha256:") || m.Dest != "/usr/local/bin" {
					t.Errorf("helm manifest %s: %+v %v", f.Data, m, err)
				}
			}
			if f, err := fs.Lookup("/usr/local/bin/entrypoint"); err != nil || f.Mode.Perm() != 0o755 || !strings.HasPrefix(string(f.Data), "#!/bin/sh") {
				t.Errorf("entrypoint from the build context: %+v, %v", f, err)
			}
			for _, d := range []string{"/work", "/gocache"} {
				if f, err := fs.Lookup(d); err != nil || !f.Mode.IsDir() || f.Mode.Perm() != 0o777 {
					t.Errorf("directory %s: %+v, %v", d, f, err)
				}
			}
			c := fs.Config
			if c.Architecture != arch || c.OS != "linux" {
				t.Errorf("config platform %s/%s", c.OS, c.Architecture)
			}
			env := strings.Join(c.Config.Env, "\n")
			if !strings.Contains(env, "PATH=/opt/protoc/bin:/usr/local/sbin:") || !strings.Contains(env, "LANG=C.UTF-8") || !strings.Contains(env, "GOCACHE=/gocache") {
				t.Errorf("env:\n%s", env)
			}
			if !slices.Equal(c.Config.Entrypoint, []string{"/usr/local/bin/entrypoint"}) || len(c.Config.Cmd) != 0 {
				t.Errorf("entrypoint %q cmd %q", c.Config.Entrypoint, c.Config.Cmd)
			}
			if c.Config.WorkingDir != "/work" || c.Config.Labels["org.opencontainers.image.title"] != "minimal builder" {
				t.Errorf("workdir %q labels %v", c.Config.WorkingDir, c.Config.Labels)
			}
		})
	}
}

// TestBuildArgBumpChangesOneLayer: moving bazel to another pinned version
// rebuilds bazel's layer and nothing else.
func TestBuildArgBumpChangesOneLayer(t *testing.T) {
	e := setup(t)
	dir, _ := filepath.Abs("../examples/minimal")
	common := []string{"--platform", "linux/amd64,linux/arm64", "--build-arg", "RELEASES=" + e.ArtifactURL(), "--build-context", "base=docker-image://" + e.base, "--push"}
	before, after := e.ref("bump"), e.ref("bump")
	e.mustBuild(t, dir, "builder.yaml", append(common, "-t", before)...)
	e.mustBuild(t, dir, "builder.yaml", append(common, "-t", after, "--build-arg", "BAZEL_VERSION=7.5.0")...)
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		a, err := layerDigests(before, p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := layerDigests(after, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != len(b) {
			t.Fatalf("%s: %d layers before, %d after", p, len(a), len(b))
		}
		var changed []int
		for i := range a {
			if a[i] != b[i] {
				changed = append(changed, i)
			}
		}
		if len(changed) != 1 {
			t.Errorf("%s: layers %v changed, want exactly one (bazel's)", p, changed)
			continue
		}
		fs, err := e.Filesystem(after, p)
		if err != nil {
			t.Fatal(err)
		}
		if f, err := fs.Lookup("/usr/bin/bazel"); err != nil || !strings.Contains(string(f.Data), "bazel 7.5.0") {
			t.Errorf("%s: bazel after the bump is not 7.5.0", p)
		}
	}
}

// TestRunStepsAndPackagesRunOnTarget: a run step sees every tool and runs on
// the target platform (emulated for arm64).
func TestRunStepsRunOnTarget(t *testing.T) {
	e := setup(t)
	spec := `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  RELEASES: http://127.0.0.1:1
  GREETING: hello
images:
  builder:
    base: example.com/unused:1
    tools:
      - name: bazel
        version: 7.4.1
        url: ${RELEASES}/bazel-${version}-linux-${arch.bazel}
        sha256:
          linux/amd64: ` + sumOf(t, "bazel-7.4.1-linux-x86_64") + `
          linux/arm64: ` + sumOf(t, "bazel-7.4.1-linux-arm64") + `
        dest: /usr/bin/bazel
    run:
      - name: record the platform
        command: |
          uname -m > /etc/built-on
          bazel > /etc/bazel-says
          echo "$GREETING" > /etc/greeting
    user: "1000"
arches:
  bazel: {linux/amd64: x86_64, linux/arm64: arm64}
`
	dir := writeSpec(t, spec, nil)
	ref := e.ref("run")
	e.mustBuild(t, dir, "builder.yaml", "--platform", "linux/amd64,linux/arm64",
		"--build-arg", "RELEASES="+e.ArtifactURL(), "--build-arg", "GREETING=hi there",
		"--build-context", "base=docker-image://"+e.base, "-t", ref, "--push")
	for p, uname := range map[string]string{"linux/amd64": "x86_64", "linux/arm64": "aarch64"} {
		fs, err := e.Filesystem(ref, p)
		if err != nil {
			t.Fatal(err)
		}
		for file, want := range map[string]string{
			"/etc/built-on":   uname + "\n",
			"/etc/bazel-says": "bazel 7.4.1 " + p + "\n",
			"/etc/greeting":   "hi there\n",
		} {
			if f, err := fs.Lookup(file); err != nil || string(f.Data) != want {
				t.Errorf("%s: %s = %q, want %q (%v)", p, file, dataOf(f), want, err)
			}
		}
		if fs.Config.Config.User != "1000" {
			t.Errorf("%s: user %q", p, fs.Config.Config.User)
		}
	}
}

func dataOf(f *lab.FileInfo) string {
	if f == nil {
		return ""
	}
	return string(f.Data)
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func sumOf(t *testing.T, name string) string {
	t.Helper()
	e := setup(t)
	data, err := os.ReadFile(filepath.Join(e.ArtifactDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	return sha256hex(data)
}

// layerDigests lists the compressed layer digests of one platform's image.
func layerDigests(ref, platform string) ([]string, error) {
	layers, err := lab.Layers(ref, platform)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		out = append(out, d.String())
	}
	return out, nil
}

// TestReproducibleLayers: the same spec and args build the same layers,
// byte for byte, after the daemon's cache is pruned, with BuildKit's own
// reproducibility switches (SOURCE_DATE_EPOCH and rewrite-timestamp).
func TestReproducibleLayers(t *testing.T) {
	e := setup(t)
	dir, _ := filepath.Abs("../examples/minimal")
	common := []string{"--platform", "linux/amd64,linux/arm64", "--build-arg", "RELEASES=" + e.ArtifactURL(), "--build-context", "base=docker-image://" + e.base,
		"--build-arg", "SOURCE_DATE_EPOCH=1700000000"}
	output := func(ref string) []string {
		return []string{"--output", "type=image,name=" + ref + ",push=true,rewrite-timestamp=true"}
	}
	first, second := e.ref("repro"), e.ref("repro")
	e.mustBuild(t, dir, "builder.yaml", append(common, output(first)...)...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := e.Buildctl(ctx, "prune", "--all"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out := e.mustBuild(t, dir, "builder.yaml", append(common, output(second)...)...)
	if strings.Contains(out, "CACHED") {
		t.Errorf("the rebuild after prune used cached steps:\n%s", tail(out, 40))
	}
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		a, err := layerDigests(first, p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := layerDigests(second, p)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a, b) {
			t.Errorf("%s: layers differ after a pruned rebuild:\n%v\n%v", p, a, b)
		}
		img, err := lab.Image(second, p)
		if err != nil {
			t.Fatal(err)
		}
		if cf, err := img.ConfigFile(); err != nil || cf.Created.Unix() != 1700000000 {
			t.Errorf("%s: image created %v, want SOURCE_DATE_EPOCH (%v)", p, cf.Created, err)
		}
	}
}
