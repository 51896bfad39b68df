package lab_test

import (
	"context"
	"debug/elf"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/maistra/builder-frontend/internal/lab"
	"github.com/maistra/builder-frontend/internal/lab/labtest"
)

var theLab = labtest.NewShared(lab.Options{})

func TestMain(m *testing.M) { os.Exit(theLab.Main(m)) }

// TestLab builds the base image and the frontend image on a real buildkitd and checks what landed in the registry.
func TestLab(t *testing.T) {
	l := theLab.Get(t)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Minute)
	defer cancel()

	t.Run("base image", func(t *testing.T) {
		t0 := time.Now()
		ref, err := l.BaseImage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("base image %s in %s", ref, time.Since(t0).Round(time.Millisecond))
		if again, err := l.BaseImage(ctx); err != nil || again != ref {
			t.Fatalf("second BaseImage = %q, %v; want the cached %q", again, err, ref)
		}
		ps, err := l.Platforms(ref)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(ps, ",") != "linux/amd64,linux/arm64" {
			t.Fatalf("platforms of %s = %v, want linux/amd64 and linux/arm64", ref, ps)
		}
		for p, want := range map[string]elf.Machine{"linux/amd64": elf.EM_X86_64, "linux/arm64": elf.EM_AARCH64} {
			fsys, err := l.Filesystem(ref, p)
			if err != nil {
				t.Fatal(err)
			}
			bb := fsys.Files["/bin/busybox"]
			if bb == nil || !bb.IsRegular() || bb.Mode.Perm()&0o111 == 0 {
				t.Fatalf("%s: /bin/busybox = %+v, want an executable file", p, bb)
			}
			if m, err := lab.ELFMachine(bb.Head); err != nil || m != want {
				t.Errorf("%s: /bin/busybox is %v (%v), want %v", p, m, err, want)
			}
			sh, err := fsys.Lookup("/bin/sh")
			if err != nil || sh.Path != "/bin/busybox" {
				t.Errorf("%s: /bin/sh resolves to %+v, %v; want /bin/busybox", p, sh, err)
			}
			if wget := fsys.Files["/usr/bin/wget"]; wget == nil || wget.Linkname != "/bin/busybox" {
				t.Errorf("%s: /usr/bin/wget = %+v, want a symlink to /bin/busybox", p, wget)
			}
			if tmp := fsys.Files["/tmp"]; tmp == nil || !tmp.Mode.IsDir() || tmp.Mode&fs.ModeSticky == 0 || tmp.Mode.Perm() != 0o777 {
				t.Errorf("%s: /tmp = %+v, want a 1777 directory", p, tmp)
			}
			if pw := fsys.Files["/etc/passwd"]; pw == nil || !strings.HasPrefix(string(pw.Data), "root:x:0:0:") {
				t.Errorf("%s: /etc/passwd = %+v, want root first", p, pw)
			}
			if c := fsys.Config; c.Architecture != strings.TrimPrefix(p, "linux/") || strings.Join(c.Config.Cmd, " ") != "/bin/sh" {
				t.Errorf("%s: config arch %q cmd %q", p, c.Architecture, c.Config.Cmd)
			}
		}
	})

	t.Run("frontend image", func(t *testing.T) {
		t0 := time.Now()
		ref, err := l.FrontendImage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("frontend image %s in %s", ref, time.Since(t0).Round(time.Millisecond))
		fsys, err := l.Filesystem(ref, "")
		if err != nil {
			t.Fatal(err)
		}
		caps := fsys.Config.Config.Labels["moby.buildkit.frontend.caps"]
		for _, c := range []string{"moby.buildkit.frontend.inputs", "moby.buildkit.frontend.subrequests", "moby.buildkit.frontend.contexts"} {
			if !strings.Contains(","+caps+",", ","+c+",") {
				t.Errorf("label moby.buildkit.frontend.caps = %q, missing %s", caps, c)
			}
		}
		if got := fsys.Config.Config.Labels["moby.buildkit.frontend.network.none"]; got != "true" {
			t.Errorf("label moby.buildkit.frontend.network.none = %q, want true", got)
		}
		if ep := fsys.Config.Config.Entrypoint; len(ep) != 1 || ep[0] != "/builder-frontend" {
			t.Errorf("entrypoint = %q, want [/builder-frontend]", ep)
		}
		bin := fsys.Files["/builder-frontend"]
		if bin == nil || bin.Mode.Perm()&0o111 == 0 {
			t.Fatalf("/builder-frontend = %+v, want an executable", bin)
		}
		if m, err := lab.ELFMachine(bin.Head); err != nil || m == elf.EM_NONE {
			t.Errorf("/builder-frontend: ELF machine %v, %v", m, err)
		}
	})

	t.Run("buildx on the base image", func(t *testing.T) {
		base, err := l.BaseImage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.WriteRaw("hello.txt", []byte("hello from the artifact server\n")); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		df := "FROM " + base + "\nRUN uname -m > /arch && wget -q -O /hello " + l.ArtifactURL() + "/hello.txt\n"
		if err := os.WriteFile(dir+"/Dockerfile", []byte(df), 0o644); err != nil {
			t.Fatal(err)
		}
		ref := l.Registry() + "/test/buildx:1"
		out, err := l.Buildx(ctx, "build", "--progress=plain", "--platform=linux/amd64,linux/arm64", "--push", "-t", ref, dir)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		ps, err := l.Platforms(ref) // buildx adds provenance attestations: Platforms leaves them out
		if err != nil || strings.Join(ps, ",") != "linux/amd64,linux/arm64" {
			t.Fatalf("platforms of %s = %v, %v", ref, ps, err)
		}
		for p, want := range map[string]string{"linux/amd64": "x86_64", "linux/arm64": "aarch64"} {
			fsys, err := l.Filesystem(ref, p)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(string(fsys.Files["/arch"].Data)); got != want {
				t.Errorf("%s: uname -m = %q, want %q", p, got, want)
			}
			if got := string(fsys.Files["/hello"].Data); !strings.HasPrefix(got, "hello from") {
				t.Errorf("%s: /hello = %q", p, got)
			}
		}
	})

	t.Run("fixtures", func(t *testing.T) {
		for arch, want := range map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64} {
			exe, err := l.Executable(ctx, arch, "helm v3.16.0")
			if err != nil {
				t.Fatal(err)
			}
			if m, err := lab.ELFMachine(exe); err != nil || m != want {
				t.Fatalf("%s executable: machine %v, %v", arch, m, err)
			}
			files := []lab.File{{Path: "linux-" + arch + "/helm", Mode: 0o755, Data: exe}, {Path: "linux-" + arch + "/README.md", Data: []byte("helm\n")}}
			for _, w := range []struct {
				ext   string
				write func(string, []lab.File) (string, error)
			}{{".tar.gz", l.WriteTarGz}, {".tar.xz", l.WriteTarXz}, {".zip", l.WriteZip}} {
				name := "helm-v3.16.0-linux-" + arch + w.ext
				sum, err := w.write(name, files)
				if err != nil {
					t.Fatal(err)
				}
				data := get(t, l.ArtifactURL()+"/"+name)
				if lab.SHA256(data) != sum {
					t.Errorf("%s: served sha256 %s, WriteX returned %s", name, lab.SHA256(data), sum)
				}
			}
		}
		if _, err := l.WriteRaw("bazel-7.4.1-linux-x86_64", []byte("raw")); err != nil {
			t.Fatal(err)
		}
		if got := string(get(t, l.ArtifactURL()+"/bazel-7.4.1-linux-x86_64")); got != "raw" {
			t.Errorf("raw artifact = %q", got)
		}
		// Custom handlers: a 404 and a download cut off mid-way.
		defer l.Handle("/missing", lab.StatusHandler(http.StatusNotFound))()
		defer l.Handle("/cut", lab.TruncatedHandler(make([]byte, 1000), 100))()
		if resp, err := http.Get(l.ArtifactURL() + "/missing"); err != nil || resp.StatusCode != 404 {
			t.Errorf("GET /missing: %v, %v", resp, err)
		}
		if resp, err := http.Get(l.ArtifactURL() + "/cut"); err != nil {
			t.Errorf("GET /cut: %v", err)
		} else {
			n, err := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err == nil || n != 100 {
				t.Errorf("GET /cut: read %d bytes, err %v; want 100 and an unexpected EOF", n, err)
			}
		}
		if n := l.ArtifactHits("/bazel-7.4.1-linux-x86_64"); n != 1 {
			t.Errorf("ArtifactHits = %d, want 1", n)
		}
	})

	t.Run("further daemon", func(t *testing.T) {
		d, err := l.StartDaemon(ctx, "runner-b")
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if d.Host() == l.BuildkitHost() || d.PID() == l.BuildkitdPID() {
			t.Fatalf("the further daemon is the lab's: %s, pid %d", d.Host(), d.PID())
		}
		if out, err := d.Buildctl(ctx, "debug", "workers"); err != nil || !strings.Contains(string(out), "linux/amd64") {
			t.Fatalf("buildctl debug workers: %v\n%s", err, out)
		}
		if _, err := l.StartDaemon(ctx, "runner-b"); err == nil {
			t.Error("a second daemon of the same name started")
		}
		pid := d.PID()
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("buildkitd (pid %d) still runs after Close", pid)
		}
		if out, err := l.Buildctl(ctx, "debug", "workers"); err != nil {
			t.Errorf("the lab's daemon stopped with the further one: %v\n%s", err, out)
		}
	})
}

func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
