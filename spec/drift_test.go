package spec

import (
	"os"
	"strings"
	"testing"
)

func TestParseDriftSource(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"env GCLOUD_VERSION", "env GCLOUD_VERSION"},
		{"  env   DOCKER_VERSION  in  Base_OS_Context ", "env DOCKER_VERSION in base_os_context"},
		{"image golang", "image golang"},
		{"image quay.io/fedora/fedora", "image quay.io/fedora/fedora"},
		{"go github.com/mikefarah/yq/v4", "go github.com/mikefarah/yq/v4"},
		{"url https://github.com/NobodyXu/su-exec/archive/refs/tags/v${version}.tar.gz", "url https://github.com/NobodyXu/su-exec/archive/refs/tags/v${version}.tar.gz"},
		{"bazelversion", "bazelversion"},
		{"none", "none"},
	} {
		d, err := ParseDriftSource(c.text)
		if err != nil || d.String() != c.want {
			t.Errorf("%q: %v, %v; want %s", c.text, d, err, c.want)
		}
	}
}

// driftErrors are the errors of drift: values, as docs/spec.md shows them.
var driftErrors = []struct{ value, want string }{
	{"envv GCLOUD_VERSION", `tool "t": drift source "envv GCLOUD_VERSION" has the unknown kind "envv"; did you mean env NAME [in STAGE]? write env NAME [in STAGE], image NAME, go PACKAGE, url URL, bazelversion or none`},
	{"ENV GCLOUD_VERSION", `tool "t": drift source "ENV GCLOUD_VERSION" has the unknown kind "ENV"; did you mean env NAME [in STAGE]? write env NAME [in STAGE], image NAME, go PACKAGE, url URL, bazelversion or none`},
	{"env", `tool "t": drift source "env" is not of the form env NAME [in STAGE]; e.g. env GCLOUD_VERSION`},
	{"env A in", `tool "t": drift source "env A in" is not of the form env NAME [in STAGE]; e.g. env GCLOUD_VERSION`},
	{"env GCLOUD-VERSION", `tool "t": drift source env: "GCLOUD-VERSION" is not a variable name; an ENV or ARG name is letters, digits and _, e.g. env GCLOUD_VERSION`},
	{"env A in 1st", `tool "t": drift source env: "1st" is not a stage name; name a stage of the Dockerfile (FROM … AS NAME), e.g. env DOCKER_VERSION in base_os_context`},
	{"image golang:1.26", `tool "t": drift source image: "golang:1.26" is not an image name; name the repository without a tag, e.g. image golang`},
	{"go golang.org/x/tools/cmd/goimports@v0.42.0", `tool "t": drift source go: "golang.org/x/tools/cmd/goimports@v0.42.0" is not an import path; write the package alone, without @version, e.g. go golang.org/x/tools/cmd/goimports`},
	{"url https://example.com/tool.tar.gz", `tool "t": drift source url: "https://example.com/tool.tar.gz" must hold ${version} once; write ${version} where the Dockerfile's URL holds the version, e.g. url https://github.com/NobodyXu/su-exec/archive/refs/tags/v${version}.tar.gz`},
	{"url example.com/${version}", `tool "t": drift source url: "example.com/${version}" is not a URL; write the URL as the Dockerfile spells it, with ${version} for the version`},
	{"bazelversion 8", `tool "t": drift source "bazelversion 8" is not of the form bazelversion; e.g. bazelversion`},
	{"", `tool "t": the drift source is empty; write env NAME [in STAGE], image NAME, go PACKAGE, url URL, bazelversion or none`},
}

// TestDriftErrors: a drift: value that is no source is a spec error at its
// key, in every build and in builder validate, with the texts docs/spec.md
// shows.
func TestDriftErrors(t *testing.T) {
	doc, err := os.ReadFile("../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range driftErrors {
		s, err := Parse("builder.yaml", []byte("version: 1\ndrift:\n  t: \""+strings.ReplaceAll(c.value, `"`, `\"`)+"\"\nimages:\n  b:\n    base: scratch\n"))
		if err != nil {
			t.Fatal(err)
		}
		err = s.Validate([]string{"linux/amd64"}, Options{})
		want := "builder.yaml:3:3: " + c.want
		if err == nil || err.Error() != want {
			t.Errorf("%q:\n got %v\nwant %s", c.value, err, want)
		}
		if !strings.Contains(string(doc), c.want) {
			t.Errorf("docs/spec.md does not show %s", c.want)
		}
	}
	s, err := Parse("builder.yaml", []byte("version: 1\ndrift:\n  Go: none\nimages:\n  b:\n    base: scratch\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := `builder.yaml:3:3: drift key "Go" is not a tool name; the keys of drift are names of the image's tools and Go tools`
	if err := s.Validate(nil, Options{}); err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if !strings.Contains(string(doc), strings.TrimPrefix(want, "builder.yaml:3:3: ")) {
		t.Errorf("docs/spec.md does not show %s", want)
	}
}
