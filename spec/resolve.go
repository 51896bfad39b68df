package spec

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/distribution/reference"
)

// Options are what a build adds to the spec: the chosen image and the
// --build-arg values.
type Options struct {
	// Target is the image to build; empty means the first image of the spec.
	Target string
	// BuildArgs override the spec's arg defaults. Names the spec does not
	// declare are ignored here (lint reports them).
	BuildArgs map[string]string
	// BuildPlatform is where Go tools compile; default linux/amd64.
	BuildPlatform string
}

// Resolved is one image of a spec for one platform: every template
// expanded, every checksum chosen. It is the input of the llb package.
type Resolved struct {
	Spec     *Spec
	Image    string
	Platform string
	// Args are the effective values of every declared arg.
	Args map[string]string

	Base      string
	BaseRange Range
	Packages  *ResolvedPackages
	Tools     []*ResolvedTool
	GoTools   []*ResolvedGoTool
	// GoToolchain is the Go toolchain tool resolved for the build platform;
	// set when the image has Go tools.
	GoToolchain *ResolvedTool
	Files       []*ResolvedFile
	Dirs        []*ResolvedDir
	Run         []*ResolvedRun

	// Env is the image's own environment (tools' env, then the image's env).
	Env map[string]string
	// PathPrepend is prepended to the base image's PATH, in this order.
	PathPrepend []string
	Workdir     string
	User        string
	Entrypoint  []string
	Cmd         []string
	Labels      map[string]string
	Annotations map[string]string
}

// ResolvedPackages is the package step of one platform.
type ResolvedPackages struct {
	Manager      string
	Install      []string
	Repositories []*Repository
	Options      []string
	Range        Range
}

// ResolvedTool is one tool for one platform.
type ResolvedTool struct {
	Name     string
	Version  string
	URL      string
	Platform string
	// SHA256 is a digest ("sha256:<hex>").
	SHA256 string
	Form   string
	Strip  int
	Take   []string
	Dest   string
	// Mode of a raw binary.
	Mode uint32
	// AuthSecret is the id of the secret holding the Authorization header.
	AuthSecret string
	Links      []Link
	Path       []string
	Env        map[string]string
	Range      Range
}

// Filename is the stable name the download is stored under: it is part of
// BuildKit's cache key, so it must not change with the version.
func (t *ResolvedTool) Filename() string {
	if t.Form == FormRaw {
		return t.Name
	}
	return t.Name + "." + t.Form
}

// Link is a symbolic link created in a tool's layer.
type Link struct {
	Path   string
	Target string
}

// ResolvedGoTool is one Go tool for one target platform.
type ResolvedGoTool struct {
	Name    string
	Package string
	Version string
	// Binary is the file name go install writes; Dest the full path in the image.
	Binary  string
	Dest    string
	Ldflags string
	Tags    []string
	Cgo     bool
	// Env is go.env overlaid with the tool's own env.
	Env   map[string]string
	Range Range
}

// ResolvedFile is a file copied from the build context.
type ResolvedFile struct {
	Src   string
	Dest  string
	Mode  uint32
	Range Range
}

// ResolvedDir is a directory created in the image.
type ResolvedDir struct {
	Path  string
	Mode  uint32
	Range Range
}

// ResolvedRun is a run step.
type ResolvedRun struct {
	Name    string
	Command string
	Range   Range
}

// Artifact forms.
const (
	FormRaw    = "raw"
	FormTarGz  = "tar.gz"
	FormTarXz  = "tar.xz"
	FormTarZst = "tar.zst"
	FormTarBz2 = "tar.bz2"
	FormTar    = "tar"
	FormZip    = "zip"
)

var forms = map[string]bool{FormRaw: true, FormTarGz: true, FormTarXz: true, FormTarZst: true, FormTarBz2: true, FormTar: true, FormZip: true}

// FormFromName infers an artifact's form from its file name.
func FormFromName(name string) string {
	n := strings.ToLower(name)
	for _, s := range []struct{ suffix, form string }{
		{".tar.gz", FormTarGz}, {".tgz", FormTarGz},
		{".tar.xz", FormTarXz}, {".txz", FormTarXz},
		{".tar.zst", FormTarZst}, {".tzst", FormTarZst},
		{".tar.bz2", FormTarBz2}, {".tbz2", FormTarBz2},
		{".tar", FormTar}, {".zip", FormZip},
	} {
		if strings.HasSuffix(n, s.suffix) {
			return s.form
		}
	}
	return FormRaw
}

var (
	nameRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9._+-]*$`)
	envKeyRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	hexRe    = regexp.MustCompile(`^[0-9a-f]{64}$`)
	// secretIDRe is what --secret id= takes without surprises.
	secretIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	pkgRe      = regexp.MustCompile(`^[A-Za-z0-9@_+][A-Za-z0-9._+:~=*@/<>-]*$`)
)

// reservedNames are template names with a built-in meaning.
var reservedNames = map[string]bool{"version": true, "arch": true, "os": true, "name": true}

// DefaultImage is the image built without --target.
func (s *Spec) DefaultImage() string {
	if n := s.ImageNames(); len(n) > 0 {
		return n[0]
	}
	return ""
}

// DefaultPlatforms are the spec's platforms, normalized; nil when it names none.
func (s *Spec) DefaultPlatforms() []string {
	var out []string
	for _, p := range s.Platforms {
		if np, err := NormalizePlatform(p); err == nil {
			out = append(out, np)
		}
	}
	return out
}

// ArgValues returns the effective value of every declared arg.
func (s *Spec) ArgValues(buildArgs map[string]string) map[string]string {
	out := make(map[string]string, len(s.Args))
	for k, a := range s.Args {
		out[k] = a.Default
		if v, ok := buildArgs[k]; ok {
			out[k] = v
		}
	}
	return out
}

// Validate resolves the spec for each platform (the spec's own when none are
// given) and returns every problem found.
func (s *Spec) Validate(platformList []string, opts Options) error {
	if len(platformList) == 0 {
		platformList = s.DefaultPlatforms()
	}
	if len(platformList) == 0 {
		platformList = []string{"linux/amd64"}
	}
	var all ErrorList
	for _, p := range platformList {
		if _, err := s.Resolve(p, opts); err != nil {
			if l, ok := err.(ErrorList); ok {
				all = append(all, l...)
			} else {
				return err
			}
		}
	}
	return all.err()
}

// resolver carries the state of one Resolve call.
type resolver struct {
	s        *Spec
	src      *Source
	platform string
	args     map[string]string
	defArgs  map[string]string
	errs     ErrorList
	// buildPlatform is where Go tools compile.
	buildPlatform string
}

func (r *resolver) errorf(p Path, hint, format string, a ...any) {
	r.errs = append(r.errs, r.src.Errorf(p, hint, format, a...))
}

// lookup resolves a template name: spec args, then ${arch.SCHEME} and ${os},
// then the extra names of the context (a tool's version and arch).
func (r *resolver) lookup(args map[string]string, extra map[string]string) func(string) (string, bool) {
	return func(n string) (string, bool) {
		if v, ok := extra[n]; ok {
			return v, true
		}
		if v, ok := args[n]; ok {
			return v, true
		}
		if n == "os" {
			return "linux", true
		}
		if scheme, ok := strings.CutPrefix(n, "arch."); ok {
			return r.s.ArchName(scheme, r.platform)
		}
		if n == "arch" {
			return r.s.ArchName(DefaultArchScheme, r.platform)
		}
		return "", false
	}
}

// expandAt expands a template found at p, reporting problems there.
func (r *resolver) expandAt(p Path, tmpl string, extra map[string]string) string {
	return r.expandWith(p, tmpl, r.args, extra)
}

func (r *resolver) expandWith(p Path, tmpl string, args, extra map[string]string) string {
	out, err := expand(tmpl, r.lookup(args, extra))
	if err != nil {
		te, _ := err.(*templateError)
		hint := "templates take ${NAME} of an arg declared under args, ${version}, ${arch}, ${arch.SCHEME} or ${os}; write $$ for a literal $"
		if te != nil && te.name != "" {
			if scheme, ok := strings.CutPrefix(te.name, "arch."); ok {
				if _, known := r.s.archSchemes()[scheme]; known {
					hint = fmt.Sprintf("add %s under arches.%s", r.platform, scheme)
					r.errorf(p, hint, "arch scheme %q has no name for %s", scheme, r.platform)
					return ""
				}
				hint = fmt.Sprintf("declare it under arches (known schemes: %s)", strings.Join(r.s.schemeNames(), ", "))
			} else {
				var names []string
				for k := range r.args {
					names = append(names, k)
				}
				for k := range extra {
					names = append(names, k)
				}
				if best := closest(te.name, names); best != "" {
					hint = fmt.Sprintf("did you mean ${%s}? Otherwise declare %s under args", best, te.name)
				} else {
					hint = fmt.Sprintf("declare %s under args, or write $${%s} for a literal", te.name, te.name)
				}
			}
		}
		r.errorf(p, hint, "%s", err.Error())
		return ""
	}
	return out
}

// Resolve returns the image opts.Target for one platform.
func (s *Spec) Resolve(platform string, opts Options) (*Resolved, error) {
	src := s.Source
	if src == nil {
		src = &Source{Filename: "builder.yaml"}
	}
	r := &resolver{s: s, src: src}
	np, err := NormalizePlatform(platform)
	if err != nil {
		return nil, ErrorList{{File: src.Filename, Msg: err.Error(), Hint: "pass --platform linux/amd64,linux/arm64 (or linux/ppc64le, linux/s390x)"}}
	}
	r.platform = np
	r.buildPlatform = "linux/amd64"
	if opts.BuildPlatform != "" {
		bp, err := NormalizePlatform(opts.BuildPlatform)
		if err != nil {
			return nil, ErrorList{{File: src.Filename, Msg: "build platform: " + err.Error()}}
		}
		r.buildPlatform = bp
	}
	r.args = s.ArgValues(opts.BuildArgs)
	r.defArgs = s.ArgValues(nil)

	r.checkTop()
	name := opts.Target
	if name == "" {
		name = s.DefaultImage()
	}
	img, ok := s.Images[name]
	if !ok || img == nil {
		if len(s.Images) == 0 {
			r.errorf(nil, "add an images: mapping with one image (see docs/spec.md)", "the spec declares no image")
		} else {
			r.errorf(Path{"images"}, "pass --target with one of: "+strings.Join(s.ImageNames(), ", "), "no image named %q in the spec", name)
		}
		return nil, r.errs.err()
	}
	res := r.image(name, img)
	if err := r.errs.err(); err != nil {
		return nil, err
	}
	return res, nil
}

func (r *resolver) checkTop() {
	s := r.s
	if s.Version != CurrentVersion {
		r.errorf(Path{"version"}, fmt.Sprintf("add `version: %d` at the top of the spec", CurrentVersion), "unsupported spec version %d", s.Version)
	}
	for i, p := range s.Platforms {
		if _, err := NormalizePlatform(p); err != nil {
			r.errorf(Path{"platforms", fmt.Sprint(i)}, "use linux/amd64, linux/arm64, linux/ppc64le or linux/s390x", "%s", err.Error())
		}
	}
	for k := range s.Args {
		if !envKeyRe.MatchString(k) {
			r.errorf(Path{"args", k}, "use letters, digits and _, not starting with a digit", "arg name %q is not valid", k)
		} else if reservedNames[k] {
			r.errorf(Path{"args", k}, "pick another name, e.g. HELM_"+strings.ToUpper(k), "arg name %q is taken by the built-in ${%s}", k, k)
		}
	}
	for scheme, m := range s.Arches {
		if _, ok := builtinArches[scheme]; ok {
			r.errorf(Path{"arches", scheme}, "pick another name; goarch and uname are built in", "arch scheme %q is built in and cannot be redefined", scheme)
		}
		for p := range m {
			if _, err := NormalizePlatform(p); err != nil {
				r.errorf(Path{"arches", scheme, p}, "keys are platforms such as linux/arm64", "%s", err.Error())
			}
		}
	}
}

func (r *resolver) image(name string, img *Image) *Resolved {
	ip := Path{"images", name}
	res := &Resolved{
		Spec: r.s, Image: name, Platform: r.platform, Args: r.args,
		Env: map[string]string{}, Labels: map[string]string{},
	}
	res.Base = r.expandAt(ip.Child("base"), img.Base, nil)
	res.BaseRange = r.src.Range(ip.Child("base"))
	if img.Base == "" {
		r.errorf(ip, "add base: with the image to start from, e.g. registry.access.redhat.com/ubi9/ubi:9.6", "image %q has no base", name)
	} else if res.Base != "" && res.Base != "scratch" {
		if _, err := reference.ParseNormalizedNamed(res.Base); err != nil {
			r.errorf(ip.Child("base"), "write an image reference such as docker.io/library/debian:12", "base %q is not an image reference: %v", res.Base, err)
		}
	}
	if img.Packages != nil {
		res.Packages = r.packages(ip.Child("packages"), img.Packages)
	}
	seen := map[string]Path{}
	for i, t := range img.Tools {
		tp := ip.Child("tools", i)
		if t == nil {
			r.errorf(tp, "remove the empty item", "empty tool")
			continue
		}
		if prev, dup := seen[t.Name]; dup && t.Name != "" {
			r.errorf(tp.Child("name"), fmt.Sprintf("rename one of them (the first is at line %d)", r.src.Range(prev).Start.Line), "tool %q is declared twice", t.Name)
			continue
		}
		seen[t.Name] = tp
		if rt := r.tool(tp, t); rt != nil {
			res.Tools = append(res.Tools, rt)
			res.PathPrepend = append(res.PathPrepend, rt.Path...)
			for k, v := range rt.Env {
				res.Env[k] = v
			}
		}
	}
	if len(img.GoTools) > 0 {
		r.goTools(ip, img, res)
	}
	for i, f := range img.Files {
		fp := ip.Child("files", i)
		if f == nil {
			continue
		}
		rf := &ResolvedFile{Src: r.expandAt(fp.Child("src"), f.Src, nil), Dest: r.expandAt(fp.Child("dest"), f.Dest, nil), Mode: uint32(f.Mode), Range: r.src.Range(fp)}
		if rf.Src == "" {
			r.errorf(fp, "add src: with a path in the build context", "file has no src")
		} else if path.IsAbs(rf.Src) || strings.HasPrefix(path.Clean(rf.Src), "..") {
			r.errorf(fp.Child("src"), "src is relative to the build context", "src %q leaves the build context", rf.Src)
		}
		r.absPath(fp.Child("dest"), "dest", rf.Dest)
		res.Files = append(res.Files, rf)
	}
	for i, d := range img.Directories {
		dp := ip.Child("directories", i)
		if d == nil {
			continue
		}
		rd := &ResolvedDir{Path: r.expandAt(dp.Child("path"), d.Path, nil), Mode: uint32(d.Mode.Perm(0o755)), Range: r.src.Range(dp)}
		r.absPath(dp.Child("path"), "path", rd.Path)
		res.Dirs = append(res.Dirs, rd)
	}
	for i, st := range img.Run {
		rp := ip.Child("run", i)
		if st == nil || strings.TrimSpace(st.Command) == "" {
			r.errorf(rp, "give the step a command, or remove it", "run step has no command")
			continue
		}
		res.Run = append(res.Run, &ResolvedRun{Name: st.Name, Command: st.Command, Range: r.src.Range(rp)})
	}
	for _, k := range slices.Sorted(maps.Keys(img.Env)) {
		if !envKeyRe.MatchString(k) {
			r.errorf(ip.Child("env", k), "use letters, digits and _, not starting with a digit", "env name %q is not valid", k)
			continue
		}
		res.Env[k] = r.expandAt(ip.Child("env", k), img.Env[k], nil)
	}
	if _, ok := res.Env["PATH"]; ok && len(res.PathPrepend) > 0 {
		r.errorf(ip.Child("env", "PATH"), "drop env.PATH and list directories under the tools' path:, or move them all into env.PATH", "env sets PATH and tools add to it too")
	}
	res.Workdir = r.expandAt(ip.Child("workdir"), img.Workdir, nil)
	if res.Workdir != "" {
		r.absPath(ip.Child("workdir"), "workdir", res.Workdir)
	}
	res.User = r.expandAt(ip.Child("user"), img.User, nil)
	for i, e := range img.Entrypoint {
		res.Entrypoint = append(res.Entrypoint, r.expandAt(ip.Child("entrypoint", i), e, nil))
	}
	for i, e := range img.Cmd {
		res.Cmd = append(res.Cmd, r.expandAt(ip.Child("cmd", i), e, nil))
	}
	for _, k := range slices.Sorted(maps.Keys(img.Labels)) {
		res.Labels[k] = r.expandAt(ip.Child("labels", k), img.Labels[k], nil)
	}
	res.Annotations = map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(img.Annotations)) {
		if strings.ContainsAny(k, "[]=, ") || k == "" {
			r.errorf(ip.Child("annotations", k), "use a reverse-DNS key such as org.opencontainers.image.source", "annotation key %q is not valid", k)
			continue
		}
		res.Annotations[k] = r.expandAt(ip.Child("annotations", k), img.Annotations[k], nil)
	}
	return res
}

func (r *resolver) absPath(p Path, field, v string) {
	if v == "" {
		r.errorf(p, "give an absolute path such as /usr/local/bin", "%s is empty", field)
		return
	}
	if !path.IsAbs(v) {
		r.errorf(p, "paths in the image are absolute, e.g. /"+strings.TrimPrefix(v, "./"), "%s %q is not an absolute path", field, v)
		return
	}
	for _, el := range strings.Split(v, "/") {
		if el == ".." {
			r.errorf(p, "write the path without ..", "%s %q contains ..", field, v)
			return
		}
	}
}

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

// toolPlatforms returns the platforms a tool is limited to, normalized.
func (r *resolver) toolPlatforms(tp Path, t *Tool) map[string]bool {
	if len(t.Platforms) == 0 {
		return nil
	}
	out := map[string]bool{}
	for i, p := range t.Platforms {
		np, err := NormalizePlatform(p)
		if err != nil {
			r.errorf(tp.Child("platforms", i), "use linux/amd64, linux/arm64, linux/ppc64le or linux/s390x", "%s", err.Error())
			continue
		}
		out[np] = true
	}
	return out
}

func (r *resolver) tool(tp Path, t *Tool) *ResolvedTool {
	if t.Name == "" {
		r.errorf(tp, "add name: (it names the tool's layer and its errors)", "tool has no name")
		return nil
	}
	if !nameRe.MatchString(t.Name) {
		r.errorf(tp.Child("name"), "use lower-case letters, digits, . _ + -", "tool name %q is not valid", t.Name)
		return nil
	}
	only := r.toolPlatforms(tp, t)
	if only != nil && !only[r.platform] {
		return nil
	}
	rt := &ResolvedTool{Name: t.Name, Platform: r.platform, Strip: t.Strip, Range: r.src.Range(tp), Env: map[string]string{}}
	errsBefore := len(r.errs)

	scheme := t.Arch
	if scheme == "" {
		scheme = DefaultArchScheme
	}
	arch, ok := r.s.ArchName(scheme, r.platform)
	if !ok {
		if _, known := r.s.archSchemes()[scheme]; !known {
			r.errorf(tp.Child("arch"), fmt.Sprintf("declare it under arches, or use one of: %s", strings.Join(r.s.schemeNames(), ", ")), "tool %q: unknown arch scheme %q", t.Name, scheme)
		} else {
			r.errorf(tp.Child("arch"), fmt.Sprintf("add %s under arches.%s, or limit the tool with platforms:", r.platform, scheme), "tool %q: arch scheme %q has no name for %s", t.Name, scheme, r.platform)
		}
		return nil
	}

	if t.Version == "" {
		r.errorf(tp, "add version: (a literal, or ${AN_ARG})", "tool %q has no version", t.Name)
	}
	rt.Version = r.expandAt(tp.Child("version"), t.Version, nil)
	defVersion, _ := expand(t.Version, r.lookup(r.defArgs, nil))
	vars := map[string]string{"version": rt.Version, "arch": arch, "name": t.Name}

	if t.URL == "" {
		r.errorf(tp, "add url: with the release download URL, using ${version} and ${arch}", "tool %q has no url", t.Name)
	}
	rt.URL = r.expandAt(tp.Child("url"), t.URL, vars)
	if rt.URL != "" {
		u, err := url.Parse(rt.URL)
		switch {
		case err != nil || u.Host == "":
			r.errorf(tp.Child("url"), "write a full https:// URL", "tool %q: %q is not a URL", t.Name, rt.URL)
		case u.Scheme != "https" && u.Scheme != "http":
			r.errorf(tp.Child("url"), "use an https:// URL", "tool %q: unsupported URL scheme %q", t.Name, u.Scheme)
		case u.Scheme == "http" && !t.AllowHTTP && !isLoopback(u.Hostname()):
			r.errorf(tp.Child("url"), "use https://, or set allowHTTP: true on the tool (the sha256 is still checked)", "tool %q: plain http URL %s", t.Name, rt.URL)
		}
	}

	rt.Form = t.Form
	if rt.Form == "" {
		u, err := url.Parse(rt.URL)
		if err == nil {
			rt.Form = FormFromName(path.Base(u.Path))
		} else {
			rt.Form = FormFromName(rt.URL)
		}
	} else if !forms[rt.Form] {
		r.errorf(tp.Child("form"), "use one of: raw, tar.gz, tar.xz, tar.zst, tar.bz2, tar, zip", "tool %q: unknown form %q", t.Name, t.Form)
	}

	rt.SHA256 = r.checksum(tp, t, rt.Version, defVersion)
	rt.AuthSecret = t.AuthSecret
	if t.AuthSecret != "" && !secretIDRe.MatchString(t.AuthSecret) {
		r.errorf(tp.Child("authSecret"), "a secret id is letters, digits, . _ -, as in --secret id=NAME", "tool %q: %q is not a secret id", t.Name, t.AuthSecret)
	}

	if t.Strip < 0 || t.Strip > 16 {
		r.errorf(tp.Child("strip"), "strip counts leading path components, 0 to 16", "tool %q: strip %d is out of range", t.Name, t.Strip)
	}
	for i, tk := range t.Take {
		v := r.expandAt(tp.Child("take", i), tk, vars)
		c := path.Clean(v)
		if strings.ContainsAny(v, "*?[]\\") {
			r.errorf(tp.Child("take", i), "name each path; a directory takes its whole tree", "tool %q: take path %q has a wildcard", t.Name, v)
			continue
		}
		if v == "" || path.IsAbs(v) || c == ".." || strings.HasPrefix(c, "../") {
			r.errorf(tp.Child("take", i), "take paths are relative to the archive's root (after strip)", "tool %q: take path %q is not inside the archive", t.Name, v)
			continue
		}
		rt.Take = append(rt.Take, c)
	}
	rt.Dest = r.expandAt(tp.Child("dest"), t.Dest, vars)
	if t.Dest == "" {
		hint := "add dest: with the directory to unpack into, e.g. /usr/local"
		if rt.Form == FormRaw {
			hint = "add dest: with the file path, e.g. /usr/local/bin/" + t.Name
		}
		r.errorf(tp, hint, "tool %q has no dest", t.Name)
	} else {
		r.absPath(tp.Child("dest"), "dest", rt.Dest)
	}
	if rt.Form == FormRaw {
		if strings.HasSuffix(rt.Dest, "/") {
			rt.Dest += t.Name
		}
		if t.Strip != 0 || len(t.Take) > 0 {
			r.errorf(tp, "strip and take apply to archives; set form: if the URL hides one", "tool %q is a raw binary but has strip or take", t.Name)
		}
		rt.Mode = uint32(t.Mode.Perm(0o755))
	} else if t.Mode != 0 {
		r.errorf(tp.Child("mode"), "archives keep their own modes; remove mode:", "tool %q: mode applies to raw binaries only", t.Name)
	}
	rt.Dest = path.Clean(rt.Dest)
	if rt.Dest == "/" && rt.Form == FormRaw {
		r.errorf(tp.Child("dest"), "give the file path of the binary", "tool %q: dest / is not a file path", t.Name)
	}

	for _, lp := range slices.Sorted(maps.Keys(t.Links)) {
		l := Link{Path: r.expandAt(tp.Child("links", lp), lp, vars), Target: r.expandAt(tp.Child("links", lp), t.Links[lp], vars)}
		r.absPath(tp.Child("links", lp), "link", l.Path)
		if l.Target == "" {
			r.errorf(tp.Child("links", lp), "give the path the link points to", "tool %q: link %q has no target", t.Name, lp)
		}
		l.Path = path.Clean(l.Path)
		rt.Links = append(rt.Links, l)
	}
	for i, p := range t.Path {
		v := r.expandAt(tp.Child("path", i), p, vars)
		r.absPath(tp.Child("path", i), "path entry", v)
		rt.Path = append(rt.Path, v)
	}
	for _, k := range slices.Sorted(maps.Keys(t.Env)) {
		if !envKeyRe.MatchString(k) {
			r.errorf(tp.Child("env", k), "use letters, digits and _, not starting with a digit", "env name %q is not valid", k)
			continue
		}
		rt.Env[k] = r.expandAt(tp.Child("env", k), t.Env[k], vars)
	}
	if len(r.errs) > errsBefore {
		return nil
	}
	return rt
}

// checksum picks the digest of the tool's version for this platform. A flat
// platform mapping is pinned to the version the spec itself names; a
// --build-arg that moves the version needs a versioned entry.
func (r *resolver) checksum(tp Path, t *Tool, version, defVersion string) string {
	sp := tp.Child("sha256")
	lockHint := fmt.Sprintf("add sha256.%s with the artifact's sha256 (builder lock writes it)", r.platform)
	if t.SHA256.Empty() {
		r.errorf(tp, "add sha256: with the artifact's sha256 for each platform (builder lock writes them)", "tool %q has no sha256: every download is verified", t.Name)
		return ""
	}
	var sum string
	var at Path
	if m, ok := t.SHA256.ByVersion[version]; ok {
		for p, v := range m {
			if np, err := NormalizePlatform(p); err == nil && np == r.platform {
				sum, at = v, sp.Child(version, p)
			}
		}
		if sum == "" {
			r.errorf(sp.Child(version), fmt.Sprintf("add %s under sha256.%s, or limit the tool with platforms:", r.platform, version), "tool %q has no artifact for %s at version %s", t.Name, r.platform, version)
			return ""
		}
	} else if len(t.SHA256.ByPlatform) > 0 {
		if version != defVersion {
			var pinned []string
			for v := range t.SHA256.ByVersion {
				pinned = append(pinned, v)
			}
			pinned = append(pinned, defVersion)
			sort.Strings(pinned)
			r.errorf(sp, fmt.Sprintf("add a sha256.%q mapping of platforms to its checksums (pinned versions: %s)", version, strings.Join(pinned, ", ")), "tool %q: version %s (from a build-arg) has no sha256; the spec pins %s", t.Name, version, defVersion)
			return ""
		}
		for p, v := range t.SHA256.ByPlatform {
			np, err := NormalizePlatform(p)
			if err != nil {
				r.errorf(sp.Child(p), "keys are platforms such as linux/arm64, or versions holding such a mapping", "tool %q: sha256 key %q is not a platform", t.Name, p)
				continue
			}
			if np == r.platform {
				sum, at = v, sp.Child(p)
			}
		}
		if sum == "" {
			r.errorf(sp, lockHint+", or limit the tool with platforms:", "tool %q has no artifact for %s: no sha256 for that platform", t.Name, r.platform)
			return ""
		}
	} else {
		var pinned []string
		for v := range t.SHA256.ByVersion {
			pinned = append(pinned, v)
		}
		sort.Strings(pinned)
		r.errorf(sp, fmt.Sprintf("add a sha256.%q entry (pinned versions: %s)", version, strings.Join(pinned, ", ")), "tool %q: version %s has no sha256", t.Name, version)
		return ""
	}
	sum = strings.TrimPrefix(strings.TrimSpace(sum), "sha256:")
	if !hexRe.MatchString(sum) {
		r.errorf(at, "a sha256 is 64 lower-case hex digits, as sha256sum prints it", "tool %q: %q is not a sha256", t.Name, sum)
		return ""
	}
	return "sha256:" + sum
}

// isLoopback reports whether host is this machine: plain http there crosses
// no network.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var (
	goPkgRe     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~/+-]*$`)
	goVersionRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)
	majorRe     = regexp.MustCompile(`^v[0-9]+$`)
)

// goBinaryName is what go install names the command of pkg: its last path
// element, or the one before a /vN major version suffix.
func goBinaryName(pkg string) string {
	parts := strings.Split(strings.Trim(pkg, "/"), "/")
	name := parts[len(parts)-1]
	if majorRe.MatchString(name) && len(parts) > 1 {
		name = parts[len(parts)-2]
	}
	return name
}

func (r *resolver) goTools(ip Path, img *Image, res *Resolved) {
	settings := img.Go
	if settings == nil {
		settings = &GoSettings{}
	}
	gp := ip.Child("go")
	tcName := settings.Toolchain
	if tcName == "" {
		tcName = "go"
	}
	var tc *Tool
	var tcPath Path
	for i, t := range img.Tools {
		if t != nil && t.Name == tcName {
			tc, tcPath = t, ip.Child("tools", i)
		}
	}
	if tc == nil {
		r.errorf(ip.Child("goTools"), fmt.Sprintf("add a tool named %q that installs the Go toolchain, or name it with go.toolchain", tcName), "Go tools need a Go toolchain: no tool named %q", tcName)
		return
	}
	build := r.buildPlatform
	if only := r.toolPlatforms(tcPath, tc); only != nil && !only[build] {
		r.errorf(tcPath.Child("platforms"), fmt.Sprintf("add %s to the tool's platforms: Go tools compile on the build platform", build), "tool %q, the Go toolchain, is limited to platforms that leave out the build platform %s", tcName, build)
		return
	}
	if build == r.platform {
		for _, rt := range res.Tools {
			if rt.Name == tcName {
				res.GoToolchain = rt
			}
		}
	} else {
		sub := &resolver{s: r.s, src: r.src, platform: build, args: r.args, defArgs: r.defArgs, buildPlatform: build}
		res.GoToolchain = sub.tool(tcPath, tc)
		seen := map[string]bool{}
		for _, e := range r.errs {
			seen[e.Msg] = true
		}
		for _, e := range sub.errs {
			if seen[e.Msg] { // the same problem, already reported for the target
				continue
			}
			e.Msg += fmt.Sprintf(" (Go tools compile with the %s toolchain: %s is the build platform)", build, build)
			r.errs = append(r.errs, e)
		}
	}
	if res.GoToolchain == nil {
		return // its problems are reported above
	}
	if res.GoToolchain.Form == FormRaw {
		r.errorf(tcPath, "the Go toolchain is an archive unpacked with bin/go under dest, e.g. go${version}.linux-${arch}.tar.gz with strip: 1", "tool %q cannot serve as the Go toolchain: it is a raw binary", tcName)
		return
	}
	dest := settings.Dest
	if dest == "" {
		dest = "/usr/local/bin"
	} else {
		dest = r.expandAt(gp.Child("dest"), dest, nil)
		r.absPath(gp.Child("dest"), "go.dest", dest)
	}
	baseEnv := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(settings.Env)) {
		if !envKeyRe.MatchString(k) {
			r.errorf(gp.Child("env", k), "use letters, digits and _", "env name %q is not valid", k)
			continue
		}
		baseEnv[k] = r.expandAt(gp.Child("env", k), settings.Env[k], nil)
	}
	seen := map[string]bool{}
	for _, t := range res.Tools {
		seen[t.Name] = true
	}
	for i, gt := range img.GoTools {
		tp := ip.Child("goTools", i)
		if gt == nil {
			continue
		}
		if !nameRe.MatchString(gt.Name) {
			r.errorf(tp.Child("name"), "use lower-case letters, digits, . _ + -", "Go tool name %q is not valid", gt.Name)
			continue
		}
		if seen[gt.Name] {
			r.errorf(tp.Child("name"), "names are unique across tools and goTools", "tool %q is declared twice", gt.Name)
			continue
		}
		seen[gt.Name] = true
		if only := r.toolPlatforms(tp, &Tool{Platforms: gt.Platforms}); only != nil && !only[r.platform] {
			continue
		}
		rg := &ResolvedGoTool{Name: gt.Name, Cgo: gt.Cgo, Range: r.src.Range(tp), Env: map[string]string{}}
		rg.Package = r.expandAt(tp.Child("package"), gt.Package, nil)
		rg.Version = r.expandAt(tp.Child("version"), gt.Version, nil)
		if rg.Package == "" {
			r.errorf(tp, "add package: with the import path of the command, e.g. golang.org/x/tools/cmd/goimports", "Go tool %q has no package", gt.Name)
			continue
		}
		if !goPkgRe.MatchString(rg.Package) || strings.Contains(rg.Package, "@") {
			r.errorf(tp.Child("package"), "write the import path alone; the version goes under version:", "Go tool %q: %q is not an import path", gt.Name, rg.Package)
			continue
		}
		if rg.Version == "" {
			r.errorf(tp, "add version: with a tag (v1.2.3), a pseudo-version or a commit", "Go tool %q has no version", gt.Name)
			continue
		}
		if !goVersionRe.MatchString(rg.Version) {
			r.errorf(tp.Child("version"), "a tag (v1.2.3), a pseudo-version or a commit", "Go tool %q: %q is not a module version", gt.Name, rg.Version)
			continue
		}
		rg.Binary = goBinaryName(rg.Package)
		if gt.Binary != "" {
			rg.Binary = r.expandAt(tp.Child("binary"), gt.Binary, nil)
			if strings.Contains(rg.Binary, "/") {
				r.errorf(tp.Child("binary"), "binary is a file name; set dest: for the directory", "Go tool %q: binary %q contains /", gt.Name, rg.Binary)
			}
		}
		d := dest
		if gt.Dest != "" {
			d = r.expandAt(tp.Child("dest"), gt.Dest, nil)
			r.absPath(tp.Child("dest"), "dest", d)
		}
		rg.Dest = path.Join(d, rg.Binary)
		rg.Ldflags = "-s -w"
		if gt.Ldflags != nil {
			rg.Ldflags = r.expandAt(tp.Child("ldflags"), *gt.Ldflags, nil)
		}
		for j, tag := range gt.Tags {
			rg.Tags = append(rg.Tags, r.expandAt(tp.Child("tags", j), tag, nil))
		}
		for k, v := range baseEnv {
			rg.Env[k] = v
		}
		for _, k := range slices.Sorted(maps.Keys(gt.Env)) {
			if !envKeyRe.MatchString(k) {
				r.errorf(tp.Child("env", k), "use letters, digits and _", "env name %q is not valid", k)
				continue
			}
			rg.Env[k] = r.expandAt(tp.Child("env", k), gt.Env[k], nil)
		}
		// The compile's own settings: GOTOOLCHAIN=local keeps the verified
		// toolchain, the paths point at the cache and output mounts.
		for _, k := range []string{"GOOS", "GOARCH", "GOARM", "CGO_ENABLED", "GOROOT", "GOPATH", "GOBIN", "GOCACHE", "GOMODCACHE", "GOTOOLCHAIN", "HOME", "PATH", "TMPDIR"} {
			if _, set := rg.Env[k]; set {
				r.errorf(tp, "the frontend sets it for each platform; use cgo: for CGO_ENABLED", "Go tool %q: env %s cannot be set", gt.Name, k)
			}
		}
		res.GoTools = append(res.GoTools, rg)
	}
}
