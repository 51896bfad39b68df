package frontend

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/subrequests/outline"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/spec"
)

const lintSpec = `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  HELM_VERSION:
    default: v3.16.0
    description: helm release
  UNUSED: x
images:
  builder:
    base: example.com/base:1
    tools:
      - name: helm
        version: ${HELM_VERSION}
        url: https://get.helm.sh/helm-${version}-linux-${arch}.tar.gz
        sha256:
          linux/amd64: c5b1bd64bb74eda6425c043f4afba503c49ed52e75f25607f76dfd12f0edb773
          linux/arm64: a695787bc8bf5ea20b634bcab366e7fc566380bf85aa0b463766eb6ac1d839bc
        dest: /usr/local/bin
    labels:
      helm: ${HELM_VERSION}
`

func uiClient(target string, args map[string]string, plats ...string) *dockerui.Client {
	c := &dockerui.Client{Config: dockerui.Config{
		Target:         target,
		BuildArgs:      args,
		BuildPlatforms: []ocispecs.Platform{platforms.MustParse("linux/amd64")},
	}}
	for _, p := range plats {
		c.TargetPlatforms = append(c.TargetPlatforms, platforms.MustParse(p))
	}
	return c
}

func parse(t *testing.T, text string) *spec.Spec {
	t.Helper()
	s, err := spec.Parse("builder.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLintResults(t *testing.T) {
	s := parse(t, lintSpec)
	res, err := lintResults(s, uiClient("", map[string]string{"HELM_VERSON": "v3.17.0", "BUILDKIT_SYNTAX": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Error != nil {
		t.Fatalf("unexpected error %+v", res.Error)
	}
	var got []string
	for _, w := range res.Warnings {
		line := int32(0)
		if w.Location.SourceIndex >= 0 {
			line = w.Location.Ranges[0].Start.Line
		}
		got = append(got, w.RuleName+":"+fmt.Sprint(line))
		if !strings.HasPrefix(w.URL, "https://github.com/maistra/builder-frontend/blob/main/docs/lint.md#") || w.Description == "" || w.Detail == "" {
			t.Errorf("warning %+v", w)
		}
	}
	if want := "UndeclaredBuildArg:4 UnusedArg:8"; strings.Join(got, " ") != want {
		t.Errorf("warnings %v, want %s", got, want)
	}
	var b bytes.Buffer
	if err := res.PrintTo(&b, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "builder.yaml:8\n") || !strings.Contains(b.String(), "   8 | >>>   UNUSED: x") {
		t.Errorf("printed:\n%s", b.String())
	}
	r, err := res.ToResult(nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(r.Metadata["result.statuscode"]) != "1" {
		t.Errorf("status %s", r.Metadata["result.statuscode"])
	}
}

func TestLintResultsSpecError(t *testing.T) {
	s := parse(t, strings.Replace(lintSpec, "          linux/arm64: a695787bc8bf5ea20b634bcab366e7fc566380bf85aa0b463766eb6ac1d839bc\n", "", 1))
	res, err := lintResults(s, uiClient("", nil))
	if err != nil {
		t.Fatal(err)
	}
	if res.Error == nil || !strings.Contains(res.Error.Message, `builder.yaml:16:9: tool "helm" has no artifact for linux/arm64`) || res.Error.Location.Ranges[0].Start.Line != 16 {
		t.Fatalf("error %+v", res.Error)
	}
	// Only amd64: the missing arm64 sha256 is a finding instead.
	res, err = lintResults(s, uiClient("", nil, "linux/amd64"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Error != nil || len(res.Warnings) != 2 || res.Warnings[0].RuleName != "UnusedArg" || res.Warnings[1].RuleName != "MissingChecksum" {
		t.Errorf("amd64 only: %+v %+v", res.Error, res.Warnings)
	}
}

func TestLintResultsSkip(t *testing.T) {
	s := parse(t, strings.Replace(lintSpec, "# syntax=quay.io/maistra-dev/builder-frontend\n", "# syntax=quay.io/maistra-dev/builder-frontend\n# check=skip=UnusedArg\n", 1))
	bc := uiClient("", map[string]string{"HELM_VERSON": "v3.17.0"})
	bc.LinterConfig = &linter.Config{SkipRules: []string{"UndeclaredBuildArg"}}
	res, err := lintResults(s, bc)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("skipped rules reported: %+v", res.Warnings)
	}
}

func TestOutlineShowsUses(t *testing.T) {
	s := parse(t, lintSpec)
	o := specOutline(s, uiClient("", map[string]string{"HELM_VERSION": "v3.17.0"}))
	if o.Name != "builder" || !strings.Contains(o.Description, "base example.com/base:1; 1 tool") {
		t.Errorf("outline %q %q", o.Name, o.Description)
	}
	byName := map[string]outline.Arg{}
	for _, a := range o.Args {
		byName[a.Name] = a
	}
	helm := byName["HELM_VERSION"]
	if helm.Value != "v3.17.0" || helm.Description != `helm release (used by tool "helm" version, label helm)` {
		t.Errorf("HELM_VERSION: %+v", helm)
	}
	var lines []int32
	for _, r := range helm.Location.Ranges {
		lines = append(lines, r.Start.Line)
	}
	if len(lines) != 3 || lines[0] != 5 || lines[1] != 14 || lines[2] != 21 {
		t.Errorf("HELM_VERSION ranges at lines %v, want the declaration (5) then each use (14, 21)", lines)
	}
	if u := byName["UNUSED"]; u.Description != "(not used by image builder)" {
		t.Errorf("UNUSED: %+v", u)
	}
	var b bytes.Buffer
	r, err := o.ToResult()
	if err != nil {
		t.Fatal(err)
	}
	b.Write(r.Metadata["result.txt"])
	if !strings.Contains(b.String(), `HELM_VERSION   v3.17.0   helm release (used by tool "helm" version, label helm)`) {
		t.Errorf("outline text:\n%s", b.String())
	}
}

// The secrets a build of the image asks for are part of its outline.
func TestOutlineListsSecrets(t *testing.T) {
	y := strings.Replace(lintSpec, "        dest: /usr/local/bin", "        dest: /usr/local/bin\n        authSecret: releases-token", 1)
	if y == lintSpec {
		t.Fatal("the test spec changed: no dest line to hang authSecret on")
	}
	o := specOutline(parse(t, y), uiClient("", nil))
	var names []string
	for _, s := range o.Secrets {
		names = append(names, s.Name)
		if s.Name == "releases-token" && (!s.Required || s.Location == nil) {
			t.Errorf("secret %+v: want required, located at its line", s)
		}
	}
	if !slices.Contains(names, "releases-token") {
		t.Errorf("outline secrets %v lack releases-token", names)
	}
}
