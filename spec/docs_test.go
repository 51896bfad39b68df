package spec

import (
	"crypto/sha256"
	"fmt"
	"os"
	"strings"
	"testing"
)

// completeExample is docs/spec.md's complete example (section 1), with a
// real-looking digest in place of each "<sha256 of FILE>".
func completeExample(t *testing.T) (doc, example string) {
	t.Helper()
	b, err := os.ReadFile("../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	doc = string(b)
	sec := doc[strings.Index(doc, "\n## 1. A complete example\n"):]
	start := strings.Index(sec, "```yaml\n") + len("```yaml\n")
	example = sec[start : start+strings.Index(sec[start:], "```\n")]
	example = placeholders.ReplaceAllStringFunc(example, func(m string) string {
		return fmt.Sprintf("%x", sha256.Sum256([]byte(m)))
	})
	return doc, example
}

// TestDocsErrors: the errors docs/spec.md's section 8 shows for changes to
// the complete example are the ones the code reports, word for word.
func TestDocsErrors(t *testing.T) {
	doc, example := completeExample(t)
	// line replaces old by new on line n; an empty new drops the line.
	line := func(n int, old, new string) string {
		lines := strings.Split(example, "\n")
		if !strings.Contains(lines[n-1], old) {
			t.Fatalf("line %d of the complete example is %q, without %q", n, lines[n-1], old)
		}
		lines[n-1] = strings.Replace(lines[n-1], old, new, 1)
		if new == "" {
			lines = append(lines[:n-1], lines[n:]...)
		}
		return strings.Join(lines, "\n")
	}
	for _, tc := range []struct {
		name      string
		yaml      string
		platforms []string
		opts      Options
		want      string
	}{
		{name: "the example as it is", yaml: example, platforms: []string{"linux/amd64", "linux/arm64"}},
		{name: "typo in a field name", yaml: line(44, "sha256:", "sha265:"),
			want: `builder.yaml:44:9: unknown field "sha265"; did you mean "sha256"?`},
		{name: "version written as a number", yaml: line(8, `default: "1.23.6"`, "default: 1.20"),
			want: `builder.yaml:8:14: YAML reads 1.20 as the number 1.2; write "1.20" in quotes`},
		{name: "build-arg that moves a version pinned in the platform form", yaml: example, opts: Options{BuildArgs: map[string]string{"HELM_VERSION": "v3.17.0"}},
			want: `builder.yaml:85:9: tool "helm": version v3.17.0 (from a build-arg) has no sha256; the spec pins v3.16.3; add a sha256."v3.17.0" mapping of platforms to its checksums (pinned versions: v3.16.3)`},
		{name: "Go toolchain problem of the build platform only", yaml: line(45, "linux/amd64:", ""), platforms: []string{"linux/arm64"}, opts: Options{BuildPlatform: "linux/amd64"},
			want: `builder.yaml:44:9: tool "go" has no artifact for linux/amd64: no sha256 for that platform (Go tools compile with the linux/amd64 toolchain: linux/amd64 is the build platform); add sha256.linux/amd64 with the artifact's sha256 (builder lock writes it), or limit the tool with platforms:`},
		{name: "unknown template name", yaml: line(54, "bazel-${version}-linux-${arch}", "bazel-${VERSION}-linux-${arch}"),
			want: `builder.yaml:54:9: unknown name ${VERSION}; did you mean ${version}? Otherwise declare VERSION under args`},
		{name: "a platform the spec was not written for", yaml: example, platforms: []string{"linux/amd64", "linux/arm64", "linux/ppc64le"}, want: `8 problems in builder.yaml:
  builder.yaml:44:9: tool "go" has no artifact for linux/ppc64le: no sha256 for that platform; add sha256.linux/ppc64le with the artifact's sha256 (builder lock writes it), or limit the tool with platforms:
  builder.yaml:55:9: tool "bazel": arch scheme "bazel" has no name for linux/ppc64le; add linux/ppc64le under arches.bazel, or limit the tool with platforms:
  builder.yaml:64:9: tool "clang-llvm": arch scheme "llvm" has no name for linux/ppc64le; add linux/ppc64le under arches.llvm, or limit the tool with platforms:
  builder.yaml:75:9: tool "protoc": arch scheme "protoc" has no name for linux/ppc64le; add linux/ppc64le under arches.protoc, or limit the tool with platforms:
  builder.yaml:85:9: tool "helm" has no artifact for linux/ppc64le: no sha256 for that platform; add sha256.linux/ppc64le with the artifact's sha256 (builder lock writes it), or limit the tool with platforms:
  builder.yaml:96:9: tool "kubectl" has no artifact for linux/ppc64le: no sha256 for that platform; add sha256.linux/ppc64le with the artifact's sha256 (builder lock writes it), or limit the tool with platforms:
  builder.yaml:105:9: tool "shellcheck" has no artifact for linux/ppc64le: no sha256 for that platform; add sha256.linux/ppc64le with the artifact's sha256 (builder lock writes it), or limit the tool with platforms:
  builder.yaml:115:9: tool "gcloud": arch scheme "gcloud" has no name for linux/ppc64le; add linux/ppc64le under arches.gcloud, or limit the tool with platforms:`},
		{name: "YAML type error", yaml: line(165, "entrypoint: [/usr/local/bin/docker-entrypoint]", "entrypoint: /usr/local/bin/docker-entrypoint"),
			want: `builder.yaml:165:17: images.builder.entrypoint: expected a list of strings, found "/usr/local/bin/docker-entrypoint"; write [a, b], or one "- item" per line`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want != "" && !strings.Contains(doc, "```\n"+tc.want+"\n```\n") {
				t.Errorf("docs/spec.md does not show this error as a block of its own:\n%s", tc.want)
			}
			s, err := Parse("builder.yaml", []byte(tc.yaml))
			if err == nil {
				err = s.Validate(tc.platforms, tc.opts)
			}
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}
