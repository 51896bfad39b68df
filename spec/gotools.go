package spec

import (
	"fmt"
	"maps"
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

// hasDotElem reports whether an import path has a "." or ".." element:
// go install takes no such path, and its last element would name no file.
func hasDotElem(pkg string) bool {
	for _, el := range strings.Split(pkg, "/") {
		if el == "." || el == ".." {
			return true
		}
	}
	return false
}

// preparedGoSettings are an image's go: settings, with its toolchain
// found among the tools.
type preparedGoSettings struct {
	settings *GoSettings
	// toolchain names the toolchain tool; tc is it, nil when the image has
	// none.
	toolchain string
	tc        *preparedTool
	dest      field
	env       []mapEntry
}

func prepareGoSettings(l *templates, ip Path, img *Image) *preparedGoSettings {
	settings := img.Go
	if settings == nil {
		settings = &GoSettings{}
	}
	gp := ip.Child("go")
	ps := &preparedGoSettings{settings: settings, toolchain: settings.Toolchain}
	if ps.toolchain == "" {
		ps.toolchain = "go"
	}
	ps.env = l.mapping(gp.Child("env"), "go env", settings.Env)
	ps.dest = l.add(gp.Child("dest"), "go dest", settings.Dest)
	return ps
}

// preparedGoTool is a Go tool with its templates parsed.
type preparedGoTool struct {
	gt        *GoTool
	path      Path
	rng       Range
	nameOK    bool
	platforms *platformSet

	pkg, version, binary, ldflags, dest field
	tags                                []field
	env                                 []mapEntry
	checkRange                          Range
}

func prepareGoTool(l *templates, s *Spec, gp Path, gt *GoTool) *preparedGoTool {
	w := fmt.Sprintf("Go tool %q", gt.Name)
	pg := &preparedGoTool{gt: gt, path: gp, rng: s.Range(gp), nameOK: nameRe.MatchString(gt.Name), platforms: preparePlatforms(gp.Child("platforms"), gt.Platforms)}
	pg.pkg = l.add(gp.Child("package"), w+" package", gt.Package)
	pg.version = l.add(gp.Child("version"), w+" version", gt.Version)
	pg.binary = l.add(gp.Child("binary"), w+" binary", gt.Binary)
	ldflags := ""
	if gt.Ldflags != nil {
		ldflags = *gt.Ldflags
	}
	pg.ldflags = l.add(gp.Child("ldflags"), w+" ldflags", ldflags)
	pg.tags = l.list(gp.Child("tags"), w+" tags", gt.Tags)
	pg.env = l.mapping(gp.Child("env"), w+" env", gt.Env)
	pg.dest = l.add(gp.Child("dest"), w+" dest", gt.Dest)
	if gt.Check != "" {
		pg.checkRange = s.Range(gp.Child("check"))
	}
	return pg
}

// reservedGoEnv are the compile's own settings: GOTOOLCHAIN=local keeps the
// verified toolchain, the paths point at the cache and output mounts.
var reservedGoEnv = []string{"GOOS", "GOARCH", "GOARM", "CGO_ENABLED", "GOROOT", "GOPATH", "GOBIN", "GOCACHE", "GOMODCACHE", "GOTOOLCHAIN", "HOME", "PATH", "TMPDIR"}

func (r *resolver) goTools(pi *preparedImage, res *Resolved) {
	ip := Path{"images", pi.name}
	ps := pi.goSettings
	tcName := ps.toolchain
	var tc *preparedTool
	for _, pt := range pi.tools {
		if pt != nil && pt.t.Name == tcName {
			tc = pt
		}
	}
	if tc == nil {
		r.errorf(ip.Child("goTools"), fmt.Sprintf("add a tool named %q that installs the Go toolchain, or name it with go.toolchain", tcName), "Go tools need a Go toolchain: no tool named %q", tcName)
		return
	}
	build := r.buildPlatform
	if !r.on(tc.platforms, build) {
		r.errorf(tc.path.Child("platforms"), fmt.Sprintf("add %s to the tool's platforms: Go tools compile on the build platform", build), "tool %q, the Go toolchain, is limited to platforms that leave out the build platform %s", tcName, build)
		return
	}
	if build == r.platform {
		for _, rt := range res.Tools {
			if rt.Name == tcName {
				res.GoToolchain = rt
			}
		}
	} else {
		sub := &resolver{s: r.s, prep: r.prep, platform: build, args: r.args, buildPlatform: build, artifacts: r.artifacts, image: r.image}
		res.GoToolchain = sub.tool(tc)
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
		r.errorf(tc.path, "the Go toolchain is an archive unpacked with bin/go under dest, e.g. go${version}.linux-${arch}.tar.gz with strip: 1", "tool %q cannot serve as the Go toolchain: it is a raw binary", tcName)
		return
	}
	dest := "/usr/local/bin"
	if ps.settings.Dest != "" {
		dest = r.expand(ps.dest, nil)
		r.absPath(ps.dest.path, "go.dest", dest)
	}
	baseEnv := map[string]string{}
	r.env("go.", ps.env, nil, baseEnv)
	// Names are unique across tools (on any platform) and Go tools: each
	// names a layer and a manifest file.
	firstLine := map[string]int{}
	for _, pt := range pi.tools {
		if pt != nil && pt.t.Name != "" {
			if _, dup := firstLine[pt.t.Name]; !dup {
				firstLine[pt.t.Name] = pt.rng.Start.Line
			}
		}
	}
	for _, pg := range pi.goTools {
		if pg == nil {
			continue
		}
		gt, tp := pg.gt, pg.path
		if !pg.nameOK {
			r.errorf(tp.Child("name"), "use lower-case letters, digits, . _ + -", "Go tool name %q is not valid", gt.Name)
			continue
		}
		if line, dup := firstLine[gt.Name]; dup {
			r.errorf(tp.Child("name"), fmt.Sprintf("rename one of them: names are unique across tools and goTools (the first is at line %d)", line), "tool %q is declared twice", gt.Name)
			continue
		}
		firstLine[gt.Name] = pg.rng.Start.Line
		if !r.on(pg.platforms, r.platform) {
			r.leftOut = append(r.leftOut, gt.Name)
			continue
		}
		rg := &ResolvedGoTool{Name: gt.Name, Cgo: gt.Cgo, Range: pg.rng, Env: map[string]string{}}
		rg.Package = r.expand(pg.pkg, nil)
		rg.Version = r.expand(pg.version, nil)
		if rg.Package == "" {
			r.errorf(tp, "add package: with the import path of the command, e.g. golang.org/x/tools/cmd/goimports", "Go tool %q has no package", gt.Name)
			continue
		}
		if !goPkgRe.MatchString(rg.Package) || strings.Contains(rg.Package, "@") || hasDotElem(rg.Package) {
			r.errorf(pg.pkg.path, "write the import path alone; the version goes under version:", "Go tool %q: %q is not an import path", gt.Name, rg.Package)
			continue
		}
		if rg.Version == "" {
			r.errorf(tp, "add version: with a tag (v1.2.3), a pseudo-version or a commit", "Go tool %q has no version", gt.Name)
			continue
		}
		if !goVersionRe.MatchString(rg.Version) {
			r.errorf(pg.version.path, "a tag (v1.2.3), a pseudo-version or a commit", "Go tool %q: %q is not a module version", gt.Name, rg.Version)
			continue
		}
		rg.Binary = goBinaryName(rg.Package)
		if gt.Binary != "" {
			def := rg.Binary
			rg.Binary = r.expand(pg.binary, nil)
			switch {
			case strings.Contains(rg.Binary, "/"):
				r.errorf(pg.binary.path, "binary is a file name; set dest: for the directory", "Go tool %q: binary %q contains /", gt.Name, rg.Binary)
			case rg.Binary == "" || rg.Binary == "." || rg.Binary == "..":
				// The install would copy the whole directory.
				r.errorf(pg.binary.path, fmt.Sprintf("binary is the installed command's file name, such as %s; leave it out for that default", def), "Go tool %q: binary %q is not a file name", gt.Name, rg.Binary)
			default:
				r.oneLine(pg.binary.path, pg.binary.t, fmt.Sprintf("Go tool %q: binary", gt.Name), rg.Binary, "a file name is one line")
			}
		}
		d := dest
		if gt.Dest != "" {
			d = r.expand(pg.dest, nil)
			r.absPath(pg.dest.path, "dest", d)
		}
		rg.Dest = path.Join(d, rg.Binary)
		rg.Ldflags = "-s -w"
		if gt.Ldflags != nil {
			rg.Ldflags = r.expand(pg.ldflags, nil)
		}
		for _, f := range pg.tags {
			rg.Tags = append(rg.Tags, r.expand(f, nil))
		}
		maps.Copy(rg.Env, baseEnv)
		r.env(fmt.Sprintf("Go tool %q: ", gt.Name), pg.env, nil, rg.Env)
		for _, k := range reservedGoEnv {
			if _, set := rg.Env[k]; set {
				r.errorf(tp, "the frontend sets it for each platform; use cgo: for CGO_ENABLED", "Go tool %q: env %s cannot be set", gt.Name, k)
			}
		}
		rg.Check = r.check(checkWhere(true, gt.Name), gt.Check, tp.Child("check"))
		rg.CheckRange = pg.checkRange
		res.GoTools = append(res.GoTools, rg)
	}
}
