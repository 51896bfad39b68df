package e2e

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/maistra/builder-frontend/internal/fixture"
	"github.com/maistra/builder-frontend/internal/lab"
)

// serveAs puts data on the artifact server under name and returns its URL
// and sha256.
func serveAs(t *testing.T, e env, name string, data []byte) (string, string) {
	t.Helper()
	p := filepath.Join(e.ArtifactDir(), name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return e.ArtifactURL() + "/" + name, lab.SHA256(data)
}

// TestForeignExecutableFailsTheBuild: a download that gives an arm64 image
// an x86-64 executable fails the build there, naming the file, its machine
// and the likely cause; foreignBinaries lets it through on purpose.
func TestForeignExecutableFailsTheBuild(t *testing.T) {
	e := setup(t)
	// The Maistra mistake: an x86_64 URL for every platform, its one
	// sha256 pinned for both (what builder lock used to write).
	sc := fixture.Shellcheck("v0.9.0", "amd64", "x86_64")
	scURL, scSum := serveAs(t, e, "arch/"+sc.Name, sc.Data)
	// A custom scheme whose arm64 file is an x86-64 binary: the URL does
	// change with the platform, the content does not.
	amdBazel := fixture.Bazel("7.4.1", "amd64", "x86_64")
	_, bazelAMD := serveAs(t, e, "arch/bazel-7.4.1-linux-x86_64", amdBazel.Data)
	_, bazelARM := serveAs(t, e, "arch/bazel-7.4.1-linux-arm64", amdBazel.Data)
	specText := fmt.Sprintf(`# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
arches:
  bazel: {linux/amd64: x86_64, linux/arm64: arm64}
images:
  builder:
    base: example.com/unused:1
    tools:
      - name: shellcheck
        version: v0.9.0
        url: %s
        sha256:
          linux/amd64: %s
          linux/arm64: %s
        strip: 1
        take: [shellcheck]
        dest: /usr/bin
      - name: bazel
        version: "7.4.1"
        url: %s/arch/bazel-${version}-linux-${arch}
        arch: bazel
        sha256:
          linux/amd64: %s
          linux/arm64: %s
        dest: /usr/bin/bazel
`, scURL, scSum, scSum, e.ArtifactURL(), bazelAMD, bazelARM)
	common := []string{"--platform", "linux/amd64,linux/arm64", "--build-context", "base=docker-image://" + e.base}

	t.Run("one URL for both platforms", func(t *testing.T) {
		dir := writeSpec(t, strings.Replace(specText, "        dest: /usr/bin/bazel\n", "        dest: /usr/bin/bazel\n        foreignBinaries: true\n", 1), nil)
		out, err := e.build(t, dir, "builder.yaml", common...)
		if err == nil {
			t.Fatalf("build succeeded:\n%s", tail(out, 30))
		}
		for _, want := range []string{
			`tool "shellcheck" (linux/arm64): /usr/bin/shellcheck is an x86-64 executable; the URL does not change with the platform (` + scURL + ` is the URL for linux/amd64 and linux/arm64); use ${arch} or an arch scheme in it`,
			// The check's own output, and the spec lines of the tool.
			"check-elf: linux/arm64 cannot run these files:",
			">>>       - name: shellcheck",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, tail(out, 40))
			}
		}
	})
	t.Run("the platform's own URL, foreign content", func(t *testing.T) {
		dir := writeSpec(t, strings.Replace(specText, "        take: [shellcheck]\n", "        take: [shellcheck]\n        foreignBinaries: true\n", 1), nil)
		out, err := e.build(t, dir, "builder.yaml", common...)
		if err == nil {
			t.Fatalf("build succeeded:\n%s", tail(out, 30))
		}
		want := `tool "bazel" (linux/arm64): /usr/bin/bazel is an x86-64 executable; the download for linux/arm64 (` + e.ArtifactURL() + `/arch/bazel-7.4.1-linux-arm64) is built for another machine: check the name the tool's arch scheme gives linux/arm64 and the sha256 pinned for it, or set foreignBinaries: true if the tool ships such files on purpose`
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, tail(out, 40))
		}
	})
	t.Run("foreignBinaries", func(t *testing.T) {
		y := strings.Replace(specText, "        take: [shellcheck]\n", "        take: [shellcheck]\n        foreignBinaries: true\n", 1)
		y = strings.Replace(y, "        dest: /usr/bin/bazel\n", "        dest: /usr/bin/bazel\n        foreignBinaries: true\n", 1)
		ref := e.ref("foreign")
		e.mustBuild(t, writeSpec(t, y, nil), "builder.yaml", append(common, "-t", ref, "--push")...)
		fs, err := e.Filesystem(ref, "linux/arm64")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/usr/bin/shellcheck", "/usr/bin/bazel"} {
			f, err := fs.Lookup(p)
			if err != nil {
				t.Fatal(err)
			}
			if m, err := lab.ELFMachine(f.Head); err != nil || m != elf.EM_X86_64 {
				t.Errorf("%s in the arm64 image: %v, %v; want the x86-64 file foreignBinaries let through", p, m, err)
			}
		}
	})
}

// TestCheckLeavesLayersAsTheyWere: the ELF check adds no byte to a layer.
// Each tool of every route (raw, the daemon's unpack of a whole archive,
// our unpacker for strip and zip) gets the same layer digest with the
// check as without it (foreignBinaries: true), on both platforms, built
// reproducibly (SOURCE_DATE_EPOCH, rewrite-timestamp).
func TestCheckLeavesLayersAsTheyWere(t *testing.T) {
	e := setup(t)
	helmAMD, helmARM := helmSums()
	sums := func(f func(goarch, arch string) fixture.Artifact) (string, string) {
		return f("amd64", "x86_64").SHA256(), f("arm64", "aarch_64").SHA256()
	}
	protocAMD, protocARM := sums(func(g, a string) fixture.Artifact { return fixture.Protoc("25.1", g, a) })
	bazelAMD, bazelARM := fixture.Bazel("7.4.1", "amd64", "x86_64").SHA256(), fixture.Bazel("7.4.1", "arm64", "arm64").SHA256()
	specText := fmt.Sprintf(`# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  RELEASES: %[1]s
arches:
  protoc: {linux/amd64: x86_64, linux/arm64: aarch_64}
  bazel: {linux/amd64: x86_64, linux/arm64: arm64}
images:
  builder:
    base: example.com/unused:1
    tools:
      - name: helm
        version: v3.16.0
        url: ${RELEASES}/helm-${version}-linux-${arch}.tar.gz
        sha256: {linux/amd64: %[2]s, linux/arm64: %[3]s}
        strip: 1
        take: [helm]
        dest: /usr/local/bin
      - name: helm-whole
        version: v3.16.0
        url: ${RELEASES}/helm-${version}-linux-${arch}.tar.gz
        sha256: {linux/amd64: %[2]s, linux/arm64: %[3]s}
        dest: /opt/helm
      - name: bazel
        version: "7.4.1"
        url: ${RELEASES}/bazel-${version}-linux-${arch}
        arch: bazel
        sha256: {linux/amd64: %[4]s, linux/arm64: %[5]s}
        dest: /usr/bin/bazel
      - name: protoc
        version: "25.1"
        url: ${RELEASES}/protoc-${version}-linux-${arch}.zip
        arch: protoc
        sha256: {linux/amd64: %[6]s, linux/arm64: %[7]s}
        take: [bin/protoc]
        dest: /usr/local
`, e.ArtifactURL(), helmAMD, helmARM, bazelAMD, bazelARM, protocAMD, protocARM)
	unchecked := strings.ReplaceAll(specText, "        url: ", "        foreignBinaries: true\n        url: ")
	// The switches of reproducible layers: a directory a step writes into
	// gets the time of the build, which differs between the two builds.
	common := []string{"--platform", "linux/amd64,linux/arm64", "--build-context", "base=docker-image://" + e.base, "--build-arg", "SOURCE_DATE_EPOCH=1700000000"}
	output := func(ref string) []string {
		return []string{"--output", "type=image,name=" + ref + ",push=true,rewrite-timestamp=true"}
	}
	with, without := e.ref("checked"), e.ref("unchecked")
	out := e.mustBuild(t, writeSpec(t, specText, nil), "builder.yaml", append(common, output(with)...)...)
	for _, tool := range []string{"helm", "helm-whole", "bazel", "protoc"} {
		if !strings.Contains(out, "["+tool+" linux/arm64] check ELF machines") {
			t.Errorf("%s was not checked:\n%s", tool, tail(out, 40))
		}
	}
	if !strings.Contains(out, "[helm-whole linux/arm64] unpack helm-whole.tar.gz\n") && !strings.Contains(out, "[helm-whole linux/arm64] unpack helm-whole.tar.gz ") {
		t.Errorf("the daemon did not unpack helm-whole:\n%s", tail(out, 40))
	}
	out = e.mustBuild(t, writeSpec(t, unchecked, nil), "builder.yaml", append(common, output(without)...)...)
	if strings.Contains(out, "check ELF machines") {
		t.Errorf("foreignBinaries tools were checked:\n%s", tail(out, 40))
	}
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		a, err := layerDigests(with, p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := layerDigests(without, p)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a, b) {
			t.Errorf("%s: layers with the check differ from those without:\n%v\n%v", p, a, b)
		}
	}
}
