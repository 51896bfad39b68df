package drift

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/distribution/reference"

	"github.com/maistra/builder-frontend/spec"
)

// The status of a row.
const (
	// Same: the versions agree (a leading v aside; a short commit agrees
	// with a long one it starts).
	Same = "same"
	// Differs: the versions do not agree.
	Differs = "differs"
	// SpecOnly: the spec has the tool, Istio's files state no version for
	// its source (or the tool has no source).
	SpecOnly = "spec only"
	// IstioOnly: the spec's drift: names a tool the image does not have,
	// and Istio states its version.
	IstioOnly = "istio only"
	// Unpinned: Istio does not fix the version (@latest, or an ARG the
	// build passes in).
	Unpinned = "unpinned"
	// Ambiguous: Istio states several versions for the source (per stage
	// or per architecture); `env NAME in STAGE` picks one.
	Ambiguous = "ambiguous"
	// Skipped: the source is a file that was not given.
	Skipped = "skipped"
	// Untracked: a version Istio states that no tool of the spec maps to
	// (listed with --all only).
	Untracked = "untracked"
)

// Row is one tool compared.
type Row struct {
	// Tool is the spec's tool or Go tool ("" for an untracked row).
	Tool string `json:"tool,omitempty"`
	// Kind is "tool" or "go tool" ("" for an untracked row).
	Kind string `json:"kind,omitempty"`
	// Source is where Istio's version is read ("" when the tool has none).
	Source string `json:"source,omitempty"`
	// Spec is the spec's version, with its arg defaults.
	Spec string `json:"spec,omitempty"`
	// Istio is Istio's version; IstioValues its versions when several.
	Istio       string   `json:"istio,omitempty"`
	IstioValues []string `json:"istioValues,omitempty"`
	Status      string   `json:"status"`
	// At is FILE:LINE of Istio's (first) value.
	At string `json:"at,omitempty"`
	// Note says what to do about a row that is not the same.
	Note string `json:"note,omitempty"`

	// versionPath is the spec field that holds the tool's version.
	versionPath spec.Path
}

// Counts reports whether the row is drift a CI job fails on.
func (r Row) Counts() bool {
	switch r.Status {
	case Differs, SpecOnly, IstioOnly, Ambiguous:
		return true
	}
	return false
}

// Inputs are Istio's files; either may be nil (not given).
type Inputs struct {
	Dockerfile *Dockerfile
	Bazel      *BazelVersion
}

// Report is one image of a spec compared with Istio.
type Report struct {
	Image string `json:"image"`
	Rows  []Row  `json:"tools"`
}

// Drift reports whether any row counts.
func (r *Report) Drift() bool {
	for _, row := range r.Rows {
		if row.Counts() {
			return true
		}
	}
	return false
}

// Compare compares the versions of image's tools and Go tools with Istio's.
// Each tool's source is the spec's drift: entry, else the default table's,
// else, for a Go tool, go PACKAGE. With all, the versions Istio states that
// no tool maps to are listed too (Untracked). Spec errors (a drift: value
// that is no source, a version that does not expand) come back as a
// spec.ErrorList.
func Compare(s *spec.Spec, image string, in Inputs, all bool) (*Report, error) {
	own, errs := s.DriftSources()
	if len(errs) > 0 {
		return nil, errs.Sorted()
	}
	img := s.Images[image]
	if img == nil {
		return nil, fmt.Errorf("the spec has no image %q", image)
	}
	platform := spec.DefaultBuildPlatform
	if p := s.DefaultPlatforms(); len(p) > 0 {
		platform = p[0]
	}
	rep := &Report{Image: image}
	used := map[string]bool{}
	have := map[string]bool{}
	var serrs spec.ErrorList
	add := func(name, kind, pkg string, p spec.Path) {
		have[name] = true
		version, err := s.ExpandField(p, platform, nil)
		if err != nil {
			if l, ok := err.(spec.ErrorList); ok {
				serrs = append(serrs, l...)
				return
			}
			serrs = append(serrs, s.Source.Errorf(p, "", "%v", err))
			return
		}
		src, ok := own[name]
		if !ok {
			src, ok = parsedDefaults[name]
		}
		if !ok && pkg != "" {
			src, ok = spec.DriftSource{Kind: spec.DriftGo, Name: pkg}, true
		}
		row := Row{Tool: name, Kind: kind, Spec: version, versionPath: p}
		if !ok {
			row.Status = SpecOnly
			row.Note = fmt.Sprintf("no drift source; map it under drift: (e.g. %s: env NAME), or %s: none to leave it out", name, name)
			rep.Rows = append(rep.Rows, row)
			return
		}
		if src.Kind == spec.DriftNone {
			return
		}
		used[src.String()] = true
		in.fill(&row, src, true)
		rep.Rows = append(rep.Rows, row)
	}
	for i, t := range img.Tools {
		if t != nil {
			add(t.Name, "tool", "", spec.Path{"images", image, "tools", fmt.Sprint(i), "version"})
		}
	}
	for i, t := range img.GoTools {
		if t != nil {
			pkg, _ := s.ExpandField(spec.Path{"images", image, "goTools", fmt.Sprint(i), "package"}, platform, nil)
			add(t.Name, "go tool", pkg, spec.Path{"images", image, "goTools", fmt.Sprint(i), "version"})
		}
	}
	if len(serrs) > 0 {
		return nil, serrs.Sorted()
	}
	// What the spec tracks but does not have.
	names := make([]string, 0, len(own))
	for n := range own {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		src := own[n]
		if have[n] || src.Kind == spec.DriftNone {
			continue
		}
		used[src.String()] = true
		row := Row{Tool: n}
		in.fill(&row, src, false)
		if row.Status == IstioOnly {
			row.Note = "the spec tracks it under drift: but the image does not have it"
			rep.Rows = append(rep.Rows, row)
		}
	}
	if all {
		rep.Rows = append(rep.Rows, in.untracked(used)...)
	}
	return rep, nil
}

// found is one version Istio states for a source.
type found struct {
	value string
	at    string
	unset bool
}

// fill sets the row's Istio side and status for source src; hasSpec tells
// whether the image has the tool.
func (in Inputs) fill(row *Row, src spec.DriftSource, hasSpec bool) {
	row.Source = src.String()
	vals, skipped := in.lookup(src)
	switch {
	case skipped:
		row.Status = Skipped
		if src.Kind == spec.DriftBazelVersion {
			row.Note = "pass --bazelversion FILE|URL to compare it"
		} else {
			row.Note = "pass --istio FILE|URL to compare it"
		}
		return
	case len(vals) == 0:
		row.Status = SpecOnly
		row.Note = "Istio's files state no version for " + src.String()
		return
	}
	row.At = vals[0].at
	if len(vals) > 1 {
		row.Status = Ambiguous
		var where []string
		for _, v := range vals {
			row.IstioValues = append(row.IstioValues, v.value)
			where = append(where, v.value+" at "+v.at)
		}
		row.Istio = strings.Join(row.IstioValues, ", ")
		row.Note = "Istio states several versions (" + strings.Join(where, "; ") + ")"
		if src.Kind == spec.DriftEnv {
			row.Note += "; name the stage: env " + src.Name + " in STAGE"
		}
		return
	}
	row.Istio = vals[0].value
	switch {
	case vals[0].unset:
		row.Status = Unpinned
		row.Note = "Istio does not pin it: the version is set when its image is built"
	case !hasSpec:
		row.Status = IstioOnly
	case SameVersion(row.Spec, row.Istio):
		row.Status = Same
	default:
		row.Status = Differs
	}
}

// lookup returns the distinct versions Istio states for src, in file
// order; skipped when src reads a file that was not given.
func (in Inputs) lookup(src spec.DriftSource) (vals []found, skipped bool) {
	if src.Kind == spec.DriftBazelVersion {
		if in.Bazel == nil {
			return nil, true
		}
		return []found{{value: in.Bazel.Version, at: fmt.Sprintf("%s:%d", in.Bazel.File, in.Bazel.Line)}}, false
	}
	if in.Dockerfile == nil {
		return nil, true
	}
	var match func(f Finding) (string, bool)
	switch src.Kind {
	case spec.DriftEnv:
		match = func(f Finding) (string, bool) {
			return f.Value, f.Kind == spec.DriftEnv && f.Name == src.Name && (src.Stage == "" || f.Stage == src.Stage)
		}
	case spec.DriftImage:
		want := imageName(src.Name)
		match = func(f Finding) (string, bool) {
			if f.Kind != spec.DriftImage || imageName(f.Name) != want {
				return "", false
			}
			v, _, _ := strings.Cut(f.Value, "-")
			return v, true
		}
	case spec.DriftGo:
		match = func(f Finding) (string, bool) { return f.Value, f.Kind == spec.DriftGo && f.Name == src.Name }
	case spec.DriftURL:
		re := urlPattern(src.Name)
		match = func(f Finding) (string, bool) {
			if f.Kind != spec.DriftURL {
				return "", false
			}
			m := re.FindStringSubmatch(f.Value)
			if m == nil {
				return "", false
			}
			return m[1], true
		}
	default:
		return nil, false
	}
	seen := map[string]bool{}
	for _, f := range in.Dockerfile.Findings {
		v, ok := match(f)
		if !ok || seen[v] {
			continue
		}
		seen[v] = true
		vals = append(vals, found{value: v, at: fmt.Sprintf("%s:%d", in.Dockerfile.File, f.Line), unset: f.Unset || strings.Contains(v, "$")})
	}
	return vals, false
}

// imageName is a repository's full name (docker.io/library/golang for
// golang), so that both spellings match.
func imageName(n string) string {
	if ref, err := reference.ParseNormalizedNamed(n); err == nil {
		return ref.Name()
	}
	return n
}

// urlPattern turns a url source's template into a pattern over the whole
// URL: ${version} is the version, any other ${...} whatever the Dockerfile
// has there (an arch, or a shell variable it did not expand).
func urlPattern(tmpl string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for tmpl != "" {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(regexp.QuoteMeta(tmpl))
			break
		}
		b.WriteString(regexp.QuoteMeta(tmpl[:i]))
		j := strings.Index(tmpl[i:], "}")
		if j < 0 {
			b.WriteString(regexp.QuoteMeta(tmpl[i:]))
			break
		}
		if tmpl[i:i+j+1] == "${version}" {
			b.WriteString(`([A-Za-z0-9._+~-]+?)`)
		} else {
			b.WriteString(`.*?`)
		}
		tmpl = tmpl[i+j+1:]
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// untracked lists the versions Istio states that no source used: ENV and
// ARG values named *_VERSION, and go install lines.
func (in Inputs) untracked(used map[string]bool) []Row {
	if in.Dockerfile == nil {
		return nil
	}
	var rows []Row
	done := map[string]bool{}
	for _, f := range in.Dockerfile.Findings {
		var src spec.DriftSource
		switch {
		case f.Kind == spec.DriftEnv && strings.HasSuffix(f.Name, "_VERSION"):
			src = spec.DriftSource{Kind: spec.DriftEnv, Name: f.Name}
		case f.Kind == spec.DriftGo:
			src = spec.DriftSource{Kind: spec.DriftGo, Name: f.Name}
		default:
			continue
		}
		if used[src.String()] || done[src.String()] {
			continue
		}
		done[src.String()] = true
		row := Row{}
		in.fill(&row, src, false)
		row.Status, row.Note = Untracked, ""
		rows = append(rows, row)
	}
	return rows
}

var hexRe = regexp.MustCompile(`^[0-9a-f]{7,64}$`)

// SameVersion reports whether two spellings name the same version: equal
// but for a leading v before a digit (Istio writes KUBECTL_VERSION=1.35.1
// for the tag v1.35.1), or two commits one of which starts the other.
func SameVersion(a, b string) bool {
	a, b = trimV(a), trimV(b)
	if a == b {
		return true
	}
	if hexRe.MatchString(a) && hexRe.MatchString(b) {
		return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
	}
	return false
}

func trimV(v string) string {
	if len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		return v[1:]
	}
	return v
}
