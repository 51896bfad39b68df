package spec

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

var pkgRe = regexp.MustCompile(`^[A-Za-z0-9@_+][A-Za-z0-9._+:~=*@/<>-]*$`)

// The two routes of the package step (packages.mode).
const (
	// ModeNative runs the package manager on the build platform, installing
	// into the target platform's root: only maintainer scripts run there.
	ModeNative = "native"
	// ModeEmulated runs the package manager in the target platform's root,
	// on that platform (under emulation for a foreign one).
	ModeEmulated = "emulated"
	// ArgPackages is the build-arg that, set to ModeEmulated, takes the
	// emulated route for a build whatever packages.mode says.
	ArgPackages = "BUILDER_PACKAGES"
)

// NativeManagers are the package managers that have the native route.
var NativeManagers = []string{"apt", "dnf"}

// preparedPackages is the packages: of an image with its templates parsed.
type preparedPackages struct {
	p            *Packages
	path         Path
	rng          Range
	install      []field
	options      []field
	repositories []*preparedRepository
}

type preparedRepository struct {
	path              Path
	name, url, gpgkey field
}

func preparePackages(l *templates, s *Spec, pp Path, p *Packages) *preparedPackages {
	pk := &preparedPackages{p: p, path: pp, rng: s.Range(pp)}
	pk.install = l.list(pp.Child("install"), "packages install", p.Install)
	pk.options = l.list(pp.Child("options"), "packages options", p.Options)
	for i, repo := range p.Repositories {
		var pr *preparedRepository
		if repo != nil {
			rp := pp.Child("repositories", i)
			pr = &preparedRepository{path: rp, name: l.add(rp.Child("name"), "repository name", repo.Name), url: l.add(rp.Child("url"), "repository url", repo.URL), gpgkey: l.add(rp.Child("gpgkey"), "repository gpgkey", repo.GPGKey)}
		}
		pk.repositories = append(pk.repositories, pr)
	}
	return pk
}

func (r *resolver) packages(pk *preparedPackages) *ResolvedPackages {
	p, pp := pk.p, pk.path
	rp := &ResolvedPackages{Manager: p.Manager, Range: pk.rng}
	switch p.Manager {
	case "apt", "dnf", "microdnf", "apk":
	case "":
		r.errorf(pp, "add manager: apt, dnf, microdnf or apk", "packages has no manager")
	default:
		hint := "use apt, dnf, microdnf or apk"
		if best := closest(p.Manager, []string{"apt", "dnf", "apk", "yum", "microdnf"}); best == "yum" {
			hint = "use dnf (it reads yum repositories too), or microdnf on ubi-minimal"
		}
		r.errorf(pp.Child("manager"), hint, "unknown package manager %q", p.Manager)
	}
	if len(p.Install) == 0 {
		r.errorf(pp, "list the packages under install:, or remove packages:", "packages has nothing to install")
	}
	rp.Mode = r.packagesMode(pp, p)
	for _, f := range pk.install {
		v := r.expand(f, nil)
		switch {
		case isPackageFile(v):
			r.errorf(f.path, fmt.Sprintf("download it as a tool (url:, sha256:, dest: /tmp/%s) and install it in a run step, or install a package of a repository by name", path.Base(v)), "%q is a package file, not a package name: the package manager would install it unverified", v)
		case v != "" && !pkgRe.MatchString(v):
			r.errorf(f.path, "one package name (or name=version / NEVRA) per item", "%q is not a package name", v)
		}
		rp.Install = append(rp.Install, v)
	}
	for _, f := range pk.options {
		v := r.expand(f, nil)
		if !strings.HasPrefix(v, "-") {
			r.errorf(f.path, "options are flags of the install command, e.g. --allowerasing; put packages under install", "option %q does not start with -", v)
		} else {
			r.oneLine(f.path, f.t, "option", v, "an option is one word of the install command")
		}
		rp.Options = append(rp.Options, v)
	}
	for _, pr := range pk.repositories {
		if pr == nil {
			continue
		}
		nr := &Repository{Name: r.expand(pr.name, nil), URL: r.expand(pr.url, nil), GPGKey: r.expand(pr.gpgkey, nil)}
		if !nameRe.MatchString(nr.Name) {
			r.errorf(pr.name.path, "use lower-case letters, digits, . _ + -", "repository name %q is not valid", nr.Name)
		}
		if nr.URL == "" {
			r.errorf(pr.path, "add url:", "repository %q has no url", nr.Name)
		}
		const why = "each value of a repository file is one line"
		r.oneLine(pr.url.path, pr.url.t, fmt.Sprintf("repository %q: url", nr.Name), nr.URL, why)
		r.oneLine(pr.gpgkey.path, pr.gpgkey.t, fmt.Sprintf("repository %q: gpgkey", nr.Name), nr.GPGKey, why)
		rp.Repositories = append(rp.Repositories, nr)
	}
	return rp
}

// packagesMode is the route of the package step: the spec's mode, or
// native where the manager has that route and emulated where it does not.
func (r *resolver) packagesMode(pp Path, p *Packages) string {
	native := slices.Contains(NativeManagers, p.Manager)
	switch p.Mode {
	case "":
		if native {
			return ModeNative
		}
		return ModeEmulated
	case ModeNative:
		if p.Manager == "microdnf" || p.Manager == "apk" {
			r.errorf(pp.Child("mode"), fmt.Sprintf("remove mode:, or write mode: emulated (%s runs on the target platform, emulated for a foreign one)", p.Manager),
				"packages mode native is not available for %s: only apt and dnf install natively", p.Manager)
		}
		return ModeNative
	case ModeEmulated:
		return ModeEmulated
	}
	hint := "write mode: native (the default for apt and dnf) or mode: emulated"
	if best := closest(p.Mode, []string{ModeNative, ModeEmulated}); best != "" {
		hint = fmt.Sprintf("did you mean %s? (native or emulated)", best)
	}
	r.errorf(pp.Child("mode"), hint, "unknown packages mode %q", p.Mode)
	return p.Mode
}

// isPackageFile reports whether an install item names a package file (a
// URL, or a path ending in .rpm, .deb or .apk) rather than a package: the
// manager would fetch or read it with no sha256 pinned anywhere.
func isPackageFile(item string) bool {
	if strings.Contains(item, "://") {
		return true
	}
	l := strings.ToLower(item)
	return strings.HasSuffix(l, ".rpm") || strings.HasSuffix(l, ".deb") || strings.HasSuffix(l, ".apk")
}
