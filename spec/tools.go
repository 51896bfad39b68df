package spec

import (
	"fmt"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
)

// secretIDRe is what --secret id= takes without surprises.
var secretIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

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
		case u.Scheme == "http" && !t.AllowHTTP && !IsLoopback(u.Hostname()):
			r.errorf(tp.Child("url"), "use https://, or set allowHTTP: true on the tool (the sha256 is still checked)", "tool %q: plain http URL %s", t.Name, rt.URL)
		}
	}

	rt.Form = t.Form
	if rt.Form == "" {
		rt.Form = FormFromName(rt.URL)
	} else if !IsForm(rt.Form) {
		r.errorf(tp.Child("form"), "use one of: "+strings.Join(Forms(), ", "), "tool %q: unknown form %q", t.Name, t.Form)
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
	r.env(tp.Child("env"), t.Env, vars, rt.Env)
	if len(r.errs) > errsBefore {
		return nil
	}
	return rt
}
