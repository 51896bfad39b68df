package spec

import (
	"regexp"
	"strings"
)

var pkgRe = regexp.MustCompile(`^[A-Za-z0-9@_+][A-Za-z0-9._+:~=*@/<>-]*$`)

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
	for _, f := range pk.install {
		v := r.expand(f, nil)
		if v != "" && !pkgRe.MatchString(v) {
			r.errorf(f.path, "one package name (or name=version / NEVRA) per item", "%q is not a package name", v)
		}
		rp.Install = append(rp.Install, v)
	}
	for _, f := range pk.options {
		v := r.expand(f, nil)
		if !strings.HasPrefix(v, "-") {
			r.errorf(f.path, "options are flags of the install command, e.g. --allowerasing; put packages under install", "option %q does not start with -", v)
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
		rp.Repositories = append(rp.Repositories, nr)
	}
	return rp
}
