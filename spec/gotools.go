package spec

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

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
	r.env(gp.Child("env"), settings.Env, nil, baseEnv)
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
		r.env(tp.Child("env"), gt.Env, nil, rg.Env)
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
