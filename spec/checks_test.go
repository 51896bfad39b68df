package spec

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

const checkSpec = `version: 1
platforms: [linux/amd64, linux/arm64]
images:
  b:
    base: scratch
    tools:
      - name: go
        version: "1.23.6"
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: "1111111111111111111111111111111111111111111111111111111111111111"
          linux/arm64: "2222222222222222222222222222222222222222222222222222222222222222"
        strip: 1
        dest: /usr/local/go
        check: go version
      - name: amd64-only
        version: "1"
        url: https://example.com/x
        sha256: {linux/amd64: "3333333333333333333333333333333333333333333333333333333333333333"}
        dest: /usr/bin/x
        platforms: [linux/amd64]
        check: x --version
    goTools:
      - name: goimports
        package: golang.org/x/tools/cmd/goimports
        version: v0.29.0
        check: |
          echo 'package p' | goimports
`

// TestResolveChecks: a tool's and a Go tool's check: reach the resolved
// image of each platform the tool is built for, as written (not a
// template), with their place in the spec.
func TestResolveChecks(t *testing.T) {
	s, err := Parse("builder.yaml", []byte(checkSpec))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		platform string
		want     []string
	}{
		{"linux/amd64", []string{"go: go version @15", "amd64-only: x --version @22", "goimports: echo 'package p' | goimports\n @27"}},
		{"linux/arm64", []string{"go: go version @15", "goimports: echo 'package p' | goimports\n @27"}},
	} {
		r, err := s.Resolve(c.platform, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tl := range r.Tools {
			got = append(got, tl.Name+": "+tl.Check+" @"+strconv.Itoa(tl.CheckRange.Start.Line))
		}
		for _, g := range r.GoTools {
			got = append(got, g.Name+": "+g.Check+" @"+strconv.Itoa(g.CheckRange.Start.Line))
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s:\n got %q\nwant %q", c.platform, got, c.want)
		}
	}
}

// checkErrors are the errors of check:, as docs/spec.md shows them.
var checkErrors = []struct{ from, to, want string }{
	{"        check: go version\n", "        check: \" \"\n", `builder.yaml:15:9: tool "go": check is blank; write the command that shows the tool starts, e.g. bazel --version, or remove check:`},
	{"        check: |\n          echo 'package p' | goimports\n", "        check: \"\\t\"\n", `builder.yaml:27:9: Go tool "goimports": check is blank; write the command that shows the tool starts, e.g. bazel --version, or remove check:`},
	{"        check: go version\n", "        check: [go, version]\n", `builder.yaml:15:16: images.b.tools[0].check: expected a string, found a list; write a single value; quote text that starts with [ or {`},
}

func TestCheckErrors(t *testing.T) {
	doc, err := os.ReadFile("../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checkErrors {
		s, err := Parse("builder.yaml", []byte(strings.Replace(checkSpec, c.from, c.to, 1)))
		if err == nil {
			err = s.Validate(nil, Options{})
		}
		if err == nil || err.Error() != c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.to, err, c.want)
		}
		if msg := c.want[strings.Index(c.want, ": ")+2:]; !strings.Contains(string(doc), msg) {
			t.Errorf("docs/spec.md does not show %s", msg)
		}
	}
}
