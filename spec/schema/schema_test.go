package schema

import (
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
