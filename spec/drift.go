package spec

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// A drift source says where Istio's build-tools Dockerfile (or istio/proxy's
// .bazelversion) states the version of one of the spec's tools, for
// `builder drift`. The spec's top-level drift: maps tool names to sources;
// the build itself reads none of them.

// The kinds of drift source.
const (
	DriftEnv          = "env"
	DriftImage        = "image"
	DriftGo           = "go"
	DriftURL          = "url"
	DriftBazelVersion = "bazelversion"
	DriftNone         = "none"
)

// DriftSource is a parsed drift: value.
type DriftSource struct {
	// Kind is one of the Drift* constants.
	Kind string
	// Name is the variable (env), the image repository (image), the Go
	// package (go) or the URL template holding ${version} (url).
	Name string
	// Stage limits env to one stage of the Dockerfile; empty: any stage.
	Stage string
}

func (d DriftSource) String() string {
	switch {
	case d.Name == "":
		return d.Kind
	case d.Stage != "":
		return d.Kind + " " + d.Name + " in " + d.Stage
	}
	return d.Kind + " " + d.Name
}

var (
	driftVarRe   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	driftStageRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`)
	driftImageRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._/-]*$`)
	driftPkgRe   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~+-]*(/[A-Za-z0-9._~+-]+)*$`)
)

// driftForms is how each kind is written, for the hints.
var driftForms = map[string][2]string{
	DriftEnv:          {"env NAME [in STAGE]", "env GCLOUD_VERSION"},
	DriftImage:        {"image NAME", "image golang"},
	DriftGo:           {"go PACKAGE", "go golang.org/x/tools/cmd/goimports"},
	DriftURL:          {"url URL", "url https://github.com/NobodyXu/su-exec/archive/refs/tags/v${version}.tar.gz"},
	DriftBazelVersion: {"bazelversion", "bazelversion"},
	DriftNone:         {"none", "none"},
}

const driftKindsHint = "write env NAME [in STAGE], image NAME, go PACKAGE, url URL, bazelversion or none"

// driftError is a drift: value that is not a source: what is wrong and
// what to write.
type driftError struct{ msg, hint string }

func (e *driftError) Error() string { return e.msg + "; " + e.hint }

// ParseDriftSource reads one value of drift:.
func ParseDriftSource(text string) (DriftSource, error) {
	words := strings.Fields(text)
	if len(words) == 0 {
		return DriftSource{}, &driftError{"the drift source is empty", driftKindsHint}
	}
	kind := words[0]
	form, ok := driftForms[kind]
	if !ok {
		kinds := make([]string, 0, len(driftForms))
		for k := range driftForms {
			kinds = append(kinds, k)
		}
		hint := driftKindsHint
		if s := closest(kind, kinds); s != "" {
			hint = fmt.Sprintf("did you mean %s? %s", form2(s), driftKindsHint)
		}
		return DriftSource{}, &driftError{fmt.Sprintf("drift source %s has the unknown kind %s", quoteShort(text), quoteShort(kind)), hint}
	}
	bad := &driftError{fmt.Sprintf("drift source %s is not of the form %s", quoteShort(text), form[0]), "e.g. " + form[1]}
	d := DriftSource{Kind: kind}
	switch kind {
	case DriftBazelVersion, DriftNone:
		if len(words) != 1 {
			return DriftSource{}, bad
		}
		return d, nil
	case DriftEnv:
		if len(words) != 2 && (len(words) != 4 || words[2] != "in") {
			return DriftSource{}, bad
		}
		if !driftVarRe.MatchString(words[1]) {
			return DriftSource{}, &driftError{fmt.Sprintf("drift source env: %s is not a variable name", quoteShort(words[1])), "an ENV or ARG name is letters, digits and _, e.g. env GCLOUD_VERSION"}
		}
		d.Name = words[1]
		if len(words) == 4 {
			if !driftStageRe.MatchString(words[3]) {
				return DriftSource{}, &driftError{fmt.Sprintf("drift source env: %s is not a stage name", quoteShort(words[3])), "name a stage of the Dockerfile (FROM … AS NAME), e.g. env DOCKER_VERSION in base_os_context"}
			}
			d.Stage = strings.ToLower(words[3])
		}
		return d, nil
	}
	if len(words) != 2 {
		return DriftSource{}, bad
	}
	d.Name = words[1]
	switch kind {
	case DriftImage:
		if !driftImageRe.MatchString(d.Name) || strings.ContainsAny(d.Name, ":@") {
			return DriftSource{}, &driftError{fmt.Sprintf("drift source image: %s is not an image name", quoteShort(d.Name)), "name the repository without a tag, e.g. image golang"}
		}
	case DriftGo:
		if !driftPkgRe.MatchString(d.Name) {
			return DriftSource{}, &driftError{fmt.Sprintf("drift source go: %s is not an import path", quoteShort(d.Name)), "write the package alone, without @version, e.g. go golang.org/x/tools/cmd/goimports"}
		}
	case DriftURL:
		if !strings.HasPrefix(d.Name, "https://") && !strings.HasPrefix(d.Name, "http://") {
			return DriftSource{}, &driftError{fmt.Sprintf("drift source url: %s is not a URL", quoteShort(d.Name)), "write the URL as the Dockerfile spells it, with ${version} for the version"}
		}
		if strings.Count(d.Name, "${version}") != 1 {
			return DriftSource{}, &driftError{fmt.Sprintf("drift source url: %s must hold ${version} once", quoteShort(d.Name)), "write ${version} where the Dockerfile's URL holds the version, e.g. " + form[1]}
		}
	}
	return d, nil
}

func form2(kind string) string { return driftForms[kind][0] }

// DriftSources returns the spec's drift: entries, parsed, and the problems
// of those that are not sources, located at their keys.
func (s *Spec) DriftSources() (map[string]DriftSource, ErrorList) {
	out := make(map[string]DriftSource, len(s.Drift))
	var errs ErrorList
	keys := make([]string, 0, len(s.Drift))
	for k := range s.Drift {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := Path{"drift", k}
		if !nameRe.MatchString(k) {
			errs = append(errs, s.Errorf(p, "the keys of drift are names of the image's tools and Go tools", "drift key %s is not a tool name", quoteShort(k)))
			continue
		}
		d, err := ParseDriftSource(s.Drift[k])
		if de, ok := err.(*driftError); ok {
			errs = append(errs, s.Errorf(p, de.hint, "tool %q: %s", k, de.msg))
			continue
		}
		out[k] = d
	}
	return out, errs
}
