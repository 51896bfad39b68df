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
	r.buildPlatform = DefaultBuildPlatform
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
		if !r.validName(Path{"args", k}, "arg", k) {
			continue
		}
		if reservedNames[k] {
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
	r.env(ip.Child("env"), img.Env, nil, res.Env)
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

// env expands the env mapping m at p into out, in name order.
func (r *resolver) env(p Path, m, vars, out map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if r.validName(p.Child(k), "env", k) {
			out[k] = r.expandAt(p.Child(k), m[k], vars)
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
	for _, el := range strings.Split(v, "/") {
		if el == ".." {
			r.errorf(p, "write the path without ..", "%s %q contains ..", field, v)
			return
		}
	}
}
