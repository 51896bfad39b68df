package lab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Debian 12 root file systems for amd64 and arm64, made once with debootstrap and shared by the tests and the
// benchmark, and what the tests make of them: a Debian base image, an apt repository of real Debian packages and
// the keys that sign it (see apt.go, rpm.go).

const (
	debianSuite  = "bookworm"
	debianMirror = "http://deb.debian.org/debian"
)

// DebianArches are the architectures of the Debian root file systems, as Debian and Go name them.
var DebianArches = []string{"amd64", "arm64"}

// DebianRootfs debootstraps Debian 12 (--variant=minbase) for amd64 and arm64 into dir/rootfs-<arch>, once: a
// finished one is marked by dir/rootfs-<arch>.complete, and a process making them holds dir/.lock. The arm64
// second stage runs under the host's qemu binfmt. The apt lists and caches, /dev, /tmp and the bootstrap log are
// emptied, as in Debian's own container images; the sources list is Debian's mirror. Several minutes the first
// time (network and emulation), nothing after.
func DebianRootfs(ctx context.Context, dir string, logf func(string, ...any)) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	complete := func(arch string) bool {
		_, err := os.Stat(filepath.Join(dir, "rootfs-"+arch+".complete"))
		return err == nil
	}
	if complete("amd64") && complete("arm64") {
		return nil
	}
	unlock, err := lockFile(filepath.Join(dir, ".lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return fmt.Errorf("lab: debootstrap is not installed (make deps installs it): %w", err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(DebianArches))
	for i, arch := range DebianArches {
		if complete(arch) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = debootstrap(ctx, dir, arch, logf)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func debootstrap(ctx context.Context, dir, arch string, logf func(string, ...any)) error {
	root := filepath.Join(dir, "rootfs-"+arch)
	logf("lab: debootstrap --variant=minbase --arch=%s %s (once; cached in %s)", arch, debianSuite, dir)
	t0 := time.Now()
	if err := os.RemoveAll(root); err != nil {
		return err
	}
	log := filepath.Join(dir, "debootstrap-"+arch+".log")
	lf, err := os.Create(log)
	if err != nil {
		return err
	}
	defer lf.Close()
	cmd := exec.CommandContext(ctx, "debootstrap", "--variant=minbase", "--arch="+arch, debianSuite, root, debianMirror)
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("lab: debootstrap %s: %v (log: %s)", arch, err, log)
	}
	for _, glob := range []string{"var/cache/apt/*", "var/lib/apt/lists/*", "dev/*", "tmp/*", "var/log/bootstrap.log"} {
		m, _ := filepath.Glob(filepath.Join(root, glob))
		for _, p := range m {
			if err := os.RemoveAll(p); err != nil {
				return err
			}
		}
	}
	logf("lab: debootstrap %s done in %s", arch, time.Since(t0).Round(time.Second))
	return os.WriteFile(root+".complete", nil, 0o644)
}

// debianRootfs is the lab's copy of DebianRootfs: CacheDir/debian/rootfs.
func (l *Lab) debianRootfs(ctx context.Context) (string, error) {
	dir := filepath.Join(l.st.CacheDir, "debian", "rootfs")
	return dir, DebianRootfs(ctx, dir, l.logf)
}

// aptDownload downloads into dest the .debs that `apt-get install --no-install-recommends pkgs` would install in
// the root file system root of Debian architecture arch, with the host's apt acting on that root's dpkg status,
// sources and keys (nothing in root changes; the lists go to lists).
func aptDownload(ctx context.Context, root, arch, lists, dest string, pkgs ...string) error {
	for _, d := range []string{filepath.Join(lists, "partial"), filepath.Join(dest, "partial")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	// Beside the lists, not in them: apt update removes what it does not know there.
	conf := lists + ".conf"
	text := fmt.Sprintf(`Dir "%s/";
Dir::State::status "%s/var/lib/dpkg/status";
Dir::State::Lists "%s/";
Dir::Cache "%s/";
Dir::Cache::archives "%s/";
APT::Architecture "%s";
APT::Architectures { "%s"; };
APT::Sandbox::User "root";
Debug::NoLocking "true";
`, root, root, lists, lists, dest, arch, arch)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return err
	}
	apt := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "APT_CONFIG="+conf, "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("lab: apt-get %s (%s): %w\n%s", strings.Join(args, " "), arch, err, tail(out, 20))
		}
		return nil
	}
	if err := apt("update", "-q"); err != nil {
		return err
	}
	return apt(append([]string{"install", "-y", "-q", "--download-only", "--no-install-recommends"}, pkgs...)...)
}

// runIn runs name args in dir with extra environment, returning an error with the command's output.
func runIn(ctx context.Context, dir string, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("lab: %s %s: %w\n%s", name, strings.Join(args, " "), err, tail(out, 20))
	}
	return nil
}

// madeOnce returns dir, making it first with make (in a temporary directory renamed into place) unless it exists;
// the lock file beside it keeps concurrent labs from making it twice.
func madeOnce(dir string, make func(tmp string) error) (string, error) {
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	unlock, err := lockFile(dir + ".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return "", err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", err
	}
	if err := make(tmp); err != nil {
		return "", err
	}
	return dir, os.Rename(tmp, dir)
}
