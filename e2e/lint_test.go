package e2e

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// lintSpec has three findings: an unused arg (line 6), a plain-http
// download (line 13) and a dest through the /bin symlink (line 19).
const lintSpec = `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  HELM_VERSION: v3.16.0
  UNUSED_VERSION: "1.0"
images:
  builder:
    base: example.com/base:1
    tools:
      - name: helm
        version: ${HELM_VERSION}
        url: http://mirror.example.com/helm-${version}-linux-${arch}.tar.gz
        allowHTTP: true
        sha256:
          linux/amd64: c5b1bd64bb74eda6425c043f4afba503c49ed52e75f25607f76dfd12f0edb773
          linux/arm64: a695787bc8bf5ea20b634bcab366e7fc566380bf85aa0b463766eb6ac1d839bc
        take: [helm]
        dest: /bin
`

// TestCheckReportsLintFindings: buildx --check lists each rule with the spec
// lines it is about, and exits non-zero, as for a Dockerfile.
func TestCheckReportsLintFindings(t *testing.T) {
	e := setup(t)
	dir := writeSpec(t, lintSpec, nil)
	out, err := e.build(t, dir, "builder.yaml", "--check")
	if err == nil {
		t.Errorf("--check with findings exited 0:\n%s", tail(out, 60))
	}
	for _, want := range []string{
		"Check complete, 3 warnings have been found!",
		"WARNING: UnusedArg - https://github.com/maistra/builder-frontend/blob/main/docs/lint.md#unusedarg",
		"arg UNUSED_VERSION is declared but no field uses ${UNUSED_VERSION}",
		"WARNING: PlainHTTP",
		`tool "helm" is downloaded over plain http (http://mirror.example.com)`,
		"WARNING: DestThroughSymlink",
		`tool "helm": dest /bin goes through /bin`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("--check output lacks %q:\n%s", want, tail(out, 60))
		}
	}
	// buildx prints each finding's file and line, then the lines with >>>.
	for _, re := range []string{
		`builder.yaml:6\n-+\n(.*\n)*\s+6 \| >>>   UNUSED_VERSION: "1.0"`,
		`builder.yaml:13\n-+\n(.*\n)*\s+13 \| >>>\s+url: http://mirror.example.com/`,
		`builder.yaml:19\n-+\n(.*\n)*\s+19 \| >>>\s+dest: /bin`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("--check output does not match %q:\n%s", re, tail(out, 60))
		}
	}

	// --check=skip via the build-arg every frontend gets.
	out, err = e.build(t, dir, "builder.yaml", "--check", "--build-arg", "BUILDKIT_DOCKERFILE_CHECK=skip=UnusedArg,PlainHTTP")
	if err == nil || !strings.Contains(out, "Check complete, 1 warning has been found!") || strings.Contains(out, "UnusedArg") {
		t.Errorf("--check with skip=UnusedArg,PlainHTTP (err %v):\n%s", err, tail(out, 40))
	}
}

// TestCheckCleanSpec: the example spec has no findings; --check exits 0.
func TestCheckCleanSpec(t *testing.T) {
	e := setup(t)
	dir, _ := filepath.Abs("../examples/minimal")
	out := e.mustBuild(t, dir, "builder.yaml", "--check")
	if !strings.Contains(out, "Check complete, no warnings found.") {
		t.Errorf("--check of examples/minimal:\n%s", tail(out, 30))
	}
}

// TestCheckReportsSpecErrors: a spec that does not validate fails --check
// with the error and its line, and the lint findings are listed too.
func TestCheckReportsSpecErrors(t *testing.T) {
	e := setup(t)
	bad := strings.Replace(lintSpec, "          linux/arm64: a695787bc8bf5ea20b634bcab366e7fc566380bf85aa0b463766eb6ac1d839bc\n", "", 1)
	dir := writeSpec(t, bad, nil)
	out, err := e.build(t, dir, "builder.yaml", "--check")
	if err == nil {
		t.Fatalf("--check of an invalid spec exited 0:\n%s", tail(out, 40))
	}
	for _, want := range []string{
		`builder.yaml:15:9: tool "helm" has no artifact for linux/arm64: no sha256 for that platform`,
		"WARNING: UnusedArg",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("--check output lacks %q:\n%s", want, tail(out, 40))
		}
	}
	if !regexp.MustCompile(`\s+15 \| >>>\s+sha256:`).MatchString(out) {
		t.Errorf("--check output does not show line 15:\n%s", tail(out, 40))
	}

	// A spec the parser rejects fails --check the same way, with its line.
	dir = writeSpec(t, strings.Replace(lintSpec, "dest: /bin", "dset: /bin", 1), nil)
	out, err = e.build(t, dir, "builder.yaml", "--check")
	if err == nil || !strings.Contains(out, `builder.yaml:19:9: unknown field "dset"; did you mean "dest"?`) || !strings.Contains(out, "dset: /bin") {
		t.Errorf("--check of a spec with a typo (err %v):\n%s", err, tail(out, 30))
	}
}

// TestBuildShowsLintWarnings: a build succeeds and buildx lists the
// findings as warnings, with the rule and the line; a misspelt --build-arg
// is one of them.
func TestBuildShowsLintWarnings(t *testing.T) {
	e := setup(t)
	dir := writeSpec(t, `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
args:
  WORK_DIR: /work
  UNUSED_VERSION: "1.0"
images:
  builder:
    base: `+e.base+`
    directories:
      - {path: "${WORK_DIR}", mode: "0777"}
`, nil)
	out := e.mustBuild(t, dir, "builder.yaml", "--platform", "linux/amd64", "--build-arg", "WORKDIR=/x")
	for _, want := range []string{
		"2 warnings found",
		"UnusedArg: arg UNUSED_VERSION is declared but no field uses ${UNUSED_VERSION} and no run step or check reads $UNUSED_VERSION; remove it, or use it (line 5)",
		"UndeclaredBuildArg: --build-arg WORKDIR is not an arg of the spec and changes nothing; did you mean WORK_DIR? (line 3)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("build output lacks %q:\n%s", want, tail(out, 30))
		}
	}
}
