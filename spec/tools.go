package spec

import (
	"fmt"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// secretIDRe is what --secret id= takes without surprises.
var secretIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// preparedTool is a tool with its templates parsed, its names checked and
// its sha256 mapping normalized.
type preparedTool struct {
	t *Tool
	// index is the tool's place under tools; path is its path.
	index int
	path  Path
	rng   Range
	where string
	// nameOK: the name is one a tool may have; secretOK likewise for
	// authSecret.
	nameOK, secretOK bool
	platforms        *platformSet
	sums             *checksumTable

	version, url, dest field
	take               []field
	links              []preparedLink
	pathEntries        []field
	env                []mapEntry
	checkRange         Range
}

// preparedLink is an entry of links: its path and its target.
type preparedLink struct {
	key          string
	path, target field
}

func prepareTool(l *templates, s *Spec, ip Path, i int, t *Tool) *preparedTool {
	tp := ip.Child("tools", i)
	w := fmt.Sprintf("tool %q", t.Name)
	pt := &preparedTool{
		t: t, index: i, path: tp, rng: s.Range(tp), where: w,
		nameOK:    nameRe.MatchString(t.Name),
		secretOK:  t.AuthSecret == "" || secretIDRe.MatchString(t.AuthSecret),
		platforms: preparePlatforms(tp.Child("platforms"), t.Platforms),
		sums:      newChecksumTable(t.SHA256),
	}
	pt.version = l.add(tp.Child("version"), w+" version", t.Version)
	pt.url = l.add(tp.Child("url"), w+" url", t.URL)
	pt.dest = l.add(tp.Child("dest"), w+" dest", t.Dest)
	pt.take = l.list(tp.Child("take"), w+" take", t.Take)
	for _, k := range slices.Sorted(maps.Keys(t.Links)) {
		lp := tp.Child("links", k)
		pt.links = append(pt.links, preparedLink{key: k, path: l.add(lp, w+" links", k), target: l.add(lp, w+" links", t.Links[k])})
	}
	pt.pathEntries = l.list(tp.Child("path"), w+" path", t.Path)
	pt.env = l.mapping(tp.Child("env"), w+" env", t.Env)
	if t.Check != "" {
		pt.checkRange = s.Range(tp.Child("check"))
	}
	return pt
}

// on reports whether a list of platforms leaves this platform in,
// reporting the entries that are no platforms.
func (r *resolver) on(ps *platformSet, platform string) bool {
	r.badPlatforms(ps)
	return ps.only == nil || ps.only[platform]
}

// badPlatforms reports the entries of a platforms: list that are no
// platforms, or repeat one.
func (r *resolver) badPlatforms(ps *platformSet) {
	for _, b := range ps.bad {
		hint := "use linux/amd64, linux/arm64, linux/ppc64le or linux/s390x"
		if b.first != nil {
			hint = fmt.Sprintf("list each platform once (the first is at %s)", LineRef(r.s.Range(b.first), r.s.Range(b.path)))
		}
		r.errorf(b.path, hint, "%s", b.msg)
	}
}

// toolNames are the names the tool's fields see on this platform; false,
// with the problem reported, when its arch scheme has no name here.
func (r *resolver) toolNames(pt *preparedTool) (toolNames, bool) {
	t := pt.t
	scheme := t.Arch
	if scheme == "" {
		scheme = DefaultArchScheme
	}
	arch, ok := r.s.ArchName(scheme, r.platform)
	if !ok {
		if _, known := r.s.archSchemes()[scheme]; !known {
			r.errorf(pt.path.Child("arch"), fmt.Sprintf("declare it under arches, or use one of: %s", strings.Join(r.s.schemeNames(), ", ")), "tool %q: unknown arch scheme %q", t.Name, scheme)
		} else {
			r.errorf(pt.path.Child("arch"), fmt.Sprintf("add %s under arches.%s, or limit the tool with platforms:", r.platform, scheme), "tool %q: arch scheme %q has no name for %s", t.Name, scheme, r.platform)
		}
		return toolNames{}, false
	}
	return toolNames{version: r.expand(pt.version, nil), arch: arch, name: t.Name}, true
}

// tool resolves a tool for this platform: nil when the tool is left out
// here, or has a problem (reported).
func (r *resolver) tool(pt *preparedTool) *ResolvedTool {
	t, tp := pt.t, pt.path
	if t.Name == "" {
		r.errorf(tp, "add name: (it names the tool's layer and its errors)", "tool has no name")
		return nil
	}
	if !pt.nameOK {
		r.errorf(tp.Child("name"), "use lower-case letters, digits, . _ + -", "tool name %q is not valid", t.Name)
		return nil
	}
	if !r.on(pt.platforms, r.platform) {
		r.leftOut = append(r.leftOut, t.Name)
		return nil
	}
	errsBefore := len(r.errs)
	names, ok := r.toolNames(pt)
	if !ok {
		return nil
	}
	tn := &names
	rt := &ResolvedTool{Name: t.Name, Platform: r.platform, Strip: t.Strip, Range: pt.rng, Env: map[string]string{}}
	if t.Version == "" {
		r.errorf(tp, "add version: (a literal, or ${AN_ARG})", "tool %q has no version", t.Name)
	}
	rt.Version = tn.version
	defVersion, _ := r.value(pt.version.t, r.prep.defArgs, nil)

	if t.URL == "" {
		r.errorf(tp, "add url: with the release download URL, using ${version} and ${arch}", "tool %q has no url", t.Name)
	}
	urlErrs := len(r.errs)
	rt.URL = r.expand(pt.url, tn)
	// A URL that did not expand gives no form: checks that depend on the
	// form would only hide the URL's problem.
	formKnown := t.Form != "" || (rt.URL != "" && len(r.errs) == urlErrs)
	u, err := url.Parse(rt.URL)
	if rt.URL != "" && r.oneLine(pt.url.path, pt.url.t, fmt.Sprintf("tool %q: url", t.Name), rt.URL, "a URL is one line") {
		switch {
		case strings.IndexFunc(rt.URL, unicode.IsSpace) >= 0:
			r.errorf(pt.url.path, "write a space in a URL as %20", "tool %q: url %q contains a space", t.Name, rt.URL)
		case err != nil || u.Host == "":
			r.errorf(pt.url.path, "write a full https:// URL", "tool %q: %q is not a URL", t.Name, rt.URL)
		case u.Scheme != "https" && u.Scheme != "http":
			r.errorf(pt.url.path, "use an https:// URL", "tool %q: unsupported URL scheme %q", t.Name, u.Scheme)
		case u.Scheme == "http" && !t.AllowHTTP && !IsLoopback(u.Hostname()):
			r.errorf(pt.url.path, "use https://, or set allowHTTP: true on the tool (the sha256 is still checked)", "tool %q: plain http URL %s", t.Name, rt.URL)
		}
	}

	rt.Form = t.Form
	if rt.Form == "" {
		if err == nil {
			rt.Form = FormFromName(u.Path)
		} else {
			rt.Form = FormFromName(rt.URL)
		}
	} else if !IsForm(rt.Form) {
		r.errorf(tp.Child("form"), "use one of: "+strings.Join(Forms(), ", "), "tool %q: unknown form %q", t.Name, t.Form)
	}

	if r.artifacts == nil {
		rt.SHA256 = r.checksum(pt, rt.Version, defVersion)
	}
	rt.AuthSecret = t.AuthSecret
	if !pt.secretOK {
		r.errorf(tp.Child("authSecret"), "a secret id is letters, digits, . _ -, as in --secret id=NAME", "tool %q: %q is not a secret id", t.Name, t.AuthSecret)
	}

	if t.Strip < 0 || t.Strip > 16 {
		r.errorf(tp.Child("strip"), "strip counts leading path components, 0 to 16", "tool %q: strip %d is out of range", t.Name, t.Strip)
	}
	for _, f := range pt.take {
		v := r.expand(f, tn)
		c := path.Clean(v)
		if strings.ContainsAny(v, "*?[]\\") {
			r.errorf(f.path, "name each path; a directory takes its whole tree", "tool %q: take path %q has a wildcard", t.Name, v)
			continue
		}
		if v == "" || path.IsAbs(v) || c == ".." || strings.HasPrefix(c, "../") {
			r.errorf(f.path, "take paths are relative to the archive's root (after strip)", "tool %q: take path %q is not inside the archive", t.Name, v)
			continue
		}
		if !r.oneLine(f.path, f.t, fmt.Sprintf("tool %q: take path", t.Name), v, "a path is one line") {
			continue
		}
		rt.Take = append(rt.Take, c)
	}
	rt.Dest = r.expand(pt.dest, tn)
	if t.Dest == "" {
		hint := "add dest: with the directory to unpack into, e.g. /usr/local"
		if rt.Form == FormRaw {
			hint = "add dest: with the file path, e.g. /usr/local/bin/" + t.Name
		}
		r.errorf(tp, hint, "tool %q has no dest", t.Name)
	} else {
		r.absPath(pt.dest.path, "dest", rt.Dest)
	}
	switch {
	case !formKnown:
	case rt.Form == FormRaw:
		if strings.HasSuffix(rt.Dest, "/") {
			rt.Dest += t.Name
		}
		if t.Strip != 0 || len(t.Take) > 0 {
			r.errorf(tp, "strip and take apply to archives; set form: if the URL hides one", "tool %q is a raw binary but has strip or take", t.Name)
		}
		rt.Mode = uint32(t.Mode.Perm(0o755))
	case t.Mode != 0:
		r.errorf(tp.Child("mode"), "archives keep their own modes; remove mode:", "tool %q: mode applies to raw binaries only", t.Name)
	}
	rt.Dest = path.Clean(rt.Dest)
	if rt.Dest == "/" && rt.Form == FormRaw && formKnown {
		r.errorf(pt.dest.path, "give the file path of the binary", "tool %q: dest / is not a file path", t.Name)
	}
	r.machineCode(pt, rt)
	r.unpackLimits(pt, rt)

	for _, pl := range pt.links {
		l := Link{Path: r.expand(pl.path, tn), Target: r.expand(pl.target, tn)}
		r.absPath(pl.path.path, "link", l.Path)
		if l.Target == "" {
			r.errorf(pl.path.path, "give the path the link points to", "tool %q: link %q has no target", t.Name, pl.key)
		} else {
			r.oneLine(pl.target.path, pl.target.t, fmt.Sprintf("tool %q: link target", t.Name), l.Target, "a path is one line")
		}
		l.Path = path.Clean(l.Path)
		rt.Links = append(rt.Links, l)
	}
	for _, f := range pt.pathEntries {
		v := r.expand(f, tn)
		r.absPath(f.path, "path entry", v)
		rt.Path = append(rt.Path, v)
	}
	r.env(fmt.Sprintf("tool %q: ", t.Name), pt.env, tn, rt.Env)
	rt.Check = r.check(checkWhere(false, t.Name), t.Check, tp.Child("check"))
	rt.CheckRange = pt.checkRange
	if len(r.errs) > errsBefore {
		return nil
	}
	if r.artifacts != nil {
		r.addArtifact(pt, rt, defVersion)
	}
	return rt
}

// machineCode checks what the tool says of the machine code it holds.
func (r *resolver) machineCode(pt *preparedTool, rt *ResolvedTool) {
	t := pt.t
	if t.ArchIndependent && t.ForeignBinaries {
		r.errorf(pt.path.Child("foreignBinaries"), "keep the one that is true: archIndependent for scripts and jars, foreignBinaries for executables of other machines shipped on purpose",
			"tool %q: archIndependent says the download holds no machine code, foreignBinaries that it holds some for other machines", t.Name)
	}
	rt.ForeignBinaries = t.ForeignBinaries
}

// The caps on an archive a tool unpacks, when it sets none: generous for
// any release (the largest toolchains unpack to a few GiB), small enough
// that a decompression bomb fails instead of filling the daemon's disk.
const (
	DefaultMaxUnpackedBytes int64 = 16 << 30
	DefaultMaxUnpackedFiles       = 1_000_000
)

// unpackLimits reads the tool's caps on its archive.
func (r *resolver) unpackLimits(pt *preparedTool, rt *ResolvedTool) {
	t := pt.t
	if t.MaxUnpackedSize == "" && t.MaxUnpackedFiles == 0 {
		return
	}
	if rt.Form == FormRaw {
		field := "maxUnpackedSize"
		if t.MaxUnpackedSize == "" {
			field = "maxUnpackedFiles"
		}
		r.errorf(pt.path.Child(field), "remove it: a raw download is not unpacked", "tool %q: %s applies to archives only", t.Name, field)
		return
	}
	if t.MaxUnpackedSize != "" {
		n, ok := ParseSize(t.MaxUnpackedSize)
		if !ok {
			r.errorf(pt.path.Child("maxUnpackedSize"), "write a whole number of bytes, or one with KiB, MiB, GiB or TiB, such as 32GiB",
				"tool %q: maxUnpackedSize %q is not a size", t.Name, t.MaxUnpackedSize)
		}
		rt.MaxUnpackedBytes = n
	}
	if t.MaxUnpackedFiles < 0 {
		r.errorf(pt.path.Child("maxUnpackedFiles"), "write the largest number of entries the archive may hold, such as 2000000",
			"tool %q: maxUnpackedFiles %d is not a number of entries", t.Name, t.MaxUnpackedFiles)
	}
	rt.MaxUnpackedFiles = max(t.MaxUnpackedFiles, 0)
}

var sizeUnits = []struct {
	name  string
	shift uint
}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}}

// ParseSize reads a size written as bytes (17179869184, 1000 bytes) or as
// a whole number with a binary unit (16GiB, 512 MiB); it must be more than
// 0.
func ParseSize(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	shift := uint(0)
	if rest, ok := strings.CutSuffix(s, "bytes"); ok {
		s = strings.TrimSpace(rest)
	} else {
		for _, u := range sizeUnits {
			if rest, ok := strings.CutSuffix(s, u.name); ok {
				s, shift = strings.TrimSpace(rest), u.shift
				break
			}
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)>>shift || strings.HasPrefix(s, "+") {
		return 0, false
	}
	return n << shift, true
}

// FormatSize writes n as ParseSize reads it, in the largest unit that
// divides it: 16 GiB, 1536 MiB, 1000 bytes.
func FormatSize(n int64) string {
	for _, u := range sizeUnits {
		if n > 0 && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d %s", n>>u.shift, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
