package frontend

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerui"
	lintreq "github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/frontend/subrequests/outline"
	"github.com/moby/buildkit/frontend/subrequests/targets"
	"github.com/moby/buildkit/solver/pb"

	"github.com/maistra/builder-frontend/internal/english"
	"github.com/maistra/builder-frontend/lint"
	"github.com/maistra/builder-frontend/spec"
)

// subrequests answers buildx --call: targets lists the spec's images,
// outline the args of one image (with where each is used), lint (--check)
// the spec's errors and the lint rules' findings.
func subrequests(s *spec.Spec, bc *dockerui.Client) dockerui.RequestHandler {
	return dockerui.RequestHandler{
		ListTargets: func(ctx context.Context) (*targets.List, error) {
			return specTargets(s), nil
		},
		Outline: func(ctx context.Context) (*outline.Outline, error) {
			return specOutline(s, bc), nil
		},
		Lint: func(ctx context.Context) (*lintreq.LintResults, error) {
			return lintResults(s, bc)
		},
	}
}

// specTargets lists the spec's images, as --call targets shows them. It
// runs before validation: an image may be empty (`builder:` with no body).
func specTargets(s *spec.Spec) *targets.List {
	l := &targets.List{Sources: sourceTexts(s)}
	location := locations(s)
	for i, name := range s.ImageNames() {
		t := targets.Target{
			Name:        name,
			Default:     i == 0,
			Description: imageSummary(s.Images[name]),
			Location:    location(s.Range(spec.Path{"images", name})),
		}
		if img := s.Images[name]; img != nil {
			t.Base = img.Base
		}
		l.Targets = append(l.Targets, t)
	}
	return l
}

// imageSummary is one line about an image: what it installs.
func imageSummary(img *spec.Image) string {
	if img == nil {
		return "empty: a build fails until it has a base"
	}
	var parts []string
	if n := len(img.Tools); n > 0 {
		parts = append(parts, english.Plural(n, "tool"))
	}
	if n := len(img.GoTools); n > 0 {
		parts = append(parts, english.Plural(n, "Go tool"))
	}
	if img.Packages != nil {
		parts = append(parts, english.Plural(len(img.Packages.Install), img.Packages.Manager+" package"))
	}
	if n := len(img.Run); n > 0 {
		parts = append(parts, english.Plural(n, "run step"))
	}
	return strings.Join(parts, ", ")
}

// specOutline lists the args of the target image: the value a build would
// use (the default, or the --build-arg), the description, and where the
// image uses it. The location holds the declaration first, then each use.
func specOutline(s *spec.Spec, bc *dockerui.Client) *outline.Outline {
	name := bc.Target
	if name == "" {
		name = s.DefaultImage()
	}
	o := &outline.Outline{Name: name, Sources: sourceTexts(s)}
	location := locations(s)
	img := s.Images[name]
	if img != nil {
		o.Description = "base " + img.Base
		if sum := imageSummary(img); sum != "" {
			o.Description += "; " + sum
		}
		if from := fromWords(s, name); from != "" {
			o.Description += "; " + from
		}
	}
	uses := lint.ArgUses(s, name)
	values := s.ArgValues(bc.BuildArgs)
	names := make([]string, 0, len(s.Args))
	for k := range s.Args {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		a := s.Args[k]
		declared := s.Range(spec.Path{"args", k})
		loc := location(declared)
		var where []string
		for _, u := range uses[k] {
			if !slices.Contains(where, u.Where) {
				where = append(where, u.Where)
			}
			// A location has one file: uses in another file are left out.
			if ur := s.Range(u.Path); ur.File == declared.File && loc != nil {
				if l := location(ur); l != nil {
					loc.Ranges = append(loc.Ranges, l.Ranges...)
				}
			}
		}
		desc := a.Description
		usage := "not used by image " + name
		if len(where) > 0 {
			usage = "used by " + strings.Join(where, ", ")
		}
		if len(s.Sources()) > 1 {
			usage = "set in " + declared.File + "; " + usage
		}
		if desc != "" {
			desc += " (" + usage + ")"
		} else {
			desc = "(" + usage + ")"
		}
		o.Args = append(o.Args, outline.Arg{
			Name:        k,
			Value:       values[k],
			Description: desc,
			Location:    loc,
		})
	}
	if a, ok := checksArg(s, name, bc); ok {
		o.Args = append(o.Args, a)
	}
	if img != nil && len(img.GoTools) > 0 {
		o.Secrets = append(o.Secrets, outline.Secret{
			Name:     "netrc",
			Location: location(s.Range(spec.Path{"images", name, "goTools"})),
		})
	}
	if img != nil {
		seen := map[string]bool{}
		for i, t := range img.Tools {
			if t == nil || t.AuthSecret == "" || seen[t.AuthSecret] {
				continue
			}
			seen[t.AuthSecret] = true
			o.Secrets = append(o.Secrets, outline.Secret{
				Name:     t.AuthSecret,
				Required: true,
				Location: location(s.Range(spec.Path{"images", name, "tools", fmt.Sprint(i), "authSecret"})),
			})
		}
	}
	return o
}

// checksArg is BUILDER_CHECKS as --call outline lists it when the image has
// smoke checks: what each tool's check runs, located at the checks.
func checksArg(s *spec.Spec, image string, bc *dockerui.Client) (outline.Arg, bool) {
	img := s.Images[image]
	if img == nil {
		return outline.Arg{}, false
	}
	var list []string
	var loc *pb.Location
	location := locations(s)
	add := func(name, command string, p spec.Path) {
		if command == "" {
			return
		}
		list = append(list, fmt.Sprintf("%s: %s", name, command))
		if l := location(s.Range(p)); l != nil {
			if loc == nil {
				loc = l
			} else if l.SourceIndex == loc.SourceIndex { // a location has one file
				loc.Ranges = append(loc.Ranges, l.Ranges...)
			}
		}
	}
	for i, t := range img.Tools {
		if t != nil {
			add(t.Name, t.Check, spec.Path{"images", image, "tools", fmt.Sprint(i), "check"})
		}
	}
	for i, t := range img.GoTools {
		if t != nil {
			add(t.Name, t.Check, spec.Path{"images", image, "goTools", fmt.Sprint(i), "check"})
		}
	}
	if len(list) == 0 {
		return outline.Arg{}, false
	}
	value := "run"
	if v := bc.BuildArgs[argChecks]; v != "" {
		value = v
	}
	return outline.Arg{
		Name:        argChecks,
		Value:       value,
		Description: fmt.Sprintf("smoke checks, run in the finished image on every platform (skip: skips them): %s", strings.Join(list, "; ")),
		Location:    loc,
	}, true
}
