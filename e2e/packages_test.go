package e2e

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maistra/builder-frontend/internal/lab"
)

// The native package route against the emulated one, with real package managers on real packages, hermetically:
// the lab's Debian 12 image for amd64 and arm64 (debootstrap), its apt repository of Debian's packages on the
// artifact server, its RPM world (RPMs made and signed by the lab, an image with Debian's dnf).

// platformsBoth are the platforms every package test builds.
var platformsBoth = []string{"linux/amd64", "linux/arm64"}

// logsAndCaches are the files whose contents differ from one install to the next whatever the route: logs with
// times, ldconfig's cache of file times, the rpm and dnf databases with install times. Their paths, modes and
// owners are compared like every other file's.
var logsAndCaches = map[string]bool{
	"/var/log/dpkg.log":               true,
	"/var/log/apt/history.log":        true,
	"/var/log/apt/term.log":           true,
	"/var/log/apt/eipp.log.xz":        true,
	"/var/cache/ldconfig/aux-cache":   true,
	"/var/log/dnf.log":                true,
	"/var/log/dnf.librepo.log":        true,
	"/var/log/dnf.rpm.log":            true,
	"/var/log/hawkey.log":             true,
	"/var/lib/dnf/history.sqlite":     true,
	"/var/lib/dnf/history.sqlite-shm": true,
	"/var/lib/dnf/history.sqlite-wal": true,
	"/var/lib/rpm/rpmdb.sqlite":       true,
	"/var/lib/rpm/rpmdb.sqlite-shm":   true,
	"/var/lib/rpm/rpmdb.sqlite-wal":   true,
}

// sameRoots lists how b's file system differs from a's: paths, types, modes (with setuid, setgid, sticky),
// owners, link targets, and the contents of every regular file but logsAndCaches.
func sameRoots(a, b *lab.Filesystem) []string {
	var diffs []string
	paths := map[string]bool{}
	for p := range a.Files {
		paths[p] = true
	}
	for p := range b.Files {
		paths[p] = true
	}
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for p := range paths {
			if !yield(p) {
				return
			}
		}
	}) {
		fa, fb := a.Files[p], b.Files[p]
		switch {
		case fa == nil:
			diffs = append(diffs, "only in the second: "+p)
		case fb == nil:
			diffs = append(diffs, "only in the first: "+p)
		case fa.Mode != fb.Mode || fa.UID != fb.UID || fa.GID != fb.GID || fa.Linkname != fb.Linkname || fa.Hardlink != fb.Hardlink:
			diffs = append(diffs, fmt.Sprintf("%s: %v %d:%d %q, then %v %d:%d %q", p, fa.Mode, fa.UID, fa.GID, fa.Linkname, fb.Mode, fb.UID, fb.GID, fb.Linkname))
		case fa.IsRegular() && fa.SHA256 != fb.SHA256 && !logsAndCaches[p]:
			diffs = append(diffs, fmt.Sprintf("%s: contents differ (%d bytes, then %d)", p, fa.Size, fb.Size))
		}
	}
	return diffs
}

// buildBoth builds dir's spec for linux/amd64 and linux/arm64 twice, natively and with BUILDER_PACKAGES=emulated,
// and returns the two refs with the native build's output.
func (e env) buildBoth(t *testing.T, dir string, args ...string) (native, emulated, out string) {
	t.Helper()
	native, emulated = e.ref("native"), e.ref("emulated")
	common := append([]string{"--platform", strings.Join(platformsBoth, ",")}, args...)
	build := func(args ...string) string {
		// apt under qemu on a busy machine: ca-certificates' postinst alone has taken 8 minutes.
		out, err := e.buildWithin(t, 40*time.Minute, dir, "builder.yaml", append(common, args...)...)
		if err != nil {
			t.Fatalf("%v\n%s", err, tail(out, 60))
		}
		return out
	}
	t0 := time.Now()
	out = build("-t", native, "--push")
	t1 := time.Now()
	outE := build("-t", emulated, "--push", "--build-arg", "BUILDER_PACKAGES=emulated")
	t.Logf("native build %s, emulated build %s (its amd64 half cached: the same graph); arm64 package step %s natively, %s emulated",
		t1.Sub(t0).Round(time.Second), time.Since(t1).Round(time.Second), stepSecs(out, "[packages linux/arm64] "), stepSecs(outE, "[packages linux/arm64] "))
	return native, emulated, out
}

// stepSecs is how long the step whose name starts with prefix took, as buildx's plain progress says ("#12 DONE
// 93.5s"); "?" when it does not say.
func stepSecs(out, prefix string) string {
	m := regexp.MustCompile(`(?m)^#(\d+) ` + regexp.QuoteMeta(prefix) + `.* install `).FindStringSubmatch(out)
	if m == nil {
		return "?"
	}
	if d := regexp.MustCompile(`(?m)^#` + m[1] + ` DONE ([0-9.]+s)$`).FindStringSubmatch(out); d != nil {
		return d[1]
	}
	return "?"
}

// compareRoutes checks, per platform, that the native and the emulated image hold the same files and as many
// layers, and returns the two file systems.
func (e env) compareRoutes(t *testing.T, native, emulated, platform string) (fsN, fsE *lab.Filesystem) {
	t.Helper()
	fsN, err := e.Filesystem(native, platform)
	if err != nil {
		t.Fatal(err)
	}
	fsE, err = e.Filesystem(emulated, platform)
	if err != nil {
		t.Fatal(err)
	}
	if fsN.Layers != fsE.Layers {
		t.Errorf("%s: %d layers natively, %d emulated", platform, fsN.Layers, fsE.Layers)
	}
	if d := sameRoots(fsE, fsN); len(d) > 0 {
		t.Errorf("%s: the native image differs from the emulated one (first: emulated) in %d entries:\n%s", platform, len(d), strings.Join(d[:min(len(d), 40)], "\n"))
	}
	return fsN, fsE
}

func fileText(t *testing.T, fs *lab.Filesystem, p string) string {
	t.Helper()
	f, err := fs.Lookup(p)
	if err != nil || f.Data == nil {
		t.Errorf("%s: %v", p, err)
		return ""
	}
	return string(f.Data)
}

// TestNativeAptMatchesEmulated: apt natively (apt and dpkg of the build platform's image, maintainer scripts in
// the target) and emulated leave the same image on each platform: the same dpkg database, every package
// "install ok installed", the same files; the postinst and trigger outcomes are there, arm64 binaries are
// aarch64, and git runs on arm64.
func TestNativeAptMatchesEmulated(t *testing.T) {
	// With the other package tests, after the rest: much of their time is waiting for emulation.
	t.Parallel()
	e := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	repo, err := e.AptRepository(ctx)
	if err != nil {
		t.Fatal(err)
	}
	base, err := e.DebianImage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := writeSpec(t, `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
images:
  debian:
    base: `+base+`
    packages:
      manager: apt
      repositories:
        - name: lab
          url: `+repo.Source(repo.Keyring)+`
      install: [ca-certificates, git, python3-minimal]
    run:
      - name: record
        command: |
          set -e
          mkdir /builder-test
          dpkg-query -W -f '${Package} ${Version} ${Architecture} ${Status}\n' > /builder-test/dpkg-query
          git --version > /builder-test/git-version
          uname -m > /builder-test/uname
`, nil)
	native, emulated, out := e.buildBoth(t, dir)
	for _, w := range []string{"[packages linux/arm64] apt install ca-certificates git python3-minimal (natively on linux/amd64)", "[packages linux/amd64] apt install ca-certificates git python3-minimal"} {
		if !strings.Contains(out, w) {
			t.Errorf("the native build's output lacks %q", w)
		}
	}
	for _, p := range platformsBoth {
		t.Run(strings.ReplaceAll(p, "/", "-"), func(t *testing.T) {
			fsN, fsE := e.compareRoutes(t, native, emulated, p)
			arch := strings.TrimPrefix(p, "linux/")
			q := fileText(t, fsN, "/builder-test/dpkg-query")
			if qe := fileText(t, fsE, "/builder-test/dpkg-query"); q != qe {
				t.Errorf("dpkg-query natively:\n%s\nemulated:\n%s", q, qe)
			}
			lines := strings.Split(strings.TrimSpace(q), "\n")
			for _, l := range lines {
				if !strings.HasSuffix(l, " install ok installed") {
					t.Errorf("package not installed: %s", l)
				}
			}
			for _, pkg := range []string{"ca-certificates", "git", "python3-minimal", "libc-bin"} {
				if !slices.ContainsFunc(lines, func(l string) bool {
					f := strings.Fields(l)
					return f[0] == pkg && (f[2] == arch || f[2] == "all")
				}) {
					t.Errorf("dpkg-query lists no %s for %s:\n%s", pkg, arch, q)
				}
			}
			if len(lines) < 100 {
				t.Errorf("only %d packages in the dpkg database", len(lines))
			}
			for _, fs := range []*lab.Filesystem{fsN, fsE} {
				wantELF(t, fs, p, "/usr/bin/git", 0o755)
				wantELF(t, fs, p, "/usr/bin/python3.11", 0o755)
				if v := fileText(t, fs, "/builder-test/git-version"); !strings.HasPrefix(v, "git version 2.") {
					t.Errorf("the run step's git --version said %q", v)
				}
				if u := fileText(t, fs, "/builder-test/uname"); strings.TrimSpace(u) != map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[arch] {
					t.Errorf("the run step ran on %q", u)
				}
				// ca-certificates' postinst made the bundle.
				if c := fileText(t, fs, "/etc/ssl/certs/ca-certificates.crt"); strings.Count(c, "BEGIN CERTIFICATE") < 100 {
					t.Errorf("/etc/ssl/certs/ca-certificates.crt holds %d certificates", strings.Count(c, "BEGIN CERTIFICATE"))
				}
				// python3-minimal's postinst compiled its modules.
				if _, err := fs.Lookup("/usr/lib/python3.11/__pycache__/os.cpython-311.pyc"); err != nil {
					t.Errorf("python3-minimal's postinst did not compile os.py: %v", err)
				}
				// libc-bin's trigger (ldconfig) ran for git's libraries.
				if c := fileText(t, fs, "/etc/ld.so.cache"); !strings.Contains(c, "libcurl-gnutls.so.4") {
					t.Errorf("/etc/ld.so.cache does not list libcurl-gnutls.so.4: the ldconfig trigger did not run")
				}
				// Nothing of the native route's container is left in the image.
				for _, absent := range []string{"/target", "/.builder-frontend", "/tmp/builder-frontend-packages.log", "/dev/null", "/usr/bin/dpkg.build"} {
					if _, err := fs.Lookup(absent); err == nil {
						t.Errorf("%s is in the image", absent)
					}
				}
			}
		})
	}
}

// TestNativeDnfMatchesEmulated: dnf natively (--installroot, --forcearch) and emulated install the same RPMs from
// the lab's signed repository; the %post scriptlet ran on the target (it says aarch64 in the arm64 image), and
// rpm -qa is the same.
func TestNativeDnfMatchesEmulated(t *testing.T) {
	// With the other package tests, after the rest: much of their time is waiting for emulation.
	t.Parallel()
	e := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	repo, err := e.RPMRepository(ctx)
	if err != nil {
		t.Fatal(err)
	}
	base, err := e.RPMImage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := writeSpec(t, `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
images:
  rpm:
    base: `+base+`
    packages:
      manager: dnf
      repositories:
        - name: lab
          url: `+repo.URL+`
          gpgkey: `+repo.GPGKey+`
      install: [hello]
    run:
      - name: record
        command: |
          set -e
          mkdir /builder-test
          rpm -qa --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n' | sort > /builder-test/rpm-qa
`, nil)
	native, emulated, out := e.buildBoth(t, dir)
	if w := "[packages linux/arm64] dnf install hello (natively on linux/amd64)"; !strings.Contains(out, w) {
		t.Errorf("the native build's output lacks %q", w)
	}
	for _, p := range platformsBoth {
		t.Run(strings.ReplaceAll(p, "/", "-"), func(t *testing.T) {
			fsN, fsE := e.compareRoutes(t, native, emulated, p)
			cpu := map[string]string{"linux/amd64": "x86_64", "linux/arm64": "aarch64"}[p]
			q := fileText(t, fsN, "/builder-test/rpm-qa")
			if qe := fileText(t, fsE, "/builder-test/rpm-qa"); q != qe {
				t.Errorf("rpm -qa natively:\n%s\nemulated:\n%s", q, qe)
			}
			want := fmt.Sprintf("base-release-12-1.noarch\nbbox-1.35.0-1.%s\ngpg-pubkey-", cpu)
			if !strings.HasPrefix(q, want) || !strings.Contains(q, "\nhello-1.0-1."+cpu+"\n") {
				t.Errorf("rpm -qa:\n%s\nwant base-release, bbox and hello for %s and the lab key", q, cpu)
			}
			for _, fs := range []*lab.Filesystem{fsN, fsE} {
				// hello's %post ran on the target platform.
				for _, f := range []string{"/etc/arch-seen", "/etc/arch-seen-bbox"} {
					if got := strings.TrimSpace(fileText(t, fs, f)); got != cpu {
						t.Errorf("%s says %q, want %s", f, got, cpu)
					}
				}
				wantELF(t, fs, p, "/opt/bbox/bin/busybox", 0o755)
			}
		})
	}
}
