package lint_test

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/maistra/builder-frontend/lint"
	"github.com/maistra/builder-frontend/spec"
)

// TestFindingsInExtendedFiles: a finding in a file the spec extends is
// located there, and ends with the extends: lines that pulled the file in,
// in the words of a spec error.
func TestFindingsInExtendedFiles(t *testing.T) {
	files := map[string]string{
		// common.yaml: the tool's url (line 8) is plain http.
		"common.yaml": `version: 1
platforms: [linux/amd64, linux/arm64]
images:
  builder:
    base: example.com/base:1
    tools:
      - name: helm
        url: http://example.com/helm-${version}-linux-${arch}.tar.gz
        allowHTTP: true
        version: v3.16.0
        sha256:
          linux/amd64: ` + sumA + `
          linux/arm64: ` + sumB + `
        dest: /usr/local/bin
`,
		"3.5.yaml": "version: 1\nextends: common.yaml\n",
		// 3.6.yaml: an arg nothing uses (line 4).
		"3.6.yaml": "version: 1\nextends: 3.5.yaml\nargs:\n  UNUSED: x\n",
	}
	s, err := spec.Load("3.6.yaml", []byte(files["3.6.yaml"]), func(name string) ([]byte, error) {
		if d, ok := files[name]; ok {
			return []byte(d), nil
		}
		return nil, fs.ErrNotExist
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range lint.Check(s, lint.Options{}) {
		got = append(got, f.String())
	}
	want := []string{
		`3.6.yaml:4:3: UnusedArg: arg UNUSED is declared but no field uses ${UNUSED} and no run step or check reads $UNUSED; remove it, or use it`,
		`common.yaml:8:9: PlainHTTP: tool "helm" is downloaded over plain http (http://example.com); the sha256 still guards the content, but use https:// where the server offers it (common.yaml is extended by 3.5.yaml:2:10, which is extended by 3.6.yaml:2:10)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
