package lab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// BasePlatforms are the platforms of the base image.
var BasePlatforms = []string{"linux/amd64", "linux/arm64"}

// baseDockerfile lays the per-arch rootfs prepared on the host into the image; nothing runs in the build.
const baseDockerfile = `FROM scratch
ARG TARGETARCH
COPY rootfs-${TARGETARCH}/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["/bin/sh"]
`

// BaseImage returns the ref of a small two-platform (linux/amd64, linux/arm64) base image in the lab registry,
// <registry>/base/busybox:1, building it on the first call: Debian's busybox-static for each arch as /bin/busybox,
// /bin/sh and every applet as a symlink to it, /etc/passwd and /etc/group with root, /root, and /tmp (1777).
// The .debs are cached in CacheDir/debs across runs.
func (l *Lab) BaseImage(ctx context.Context) (string, error) {
	return l.base.get(func() (string, error) {
		ref := l.st.Registry + "/base/busybox:1"
		t0 := time.Now()
		if err := l.buildBase(ctx, ref); err != nil {
			return "", err
		}
		l.logf("lab: base image %s built in %s", ref, time.Since(t0).Round(10*time.Millisecond))
		return ref, nil
	})
}

// builtImage is an image a Lab builds once, on first use: callers wait for
// the build in progress; a failed build is tried again by the next caller.
type builtImage struct {
	mu  sync.Mutex // held while building
	ref string
}

func (b *builtImage) get(build func() (string, error)) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ref == "" {
		ref, err := build()
		if err != nil {
			return "", err
		}
		b.ref = ref
	}
	return b.ref, nil
}

func (l *Lab) buildBase(ctx context.Context, ref string) error {
	debs, err := l.busyboxDebs(ctx)
	if err != nil {
		return err
	}
	dir := filepath.Join(l.st.StateDir, "base-image")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// The applet list is the same for both arches (same package version); ask the one the host can run.
	hostArch := runtime.GOARCH
	if _, ok := debs[hostArch]; !ok {
		hostArch = "amd64"
	}
	var applets []string
	for _, arch := range []string{hostArch, otherArch(hostArch)} {
		x := filepath.Join(dir, "deb-"+arch)
		if out, err := exec.CommandContext(ctx, "dpkg-deb", "-x", debs[arch], x).CombinedOutput(); err != nil {
			return fmt.Errorf("lab: dpkg-deb -x %s: %w\n%s", debs[arch], err, out)
		}
		busybox := filepath.Join(x, "bin", "busybox")
		if arch == hostArch {
			out, err := exec.CommandContext(ctx, busybox, "--list-full").Output()
			if err != nil {
				return fmt.Errorf("lab: %s --list-full: %w", busybox, err)
			}
			applets = strings.Fields(string(out))
		}
		if err := layOutBusybox(filepath.Join(dir, "rootfs-"+arch), busybox, applets); err != nil {
			return err
		}
		if err := os.RemoveAll(x); err != nil {
			return err
		}
	}
	if err := l.pushDockerfile(ctx, dir, baseDockerfile, BasePlatforms, ref); err != nil {
		return fmt.Errorf("lab: build base image: %w", err)
	}
	return nil
}

// pushDockerfile builds dockerfile, with dir as its context, for platforms with the daemon's built-in Dockerfile
// frontend (nothing is pulled for it) and pushes the result as ref. The error holds the end of buildctl's output.
func (l *Lab) pushDockerfile(ctx context.Context, dir, dockerfile string, platforms []string, ref string) error {
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		return err
	}
	out, err := l.Buildctl(ctx, "build",
		"--frontend", "dockerfile.v0",
		"--local", "context="+dir, "--local", "dockerfile="+dir,
		"--opt", "platform="+strings.Join(platforms, ","),
		"--output", "type=image,name="+ref+",push=true")
	if err != nil {
		return fmt.Errorf("%w\n%s", err, tail(out, 30))
	}
	return nil
}

func otherArch(a string) string {
	if a == "amd64" {
		return "arm64"
	}
	return "amd64"
}

// layOutBusybox makes a rootfs: /bin/busybox, a symlink to it for each applet path (bin/sh, usr/bin/wget, ...),
// /etc/passwd, /etc/group, /root and /tmp.
func layOutBusybox(root, busybox string, applets []string) error {
	for _, d := range []string{"bin", "sbin", "usr/bin", "usr/sbin", "usr/local/bin", "etc", "root", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.Chmod(filepath.Join(root, "tmp"), 0o777|os.ModeSticky); err != nil {
		return err
	}
	if err := os.Chmod(filepath.Join(root, "root"), 0o700); err != nil {
		return err
	}
	data, err := os.ReadFile(busybox)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "busybox"), data, 0o755); err != nil {
		return err
	}
	for _, a := range applets {
		a = strings.TrimPrefix(filepath.Clean("/"+a), "/")
		if a == "bin/busybox" || !strings.Contains(a, "/") { // linuxrc and the like
			continue
		}
		p := filepath.Join(root, a)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.Symlink("/bin/busybox", p); err != nil && !os.IsExist(err) {
			return err
		}
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		"etc/group":  "root:x:0:\nnogroup:x:65534:\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// busyboxDebs returns arch -> path of the busybox-static .deb, downloading them into CacheDir/debs when missing.
func (l *Lab) busyboxDebs(ctx context.Context) (map[string]string, error) {
	cache := filepath.Join(l.st.CacheDir, "debs")
	find := func() map[string]string {
		found := map[string]string{}
		for _, arch := range []string{"amd64", "arm64"} {
			m, _ := filepath.Glob(filepath.Join(cache, "busybox-static_*_"+arch+".deb"))
			if len(m) > 0 {
				sort.Strings(m)
				found[arch] = m[len(m)-1]
			}
		}
		return found
	}
	if debs := find(); len(debs) == 2 {
		return debs, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(cache, ".download-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	dctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(dctx, "apt-get", "download", "-q", "busybox-static:amd64", "busybox-static:arm64")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("lab: apt-get download busybox-static:amd64 busybox-static:arm64: %w\n%s\n"+
			"(arm64 must be a dpkg foreign architecture with fresh package lists: run hack/install-deps.sh)", err, out)
	}
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".deb") {
			// Rename is atomic: concurrent labs (test packages run in parallel) never see half a file.
			if err := os.Rename(filepath.Join(tmp, e.Name()), filepath.Join(cache, e.Name())); err != nil {
				return nil, err
			}
		}
	}
	if debs := find(); len(debs) == 2 {
		l.logf("lab: downloaded %s", strings.Join([]string{filepath.Base(debs["amd64"]), filepath.Base(debs["arm64"])}, ", "))
		return debs, nil
	}
	return nil, fmt.Errorf("lab: apt-get download left no busybox-static .debs for both arches in %s", cache)
}

// FrontendPlatforms are the platforms of the released frontend image (make image, make release, FrontendIndex):
// every platform a buildx node may have, since a daemon runs the frontend image for its own platform.
var FrontendPlatforms = []string{"linux/amd64", "linux/arm64", "linux/ppc64le", "linux/s390x"}

// FrontendImage returns the ref of the frontend image for the host's platform in the lab registry,
// <registry>/builder-frontend:dev, building it on the first call (see BuildFrontendImage). The daemon runs the
// frontend for its own platform, so one platform is all a single-daemon build needs, and the cheapest to make.
func (l *Lab) FrontendImage(ctx context.Context) (string, error) {
	return l.frontend.get(func() (string, error) {
		ref := l.st.Registry + "/builder-frontend:dev"
		return ref, l.BuildFrontendImage(ctx, ref)
	})
}

// FrontendIndex returns the ref of the frontend image for every one of FrontendPlatforms, one index,
// <registry>/builder-frontend:multi, building it on the first call: what a builder whose nodes have different
// platforms needs.
func (l *Lab) FrontendIndex(ctx context.Context) (string, error) {
	return l.frontendIndex.get(func() (string, error) {
		ref := l.st.Registry + "/builder-frontend:multi"
		return ref, l.BuildFrontendImage(ctx, ref, FrontendPlatforms...)
	})
}

// BuildFrontendImage cross-compiles ./cmd/builder-frontend with the host Go for each platform (CompileFrontend;
// none given: the host's) and pushes the root Dockerfile's target "prebuilt", with the binaries as build context,
// as ref: one index for several platforms. Nothing runs on the target platforms, so none is emulated. It always
// builds: FrontendImage and FrontendIndex are the cached variants.
func (l *Lab) BuildFrontendImage(ctx context.Context, ref string, platforms ...string) error {
	t0 := time.Now()
	dir, err := os.MkdirTemp(l.st.StateDir, "frontend-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	args := []string{"build",
		"--frontend", "dockerfile.v0",
		"--local", "context=" + dir, "--local", "dockerfile=" + l.st.RepoRoot,
		"--opt", "filename=Dockerfile", "--opt", "target=prebuilt",
		"--output", "type=image,name=" + ref + ",push=true"}
	if len(platforms) == 0 {
		platforms = []string{"linux/" + runtime.GOARCH}
	} else {
		args = append(args, "--opt", "platform="+strings.Join(platforms, ","))
	}
	if err := CompileFrontend(ctx, l.st.RepoRoot, dir, platforms); err != nil {
		return err
	}
	t1 := time.Now()
	out, err := l.Buildctl(ctx, args...)
	if err != nil {
		return fmt.Errorf("lab: build frontend image: %w\n%s", err, tail(out, 30))
	}
	l.logf("lab: frontend image %s (%s) built in %s (go build %s)", ref, strings.Join(platforms, ", "),
		time.Since(t0).Round(10*time.Millisecond), t1.Sub(t0).Round(10*time.Millisecond))
	return nil
}

// CompileFrontend builds ./cmd/builder-frontend of repoRoot with the host Go (CGO_ENABLED=0, -trimpath) for each
// linux platform into dir/<GOARCH>/builder-frontend: the build context of the Dockerfile's target "prebuilt".
func CompileFrontend(ctx context.Context, repoRoot, dir string, platforms []string) error {
	for _, p := range platforms {
		goos, arch, ok := strings.Cut(p, "/")
		if !ok || goos != "linux" || arch == "" || strings.Contains(arch, "/") {
			return fmt.Errorf("lab: frontend platform %q: want linux/<GOARCH>, e.g. linux/arm64", p)
		}
		if err := goBuild(ctx, repoRoot, arch, filepath.Join(dir, arch, "builder-frontend"), nil, "./cmd/builder-frontend"); err != nil {
			return err
		}
	}
	return nil
}

// goBuild runs the host `go build -trimpath -o out pkgs...` in dir for linux/goarch with CGO_ENABLED=0.
func goBuild(ctx context.Context, dir, goarch, out string, extraArgs []string, pkgs ...string) error {
	args := append([]string{"build", "-trimpath", "-o", out}, extraArgs...)
	cmd := exec.CommandContext(ctx, goTool(), append(args, pkgs...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if o, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("lab: go %s (GOARCH=%s) in %s: %w\n%s", strings.Join(append(args, pkgs...), " "), goarch, dir, err, o)
	}
	return nil
}

// goTool is the go command: from PATH (go test puts its own GOROOT/bin first), else $GOROOT/bin/go, else
// /usr/local/go/bin/go.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	for _, p := range []string{filepath.Join(os.Getenv("GOROOT"), "bin", "go"), "/usr/local/go/bin/go"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "go"
}

// tail returns the last n lines of out.
func tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// BaseVariant pushes ref: the image from, on each of its platforms, with files (path in the image -> content, mode
// 0644) added in one layer on top. It is the base image moved to a new digest, as a distro's update moves it.
func (l *Lab) BaseVariant(ctx context.Context, from, ref string, files map[string]string) error {
	platforms, err := l.Platforms(from)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp(l.st.StateDir, "base-variant-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for p, data := range files {
		rel := strings.TrimPrefix(filepath.Clean("/"+p), "/")
		if rel == "" {
			return fmt.Errorf("lab: BaseVariant: bad path %q", p)
		}
		if err := writeFileAtomic(filepath.Join(dir, "rootfs", rel), []byte(data), 0o644); err != nil {
			return err
		}
	}
	if err := l.pushDockerfile(ctx, dir, "FROM "+from+"\nCOPY rootfs/ /\n", platforms, ref); err != nil {
		return fmt.Errorf("lab: build %s from %s: %w", ref, from, err)
	}
	return nil
}
