package spec

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
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
	// BuildPlatform is where Go tools compile; default DefaultBuildPlatform.
	BuildPlatform string
}

var (
	nameRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9._+-]*$`)
	envKeyRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
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

// Validate resolves the spec for each platform and returns every problem
// found. Without platforms it checks those TargetPlatforms names: the
// spec's own, else the build platform. Given platforms are checked as
// given, so one that is no platform is reported.
func (s *Spec) Validate(platformList []string, opts Options) error {
	if len(platformList) == 0 {
		platformList = s.TargetPlatforms(nil, opts.BuildPlatform)
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
	prep     *prepared
	platform string
	args     map[string]string
	errs     ErrorList
	// buildPlatform is where Go tools compile.
	buildPlatform string
	// artifacts, when set, collects each tool's download instead of
	// choosing its checksum (Artifacts).
	artifacts *[]*Artifact
	image     string
	// leftOut collects Resolved.LeftOut.
	leftOut []string
}

// errorf reports a problem at the node p. The values it quotes are cut
// short (clipArgs), and so is the hint, which may name them too.
func (r *resolver) errorf(p Path, hint, format string, a ...any) {
	r.errs = append(r.errs, r.s.Errorf(p, Clip(hint, maxHint), format, clipArgs(a)...))
}

// toolNames are the names a tool's own fields add to the args: ${version},
// ${arch} in the tool's scheme, and ${name}.
type toolNames struct {
	version, arch, name string
}

// lookup resolves a template name: the tool's own names (tn, nil outside
// tool fields), then args, then ${os}, ${arch.SCHEME} and ${arch}.
func (r *resolver) lookup(n string, args map[string]string, tn *toolNames) (string, bool) {
	if tn != nil {
		switch n {
		case "version":
			return tn.version, true
		case "arch":
			return tn.arch, true
		case "name":
			return tn.name, true
		}
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

// value expands t with args and the tool's names.
func (r *resolver) value(t *Template, args map[string]string, tn *toolNames) (string, *templateError) {
	return t.expand(func(n string) (string, bool) { return r.lookup(n, args, tn) })
}

// expand returns the value of f on this platform, reporting a problem at
// f's path.
func (r *resolver) expand(f field, tn *toolNames) string {
	out, te := r.value(f.t, r.args, tn)
	if te == nil {
		return out
	}
	hint := "templates take ${NAME} of an arg declared under args, ${version}, ${arch}, ${arch.SCHEME} or ${os}; write $$ for a literal $"
	if te.name != "" {
		if scheme, ok := strings.CutPrefix(te.name, "arch."); ok {
			if _, known := r.s.archSchemes()[scheme]; known {
				hint = fmt.Sprintf("add %s under arches.%s", r.platform, scheme)
				r.errorf(f.path, hint, "arch scheme %q has no name for %s", scheme, r.platform)
				return ""
			}
			hint = fmt.Sprintf("declare it under arches (known schemes: %s)", strings.Join(r.s.schemeNames(), ", "))
		} else {
			names := slices.Collect(maps.Keys(r.args))
			if tn != nil {
				names = append(names, "version", "arch", "name")
			}
			if best := closest(te.name, names); best != "" {
				hint = fmt.Sprintf("did you mean ${%s}? Otherwise declare %s under args", best, te.name)
			} else {
				hint = fmt.Sprintf("declare %s under args, or write $${%s} for a literal", te.name, te.name)
			}
		}
	}
	r.errorf(f.path, hint, "%s", te.msg)
	return ""
}

// Resolve returns the image opts.Target for one platform. Resolves of one
// Spec may run concurrently. What no platform changes (parsed templates,
// checked names, normalized checksums) is worked out on the first and kept
// with the Spec: change a Spec before its first Resolve, or change a copy.
func (s *Spec) Resolve(platform string, opts Options) (*Resolved, error) {
	r, pi, err := s.resolver(platform, opts)
	if err != nil {
		return nil, err
	}
	res := r.resolveImage(pi)
	if err := r.errs.err(); err != nil {
		return nil, err
	}
	return res, nil
}

// resolver starts a Resolve: the platforms checked, the args' values set,
// the spec's top-level problems reported, the image found.
func (s *Spec) resolver(platform string, opts Options) (*resolver, *preparedImage, error) {
	p := s.prepare()
	r := &resolver{s: s, prep: p}
	np, err := NormalizePlatform(platform)
	if err != nil {
		return nil, nil, ErrorList{{File: s.source().Filename, Msg: Clip(err.Error(), maxEcho), Hint: "pass --platform linux/amd64,linux/arm64 (or linux/ppc64le, linux/s390x)"}}
	}
	r.platform = np
	r.buildPlatform = DefaultBuildPlatform
	if opts.BuildPlatform != "" {
		bp, err := NormalizePlatform(opts.BuildPlatform)
		if err != nil {
			return nil, nil, ErrorList{{File: s.source().Filename, Msg: "build platform: " + err.Error()}}
		}
		r.buildPlatform = bp
	}
	r.args = s.ArgValues(opts.BuildArgs)
	for _, e := range p.top {
		c := *e
		r.errs = append(r.errs, &c)
	}
	name := opts.Target
	if name == "" {
		name = s.DefaultImage()
	}
	r.image = name
	pi := p.images[name]
	if pi == nil {
		_, declared := s.Images[name]
		switch {
		case len(s.Images) == 0:
			r.errorf(nil, "add an images: mapping with one image (see docs/spec.md)", "the spec declares no image")
		case declared:
			r.errorf(Path{"images", name}, "give it base: and what it installs (see docs/spec.md), or remove it", "image %q is empty", name)
		default:
			r.errorf(Path{"images"}, "pass --target with one of: "+strings.Join(s.ImageNames(), ", "), "no image named %q in the spec", name)
		}
		return nil, nil, r.errs.err()
	}
	return r, pi, nil
}

func (r *resolver) checkTop() {
	s := r.s
	if s.Version != CurrentVersion {
		r.errorf(Path{"version"}, fmt.Sprintf("add `version: %d` at the top of the spec", CurrentVersion), "unsupported spec version %d", s.Version)
	}
	r.checkExtends()
	r.badPlatforms(preparePlatforms(Path{"platforms"}, s.Platforms))
	for k := range s.Args {
		if !r.validName(Path{"args", k}, "arg", k) {
			continue
		}
		if reservedNames[k] {
			r.errorf(Path{"args", k}, "pick another name, e.g. HELM_"+strings.ToUpper(k), "arg name %q is taken by the built-in ${%s}", k, k)
		}
	}
	_, derrs := s.DriftSources()
	r.errs = append(r.errs, derrs...)
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

func (r *resolver) resolveImage(pi *preparedImage) *Resolved {
	img := pi.img
	ip := Path{"images", pi.name}
	res := &Resolved{
		Spec: r.s, Image: pi.name, Platform: r.platform, Args: r.args,
		Env: map[string]string{}, Labels: map[string]string{},
	}
	res.Base = r.expand(pi.base, nil)
	res.BaseRange = pi.baseRange
	if img.Base == "" {
		r.errorf(ip, "add base: with the image to start from, e.g. registry.access.redhat.com/ubi9/ubi:9.6", "image %q has no base", pi.name)
	} else if res.Base != "" && res.Base != "scratch" {
		if _, err := reference.ParseNormalizedNamed(res.Base); err != nil {
			r.errorf(pi.base.path, "write an image reference such as docker.io/library/debian:12", "base %q is not an image reference: %v", res.Base, err)
		}
	}
	if pi.packages != nil {
		res.Packages = r.packages(pi.packages)
	}
	seen := map[string]*preparedTool{}
	for i, pt := range pi.tools {
		if pt == nil {
			r.errorf(ip.Child("tools", i), "remove the empty item", "empty tool")
			continue
		}
		name := pt.t.Name
		if prev, dup := seen[name]; dup && name != "" {
			r.errorf(pt.path.Child("name"), fmt.Sprintf("rename one of them (the first is at %s)", LineRef(prev.rng, pt.rng)), "tool %q is declared twice", name)
			continue
		}
		seen[name] = pt
		if rt := r.tool(pt); rt != nil {
			res.Tools = append(res.Tools, rt)
			res.PathPrepend = append(res.PathPrepend, rt.Path...)
			for k, v := range rt.Env {
				res.Env[k] = v
			}
		}
	}
	if len(pi.goTools) > 0 {
		r.goTools(pi, res)
	}
	res.LeftOut = r.leftOut
	for _, pf := range pi.files {
		if pf == nil {
			continue
		}
		rf := &ResolvedFile{Src: r.expand(pf.src, nil), Dest: r.expand(pf.dest, nil), Mode: uint32(pf.f.Mode), Range: pf.rng}
		if rf.Src == "" {
			r.errorf(pf.path, "add src: with a path in the build context", "file has no src")
		} else if c := path.Clean(rf.Src); path.IsAbs(rf.Src) || c == ".." || strings.HasPrefix(c, "../") {
			r.errorf(pf.src.path, "src is relative to the build context", "src %q leaves the build context", rf.Src)
		} else {
			r.oneLine(pf.src.path, pf.src.t, "src", rf.Src, "a path is one line")
		}
		r.absPath(pf.dest.path, "dest", rf.Dest)
		res.Files = append(res.Files, rf)
	}
	for _, pd := range pi.dirs {
		if pd == nil {
			continue
		}
		rd := &ResolvedDir{Path: r.expand(pd.dir, nil), Mode: uint32(pd.d.Mode.Perm(0o755)), Range: pd.rng}
		r.absPath(pd.dir.path, "path", rd.Path)
		res.Dirs = append(res.Dirs, rd)
	}
	for i, st := range img.Run {
		if st == nil || strings.TrimSpace(st.Command) == "" {
			r.errorf(ip.Child("run", i), "give the step a command, or remove it", "run step has no command")
			continue
		}
		res.Run = append(res.Run, &ResolvedRun{Name: st.Name, Command: st.Command, Range: pi.run[i]})
	}
	r.env("", pi.env, nil, res.Env)
	if _, ok := res.Env["PATH"]; ok && len(res.PathPrepend) > 0 {
		r.errorf(ip.Child("env", "PATH"), "drop env.PATH and list directories under the tools' path:, or move them all into env.PATH", "env sets PATH and tools add to it too")
	}
	res.Workdir = r.expand(pi.workdir, nil)
	if res.Workdir != "" {
		r.absPath(pi.workdir.path, "workdir", res.Workdir)
	}
	res.User = r.expand(pi.user, nil)
	for _, f := range pi.entrypoint {
		res.Entrypoint = append(res.Entrypoint, r.expand(f, nil))
	}
	for _, f := range pi.cmd {
		res.Cmd = append(res.Cmd, r.expand(f, nil))
	}
	for _, e := range pi.labels {
		if _, ctl := controlChar(e.key); ctl || e.key == "" {
			r.errorf(e.path, "use a key such as org.opencontainers.image.title", "label key %q is not valid", e.key)
			continue
		}
		res.Labels[e.key] = r.expand(e.field, nil)
	}
	res.Annotations = map[string]string{}
	for _, e := range pi.annotations {
		if strings.ContainsAny(e.key, "[]=, ") || e.key == "" {
			r.errorf(e.path, "use a reverse-DNS key such as org.opencontainers.image.source", "annotation key %q is not valid", e.key)
			continue
		}
		res.Annotations[e.key] = r.expand(e.field, nil)
	}
	return res
}

// validName reports whether name can name an environment variable, and
// reports it at p when not. Env names and arg names (which run steps see
// as environment variables) follow this one rule.
func (r *resolver) validName(p Path, what, name string) bool {
	if envKeyRe.MatchString(name) {
		return true
	}
	r.errorf(p, "use letters, digits and _, not starting with a digit", "%s name %q is not valid", what, name)
	return false
}

// env expands an env mapping into out, in name order. owner prefixes
// the messages (`tool "helm": `); go.env passes "go.".
func (r *resolver) env(owner string, m []mapEntry, tn *toolNames, out map[string]string) {
	for _, e := range m {
		if e.validName || r.validName(e.path, "env", e.key) {
			v := r.expand(e.field, tn)
			r.oneLine(e.path, e.t, owner+"env "+e.key, v, "the value of an environment variable is one line")
			out[e.key] = v
		}
	}
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
	if hasDotDot(v) {
		r.errorf(p, "write the path without ..", "%s %q contains ..", field, v)
		return
	}
	r.oneLine(p, r.template(p), field, v, "a path is one line")
}

// hasDotDot reports whether a slash-separated path has a ".." element.
func hasDotDot(p string) bool {
	for p != "" {
		el, rest, _ := strings.Cut(p, "/")
		if el == ".." {
			return true
		}
		p = rest
	}
	return false
}
