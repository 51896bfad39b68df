package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/maistra/builder-frontend/internal/fixture"
)

// releases is a fake upstream: each file's content is its own name.
type releases struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
	// sums are extra files (sums files) by path.
	sums map[string]string
}

func newReleases(t *testing.T) *releases {
	r := &releases{hits: map[string]int{}, sums: map[string]string{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.hits[req.URL.Path]++
		extra, isSums := r.sums[req.URL.Path]
		r.mu.Unlock()
		switch {
		case isSums:
			fmt.Fprint(w, extra)
		case strings.Contains(req.URL.Path, "missing"):
			http.NotFound(w, req)
		default:
			fmt.Fprint(w, "content of "+req.URL.Path)
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func sumOf(path string) string {
	h := sha256.Sum256([]byte("content of " + path))
	return hex.EncodeToString(h[:])
}

func (r *releases) hitCount(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits[path]
}

// runBuilder runs the CLI in-process.
func runBuilder(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	if code == 2 {
		t.Logf("stderr: %s", errOut.String())
	}
	return out.String(), code
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "builder.yaml")
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func readFile(t *testing.T, f string) string {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// zeros is a stale digest (named for what it used to be: all digits are a
// number to YAML, which the parser rejects).
var zeros = strings.Repeat("deadbeef", 8)

// lockSpecText exercises every place lock writes to: a version-keyed sha256
// with a stale and a missing entry, a tool without sha256, a flow mapping
// with a missing platform, a quoted value with the sha256: prefix.
var lockSpecText = `# syntax=quay.io/maistra-dev/builder-frontend
# Comments, blank lines and quoting must survive lock byte for byte.
version: 1
platforms: [linux/amd64, linux/arm64]   # both

args:
  RELEASES: URL   # the test server
  HELM_VERSION:
    default: v3.16.0
    description: bumped by a bot

images:
  builder:
    base: example.com/base:1
    tools:
      # helm: keyed by version
      - name: helm
        version: ${HELM_VERSION}
        url: ${RELEASES}/helm-${version}-linux-${arch}.tar.gz
        sha256:
          v3.16.0:
            linux/amd64: ` + zeros + `   # stale on purpose
        strip: 1        # the linux-<arch>/ directory
        take: [helm]
        dest: /usr/local/bin

      - name: kubectl   # no sha256 yet
        version: v1.31.2
        url: ${RELEASES}/kubectl-${version}-${arch}
        dest: /usr/local/bin/kubectl

      - name: yq
        version: v4.44.3
        url: ${RELEASES}/yq_linux_${arch}
        sha256: {linux/amd64: '` + zeros + `'}
        dest: /usr/local/bin/yq

      - name: jq
        version: "1.7.1"
        url: ${RELEASES}/jq-${version}-linux-${arch}
        sha256:
          linux/amd64: "sha256:` + zeros + `"
          linux/arm64: "sha256:SUM_JQ_ARM64"
        dest: /usr/local/bin/jq
    # trailing comment
`

func lockFixture(t *testing.T) (*releases, string) {
	r := newReleases(t)
	text := strings.ReplaceAll(lockSpecText, "RELEASES: URL", "RELEASES: "+r.URL)
	text = strings.ReplaceAll(text, "SUM_JQ_ARM64", sumOf("/jq-1.7.1-linux-arm64"))
	return r, text
}

func TestLockWritesChecksumsKeepingTheRest(t *testing.T) {
	r, text := lockFixture(t)
	f := writeFile(t, text)

	out, code := runBuilder(t, "lock", "--check", f)
	if code != 1 {
		t.Fatalf("lock --check of an unlocked spec: exit %d\n%s", code, out)
	}
	for _, want := range []string{
		`:22: tool "helm" v3.16.0 linux/amd64: sha256 ` + zeros + ` is stale; the artifact's is ` + sumOf("/helm-v3.16.0-linux-amd64.tar.gz"),
		`:20: tool "helm" v3.16.0 linux/arm64: sha256 missing`,
		`:27: tool "kubectl" v1.31.2 linux/amd64: sha256 missing`,
		`:35: tool "yq" v4.44.3 linux/arm64: sha256 missing`,
		`:42: tool "jq" 1.7.1 linux/amd64: sha256 sha256:` + zeros + ` is stale`,
		"7 checksums missing or stale; run builder lock",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lock --check output lacks %q:\n%s", want, out)
		}
	}
	if readFile(t, f) != text {
		t.Fatal("lock --check wrote the file")
	}

	out, code = runBuilder(t, "lock", f)
	if code != 0 {
		t.Fatalf("lock: exit %d\n%s", code, out)
	}
	want := text
	want = strings.Replace(want, "            linux/amd64: "+zeros+"   # stale on purpose\n",
		"            linux/amd64: "+sumOf("/helm-v3.16.0-linux-amd64.tar.gz")+"   # stale on purpose\n"+
			"            linux/arm64: "+sumOf("/helm-v3.16.0-linux-arm64.tar.gz")+"\n", 1)
	want = strings.Replace(want, "        url: ${RELEASES}/kubectl-${version}-${arch}\n",
		"        url: ${RELEASES}/kubectl-${version}-${arch}\n        sha256:\n"+
			"          linux/amd64: "+sumOf("/kubectl-v1.31.2-amd64")+"\n"+
			"          linux/arm64: "+sumOf("/kubectl-v1.31.2-arm64")+"\n", 1)
	want = strings.Replace(want, "sha256: {linux/amd64: '"+zeros+"'}",
		"sha256: {linux/amd64: '"+sumOf("/yq_linux_amd64")+"', linux/arm64: '"+sumOf("/yq_linux_arm64")+"'}", 1)
	want = strings.Replace(want, `linux/amd64: "sha256:`+zeros+`"`, `linux/amd64: "sha256:`+sumOf("/jq-1.7.1-linux-amd64")+`"`, 1)
	if got := readFile(t, f); got != want {
		t.Errorf("lock wrote:\n%s\nwant:\n%s", got, want)
	}

	out, code = runBuilder(t, "lock", "--check", f)
	if code != 0 || !strings.Contains(out, "8 checksums up to date") {
		t.Errorf("lock --check after lock: exit %d\n%s", code, out)
	}
	out, code = runBuilder(t, "lock", f)
	if code != 0 || readFile(t, f) != want {
		t.Errorf("second lock changed the file (exit %d):\n%s", code, out)
	}
	if n := r.hitCount("/helm-v3.16.0-linux-amd64.tar.gz"); n != 4 {
		t.Errorf("helm amd64 downloaded %d times in 4 runs, want once per run", n)
	}
	out, code = runBuilder(t, "validate", "--strict", f)
	if code != 0 {
		t.Errorf("validate after lock: exit %d\n%s", code, out)
	}
}

// TestLockRoundTrip: pin, bump the version, --check fails, lock, passes;
// every line but the new ones is kept.
func TestLockRoundTrip(t *testing.T) {
	_, text := lockFixture(t)
	f := writeFile(t, text)
	if out, code := runBuilder(t, "lock", f); code != 0 {
		t.Fatalf("lock: %d\n%s", code, out)
	}
	pinned := readFile(t, f)
	bumped := strings.Replace(pinned, "default: v3.16.0", "default: v3.17.0", 1)
	if err := os.WriteFile(f, []byte(bumped), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := runBuilder(t, "lock", "--check", f)
	if code != 1 || !strings.Contains(out, `tool "helm" v3.17.0 linux/amd64: sha256 missing`) || !strings.Contains(out, `tool "helm" v3.17.0 linux/arm64: sha256 missing`) {
		t.Fatalf("lock --check after a bump: exit %d\n%s", code, out)
	}
	if _, stderr, code := runBuilder2("validate", f); code != 1 || !strings.Contains(stderr, `version v3.17.0 has no sha256`) {
		t.Errorf("validate after a bump: exit %d\n%s", code, stderr)
	}
	if out, code := runBuilder(t, "lock", f); code != 0 {
		t.Fatalf("lock after a bump: %d\n%s", code, out)
	}
	got := readFile(t, f)
	added := "          v3.17.0:\n" +
		"            linux/amd64: " + sumOf("/helm-v3.17.0-linux-amd64.tar.gz") + "\n" +
		"            linux/arm64: " + sumOf("/helm-v3.17.0-linux-arm64.tar.gz") + "\n"
	anchor := "            linux/arm64: " + sumOf("/helm-v3.16.0-linux-arm64.tar.gz") + "\n"
	if want := strings.Replace(bumped, anchor, anchor+added, 1); got != want {
		t.Errorf("lock after a bump wrote:\n%s\nwant:\n%s", got, want)
	}
	if out, code := runBuilder(t, "lock", "--check", f); code != 0 {
		t.Errorf("lock --check after relock: exit %d\n%s", code, out)
	}

	// A --build-arg pins another version beside the default one.
	if out, code := runBuilder(t, "lock", "--build-arg", "HELM_VERSION=v3.18.0", f); code != 0 {
		t.Fatalf("lock --build-arg: %d\n%s", code, out)
	}
	if got := readFile(t, f); !strings.Contains(got, "          v3.18.0:\n            linux/amd64: "+sumOf("/helm-v3.18.0-linux-amd64.tar.gz")+"\n") {
		t.Errorf("lock --build-arg HELM_VERSION=v3.18.0 wrote:\n%s", got)
	}
	if out, code := runBuilder(t, "validate", "--build-arg", "HELM_VERSION=v3.18.0", f); code != 0 {
		t.Errorf("validate --build-arg after lock: exit %d\n%s", code, out)
	}
}

// TestLockFlatFormAndBuildArg: a flat platform mapping stays flat for the
// version the spec names; another version goes under a quoted version key.
func TestLockFlatFormAndBuildArg(t *testing.T) {
	r := newReleases(t)
	text := `version: 1
platforms: [linux/amd64]
args:
  GO_VERSION: "1.23.6"
images:
  builder:
    base: example.com/base:1
    tools:
      - name: go
        version: ${GO_VERSION}
        url: ` + r.URL + `/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: "` + zeros + `"
        strip: 1
        dest: /usr/local/go
`
	f := writeFile(t, text)
	if out, code := runBuilder(t, "lock", "--build-arg", "GO_VERSION=1.24.4", f); code != 0 {
		t.Fatalf("lock: %d\n%s", code, out)
	}
	want := strings.Replace(text, "          linux/amd64: \""+zeros+"\"\n", "          linux/amd64: \""+zeros+"\"\n          \"1.24.4\":\n            linux/amd64: \""+sumOf("/go1.24.4.linux-amd64.tar.gz")+"\"\n", 1)
	if got := readFile(t, f); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if out, code := runBuilder(t, "lock", f); code != 0 {
		t.Fatalf("lock: %d\n%s", code, out)
	}
	want = strings.Replace(want, "\""+zeros+"\"", "\""+sumOf("/go1.23.6.linux-amd64.tar.gz")+"\"", 1)
	if got := readFile(t, f); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestLockGoToolchainForBuildPlatform: Go tools compile with the toolchain
// of the build platform, so it is locked even when the spec builds only
// arm64.
func TestLockGoToolchainForBuildPlatform(t *testing.T) {
	r := newReleases(t)
	f := writeFile(t, `version: 1
platforms: [linux/arm64]
images:
  builder:
    base: example.com/base:1
    tools:
      - name: go
        version: "1.23.6"
        url: `+r.URL+`/go${version}.linux-${arch}.tar.gz
        strip: 1
        dest: /usr/local/go
    goTools:
      - name: goimports
        package: golang.org/x/tools/cmd/goimports
        version: v0.29.0
`)
	if out, code := runBuilder(t, "lock", f); code != 0 {
		t.Fatalf("lock: %d\n%s", code, out)
	}
	got := readFile(t, f)
	for _, p := range []string{"amd64", "arm64"} {
		if !strings.Contains(got, "linux/"+p+": "+sumOf("/go1.23.6.linux-"+p+".tar.gz")) {
			t.Errorf("no %s toolchain sha256:\n%s", p, got)
		}
	}
	if out, code := runBuilder(t, "validate", f); code != 0 {
		t.Errorf("validate: %d\n%s", code, out)
	}
}

// TestLockSums: --sums reads upstream sums files instead of downloading.
func TestLockSums(t *testing.T) {
	r := newReleases(t)
	r.sums["/kubectl-v1.31.2-amd64.sha256"] = sumOf("/kubectl-v1.31.2-amd64") + "\n"
	r.sums["/SHA256SUMS-v1.31.2"] = "1111111111111111111111111111111111111111111111111111111111111111  kubectl-v1.31.2-s390x\n" +
		sumOf("/kubectl-v1.31.2-amd64") + "  ./kubectl-v1.31.2-amd64\n" +
		sumOf("/kubectl-v1.31.2-arm64") + " *kubectl-v1.31.2-arm64\n"
	f := writeFile(t, `version: 1
platforms: [linux/amd64]
images:
  builder:
    base: example.com/base:1
    tools:
      - name: kubectl
        version: v1.31.2
        url: `+r.URL+`/kubectl-${version}-${arch}
        dest: /usr/local/bin/kubectl
`)
	if out, code := runBuilder(t, "lock", "--sums", "${url}.sha256", f); code != 0 {
		t.Fatalf("lock --sums: %d\n%s", code, out)
	}
	if out, code := runBuilder(t, "lock", "--platform", "linux/arm64", "--sums", r.URL+"/SHA256SUMS-${version}", f); code != 0 {
		t.Fatalf("lock --sums SHA256SUMS: %d\n%s", code, out)
	}
	got := readFile(t, f)
	for _, p := range []string{"amd64", "arm64"} {
		if !strings.Contains(got, "linux/"+p+": "+sumOf("/kubectl-v1.31.2-"+p)) {
			t.Errorf("no %s sha256:\n%s", p, got)
		}
		if n := r.hitCount("/kubectl-v1.31.2-" + p); n != 0 {
			t.Errorf("the %s artifact was downloaded %d times", p, n)
		}
	}
	if _, stderr, code := runBuilder2("lock", "--check", "--platform", "linux/arm64", "--sums", "${url}.missing", f); code != 1 || !strings.Contains(stderr, "404") {
		t.Errorf("lock --sums with a missing sums file: exit %d\n%s", code, stderr)
	}
}

// TestLockFailures: a download that fails, or a spec with errors, leaves
// the file alone and exits 1.
func TestLockFailures(t *testing.T) {
	r := newReleases(t)
	text := `version: 1
platforms: [linux/amd64]
images:
  builder:
    base: example.com/base:1
    tools:
      - name: gone
        version: v1
        url: ` + r.URL + `/missing-${version}
        dest: /usr/local/bin/gone
`
	f := writeFile(t, text)
	_, stderr, code := runBuilder2("lock", f)
	if code != 1 || !strings.Contains(stderr, `tool "gone" (linux/amd64, `+r.URL+`/missing-v1): GET `+r.URL+`/missing-v1: 404 Not Found`) {
		t.Errorf("lock of a missing artifact: exit %d\n%s", code, stderr)
	}
	if readFile(t, f) != text {
		t.Error("a failed lock wrote the file")
	}
	bad := strings.Replace(text, "dest:", "dset:", 1)
	f = writeFile(t, bad)
	_, stderr, code = runBuilder2("lock", f)
	if code != 1 || !strings.Contains(stderr, `builder.yaml:10:9: unknown field "dset"; did you mean "dest"?`) {
		t.Errorf("lock of a bad spec: exit %d\n%s", code, stderr)
	}
}

// TestLockAliases: a digest written as a YAML alias is not rewritten
// through its anchor (that would change every use).
func TestLockAliases(t *testing.T) {
	r := newReleases(t)
	text := `version: 1
platforms: [linux/amd64]
images:
  builder:
    base: example.com/base:1
    labels:
      pinned: &helmsum ` + sumOf("/helm-amd64") + `
    tools:
      - name: helm
        version: v1
        url: ` + r.URL + `/helm-${arch}
        sha256:
          linux/amd64: *helmsum
        dest: /usr/local/bin/helm
`
	f := writeFile(t, text)
	if out, code := runBuilder(t, "lock", "--check", f); code != 0 {
		t.Errorf("lock --check with an alias that is right: exit %d\n%s", code, out)
	}
	stale := strings.Replace(text, "/helm-${arch}", "/helm2-${arch}", 1)
	f = writeFile(t, stale)
	if _, code := runBuilder(t, "lock", f); code != 2 || readFile(t, f) != stale {
		t.Errorf("lock through an alias: exit %d\n%s", code, readFile(t, f))
	}
}

// TestLockOneFileForSeveralPlatforms: a file pinned for several platforms
// of a tool is looked into; executables of a machine one of them cannot
// run stop lock, with the machine and the platforms named, and nothing is
// written. Before, lock wrote the x86_64 file's sha256 for every platform.
func TestLockOneFileForSeveralPlatforms(t *testing.T) {
	files := map[string][]byte{}
	for _, a := range []fixture.Artifact{fixture.Shellcheck("v0.9.0", "amd64", "x86_64"), fixture.Bazel("7.4.1", "amd64", "x86_64"), fixture.Bazel("7.4.1", "arm64", "arm64")} {
		files["/"+a.Name] = a.Data
	}
	// Both machines in one archive, each under its own directory.
	amd, _ := fixture.Executable("amd64", "t")
	arm, _ := fixture.Executable("arm64", "t")
	files["/universal.tar.gz"] = fixture.TarGz([]fixture.File{{Path: "amd64/t", Mode: 0o755, Data: amd}, {Path: "arm64/t", Mode: 0o755, Data: arm}})
	files["/tool.jar"] = []byte("PK\x03\x04 not machine code")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d, ok := files[r.URL.Path]; ok {
			w.Write(d)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/mirror/") { // another URL, the same bytes
			w.Write(files["/bazel-7.4.1-linux-x86_64"])
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	tool := func(body string) string {
		return `version: 1
platforms: [linux/amd64, linux/arm64]
images:
  builder:
    base: example.com/base:1
    tools:
      - name: t
        version: v0.9.0
` + strings.ReplaceAll(body, "URL", srv.URL)
	}
	shellcheck := tool(`        url: URL/shellcheck-${version}.linux.x86_64.tar.xz
        strip: 1
        take: [shellcheck]
        dest: /usr/bin
`)
	refusal := `tool "t": one file, ` + srv.URL + `/shellcheck-v0.9.0.linux.x86_64.tar.xz (sha256 ` + fixture.Shellcheck("v0.9.0", "amd64", "x86_64").SHA256() +
		`), would be pinned for linux/amd64 and linux/arm64, and it holds x86-64 executables (shellcheck-v0.9.0/shellcheck): linux/arm64 cannot run them; put ${arch} or an arch scheme in the URL so that each platform gets its own file, set foreignBinaries: true on the tool if it ships them on purpose, or pass --allow-same-file to pin it anyway`
	for _, tc := range []struct {
		name   string
		spec   string
		args   []string
		code   int
		stderr string
	}{
		{name: "x86-64 archive for both", spec: shellcheck, code: 1, stderr: refusal},
		{name: "--check says so too", spec: shellcheck, args: []string{"--check"}, code: 1, stderr: refusal},
		{name: "--allow-same-file", spec: shellcheck, args: []string{"--allow-same-file"}, code: 0,
			stderr: `WARNING: tool "t": one file, ` + srv.URL + `/shellcheck-v0.9.0.linux.x86_64.tar.xz`},
		{name: "foreignBinaries", spec: strings.Replace(shellcheck, "        dest: /usr/bin\n", "        dest: /usr/bin\n        foreignBinaries: true\n", 1), code: 0},
		{name: "raw x86-64 binary from two URLs", spec: tool(`        url: URL/mirror/${arch}/bazel
        dest: /usr/bin/bazel
`), code: 1, stderr: `holds x86-64 executables (bazel): linux/arm64 cannot run them`},
		{name: "each platform its own binary", spec: tool(`        url: URL/bazel-7.4.1-linux-${arch.bazel}
        dest: /usr/bin/bazel
`), code: 0},
		{name: "one archive, each platform takes its own", spec: tool(`        url: URL/universal.tar.gz
        take: ["${arch}"]
        dest: /opt/t
`), code: 0},
		{name: "one archive, both platforms take both", spec: tool(`        url: URL/universal.tar.gz
        dest: /opt/t
`), code: 1, stderr: `and it holds AArch64 executables (arm64/t) and x86-64 executables (amd64/t): linux/amd64 and linux/arm64 cannot run them`},
		{name: "no machine code", spec: tool(`        url: URL/tool.jar
        dest: /opt/tool.jar
`), code: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(tc.spec, "version: 1\n", "version: 1\narches:\n  bazel: {linux/amd64: x86_64, linux/arm64: arm64}\n", 1)
			f := writeFile(t, text)
			_, stderr, code := runBuilder2(append(append([]string{"lock"}, tc.args...), f)...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, want %d; stderr:\n%s\nwant it to contain:\n%s", code, tc.code, stderr, tc.stderr)
			}
			if written := readFile(t, f) != text; written != (tc.code == 0 && !slices.Contains(tc.args, "--check")) {
				t.Errorf("file written: %v", written)
			}
		})
	}
}
