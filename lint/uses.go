package lint

import (
	"fmt"
	"regexp"

	"github.com/maistra/builder-frontend/spec"
)

// Use is one place of the spec that refers to an arg.
type Use struct {
	Image string
	// Path is the field that refers to the arg.
	Path spec.Path
	// Where names the field for a reader: `tool "helm" url`, `run step 2`.
	Where string
	// Run is set for a run step or a check, which see args as environment
	// variables.
	Run bool
}

// shellVarRe finds $NAME and ${NAME} in a run step.
var shellVarRe = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// ArgUses returns, for each arg the spec declares, the fields that use it,
// in the given image ("" for every image): the templates the resolver
// expands (spec.Templates), then the run steps and the checks. Args with
// no use map to nil.
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
		for _, t := range s.Templates(name) {
			for _, ref := range t.Refs {
				if _, ok := s.Args[ref]; ok {
					out[ref] = append(out[ref], Use{Image: name, Path: t.Path, Where: t.Where})
				}
			}
		}
		// Run steps and checks see the args as environment variables.
		shell := func(command string, p spec.Path, where string) {
			seen := map[string]bool{}
			for _, m := range shellVarRe.FindAllStringSubmatch(command, -1) {
				if _, ok := s.Args[m[1]]; ok && !seen[m[1]] {
					seen[m[1]] = true
					out[m[1]] = append(out[m[1]], Use{Image: name, Path: p, Where: where, Run: true})
				}
			}
		}
		for i, st := range img.Run {
			if st != nil {
				shell(st.Command, spec.Path{"images", name, "run", fmt.Sprint(i)}, fmt.Sprintf("run step %d", i+1))
			}
		}
		for i, t := range img.Tools {
			if t != nil {
				shell(t.Check, spec.Path{"images", name, "tools", fmt.Sprint(i), "check"}, fmt.Sprintf("tool %q check", t.Name))
			}
		}
		for i, t := range img.GoTools {
			if t != nil {
				shell(t.Check, spec.Path{"images", name, "goTools", fmt.Sprint(i), "check"}, fmt.Sprintf("Go tool %q check", t.Name))
			}
		}
	}
	return out
}
