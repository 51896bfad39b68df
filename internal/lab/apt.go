package lab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// AptPackages are the packages of Debian 12 the lab's apt repository holds, with their dependencies, for amd64
// and arm64: real maintainer scripts (ca-certificates' postinst makes /etc/ssl/certs/ca-certificates.crt,
// python3-minimal's compiles its modules) and triggers (libc-bin's ldconfig, activated by git's libraries, and
// ca-certificates' own).
var AptPackages = []string{"ca-certificates", "git", "python3-minimal"}

// The keys of the lab: KeyName signs the apt repository and the RPMs, OtherKeyName signs nothing the lab serves.
const (
	KeyName      = "builder-lab"
	OtherKeyName = "builder-lab-other"
)

// keysVersion and aptRepoVersion name the cache directories; a change of what is made bumps them.
const (
	keysVersion    = "keys-v1"
	aptRepoVersion = "apt-v1"
)

// labKeys returns the directory holding the lab's two signing keys, made once: gnupg/ (a GNUPGHOME with both
// secret keys, no passphrase), KEY.gpg (a binary keyring for apt's signed-by) and RPM-GPG-KEY-KEY (the armoured
// public key, for dnf's gpgkey), for KEY in KeyName and OtherKeyName.
func (l *Lab) labKeys(ctx context.Context) (string, error) {
	return madeOnce(filepath.Join(l.st.CacheDir, "debian", keysVersion), func(tmp string) error {
		home := filepath.Join(tmp, "gnupg")
		if err := os.Mkdir(home, 0o700); err != nil {
			return err
		}
		gpg := gnupg(home)
		defer gpg.stop(ctx)
		for _, k := range []string{KeyName, OtherKeyName} {
			uid := fmt.Sprintf("builder-frontend lab key %s <%s@builder-frontend.test>", k, k)
			if err := gpg.run(ctx, "", "--quick-gen-key", uid, "rsa3072", "sign", "never"); err != nil {
				return err
			}
			if err := gpg.run(ctx, "", "--output", filepath.Join(tmp, k+".gpg"), "--export", k+"@builder-frontend.test"); err != nil {
				return err
			}
			if err := gpg.run(ctx, "", "--armor", "--output", filepath.Join(tmp, "RPM-GPG-KEY-"+k), "--export", k+"@builder-frontend.test"); err != nil {
				return err
			}
		}
		return nil
	})
}

// gnupg runs gpg with its own home; stop ends the agent that gpg started for it.
type gnupg string

func (g gnupg) run(ctx context.Context, dir string, args ...string) error {
	return runIn(ctx, dir, []string{"GNUPGHOME=" + string(g)}, "gpg", append([]string{"--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", ""}, args...)...)
}

func (g gnupg) stop(ctx context.Context) {
	_ = runIn(ctx, "", []string{"GNUPGHOME=" + string(g)}, "gpgconf", "--kill", "all")
}

// AptRepository is the lab's apt repository on the artifact server: AptPackages with their dependencies for amd64
// and arm64 from Debian's mirror (downloaded once into CacheDir), and failpost (all architectures: its postinst
// fails on aarch64 and succeeds elsewhere). Its suite is bookworm, its component main; it is signed with the lab
// key, whose keyring the lab's Debian image holds at Keyring.
type AptRepository struct {
	// URL is the repository's root on the artifact server.
	URL string
	// Keyring verifies the repository; OtherKeyring, a keyring of another key, does not. Both are in the image
	// DebianImage returns.
	Keyring, OtherKeyring string
}

// Source is the sources.list line of the repository with keyring as its signed-by.
func (r AptRepository) Source(keyring string) string {
	return fmt.Sprintf("deb [signed-by=%s] %s %s main", keyring, r.URL, debianSuite)
}

// AptRepository makes the lab's apt repository (once; cached in CacheDir/debian) and serves it at
// ArtifactURL/debian.
func (l *Lab) AptRepository(ctx context.Context) (AptRepository, error) {
	dir, err := l.aptRepo(ctx)
	if err != nil {
		return AptRepository{}, err
	}
	if err := l.serveDir("debian", dir); err != nil {
		return AptRepository{}, err
	}
	return AptRepository{
		URL:          l.st.ArtifactURL + "/debian",
		Keyring:      "/etc/apt/keyrings/" + KeyName + ".gpg",
		OtherKeyring: "/etc/apt/keyrings/" + OtherKeyName + ".gpg",
	}, nil
}

// debianInputs are what the lab makes everything Debian of: the root file systems and the keys.
func (l *Lab) debianInputs(ctx context.Context) (rootfs, keys string, err error) {
	if rootfs, err = l.debianRootfs(ctx); err == nil {
		keys, err = l.labKeys(ctx)
	}
	return rootfs, keys, err
}

func (l *Lab) aptRepo(ctx context.Context) (string, error) {
	rootfs, keys, err := l.debianInputs(ctx)
	if err != nil {
		return "", err
	}
	return madeOnce(filepath.Join(l.st.CacheDir, "debian", aptRepoVersion), func(tmp string) error {
		t0 := time.Now()
		pool := filepath.Join(tmp, "pool")
		for _, arch := range DebianArches {
			lists := filepath.Join(tmp, "lists-"+arch)
			if err := aptDownload(ctx, filepath.Join(rootfs, "rootfs-"+arch), arch, lists, pool, AptPackages...); err != nil {
				return err
			}
			if err := os.RemoveAll(lists); err != nil {
				return err
			}
		}
		if err := os.RemoveAll(filepath.Join(pool, "partial")); err != nil {
			return err
		}
		if err := failpostDeb(ctx, tmp, pool); err != nil {
			return err
		}
		dists := filepath.Join(tmp, "dists", debianSuite)
		for _, arch := range DebianArches {
			bin := filepath.Join(dists, "main", "binary-"+arch)
			if err := os.MkdirAll(bin, 0o755); err != nil {
				return err
			}
			if err := runIn(ctx, tmp, nil, "sh", "-c", `apt-ftparchive --arch "$1" packages pool > "$2"`, "sh", arch, filepath.Join(bin, "Packages")); err != nil {
				return err
			}
		}
		release := filepath.Join(tmp, "Release")
		if err := runIn(ctx, tmp, nil, "sh", "-c", `apt-ftparchive -o APT::FTPArchive::Release::Suite="$1" -o APT::FTPArchive::Release::Codename="$1" `+
			`-o APT::FTPArchive::Release::Architectures="$2" -o APT::FTPArchive::Release::Components=main release "dists/$1" > "$3"`,
			"sh", debianSuite, strings.Join(DebianArches, " "), release); err != nil {
			return err
		}
		if err := os.Rename(release, filepath.Join(dists, "Release")); err != nil {
			return err
		}
		gpg := gnupg(filepath.Join(keys, "gnupg"))
		defer gpg.stop(ctx)
		id := KeyName + "@builder-frontend.test"
		if err := gpg.run(ctx, dists, "--local-user", id, "--clearsign", "--output", "InRelease", "Release"); err != nil {
			return err
		}
		if err := gpg.run(ctx, dists, "--local-user", id, "--armor", "--detach-sign", "--output", "Release.gpg", "Release"); err != nil {
			return err
		}
		ents, _ := os.ReadDir(pool)
		l.logf("lab: apt repository of %d packages made in %s", len(ents), time.Since(t0).Round(time.Second))
		return nil
	})
}

// failpostDeb builds failpost_1.0_all.deb into pool: a package whose postinst fails on aarch64 only.
func failpostDeb(ctx context.Context, work, pool string) error {
	d := filepath.Join(work, "failpost")
	files := map[string]string{
		"DEBIAN/control": "Package: failpost\nVersion: 1.0\nArchitecture: all\nMaintainer: builder-frontend lab <lab@builder-frontend.test>\n" +
			"Description: a package whose postinst fails on aarch64\n",
		"DEBIAN/postinst": "#!/bin/sh\nset -e\nif [ \"$1\" = configure ] && [ \"$(uname -m)\" = aarch64 ]; then\n" +
			"\techo \"failpost: refusing to configure on $(uname -m)\" >&2\n\texit 1\nfi\n",
		"usr/share/doc/failpost/README": "failpost\n",
	}
	for name, data := range files {
		p := filepath.Join(d, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if name == "DEBIAN/postinst" {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			return err
		}
	}
	defer os.RemoveAll(d)
	return runIn(ctx, "", nil, "dpkg-deb", "--root-owner-group", "-Zxz", "--build", d, filepath.Join(pool, "failpost_1.0_all.deb"))
}

// serveDir makes dir (outside ArtifactDir) available at ArtifactURL/name through a symbolic link.
func (l *Lab) serveDir(name, dir string) error {
	link := filepath.Join(l.st.ArtifactDir, name)
	err := os.Symlink(dir, link)
	if target, rerr := os.Readlink(link); err != nil && rerr == nil && target == dir {
		return nil // served already (by a test running in parallel)
	}
	return err
}

// DebianImage returns a two-platform (linux/amd64, linux/arm64) Debian 12 minbase image in the lab registry,
// <registry>/lab/debian:12, building it on the first call from the root file systems of DebianRootfs: no package
// sources (an empty /etc/apt/sources.list: the tests add the lab's repository) and the lab's two keyrings in
// /etc/apt/keyrings (AptRepository.Keyring and OtherKeyring). Nothing runs in the build.
func (l *Lab) DebianImage(ctx context.Context) (string, error) {
	return l.debian.get(func() (string, error) {
		rootfs, keys, err := l.debianInputs(ctx)
		if err != nil {
			return "", err
		}
		extras := map[string]string{"etc/apt/sources.list": ""}
		for _, k := range []string{KeyName, OtherKeyName} {
			data, err := os.ReadFile(filepath.Join(keys, k+".gpg"))
			if err != nil {
				return "", err
			}
			extras["etc/apt/keyrings/"+k+".gpg"] = string(data)
		}
		ref := l.st.Registry + "/lab/debian:12"
		return ref, l.buildRootfsImage(ctx, ref, "scratch", rootfs, "rootfs", extras)
	})
}

// buildRootfsImage builds ref for BasePlatforms from base (an image reference, or scratch) with dir/PREFIX-<arch>
// copied over it, then the files of extras (path -> content, mode 0644), and pushes it. Nothing runs in the build.
func (l *Lab) buildRootfsImage(ctx context.Context, ref, base, dir, prefix string, extras map[string]string) error {
	t0 := time.Now()
	work, err := os.MkdirTemp(l.st.StateDir, "image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	for p, data := range extras {
		f := filepath.Join(work, "extras", p)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(f, []byte(data), 0o644); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(work, "extras"), 0o755); err != nil {
		return err
	}
	dockerfile := fmt.Sprintf(`FROM %s
ARG TARGETARCH
COPY %s-${TARGETARCH}/ /
COPY --from=extras / /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["/bin/sh"]
`, base, prefix)
	if err := os.WriteFile(filepath.Join(work, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		return err
	}
	out, err := l.Buildctl(ctx, "build",
		"--frontend", "dockerfile.v0",
		"--local", "context="+dir, "--local", "dockerfile="+work, "--local", "extras="+filepath.Join(work, "extras"),
		"--opt", "context:extras=local:extras",
		"--opt", "platform="+strings.Join(BasePlatforms, ","),
		"--output", "type=image,name="+ref+",push=true")
	if err != nil {
		return fmt.Errorf("lab: build %s: %w\n%s", ref, err, tail(out, 30))
	}
	l.logf("lab: image %s built in %s", ref, time.Since(t0).Round(10*time.Millisecond))
	return nil
}
