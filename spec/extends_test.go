package spec

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// loadFiles loads root from files, a file system of spec texts by path.
func loadFiles(files map[string]string, root string) (*Spec, error) {
	return Load(root, []byte(files[root]), func(p string) ([]byte, error) {
		d, ok := files[p]
		if !ok {
			return nil, fmt.Errorf("open %s: %w", p, fs.ErrNotExist)
		}
		return []byte(d), nil
	})
}

var (
	sum1 = strings.Repeat("1", 64)
	sum2 = strings.Repeat("2", 64)
	sum3 = strings.Repeat("3", 64)
	sum4 = strings.Repeat("4", 64)
)

// extendsParent is the spec the cases of TestExtends extend; every field
// of an image is set, so each case shows what a child does to it.
var extendsParent = `version: 1
platforms: [linux/amd64]
args:
  A: "1"
  B:
    default: "2"
    description: the B
arches:
  x: {linux/amd64: x86, linux/arm64: arm}
images:
  img:
    base: base:1
    packages:
      manager: dnf
      options: [--allowerasing]
      repositories: [{name: r1, url: "https://r1"}]
      install: [git, make]
    tools:
      - {name: t1, version: "1", url: "https://t/${version}", sha256: {linux/amd64: "` + sum1 + `"}, dest: /t1}
      - {name: t2, version: "${A}", url: "https://t/${version}", sha256: {linux/amd64: "` + sum2 + `"}, dest: /t2}
      - {name: t3, version: "1", url: "https://t/${version}", sha256: {linux/amd64: "` + sum3 + `"}, dest: /t3}
    go: {env: {GOPROXY: direct}}
    goTools:
      - {name: g1, package: example.com/g1, version: v1.0.0}
      - {name: g2, package: example.com/g2, version: v1.0.0}
    files: [{src: a, dest: /a}]
    directories: [{path: /d}]
    run: [echo one]
    env: {E1: one, E2: two}
    workdir: /w
    user: u
    entrypoint: [/e]
    cmd: [c]
    labels: {l1: one, l2: two}
    annotations: {a1: one, a2: two}
  other:
    base: other:1
drift: {t1: env T1_VERSION, t2: none}
`

// extendsChild is a spec that extends extendsParent: top is written at
// line 3, image from line 5 (after images: and img:).
func extendsChild(top, image string) string {
	if top != "" {
		top += "\n"
	}
	return "version: 1\nextends: common.yaml\n" + top + "images:\n  img:\n" + indent(image, "    ")
}

func indent(text, pad string) string {
	if text == "" {
		return ""
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	return pad + strings.Join(lines, "\n"+pad) + "\n"
}

// render writes one field of image img of s, each element with the file
// and line it comes from.
func render(s *Spec, field string) string {
	at := func(p ...any) string {
		r := s.Range(Path{"images", "img"}.Child(p...))
		return fmt.Sprintf("@%s:%d", r.File, r.Start.Line)
	}
	top := func(p ...any) string {
		r := s.Range(Path{}.Child(p...))
		return fmt.Sprintf("@%s:%d", r.File, r.Start.Line)
	}
	img := s.Images["img"]
	var out []string
	switch field {
	case "images":
		for _, n := range s.ImageNames() {
			out = append(out, n+top("images", n))
		}
	case "platforms":
		out = append(out, fmt.Sprint(s.Platforms)+top("platforms"))
	case "args":
		for _, k := range slices.Sorted(maps.Keys(s.Args)) {
			out = append(out, fmt.Sprintf("%s=%s(%s)%s", k, s.Args[k].Default, s.Args[k].Description, top("args", k)))
		}
	case "drift":
		for _, k := range slices.Sorted(maps.Keys(s.Drift)) {
			out = append(out, fmt.Sprintf("%s=%s%s", k, s.Drift[k], top("drift", k)))
		}
	case "arches":
		for _, k := range slices.Sorted(maps.Keys(s.Arches)) {
			for _, p := range slices.Sorted(maps.Keys(s.Arches[k])) {
				out = append(out, fmt.Sprintf("%s.%s=%s%s", k, p, s.Arches[k][p], top("arches", k, p)))
			}
		}
	case "tools":
		for i, t := range img.Tools {
			out = append(out, t.Name+":"+t.Version+at("tools", i))
		}
	case "goTools":
		for i, t := range img.GoTools {
			out = append(out, t.Name+":"+t.Version+at("goTools", i))
		}
	case "packages":
		p := img.Packages
		if p == nil {
			return "none"
		}
		out = append(out, p.Manager+at("packages", "manager"), fmt.Sprint(p.Options)+at("packages", "options"))
		for i, r := range p.Repositories {
			out = append(out, r.Name+at("packages", "repositories", i))
		}
		for i, v := range p.Install {
			out = append(out, v+at("packages", "install", i))
		}
	case "env", "labels", "annotations":
		m := map[string]map[string]string{"env": img.Env, "labels": img.Labels, "annotations": img.Annotations}[field]
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, k+"="+m[k]+at(field, k))
		}
	default: // a field replaced as a whole
		v := reflect.ValueOf(img).Elem().FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, field) })
		text := fmt.Sprint(v.Interface())
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			text = fmt.Sprint(v.Elem().Interface())
		} else if v.Kind() == reflect.Slice {
			var items []string
			for i := 0; i < v.Len(); i++ {
				items = append(items, fmt.Sprint(reflect.Indirect(v.Index(i)).Interface()))
			}
			text = fmt.Sprint(items)
		}
		out = append(out, text+at(field))
	}
	return strings.Join(out, " ")
}

// TestExtends: what a spec that extends another makes of each field, and
// where each element is written.
func TestExtends(t *testing.T) {
	for _, tc := range []struct {
		name       string
		top, image string
		child      string // the whole child, instead of top and image
		field      string
		want       string
	}{
		// Nothing stated: everything is the parent's, at its lines.
		{name: "images", field: "images", want: "img@3.5.yaml:4 other@common.yaml:36"},
		{name: "platforms", field: "platforms", want: "[linux/amd64]@common.yaml:2"},
		{name: "args", field: "args", want: "A=1()@common.yaml:4 B=2(the B)@common.yaml:5"},
		{name: "arches", field: "arches", want: "x.linux/amd64=x86@common.yaml:9 x.linux/arm64=arm@common.yaml:9"},
		{name: "drift", field: "drift", want: "t1=env T1_VERSION@common.yaml:38 t2=none@common.yaml:38"},
		{name: "tools", field: "tools", want: "t1:1@common.yaml:19 t2:${A}@common.yaml:20 t3:1@common.yaml:21"},
		{name: "goTools", field: "goTools", want: "g1:v1.0.0@common.yaml:24 g2:v1.0.0@common.yaml:25"},
		{name: "packages", field: "packages", want: "dnf@common.yaml:14 [--allowerasing]@common.yaml:15 r1@common.yaml:16 git@common.yaml:17 make@common.yaml:17"},
		{name: "env", field: "env", want: "E1=one@common.yaml:29 E2=two@common.yaml:29"},
		{name: "base", field: "base", want: "base:1@common.yaml:12"},
		{name: "entrypoint", field: "entrypoint", want: "[/e]@common.yaml:32"},

		// Tools and Go tools: added at the end, replaced in place, removed.
		{name: "tool added", image: "tools: [{name: t4, version: \"4\"}]", field: "tools",
			want: "t1:1@common.yaml:19 t2:${A}@common.yaml:20 t3:1@common.yaml:21 t4:4@3.5.yaml:5"},
		{name: "tool replaced", image: "tools: [{name: t2, version: \"9\"}]", field: "tools",
			want: "t1:1@common.yaml:19 t2:9@3.5.yaml:5 t3:1@common.yaml:21"},
		{name: "tool removed", image: "remove: {tools: [t1]}", field: "tools",
			want: "t2:${A}@common.yaml:20 t3:1@common.yaml:21"},
		{name: "tools added, replaced and removed", image: "remove:\n  tools: [t3]\ntools:\n  - {name: t5, version: \"5\"}\n  - {name: t1, version: \"8\"}", field: "tools",
			want: "t1:8@3.5.yaml:9 t2:${A}@common.yaml:20 t5:5@3.5.yaml:8"},
		{name: "Go tool added", image: "goTools: [{name: g3, version: v3.0.0}]", field: "goTools",
			want: "g1:v1.0.0@common.yaml:24 g2:v1.0.0@common.yaml:25 g3:v3.0.0@3.5.yaml:5"},
		{name: "Go tool replaced", image: "goTools: [{name: g1, version: v9.0.0}]", field: "goTools",
			want: "g1:v9.0.0@3.5.yaml:5 g2:v1.0.0@common.yaml:25"},
		{name: "Go tool removed", image: "remove: {goTools: [g2]}", field: "goTools", want: "g1:v1.0.0@common.yaml:24"},

		// Packages: added, not repeated, removed; the rest replaced.
		{name: "package added", image: "packages: {install: [jq, git]}", field: "packages",
			want: "dnf@common.yaml:14 [--allowerasing]@common.yaml:15 r1@common.yaml:16 git@common.yaml:17 make@common.yaml:17 jq@3.5.yaml:5"},
		{name: "package removed", image: "remove: {packages: [git]}", field: "packages",
			want: "dnf@common.yaml:14 [--allowerasing]@common.yaml:15 r1@common.yaml:16 make@common.yaml:17"},
		{name: "every package removed", image: "remove: {packages: [git, make]}", field: "packages", want: "none"},
		{name: "every package removed, one added", image: "remove: {packages: [git, make]}\npackages: {install: [jq]}", field: "packages",
			want: "dnf@common.yaml:14 [--allowerasing]@common.yaml:15 r1@common.yaml:16 jq@3.5.yaml:6"},
		{name: "package manager, options and repositories replaced", image: "packages:\n  manager: microdnf\n  options: [--nodocs]\n  repositories: [{name: r2, url: \"https://r2\"}]", field: "packages",
			want: "microdnf@3.5.yaml:6 [--nodocs]@3.5.yaml:7 r2@3.5.yaml:8 git@common.yaml:17 make@common.yaml:17"},

		// args, arches, env, labels, annotations: key by key.
		{name: "arg default replaced, description kept, arg added", top: "args: {B: \"3\", C: \"4\"}", field: "args",
			want: "A=1()@common.yaml:4 B=3(the B)@3.5.yaml:3 C=4()@3.5.yaml:3"},
		{name: "arg description replaced", top: "args:\n  A: {default: \"5\", description: the A}", field: "args",
			want: "A=5(the A)@3.5.yaml:4 B=2(the B)@common.yaml:5"},
		{name: "arch name replaced and added", top: "arches:\n  x: {linux/arm64: aarch64}\n  y: {linux/amd64: amd}", field: "arches",
			want: "x.linux/amd64=x86@common.yaml:9 x.linux/arm64=aarch64@3.5.yaml:4 y.linux/amd64=amd@3.5.yaml:5"},
		{name: "drift source replaced and added", top: "drift:\n  t2: env T2_VERSION\n  t4: go example.com/t4", field: "drift",
			want: "t1=env T1_VERSION@common.yaml:38 t2=env T2_VERSION@3.5.yaml:4 t4=go example.com/t4@3.5.yaml:5"},
		{name: "arch name replaced under another spelling of the platform", top: "arches: {x: {linux/arm64/v8: a8}}", field: "arches",
			want: "x.linux/amd64=x86@common.yaml:9 x.linux/arm64/v8=a8@3.5.yaml:3"},
		{name: "env added, replaced, removed", image: "env: {E1: uno, E3: three}\nremove: {env: [E2]}", field: "env",
			want: "E1=uno@3.5.yaml:5 E3=three@3.5.yaml:5"},
		{name: "labels added, replaced, removed", image: "labels: {l2: deux, l3: trois}\nremove: {labels: [l1]}", field: "labels",
			want: "l2=deux@3.5.yaml:5 l3=trois@3.5.yaml:5"},
		{name: "annotations added, replaced, removed", image: "annotations: {a1: eins}\nremove: {annotations: [a2]}", field: "annotations",
			want: "a1=eins@3.5.yaml:5"},

		// Everything else: replaced when the child sets it.
		{name: "platforms replaced", top: "platforms: [linux/arm64]", field: "platforms", want: "[linux/arm64]@3.5.yaml:3"},
		{name: "base replaced", image: "base: base:2", field: "base", want: "base:2@3.5.yaml:5"},
		{name: "go replaced", image: "go: {dest: /opt/bin}", field: "go", want: "{ map[] /opt/bin}@3.5.yaml:5"},
		{name: "files replaced", image: "files: [{src: b, dest: /b}]", field: "files", want: "[{b /b 0}]@3.5.yaml:5"},
		{name: "directories replaced", image: "directories: [{path: /e}]", field: "directories", want: "[{/e 0}]@3.5.yaml:5"},
		{name: "run replaced", image: "run: [echo two]", field: "run", want: "[{ echo two}]@3.5.yaml:5"},
		{name: "workdir replaced", image: "workdir: /x", field: "workdir", want: "/x@3.5.yaml:5"},
		{name: "user replaced", image: "user: v", field: "user", want: "v@3.5.yaml:5"},
		{name: "entrypoint replaced", image: "entrypoint: [/f]", field: "entrypoint", want: "[/f]@3.5.yaml:5"},
		{name: "entrypoint cleared", image: "entrypoint: []", field: "entrypoint", want: "[]@3.5.yaml:5"},
		{name: "cmd replaced", image: "cmd: [d]", field: "cmd", want: "[d]@3.5.yaml:5"},

		// Images merge by name; a new one comes after the parent's.
		{name: "image added", child: "version: 1\nextends: common.yaml\nimages:\n  img:\n    base: x\n  third: {base: third:1}\n", field: "images", want: "img@3.5.yaml:4 other@common.yaml:36 third@3.5.yaml:6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			child := tc.child
			if child == "" {
				child = extendsChild(tc.top, tc.image)
			}
			files := map[string]string{"common.yaml": extendsParent, "3.5.yaml": child}
			s, err := loadFiles(files, "3.5.yaml")
			if err != nil {
				t.Fatalf("load: %v\n%s", err, files["3.5.yaml"])
			}
			if got := render(s, tc.field); got != tc.want {
				t.Errorf("%s:\n got %s\nwant %s", tc.field, got, tc.want)
			}
			checkFlatten(t, s)
		})
	}
}

// checkFlatten: the flattened spec reads back as the same spec, and
// resolves the same way.
func checkFlatten(t *testing.T, s *Spec) {
	t.Helper()
	text := s.Flatten()
	f, err := Parse("flat.yaml", text)
	if err != nil {
		t.Fatalf("the flattened spec does not parse: %v\n%s", err, text)
	}
	if again := f.Flatten(); uncommented(again) != uncommented(text) {
		t.Errorf("flattened twice:\n%s\nonce:\n%s", again, text)
	}
	for _, image := range s.ImageNames() {
		for _, p := range []string{"linux/amd64", "linux/arm64"} {
			want, werr := s.Resolve(p, Options{Target: image})
			got, gerr := f.Resolve(p, Options{Target: image})
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("%s %s: resolve of the spec: %v; of the flattened spec: %v", image, p, werr, gerr)
			}
			if werr != nil {
				continue
			}
			if w, g := resolvedText(want), resolvedText(got); w != g {
				t.Errorf("%s %s resolves to\n%s\nflattened to\n%s", image, p, w, g)
			}
		}
	}
}

// uncommented is YAML without its comment lines.
func uncommented(text []byte) string {
	var out []string
	for _, l := range strings.SplitAfter(string(text), "\n") {
		if !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

// resolvedText is a Resolved without its positions and its spec.
func resolvedText(r *Resolved) string {
	c := *r
	c.Spec, c.BaseRange = nil, Range{}
	c.Packages, c.Tools, c.GoTools, c.GoToolchain, c.Files, c.Dirs, c.Run = nil, nil, nil, nil, nil, nil, nil
	var b strings.Builder
	fmt.Fprintf(&b, "%+v\n", c)
	for _, t := range append(slices.Clone(r.Tools), r.GoToolchain) {
		if t == nil {
			continue
		}
		tc := *t
		tc.Range = Range{}
		fmt.Fprintf(&b, "%+v\n", tc)
	}
	for _, t := range r.GoTools {
		tc := *t
		tc.Range = Range{}
		fmt.Fprintf(&b, "%+v\n", tc)
	}
	if r.Packages != nil {
		pc := *r.Packages
		pc.Range = Range{}
		fmt.Fprintf(&b, "%+v\n", pc)
	}
	for _, f := range r.Files {
		fmt.Fprintf(&b, "%s %s %o\n", f.Src, f.Dest, f.Mode)
	}
	for _, d := range r.Dirs {
		fmt.Fprintf(&b, "%s %o\n", d.Path, d.Mode)
	}
	for _, st := range r.Run {
		fmt.Fprintf(&b, "%q %q\n", st.Name, st.Command)
	}
	return b.String()
}

// TestExtendsErrors: the merge's own errors, at the child's lines.
func TestExtendsErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		top, image string
		child      string // the whole child, instead of top and image
		want       string
	}{
		{name: "removed tool the parent lacks, with a near name", image: "remove: {tools: [t4]}",
			want: `3.5.yaml:5:22: common.yaml's image "img" has no tool "t4" to remove; did you mean "t1"?`},
		{name: "removed tool the parent lacks", image: "remove: {tools: [kubectl]}",
			want: `3.5.yaml:5:22: common.yaml's image "img" has no tool "kubectl" to remove; its tools are: t1, t2, t3`},
		{name: "removed Go tool the parent lacks", image: "remove:\n  goTools: [g1, gg]",
			want: `3.5.yaml:6:21: common.yaml's image "img" has no Go tool "gg" to remove; did you mean "g1"?`},
		{name: "removed package the parent lacks", image: "remove: {packages: [gti]}",
			want: `3.5.yaml:5:25: common.yaml's image "img" has no package "gti" to remove; did you mean "git"?`},
		{name: "removed env, label, annotation the parent lacks", image: "remove: {env: [E9], labels: [l9], annotations: [x]}",
			want: `3 problems in 3.5.yaml:
  3.5.yaml:5:20: common.yaml's image "img" has no env variable "E9" to remove; did you mean "E1"?
  3.5.yaml:5:34: common.yaml's image "img" has no label "l9" to remove; did you mean "l1"?
  3.5.yaml:5:53: common.yaml's image "img" has no annotation "x" to remove; its annotations are: a1, a2`},
		{name: "tool removed and declared", image: "remove: {tools: [t1]}\ntools: [{name: t1}]",
			want: `3.5.yaml:5:22: tool "t1" is both removed and declared in this image; a tool declared here replaces the extended one of the same name: drop it from remove:, or from this image`},
		{name: "package removed and declared", image: "remove: {packages: [git]}\npackages: {install: [git]}",
			want: `3.5.yaml:5:25: package "git" is both removed and declared in this image; a package declared here replaces the extended one of the same name: drop it from remove:, or from this image`},
		{name: "remove in a new image", child: "version: 1\nextends: common.yaml\nimages:\n  new:\n    base: x\n    remove: {tools: [t1]}\n",
			want: `3.5.yaml:6:5: image "new" is not in common.yaml, so there is nothing to remove; remove: applies to an image of the extended spec; delete it here`},
		{name: "package removed from an image without packages", child: "version: 1\nextends: common.yaml\nimages:\n  other:\n    remove: {packages: [git]}\n",
			want: `3.5.yaml:5:25: common.yaml's image "other" installs no packages, so "git" cannot be removed; remove only what the extended image installs`},
		{name: "another version", child: "version: 2\nextends: common.yaml\n",
			want: `3.5.yaml:1:1: version 2 differs from version 1 of common.yaml, which this spec extends; every spec of an extends chain has the same format version`},
		{name: "no version", child: "extends: common.yaml\n",
			want: `3.5.yaml:1:10: the spec has no version, and common.yaml, which it extends, has version 1; add ` + "`version: 1`" + ` at the top of the spec`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			child := tc.child
			if child == "" {
				child = extendsChild(tc.top, tc.image)
			}
			_, err := loadFiles(map[string]string{"common.yaml": extendsParent, "3.5.yaml": child}, "3.5.yaml")
			if err == nil || err.Error() != tc.want {
				t.Errorf("error:\n%v\nwant:\n%s\nchild:\n%s", err, tc.want, child)
			}
		})
	}
}

// TestExtendsChain: files, chains, and where their errors are told.
func TestExtendsChain(t *testing.T) {
	tool := func(name, sum string) string {
		return fmt.Sprintf("      - {name: %s, version: \"1\", url: \"https://t/%s\", sha256: {linux/amd64: \"%s\"}, dest: /%s}\n", name, name, sum, name)
	}
	common := "version: 1\nimages:\n  img:\n    base: base:1\n    tools:\n" + tool("a", sum1) + tool("b", sum2) + tool("c", sum3)
	for _, tc := range []struct {
		name  string
		files map[string]string
		root  string
		// want is the error, or the tools with their files.
		want string
	}{
		{name: "a chain of three", root: "3.6.yaml", files: map[string]string{
			"common.yaml": common,
			"3.5.yaml":    "version: 1\nextends: common.yaml\nimages:\n  img:\n    remove: {tools: [a]}\n    tools:\n" + tool("d", sum4),
			"3.6.yaml":    "version: 1\nextends: 3.5.yaml\nimages:\n  img:\n    tools:\n" + tool("b", sum1),
		}, want: "b:1@3.6.yaml:6 c:1@common.yaml:8 d:1@3.5.yaml:7"},
		{name: "an error in the file furthest up", root: "3.6.yaml", files: map[string]string{
			"common.yaml": strings.Replace(common, "dest: /c", "dest: c", 1),
			"3.5.yaml":    "version: 1\nextends: common.yaml\n",
			"3.6.yaml":    "version: 1\nextends: 3.5.yaml\n",
		}, want: `common.yaml:8:144: dest "c" is not an absolute path; paths in the image are absolute, e.g. /c (common.yaml is extended by 3.5.yaml:2:10, which is extended by 3.6.yaml:2:10)`},
		{name: "errors in two files", root: "3.5.yaml", files: map[string]string{
			"common.yaml": strings.Replace(common, "dest: /c", "dest: c", 1),
			"3.5.yaml":    "version: 1\nextends: common.yaml\nimages:\n  img:\n    workdir: w\n",
		}, want: `2 problems in 3.5.yaml, common.yaml:
  3.5.yaml:5:5: workdir "w" is not an absolute path; paths in the image are absolute, e.g. /w
  common.yaml:8:144: dest "c" is not an absolute path; paths in the image are absolute, e.g. /c (common.yaml is extended by 3.5.yaml:2:10)`},
		{name: "remove in the file at the top of the chain", root: "3.5.yaml", files: map[string]string{
			"common.yaml": common + "    remove: {tools: [x]}\n",
			"3.5.yaml":    "version: 1\nextends: common.yaml\n",
		}, want: `common.yaml:9:5: remove: drops what an extended spec has, and this spec extends none; add extends: with the spec to build on, or delete remove: (common.yaml is extended by 3.5.yaml:2:10)`},
		{name: "a drift source in the file extended", root: "3.5.yaml", files: map[string]string{
			"common.yaml": common + "drift:\n  a: envv A_VERSION\n",
			"3.5.yaml":    "version: 1\nextends: common.yaml\ndrift: {b: env B_VERSION}\n",
		}, want: `common.yaml:10:3: tool "a": drift source "envv A_VERSION" has the unknown kind "envv"; did you mean env NAME [in STAGE]? write env NAME [in STAGE], image NAME, go PACKAGE, url URL, bazelversion or none (common.yaml is extended by 3.5.yaml:2:10)`},
		{name: "a YAML error in the file extended", root: "3.5.yaml", files: map[string]string{
			"common.yaml": "version: 1\nimages:\n  img:\n    bsae: x\n",
			"3.5.yaml":    "version: 1\nextends: common.yaml\n",
		}, want: `common.yaml:4:5: unknown field "bsae"; did you mean "base"? (common.yaml is extended by 3.5.yaml:2:10)`},
		{name: "a file in a subdirectory extends one beside the spec", root: "3.5.yaml", files: map[string]string{
			"3.5.yaml":         "version: 1\nextends: ./base/common.yaml\n",
			"base/common.yaml": "version: 1\nextends: ../shared.yaml\n",
			"shared.yaml":      common,
		}, want: "a:1@shared.yaml:6 b:1@shared.yaml:7 c:1@shared.yaml:8"},
		{name: "a file extended leaves the directory", root: "b/3.5.yaml", files: map[string]string{
			"b/common.yaml": "version: 1\nextends: ../base.yaml\n",
			"b/3.5.yaml":    "version: 1\nextends: ./common.yaml\n",
			"base.yaml":     common,
		}, want: `b/common.yaml:2:10: extends ../base.yaml, which is outside the directory of b/3.5.yaml; keep the specs it extends in b or below it: a build through buildx reads only that directory (b/common.yaml is extended by b/3.5.yaml:2:10)`},
		{name: "missing", root: "3.5.yaml", files: map[string]string{"3.5.yaml": "version: 1\nextends: comon.yaml\n"},
			want: `3.5.yaml:2:10: extends comon.yaml, but comon.yaml does not exist; extends: takes a path relative to the file it is in, in the directory of the spec being built or below it`},
		{name: "missing, from a subdirectory", root: "specs/3.5.yaml", files: map[string]string{"specs/3.5.yaml": "version: 1\nextends: base/common.yaml\n"},
			want: `specs/3.5.yaml:2:10: extends base/common.yaml, but specs/base/common.yaml does not exist; extends: takes a path relative to the file it is in, in the directory of the spec being built or below it`},
		{name: "outside the directory", root: "specs/3.5.yaml", files: map[string]string{"specs/3.5.yaml": "version: 1\nextends: ../common.yaml\n", "common.yaml": common},
			want: `specs/3.5.yaml:2:10: extends ../common.yaml, which is outside the directory of specs/3.5.yaml; keep the specs it extends in specs or below it: a build through buildx reads only that directory`},
		{name: "an absolute path", root: "3.5.yaml", files: map[string]string{"3.5.yaml": "version: 1\nextends: /common.yaml\n", "/common.yaml": common},
			want: `3.5.yaml:2:10: extends /common.yaml, which is outside the directory of 3.5.yaml; keep the specs it extends in its directory or below it: a build through buildx reads only that directory`},
		{name: "itself", root: "3.5.yaml", files: map[string]string{"3.5.yaml": "version: 1\nextends: ./3.5.yaml\n"},
			want: `3.5.yaml:2:10: extends ./3.5.yaml, which makes a cycle: 3.5.yaml → 3.5.yaml; a spec cannot extend itself, directly or through others; remove one of these extends:`},
		{name: "a cycle", root: "a.yaml", files: map[string]string{
			"a.yaml": "version: 1\nextends: b.yaml\n",
			"b.yaml": "version: 1\nextends: c.yaml\n",
			"c.yaml": "version: 1\nextends: a.yaml\n",
		}, want: `c.yaml:2:10: extends a.yaml, which makes a cycle: a.yaml → b.yaml → c.yaml → a.yaml; a spec cannot extend itself, directly or through others; remove one of these extends: (c.yaml is extended by b.yaml:2:10, which is extended by a.yaml:2:10)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := loadFiles(tc.files, tc.root)
			if err == nil {
				err = s.Validate([]string{"linux/amd64"}, Options{})
			}
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = render(s, "tools")
				checkFlatten(t, s)
			}
			if got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// TestExtendsLimits: the bounds of a chain, and what only Load reads.
func TestExtendsLimits(t *testing.T) {
	files := map[string]string{}
	for i := 0; i < 9; i++ {
		files[fmt.Sprintf("%d.yaml", i)] = fmt.Sprintf("version: 1\nextends: %d.yaml\n", i+1)
	}
	files["9.yaml"] = "version: 1\n"
	_, err := loadFiles(files, "0.yaml")
	want := `7.yaml:2:10: extends 8.yaml, which makes the chain from 0.yaml longer than 8 specs; a chain holds at most 8 specs; extend a shared spec more directly (7.yaml is extended by 6.yaml:2:10, which is extended by 5.yaml:2:10, which is extended by 4.yaml:2:10, which is extended by 3.yaml:2:10, which is extended by 2.yaml:2:10, which is extended by 1.yaml:2:10, which is extended by 0.yaml:2:10)`
	if err == nil || err.Error() != want {
		t.Errorf("a chain of 10 files:\n%v\nwant:\n%s", err, want)
	}
	files["7.yaml"] = "version: 1\n"
	if _, err := loadFiles(files, "0.yaml"); err != nil {
		t.Errorf("a chain of 8 files: %v", err)
	}

	_, err = Load("3.5.yaml", []byte("version: 1\nextends: common.yaml\n"), func(string) ([]byte, error) { return nil, fmt.Errorf("permission denied") })
	want = `3.5.yaml:2:10: extends common.yaml, but common.yaml cannot be read: permission denied; extends: takes a path relative to the file it is in, in the directory of the spec being built or below it`
	if err == nil || err.Error() != want {
		t.Errorf("a read error:\n%v\nwant:\n%s", err, want)
	}

	_, err = Load("3.5.yaml", []byte("version: 1\nextends: common.yaml\n"), nil)
	want = `3.5.yaml:2:10: extends common.yaml, but common.yaml cannot be read: this program reads one file only; extends: takes a path relative to the file it is in, in the directory of the spec being built or below it`
	if err == nil || err.Error() != want {
		t.Errorf("Load without a reader:\n%v\nwant:\n%s", err, want)
	}

	// Parse reads one file: extends and remove need Load.
	s, err := Parse("3.5.yaml", []byte("version: 1\nextends: common.yaml\nimages:\n  b:\n    base: x\n    remove: {tools: [a]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want = `2 problems in 3.5.yaml:
  3.5.yaml:2:1: the spec extends common.yaml, which was not read; read the spec with spec.Load, which reads the specs it extends
  3.5.yaml:6:5: remove: drops what an extended spec has, and this spec extends none; add extends: with the spec to build on, or delete remove:`
	if err := s.Validate(nil, Options{}); err == nil || err.Error() != want {
		t.Errorf("Parse of a spec with extends:\n%v\nwant:\n%s", err, want)
	}
	s, err = loadFiles(map[string]string{"b.yaml": "version: 1\nimages:\n  b:\n    base: x\n    remove: {tools: [a]}\n"}, "b.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want = `b.yaml:5:5: remove: drops what an extended spec has, and this spec extends none; add extends: with the spec to build on, or delete remove:`
	if err := s.Validate(nil, Options{}); err == nil || err.Error() != want {
		t.Errorf("remove without extends:\n%v\nwant:\n%s", err, want)
	}
}

// TestExtendsPinnedChecksums: a sha256 keyed by platform holds the digests
// of the version the file that declares the tool names. A child that moves
// the version through an arg needs the new version's digests, and is told
// where they go, never checked against the old ones.
func TestExtendsPinnedChecksums(t *testing.T) {
	common := `version: 1
args:
  V: "1.0"
images:
  b:
    base: x
    tools:
      - name: t
        version: ${V}
        url: https://t/${version}/t-${arch}
        sha256:
          linux/amd64: "` + sum1 + `"
          "2.0": {linux/amd64: "` + sum2 + `"}
        dest: /usr/bin/t
`
	for _, tc := range []struct {
		name, child, want string
	}{
		{name: "the parent's version", child: "version: 1\nextends: common.yaml\n", want: "sha256:" + sum1},
		{name: "another version", child: "version: 1\nextends: common.yaml\nargs: {V: \"3.0\"}\n",
			want: `common.yaml:11:9: tool "t": version 3.0 has no sha256; add a sha256."3.0" entry (pinned versions: 1.0, 2.0) (common.yaml is extended by 3.5.yaml:2:10)`},
		{name: "a version pinned by version", child: "version: 1\nextends: common.yaml\nargs: {V: \"2.0\"}\n", want: "sha256:" + sum2},
		{name: "a chain back to the parent's version", child: "version: 1\nextends: 3.4.yaml\nargs: {V: \"1.0\"}\n", want: "sha256:" + sum1},
		{name: "the tool replaced", child: "version: 1\nextends: common.yaml\nargs: {V: \"3.0\"}\nimages:\n  b:\n    tools: [{name: t, version: \"${V}\", url: \"https://t\", sha256: {linux/amd64: \"" + sum3 + "\"}, dest: /usr/bin/t}]\n", want: "sha256:" + sum3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"common.yaml": common, "3.4.yaml": "version: 1\nextends: common.yaml\nargs: {V: \"2.0\"}\n", "3.5.yaml": tc.child}
			s, err := loadFiles(files, "3.5.yaml")
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if r, err := s.Resolve("linux/amd64", Options{}); err != nil {
				got = err.Error()
			} else {
				got = r.Tools[0].SHA256
			}
			if got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			checkFlatten(t, s)
		})
	}
}

// FuzzExtends feeds a parent and a child spec through Load, Validate,
// Resolve and Flatten: never a panic or a hang; every problem located in
// one of the two files, and one in the parent names the child's line that
// pulled it in; a spec that loads flattens to one that resolves the same.
func FuzzExtends(f *testing.F) {
	f.Add([]byte(extendsParent), []byte(extendsChild("args: {A: \"2\"}", "remove: {tools: [t1], packages: [git], env: [E1]}\ntools: [{name: t2, version: \"2\"}]")))
	f.Add([]byte(extendsParent), []byte(extendsChild("", "remove: {tools: [t9]}")))
	f.Add([]byte("version: 1\nextends: 3.5.yaml\n"), []byte("version: 1\nextends: common.yaml\n"))
	f.Add([]byte(extendsParent), []byte("version: 1\nextends: common.yaml\ndrift: {t1: none, t9: envv X}\n"))
	f.Add([]byte("version: 1\nimages:\n  b: &b\n    base: x\n    tools: [{name: a}]\n  c: *b\n"), []byte("version: 1\nextends: common.yaml\nimages:\n  c:\n    remove: {tools: [a]}\n"))
	f.Fuzz(func(t *testing.T, parent, child []byte) {
		files := map[string]string{"common.yaml": string(parent), "3.5.yaml": string(child)}
		done := make(chan error, 1)
		var s *Spec
		go func() {
			var err error
			s, err = loadFiles(files, "3.5.yaml")
			if err == nil {
				_ = s.Validate([]string{"linux/amd64", "linux/arm64"}, Options{})
				for _, n := range s.ImageNames() {
					_, _ = s.Resolve("linux/arm64", Options{Target: n})
				}
				_ = s.Flatten()
			}
			done <- err
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("load and resolve took over 5s on\n%q\n%q", parent, child)
		}
		if err == nil {
			checkFlatten(t, s)
			return
		}
		var l ErrorList
		if !errors.As(err, &l) {
			t.Fatalf("Load returned %T, want ErrorList", err)
		}
		// The parser's own problems are FuzzParse's; Load's are located.
		parsed := map[string]bool{}
		for name, text := range files {
			if _, perr := Parse(name, []byte(text)); perr != nil {
				for _, e := range perr.(ErrorList) {
					parsed[e.File+e.Msg] = true
				}
			}
		}
		for _, e := range l {
			if e.File != "common.yaml" && e.File != "3.5.yaml" {
				t.Errorf("error in no file of the chain: %v", e)
			}
			if e.File == "common.yaml" && !strings.Contains(string(parent), "3.5.yaml") && (len(e.ExtendedBy) != 1 || e.ExtendedBy[0].Pos.Line == 0) {
				t.Errorf("error in the parent does not name the line of the child that extends it: %v", e)
			}
			if e.Pos.Line == 0 && !parsed[e.File+e.Msg] {
				t.Errorf("error without a position: %v", e)
			}
		}
	})
}

// placeholders are the "<sha256 of FILE>" of docs/spec.md's examples.
var placeholders = regexp.MustCompile(`<sha256 of ([^>]+)>`)

// TestDocsExtends: the errors docs/spec.md's extends section shows for
// changes to its two files are the ones the code reports, word for word.
func TestDocsExtends(t *testing.T) {
	b, err := os.ReadFile("../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	sec := doc[strings.Index(doc, "\n### `extends`\n"):]
	sec = sec[:strings.Index(sec, "\n## 4. Image fields\n")]
	var blocks []string
	for rest := sec; strings.Contains(rest, "```yaml\n"); {
		rest = rest[strings.Index(rest, "```yaml\n")+len("```yaml\n"):]
		blocks = append(blocks, placeholders.ReplaceAllStringFunc(rest[:strings.Index(rest, "```\n")], func(m string) string {
			return fmt.Sprintf("%x", sha256.Sum256([]byte(m)))
		}))
	}
	if len(blocks) != 2 {
		t.Fatalf("the extends section has %d YAML blocks, want common.yaml and 3.5.yaml", len(blocks))
	}
	example := map[string]string{"common.yaml": blocks[0], "3.5.yaml": blocks[1]}
	change := func(file, old, new string) map[string]string {
		files := maps.Clone(example)
		if !strings.Contains(files[file], old) {
			t.Fatalf("%s of the example has no %q", file, old)
		}
		files[file] = strings.Replace(files[file], old, new, 1)
		return files
	}
	for _, tc := range []struct {
		name      string
		files     map[string]string
		platforms []string
		want      string
	}{
		{name: "the example as it is", files: example},
		{name: "a version no file pins", files: change("3.5.yaml", `GO_VERSION: "1.24.4"`, `GO_VERSION: "1.25.0"`),
			want: `common.yaml:19:9: tool "go": version 1.25.0 has no sha256; add a sha256."1.25.0" entry (pinned versions: 1.23.6, 1.24.4) (common.yaml is extended by 3.5.yaml:3:10)`},
		{name: "a platform neither file was written for", files: example, platforms: []string{"linux/amd64", "linux/arm64", "linux/ppc64le"},
			want: `2 problems in 3.5.yaml, common.yaml:
  3.5.yaml:17:9: tool "helm" has no artifact for linux/ppc64le: no sha256 for that platform; add sha256.linux/ppc64le with the artifact's sha256 (builder lock writes it), or limit the tool with platforms:
  common.yaml:23:11: tool "go" has no artifact for linux/ppc64le at version 1.24.4; add linux/ppc64le under sha256.1.24.4, or limit the tool with platforms: (common.yaml is extended by 3.5.yaml:3:10)`},
		{name: "missing", files: change("3.5.yaml", "extends: common.yaml", "extends: comon.yaml"),
			want: `3.5.yaml:3:10: extends comon.yaml, but comon.yaml does not exist; extends: takes a path relative to the file it is in, in the directory of the spec being built or below it`},
		{name: "outside", files: change("3.5.yaml", "extends: common.yaml", "extends: ../common.yaml"),
			want: `3.5.yaml:3:10: extends ../common.yaml, which is outside the directory of 3.5.yaml; keep the specs it extends in its directory or below it: a build through buildx reads only that directory`},
		{name: "cycle", files: change("common.yaml", "version: 1\n", "version: 1\nextends: 3.5.yaml\n"),
			want: `common.yaml:3:10: extends 3.5.yaml, which makes a cycle: 3.5.yaml → common.yaml → 3.5.yaml; a spec cannot extend itself, directly or through others; remove one of these extends: (common.yaml is extended by 3.5.yaml:3:10)`},
		{name: "a typo under remove", files: change("3.5.yaml", "tools: [su-exec]", "tools: [su-exce]"),
			want: `3.5.yaml:24:15: common.yaml's image "builder" has no tool "su-exce" to remove; did you mean "su-exec"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want != "" && !strings.Contains(doc, "```\n"+tc.want+"\n```\n") {
				t.Errorf("docs/spec.md does not show this error as a block of its own:\n%s", tc.want)
			}
			s, err := loadFiles(tc.files, "3.5.yaml")
			if err == nil {
				err = s.Validate(tc.platforms, Options{})
			}
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// BenchmarkLoadExtends100Tools: what extends adds to reading a spec, for a
// branch that replaces, removes and adds 10 tools of a 100-tool common
// spec: Load (two parses and the merge), against Parse of the same spec
// flattened into one file.
func BenchmarkLoadExtends100Tools(b *testing.B) {
	common := benchSpec(100)
	var branch strings.Builder
	branch.WriteString("version: 1\nextends: common.yaml\nimages:\n  builder:\n    remove:\n      tools: [")
	for i := 10; i < 20; i++ {
		fmt.Fprintf(&branch, "tool%d, ", i)
	}
	branch.WriteString("tool20]\n")
	tools := benchSpec(10)
	tools = tools[strings.Index(tools, "    tools:\n"):]
	branch.WriteString(tools)                                                          // tool0..tool9: replaced
	branch.WriteString(strings.ReplaceAll(tools[len("    tools:\n"):], "tool", "new")) // new0..new9: added
	files := map[string]string{"common.yaml": common, "3.5.yaml": branch.String()}
	s, err := loadFiles(files, "3.5.yaml")
	if err != nil {
		b.Fatal(err)
	}
	if n := len(s.Images["builder"].Tools); n != 99 {
		b.Fatalf("%d tools, want 99", n)
	}
	flat := s.Flatten()
	b.Run("Load", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := loadFiles(files, "3.5.yaml"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseFlattened", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Parse("flat.yaml", flat); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestDocsExtendsInline: the errors docs/spec.md quotes in its text about
// extends and remove, made from files with the names the text uses.
func TestDocsExtendsInline(t *testing.T) {
	b, err := os.ReadFile("../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Join(strings.Fields(string(b)), " ") // the text wraps inside quotes
	common := "version: 1\nimages:\n  builder:\n    base: b:1\n    tools: [{name: x, version: \"1\", url: \"https://x\", sha256: {linux/amd64: \"" + sum1 + "\"}, dest: /x}]\n"
	chain := map[string]string{"3.6.yaml": "version: 1\nextends: 1.yaml\n"}
	for i := 1; i < 8; i++ {
		chain[fmt.Sprintf("%d.yaml", i)] = fmt.Sprintf("version: 1\nextends: %d.yaml\n", i+1)
	}
	chain["7.yaml"] = "version: 1\nextends: X\n"
	for _, tc := range []struct {
		root, want string
		files      map[string]string
	}{
		{"3.6.yaml", "extends X, which makes the chain from 3.6.yaml longer than 8 specs", chain},
		{"3.5.yaml", "version 2 differs from version 1 of common.yaml, which this spec extends", map[string]string{"common.yaml": common, "3.5.yaml": "version: 2\nextends: common.yaml\n"}},
		{"3.5.yaml", "the spec has no version, and common.yaml, which it extends, has version 1", map[string]string{"common.yaml": common, "3.5.yaml": "extends: common.yaml\n"}},
		{"3.5.yaml", `tool "x" is both removed and declared in this image; a tool declared here replaces the extended one of the same name: drop it from remove:, or from this image`,
			map[string]string{"common.yaml": common, "3.5.yaml": "version: 1\nextends: common.yaml\nimages:\n  builder:\n    remove: {tools: [x]}\n    tools: [{name: x}]\n"}},
		{"3.5.yaml", `image "new" is not in common.yaml, so there is nothing to remove`,
			map[string]string{"common.yaml": common, "3.5.yaml": "version: 1\nextends: common.yaml\nimages:\n  new:\n    base: b:1\n    remove: {tools: [x]}\n"}},
		{"common.yaml", "remove: drops what an extended spec has, and this spec extends none",
			map[string]string{"common.yaml": common + "    remove: {tools: [x]}\n"}},
	} {
		if !strings.Contains(doc, "`"+tc.want) {
			t.Errorf("docs/spec.md does not show %s", tc.want)
		}
		s, err := loadFiles(tc.files, tc.root)
		if err == nil {
			err = s.Validate(nil, Options{})
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v\nwant it to hold %s", tc.root, err, tc.want)
		}
	}
}
