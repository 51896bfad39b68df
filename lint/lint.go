package lint

import (
	"fmt"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/distribution/reference"

	"github.com/maistra/builder-frontend/spec"
)

// Finding is one rule's complaint about one place of a spec.
type Finding struct {
	Rule *Rule
	File string
	// Range is where the finding is; zero when it has no place in the file
	// (a --build-arg).
	Range spec.Range
	Msg   string
	// ExtendedBy is, for a finding in a file that the spec extends, the
	// extends: lines that pulled File in, nearest first (as
	// spec.Error.ExtendedBy).
	ExtendedBy []spec.Location
}

// String is FILE:LINE:COL: RULE: message, and for a file the spec
// extends the extends: lines that pulled it in, as a spec error ends.
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s%s", f.Location(), f.Rule.Name, f.Msg, spec.ExtendedByText(f.File, f.ExtendedBy))
}

// Location is FILE:LINE:COL, or FILE for a finding without a place.
func (f Finding) Location() string {
	if f.Range.Start.Line > 0 {
		return fmt.Sprintf("%s:%d:%d", f.File, f.Range.Start.Line, f.Range.Start.Col)
	}
	return f.File
}

// Options describe the build being checked.
type Options struct {
	// Target is the image to check; empty means every image of the spec.
	Target string
	// Platforms are the platforms built (--platform); empty means the spec's
	// platforms, or BuildPlatform when the spec lists none.
	Platforms []string
	// BuildArgs are the --build-arg values.
	BuildArgs map[string]string
	// BuildPlatform is where downloads unpack and Go tools compile; default
	// spec.DefaultBuildPlatform.
	BuildPlatform string
	// Config skips rules.
	Config Config
}

// Check returns every finding of every enabled rule, sorted by position.
// Problems that spec validation reports as errors are not repeated here;
// run Validate as well.
func Check(s *spec.Spec, o Options) []Finding {
	c := newChecker(s, o)
	c.missingChecksums()
	c.resolvedRules()
	c.unpinnedGoTools()
	c.unusedArgs()
	c.undeclaredBuildArgs()
	c.cgo()
	c.platformsLeftOut()
	c.repositories()
	c.sameFile()
	return c.result()
}

type checker struct {
	s    *spec.Spec
	o    Options
	file string
	// declared are the spec's platforms, built the platforms of this build,
	// all both (built first).
	declared, built, all []string
	buildPlatform        string
	images               []string
	out                  []Finding
	seen                 map[string]bool
}

func newChecker(s *spec.Spec, o Options) *checker {
	c := &checker{s: s, o: o, seen: map[string]bool{}}
	if s.Source != nil {
		c.file = s.Source.Filename
	}
	c.buildPlatform = spec.DefaultBuildPlatform
	if p, err := spec.NormalizePlatform(o.BuildPlatform); err == nil {
		c.buildPlatform = p
	}
	c.declared = s.DefaultPlatforms()
	c.built = s.TargetPlatforms(o.Platforms, c.buildPlatform)
	c.all = append([]string{}, c.built...)
	for _, p := range c.declared {
		if !slices.Contains(c.all, p) {
			c.all = append(c.all, p)
		}
	}
	for _, name := range s.ImageNames() {
		if s.Images[name] != nil && (o.Target == "" || o.Target == name) {
			c.images = append(c.images, name)
		}
	}
	return c
}

// add reports a finding at the node p of the spec.
func (c *checker) add(r *Rule, p spec.Path, format string, a ...any) {
	var rg spec.Range
	if p != nil {
		rg = c.s.Range(p)
	}
	c.addAt(r, rg, format, a...)
}

// maxEcho bounds how much of one value a finding quotes, as spec errors
// do: a finding must not echo a garbled document whole.
const maxEcho = 160

func (c *checker) addAt(r *Rule, rg spec.Range, format string, a ...any) {
	for i, v := range a {
		if s, ok := v.(string); ok {
			a[i] = spec.Clip(s, maxEcho)
		}
	}
	f := Finding{Rule: r, File: c.file, Range: rg, Msg: fmt.Sprintf(format, a...)}
	if rg.File != "" {
		f.File = rg.File // a spec with extends has nodes in several files
	}
	f.ExtendedBy = c.s.ExtendedBy(f.File)
	// One finding per rule and place: a place that is wrong on several
	// platforms is reported once.
	k := f.String()
	if rg.Start.Line > 0 {
		k = fmt.Sprintf("%s %s:%d:%d", r.Name, f.File, rg.Start.Line, rg.Start.Col)
	}
	if !c.seen[k] {
		c.seen[k] = true
		c.out = append(c.out, f)
	}
}

func (c *checker) result() []Finding {
	var out []Finding
	for _, f := range c.out {
		if c.o.Config.Enabled(f.Rule) {
			out = append(out, f)
		}
	}
	files := map[string]int{}
	for i, src := range c.s.Sources() {
		files[src.Filename] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		if fi, fj := files[out[i].File], files[out[j].File]; fi != fj {
			return fi < fj
		}
		a, b := out[i].Range.Start, out[j].Range.Start
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return out[i].Rule.Name < out[j].Rule.Name
	})
	return out
}

// toolPlatforms returns the platforms among ps that a tool limited to only
// (nil: not limited) is built for.
func toolPlatforms(ps, only []string) []string {
	if len(only) == 0 {
		return ps
	}
	var lim []string
	for _, p := range only {
		if np, err := spec.NormalizePlatform(p); err == nil {
			lim = append(lim, np)
		}
	}
	var out []string
	for _, p := range ps {
		if slices.Contains(lim, p) {
			out = append(out, p)
		}
	}
	return out
}

// expand is the value of the field at p on platform, as the resolver
// expands it; ok is false when the template has a problem.
func (c *checker) expand(p spec.Path, platform string) (string, bool) {
	out, err := c.s.ExpandField(p, platform, c.o.BuildArgs)
	return out, err == nil
}

// missingChecksums: every pinned version of a tool needs a sha256 for every
// platform the tool is built for. Validation already rejects what this build
// needs; this finds what a build for another listed platform, or with a
// --build-arg that picks another pinned version, would trip over.
func (c *checker) missingChecksums() {
	for _, name := range c.images {
		for i, t := range c.s.Images[name].Tools {
			if t == nil || t.SHA256.Empty() {
				continue
			}
			tp := spec.Path{"images", name, "tools", fmt.Sprint(i)}
			plats := toolPlatforms(c.all, t.Platforms)
			for _, v := range slices.Sorted(maps.Keys(t.SHA256.ByVersion)) {
				have := normalizedKeys(t.SHA256.ByVersion[v])
				var missing []string
				for _, p := range plats {
					if have[p] {
						continue
					}
					if cur, ok := c.expand(tp.Child("version"), p); ok && cur == v && slices.Contains(c.built, p) {
						continue // a validation error of this build
					}
					missing = append(missing, p)
				}
				if len(missing) > 0 {
					c.add(MissingChecksum, tp.Child("sha256", v), "tool %q has no sha256 for %s at version %s: a build of that version fails there; add it under sha256.%q (builder lock writes it), or limit the tool with platforms:", t.Name, strings.Join(missing, ", "), v, v)
				}
			}
			if len(t.SHA256.ByPlatform) == 0 {
				continue
			}
			have := normalizedKeys(t.SHA256.ByPlatform)
			var missing []string
			for _, p := range plats {
				if have[p] || slices.Contains(c.built, p) {
					continue
				}
				cur, ok := c.expand(tp.Child("version"), p)
				if !ok {
					continue
				}
				if _, versioned := t.SHA256.ByVersion[cur]; versioned {
					continue
				}
				missing = append(missing, p)
			}
			if len(missing) > 0 {
				c.add(MissingChecksum, tp.Child("sha256"), "tool %q has no sha256 for %s, which the spec lists under platforms: a build for it fails; add the sha256 (builder lock writes it), or limit the tool with platforms:", t.Name, strings.Join(missing, ", "))
			}
		}
	}
}

func normalizedKeys(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		if np, err := spec.NormalizePlatform(k); err == nil {
			out[np] = true
		}
	}
	return out
}

// floating are versions that name a moving target.
var floating = map[string]bool{
	"latest": true, "main": true, "master": true, "head": true, "trunk": true, "develop": true,
	"development": true, "dev": true, "nightly": true, "edge": true, "tip": true, "stable": true,
	"snapshot": true, "canary": true,
}

func isFloating(v string) bool { return floating[strings.ToLower(strings.TrimSpace(v))] }

// plainHTTP reports whether u is http:// to another machine.
func plainHTTP(u string) bool {
	pu, err := url.Parse(strings.TrimSpace(u))
	return err == nil && strings.EqualFold(pu.Scheme, "http") && pu.Host != "" && !spec.IsLoopback(pu.Hostname())
}

func hostOf(u string) string {
	if pu, err := url.Parse(u); err == nil {
		return pu.Scheme + "://" + pu.Host
	}
	return u
}

// resolvedRules are the rules that look at what the spec means on a
// platform: expanded URLs, versions and paths.
func (c *checker) resolvedRules() {
	for _, name := range c.images {
		img := c.s.Images[name]
		toolIdx := map[string]int{}
		for i, t := range img.Tools {
			if t != nil {
				if _, dup := toolIdx[t.Name]; !dup {
					toolIdx[t.Name] = i
				}
			}
		}
		goIdx := map[string]int{}
		for i, t := range img.GoTools {
			if t != nil {
				if _, dup := goIdx[t.Name]; !dup {
					goIdx[t.Name] = i
				}
			}
		}
		ip := spec.Path{"images", name}
		for _, p := range c.all {
			r, err := c.s.Resolve(p, spec.Options{Target: name, BuildArgs: c.o.BuildArgs, BuildPlatform: c.buildPlatform})
			if err != nil {
				continue // validation reports it
			}
			c.baseImage(ip, r)
			for _, rt := range r.Tools {
				tp := ip.Child("tools", toolIdx[rt.Name])
				if plainHTTP(rt.URL) {
					c.add(PlainHTTP, tp.Child("url"), "tool %q is downloaded over plain http (%s); the sha256 still guards the content, but use https:// where the server offers it", rt.Name, hostOf(rt.URL))
				}
				if isFloating(rt.Version) {
					c.add(UnpinnedVersion, tp.Child("version"), "tool %q: version %q is not a release; the artifact changes under its sha256 and the build breaks; pin a release version", rt.Name, rt.Version)
				} else if u, err := url.Parse(rt.URL); err == nil {
					for _, seg := range strings.Split(u.Path, "/") {
						if strings.EqualFold(seg, "latest") {
							c.add(UnpinnedVersion, tp.Child("url"), "tool %q: the URL %s points at the latest release, not at version %s; put ${version} in the URL", rt.Name, rt.URL, rt.Version)
							break
						}
					}
				}
			}
			if r.Packages != nil {
				for i, repo := range r.Packages.Repositories {
					if plainHTTP(repo.GPGKey) {
						c.add(PlainHTTP, ip.Child("packages", "repositories", i, "gpgkey"), "repository %q: the signing key %s is fetched over plain http, so anyone on the way can replace it; use https://", repo.Name, repo.GPGKey)
					}
				}
			}
			for _, gt := range r.GoTools {
				for _, entry := range strings.FieldsFunc(gt.Env["GOPROXY"], func(r rune) bool { return r == ',' || r == '|' }) {
					if plainHTTP(entry) {
						gp := ip.Child("go", "env", "GOPROXY")
						if t := img.GoTools[goIdx[gt.Name]]; t != nil && t.Env["GOPROXY"] != "" {
							gp = ip.Child("goTools", goIdx[gt.Name], "env", "GOPROXY")
						}
						c.add(PlainHTTP, gp, "GOPROXY %s is plain http; use https:// (GOSUMDB still checks public modules, not private ones)", entry)
					}
				}
			}
			c.symlinkedDirs(ip, r, toolIdx, goIdx)
			c.duplicateDests(ip, r, toolIdx, goIdx)
		}
	}
}

func (c *checker) baseImage(ip spec.Path, r *spec.Resolved) {
	if r.Base == "" || r.Base == "scratch" {
		return
	}
	ref, err := reference.ParseNormalizedNamed(r.Base)
	if err != nil {
		return
	}
	if _, ok := ref.(reference.Digested); ok {
		return
	}
	if t, ok := ref.(reference.Tagged); ok {
		if isFloating(t.Tag()) {
			c.add(UnpinnedVersion, ip.Child("base"), "base image %s uses the tag %q, which moves; name a release tag (or a digest)", r.Base, t.Tag())
		}
		return
	}
	c.add(UnpinnedVersion, ip.Child("base"), "base image %s has no tag, which means latest; name a release tag (or a digest)", r.Base)
}

var (
	// semverRe is a complete semantic version as Go modules tag them
	// (a pseudo-version is one too); v1.2 is a query for the newest v1.2.x.
	semverRe = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+incompatible)?$`)
	commitRe = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// pinnedGoVersion reports whether go install PKG@v names one version
// whatever the day: a tag vX.Y.Z, a pseudo-version or a full commit hash.
// A branch (main, release-1.20), latest, upgrade, patch, a prefix query
// (v1.2) or a short hash is resolved when the image is built.
func pinnedGoVersion(v string) bool {
	return semverRe.MatchString(v) || commitRe.MatchString(v)
}

// unpinnedGoTools: go install PKG@latest compiles whatever is newest.
func (c *checker) unpinnedGoTools() {
	for _, name := range c.images {
		for i, gt := range c.s.Images[name].GoTools {
			if gt == nil {
				continue
			}
			vp := spec.Path{"images", name, "goTools", fmt.Sprint(i), "version"}
			v, ok := c.expand(vp, c.built[0])
			if !ok {
				continue
			}
			if !pinnedGoVersion(v) {
				c.add(GoToolNotPinned, vp, "Go tool %q is installed at @%s, which is not a fixed version: each build may compile another one; pin a tag (v1.2.3), a pseudo-version or a full commit hash", gt.Name, v)
			}
		}
	}
}

// usrMergeDirs are the top directories usrmerge bases make symlinks.
var usrMergeDirs = []string{"/bin", "/sbin", "/lib", "/lib64"}

func throughSymlink(p string) (string, bool) {
	p = path.Clean(p)
	for _, d := range usrMergeDirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return "/usr" + p, true
		}
	}
	return "", false
}

func (c *checker) symlinkedDirs(ip spec.Path, r *spec.Resolved, toolIdx, goIdx map[string]int) {
	check := func(at spec.Path, what, p string) {
		if p == "" {
			return
		}
		if alt, ok := throughSymlink(p); ok {
			top := "/" + strings.SplitN(strings.TrimPrefix(path.Clean(p), "/"), "/", 2)[0]
			c.add(DestThroughSymlink, at, "%s %s goes through %s, a symlink to /usr%s on usrmerge bases: the layer's real %s directory would replace the symlink and hide the base's files; use %s", what, p, top, top, top, alt)
		}
	}
	for _, rt := range r.Tools {
		tp := ip.Child("tools", toolIdx[rt.Name])
		check(tp.Child("dest"), fmt.Sprintf("tool %q: dest", rt.Name), rt.Dest)
		if rt.Form != spec.FormRaw && rt.Dest == "/" {
			// The one dest under which a take path can enter /bin.
			for i, tk := range rt.Take {
				if _, ok := throughSymlink("/" + tk); ok {
					top := "/" + strings.SplitN(tk, "/", 2)[0]
					c.add(DestThroughSymlink, tp.Child("take", i), "tool %q: take %s with dest / installs /%s, through %s, a symlink to /usr%s on usrmerge bases: the layer's real %s directory would replace the symlink and hide the base's files; use dest: /usr (or /usr/local)", rt.Name, tk, tk, top, top, top)
				}
			}
		}
		keys := slices.Sorted(maps.Keys(c.s.Images[r.Image].Tools[toolIdx[rt.Name]].Links))
		for i, l := range rt.Links {
			at := tp.Child("links")
			if i < len(keys) {
				at = tp.Child("links", keys[i])
			}
			check(at, fmt.Sprintf("tool %q: link", rt.Name), l.Path)
		}
	}
	for _, gt := range r.GoTools {
		gp := ip.Child("goTools", goIdx[gt.Name])
		switch t, g := c.s.Images[r.Image].GoTools[goIdx[gt.Name]], c.s.Images[r.Image].Go; {
		case t != nil && t.Dest != "":
			gp = gp.Child("dest")
		case g != nil && g.Dest != "":
			gp = ip.Child("go", "dest")
		}
		check(gp, fmt.Sprintf("Go tool %q: dest", gt.Name), path.Dir(gt.Dest))
	}
	for i, f := range r.Files {
		check(ip.Child("files", i, "dest"), "file dest", f.Dest)
	}
	for i, d := range r.Dirs {
		check(ip.Child("directories", i, "path"), "directory", d.Path)
	}
}

// entry is a path one layer writes.
type entry struct {
	path  string
	owner string
	at    spec.Path
	// file: nothing else can live under the path (a raw binary, a link, a Go
	// command); otherwise the path may be a directory.
	file bool
}

func under(p, dir string) bool { return strings.HasPrefix(p, dir+"/") }

func (c *checker) duplicateDests(ip spec.Path, r *spec.Resolved, toolIdx, goIdx map[string]int) {
	var es []entry
	for _, rt := range r.Tools {
		tp := ip.Child("tools", toolIdx[rt.Name])
		owner := fmt.Sprintf("tool %q", rt.Name)
		if rt.Form == spec.FormRaw {
			es = append(es, entry{rt.Dest, owner, tp.Child("dest"), true})
		} else {
			for i, tk := range rt.Take {
				es = append(es, entry{path.Join(rt.Dest, tk), owner, tp.Child("take", i), false})
			}
		}
		keys := slices.Sorted(maps.Keys(c.s.Images[r.Image].Tools[toolIdx[rt.Name]].Links))
		for i, l := range rt.Links {
			at := tp.Child("links")
			if i < len(keys) {
				at = tp.Child("links", keys[i])
			}
			es = append(es, entry{l.Path, owner, at, true})
		}
	}
	for _, gt := range r.GoTools {
		es = append(es, entry{gt.Dest, fmt.Sprintf("Go tool %q", gt.Name), ip.Child("goTools", goIdx[gt.Name], "name"), true})
	}
	for i, f := range r.Files {
		es = append(es, entry{path.Clean(f.Dest), "file " + f.Src, ip.Child("files", i, "dest"), false})
	}
	for j, b := range es {
		for _, a := range es[:j] {
			if a.owner == b.owner {
				continue
			}
			if a.path == b.path || (a.file && under(b.path, a.path)) || (b.file && under(a.path, b.path)) {
				what := b.path
				if a.path != b.path {
					what = fmt.Sprintf("%s (and %s writes %s)", b.path, a.owner, a.path)
				}
				c.add(DuplicateDest, b.at, "%s writes %s, which %s (%s) writes too; the later layer wins: give one of them another dest", b.owner, what, a.owner, spec.LineRef(c.s.Range(a.at), c.s.Range(b.at)))
				break
			}
		}
	}
}

// unusedArgs: an arg that no template and no run step names.
func (c *checker) unusedArgs() {
	for name, uses := range ArgUses(c.s, "") {
		// An arg of a spec this one extends may serve another branch's
		// tools: only the spec's own file can drop it.
		if len(uses) == 0 && c.s.Range(spec.Path{"args", name}).File == c.file {
			c.add(UnusedArg, spec.Path{"args", name}, "arg %s is declared but no field uses ${%s} and no run step or check reads $%s; remove it, or use it", name, name, name)
		}
	}
}

// predefinedArgs are build-args with a meaning besides the spec's args.
var predefinedArgs = map[string]bool{
	"BUILDER_UNPACK": true, "BUILDER_CHECKS": true, "BUILDER_PACKAGES": true, "SOURCE_DATE_EPOCH": true,
	"HTTP_PROXY": true, "HTTPS_PROXY": true, "FTP_PROXY": true, "NO_PROXY": true, "ALL_PROXY": true,
	"http_proxy": true, "https_proxy": true, "ftp_proxy": true, "no_proxy": true, "all_proxy": true,
}

func (c *checker) undeclaredBuildArgs() {
	var rg spec.Range
	if len(c.s.Args) > 0 {
		rg = c.s.Range(spec.Path{"args"})
		rg.End = rg.Start
	}
	declared := slices.Sorted(maps.Keys(c.s.Args))
	for _, k := range slices.Sorted(maps.Keys(c.o.BuildArgs)) {
		if _, ok := c.s.Args[k]; ok || predefinedArgs[k] || strings.HasPrefix(k, "BUILDKIT_") {
			continue
		}
		hint := "declare it under args, or drop the --build-arg"
		if best := spec.Suggest(k, declared); best != "" {
			hint = fmt.Sprintf("did you mean %s?", best)
		}
		c.addAt(UndeclaredBuildArg, rg, "--build-arg %s is not an arg of the spec and changes nothing; %s", k, hint)
	}
}

func (c *checker) cgo() {
	for _, name := range c.images {
		for i, gt := range c.s.Images[name].GoTools {
			if gt == nil || !gt.Cgo {
				continue
			}
			var emulated []string
			for _, p := range toolPlatforms(c.built, gt.Platforms) {
				if p != c.buildPlatform {
					emulated = append(emulated, p)
				}
			}
			if len(emulated) > 0 {
				c.add(CgoEmulated, spec.Path{"images", name, "goTools", fmt.Sprint(i), "cgo"}, "Go tool %q compiles with cgo inside the image on %s, under emulation (the build platform is %s): expect it to be many times slower; drop cgo: if the command builds without it", gt.Name, strings.Join(emulated, ", "), c.buildPlatform)
			}
		}
	}
}

// platformsLeftOut: --platform names a platform the spec does not list,
// and a tool limited with platforms: is then silently left out.
func (c *checker) platformsLeftOut() {
	var extra []string
	for _, p := range c.built {
		if !slices.Contains(c.declared, p) {
			extra = append(extra, p)
		}
	}
	if len(extra) == 0 {
		return
	}
	leftOut := func(only []string) string {
		if len(only) == 0 {
			return ""
		}
		var out []string
		for _, p := range extra {
			if len(toolPlatforms([]string{p}, only)) == 0 {
				out = append(out, p)
			}
		}
		return strings.Join(out, ", ")
	}
	for _, name := range c.images {
		img := c.s.Images[name]
		for i, t := range img.Tools {
			if t == nil {
				continue
			}
			if ps := leftOut(t.Platforms); ps != "" {
				c.add(PlatformWithoutArtifact, spec.Path{"images", name, "tools", fmt.Sprint(i), "platforms"}, "tool %q has no artifact for %s, which the spec does not list under platforms: the image is built there without it; add the platform to the tool's platforms: (with its sha256), or do not build it", t.Name, ps)
			}
		}
		for i, t := range img.GoTools {
			if t == nil {
				continue
			}
			if ps := leftOut(t.Platforms); ps != "" {
				c.add(PlatformWithoutArtifact, spec.Path{"images", name, "goTools", fmt.Sprint(i), "platforms"}, "Go tool %q is not built for %s, which the spec does not list under platforms: the image is built there without it; add the platform to its platforms:, or do not build it", t.Name, ps)
			}
		}
	}
}

func (c *checker) repositories() {
	for _, name := range c.images {
		pk := c.s.Images[name].Packages
		if pk == nil {
			continue
		}
		for i, repo := range pk.Repositories {
			if repo == nil {
				continue
			}
			rp := spec.Path{"images", name, "packages", "repositories", fmt.Sprint(i)}
			switch pk.Manager {
			case "apt", "apk":
				if repo.GPGKey != "" {
					hint := "put the keyring in the base image and name it with [signed-by=…] in the url line"
					if pk.Manager == "apk" {
						hint = "apk trusts the keys in /etc/apk/keys of the base image"
					}
					c.add(IgnoredGPGKey, rp.Child("gpgkey"), "repository %q: gpgkey is used by dnf and microdnf only, %s ignores it; %s", repo.Name, pk.Manager, hint)
				}
			case "dnf", "microdnf":
				if repo.GPGKey == "" {
					c.add(UnverifiedRepository, rp.Child("name"), "repository %q has no gpgkey: %s installs its packages with gpgcheck=0; add gpgkey: with the URL of the repository's signing key", repo.Name, pk.Manager)
				}
			}
		}
	}
}
