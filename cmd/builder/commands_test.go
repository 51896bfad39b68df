package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
)

const (
	sumA = "c5b1bd64bb74eda6425c043f4afba503c49ed52e75f25607f76dfd12f0edb773"
	sumB = "a695787bc8bf5ea20b634bcab366e7fc566380bf85aa0b463766eb6ac1d839bc"
)

// planSpec: one tool, one Go tool (lines 8 and 27).
const planSpec = `version: 1
platforms: [linux/amd64, linux/arm64]
args:
  HELM_VERSION: v3.16.0
images:
  builder:
    base: example.com/base:1
    tools:
      - name: helm
        version: ${HELM_VERSION}
        url: https://get.helm.sh/helm-${version}-linux-${arch}.tar.gz
        sha256:
          linux/amd64: ` + sumA + `
          linux/arm64: ` + sumB + `
        strip: 1
        take: [helm]
        dest: /usr/local/bin
      - name: go
        version: "1.23.6"
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: ` + sumB + `
          linux/arm64: ` + sumA + `
        strip: 1
        dest: /usr/local/go
    goTools:
      - name: goimports
        package: golang.org/x/tools/cmd/goimports
        version: v0.29.0
`

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	good := write("good.yaml", planSpec)
	warn := write("warn.yaml", strings.Replace(planSpec, "  HELM_VERSION: v3.16.0\n", "  HELM_VERSION: v3.16.0\n  UNUSED: x\n", 1))
	bad := write("bad.yaml", strings.Replace(planSpec, "          linux/arm64: "+sumB+"\n", "", 1))
	typo := write("typo.yaml", strings.Replace(planSpec, "dest: /usr/local/go", "dset: /usr/local/go", 1))

	out, code := runBuilder(t, "validate", good)
	if code != 0 || out != good+": ok\n" {
		t.Errorf("validate good: exit %d\n%s", code, out)
	}

	out, code = runBuilder(t, "validate", warn)
	want := warn + ":5:3: warning: UnusedArg: arg UNUSED is declared but no field uses ${UNUSED} and no run step or check reads $UNUSED; remove it, or use it\n" +
		warn + ": 0 errors, 1 warning\n"
	if code != 0 || out != want {
		t.Errorf("validate warn: exit %d\n%s\nwant:\n%s", code, out, want)
	}
	if _, code := runBuilder(t, "validate", "--strict", warn); code != 1 {
		t.Errorf("validate --strict with a warning: exit %d, want 1", code)
	}
	if out, code := runBuilder(t, "validate", "--strict", "--skip", "UnusedArg", warn); code != 0 {
		t.Errorf("validate --strict --skip UnusedArg: exit %d\n%s", code, out)
	}

	out, stderr, code := runBuilder2("validate", good, bad, typo)
	want = good + ": ok\n" +
		bad + ": 1 error, 0 warnings\n" +
		typo + ": 1 error, 0 warnings\n"
	wantErr := bad + `:12:9: tool "helm" has no artifact for linux/arm64: no sha256 for that platform; add sha256.linux/arm64 with the artifact's sha256 (builder lock writes it), or limit the tool with platforms:` + "\n" +
		typo + `:25:9: unknown field "dset"; did you mean "dest"?` + "\n"
	if code != 1 || out != want || stderr != wantErr {
		t.Errorf("validate good bad typo: exit %d\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s", code, out, want, stderr, wantErr)
	}

	// Only amd64: the missing arm64 sha256 is a lint finding, not an error.
	out, code = runBuilder(t, "validate", "--platform", "linux/amd64", bad)
	if code != 0 || !strings.Contains(out, bad+`:12:9: warning: MissingChecksum: tool "helm" has no sha256 for linux/arm64`) {
		t.Errorf("validate --platform linux/amd64: exit %d\n%s", code, out)
	}
	out, code = runBuilder(t, "validate", "--build-arg", "HELM_VERSON=v3.17.0", good)
	if code != 0 || !strings.Contains(out, good+":3:1: warning: UndeclaredBuildArg: --build-arg HELM_VERSON is not an arg of the spec and changes nothing; did you mean HELM_VERSION?") {
		t.Errorf("validate --build-arg HELM_VERSON: exit %d\n%s", code, out)
	}
	if _, stderr, code := runBuilder2("validate", "--build-arg", "HELM_VERSION=v3.17.0", good); code != 1 || !strings.Contains(stderr, "version v3.17.0 (from a build-arg) has no sha256") {
		t.Errorf("validate --build-arg HELM_VERSION=v3.17.0: exit %d\n%s", code, stderr)
	}
	if out, code := runBuilder(t, "validate", "--skip", "NoSuchRule", good); code != 2 {
		t.Errorf("validate --skip NoSuchRule: exit %d\n%s", code, out)
	}
	if _, code := runBuilder(t, "validate", filepath.Join(dir, "nope.yaml")); code != 1 {
		t.Errorf("validate of a missing file: exit %d", code)
	}
}

func TestPlanTable(t *testing.T) {
	f := writeFile(t, planSpec)
	out, code := runBuilder(t, "plan", "--platform", "linux/arm64", f)
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, out)
	}
	want := f + `: image builder for linux/arm64, base example.com/base:1
  TOOL  VERSION  FORM    DEST                   SHA256                                                            URL
  helm  v3.16.0  tar.gz  /usr/local/bin (helm)  ` + sumB + `  https://get.helm.sh/helm-v3.16.0-linux-arm64.tar.gz
  go    1.23.6   tar.gz  /usr/local/go          ` + sumA + `  https://go.dev/dl/go1.23.6.linux-arm64.tar.gz
  GO TOOL    MODULE                                    DEST
  goimports  golang.org/x/tools/cmd/goimports@v0.29.0  /usr/local/bin/goimports
  Go toolchain: go 1.23.6 for linux/amd64, https://go.dev/dl/go1.23.6.linux-amd64.tar.gz (sha256 ` + sumB + `)
`
	if out != want {
		t.Errorf("plan printed:\n%s\nwant:\n%s", out, want)
	}

	_, stderr, code := runBuilder2("plan", "--build-arg", "HELM_VERSION=v9", f)
	if code != 1 || !strings.Contains(stderr, `:12:9: tool "helm": version v9 (from a build-arg) has no sha256`) {
		t.Errorf("plan with an unpinned version: exit %d\n%s", code, stderr)
	}
}

func TestPlanJSON(t *testing.T) {
	f := writeFile(t, planSpec)
	out, code := runBuilder(t, "plan", "--format", "json", f)
	if code != 0 {
		t.Fatalf("plan --format json: exit %d\n%s", code, out)
	}
	var plans []plan
	if err := json.Unmarshal([]byte(out), &plans); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(plans) != 2 || plans[0].Platform != "linux/amd64" || plans[1].Platform != "linux/arm64" {
		t.Fatalf("plans: %+v", plans)
	}
	helm := plans[0].Tools[0]
	if helm.Name != "helm" || helm.Version != "v3.16.0" || helm.URL != "https://get.helm.sh/helm-v3.16.0-linux-amd64.tar.gz" ||
		helm.SHA256 != sumA || helm.Form != "tar.gz" || helm.Dest != "/usr/local/bin" || helm.Strip != 1 || helm.Take[0] != "helm" {
		t.Errorf("helm: %+v", helm)
	}
	gt := plans[1].GoTools[0]
	if gt.Module != "golang.org/x/tools/cmd/goimports@v0.29.0" || gt.Dest != "/usr/local/bin/goimports" || gt.Ldflags != "-s -w" {
		t.Errorf("goimports: %+v", gt)
	}
	if tc := plans[1].GoToolchain; tc == nil || tc.Platform != "linux/amd64" || tc.SHA256 != sumB {
		t.Errorf("toolchain: %+v", tc)
	}
	if _, code := runBuilder(t, "plan", "--format", "yaml", f); code != 2 {
		t.Errorf("plan --format yaml: exit %d", code)
	}
}

// TestPlanChecks: each tool's and Go tool's check: is shown, in a CHECK
// column (a multi-line one on one line) and as check in JSON.
func TestPlanChecks(t *testing.T) {
	text := strings.Replace(planSpec, "        take: [helm]\n", "        take: [helm]\n        check: helm version --short\n", 1)
	text = strings.Replace(text, "        version: v0.29.0\n", "        version: v0.29.0\n        check: |\n          echo 'package p' |\n            goimports\n", 1)
	f := writeFile(t, text)
	out, code := runBuilder(t, "plan", "--platform", "linux/arm64", f)
	want := f + `: image builder for linux/arm64, base example.com/base:1
  TOOL  VERSION  FORM    DEST                   SHA256                                                            URL                                                  CHECK
  helm  v3.16.0  tar.gz  /usr/local/bin (helm)  ` + sumB + `  https://get.helm.sh/helm-v3.16.0-linux-arm64.tar.gz  helm version --short
  go    1.23.6   tar.gz  /usr/local/go          ` + sumA + `  https://go.dev/dl/go1.23.6.linux-arm64.tar.gz        -
  GO TOOL    MODULE                                    DEST                      CHECK
  goimports  golang.org/x/tools/cmd/goimports@v0.29.0  /usr/local/bin/goimports  echo 'package p' |\n  goimports
  Go toolchain: go 1.23.6 for linux/amd64, https://go.dev/dl/go1.23.6.linux-amd64.tar.gz (sha256 ` + sumB + `)
`
	if code != 0 || out != want {
		t.Errorf("plan: exit %d\n%s\nwant:\n%s", code, out, want)
	}
	out, code = runBuilder(t, "plan", "--format", "json", "--platform", "linux/arm64", f)
	var plans []plan
	if err := json.Unmarshal([]byte(out), &plans); code != 0 || err != nil || len(plans) != 1 {
		t.Fatalf("plan --format json: exit %d, %v\n%s", code, err, out)
	}
	p := plans[0]
	if p.Tools[0].Check != "helm version --short" || p.Tools[1].Check != "" || p.GoTools[0].Check != "echo 'package p' |\n  goimports\n" {
		t.Errorf("checks: %q %q %q", p.Tools[0].Check, p.Tools[1].Check, p.GoTools[0].Check)
	}
	if strings.Count(out, `"check"`) != 2 {
		t.Errorf("a tool without a check has a check field:\n%s", out)
	}
}

func TestLLB(t *testing.T) {
	f := writeFile(t, planSpec)
	out := filepath.Join(t.TempDir(), "def.llb")
	if msg, code := runBuilder(t, "llb", "--platform", "linux/arm64", "--frontend-image", "example.com/fe:1", "-o", out, f); code != 0 {
		t.Fatalf("llb: exit %d\n%s", code, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	def, err := bk.ReadFrom(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the output is not a pb.Definition: %v", err)
	}
	var sources []string
	var platformsSeen []string
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		if src := op.GetSource(); src != nil {
			sources = append(sources, src.Identifier+" "+src.Attrs["http.checksum"])
		}
		if op.Platform != nil {
			platformsSeen = append(platformsSeen, op.Platform.Architecture)
		}
	}
	all := strings.Join(sources, "\n")
	for _, want := range []string{
		"docker-image://example.com/base:1 ",
		"https://get.helm.sh/helm-v3.16.0-linux-arm64.tar.gz sha256:" + sumB,
		"https://go.dev/dl/go1.23.6.linux-arm64.tar.gz sha256:" + sumA,
		"https://go.dev/dl/go1.23.6.linux-amd64.tar.gz sha256:" + sumB, // the toolchain of the build platform
	} {
		if !strings.Contains(all, want) {
			t.Errorf("LLB sources lack %q:\n%s", want, all)
		}
	}
	if !strings.Contains(strings.Join(platformsSeen, " "), "arm64") {
		t.Errorf("no op for arm64: %v", platformsSeen)
	}
	if len(def.Source.GetInfos()) == 0 || def.Source.Infos[0].Filename != f {
		t.Errorf("the definition carries no source map of the spec")
	}

	if msg, code := runBuilder(t, "llb", "--platform", "linux/amd64,linux/arm64", "-o", out, f); code != 2 {
		t.Log(msg)
		t.Errorf("llb with two platforms: exit %d", code)
	}
	if _, code := runBuilder(t, "llb", "--target", "nope", "-o", out, f); code != 1 {
		t.Errorf("llb --target nope: exit %d", code)
	}
}

// TestSchemaCommitted: docs/spec.schema.json is the output of builder
// schema.
func TestSchemaCommitted(t *testing.T) {
	want, err := schemaJSON()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../docs/spec.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/spec.schema.json is not the schema of the spec types; regenerate it with\n  go run ./cmd/builder schema > docs/spec.schema.json")
	}
	out, code := runBuilder(t, "schema")
	if code != 0 || out != string(want) {
		t.Errorf("builder schema: exit %d", code)
	}
	var s map[string]any
	if err := json.Unmarshal(want, &s); err != nil {
		t.Fatal(err)
	}
	defs := s["$defs"].(map[string]any)
	for _, name := range []string{"Spec", "Image", "Tool", "Arg", "RunStep", "Checksums", "FileMode", "GoTool"} {
		if defs[name] == nil {
			t.Errorf("schema has no definition of %s", name)
		}
	}
	tool := defs["Tool"].(map[string]any)
	if req := tool["required"].([]any); len(req) == 0 || tool["additionalProperties"] != false {
		t.Errorf("Tool schema: %v", tool)
	}
}

// TestExamplesReferenceSchema: every example names the schema on its
// second line, after # syntax=.
func TestExamplesReferenceSchema(t *testing.T) {
	files, _ := filepath.Glob("../../examples/*/builder.yaml")
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitN(string(b), "\n", 3)
		if len(lines) < 2 || lines[1] != "# yaml-language-server: $schema=../../docs/spec.schema.json" {
			t.Errorf("%s: line 2 is %q", f, lines[1])
		}
		if out, code := runBuilder(t, "validate", f); code != 0 {
			t.Errorf("validate %s: exit %d\n%s", f, code, out)
		}
	}
}

func TestHelp(t *testing.T) {
	for cmd, want := range map[string]string{
		"llb":      "the base image is \"docker-image://<base>\" with no digest",
		"lock":     "--check",
		"validate": "--strict",
		"plan":     "--format",
		"schema":   "yaml-language-server",
	} {
		out, code := runBuilder(t, cmd, "--help")
		if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "Usage:") {
			t.Errorf("builder %s --help: exit %d, lacks %q:\n%s", cmd, code, want, out)
		}
	}
}
