package drift

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestPlan: where --write puts each version, in the spelling of the spec.
func TestPlan(t *testing.T) {
	s := specOf(t, `version: 1
args:
  GO_VERSION: "1.26.4"
  KUBECTL_VERSION: v1.35.0
  YQ_VERSION: "4.50.1"
  INFRA: 1f0e63447a32a07c0a6cc1ae3b95172438b373c8
  A: "1"
  B: "2"
drift:
  yq: env YQ_VERSION
  two: env TWO
  lit: env LIT
  weird: env WEIRD
images:
  b:
    base: example.com/b:1
    tools:
      - {name: go, version: "${GO_VERSION}", url: "https://example.com/g", sha256: {}, dest: /g}
      - {name: kubectl, version: "${KUBECTL_VERSION}", url: "https://example.com/k", sha256: {}, dest: /k}
      - {name: two, version: "${A}.${B}", url: "https://example.com/t", sha256: {}, dest: /t}
      - {name: lit, version: "v0.9", url: "https://example.com/l", sha256: {}, dest: /l}
      - {name: weird, version: "1", url: "https://example.com/w", sha256: {}, dest: /w}
    goTools:
      - {name: yq, package: github.com/mikefarah/yq/v4, version: "v${YQ_VERSION}"}
      - {name: pr-creator, package: k8s.io/test-infra/robots/pr-creator, version: "${INFRA}"}
      - {name: benchmarkjunit, package: k8s.io/test-infra/pkg/benchmarkjunit, version: "${INFRA}"}
`)
	df, err := ReadDockerfile("Dockerfile", []byte(`FROM golang:1.26.5 AS a
ENV KUBECTL_VERSION=1.35.1 YQ_VERSION=4.52.4 TWO=3.4 LIT=1.0 WEIRD="1 2"
ENV INFRA=70b809241c9cf08ceb86a9a91ed1909e75e3378c OTHER=1111111111111111111111111111111111111111
RUN go install k8s.io/test-infra/robots/pr-creator@${INFRA} k8s.io/test-infra/pkg/benchmarkjunit@${OTHER}
`))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Compare(s, "b", Inputs{Dockerfile: df}, false)
	if err != nil {
		t.Fatal(err)
	}
	writes, notes := Plan(s, "b", rep.Rows)
	var got []string
	for _, w := range writes {
		got = append(got, fmt.Sprintf("%s %s -> %s (%s)", strings.Join(w.Path, "."), w.Old, w.New, strings.Join(w.Tools, ",")))
	}
	want := []string{
		"args.GO_VERSION 1.26.4 -> 1.26.5 (go)",
		"args.KUBECTL_VERSION v1.35.0 -> v1.35.1 (kubectl)", // the spec's v kept
		"args.YQ_VERSION 4.50.1 -> 4.52.4 (yq)",             // v${YQ_VERSION}: the arg without the v
		"images.b.tools.3.version v0.9 -> v1.0 (lit)",       // a literal version
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("writes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantNotes := []string{
		`tool "two": its version "${A}.${B}" is not one arg with fixed text around it, so Istio's 3.4 cannot be put in; edit it by hand`,
		`tool "weird": Istio's version "1 2" is not one builder drift writes; check Dockerfile:2`,
		`tools "pr-creator" and "benchmarkjunit" share args.INFRA, and Istio gives them different versions (70b809241c9cf08ceb86a9a91ed1909e75e3378c, 1111111111111111111111111111111111111111); give them args of their own`,
	}
	if strings.Join(notes, "\n") != strings.Join(wantNotes, "\n") {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(notes, "\n"), strings.Join(wantNotes, "\n"))
	}
	doc, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range wantNotes {
		if !strings.Contains(string(doc), "\n"+n+"\n") {
			t.Errorf("docs/cli.md does not show %s", n)
		}
	}
}

func TestStyled(t *testing.T) {
	for _, c := range [][3]string{
		{"1.35.1", "v1.35.0", "v1.35.1"},
		{"v1.35.1", "1.35.0", "1.35.1"},
		{"v1.35.1", "v1.35.0", "v1.35.1"},
		{"70b80924", "1f0e6344", "70b80924"},
		{"version2", "v1", "version2"},
	} {
		if got := styled(c[0], c[1]); got != c[2] {
			t.Errorf("styled(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}
