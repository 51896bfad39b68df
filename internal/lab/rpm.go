package lab

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// An RPM world made from Debian's packages only (rpmbuild, rpmsign, createrepo_c, gnupg, busybox-static, dnf): a
// signed repository of real RPMs for x86_64 and aarch64, and a base image with a real dnf for both platforms.

// rpmWorldVersion and rpmBaseVersion name the cache directories; a change of what is made bumps them.
const (
	rpmWorldVersion = "rpm-world-v1"
	rpmBaseVersion  = "rpm-base-v3"
)

// rpmArches maps the Debian architectures to rpm's.
var rpmArches = map[string]string{"amd64": "x86_64", "arm64": "aarch64"}

// rpmSpecs are the packages of the RPM world. bbox and hello are built per architecture, base-release for noarch.
var rpmSpecs = map[string]string{
	"bbox": `Name: bbox
Version: 1.35.0
Release: 1
Summary: busybox-static from Debian, per architecture
License: GPL-2.0-only
AutoReqProv: no
%global debug_package %{nil}
%global __os_install_post %{nil}
%description
The busybox-static binary of Debian for this architecture.
%install
mkdir -p %{buildroot}/opt/bbox/bin
install -m 0755 %{bbsrc}/bin/busybox %{buildroot}/opt/bbox/bin/busybox
%files
%attr(0755,root,root) /opt/bbox/bin/busybox
`,
	"hello": `Name: hello
Version: 1.0
Release: 1
Summary: depends on bbox; records the architecture its scriptlet ran on
License: MIT
Requires: bbox
AutoReqProv: no
%global debug_package %{nil}
%global __os_install_post %{nil}
%description
Its post-install scriptlet writes uname -m to /etc/arch-seen.
%install
mkdir -p %{buildroot}/usr/share/hello
echo "hello %{_target_cpu}" > %{buildroot}/usr/share/hello/README
%post
uname -m > /etc/arch-seen
/opt/bbox/bin/busybox uname -m > /etc/arch-seen-bbox
%files
/usr/share/hello/README
`,
	"base-release": `Name: base-release
Version: 12
Release: 1
Summary: the rpm side of a Debian image with dnf: release version and /bin/sh
License: MIT
BuildArch: noarch
AutoReqProv: no
Provides: system-release = %{version}
Provides: system-release(releasever) = %{version}
Provides: /bin/sh
%description
Tells dnf the release version, and that /bin/sh is there (dash, from the Debian side).
%install
mkdir -p %{buildroot}/etc
echo "rpm world base %{version}" > %{buildroot}/etc/base-release
%files
%config(noreplace) /etc/base-release
`,
}

// RPMRepository is the lab's RPM world on the artifact server, made once (cached in CacheDir/debian):
//   - URL: bbox-1.35.0-1 (Debian's busybox-static at /opt/bbox/bin/busybox) and hello-1.0-1 (Requires: bbox; its
//     %post writes `uname -m` to /etc/arch-seen) for x86_64 and aarch64, signed with the lab key;
//   - UnsignedURL: the same hello, unsigned, with the signed bbox;
//   - GPGKey: the lab key that signs them, OtherGPGKey: another key.
type RPMRepository struct {
	URL, UnsignedURL    string
	GPGKey, OtherGPGKey string
}

// RPMRepository makes the lab's RPM world (once) and serves it at ArtifactURL/rpm.
func (l *Lab) RPMRepository(ctx context.Context) (RPMRepository, error) {
	dir, err := l.rpmWorld(ctx)
	if err != nil {
		return RPMRepository{}, err
	}
	if err := l.serveDir("rpm", dir); err != nil {
		return RPMRepository{}, err
	}
	u := l.st.ArtifactURL + "/rpm"
	return RPMRepository{URL: u + "/repo", UnsignedURL: u + "/unsigned", GPGKey: u + "/RPM-GPG-KEY-" + KeyName, OtherGPGKey: u + "/RPM-GPG-KEY-" + OtherKeyName}, nil
}

func (l *Lab) rpmWorld(ctx context.Context) (string, error) {
	keys, err := l.labKeys(ctx)
	if err != nil {
		return "", err
	}
	debs, err := l.busyboxDebs(ctx)
	if err != nil {
		return "", err
	}
	return madeOnce(filepath.Join(l.st.CacheDir, "debian", rpmWorldVersion), func(tmp string) error {
		t0 := time.Now()
		build := filepath.Join(tmp, "build")
		for name, text := range rpmSpecs {
			if err := writeFileAtomic(filepath.Join(build, name+".spec"), []byte(text), 0o644); err != nil {
				return err
			}
		}
		rpmbuild := func(rpmdir string, args ...string) error {
			return runIn(ctx, build, nil, "rpmbuild", append([]string{"--quiet", "--define", "_topdir " + filepath.Join(build, "top"),
				"--define", "_rpmdir " + rpmdir, "--define", "_build_id_links none"}, args...)...)
		}
		signed, unsigned := filepath.Join(tmp, "signed"), filepath.Join(tmp, "unsigned-build")
		for deb, cpu := range rpmArches {
			bb := filepath.Join(build, "bb-"+deb)
			if err := runIn(ctx, "", nil, "dpkg-deb", "-x", debs[deb], bb); err != nil {
				return err
			}
			if err := rpmbuild(signed, "-bb", "--target", cpu, "--define", "bbsrc "+bb, "bbox.spec"); err != nil {
				return err
			}
			if err := rpmbuild(signed, "-bb", "--target", cpu, "hello.spec"); err != nil {
				return err
			}
			// Built apart, so it is never signed.
			if err := rpmbuild(unsigned, "-bb", "--target", cpu, "hello.spec"); err != nil {
				return err
			}
		}
		if err := rpmbuild(signed, "-bb", "base-release.spec"); err != nil {
			return err
		}
		home := filepath.Join(keys, "gnupg")
		gpg := gnupg(home)
		defer gpg.stop(ctx)
		rpms, _ := filepath.Glob(filepath.Join(signed, "*", "*.rpm"))
		if err := runIn(ctx, "", []string{"GNUPGHOME=" + home}, "rpmsign", append([]string{"--define", "__gpg /usr/bin/gpg",
			"--define", "_gpg_name " + KeyName + "@builder-frontend.test", "--define", "_gpg_path " + home, "--addsign"}, rpms...)...); err != nil {
			return err
		}
		unsignedHello, _ := filepath.Glob(filepath.Join(unsigned, "*", "hello-*.rpm"))
		bbox, _ := filepath.Glob(filepath.Join(signed, "*", "bbox-*.rpm"))
		for dir, files := range map[string][]string{"repo": rpms, "unsigned": append(unsignedHello, bbox...)} {
			if err := os.MkdirAll(filepath.Join(tmp, dir), 0o755); err != nil {
				return err
			}
			for _, f := range files {
				if err := os.Link(f, filepath.Join(tmp, dir, filepath.Base(f))); err != nil {
					return err
				}
			}
			if err := runIn(ctx, "", nil, "createrepo_c", "-q", filepath.Join(tmp, dir)); err != nil {
				return err
			}
		}
		for _, k := range []string{KeyName, OtherKeyName} {
			if err := os.Link(filepath.Join(keys, "RPM-GPG-KEY-"+k), filepath.Join(tmp, "RPM-GPG-KEY-"+k)); err != nil {
				return err
			}
		}
		l.logf("lab: RPM world made in %s", time.Since(t0).Round(time.Second))
		return os.RemoveAll(build)
	})
}

// RPMImage returns a two-platform image with a real dnf, <registry>/lab/dnf:12, building it on the first call:
// DebianImage plus Debian's dnf and rpm with their dependencies (unpacked, not configured: dnf needs none of
// their maintainer scripts), rpm's database at /var/lib/rpm holding base-release-12 (the release version 12 and
// /bin/sh, as redhat-release and bash provide them on UBI). No repositories are configured. Nothing runs on the
// target platform to make it.
func (l *Lab) RPMImage(ctx context.Context) (string, error) {
	return l.rpmImage.get(func() (string, error) {
		debian, err := l.DebianImage(ctx)
		if err != nil {
			return "", err
		}
		world, err := l.rpmWorld(ctx)
		if err != nil {
			return "", err
		}
		rootfs, err := l.debianRootfs(ctx)
		if err != nil {
			return "", err
		}
		dir, err := madeOnce(filepath.Join(l.st.CacheDir, "debian", rpmBaseVersion), func(tmp string) error {
			release, _ := filepath.Glob(filepath.Join(world, "repo", "base-release-*.noarch.rpm"))
			if len(release) != 1 {
				return fmt.Errorf("lab: no base-release RPM in %s", world)
			}
			for _, arch := range DebianArches {
				if err := rpmLayer(ctx, filepath.Join(rootfs, "rootfs-"+arch), arch, tmp, release[0]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return "", err
		}
		ref := l.st.Registry + "/lab/dnf:12"
		return ref, l.buildRootfsImage(ctx, ref, debian, dir, "layer", nil)
	})
}

// rpmLayer makes work/layer-<arch>: what installing dnf and rpm adds to root, laid out for a usrmerge root (no
// /bin, /sbin, /lib of its own), with rpm's database at /var/lib/rpm holding the base-release RPM.
func rpmLayer(ctx context.Context, root, arch, work, release string) error {
	debs := filepath.Join(work, "debs-"+arch)
	if err := aptDownload(ctx, root, arch, filepath.Join(work, "lists-"+arch), debs, "dnf", "rpm"); err != nil {
		return err
	}
	layer := filepath.Join(work, "layer-"+arch)
	m, _ := filepath.Glob(filepath.Join(debs, "*.deb"))
	for _, d := range m {
		if err := runIn(ctx, "", nil, "dpkg-deb", "-x", d, layer); err != nil {
			return err
		}
	}
	// The base's /bin, /sbin, /lib and /lib64 are links into /usr: a directory of that name in the layer would
	// replace them.
	for _, top := range []string{"bin", "sbin", "lib", "lib64"} {
		if err := mergeInto(filepath.Join(layer, top), filepath.Join(layer, "usr", top)); err != nil {
			return err
		}
	}
	// Compiled as python3's postinst would (py3compile), with the host's python3.11, Debian 12's as in the image:
	// a real image with dnf has its modules compiled, and python would otherwise write the missing .pyc files into
	// the image whenever dnf runs in it.
	if err := runIn(ctx, "", nil, "/usr/bin/python3", "-c", compilePython, layer, "/usr/lib/python3.11", "/usr/lib/python3/dist-packages"); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(layer, "etc/rpm/macros.dbpath"), []byte("%_dbpath /var/lib/rpm\n"), 0o644); err != nil {
		return err
	}
	// The host's rpm is the image's (Debian 12's): the database it writes is the one the image reads.
	db := filepath.Join(layer, "var/lib/rpm")
	if err := os.MkdirAll(db, 0o755); err != nil {
		return err
	}
	if err := runIn(ctx, "", nil, "rpm", "--dbpath", db, "--initdb"); err != nil {
		return err
	}
	if err := runIn(ctx, "", nil, "rpm", "--root", layer, "--dbpath", "/var/lib/rpm", "--define", "_dbpath /var/lib/rpm",
		"-i", "--nosignature", "--nodeps", "--ignorearch", release); err != nil {
		return err
	}
	for _, p := range []string{debs, filepath.Join(work, "lists-"+arch), filepath.Join(work, "lists-"+arch+".conf")} {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	return nil
}

// compilePython compiles the Python modules under the directories argv[2:] of the root argv[1], as python finds
// them there: a module that is an absolute symbolic link (/usr/lib/python3.11/sitecustomize.py ->
// /etc/python3.11/sitecustomize.py) is compiled from its target in that root, not on the host.
const compilePython = `import compileall, importlib.util, os, py_compile, sys
root = sys.argv[1]
for d in sys.argv[2:]:
    top = root + d
    if not compileall.compile_dir(top, quiet=1, stripdir=root, prependdir="/"):
        sys.exit("compileall failed in " + top)
    for dirpath, _, files in os.walk(top):
        for f in files:
            p = os.path.join(dirpath, f)
            if f.endswith(".py") and os.path.islink(p) and os.readlink(p).startswith("/") and os.path.exists(root + os.readlink(p)):
                py_compile.compile(root + os.readlink(p), cfile=importlib.util.cache_from_source(p), dfile=p[len(root):], doraise=True)
`

// mergeInto moves the tree src into dst (entries already in dst are kept) and removes src.
func mergeInto(src, dst string) error {
	if _, err := os.Lstat(src); os.IsNotExist(err) {
		return nil
	}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == src {
			return err
		}
		rel := strings.TrimPrefix(p, src+string(filepath.Separator))
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if _, err := os.Lstat(target); err == nil {
			return nil
		}
		return os.Rename(p, target)
	})
	if err != nil {
		return err
	}
	return os.RemoveAll(src)
}
