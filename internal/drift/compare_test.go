package drift

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/maistra/builder-frontend/spec"
)

// specOf parses a spec for the tests; every tool gets the same fake URL
// and sha256, which Compare never reads.
func specOf(t *testing.T, text string) *spec.Spec {
	t.Helper()
	s, err := spec.Parse("builder.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rowsText is the report as "TOOL SPEC ISTIO STATUS SOURCE AT" lines.
func rowsText(rep *Report) string {
	var b strings.Builder
	for _, r := range rep.Rows {
		fmt.Fprintf(&b, "%s|%s|%s|%s|%s|%s\n", r.Tool, r.Spec, r.Istio, r.Status, r.Source, r.At)
	}
	return b.String()
}

const mappingDockerfile = `ARG GOLANG_IMAGE=docker.io/library/golang:1.26.5-bookworm
FROM ${GOLANG_IMAGE} AS tools
ARG COMMIT
ENV HELM_VERSION=v4.1.3
ENV KUBECTL_VERSION=1.35.1
ENV GCLOUD_VERSION=558.0.0
ENV SU_EXEC_VERSION=0.3.1
ENV INFRA=70b809241c9cf08ceb86a9a91ed1909e75e3378c
ENV BENCH=9c9101da8316
RUN go install golang.org/x/tools/cmd/goimports@v0.42.0 \
    k8s.io/test-infra/robots/pr-creator@${INFRA} \
    golang.org/x/perf/cmd/benchstat@${BENCH} \
    istio.io/tools/cmd/x@${COMMIT}
RUN wget https://example.com/rel/v2.5.0/tool-linux-$(uname -m).tar.gz
FROM ubuntu:noble AS os
ENV DOCKER_VERSION=29.3.0
FROM ubuntu:focal AS proxy
ENV DOCKER_VERSION=24.0.2
ENV SU_EXEC_VERSION=0.3.1
`

// TestCompareMapping: where each tool's version is read, in the order the
// rules give (the spec's drift: entry, the default table, go PACKAGE for a
// Go tool), and the status of each kind of row.
func TestCompareMapping(t *testing.T) {
	s := specOf(t, `version: 1
platforms: [linux/amd64]
args:
  GO_VERSION: "1.26.4"
  HELM_VERSION: v4.1.3
  KUBECTL_VERSION: v1.35.1
drift:
  helm: env HELM_VERSION          # the default, said again
  gcloud-cli: env GCLOUD_VERSION  # a tool the default table does not name
  docker: env DOCKER_VERSION in os
  docker-any: env DOCKER_VERSION
  tool: url https://example.com/rel/v${version}/tool-linux-${arch}.tar.gz
  ignored: none
  su-exec: env SU_EXEC_VERSION    # not in the image: tracked
  gone: env NOT_THERE             # neither side: not listed
images:
  b:
    base: example.com/b:1
    tools:
      - {name: go, version: "${GO_VERSION}", url: "https://example.com/go-${version}", sha256: {}, dest: /usr/local/go}
      - {name: helm, version: "${HELM_VERSION}", url: "https://example.com/h", sha256: {}, dest: /h}
      - {name: kubectl, version: "${KUBECTL_VERSION}", url: "https://example.com/k", sha256: {}, dest: /k}
      - {name: gcloud-cli, version: "550.0.0", url: "https://example.com/g", sha256: {}, dest: /g}
      - {name: docker, version: "29.3.0", url: "https://example.com/d", sha256: {}, dest: /d}
      - {name: docker-any, version: "29.3.0", url: "https://example.com/d", sha256: {}, dest: /d2}
      - {name: tool, version: "2.4.0", url: "https://example.com/t", sha256: {}, dest: /t}
      - {name: ignored, version: "1", url: "https://example.com/i", sha256: {}, dest: /i}
      - {name: mine, version: "1", url: "https://example.com/m", sha256: {}, dest: /m}
      - {name: bazel, version: "8.7.0", url: "https://example.com/bz", sha256: {}, dest: /bz}
    goTools:
      - {name: goimports, package: golang.org/x/tools/cmd/goimports, version: v0.42.0}
      - {name: pr-creator, package: k8s.io/test-infra/robots/pr-creator, version: 1f0e63447a32a07c0a6cc1ae3b95172438b373c8}
      - {name: benchstat, package: golang.org/x/perf/cmd/benchstat, version: 9c9101da8316f4e5d4e4c2bd8e0a6c3f8c6bdcd5}
      - {name: x, package: istio.io/tools/cmd/x, version: abc1234}
      - {name: mine-go, package: example.com/mine, version: v1.0.0}
`)
	df, err := ReadDockerfile("Dockerfile", []byte(mappingDockerfile))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Compare(s, "b", Inputs{Dockerfile: df, Bazel: &BazelVersion{File: ".bazelversion", Version: "7.7.1", Line: 1}}, false)
	if err != nil {
		t.Fatal(err)
	}
	want := `go|1.26.4|1.26.5|differs|image golang|Dockerfile:1
helm|v4.1.3|v4.1.3|same|env HELM_VERSION|Dockerfile:4
kubectl|v1.35.1|1.35.1|same|env KUBECTL_VERSION|Dockerfile:5
gcloud-cli|550.0.0|558.0.0|differs|env GCLOUD_VERSION|Dockerfile:6
docker|29.3.0|29.3.0|same|env DOCKER_VERSION in os|Dockerfile:16
docker-any|29.3.0|29.3.0, 24.0.2|ambiguous|env DOCKER_VERSION|Dockerfile:16
tool|2.4.0|2.5.0|differs|url https://example.com/rel/v${version}/tool-linux-${arch}.tar.gz|Dockerfile:14
mine|1||spec only||
bazel|8.7.0|7.7.1|differs|bazelversion|.bazelversion:1
goimports|v0.42.0|v0.42.0|same|go golang.org/x/tools/cmd/goimports|Dockerfile:10
pr-creator|1f0e63447a32a07c0a6cc1ae3b95172438b373c8|70b809241c9cf08ceb86a9a91ed1909e75e3378c|differs|go k8s.io/test-infra/robots/pr-creator|Dockerfile:11
benchstat|9c9101da8316f4e5d4e4c2bd8e0a6c3f8c6bdcd5|9c9101da8316|same|go golang.org/x/perf/cmd/benchstat|Dockerfile:12
x|abc1234|${COMMIT}|unpinned|go istio.io/tools/cmd/x|Dockerfile:13
mine-go|v1.0.0||spec only|go example.com/mine|
su-exec||0.3.1|istio only|env SU_EXEC_VERSION|Dockerfile:7
`
	if got := rowsText(rep); got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
	if !rep.Drift() {
		t.Error("Drift() is false")
	}
	notes := map[string]string{}
	for _, r := range rep.Rows {
		notes[r.Tool] = r.Note
	}
	for tool, want := range map[string]string{
		"docker-any": "Istio states several versions (29.3.0 at Dockerfile:16; 24.0.2 at Dockerfile:18); name the stage: env DOCKER_VERSION in STAGE",
		"mine":       "no drift source; map it under drift: (e.g. mine: env NAME), or mine: none to leave it out",
		"mine-go":    "Istio's files state no version for go example.com/mine",
		"su-exec":    "the spec tracks it under drift: but the image does not have it",
		"x":          "Istio does not pin it: the version is set when its image is built",
	} {
		if notes[tool] != want {
			t.Errorf("note of %s: %q, want %q", tool, notes[tool], want)
		}
	}

	// Without the files, the rows that need them are skipped, not drift.
	rep, err = Compare(s, "b", Inputs{}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Rows {
		if r.Source != "" && r.Status != Skipped {
			t.Errorf("without inputs, %s is %s", r.Tool, r.Status)
		}
	}
}

// TestCompareAll: --all lists what Istio states that no tool maps to.
func TestCompareAll(t *testing.T) {
	s := specOf(t, `version: 1
images:
  b:
    base: example.com/b:1
    tools:
      - {name: helm, version: v4.1.3, url: "https://example.com/h", sha256: {}, dest: /h}
`)
	df, err := ReadDockerfile("Dockerfile", []byte(mappingDockerfile))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Compare(s, "b", Inputs{Dockerfile: df}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := `helm|v4.1.3|v4.1.3|same|env HELM_VERSION|Dockerfile:4
||1.35.1|untracked|env KUBECTL_VERSION|Dockerfile:5
||558.0.0|untracked|env GCLOUD_VERSION|Dockerfile:6
||0.3.1|untracked|env SU_EXEC_VERSION|Dockerfile:7
||v0.42.0|untracked|go golang.org/x/tools/cmd/goimports|Dockerfile:10
||70b809241c9cf08ceb86a9a91ed1909e75e3378c|untracked|go k8s.io/test-infra/robots/pr-creator|Dockerfile:11
||9c9101da8316|untracked|go golang.org/x/perf/cmd/benchstat|Dockerfile:12
||${COMMIT}|untracked|go istio.io/tools/cmd/x|Dockerfile:13
||29.3.0, 24.0.2|untracked|env DOCKER_VERSION|Dockerfile:16
`
	if got := rowsText(rep); got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
	if rep.Drift() {
		t.Error("untracked rows count as drift")
	}
}

func TestCompareSpecErrors(t *testing.T) {
	s := specOf(t, `version: 1
drift:
  go: envv GOLANG_VERSION
  Bad: none
images:
  b:
    base: example.com/b:1
    tools:
      - {name: go, version: "${NOPE}", url: "https://example.com/g", sha256: {}, dest: /g}
`)
	_, err := Compare(s, "b", Inputs{}, false)
	want := `2 problems in builder.yaml:
  builder.yaml:3:3: tool "go": drift source "envv GOLANG_VERSION" has the unknown kind "envv"; did you mean env NAME [in STAGE]? write env NAME [in STAGE], image NAME, go PACKAGE, url URL, bazelversion or none
  builder.yaml:4:3: drift key "Bad" is not a tool name; the keys of drift are names of the image's tools and Go tools`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
	s = specOf(t, `version: 1
images:
  b:
    base: example.com/b:1
    tools:
      - {name: go, version: "${NOPE}", url: "https://example.com/g", sha256: {}, dest: /g}
`)
	_, err = Compare(s, "b", Inputs{}, false)
	if want := `builder.yaml:6:20: unknown name ${NOPE}`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v, want %s…", err, want)
	}
}

func TestSameVersion(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"1.35.1", "v1.35.1", true},
		{"v0.42.0", "v0.42.0", true},
		{"9c9101da8316", "9c9101da8316f4e5d4e4c2bd8e0a6c3f8c6bdcd5", true},
		{"9c9101d", "9c9101da8316", true},
		{"9c9101", "9c9101da8316", false}, // 6 digits: not a commit
		{"70b80924", "1f0e6344", false},
		{"v", "", false},
		{"version", "ersion", false},
		{"1.26.4", "1.26.5", false},
		{"kubernetes-1.29.4", "kubernetes-1.29.4", true},
	} {
		if got := SameVersion(c.a, c.b); got != c.same {
			t.Errorf("SameVersion(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

// TestDefaultsDocumented: docs/spec.md's table of default drift sources is
// the code's.
func TestDefaultsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, "<!-- drift defaults -->")
	end := strings.Index(doc, "<!-- end drift defaults -->")
	if start < 0 || end < start {
		t.Fatal("docs/spec.md has no drift defaults table")
	}
	got := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| (`[^|]+`) \\| `([^`]+)` \\|").FindAllStringSubmatch(doc[start:end], -1) {
		for _, tool := range strings.Split(m[1], ", ") {
			got[strings.Trim(tool, "`")] = m[2]
		}
	}
	for _, d := range Defaults() {
		if got[d.Tool] != d.Source.String() {
			t.Errorf("docs/spec.md: %s is %q, the code says %q", d.Tool, got[d.Tool], d.Source)
		}
		delete(got, d.Tool)
	}
	for tool := range got {
		t.Errorf("docs/spec.md lists %s, which the default table does not have", tool)
	}
}
