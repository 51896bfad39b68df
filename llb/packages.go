package llb

import (
	"fmt"
	"strings"

	bk "github.com/moby/buildkit/client/llb"

	"github.com/maistra/builder-frontend/spec"
)

// packageManager says how one package manager installs, where it keeps its
// downloads (a cache mount, so a rebuild does not fetch them again and the
// image does not carry them) and where extra repositories go.
type packageManager struct {
	caches  []string
	install func(p *spec.ResolvedPackages) string
	repo    func(r *spec.Repository) (file, content string)
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
	},
	"dnf": {
		caches: []string{"/var/cache/dnf", "/var/cache/yum"},
		install: func(p *spec.ResolvedPackages) string {
			return "set -eu\ndnf install -y --setopt=install_weak_deps=False --setopt=keepcache=True " + words(p.Options, p.Install)
		},
		repo: yumRepo,
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

// packages installs the distro packages on the target platform: the one
// step besides run steps that executes the image's own binaries.
func (p *planner) packages(base bk.State) bk.State {
	pkgs := p.r.Packages
	m := managers[pkgs.Manager]
	pid := platformID(p.opt.TargetPlatform)
	loc := p.location(pkgs.Range)
	// The base's own environment only: a tool's PATH entry or the image's
	// env must not rerun the (emulated) package install.
	env := []string{"PATH=" + defaultPath}
	if p.opt.BaseImage != nil && len(p.opt.BaseImage.Config.Env) > 0 {
		env = p.opt.BaseImage.Config.Env
	}
	st := base
	script := m.install(pkgs)
	if len(pkgs.Repositories) > 0 {
		a := p.actions()
		for _, repo := range pkgs.Repositories {
			file, content := m.repo(repo)
			a.mkdirParents(file)
			a.mkfile(file, 0o644, []byte(content))
		}
		st = st.File(a.fa, bk.WithCustomNamef("[packages %s] add repositories", pid), loc)
		if pkgs.Manager == "apk" {
			// apk reads only /etc/apk/repositories: append ours to it.
			script = "set -eu\ncat /etc/apk/repositories.d/* >> /etc/apk/repositories\n" + script
		}
	}
	ro := []bk.RunOption{
		bk.Args([]string{"/bin/sh", "-c", script}),
		bk.User("0:0"),
		bk.Dir("/"),
		bk.WithCustomNamef("[packages %s] %s install %s", pid, pkgs.Manager, strings.Join(pkgs.Install, " ")),
		loc,
	}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		ro = append(ro, bk.AddEnv(k, v))
	}
	for _, c := range m.caches {
		// Per platform: the two architectures then install in parallel
		// instead of queueing on one locked cache.
		id := p.cacheID(fmt.Sprintf("%s%s/%s", pkgs.Manager, c, pid))
		ro = append(ro, bk.AddMount(c, bk.Scratch(), bk.AsPersistentCacheDir(id, bk.CacheMountLocked)))
	}
	out := st.Run(ro...).Root()
	p.record(Step{Kind: StepPackages, Name: pkgs.Manager, Platform: pid, Detail: strings.Join(pkgs.Install, " "), State: out})
	return out
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
