package spec

import (
	"regexp"
	"strings"
)

var pkgRe = regexp.MustCompile(`^[A-Za-z0-9@_+][A-Za-z0-9._+:~=*@/<>-]*$`)

func (r *resolver) packages(pp Path, p *Packages) *ResolvedPackages {
	rp := &ResolvedPackages{Manager: p.Manager, Range: r.src.Range(pp)}
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
	for i, n := range p.Install {
		v := r.expandAt(pp.Child("install", i), n, nil)
		if v != "" && !pkgRe.MatchString(v) {
			r.errorf(pp.Child("install", i), "one package name (or name=version / NEVRA) per item", "%q is not a package name", v)
		}
		rp.Install = append(rp.Install, v)
	}
	for i, o := range p.Options {
		v := r.expandAt(pp.Child("options", i), o, nil)
		if !strings.HasPrefix(v, "-") {
			r.errorf(pp.Child("options", i), "options are flags of the install command, e.g. --allowerasing; put packages under install", "option %q does not start with -", v)
		}
		rp.Options = append(rp.Options, v)
	}
	for i, repo := range p.Repositories {
		rpp := pp.Child("repositories", i)
		if repo == nil {
			continue
		}
		nr := &Repository{Name: r.expandAt(rpp.Child("name"), repo.Name, nil), URL: r.expandAt(rpp.Child("url"), repo.URL, nil), GPGKey: r.expandAt(rpp.Child("gpgkey"), repo.GPGKey, nil)}
		if !nameRe.MatchString(nr.Name) {
			r.errorf(rpp.Child("name"), "use lower-case letters, digits, . _ + -", "repository name %q is not valid", nr.Name)
		}
		if nr.URL == "" {
			r.errorf(rpp, "add url:", "repository %q has no url", nr.Name)
		}
		rp.Repositories = append(rp.Repositories, nr)
	}
	return rp
}
