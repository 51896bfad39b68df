package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// istioFiles are the checked-in copies of Istio's files (their README
// names repository, branch and commit).
const istioFiles = "../../internal/drift/testdata/istio/"

func istio(branch string) []string {
	return []string{"--istio", istioFiles + branch + ".Dockerfile", "--bazelversion", istioFiles + branch + ".bazelversion"}
}

// maistra34 is examples/maistra-builder/3.4.yaml reduced to its versioned
// tools, in one file, with goimports' version literal: the cases of a spec
// without extends (the example's own rows are in TestDriftTables).
const maistra34 = `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]

args:
  GOLANG_VERSION:
    default: "1.25.9"          # istio/istio release-1.30 go.mod
    description: Go toolchain
  BAZEL_VERSION:
    default: '7.7.1'
    description: istio/proxy .bazelversion
  GCLOUD_VERSION: 496.0.0      # copied from 3.3
  K8S_TEST_INFRA_VERSION: 1f0e63447a32a07c0a6cc1ae3b95172438b373c8
  GO_JUNIT_REPORT_VERSION: df0ed838addb0fa189c4d76ad4657f6007a5811c

arches:
  bazel: {linux/amd64: x86_64, linux/arm64: arm64}
  gcloud: {linux/amd64: x86_64, linux/arm64: arm}

images:
  maistra-builder:
    base: quay.io/fedora/fedora:43
    tools:
      - name: go
        version: ${GOLANG_VERSION}
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: "00859d7bd6defe8bf84d9db9e57b9a4467b2887c18cd93ae7460e713db774bc1"
          linux/arm64: "ec342e7389b7f489564ed5463c63b16cf8040023dabc7861256677165a8c0e2b"
        strip: 1
        dest: /usr/lib/golang
      - name: bazel
        version: ${BAZEL_VERSION}
        url: https://github.com/bazelbuild/bazel/releases/download/${version}/bazel-${version}-linux-${arch}
        arch: bazel
        sha256:
          linux/amd64: "115a1b62be95f29e5821d4dddffba1b058905a48019b499919c285e7f708d5e2"
          linux/arm64: "71df04ec724f1b577f1f47ec9a6b81d13f39683f6c3215cacf45fdaf40b2c5c1"
        dest: /usr/bin/bazel
      - name: google-cloud-sdk
        version: ${GCLOUD_VERSION}
        url: https://dl.google.com/dl/cloudsdk/channels/rapid/downloads/google-cloud-sdk-${version}-linux-${arch}.tar.gz
        arch: gcloud
        sha256:
          linux/amd64: "9355cdd311c622f13e2f2a3eb06ffd1b74a1f50a9d1af9eed786cbe0e9a5b736"
          linux/arm64: "f38e48ecebf1e803fe873808a54e5d3bc42b9d55b89c9789c59759b16c4a00af"
        dest: /usr/local
    goTools:
      - name: pr-creator
        package: k8s.io/test-infra/robots/pr-creator
        version: ${K8S_TEST_INFRA_VERSION}
      - name: goimports
        package: golang.org/x/tools/cmd/goimports
        version: v0.28.0               # literal, as in the Dockerfile
      - name: go-junit-report
        package: github.com/istio/go-junit-report
        version: ${GO_JUNIT_REPORT_VERSION}
`

// TestDriftTables: the exact tables against the checked-in Istio files,
// the drifts of Maistra 3.4 and 3.5 found when they were written.
func TestDriftTables(t *testing.T) {
	f34 := writeFile(t, maistra34)
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{name: "3.5 vs release-1.31: only go", args: append(istio("release-1.31"), "../../examples/maistra-builder/3.5.yaml"), code: 1, want: `../../examples/maistra-builder/3.5.yaml: image maistra-builder against release-1.31.Dockerfile and release-1.31.bazelversion
  TOOL              SPEC                                      ISTIO                                     STATUS   SOURCE
  go                1.26.4                                    1.26.5                                    differs  image golang (release-1.31.Dockerfile:32)
  bazel             8.7.0                                     8.7.0                                     same     bazelversion (release-1.31.bazelversion:1)
  google-cloud-sdk  558.0.0                                   558.0.0                                   same     env GCLOUD_VERSION (release-1.31.Dockerfile:48)
  pr-creator        70b809241c9cf08ceb86a9a91ed1909e75e3378c  70b809241c9cf08ceb86a9a91ed1909e75e3378c  same     go k8s.io/test-infra/robots/pr-creator (release-1.31.Dockerfile:420)
  goimports         v0.42.0                                   v0.42.0                                   same     go golang.org/x/tools/cmd/goimports (release-1.31.Dockerfile:340)
  go-junit-report   df0ed838addb0fa189c4d76ad4657f6007a5811c  df0ed838addb0fa189c4d76ad4657f6007a5811c  same     go github.com/istio/go-junit-report (release-1.31.Dockerfile:364)
../../examples/maistra-builder/3.5.yaml: drift from Istio: 1 differs (6 tools)
`},
		// release-1.30 states the Dockerfile versions 1.31 does: only
		// .bazelversion tells them apart.
		{name: "3.5 vs release-1.30: bazel too", args: append(istio("release-1.30"), "../../examples/maistra-builder/3.5.yaml"), code: 1, want: `../../examples/maistra-builder/3.5.yaml: image maistra-builder against release-1.30.Dockerfile and release-1.30.bazelversion
  TOOL              SPEC                                      ISTIO                                     STATUS   SOURCE
  go                1.26.4                                    1.26.5                                    differs  image golang (release-1.30.Dockerfile:32)
  bazel             8.7.0                                     7.7.1                                     differs  bazelversion (release-1.30.bazelversion:1)
  google-cloud-sdk  558.0.0                                   558.0.0                                   same     env GCLOUD_VERSION (release-1.30.Dockerfile:48)
  pr-creator        70b809241c9cf08ceb86a9a91ed1909e75e3378c  70b809241c9cf08ceb86a9a91ed1909e75e3378c  same     go k8s.io/test-infra/robots/pr-creator (release-1.30.Dockerfile:405)
  goimports         v0.42.0                                   v0.42.0                                   same     go golang.org/x/tools/cmd/goimports (release-1.30.Dockerfile:325)
  go-junit-report   df0ed838addb0fa189c4d76ad4657f6007a5811c  df0ed838addb0fa189c4d76ad4657f6007a5811c  same     go github.com/istio/go-junit-report (release-1.30.Dockerfile:349)
../../examples/maistra-builder/3.5.yaml: drift from Istio: 2 differs (6 tools)
`},
		// The version-change case: release-1.29 has older versions.
		{name: "3.5 vs release-1.29", args: append(istio("release-1.29"), "../../examples/maistra-builder/3.5.yaml"), code: 1, want: `../../examples/maistra-builder/3.5.yaml: image maistra-builder against release-1.29.Dockerfile and release-1.29.bazelversion
  TOOL              SPEC                                      ISTIO                                     STATUS   SOURCE
  go                1.26.4                                    1.25.12                                   differs  image golang (release-1.29.Dockerfile:32)
  bazel             8.7.0                                     7.7.1                                     differs  bazelversion (release-1.29.bazelversion:1)
  google-cloud-sdk  558.0.0                                   550.0.0                                   differs  env GCLOUD_VERSION (release-1.29.Dockerfile:48)
  pr-creator        70b809241c9cf08ceb86a9a91ed1909e75e3378c  70b809241c9cf08ceb86a9a91ed1909e75e3378c  same     go k8s.io/test-infra/robots/pr-creator (release-1.29.Dockerfile:405)
  goimports         v0.42.0                                   v0.40.0                                   differs  go golang.org/x/tools/cmd/goimports (release-1.29.Dockerfile:325)
  go-junit-report   df0ed838addb0fa189c4d76ad4657f6007a5811c  df0ed838addb0fa189c4d76ad4657f6007a5811c  same     go github.com/istio/go-junit-report (release-1.29.Dockerfile:349)
../../examples/maistra-builder/3.5.yaml: drift from Istio: 4 differs (6 tools)
`},
		// The 3.4 branch follows release-1.30: four differ.
		{name: "3.4 vs release-1.30", args: append(istio("release-1.30"), "../../examples/maistra-builder/3.4.yaml"), code: 1, want: `../../examples/maistra-builder/3.4.yaml: image maistra-builder against release-1.30.Dockerfile and release-1.30.bazelversion
  TOOL              SPEC                                      ISTIO                                     STATUS   SOURCE
  go                1.25.9                                    1.26.5                                    differs  image golang (release-1.30.Dockerfile:32)
  bazel             7.7.1                                     7.7.1                                     same     bazelversion (release-1.30.bazelversion:1)
  google-cloud-sdk  496.0.0                                   558.0.0                                   differs  env GCLOUD_VERSION (release-1.30.Dockerfile:48)
  pr-creator        1f0e63447a32a07c0a6cc1ae3b95172438b373c8  70b809241c9cf08ceb86a9a91ed1909e75e3378c  differs  go k8s.io/test-infra/robots/pr-creator (release-1.30.Dockerfile:405)
  goimports         v0.28.0                                   v0.42.0                                   differs  go golang.org/x/tools/cmd/goimports (release-1.30.Dockerfile:325)
  go-junit-report   df0ed838addb0fa189c4d76ad4657f6007a5811c  df0ed838addb0fa189c4d76ad4657f6007a5811c  same     go github.com/istio/go-junit-report (release-1.30.Dockerfile:349)
../../examples/maistra-builder/3.4.yaml: drift from Istio: 4 differs (6 tools)
`},
		{name: "3.4 in one file vs release-1.30", args: append(istio("release-1.30"), f34), code: 1, want: f34 + `: image maistra-builder against release-1.30.Dockerfile and release-1.30.bazelversion
  TOOL              SPEC                                      ISTIO                                     STATUS   SOURCE
  go                1.25.9                                    1.26.5                                    differs  image golang (release-1.30.Dockerfile:32)
  bazel             7.7.1                                     7.7.1                                     same     bazelversion (release-1.30.bazelversion:1)
  google-cloud-sdk  496.0.0                                   558.0.0                                   differs  env GCLOUD_VERSION (release-1.30.Dockerfile:48)
  pr-creator        1f0e63447a32a07c0a6cc1ae3b95172438b373c8  70b809241c9cf08ceb86a9a91ed1909e75e3378c  differs  go k8s.io/test-infra/robots/pr-creator (release-1.30.Dockerfile:405)
  goimports         v0.28.0                                   v0.42.0                                   differs  go golang.org/x/tools/cmd/goimports (release-1.30.Dockerfile:325)
  go-junit-report   df0ed838addb0fa189c4d76ad4657f6007a5811c  df0ed838addb0fa189c4d76ad4657f6007a5811c  same     go github.com/istio/go-junit-report (release-1.30.Dockerfile:349)
` + f34 + `: drift from Istio: 4 differs (6 tools)
`},
		{name: "without --bazelversion", args: []string{"--istio", istioFiles + "release-1.31.Dockerfile", f34}, code: 1, want: f34 + `: image maistra-builder against release-1.31.Dockerfile
  TOOL              SPEC                                      ISTIO                                     STATUS   SOURCE
  go                1.25.9                                    1.26.5                                    differs  image golang (release-1.31.Dockerfile:32)
  bazel             7.7.1                                     -                                         skipped  bazelversion
  google-cloud-sdk  496.0.0                                   558.0.0                                   differs  env GCLOUD_VERSION (release-1.31.Dockerfile:48)
  pr-creator        1f0e63447a32a07c0a6cc1ae3b95172438b373c8  70b809241c9cf08ceb86a9a91ed1909e75e3378c  differs  go k8s.io/test-infra/robots/pr-creator (release-1.31.Dockerfile:420)
  goimports         v0.28.0                                   v0.42.0                                   differs  go golang.org/x/tools/cmd/goimports (release-1.31.Dockerfile:340)
  go-junit-report   df0ed838addb0fa189c4d76ad4657f6007a5811c  df0ed838addb0fa189c4d76ad4657f6007a5811c  same     go github.com/istio/go-junit-report (release-1.31.Dockerfile:364)
  bazel: pass --bazelversion FILE|URL to compare it
` + f34 + `: drift from Istio: 4 differs (6 tools)
`},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := runBuilder2(append([]string{"drift"}, c.args...)...)
			if code != c.code || stdout != c.want || stderr != "" {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, c.code, stdout, c.want, stderr)
			}
		})
	}
}

// TestDriftAligned: a spec in line with Istio exits 0.
func TestDriftAligned(t *testing.T) {
	f := writeFile(t, strings.NewReplacer(`"1.25.9"`, `"1.26.5"`, "496.0.0", "558.0.0", "1f0e63447a32a07c0a6cc1ae3b95172438b373c8", "70b80924", "v0.28.0", "v0.42.0").Replace(maistra34))
	stdout, stderr, code := runBuilder2(append([]string{"drift"}, append(istio("release-1.30"), f)...)...)
	if code != 0 || !strings.HasSuffix(stdout, f+": in line with Istio (6 tools)\n") || stderr != "" {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestDriftJSON: the 3.4 branch of the example against release-1.30.
func TestDriftJSON(t *testing.T) {
	f := "../../examples/maistra-builder/3.4.yaml"
	stdout, _, code := runBuilder2("drift", "--format", "json", "--istio", istioFiles+"release-1.30.Dockerfile", "--bazelversion", istioFiles+"release-1.30.bazelversion", f)
	want := `{
  "file": "` + f + `",
  "image": "maistra-builder",
  "istio": "../../internal/drift/testdata/istio/release-1.30.Dockerfile",
  "bazelversion": "../../internal/drift/testdata/istio/release-1.30.bazelversion",
  "drift": true,
  "tools": [
    {
      "tool": "go",
      "kind": "tool",
      "source": "image golang",
      "spec": "1.25.9",
      "istio": "1.26.5",
      "status": "differs",
      "at": "release-1.30.Dockerfile:32"
    },
    {
      "tool": "bazel",
      "kind": "tool",
      "source": "bazelversion",
      "spec": "7.7.1",
      "istio": "7.7.1",
      "status": "same",
      "at": "release-1.30.bazelversion:1"
    },
    {
      "tool": "google-cloud-sdk",
      "kind": "tool",
      "source": "env GCLOUD_VERSION",
      "spec": "496.0.0",
      "istio": "558.0.0",
      "status": "differs",
      "at": "release-1.30.Dockerfile:48"
    },
    {
      "tool": "pr-creator",
      "kind": "go tool",
      "source": "go k8s.io/test-infra/robots/pr-creator",
      "spec": "1f0e63447a32a07c0a6cc1ae3b95172438b373c8",
      "istio": "70b809241c9cf08ceb86a9a91ed1909e75e3378c",
      "status": "differs",
      "at": "release-1.30.Dockerfile:405"
    },
    {
      "tool": "goimports",
      "kind": "go tool",
      "source": "go golang.org/x/tools/cmd/goimports",
      "spec": "v0.28.0",
      "istio": "v0.42.0",
      "status": "differs",
      "at": "release-1.30.Dockerfile:325"
    },
    {
      "tool": "go-junit-report",
      "kind": "go tool",
      "source": "go github.com/istio/go-junit-report",
      "spec": "df0ed838addb0fa189c4d76ad4657f6007a5811c",
      "istio": "df0ed838addb0fa189c4d76ad4657f6007a5811c",
      "status": "same",
      "at": "release-1.30.Dockerfile:349"
    }
  ]
}
`
	if code != 1 || stdout != want {
		t.Errorf("exit %d\n%s\nwant:\n%s", code, stdout, want)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Fatal(err)
	}
}

// TestDriftWrite: --write puts Istio's versions into the arg defaults (and
// the literal Go tool version) in the quoting each had, and changes no
// other byte; the spec then reads back in line with Istio, and a second
// --write has nothing to do.
func TestDriftWrite(t *testing.T) {
	f := writeFile(t, maistra34)
	stdout, stderr, code := runBuilder2(append([]string{"drift", "--write"}, append(istio("release-1.30"), f)...)...)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	wantOut := f + `:7: args.GOLANG_VERSION: 1.25.9 -> 1.26.5 (tool "go")
` + f + `:12: args.GCLOUD_VERSION: 496.0.0 -> 558.0.0 (tool "google-cloud-sdk")
` + f + `:13: args.K8S_TEST_INFRA_VERSION: 1f0e63447a32a07c0a6cc1ae3b95172438b373c8 -> 70b809241c9cf08ceb86a9a91ed1909e75e3378c (tool "pr-creator")
` + f + `:54: images.maistra-builder.goTools.1.version: v0.28.0 -> v0.42.0 (tool "goimports")
` + f + `: wrote 4 versions; builder lock ` + f + ` writes their checksums
`
	if !strings.HasSuffix(stdout, wantOut) {
		t.Errorf("stdout:\n%s\nwant it to end with:\n%s", stdout, wantOut)
	}
	want := strings.NewReplacer(
		`default: "1.25.9"          # istio`, `default: "1.26.5"          # istio`,
		`GCLOUD_VERSION: 496.0.0      # copied`, `GCLOUD_VERSION: 558.0.0      # copied`,
		`K8S_TEST_INFRA_VERSION: 1f0e63447a32a07c0a6cc1ae3b95172438b373c8`, `K8S_TEST_INFRA_VERSION: 70b809241c9cf08ceb86a9a91ed1909e75e3378c`,
		`version: v0.28.0               # literal`, `version: v0.42.0               # literal`,
	).Replace(maistra34)
	if got := readFile(t, f); got != want {
		t.Errorf("written spec:\n%s\nwant:\n%s", got, want)
	}
	stdout, _, code = runBuilder2(append([]string{"drift", "--write"}, append(istio("release-1.30"), f)...)...)
	if code != 0 || !strings.HasSuffix(stdout, ": in line with Istio (6 tools)\n"+f+": nothing to write\n") {
		t.Errorf("second --write: exit %d\n%s", code, stdout)
	}
	if got := readFile(t, f); got != want {
		t.Errorf("second --write changed the spec:\n%s", got)
	}

	// A version Istio gives without the v the spec writes keeps the v;
	// a short form written in single quotes stays so.
	f = writeFile(t, `version: 1
args:
  KUBECTL_VERSION: 'v1.35.0'
images:
  b:
    base: example.com/b:1
    tools:
      - {name: kubectl, version: "${KUBECTL_VERSION}", url: "https://dl.k8s.io/release/${version}/bin/linux/${arch}/kubectl", sha256: {}, dest: /usr/local/bin/}
`)
	if _, stderr, code := runBuilder2("drift", "--write", "--istio", istioFiles+"release-1.31.Dockerfile", f); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := readFile(t, f); !strings.Contains(got, "  KUBECTL_VERSION: 'v1.35.1'\n") {
		t.Errorf("written spec:\n%s", got)
	}
}

// TestDriftWriteRefused: what --write cannot place is left alone, said,
// and the exit status is 1.
func TestDriftWriteRefused(t *testing.T) {
	text := `version: 1
args:
  GCLOUD_VERSION: &v "496.0.0"
  OTHER: *v
images:
  b:
    base: example.com/b:1
    tools:
      - {name: gcloud, version: "${GCLOUD_VERSION}", url: "https://example.com/g", sha256: {}, dest: /g}
`
	f := writeFile(t, text)
	stdout, _, code := runBuilder2("drift", "--write", "--istio", istioFiles+"release-1.31.Dockerfile", f)
	want := f + `: not written: args.GCLOUD_VERSION (tool "gcloud"): is written with a YAML alias, anchor or tag; edit it by hand
` + f + `: nothing to write
`
	if code != 1 || !strings.HasSuffix(stdout, want) {
		t.Errorf("exit %d\n%s\nwant it to end with:\n%s", code, stdout, want)
	}
	if got := readFile(t, f); got != text {
		t.Errorf("the spec changed:\n%s", got)
	}
	if note := `args.GCLOUD_VERSION (tool "gcloud"): is written with a YAML alias, anchor or tag; edit it by hand`; !strings.Contains(cliDoc(t), "\n"+note+"\n") {
		t.Errorf("docs/cli.md does not show %s", note)
	}
}

func TestDriftErrors(t *testing.T) {
	good := writeFile(t, maistra34)
	bad := writeFile(t, strings.Replace(maistra34, "arches:", "drift:\n  go: image golang:1.26\narches:", 1))
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{good}, 2, "builder: name Istio's files: --istio FILE|URL (build-tools Dockerfile) and --bazelversion FILE|URL (istio/proxy .bazelversion)\n"},
		{[]string{"--istio", "/nonexistent/Dockerfile", good}, 2, "builder: --istio: open /nonexistent/Dockerfile: no such file or directory\n"},
		{[]string{"--bazelversion", istioFiles + "release-1.31.Dockerfile", good}, 2, `builder: release-1.31.Dockerfile:27: "ARG BASE_OS_CONTEXT=base_os_context" is not a Bazel version; a .bazelversion file holds one, such as 8.7.0, on its first line` + "\n"},
		{[]string{"--istio", istioFiles + "release-1.31.bazelversion", good}, 2, "builder: release-1.31.bazelversion: not a Dockerfile: dockerfile parse error on line 1: unknown instruction: 8.7.0\n"},
		{[]string{"--istio", "http://example.com/Dockerfile", good}, 2, `builder: --istio "http://example.com/Dockerfile": use an https:// URL (plain http only for a loopback host)` + "\n"},
		{[]string{"--istio", "ftp://example.com/Dockerfile", good}, 2, `builder: --istio "ftp://example.com/Dockerfile": use an https:// URL (plain http only for a loopback host)` + "\n"},
		{[]string{"--target", "nope", "--istio", istioFiles + "release-1.31.Dockerfile", good}, 2, "builder: --target nope: the spec has no such image (images: maistra-builder)\n"},
		{[]string{"--istio", istioFiles + "release-1.31.Dockerfile", bad}, 1, bad + `:17:3: tool "go": drift source image: "golang:1.26" is not an image name; name the repository without a tag, e.g. image golang` + "\n"},
	} {
		_, stderr, code := runBuilder2(append([]string{"drift"}, c.args...)...)
		if code != c.code || stderr != c.stderr {
			t.Errorf("drift %s: exit %d (want %d)\nstderr: %s\nwant:   %s", strings.Join(c.args, " "), code, c.code, stderr, c.stderr)
		}
	}
}

// TestDriftURLs: inputs named by URL are fetched over https (a TLS test
// server here), over http only from a loopback host, bounded in size and
// in time, and never through a redirect to plain http elsewhere.
func TestDriftURLs(t *testing.T) {
	df, err := os.ReadFile(istioFiles + "release-1.31.Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	defer close(release)
	mux := http.NewServeMux()
	mux.HandleFunc("/istio/tools/release-1.31/docker/build-tools/Dockerfile", func(w http.ResponseWriter, r *http.Request) { w.Write(df) })
	mux.HandleFunc("/istio/proxy/release-1.31/.bazelversion", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "8.7.0") })
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("# comment\n"), 1<<16)
		for i := 0; i < 8; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("FROM scratch\n"))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/to-http", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.com/Dockerfile", http.StatusFound)
	})
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()
	plain := httptest.NewServer(mux)
	defer plain.Close()

	f := writeFile(t, maistra34)
	drift := func(timeout time.Duration, args ...string) (string, string, int) {
		var out, errOut bytes.Buffer
		g := &globals{stdout: &out, stderr: &errOut, httpClient: srv.Client(), inputTimeout: timeout}
		code := g.run(context.Background(), append(append([]string{"drift"}, args...), f))
		return out.String(), errOut.String(), code
	}
	tools := srv.URL + "/istio/tools/release-1.31/docker/build-tools/Dockerfile"
	proxy := srv.URL + "/istio/proxy/release-1.31/.bazelversion"
	stdout, stderr, code := drift(time.Minute, "--istio", tools, "--bazelversion", proxy)
	if code != 1 || stderr != "" || !strings.Contains(stdout, "image maistra-builder against Dockerfile and .bazelversion\n") ||
		!strings.Contains(stdout, "  bazel             7.7.1                                     8.7.0                                     differs  bazelversion (.bazelversion:1)\n") ||
		!strings.Contains(stdout, "  google-cloud-sdk  496.0.0                                   558.0.0                                   differs  env GCLOUD_VERSION (Dockerfile:48)\n") {
		t.Errorf("https: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if _, stderr, code := drift(time.Minute, "--istio", strings.Replace(tools, srv.URL, plain.URL, 1)); code != 1 || stderr != "" {
		t.Errorf("http on loopback: exit %d: %s", code, stderr)
	}
	for _, c := range []struct {
		url     string
		timeout time.Duration
		stderr  string
	}{
		{srv.URL + "/huge", time.Minute, "builder: --istio " + srv.URL + "/huge: larger than 4194304 bytes; it is not Istio's file\n"},
		{srv.URL + "/stall", 300 * time.Millisecond, "builder: --istio " + srv.URL + "/stall: not read within 300ms; check the URL, or download the file and name it\n"},
		{srv.URL + "/missing", time.Minute, "builder: --istio: GET " + srv.URL + "/missing: 404 Not Found\n"},
		{srv.URL + "/to-http", time.Minute, "builder: --istio: Get \"http://example.com/Dockerfile\": redirected to http://example.com/Dockerfile, which is not https\n"},
	} {
		start := time.Now()
		_, stderr, code := drift(c.timeout, "--istio", c.url)
		if code != 2 || stderr != c.stderr {
			t.Errorf("%s: exit %d\nstderr: %s\nwant:   %s", c.url, code, stderr, c.stderr)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%s took %s", c.url, d)
		}
	}
}

// TestDriftReadme: the README's drift example is what the command prints.
func TestDriftReadme(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	const cmd = "$ builder drift --istio internal/drift/testdata/istio/release-1.31.Dockerfile --bazelversion internal/drift/testdata/istio/release-1.31.bazelversion examples/maistra-builder/3.5.yaml\n"
	i := strings.Index(readme, cmd)
	if i < 0 {
		t.Fatal("README.md does not show builder drift")
	}
	shown := readme[i+len(cmd):]
	shown = shown[:strings.Index(shown, "```")]
	var args []string
	for _, a := range strings.Fields(strings.TrimPrefix(cmd, "$ builder ")) {
		if strings.Contains(a, "/") {
			a = "../../" + a
		}
		args = append(args, a)
	}
	stdout, _, _ := runBuilder2(args...)
	if got := strings.ReplaceAll(stdout, "../../", ""); got != shown {
		t.Errorf("README shows:\n%s\nthe command prints:\n%s", shown, got)
	}
}

// copyExample copies examples/maistra-builder and the Istio files of
// branch into a new directory, and makes it the working directory: the
// commands name the files as a user in that directory would.
func copyExample(t *testing.T, branch string) string {
	t.Helper()
	dir := t.TempDir()
	for src, dst := range map[string]string{
		"examples/maistra-builder/common.yaml":                      "common.yaml",
		"examples/maistra-builder/3.4.yaml":                         "3.4.yaml",
		"examples/maistra-builder/3.5.yaml":                         "3.5.yaml",
		"internal/drift/testdata/istio/" + branch + ".Dockerfile":   branch + ".Dockerfile",
		"internal/drift/testdata/istio/" + branch + ".bazelversion": branch + ".bazelversion",
	} {
		b, err := os.ReadFile(filepath.Join(repo, src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return dir
}

// sumsServer answers GET https://sums.test/NAME/VERSION/PLATFORM with the
// digest it holds for that path (a sums file of one digest, as builder
// lock --sums reads it), 404 for any other: lock runs without the network,
// and the digests the example pins stay as they are.
type sumsServer map[string]string

func (s sumsServer) RoundTrip(req *http.Request) (*http.Response, error) {
	body, ok := s[req.URL.Path]
	status := http.StatusOK
	if !ok || req.URL.Host != "sums.test" {
		body, status = "not found", http.StatusNotFound
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

// TestDriftWriteBranch: --write on the 3.4 branch of the maistra-builder
// example, against release-1.30, changes the four arg defaults 3.4.yaml
// declares, in place, and no other byte of any file; a second drift is in
// line, and builder lock is the one step left: it writes go 1.26.5's
// digests into common.yaml, beside the other branches' versions, and the
// branch validates.
func TestDriftWriteBranch(t *testing.T) {
	copyExample(t, "release-1.30")
	before := map[string]string{}
	for _, f := range []string{"common.yaml", "3.4.yaml", "3.5.yaml"} {
		before[f] = readFile(t, f)
	}
	args := []string{"drift", "--write", "--istio", "release-1.30.Dockerfile", "--bazelversion", "release-1.30.bazelversion", "3.4.yaml"}
	stdout, stderr, code := runBuilder2(args...)
	want := `3.4.yaml: image maistra-builder against release-1.30.Dockerfile and release-1.30.bazelversion
  TOOL              SPEC                                      ISTIO                                     STATUS   SOURCE
  go                1.25.9                                    1.26.5                                    differs  image golang (release-1.30.Dockerfile:32)
  bazel             7.7.1                                     7.7.1                                     same     bazelversion (release-1.30.bazelversion:1)
  google-cloud-sdk  496.0.0                                   558.0.0                                   differs  env GCLOUD_VERSION (release-1.30.Dockerfile:48)
  pr-creator        1f0e63447a32a07c0a6cc1ae3b95172438b373c8  70b809241c9cf08ceb86a9a91ed1909e75e3378c  differs  go k8s.io/test-infra/robots/pr-creator (release-1.30.Dockerfile:405)
  goimports         v0.28.0                                   v0.42.0                                   differs  go golang.org/x/tools/cmd/goimports (release-1.30.Dockerfile:325)
  go-junit-report   df0ed838addb0fa189c4d76ad4657f6007a5811c  df0ed838addb0fa189c4d76ad4657f6007a5811c  same     go github.com/istio/go-junit-report (release-1.30.Dockerfile:349)
3.4.yaml: drift from Istio: 4 differs (6 tools)
3.4.yaml:16: args.GOLANG_VERSION: 1.25.9 -> 1.26.5 (tool "go")
3.4.yaml:18: args.GCLOUD_VERSION: 496.0.0 -> 558.0.0 (tool "google-cloud-sdk")
3.4.yaml:19: args.K8S_TEST_INFRA_VERSION: 1f0e63447a32a07c0a6cc1ae3b95172438b373c8 -> 70b809241c9cf08ceb86a9a91ed1909e75e3378c (tool "pr-creator")
3.4.yaml:20: args.GOIMPORTS_VERSION: v0.28.0 -> v0.42.0 (tool "goimports")
3.4.yaml: wrote 4 versions; builder lock 3.4.yaml writes their checksums
`
	if code != 0 || stdout != want || stderr != "" {
		t.Fatalf("drift --write: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, stdout, want, stderr)
	}
	// The golden diff: four values of 3.4.yaml, in their quoting, with
	// their comments; common.yaml and 3.5.yaml as they were.
	want34 := replaceEach(t, before["3.4.yaml"],
		`  GOLANG_VERSION: "1.25.9"`+"\n", `  GOLANG_VERSION: "1.26.5"`+"\n",
		`  GCLOUD_VERSION: "496.0.0"`+"\n", `  GCLOUD_VERSION: "558.0.0"`+"\n",
		"  K8S_TEST_INFRA_VERSION: 1f0e63447a32a07c0a6cc1ae3b95172438b373c8\n", "  K8S_TEST_INFRA_VERSION: 70b809241c9cf08ceb86a9a91ed1909e75e3378c\n",
		"  GOIMPORTS_VERSION: v0.28.0        # upstream", "  GOIMPORTS_VERSION: v0.42.0        # upstream")
	for f, w := range map[string]string{"3.4.yaml": want34, "common.yaml": before["common.yaml"], "3.5.yaml": before["3.5.yaml"]} {
		if got := readFile(t, f); got != w {
			t.Errorf("%s after drift --write:\n%s\nwant:\n%s", f, got, w)
		}
	}

	stdout, _, code = runBuilder2(append([]string{"drift"}, args[2:]...)...)
	if code != 0 || !strings.HasSuffix(stdout, "3.4.yaml: in line with Istio (6 tools)\n") || strings.Contains(stdout, "differs") {
		t.Errorf("drift after --write: exit %d\n%s", code, stdout)
	}

	// What is left: go 1.26.5 has no sha256 in common.yaml.
	_, stderr, code = runBuilder2("validate", "3.4.yaml")
	if want := `common.yaml:123:9: tool "go": version 1.26.5 has no sha256; add a sha256."1.26.5" entry (pinned versions: 1.25.9, 1.26.4) (common.yaml is extended by 3.4.yaml:13:10)`; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("validate after drift --write: exit %d\n%s\nwant:\n%s", code, stderr, want)
	}
	new := map[string]string{"linux/amd64": strings.Repeat("a", 64), "linux/arm64": strings.Repeat("b", 64)}
	sums := sumsServer{
		"/go/1.26.5/linux/amd64": new["linux/amd64"], "/go/1.26.5/linux/arm64": new["linux/arm64"],
		"/bazel/7.7.1/linux/amd64":              "115a1b62be95f29e5821d4dddffba1b058905a48019b499919c285e7f708d5e2",
		"/bazel/7.7.1/linux/arm64":              "71df04ec724f1b577f1f47ec9a6b81d13f39683f6c3215cacf45fdaf40b2c5c1",
		"/google-cloud-sdk/558.0.0/linux/amd64": "03d92b4ea587bbc1f0970d0c0b0ac034a912c126e1f6a2b345ce56d43a81ef6e",
		"/google-cloud-sdk/558.0.0/linux/arm64": "614a3f9b6f635328885cebb648254ea3d049e839422d9e002d2edcab2de4841d",
	}
	var out, errOut bytes.Buffer
	g := &globals{stdout: &out, stderr: &errOut, httpClient: &http.Client{Transport: sums}, inputTimeout: time.Minute}
	if code := g.run(context.Background(), []string{"lock", "--sums", "https://sums.test/${name}/${version}/${platform}", "3.4.yaml"}); code != 0 {
		t.Fatalf("lock: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	wantLock := `common.yaml:123: tool "go" 1.26.5 linux/amd64: sha256 missing; the artifact's is ` + new["linux/amd64"] + `
common.yaml:123: tool "go" 1.26.5 linux/arm64: sha256 missing; the artifact's is ` + new["linux/arm64"] + `
common.yaml: wrote 2 checksums
`
	if out.String() != wantLock {
		t.Errorf("lock:\n%s\nwant:\n%s", out.String(), wantLock)
	}
	wantCommon := replaceEach(t, before["common.yaml"],
		`            linux/arm64: "ef758ae7c6cf9267c9c0ef080b8965f453d89ab2d25d9eb22de4405925238768"`+"\n",
		`            linux/arm64: "ef758ae7c6cf9267c9c0ef080b8965f453d89ab2d25d9eb22de4405925238768"`+"\n"+
			`          "1.26.5":`+"\n"+
			`            linux/amd64: "`+new["linux/amd64"]+`"`+"\n"+
			`            linux/arm64: "`+new["linux/arm64"]+`"`+"\n")
	if got := readFile(t, "common.yaml"); got != wantCommon {
		t.Errorf("common.yaml after lock:\n%s\nwant:\n%s", got, wantCommon)
	}
	if got := readFile(t, "3.5.yaml"); got != before["3.5.yaml"] {
		t.Errorf("lock changed 3.5.yaml:\n%s", got)
	}
	for _, f := range []string{"3.4.yaml", "3.5.yaml"} {
		if _, stderr, code := runBuilder2("validate", f); code != 0 {
			t.Errorf("validate %s after lock: exit %d\n%s", f, code, stderr)
		}
	}
}

// replaceEach replaces each old by its new once in text; each old must
// be there.
func replaceEach(t *testing.T, text string, oldNew ...string) string {
	t.Helper()
	for i := 0; i < len(oldNew); i += 2 {
		if !strings.Contains(text, oldNew[i]) {
			t.Fatalf("no %q in\n%s", oldNew[i], text)
		}
		text = strings.Replace(text, oldNew[i], oldNew[i+1], 1)
	}
	return text
}

// driftCommon is a file branches extend: GCLOUD_VERSION and INFRA are
// declared (and defaulted) here only.
const driftCommon = `version: 1
args:
  GCLOUD_VERSION:
    default: "496.0.0"
    description: shared by the branches
  INFRA: 1f0e63447a32a07c0a6cc1ae3b95172438b373c8
images:
  b:
    base: example.com/b:1
    tools:
      - name: gcloud
        version: ${GCLOUD_VERSION}
        url: https://example.com/gcloud-${version}.tar.gz
        sha256: {"496.0.0": {linux/amd64: "1111111111111111111111111111111111111111111111111111111111111111"}}
        dest: /usr/local
    goTools:
      - {name: pr-creator, package: k8s.io/test-infra/robots/pr-creator, version: "${INFRA}"}
`

// TestDriftWriteOverrides: --write changes the branch file only. An arg
// the branch does not declare gets an override in its args: (made when
// missing), and a literal version in a shared file is left alone, with a
// note; the shared files keep every byte.
func TestDriftWriteOverrides(t *testing.T) {
	dockerfile, err := filepath.Abs(istioFiles + "release-1.31.Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	const gcloud, infra = `  GCLOUD_VERSION: "558.0.0"` + "\n", `  INFRA: "70b809241c9cf08ceb86a9a91ed1909e75e3378c"` + "\n"
	written := func(file, line1, line2, over1, over2 string) string {
		return file + ":" + line1 + `: args.GCLOUD_VERSION: 496.0.0 -> 558.0.0 (tool "gcloud"; overrides ` + over1 + `)
` + file + ":" + line2 + `: args.INFRA: 1f0e63447a32a07c0a6cc1ae3b95172438b373c8 -> 70b809241c9cf08ceb86a9a91ed1909e75e3378c (tool "pr-creator"; overrides ` + over2 + `)
`
	}
	for _, c := range []struct {
		name   string
		files  map[string]string // the shared files, beside 3.5.yaml
		branch string            // 3.5.yaml
		code   int
		want   string // 3.5.yaml after --write
		out    string // the end of stdout
		doc    string // a part of stdout that docs/cli.md shows
	}{
		{name: "args: of the branch, block", files: map[string]string{"common.yaml": driftCommon},
			branch: "version: 1\nextends: common.yaml\nargs:\n  OTHER: \"1\"   # the branch's own\nimages:\n  b:\n    base: example.com/b:2\n",
			want:   "version: 1\nextends: common.yaml\nargs:\n  OTHER: \"1\"   # the branch's own\n" + gcloud + infra + "images:\n  b:\n    base: example.com/b:2\n",
			out:    written("3.5.yaml", "5", "6", "common.yaml:3", "common.yaml:6") + "3.5.yaml: wrote 2 versions; builder lock 3.5.yaml writes their checksums\n",
			doc:    `3.5.yaml:5: args.GCLOUD_VERSION: 496.0.0 -> 558.0.0 (tool "gcloud"; overrides common.yaml:3)`},
		{name: "args: of the branch, flow", files: map[string]string{"common.yaml": driftCommon},
			branch: "version: 1\nextends: common.yaml\nargs: {OTHER: x}\n",
			want:   "version: 1\nextends: common.yaml\nargs: {OTHER: x, GCLOUD_VERSION: \"558.0.0\", INFRA: \"70b809241c9cf08ceb86a9a91ed1909e75e3378c\"}\n",
			out:    written("3.5.yaml", "3", "3", "common.yaml:3", "common.yaml:6") + "3.5.yaml: wrote 2 versions; builder lock 3.5.yaml writes their checksums\n"},
		{name: "no args:, a blank line after extends:", files: map[string]string{"common.yaml": driftCommon},
			branch: "version: 1\nextends: common.yaml   # the shared part\n\nimages:\n  b:\n    base: example.com/b:2\n",
			want:   "version: 1\nextends: common.yaml   # the shared part\n\nargs:\n" + gcloud + infra + "\nimages:\n  b:\n    base: example.com/b:2\n",
			out:    written("3.5.yaml", "5", "6", "common.yaml:3", "common.yaml:6") + "3.5.yaml: wrote 2 versions; builder lock 3.5.yaml writes their checksums\n"},
		{name: "no args:, nothing after extends:", files: map[string]string{"common.yaml": driftCommon},
			branch: "version: 1\nextends: common.yaml\n",
			want:   "version: 1\nextends: common.yaml\nargs:\n" + gcloud + infra,
			out:    written("3.5.yaml", "4", "5", "common.yaml:3", "common.yaml:6") + "3.5.yaml: wrote 2 versions; builder lock 3.5.yaml writes their checksums\n"},
		{name: "args: with nothing under it", files: map[string]string{"common.yaml": driftCommon},
			branch: "version: 1\nextends: common.yaml\nargs:\nimages: {b: {base: example.com/b:2}}\n",
			want:   "version: 1\nextends: common.yaml\nargs:\n" + gcloud + infra + "images: {b: {base: example.com/b:2}}\n",
			out:    written("3.5.yaml", "4", "5", "common.yaml:3", "common.yaml:6") + "3.5.yaml: wrote 2 versions; builder lock 3.5.yaml writes their checksums\n"},
		// A chain: 3.4.yaml sets GCLOUD_VERSION for itself (and for 3.5.yaml,
		// which extends it): 3.5.yaml overrides 3.4.yaml's, and INFRA
		// common.yaml's.
		{name: "the arg in the middle of a chain", files: map[string]string{"common.yaml": driftCommon, "3.4.yaml": "version: 1\nextends: common.yaml\nargs:\n  GCLOUD_VERSION: \"496.0.0\"\n"},
			branch: "version: 1\nextends: 3.4.yaml\n",
			want:   "version: 1\nextends: 3.4.yaml\nargs:\n" + gcloud + infra,
			out:    written("3.5.yaml", "4", "5", "3.4.yaml:4", "common.yaml:6") + "3.5.yaml: wrote 2 versions; builder lock 3.5.yaml writes their checksums\n"},
		{name: "a literal version in the shared file", files: map[string]string{"common.yaml": driftCommon + "      - {name: goimports, package: golang.org/x/tools/cmd/goimports, version: v0.28.0}\n"},
			branch: "version: 1\nextends: common.yaml\n", code: 1,
			want: "version: 1\nextends: common.yaml\nargs:\n" + gcloud + infra,
			out: written("3.5.yaml", "4", "5", "common.yaml:3", "common.yaml:6") +
				`3.5.yaml: not written: images.b.goTools.1.version (tool "goimports"): written in common.yaml:18, which other specs may extend too, and --write changes 3.5.yaml only; make the version an arg in common.yaml (version: ${NAME}) that 3.5.yaml sets, then run builder drift --write again
3.5.yaml: wrote 2 versions; builder lock 3.5.yaml writes their checksums
`, doc: `images.b.goTools.1.version (tool "goimports"): written in common.yaml:18, which other specs may extend too, and --write changes 3.5.yaml only; make the version an arg in common.yaml (version: ${NAME}) that 3.5.yaml sets, then run builder drift --write again`},
		{name: "args: an anchor", files: map[string]string{"common.yaml": driftCommon},
			branch: "version: 1\nextends: common.yaml\nargs: &a\n  OTHER: \"1\"\n", code: 1,
			want: "version: 1\nextends: common.yaml\nargs: &a\n  OTHER: \"1\"\n",
			out: `3.5.yaml: not written: args.GCLOUD_VERSION (tool "gcloud"): declared in common.yaml:3, so 3.5.yaml needs its own under args:, and args: is written with a YAML alias, anchor or tag; add them by hand
3.5.yaml: not written: args.INFRA (tool "pr-creator"): declared in common.yaml:6, so 3.5.yaml needs its own under args:, and args: is written with a YAML alias, anchor or tag; add them by hand
3.5.yaml: nothing to write
`, doc: `args.GCLOUD_VERSION (tool "gcloud"): declared in common.yaml:3, so 3.5.yaml needs its own under args:, and args: is written with a YAML alias, anchor or tag; add them by hand`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(c.out, c.doc) || !strings.Contains(cliDoc(t), c.doc) {
				t.Errorf("docs/cli.md does not show %s", c.doc)
			}
			t.Chdir(t.TempDir())
			for f, text := range c.files {
				if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile("3.5.yaml", []byte(c.branch), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := runBuilder2("drift", "--write", "--istio", dockerfile, "3.5.yaml")
			if code != c.code || !strings.HasSuffix(stdout, c.out) || stderr != "" {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nwant it to end with:\n%s\nstderr:\n%s", code, c.code, stdout, c.out, stderr)
			}
			if got := readFile(t, "3.5.yaml"); got != c.want {
				t.Errorf("3.5.yaml:\n%s\nwant:\n%s", got, c.want)
			}
			for f, text := range c.files {
				if got := readFile(t, f); got != text {
					t.Errorf("%s changed:\n%s", f, got)
				}
			}
			if c.code != 0 {
				return
			}
			stdout, _, code = runBuilder2("drift", "--istio", dockerfile, "3.5.yaml")
			if code != 0 || !strings.HasSuffix(stdout, "3.5.yaml: in line with Istio (2 tools)\n") {
				t.Errorf("drift after --write: exit %d\n%s", code, stdout)
			}
		})
	}
}
