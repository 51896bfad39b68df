package llb

import (
	_ "embed"
	"fmt"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/spec"
)

// The native route's scripts: native-common.sh, then the manager's.
var (
	//go:embed native-common.sh
	nativeCommon string
	//go:embed native-apt.sh
	nativeApt string
	//go:embed native-dnf.sh
	nativeDnf string
)

const (
	// NativeRoot is where the native package step mounts the target
	// platform's root file system, in a container of the build platform.
	NativeRoot = "/target"
	// nativeScripts is where that container finds the step's script.
	nativeScripts = "/.builder-frontend"
	// PackagesLog is the file, in the root file system of a failed native
	// package step, that holds the package manager's output (the scripts
	// write it; the frontend reads it to tell what failed).
	PackagesLog = "/tmp/builder-frontend-packages.log"
)

// packageManager says how one package manager installs, where it keeps its
// downloads (a cache mount, so a rebuild does not fetch them again and the
// image does not carry them) and where extra repositories go.
type packageManager struct {
	caches  []string
	install func(p *spec.ResolvedPackages) string
	repo    func(r *spec.Repository) (file, content string)
	// native is the script of the native route (after nativeCommon), run
	// with the options and the packages as its arguments; empty for a
	// manager that has only the emulated route.
	native string
	// nativeCaches are the caches the native route mounts, inside the
	// target's root (caches when empty). Each is a mount point there: one
	// the base image lacks stays in the layer, empty.
	nativeCaches []string
}

var managers = map[string]packageManager{
	"apt": {
		caches: []string{"/var/cache/apt", "/var/lib/apt/lists"},
		install: func(p *spec.ResolvedPackages) string {
			// docker-clean would empty the cache mount after every install.
			return "set -eu\nrm -f /etc/apt/apt.conf.d/docker-clean\napt-get update -q\n" +
				"DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends " + words(p.Options, p.Install)
		},
		repo: func(r *spec.Repository) (string, string) {
			return "/etc/apt/sources.list.d/" + r.Name + ".list", r.URL + "\n"
		},
		native: nativeApt,
	},
	"dnf": {
		caches: []string{"/var/cache/dnf", "/var/cache/yum"},
		install: func(p *spec.ResolvedPackages) string {
			return "set -eu\ndnf install -y --setopt=install_weak_deps=False --setopt=keepcache=True " + words(p.Options, p.Install)
		},
		repo:   yumRepo,
		native: nativeDnf,
		// dnf's own cache only: /var/cache/yum, which dnf 4 does not use,
		// would be left in the layer of a base without it (UBI has none).
		nativeCaches: []string{"/var/cache/dnf"},
	},
	"microdnf": {
		caches: []string{"/var/cache/yum"},
		install: func(p *spec.ResolvedPackages) string {
			return "set -eu\nmicrodnf install -y --setopt=install_weak_deps=0 --setopt=keepcache=1 " + words(p.Options, p.Install)
		},
		repo: yumRepo,
	},
	"apk": {
		caches: []string{"/var/cache/apk"},
		install: func(p *spec.ResolvedPackages) string {
			return "set -eu\napk add --cache-dir /var/cache/apk " + words(p.Options, p.Install)
		},
		repo: func(r *spec.Repository) (string, string) {
			return "/etc/apk/repositories.d/" + r.Name, r.URL + "\n"
		},
	},
}

// yumRepo is a .repo file for dnf and microdnf.
func yumRepo(r *spec.Repository) (string, string) {
	check := "gpgcheck=0"
	if r.GPGKey != "" {
		check = "gpgcheck=1\ngpgkey=" + r.GPGKey
	}
	return "/etc/yum.repos.d/" + r.Name + ".repo", fmt.Sprintf("[%s]\nname=%s\nbaseurl=%s\nenabled=1\n%s\n", r.Name, r.Name, r.URL, check)
}

// NativePackages reports whether r's package step takes the native route
// when target is built on build: the spec's mode is native,
// --build-arg BUILDER_PACKAGES=emulated (forceEmulated) is not given, and
// target is another platform than build (there the manager runs in the
// target's root natively anyway). dnf also needs the target's CPU name for
// --forcearch. The route also needs the base image for build
// (Options.BuildBase).
func NativePackages(r *spec.Resolved, build, target ocispecs.Platform, forceEmulated bool) bool {
	pkgs := r.Packages
	if pkgs == nil || pkgs.Mode != spec.ModeNative || forceEmulated || managers[pkgs.Manager].native == "" {
		return false
	}
	if platformID(build) == platformID(target) {
		return false
	}
	_, known := spec.UnameArch(platformID(target))
	return pkgs.Manager != "dnf" || known
}

// packages installs the distro packages. Natively where the spec and the
// daemon allow (the manager of the build platform's base image, installing
// into the target's root), otherwise in the target's root on the target
// platform: with run steps, the only steps that execute the image's own
// binaries.
func (p *planner) packages(base bk.State) bk.State {
	pkgs := p.r.Packages
	m := managers[pkgs.Manager]
	pid := platformID(p.opt.TargetPlatform)
	st := base
	if len(pkgs.Repositories) > 0 {
		a := p.actions()
		for _, repo := range pkgs.Repositories {
			file, content := m.repo(repo)
			a.mkdirParents(file)
			a.mkfile(file, 0o644, []byte(content))
		}
		st = st.File(a.fa, bk.WithCustomNamef("[packages %s] add repositories", pid), p.location(pkgs.Range))
	}
	var out bk.State
	step := Step{Kind: StepPackages, Name: pkgs.Manager, Platform: pid, Detail: strings.Join(pkgs.Install, " "), Packages: pkgs}
	if p.opt.BuildBase != nil && NativePackages(p.r, p.opt.BuildPlatform, p.opt.TargetPlatform, p.opt.EmulatedPackages) {
		out = p.installNative(st, m)
		step.Log = PackagesLog
	} else {
		out = p.installInTarget(st, m)
	}
	step.State = out
	p.record(step)
	return out
}

// installInTarget runs the manager in the target's root, on the target
// platform (emulated for a foreign one).
func (p *planner) installInTarget(root bk.State, m packageManager) bk.State {
	pkgs := p.r.Packages
	pid := platformID(p.opt.TargetPlatform)
	script := m.install(pkgs)
	if len(pkgs.Repositories) > 0 && pkgs.Manager == "apk" {
		// apk reads only /etc/apk/repositories: append ours to it.
		script = "set -eu\ncat /etc/apk/repositories.d/* >> /etc/apk/repositories\n" + script
	}
	ro := []bk.RunOption{
		bk.Args([]string{"/bin/sh", "-c", script}),
		bk.WithCustomNamef("[packages %s] %s install %s", pid, pkgs.Manager, strings.Join(pkgs.Install, " ")),
	}
	// The base's own environment only: a tool's PATH entry or the image's
	// env must not rerun the (emulated) package install.
	ro = append(ro, p.packagesRun(p.opt.BaseImage, "")...)
	return root.Run(ro...).Root()
}

// installNative runs the manager of the build platform's base image in a
// container of that platform, with the target's root mounted at NativeRoot
// as the install root: its output is the target's root with the packages,
// one layer over the base as in the emulated route. Only maintainer
// scripts run on the target platform (chrooted into NativeRoot).
func (p *planner) installNative(target bk.State, m packageManager) bk.State {
	pkgs := p.r.Packages
	pid := platformID(p.opt.TargetPlatform)
	file := pkgs.Manager + ".sh"
	script := bk.Scratch().File(bk.Mkfile("/"+file, 0o644, []byte(nativeCommon+m.native), bk.WithCreatedTime(p.opt.epoch())),
		bk.WithCustomNamef("[packages %s] native %s script", pid, pkgs.Manager))
	args := append([]string{"/bin/sh", nativeScripts + "/" + file}, pkgs.Options...)
	ro := []bk.RunOption{
		bk.Args(append(args, pkgs.Install...)),
		bk.WithCustomNamef("[packages %s] %s install %s (natively on %s)", pid, pkgs.Manager, strings.Join(pkgs.Install, " "), platformID(p.opt.BuildPlatform)),
		bk.AddMount(nativeScripts, script, bk.Readonly),
		// The device nodes the script makes for maintainer scripts stay
		// out of the layer.
		bk.AddMount(NativeRoot+"/dev", bk.Scratch(), bk.Tmpfs()),
	}
	if arch, ok := spec.UnameArch(pid); ok {
		ro = append(ro, bk.AddEnv("RPM_ARCH", arch))
	}
	ro = append(ro, p.packagesRun(p.opt.BuildBaseImage, NativeRoot)...)
	return p.opt.BuildBase.Run(ro...).AddMount(NativeRoot, target)
}

// packagesRun are the run options both routes share: uid 0 in /, the
// environment of the image the manager runs in, and the manager's cache
// mounts under root (the install root).
func (p *planner) packagesRun(img *dockerspec.DockerOCIImage, root string) []bk.RunOption {
	pkgs := p.r.Packages
	ro := []bk.RunOption{bk.User("0:0"), bk.Dir("/"), p.location(pkgs.Range)}
	env := []string{"PATH=" + defaultPath}
	if img != nil && len(img.Config.Env) > 0 {
		env = img.Config.Env
	}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		ro = append(ro, bk.AddEnv(k, v))
	}
	pid := platformID(p.opt.TargetPlatform)
	caches := managers[pkgs.Manager].caches
	if root != "" && managers[pkgs.Manager].nativeCaches != nil {
		caches = managers[pkgs.Manager].nativeCaches
	}
	for _, c := range caches {
		// Per target platform: the two architectures then install in
		// parallel instead of queueing on one locked cache. The same IDs
		// in both routes: the lists and archives are the target's either
		// way.
		id := p.cacheID(fmt.Sprintf("%s%s/%s", pkgs.Manager, c, pid))
		ro = append(ro, bk.AddMount(root+c, bk.Scratch(), bk.AsPersistentCacheDir(id, bk.CacheMountLocked)))
	}
	return ro
}

// words shell-quotes every word, so nothing in a package name reaches the
// shell as syntax.
func words(lists ...[]string) string {
	var out []string
	for _, l := range lists {
		for _, w := range l {
			out = append(out, shellQuote(w))
		}
	}
	return strings.Join(out, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+:=/@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
