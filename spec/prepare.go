package spec

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// prepared is what resolving a spec needs that no platform and no
// build-arg changes, worked out once per spec: every template parsed,
// names checked, checksum mappings normalized, node positions looked up.
// Resolve runs once per platform, often concurrently (the frontend resolves
// the platforms of a build in parallel, after Validate resolved each
// once); all of them read this and none writes it.
type prepared struct {
	defArgs map[string]string
	// top are the problems of the spec's top level, which every Resolve
	// reports.
	top    ErrorList
	images map[string]*preparedImage
}

// prepCache holds a Spec's prepared state. A copy of a Spec shares the
// pointer, so the cache records the Spec it belongs to: a copy, which may
// differ, gets a cache of its own.
type prepCache struct {
	owner *Spec
	once  sync.Once
	p     *prepared
}

// prepMu guards Spec.prep.
var prepMu sync.Mutex

// prepare returns s's prepared state, made on first use.
func (s *Spec) prepare() *prepared {
	prepMu.Lock()
	if s.prep == nil || s.prep.owner != s {
		s.prep = &prepCache{owner: s}
	}
	c := s.prep
	prepMu.Unlock()
	c.once.Do(func() { c.p = newPrepared(s) })
	return c.p
}

func newPrepared(s *Spec) *prepared {
	p := &prepared{defArgs: s.ArgValues(nil), images: make(map[string]*preparedImage, len(s.Images))}
	r := &resolver{s: s}
	r.checkTop()
	p.top = r.errs
	for name, img := range s.Images {
		if img != nil {
			p.images[name] = prepareImage(s, name, img)
		}
	}
	return p
}

// preparedImage is one image of the spec, ready to resolve.
type preparedImage struct {
	name string
	img  *Image
	// templates are every template of the image, in the order Templates
	// lists them; byPath finds one (a link's path template) by its path.
	templates []*Template
	byPath    map[string]*Template

	base        field
	baseRange   Range
	packages    *preparedPackages
	tools       []*preparedTool
	goSettings  *preparedGoSettings
	goTools     []*preparedGoTool
	files       []*preparedFile
	dirs        []*preparedDir
	run         []Range
	env         []mapEntry
	workdir     field
	user        field
	entrypoint  []field
	cmd         []field
	labels      []mapEntry
	annotations []mapEntry
}

// field is a templated field: where it is, and its template (nil when
// the field is empty).
type field struct {
	path Path
	t    *Template
}

// mapEntry is one entry of a mapping whose values are templates (env,
// labels, annotations), in name order.
type mapEntry struct {
	key string
	field
	// validName: the key can name an environment variable.
	validName bool
}

// templates builds an image's templates, in the order Templates lists
// them.
type templates struct {
	all []*Template
}

// add parses text, the field at p; an empty field has no template.
func (l *templates) add(p Path, where, text string) field {
	if text == "" {
		return field{path: p}
	}
	t := newTemplate(p, where, text)
	l.all = append(l.all, t)
	return field{p, t}
}

func (l *templates) list(p Path, where string, texts []string) []field {
	var out []field
	for i, v := range texts {
		out = append(out, l.add(p.Child(i), where, v))
	}
	return out
}

func (l *templates) mapping(p Path, where string, m map[string]string) []mapEntry {
	var out []mapEntry
	for _, k := range slices.Sorted(maps.Keys(m)) {
		kp := p.Child(k)
		out = append(out, mapEntry{key: k, field: l.add(kp, where+" "+k, m[k]), validName: envKeyRe.MatchString(k)})
	}
	return out
}

// prepareImage parses the image's templates: this walk is the one list of
// templated fields (docs/spec.md, section 6).
func prepareImage(s *Spec, name string, img *Image) *preparedImage {
	ip := Path{"images", name}
	var l templates
	pi := &preparedImage{name: name, img: img}
	pi.base = l.add(ip.Child("base"), "base", img.Base)
	pi.baseRange = s.Range(ip.Child("base"))
	if img.Packages != nil {
		pi.packages = preparePackages(&l, s, ip.Child("packages"), img.Packages)
	}
	for i, t := range img.Tools {
		var pt *preparedTool
		if t != nil {
			pt = prepareTool(&l, s, ip, i, t)
		}
		pi.tools = append(pi.tools, pt)
	}
	pi.goSettings = prepareGoSettings(&l, ip, img)
	for i, gt := range img.GoTools {
		var pg *preparedGoTool
		if gt != nil {
			pg = prepareGoTool(&l, s, ip.Child("goTools", i), gt)
		}
		pi.goTools = append(pi.goTools, pg)
	}
	for i, f := range img.Files {
		var pf *preparedFile
		if f != nil {
			fp := ip.Child("files", i)
			pf = &preparedFile{f: f, path: fp, rng: s.Range(fp), src: l.add(fp.Child("src"), "file src", f.Src), dest: l.add(fp.Child("dest"), "file dest", f.Dest)}
		}
		pi.files = append(pi.files, pf)
	}
	for i, d := range img.Directories {
		var pd *preparedDir
		if d != nil {
			dp := ip.Child("directories", i)
			pd = &preparedDir{d: d, path: dp, rng: s.Range(dp), dir: l.add(dp.Child("path"), "directory", d.Path)}
		}
		pi.dirs = append(pi.dirs, pd)
	}
	for i := range img.Run {
		pi.run = append(pi.run, s.Range(ip.Child("run", i)))
	}
	pi.env = l.mapping(ip.Child("env"), "env", img.Env)
	pi.workdir = l.add(ip.Child("workdir"), "workdir", img.Workdir)
	pi.user = l.add(ip.Child("user"), "user", img.User)
	pi.entrypoint = l.list(ip.Child("entrypoint"), "entrypoint", img.Entrypoint)
	pi.cmd = l.list(ip.Child("cmd"), "cmd", img.Cmd)
	pi.labels = l.mapping(ip.Child("labels"), "label", img.Labels)
	pi.annotations = l.mapping(ip.Child("annotations"), "annotation", img.Annotations)
	pi.templates = l.all
	pi.byPath = make(map[string]*Template, len(l.all))
	for _, t := range l.all {
		if _, dup := pi.byPath[t.Path.key()]; !dup {
			pi.byPath[t.Path.key()] = t
		}
	}
	return pi
}

// preparedFile is an entry of files.
type preparedFile struct {
	f         *File
	path      Path
	rng       Range
	src, dest field
}

// preparedDir is an entry of directories.
type preparedDir struct {
	d    *Directory
	path Path
	rng  Range
	dir  field
}

// platformSet is a platforms: list, normalized.
type platformSet struct {
	// only holds the platforms; nil when the list is empty (every platform).
	only map[string]bool
	bad  []badPlatform
}

// badPlatform is an entry of a platforms: list that is no platform, or
// one listed already (first is then where).
type badPlatform struct {
	path  Path
	msg   string
	first Path
}

func preparePlatforms(p Path, list []string) *platformSet {
	ps := &platformSet{}
	if len(list) == 0 {
		return ps
	}
	ps.only = map[string]bool{}
	firstAt := map[string]int{}
	for i, v := range list {
		np, err := NormalizePlatform(v)
		if err != nil {
			ps.bad = append(ps.bad, badPlatform{path: p.Child(i), msg: err.Error()})
			continue
		}
		if j, dup := firstAt[np]; dup {
			msg := fmt.Sprintf("platforms lists %s twice", np)
			if v != np {
				msg = fmt.Sprintf("platforms lists %s twice (%s is %s)", np, v, np)
			}
			ps.bad = append(ps.bad, badPlatform{path: p.Child(i), msg: msg, first: p.Child(j)})
			continue
		}
		firstAt[np] = i
		ps.only[np] = true
	}
	return ps
}

// Templates returns every templated field of the image, in the order of
// docs/spec.md's table of expanded fields: base, packages, tools, go, Go
// tools, files, directories, env, workdir, user, entrypoint, cmd, labels,
// annotations. An empty field is left out; an image that does not exist
// has none. The Templates belong to the spec: read them, do not change
// them.
func (s *Spec) Templates(image string) []*Template {
	if pi := s.prepare().images[image]; pi != nil {
		return pi.templates
	}
	return nil
}

// ExpandField returns the value the field at p (a Path of Templates) has
// on platform, with buildArgs over the args' defaults: what Resolve puts
// there, for callers that need one field without resolving the image. The
// fields of a tool see its ${version}, ${arch} and ${name}. A field that
// holds no template expands to "".
func (s *Spec) ExpandField(p Path, platform string, buildArgs map[string]string) (string, error) {
	pp := s.prepare()
	if len(p) < 2 || p[0] != "images" || pp.images[p[1]] == nil {
		return "", fmt.Errorf("%s is not a field of an image", strings.Join(p, "."))
	}
	pi := pp.images[p[1]]
	t := pi.byPath[p.key()]
	if t == nil {
		return "", nil
	}
	np, err := NormalizePlatform(platform)
	if err != nil {
		return "", err
	}
	r := &resolver{s: s, prep: pp, platform: np, args: s.ArgValues(buildArgs)}
	var tn *toolNames
	if len(p) > 4 && p[2] == "tools" && p[4] != "version" {
		for _, pt := range pi.tools {
			if pt != nil && pt.path.key() == p[:4].key() {
				names, ok := r.toolNames(pt)
				if !ok {
					return "", r.errs.err()
				}
				tn = &names
			}
		}
	}
	v := r.expand(field{p, t}, tn)
	return v, r.errs.err()
}
