package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/maistra/builder-frontend/internal/fixture"
	"github.com/maistra/builder-frontend/internal/lab"
)

// faultSpec has one tool, helm, whose URL and checksum the cases vary.
func faultSpec(url, sumAMD, sumARM, extra string) string {
	return fmt.Sprintf(`# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
images:
  builder:
    base: example.com/unused:1
    tools:
      - name: helm
        version: v3.16.0
        url: %s
        sha256:
          linux/amd64: %s
          linux/arm64: %s
        strip: 1
        take: [helm]
        dest: /usr/local/bin%s
`, url, sumAMD, sumARM, extra)
}

func helmSums() (string, string) {
	return fixture.Helm("v3.16.0", "amd64").SHA256(), fixture.Helm("v3.16.0", "arm64").SHA256()
}

// unseenSum pins a release no test ever serves: a download is cached by its
// checksum, so a failure case pinned to a file fetched before would be
// answered from the cache without touching the faulty server.
var unseenSum = fixture.Helm("v3.21.0", "amd64").SHA256()

// TestBuildFailuresNameToolPlatformURL: each row of docs/spec.md's
// build-failure table: each way a download, an unpack, an install or a
// package step can fail ends the build with an error naming the tool (or
// step), the platform and the URL, a hint, and the spec lines.
func TestBuildFailuresNameToolPlatformURL(t *testing.T) {
	e := setup(t)
	amd, arm := helmSums()
	// serve answers for the amd64 file of a URL template (the builds below
	// are for linux/amd64) and returns the template.
	serve := func(name string, h http.Handler) string {
		t.Cleanup(e.Handle("/faults/"+strings.ReplaceAll(name, "${arch}", "amd64"), h))
		return e.ArtifactURL() + "/faults/" + name
	}
	unseen := fixture.Helm("v3.21.0", "amd64").Data
	// A tar.gz cut in half: the daemon sees an archive, and its unpack
	// fails mid-way. Pinned to its own digest, the download succeeds.
	corrupt := unseen[:len(unseen)/2]
	cases := []struct {
		name  string
		url   string
		extra string
		sumA  string
		// spec replaces faultSpec for the cases that are not about helm's
		// download.
		spec string
		want []string
	}{
		{
			name: "checksum mismatch",
			url:  serve("helm-mismatch-${arch}.tar.gz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(fixture.Helm("v3.17.0", "amd64").Data) })),
			want: []string{`tool "helm" (linux/amd64): the download from ` + e.ArtifactURL() + `/faults/helm-mismatch-amd64.tar.gz does not match its sha256 (got sha256:` + fixture.Helm("v3.17.0", "amd64").SHA256() + `)`, "update its sha256", ">>>       - name: helm"},
		},
		{
			name: "404",
			url:  e.ArtifactURL() + "/faults/missing-helm-${version}-${arch}.tar.gz",
			// BuildKit checks a pinned download's digest, not the status:
			// a 404 page arrives as content that does not match.
			want: []string{`tool "helm" (linux/amd64): the download from ` + e.ArtifactURL() + `/faults/missing-helm-v3.16.0-amd64.tar.gz does not match its sha256 (got sha256:` + sha256hex([]byte("404 page not found\n")) + `)`, "a wrong URL or version"},
		},
		{
			name: "connection closed mid-download",
			url:  serve("helm-cut-${arch}.tar.gz", lab.TruncatedHandler(unseen, len(unseen)/2)),
			want: []string{`tool "helm" (linux/amd64): cannot download ` + e.ArtifactURL() + `/faults/helm-cut-amd64.tar.gz: the connection closed before the whole file arrived`},
		},
		{
			name: "take path missing",
			url:  e.ArtifactURL() + "/helm-${version}-linux-${arch}.tar.gz",
			sumA: amd, // the real file: the download succeeds, the take fails
			// Strip is our unpacker's: its own reason is the message.
			want: []string{`tool "helm" (linux/amd64): cannot unpack the tar.gz from ` + e.ArtifactURL() + `/helm-v3.16.0-linux-amd64.tar.gz: take path "tiller" not found in the archive (paths are relative after strip 1); top-level entries: "LICENSE", "README.md", "helm"; strip, take and form: must match the archive (list it with tar -tf or unzip -l)`},
		},
		{
			name: "wrong form",
			url:  serve("helm-raw-${arch}.tar.gz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("#!/bin/sh\necho not an archive\n")) })),
			sumA: sha256hex([]byte("#!/bin/sh\necho not an archive\n")),
			want: []string{`tool "helm" (linux/amd64): cannot unpack the tar.gz from ` + e.ArtifactURL() + `/faults/helm-raw-amd64.tar.gz: content is not a tar.gz archive (it starts with `, "set form: raw on the tool if the download is a plain file"},
		},
		{
			name: "download, host refuses",
			url:  "http://127.0.0.1:1/faults/helm-${version}-${arch}.tar.gz",
			want: []string{`tool "helm" (linux/amd64): cannot download http://127.0.0.1:1/faults/helm-v3.16.0-amd64.tar.gz: `, "connection refused",
				`; check the URL template and the version, and that the daemon can reach the host`},
		},
		{
			// Without strip and take the daemon unpacks the archive.
			name: "unpack by the daemon, corrupt archive",
			url:  serve("helm-corrupt-${arch}.tar.gz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(corrupt) })),
			sumA: sha256hex(corrupt),
			want: []string{`tool "helm" (linux/amd64): cannot unpack the tar.gz from ` + e.ArtifactURL() + `/faults/helm-corrupt-amd64.tar.gz: `,
				`; check form: (the file may not be a tar.gz archive)`},
		},
		{
			name: "unpack by the frontend's unpacker, corrupt archive",
			url:  serve("helm-short-${arch}.tar.gz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(corrupt) })),
			sumA: sha256hex(corrupt),
			want: []string{`tool "helm" (linux/amd64): cannot unpack the tar.gz from ` + e.ArtifactURL() + `/faults/helm-short-amd64.tar.gz: entry "linux-amd64/helm": unexpected EOF; the archive ends early: the file pinned is truncated or corrupt (test it with tar -tf or unzip -t), pin the complete file's sha256`},
		},
		{
			name:  "unpack by the frontend's unpacker, wrong form",
			url:   e.ArtifactURL() + "/helm-${version}-linux-${arch}.tar.gz",
			sumA:  amd,
			extra: "\n        form: zip",
			want: []string{`tool "helm" (linux/amd64): cannot unpack the zip from ` + e.ArtifactURL() + `/helm-v3.16.0-linux-amd64.tar.gz: `,
				`: archive is tar.gz but the spec says zip: set form: tar.gz on the tool; strip, take and form: must match the archive (list it with tar -tf or unzip -l)`,
				"unpack: /in/helm.zip: archive is tar.gz but the spec says zip: set form: tar.gz on the tool"},
		},
		{
			name: "install, raw binary",
			// The spec validates, but a link under the binary cannot be
			// made: the one way found to fail a raw install.
			spec: `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64]
images:
  builder:
    base: example.com/unused:1
    tools:
      - name: bazel
        version: 7.4.1
        url: ` + e.ArtifactURL() + `/bazel-${version}-linux-${arch.uname}
        sha256:
          linux/amd64: ` + sumOf(t, "bazel-7.4.1-linux-x86_64") + `
        dest: /usr/bin/bazel
        links: {/usr/bin/bazel/bazelisk: bazel}
`,
			want: []string{`tool "bazel" (linux/amd64): cannot install the file from ` + e.ArtifactURL() + `/bazel-7.4.1-linux-x86_64: `,
				`; check dest and links: this step writes the file at dest, each link and the tool's manifest, so none may lie under another`, ">>>       - name: bazel"},
		},
		{
			name: "package step",
			// The busybox base has no apk.
			spec: `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64]
images:
  builder:
    base: example.com/unused:1
    packages:
      manager: apk
      install: [git]
`,
			want: []string{`packages (apk, linux/amd64): installing git failed: `, "exit code: 127", `; the package manager's output is above`, ">>>     packages:"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sumA := unseenSum
			if tc.sumA != "" {
				sumA = tc.sumA
			}
			spec := faultSpec(tc.url, sumA, arm, tc.extra)
			switch tc.name {
			case "take path missing":
				spec = strings.Replace(spec, "take: [helm]", "take: [tiller]", 1)
			case "unpack by the daemon, corrupt archive":
				spec = strings.Replace(spec, "        strip: 1\n        take: [helm]\n", "", 1)
			}
			if tc.spec != "" {
				spec = tc.spec
			}
			dir := writeSpec(t, spec, nil)
			out, err := e.build(t, dir, "builder.yaml", "--platform", "linux/amd64", "--build-context", "base=docker-image://"+e.base)
			if err == nil {
				t.Fatalf("build succeeded:\n%s", tail(out, 20))
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, tail(out, 25))
				}
			}
		})
	}
}

// TestRunStepFailsOnArm64: a run step that fails on one platform names it
// and shows the step's lines.
func TestRunStepFailsOnArm64(t *testing.T) {
	e := setup(t)
	dir := writeSpec(t, `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
images:
  builder:
    base: example.com/unused:1
    run:
      - name: arm64 only fails
        command: test "$(uname -m)" != aarch64
`, nil)
	out, err := e.build(t, dir, "builder.yaml", "--platform", "linux/amd64,linux/arm64", "--build-context", "base=docker-image://"+e.base)
	if err == nil {
		t.Fatalf("build succeeded:\n%s", tail(out, 20))
	}
	for _, w := range []string{"[linux/arm64 run 1/1] arm64 only fails", `run step 1 "arm64 only fails" (linux/arm64) failed`, "exit code: 1", ">>>       - name: arm64 only fails"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, tail(out, 25))
		}
	}
}
