package spec

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The merge rules of extends (docs/spec.md, "extends"): a spec that
// extends another states what differs. Tools and Go tools are added or
// replaced by name, in the extended spec's order with new ones after;
// packages are added; all of them are removed by name under remove:.
// args, arches, drift, env, labels and annotations merge key by key. Every other
// field is replaced when the extending spec sets it. Images merge by name,
// the extended spec's first.

// merger makes the spec child makes of parent: parent is what the files
// further up the chain make together, child one file.
type merger struct {
	parent, child, out *Spec
	origins            *originTree
	errs               ErrorList
}

func merge(parent, child *Spec) (*Spec, ErrorList) {
	m := &merger{parent: parent, child: child, origins: &originTree{}}
	out := &Spec{Version: child.Version, Extends: child.Extends, Source: child.Source, schemes: &schemeCache{}}
	m.out = out
	m.version()
	m.from(Path{"extends"}, true)
	if m.from(Path{"platforms"}, m.sets(Path{"platforms"}, len(child.Platforms) > 0)) {
		out.Platforms = child.Platforms
	} else {
		out.Platforms = parent.Platforms
	}
	m.args()
	m.arches()
	m.drift()
	m.from(Path{"images"}, m.sets(Path{"images"}, len(child.Images) > 0))
	order := parent.ImageNames()
	for _, n := range child.ImageNames() {
		if _, ok := parent.Images[n]; !ok {
			order = append(order, n)
		}
	}
	if len(order) > 0 || parent.Images != nil || child.Images != nil {
		out.Images = make(map[string]*Image, len(order))
	}
	for _, n := range order {
		out.Images[n] = m.image(n, parent.Images[n], child.Images[n])
	}
	out.imageOrder = order

	files := append([]*Source{child.Source}, parent.Sources()...)
	by := map[string][]Location{}
	via := Location{File: child.Source.Filename, Pos: extendsPos(child)}
	for _, f := range parent.Sources() {
		by[f.Filename] = append(slices.Clone(parent.ExtendedBy(f.Filename)), via)
	}
	out.chain = &chain{files: files, extendedBy: by, origins: m.origins}
	return out, m.errs
}

// version: every file of a chain has the one format version.
func (m *merger) version() {
	c, p := m.child, m.parent
	m.from(Path{"version"}, m.sets(Path{"version"}, c.Version != 0))
	if c.Version == p.Version {
		return
	}
	at := Path{"version"}
	if c.Version == 0 {
		m.errorf(at, fmt.Sprintf("add `version: %d` at the top of the spec", p.Version), "the spec has no version, and %s, which it extends, has version %d", p.source().Filename, p.Version)
		return
	}
	m.errorf(at, "every spec of an extends chain has the same format version", "version %d differs from version %d of %s, which this spec extends", c.Version, p.Version, p.source().Filename)
}

func (m *merger) errorf(p Path, hint, format string, args ...any) {
	e := m.child.Source.Errorf(p, hint, format, args...)
	if _, written := m.child.Source.nodes[p.key()]; !written {
		e.Pos = extendsPos(m.child) // a field that is missing: version
	}
	m.errs = append(m.errs, e)
}

// sets reports whether the child file sets the field at p: it is written
// there, or has a value (through a YAML << merge, which the file's index
// does not name).
func (m *merger) sets(p Path, nonZero bool) bool {
	_, written := m.child.Source.nodes[p.key()]
	return written || nonZero
}

// from records where the node at p of the merged spec comes from: the
// child file when fromChild, else the parent at the same path. It returns
// fromChild.
func (m *merger) from(p Path, fromChild bool) bool {
	if fromChild {
		m.fromChild(p, p)
	} else {
		m.inherit(p, p)
	}
	return fromChild
}

// fromChild records that the node dst of the merged spec is the child's
// node src.
func (m *merger) fromChild(dst, src Path) {
	n := m.origins.node(dst)
	n.at = &Origin{Source: m.child.Source, Path: src}
	n.kids = nil
}

// inherit records that the node dst of the merged spec is the parent's
// node src, with everything under it.
func (m *merger) inherit(dst, src Path) {
	n := m.origins.node(dst)
	n.kids = nil
	n.at = nil
	if pc := m.parent.chain; pc != nil && pc.origins != nil {
		if sub := pc.origins.find(src); sub != nil {
			c := sub.clone()
			n.at, n.kids = c.at, c.kids
		}
	}
	if n.at == nil {
		o := m.parent.Origin(src)
		n.at = &o
	}
}

func (m *merger) args() {
	p, c := m.parent, m.child
	m.from(Path{"args"}, m.sets(Path{"args"}, len(c.Args) > 0))
	if p.Args == nil && c.Args == nil {
		return
	}
	out := make(map[string]Arg, len(p.Args)+len(c.Args))
	for k, a := range p.Args {
		out[k] = a
		m.inherit(Path{"args", k}, Path{"args", k})
	}
	for k, a := range c.Args {
		// `NAME: value` sets the default; the description stays.
		if a.Description == "" {
			a.Description = p.Args[k].Description
		}
		out[k] = a
		m.fromChild(Path{"args", k}, Path{"args", k})
	}
	m.out.Args = out
}

// drift merges the drift: tables key by key: a branch maps a tool the
// extended spec maps otherwise, or adds one, without repeating the rest.
func (m *merger) drift() {
	m.out.Drift = m.keyed(Path{"drift"}, m.parent.Drift, m.child.Drift, nil)
}

func (m *merger) arches() {
	p, c := m.parent, m.child
	m.from(Path{"arches"}, m.sets(Path{"arches"}, len(c.Arches) > 0))
	if p.Arches == nil && c.Arches == nil {
		return
	}
	out := make(map[string]map[string]string, len(p.Arches)+len(c.Arches))
	for scheme, names := range p.Arches {
		out[scheme] = maps.Clone(names)
		m.inherit(Path{"arches", scheme}, Path{"arches", scheme})
	}
	for scheme, names := range c.Arches {
		sp := Path{"arches", scheme}
		merged, ok := out[scheme]
		if !ok || merged == nil {
			out[scheme] = maps.Clone(names)
			m.fromChild(sp, sp)
			continue
		}
		for plat, name := range names {
			// linux/arm64 and linux/arm64/v8 are one platform: the child's
			// spelling replaces the parent's.
			if np, err := NormalizePlatform(plat); err == nil {
				for old := range merged {
					if on, err := NormalizePlatform(old); err == nil && on == np && old != plat {
						delete(merged, old)
					}
				}
			}
			merged[plat] = name
			m.fromChild(sp.Child(plat), sp.Child(plat))
		}
	}
	m.out.Arches = out
}

// image merges the image name of the parent (pi) and of the child (ci);
// either may be missing (nil).
func (m *merger) image(name string, pi, ci *Image) *Image {
	ip := Path{"images", name}
	_, childNames := m.child.Images[name]
	switch {
	case pi == nil && ci == nil:
		m.from(ip, childNames)
		return nil
	case pi == nil:
		if ci.Remove != nil {
			m.errorf(ip.Child("remove"), "remove: applies to an image of the extended spec; delete it here", "image %q is not in %s, so there is nothing to remove", name, m.parent.source().Filename)
		}
		out := *ci
		out.Remove, out.name = nil, name
		m.fromChild(ip, ip)
		return &out
	case ci == nil:
		ci = &Image{}
	}
	m.from(ip, childNames)
	rm := ci.Remove
	if rm == nil {
		rm = &Removal{}
	}
	out := &Image{name: name}
	field := func(f string, nonZero bool) bool { return m.from(ip.Child(f), m.sets(ip.Child(f), nonZero)) }
	out.Base = pick(field("base", ci.Base != ""), ci.Base, pi.Base)
	out.Packages = m.packages(ip, pi.Packages, ci.Packages, rm.Packages)
	out.Tools = mergeNamed(m, ip, "tools", "tool", pi.Tools, ci.Tools, rm.Tools, func(t *Tool) string { return t.Name }, m.pinned)
	out.Go = pick(field("go", ci.Go != nil), ci.Go, pi.Go)
	out.GoTools = mergeNamed(m, ip, "goTools", "Go tool", pi.GoTools, ci.GoTools, rm.GoTools, func(t *GoTool) string { return t.Name }, nil)
	out.Files = pick(field("files", len(ci.Files) > 0), ci.Files, pi.Files)
	out.Directories = pick(field("directories", len(ci.Directories) > 0), ci.Directories, pi.Directories)
	out.Run = pick(field("run", len(ci.Run) > 0), ci.Run, pi.Run)
	out.Env = m.mapping(ip, "env", "env variable", pi.Env, ci.Env, rm.Env)
	out.Workdir = pick(field("workdir", ci.Workdir != ""), ci.Workdir, pi.Workdir)
	out.User = pick(field("user", ci.User != ""), ci.User, pi.User)
	out.Entrypoint = pick(field("entrypoint", len(ci.Entrypoint) > 0), ci.Entrypoint, pi.Entrypoint)
	out.Cmd = pick(field("cmd", len(ci.Cmd) > 0), ci.Cmd, pi.Cmd)
	out.Labels = m.mapping(ip, "labels", "label", pi.Labels, ci.Labels, rm.Labels)
	out.Annotations = m.mapping(ip, "annotations", "annotation", pi.Annotations, ci.Annotations, rm.Annotations)
	return out
}

func pick[T any](child bool, c, p T) T {
	if child {
		return c
	}
	return p
}

// packages merges packages:. install adds the child's packages to the
// parent's and drops the removed ones; manager, options and repositories
// are replaced when the child sets them. An image whose packages are all
// removed has no package step.
func (m *merger) packages(ip Path, pp, cp *Packages, removed []string) *Packages {
	kp := ip.Child("packages")
	rp := ip.Child("remove", "packages")
	childHas := cp != nil
	switch {
	case pp == nil:
		for i, v := range removed {
			m.errorf(rp.Child(i), "remove only what the extended image installs", "%s's image %q installs no packages, so %q cannot be removed", m.parent.source().Filename, ip[1], v)
		}
		m.from(kp, cp != nil)
		return cp
	case cp == nil && len(removed) == 0:
		m.inherit(kp, kp)
		return pp
	case cp == nil:
		cp = &Packages{}
	}
	m.from(kp, childHas)
	out := &Packages{}
	field := func(f string, nonZero bool) bool { return m.from(kp.Child(f), m.sets(kp.Child(f), nonZero)) }
	out.Manager = pick(field("manager", cp.Manager != ""), cp.Manager, pp.Manager)
	out.Options = pick(field("options", len(cp.Options) > 0), cp.Options, pp.Options)
	out.Repositories = pick(field("repositories", len(cp.Repositories) > 0), cp.Repositories, pp.Repositories)
	ik := kp.Child("install")
	m.from(ik, m.sets(ik, len(cp.Install) > 0))
	drop := m.removals(rp, "package", ip[1], removed, pp.Install, cp.Install)
	for i, v := range pp.Install {
		if drop[v] {
			continue
		}
		m.inherit(ik.Child(len(out.Install)), ik.Child(i))
		out.Install = append(out.Install, v)
	}
	for i, v := range cp.Install {
		if slices.Contains(pp.Install, v) && !drop[v] {
			continue // the extended image installs it already
		}
		m.fromChild(ik.Child(len(out.Install)), ik.Child(i))
		out.Install = append(out.Install, v)
	}
	if len(removed) > 0 && len(out.Install) == 0 {
		return nil
	}
	return out
}

// removals checks the names under remove.WHAT (at rp) against what the
// parent has and what the child declares, and returns them as a set.
func (m *merger) removals(rp Path, what, image string, removed, parent, child []string) map[string]bool {
	drop := map[string]bool{}
	for i, v := range removed {
		switch {
		case !slices.Contains(parent, v):
			hint := "remove only what the extended image has"
			if best := closest(v, parent); best != "" {
				hint = fmt.Sprintf("did you mean %q?", best)
			} else if len(parent) > 0 {
				names := slices.Sorted(slices.Values(parent))
				if len(names) > 8 {
					names = append(names[:8], "…")
				}
				hint = fmt.Sprintf("its %ss are: %s", what, strings.Join(names, ", "))
			}
			m.errorf(rp.Child(i), hint, "%s's image %q has no %s %q to remove", m.parent.source().Filename, image, what, v)
		case slices.Contains(child, v):
			m.errorf(rp.Child(i), fmt.Sprintf("a %s declared here replaces the extended one of the same name: drop it from remove:, or from this image", what), "%s %q is both removed and declared in this image", what, v)
		default:
			drop[v] = true
		}
	}
	return drop
}

// mergeNamed merges a list of named entries (tools, Go tools) under
// ip.key: the parent's entries in their order, each replaced by the
// child's entry of the same name or left out when removed, then the
// child's other entries in their order. keep, when set, adjusts an entry
// the child leaves as it is.
func mergeNamed[T any](m *merger, ip Path, key, what string, parent, child []*T, removed []string, name func(*T) string, keep func(t *T, dst, src Path) *T) []*T {
	lp := ip.Child(key)
	m.from(lp, m.sets(lp, len(child) > 0))
	names := func(l []*T) []string {
		var out []string
		for _, t := range l {
			if t != nil {
				out = append(out, name(t))
			}
		}
		return out
	}
	drop := m.removals(ip.Child("remove", key), what, ip[1], removed, names(parent), names(child))
	byName := map[string]int{}
	for i, t := range child {
		if t == nil {
			continue
		}
		if _, dup := byName[name(t)]; !dup {
			byName[name(t)] = i
		}
	}
	used := map[int]bool{}
	var out []*T
	for j, t := range parent {
		dst := lp.Child(len(out))
		if t == nil {
			m.inherit(dst, lp.Child(j))
			out = append(out, t)
			continue
		}
		if drop[name(t)] {
			continue
		}
		if i, ok := byName[name(t)]; ok && !used[i] {
			used[i] = true
			m.fromChild(dst, lp.Child(i))
			out = append(out, child[i])
			continue
		}
		m.inherit(dst, lp.Child(j))
		if keep != nil {
			t = keep(t, dst, lp.Child(j))
		}
		out = append(out, t)
	}
	for i, t := range child {
		if !used[i] {
			m.fromChild(lp.Child(len(out)), lp.Child(i))
			out = append(out, t)
		}
	}
	return out
}

// pinned keeps the meaning of a tool the child leaves as it is: a sha256
// keyed by platform holds the digests of the version the parent names.
// When the child's args give the tool another version, those digests move
// under the parent's version, so that the child's version needs its own
// (builder lock writes them into the file that declares the tool) instead
// of being checked against another version's.
func (m *merger) pinned(t *Tool, dst, src Path) *Tool {
	if len(t.SHA256.ByPlatform) == 0 || !strings.Contains(t.Version, "${") {
		return t
	}
	tmpl := newTemplate(nil, "", t.Version)
	expand := func(args map[string]string) (string, bool) {
		v, err := tmpl.expand(func(n string) (string, bool) { a, ok := args[n]; return a, ok })
		return v, err == nil
	}
	was, ok1 := expand(m.parent.ArgValues(nil))
	now, ok2 := expand(m.out.ArgValues(nil))
	if !ok1 || !ok2 || was == now {
		return t
	}
	c := *t
	c.SHA256 = Checksums{ByVersion: make(map[string]map[string]string, len(t.SHA256.ByVersion)+1)}
	maps.Copy(c.SHA256.ByVersion, t.SHA256.ByVersion)
	if _, ok := c.SHA256.ByVersion[was]; !ok {
		c.SHA256.ByVersion[was] = t.SHA256.ByPlatform
		o := m.parent.Origin(src.Child("sha256"))
		n := m.origins.node(dst.Child("sha256", was))
		n.at, n.kids = &o, nil
	}
	return &c
}

// mapping merges a mapping of names to text (env, labels, annotations) key
// by key: the child's keys are added or replace the parent's, removed keys
// are dropped.
func (m *merger) mapping(ip Path, key, what string, parent, child map[string]string, removed []string) map[string]string {
	drop := m.removals(ip.Child("remove", key), what, ip[1], removed, slices.Collect(maps.Keys(parent)), slices.Collect(maps.Keys(child)))
	return m.keyed(ip.Child(key), parent, child, drop)
}

// keyed merges the mapping of names to text at lp: the parent's keys but
// those in drop, then the child's, which replace the parent's.
func (m *merger) keyed(lp Path, parent, child map[string]string, drop map[string]bool) map[string]string {
	m.from(lp, m.sets(lp, len(child) > 0))
	if parent == nil && child == nil {
		return nil
	}
	out := make(map[string]string, len(parent)+len(child))
	for k, v := range parent {
		if !drop[k] {
			out[k] = v
			m.inherit(lp.Child(k), lp.Child(k))
		}
	}
	for k, v := range child {
		out[k] = v
		m.fromChild(lp.Child(k), lp.Child(k))
	}
	return out
}
