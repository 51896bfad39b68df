package drift

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/maistra/builder-frontend/spec"
)

// Write is one value `builder drift --write` puts into the spec so that a
// tool's version becomes Istio's.
type Write struct {
	// Tools are the tools whose rows ask for it.
	Tools []string
	// Path is the field written: args.NAME (the arg's default, for a
	// version such as ${GCLOUD_VERSION} or v${YQ_VERSION}) or the tool's
	// version field (for a literal version).
	Path spec.Path
	// Arg is NAME when Path is an arg.
	Arg      string
	Old, New string
}

// writableRe is what --write puts into a spec: a version, as Istio's
// files spell them (5:29.3.0-1~ubuntu.24.04~noble included), never text
// that would need YAML escapes.
var writableRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~:/@-]{0,127}$`)

// Plan returns the writes that give every tool whose version differs
// Istio's, keeping the spec's leading v (or its absence), and a note for
// each such tool it cannot write.
func Plan(s *spec.Spec, image string, rows []Row) ([]Write, []string) {
	templates := map[string]*spec.Template{}
	for _, t := range s.Templates(image) {
		templates[strings.Join(t.Path, "\x00")] = t
	}
	var writes []*Write
	var notes []string
	byPath := map[string]*Write{}
	conflicts := map[string]bool{}
	for _, r := range rows {
		if r.Status != Differs {
			continue
		}
		want := styled(r.Istio, r.Spec)
		t := templates[strings.Join(r.versionPath, "\x00")]
		var w *Write
		switch {
		case !writableRe.MatchString(want):
			notes = append(notes, fmt.Sprintf("tool %q: Istio's version %s is not one builder drift writes; check %s", r.Tool, quote(want), r.At))
			continue
		case t == nil:
			notes = append(notes, fmt.Sprintf("tool %q: its version has no text to write; set it by hand to %s", r.Tool, want))
			continue
		case len(t.Refs) == 0 && !strings.Contains(t.Text, "$"):
			w = &Write{Path: r.versionPath, Old: t.Text, New: want}
		default:
			arg, val, ok := argValue(s, t, want)
			if !ok {
				notes = append(notes, fmt.Sprintf("tool %q: its version %s is not one arg with fixed text around it, so Istio's %s cannot be put in; edit it by hand", r.Tool, quote(t.Text), want))
				continue
			}
			w = &Write{Path: spec.Path{"args", arg}, Arg: arg, Old: s.Args[arg].Default, New: val}
		}
		w.Tools = []string{r.Tool}
		k := strings.Join(w.Path, "\x00")
		prev, dup := byPath[k]
		switch {
		case !dup:
			byPath[k] = w
			writes = append(writes, w)
		case prev.New == w.New:
			prev.Tools = append(prev.Tools, r.Tool)
		default:
			conflicts[k] = true
			notes = append(notes, fmt.Sprintf("tools %q and %q share %s, and Istio gives them different versions (%s, %s); give them args of their own", prev.Tools[0], r.Tool, strings.Join(w.Path, "."), prev.New, w.New))
		}
	}
	out := make([]Write, 0, len(writes))
	for _, w := range writes {
		if !conflicts[strings.Join(w.Path, "\x00")] {
			out = append(out, *w)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.Join(out[i].Path, ".") < strings.Join(out[j].Path, ".") })
	return out, notes
}

// argValue returns the arg whose value makes template t expand to want:
// t is PREFIX${ARG}SUFFIX with literal text around one arg.
func argValue(s *spec.Spec, t *spec.Template, want string) (arg, val string, ok bool) {
	if len(t.Refs) != 1 {
		return "", "", false
	}
	arg = t.Refs[0]
	if _, declared := s.Args[arg]; !declared {
		return "", "", false
	}
	ref := "${" + arg + "}"
	prefix, suffix, found := strings.Cut(t.Text, ref)
	if !found || strings.Contains(prefix+suffix, "$") || !strings.HasPrefix(want, prefix) || !strings.HasSuffix(want, suffix) || len(want) <= len(prefix)+len(suffix) {
		return "", "", false
	}
	return arg, want[len(prefix) : len(want)-len(suffix)], true
}

// styled is Istio's version spelt as the spec spells its own: with a
// leading v, or without.
func styled(istio, own string) string {
	switch {
	case trimV(own) != own && istio != "" && istio[0] >= '0' && istio[0] <= '9':
		return "v" + istio
	case trimV(own) == own && trimV(istio) != istio:
		return trimV(istio)
	}
	return istio
}
