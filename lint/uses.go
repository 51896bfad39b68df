package lint

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/maistra/builder-frontend/spec"
)

// Use is one place of the spec that refers to an arg.
type Use struct {
	Image string
	// Path is the field that refers to the arg.
	Path spec.Path
	// Where names the field for a reader: `tool "helm" url`, `run step 2`.
	Where string
	// Run is set for a run step, which sees args as environment variables.
	Run bool
}

// field is one templated field of an image.
type field struct {
	path  spec.Path
	where string
	tmpl  string
}

// templateFields lists every field of img that is a template (docs/spec.md,
// section 6), with its path and a readable name.
func templateFields(name string, img *spec.Image) []field {
	var out []field
	ip := spec.Path{"images", name}
	add := func(p spec.Path, where, tmpl string) {
		if tmpl != "" {
			out = append(out, field{p, where, tmpl})
		}
	}
	addMap := func(p spec.Path, where string, m map[string]string) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			add(p.Child(k), where+" "+k, m[k])
		}
	}
	add(ip.Child("base"), "base", img.Base)
	if pk := img.Packages; pk != nil {
		pp := ip.Child("packages")
		for i, v := range pk.Install {
			add(pp.Child("install", i), "packages install", v)
		}
		for i, v := range pk.Options {
			add(pp.Child("options", i), "packages options", v)
		}
		for i, r := range pk.Repositories {
			if r == nil {
				continue
			}
			rp := pp.Child("repositories", i)
			add(rp.Child("name"), "repository name", r.Name)
			add(rp.Child("url"), "repository url", r.URL)
			add(rp.Child("gpgkey"), "repository gpgkey", r.GPGKey)
		}
	}
	for i, t := range img.Tools {
		if t == nil {
			continue
		}
		tp := ip.Child("tools", i)
		w := fmt.Sprintf("tool %q", t.Name)
		add(tp.Child("version"), w+" version", t.Version)
		add(tp.Child("url"), w+" url", t.URL)
		add(tp.Child("dest"), w+" dest", t.Dest)
		for j, v := range t.Take {
			add(tp.Child("take", j), w+" take", v)
		}
		for _, k := range slices.Sorted(maps.Keys(t.Links)) {
			add(tp.Child("links", k), w+" links", k)
			add(tp.Child("links", k), w+" links", t.Links[k])
		}
		for j, v := range t.Path {
			add(tp.Child("path", j), w+" path", v)
		}
		addMap(tp.Child("env"), w+" env", t.Env)
	}
	if g := img.Go; g != nil {
		addMap(ip.Child("go", "env"), "go env", g.Env)
		add(ip.Child("go", "dest"), "go dest", g.Dest)
	}
	for i, gt := range img.GoTools {
		if gt == nil {
			continue
		}
		gp := ip.Child("goTools", i)
		w := fmt.Sprintf("Go tool %q", gt.Name)
		add(gp.Child("package"), w+" package", gt.Package)
		add(gp.Child("version"), w+" version", gt.Version)
		add(gp.Child("binary"), w+" binary", gt.Binary)
		if gt.Ldflags != nil {
			add(gp.Child("ldflags"), w+" ldflags", *gt.Ldflags)
		}
		for j, v := range gt.Tags {
			add(gp.Child("tags", j), w+" tags", v)
		}
		addMap(gp.Child("env"), w+" env", gt.Env)
		add(gp.Child("dest"), w+" dest", gt.Dest)
	}
	for i, f := range img.Files {
		if f != nil {
			add(ip.Child("files", i, "src"), "file src", f.Src)
			add(ip.Child("files", i, "dest"), "file dest", f.Dest)
		}
	}
	for i, d := range img.Directories {
		if d != nil {
			add(ip.Child("directories", i, "path"), "directory", d.Path)
		}
	}
	addMap(ip.Child("env"), "env", img.Env)
	add(ip.Child("workdir"), "workdir", img.Workdir)
	add(ip.Child("user"), "user", img.User)
	for i, v := range img.Entrypoint {
		add(ip.Child("entrypoint", i), "entrypoint", v)
	}
	for i, v := range img.Cmd {
		add(ip.Child("cmd", i), "cmd", v)
	}
	addMap(ip.Child("labels"), "label", img.Labels)
	return out
}

// shellVarRe finds $NAME and ${NAME} in a run step.
var shellVarRe = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// ArgUses returns, for each arg the spec declares, the fields that use it,
// in the given image ("" for every image). Args with no use map to nil.
func ArgUses(s *spec.Spec, image string) map[string][]Use {
	out := make(map[string][]Use, len(s.Args))
	for k := range s.Args {
		out[k] = nil
	}
	for _, name := range s.ImageNames() {
		img := s.Images[name]
		if img == nil || (image != "" && name != image) {
			continue
		}
		for _, f := range templateFields(name, img) {
			seen := map[string]bool{}
			for _, ref := range spec.References(f.tmpl) {
				if _, ok := s.Args[ref]; ok && !seen[ref] {
					seen[ref] = true
					out[ref] = append(out[ref], Use{Image: name, Path: f.path, Where: f.where})
				}
			}
		}
		for i, st := range img.Run {
			if st == nil {
				continue
			}
			seen := map[string]bool{}
			for _, m := range shellVarRe.FindAllStringSubmatch(st.Command, -1) {
				if _, ok := s.Args[m[1]]; ok && !seen[m[1]] {
					seen[m[1]] = true
					out[m[1]] = append(out[m[1]], Use{Image: name, Path: spec.Path{"images", name, "run", fmt.Sprint(i)}, Where: fmt.Sprintf("run step %d", i+1), Run: true})
				}
			}
		}
	}
	return out
}
