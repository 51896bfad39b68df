package schema

import (
	"regexp"
	"slices"
	"testing"

	"github.com/maistra/builder-frontend/spec"
)

// TestFormEnum: the schema offers exactly the spec's forms.
func TestFormEnum(t *testing.T) {
	form, ok := Generate().Definitions["Tool"].Properties.Get("form")
	if !ok {
		t.Fatal("the Tool schema has no form property")
	}
	var got []string
	for _, v := range form.Enum {
		got = append(got, v.(string))
	}
	if !slices.Equal(got, spec.Forms()) {
		t.Errorf("form enum %q, want spec.Forms() %q", got, spec.Forms())
	}
}

// TestDriftPattern: the schema's pattern takes every drift source the spec
// reads, and refuses one of no known kind.
func TestDriftPattern(t *testing.T) {
	drift, ok := Generate().Definitions["Spec"].Properties.Get("drift")
	if !ok || drift.AdditionalProperties == nil {
		t.Fatal("the Spec schema has no drift property")
	}
	re := regexp.MustCompile(drift.AdditionalProperties.Pattern)
	for _, v := range []string{"env GCLOUD_VERSION", "env DOCKER_VERSION in base_os_context", "image golang", "go k8s.io/test-infra/robots/pr-creator", "url https://x/v${version}.tgz", "bazelversion", "none"} {
		if _, err := spec.ParseDriftSource(v); err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if !re.MatchString(v) {
			t.Errorf("the pattern refuses %q", v)
		}
	}
	for _, v := range []string{"envv X", "ENV X", "bazel", "", "go"} {
		if re.MatchString(v) {
			t.Errorf("the pattern takes %q", v)
		}
	}
}
