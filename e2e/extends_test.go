package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// extendsCommon is the spec the branch specs below extend, in a
// subdirectory of the spec's directory: helm, bazel 7.4.1 and protoc.
const extendsCommon = `# The tools every branch has.
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  RELEASES: http://127.0.0.1:8123
arches:
  protoc: {linux/amd64: x86_64, linux/arm64: aarch_64}
  bazel: {linux/amd64: x86_64, linux/arm64: arm64}
images:
  builder:
    base: docker.io/library/busybox:1.37
    tools:
      - name: helm
        version: v3.16.0
        url: ${RELEASES}/helm-${version}-linux-${arch}.tar.gz
        sha256:
          linux/amd64: c5b1bd64bb74eda6425c043f4afba503c49ed52e75f25607f76dfd12f0edb773
          linux/arm64: a695787bc8bf5ea20b634bcab366e7fc566380bf85aa0b463766eb6ac1d839bc
        strip: 1
        take: [helm]
        dest: /usr/local/bin
      - name: bazel
        version: 7.4.1
        url: ${RELEASES}/bazel-${version}-linux-${arch}
        arch: bazel
        sha256:
          linux/amd64: f76c4c603c64eaef705ca07edae22f93efe761561f04a95ca7edae0c7c98e032
          linux/arm64: 0e8717be9c1d14a260bb1982b65de76ce6b1d570663ccf4e42183711b43b7ef1
        dest: /usr/bin/bazel
      - name: protoc
        version: "25.1"
        url: ${RELEASES}/protoc-${version}-linux-${arch}.zip
        arch: protoc
        sha256:
          linux/amd64: aafc48e4eb879a0146241e49220a5f69bb2af85f1cad9004de3f7047489ebb37
          linux/arm64: c317aaf73176ab8f94500682aae440166d5c42ee1132831e64a21d47dfa14493
        take: [bin/protoc]
        dest: /opt/protoc
    env:
      LANG: C.UTF-8
`

// extendsBranch replaces bazel (another version, another dest), adds
// shellcheck and removes protoc.
const extendsBranch = `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
extends: common/common.yaml
images:
  builder:
    remove:
      tools: [protoc]
    tools:
      - name: bazel
        version: 7.5.0
        url: ${RELEASES}/bazel-${version}-linux-${arch}
        arch: bazel
        sha256:
          linux/amd64: 3e843757031c9308bd902c04c001559c1d14084241a89ed9f091cbb1f8b9893e
          linux/arm64: 11b88e215c373645a2442ea18902f0db120bab8fb203cba44c16cf68a24d8dcb
        dest: /usr/local/bin/bazel
      - name: shellcheck
        version: v0.10.0
        url: ${RELEASES}/shellcheck-${version}.linux.${arch}.tar.xz
        arch: uname
        sha256:
          linux/amd64: fa9d838ebd228a0d5239025b067058572d01b6b0ad9bd38ae781146bf78a2884
          linux/arm64: ab35e7b6fcd8fccbc1c25e0d3e286a3b376a2c6ca9a1824dd8001c7734821d6b
        strip: 1
        take: [shellcheck]
        dest: /usr/local/bin
    env:
      BRANCH: "3.5"
`

// writeFiles writes files (by slash-separated path) into a fresh build
// context directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestExtendsBuild: a branch spec that replaces, adds and removes tools of
// the spec it extends builds both platforms, and each image holds exactly
// the tools of the merged spec.
func TestExtendsBuild(t *testing.T) {
	e := setup(t)
	dir := writeFiles(t, map[string]string{"builder.yaml": extendsBranch, "common/common.yaml": extendsCommon})
	ref := e.ref("extends")
	e.mustBuild(t, dir, "builder.yaml",
		"--build-arg", "RELEASES="+e.ArtifactURL(),
		"--build-context", "base=docker-image://"+e.base,
		"-t", ref, "--push")
	plats, err := e.Platforms(ref)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(plats)
	if strings.Join(plats, ",") != "linux/amd64,linux/arm64" {
		t.Fatalf("pushed platforms %v, want the common spec's two", plats)
	}
	for _, p := range plats {
		t.Run(strings.ReplaceAll(p, "/", "-"), func(t *testing.T) {
			fs, err := e.Filesystem(ref, p)
			if err != nil {
				t.Fatal(err)
			}
			const manifests = "/usr/share/builder-frontend/tools"
			var got []string
			for _, f := range fs.Paths(manifests) {
				if f != manifests {
					got = append(got, strings.TrimPrefix(f, manifests+"/"))
				}
			}
			slices.Sort(got)
			if want := []string{"bazel.json", "helm.json", "shellcheck.json"}; !slices.Equal(got, want) {
				t.Errorf("tool manifests %v, want %v", got, want)
			}
			versions := map[string]string{"bazel": "7.5.0", "helm": "v3.16.0", "shellcheck": "v0.10.0"}
			for name, version := range versions {
				f, err := fs.Lookup(manifests + "/" + name + ".json")
				if err != nil {
					continue // reported above
				}
				var m struct{ Version, Platform string }
				if err := json.Unmarshal(f.Data, &m); err != nil || m.Version != version || m.Platform != p {
					t.Errorf("%s manifest: %s (%v), want version %s for %s", name, f.Data, err, version, p)
				}
			}
			if f := wantELF(t, fs, p, "/usr/local/bin/bazel", 0o755); f != nil && !strings.Contains(string(f.Data), "bazel 7.5.0") {
				t.Errorf("/usr/local/bin/bazel is not the branch's bazel 7.5.0")
			}
			wantELF(t, fs, p, "/usr/local/bin/helm", 0o755)
			wantELF(t, fs, p, "/usr/local/bin/shellcheck", 0o755)
			for _, gone := range []string{"/usr/bin/bazel", "/opt/protoc/bin/protoc", "/opt/protoc"} {
				if _, err := fs.Lookup(gone); err == nil {
					t.Errorf("%s is in the image: the branch replaced or removed its tool", gone)
				}
			}
			env := strings.Join(fs.Config.Config.Env, "\n")
			if !strings.Contains(env, "LANG=C.UTF-8") || !strings.Contains(env, "BRANCH=3.5") {
				t.Errorf("env holds the common spec's and the branch's variables:\n%s", env)
			}
		})
	}

	// The subrequests read the extended file too.
	out := e.mustBuild(t, dir, "builder.yaml", "--call", "outline")
	for _, want := range []string{
		"tools from builder.yaml: bazel, shellcheck; from common/common.yaml: helm",
		"RELEASES", "set in common/common.yaml; used by tool",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("--call outline lacks %q:\n%s", want, tail(out, 30))
		}
	}
	out = e.mustBuild(t, dir, "builder.yaml", "--call", "targets")
	if !strings.Contains(out, "builder") || !strings.Contains(out, "(default)") {
		t.Errorf("--call targets:\n%s", tail(out, 30))
	}
	out = e.mustBuild(t, dir, "builder.yaml", "--check")
	if !strings.Contains(out, "Check complete, no warnings found.") {
		t.Errorf("--check:\n%s", tail(out, 30))
	}
}

// TestExtendsErrors: a problem in the extended file shows that file's
// lines in buildx's output, and the branch's extends: line; a cycle, a
// missing file and a file outside the spec's directory are told at the
// extends: line.
func TestExtendsErrors(t *testing.T) {
	e := setup(t)
	for _, tc := range []struct {
		name   string
		files  map[string]string
		want   string
		source []string // regexps of what buildx prints of the spec files
	}{
		{name: "error in the extended file", files: map[string]string{
			"builder.yaml":       extendsBranch,
			"common/common.yaml": strings.Replace(extendsCommon, "dest: /usr/local/bin", "dest: usr/local/bin", 1),
		}, want: `common/common.yaml:21:9: dest "usr/local/bin" is not an absolute path; paths in the image are absolute, e.g. /usr/local/bin (common/common.yaml is extended by builder.yaml:3:10)`,
			source: []string{`common/common.yaml:21\n-+\n(.*\n)*\s+21 \| >>>\s+dest: usr/local/bin`, `builder.yaml:3\n-+\n(.*\n)*\s+3 \| >>> extends: common/common.yaml`}},
		{name: "cycle", files: map[string]string{
			"builder.yaml":       extendsBranch,
			"common/common.yaml": "version: 1\nextends: ../builder.yaml\n",
		}, want: `common/common.yaml:2:10: extends ../builder.yaml, which makes a cycle: builder.yaml → common/common.yaml → builder.yaml; a spec cannot extend itself, directly or through others; remove one of these extends: (common/common.yaml is extended by builder.yaml:3:10)`},
		{name: "missing", files: map[string]string{"builder.yaml": extendsBranch, "common/comon.yaml": extendsCommon},
			want:   `builder.yaml:3:10: extends common/common.yaml, but common/common.yaml does not exist; extends: takes a path relative to the file it is in, in the directory of the spec being built or below it`,
			source: []string{`builder.yaml:3\n-+\n(.*\n)*\s+3 \| >>> extends: common/common.yaml`}},
		{name: "outside the spec's directory", files: map[string]string{
			"specs/builder.yaml": strings.Replace(extendsBranch, "extends: common/common.yaml", "extends: ../common/common.yaml", 1),
			"common/common.yaml": extendsCommon,
		}, want: `builder.yaml:3:10: extends ../common/common.yaml, which is outside the directory of builder.yaml; keep the specs it extends in its directory or below it: a build through buildx reads only that directory`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			file := "builder.yaml"
			if _, ok := tc.files["specs/builder.yaml"]; ok {
				file = "specs/builder.yaml"
			}
			out, err := e.build(t, dir, file, "--platform", "linux/amd64")
			if err == nil {
				t.Fatalf("build succeeded:\n%s", tail(out, 30))
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("buildx output lacks\n%s\n%s", tc.want, tail(out, 40))
			}
			for _, re := range tc.source {
				if !regexp.MustCompile(re).MatchString(out) {
					t.Errorf("buildx output does not show the spec lines %q:\n%s", re, tail(out, 40))
				}
			}
		})
	}
}
