package lint_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/maistra/builder-frontend/lint"
	"github.com/maistra/builder-frontend/spec"
)

const (
	sumA = "c5b1bd64bb74eda6425c043f4afba503c49ed52e75f25607f76dfd12f0edb773"
	sumB = "a695787bc8bf5ea20b634bcab366e7fc566380bf85aa0b463766eb6ac1d839bc"
	sumC = "933d8b222fd28ab17bcee57bb26012b1486a99269e6f9d1d0291c299db9d997e"
)

// clean has no finding. Line numbers: 4 HELM_VERSION, 7 base, 9 the tool,
// 10 version, 11 url, 12 sha256, 15 take, 16 dest.
const clean = `version: 1
platforms: [linux/amd64, linux/arm64]
args:
  HELM_VERSION: v3.16.0
images:
  builder:
    base: example.com/base:1
    tools:
      - name: helm
        version: ${HELM_VERSION}
        url: https://example.com/helm-${version}-linux-${arch}.tar.gz
        sha256:
          linux/amd64: ` + sumA + `
          linux/arm64: ` + sumB + `
        take: [helm]
        dest: /usr/local/bin
`

// goSpec has a Go toolchain and one Go tool (line 19: the Go tool, 21: its version).
const goSpec = `version: 1
platforms: [linux/amd64, linux/arm64]
images:
  builder:
    base: example.com/base:1
    tools:
      - name: go
        version: "1.23.6"
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: ` + sumA + `
          linux/arm64: ` + sumB + `
        strip: 1
        dest: /usr/local/go
    go:
      env:
        GOPROXY: https://proxy.golang.org,direct
    goTools:
      - name: goimports
        package: golang.org/x/tools/cmd/goimports
        version: v0.29.0
`

func replace(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic(fmt.Sprintf("%q not in the spec", old))
	}
	return strings.Replace(s, old, new, 1)
}

func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		opts lint.Options
		// want is "Rule:line" of every finding, in order.
		want []string
	}{
		{name: "clean", yaml: clean},
		{name: "clean go", yaml: goSpec},

		{name: "missing checksum at another pinned version", yaml: replace(clean, "        sha256:\n          linux/amd64: "+sumA+"\n          linux/arm64: "+sumB+"\n",
			"        sha256:\n          v3.16.0:\n            linux/amd64: "+sumA+"\n            linux/arm64: "+sumB+"\n          v3.17.0:\n            linux/amd64: "+sumC+"\n"),
			want: []string{"MissingChecksum:16"}},
		{name: "missing checksum for a listed platform not built now", yaml: replace(clean, "          linux/arm64: "+sumB+"\n", ""),
			opts: lint.Options{Platforms: []string{"linux/amd64"}},
			want: []string{"MissingChecksum:12"}},
		{name: "missing checksum limited by platforms", yaml: replace(clean, "          linux/arm64: "+sumB+"\n", "        platforms: [linux/amd64]\n"),
			opts: lint.Options{Platforms: []string{"linux/amd64"}}},

		{name: "plain http with allowHTTP", yaml: replace(clean, "url: https://example.com/", "allowHTTP: true\n        url: http://mirror.example.com/"),
			want: []string{"PlainHTTP:12"}},
		{name: "plain http on loopback", yaml: replace(clean, "url: https://example.com/", "url: http://127.0.0.1:8123/")},
		{name: "plain http gpgkey", yaml: replace(clean, "    tools:\n", "    packages:\n      manager: dnf\n      repositories:\n        - name: docker-ce\n          url: https://download.docker.com/linux/centos/9/x86_64/stable\n          gpgkey: http://download.docker.com/linux/centos/gpg\n      install: [git]\n    tools:\n"),
			want: []string{"PlainHTTP:13"}},
		{name: "plain http GOPROXY", yaml: replace(goSpec, "GOPROXY: https://proxy.golang.org,direct", "GOPROXY: http://goproxy.internal,direct"),
			want: []string{"PlainHTTP:17"}},

		{name: "tool version latest", yaml: replace(clean, "HELM_VERSION: v3.16.0", "HELM_VERSION: latest"),
			want: []string{"UnpinnedVersion:10"}},
		{name: "tool version a branch", yaml: replace(clean, "HELM_VERSION: v3.16.0", "HELM_VERSION: main"),
			want: []string{"UnpinnedVersion:10"}},
		{name: "url at latest", yaml: replace(clean, "https://example.com/helm-", "https://github.com/helm/helm/releases/latest/download/helm-"),
			want: []string{"UnpinnedVersion:11"}},
		{name: "base without tag", yaml: replace(clean, "example.com/base:1", "example.com/base"),
			want: []string{"UnpinnedVersion:7"}},
		{name: "base at latest", yaml: replace(clean, "example.com/base:1", "example.com/base:latest"),
			want: []string{"UnpinnedVersion:7"}},
		{name: "base by digest", yaml: replace(clean, "example.com/base:1", "example.com/base@sha256:"+sumA)},

		{name: "go tool at latest", yaml: replace(goSpec, "version: v0.29.0", "version: latest"),
			want: []string{"GoToolNotPinned:21"}},
		{name: "go tool at master", yaml: replace(goSpec, "version: v0.29.0", "version: master"),
			want: []string{"GoToolNotPinned:21"}},

		{name: "unused arg", yaml: replace(clean, "  HELM_VERSION: v3.16.0\n", "  HELM_VERSION: v3.16.0\n  KUBECTL_VERSION: v1.31.2\n"),
			want: []string{"UnusedArg:5"}},
		{name: "arg used by a run step", yaml: replace(clean, "  HELM_VERSION: v3.16.0\n", "  HELM_VERSION: v3.16.0\n  GREETING: hi\n") + "    run:\n      - echo \"$GREETING\"\n"},
		{name: "arg used by a label", yaml: replace(clean, "  HELM_VERSION: v3.16.0\n", "  HELM_VERSION: v3.16.0\n  TITLE: hi\n") + "    labels:\n      title: ${TITLE}\n"},
		{name: "arg used by an annotation", yaml: replace(clean, "  HELM_VERSION: v3.16.0\n", "  HELM_VERSION: v3.16.0\n  SOURCE: https://example.com/src\n") + "    annotations:\n      org.opencontainers.image.source: ${SOURCE}\n"},

		{name: "undeclared build-arg", yaml: clean, opts: lint.Options{BuildArgs: map[string]string{"HELM_VERSON": "v3.17.0", "BUILDKIT_SYNTAX": "x", "SOURCE_DATE_EPOCH": "0", "BUILDER_CHECKS": "skip", "BUILDER_UNPACK": "helper", "BUILDER_PACKAGES": "emulated"}},
			want: []string{"UndeclaredBuildArg:3"}},
		{name: "declared build-arg", yaml: clean, opts: lint.Options{BuildArgs: map[string]string{"HELM_VERSION": "v3.16.0"}}},

		{name: "two raw tools, one dest", yaml: clean + `      - name: helm2
        version: v1
        url: https://example.com/helm-${arch}
        sha256:
          linux/amd64: ` + sumA + `
          linux/arm64: ` + sumB + `
        dest: /usr/local/bin/helm
`, want: []string{"DuplicateDest:23"}},
		{name: "link over another tool", yaml: clean + `      - name: kubectl
        version: v1
        url: https://example.com/kubectl-${arch}
        sha256:
          linux/amd64: ` + sumA + `
          linux/arm64: ` + sumB + `
        dest: /usr/local/bin/kubectl
        links: {/usr/local/bin/helm: kubectl}
`, want: []string{"DuplicateDest:24"}},
		{name: "Go tool over a tool", yaml: replace(goSpec, "        dest: /usr/local/go\n", "        dest: /usr/local/go\n        links: {/usr/local/bin/goimports: /usr/local/go/bin/gofmt}\n"),
			want: []string{"DuplicateDest:20"}},
		{name: "archives into one directory", yaml: clean + `      - name: other
        version: v1
        url: https://example.com/other-${arch}.tar.gz
        sha256:
          linux/amd64: ` + sumA + `
          linux/arm64: ` + sumB + `
        take: [other]
        dest: /usr/local/bin
`},

		// One file for several platforms (line 11: url, 12: sha256).
		{name: "URL without the arch", yaml: replace(clean, "helm-${version}-linux-${arch}.tar.gz", "helm-${version}.tar.gz"),
			want: []string{"SameURLForPlatforms:11"}},
		{name: "URL without the arch, arch-independent", yaml: replace(replace(clean, "helm-${version}-linux-${arch}.tar.gz", "helm-${version}.jar"), "        take: [helm]\n", "        archIndependent: true\n")},
		{name: "URL without the arch, foreign binaries on purpose", yaml: replace(clean, "helm-${version}-linux-${arch}.tar.gz", "helm-${version}.tar.gz\n        foreignBinaries: true")},
		{name: "URL without the arch, one platform", yaml: replace(replace(clean, "helm-${version}-linux-${arch}.tar.gz", "helm-${version}.tar.gz"), "          linux/arm64: "+sumB+"\n", "        platforms: [linux/amd64]\n")},
		{name: "an arch scheme that names two platforms alike", yaml: replace(replace(replace(clean, "platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64, linux/arm64, linux/ppc64le]\narches:\n  x: {linux/amd64: x86_64, linux/arm64: x86_64, linux/ppc64le: ppc64le}"),
			"        url:", "        arch: x\n        url:"), "          linux/arm64: "+sumB+"\n", "          linux/arm64: "+sumB+"\n          linux/ppc64le: "+sumC+"\n"),
			want: []string{"SameURLForPlatforms:14"}},
		{name: "one sha256 for two platforms", yaml: replace(clean, "          linux/arm64: "+sumB+"\n", "          linux/arm64: sha256:"+sumA+"\n"),
			want: []string{"SameChecksumForPlatforms:12"}},
		{name: "one sha256 for two platforms at a pinned version", yaml: replace(clean, "        sha256:\n          linux/amd64: "+sumA+"\n          linux/arm64: "+sumB+"\n",
			"        sha256:\n          v3.16.0:\n            linux/amd64: "+sumA+"\n            linux/arm64: "+sumB+"\n          v3.17.0:\n            linux/amd64: "+sumC+"\n            linux/arm64: "+sumC+"\n"),
			want: []string{"SameChecksumForPlatforms:16"}},
		{name: "one sha256, arch-independent", yaml: replace(replace(clean, "          linux/arm64: "+sumB+"\n", "          linux/arm64: "+sumA+"\n"), "        take: [helm]\n", "        archIndependent: true\n        take: [helm]\n")},

		{name: "dest under /bin", yaml: replace(clean, "dest: /usr/local/bin", "dest: /bin"),
			want: []string{"DestThroughSymlink:16"}},
		{name: "file under /lib64", yaml: clean + "    files:\n      - {src: a.so, dest: /lib64/a.so}\n",
			want: []string{"DestThroughSymlink:18"}},
		{name: "dest /usr/bin", yaml: replace(clean, "dest: /usr/local/bin", "dest: /usr/bin")},
		{name: "dest /binaries", yaml: replace(clean, "dest: /usr/local/bin", "dest: /binaries")},

		{name: "cgo emulated", yaml: goSpec + "        cgo: true\n", opts: lint.Options{BuildPlatform: "linux/amd64"},
			want: []string{"CgoEmulated:22"}},
		{name: "cgo native", yaml: goSpec + "        cgo: true\n", opts: lint.Options{Platforms: []string{"linux/amd64"}, BuildPlatform: "linux/amd64"}},

		{name: "platform the spec does not list", yaml: replace(clean, "        dest: /usr/local/bin\n", "        dest: /usr/local/bin\n        platforms: [linux/amd64, linux/arm64]\n"),
			opts: lint.Options{Platforms: []string{"linux/amd64", "linux/s390x"}},
			want: []string{"PlatformWithoutArtifact:17"}},
		{name: "tool left out of a listed platform", yaml: replace(replace(clean, "          linux/arm64: "+sumB+"\n", ""), "        dest: /usr/local/bin\n", "        dest: /usr/local/bin\n        platforms: [linux/amd64]\n")},

		{name: "gpgkey on apt", yaml: replace(clean, "    tools:\n", "    packages:\n      manager: apt\n      repositories:\n        - name: docker\n          url: deb https://download.docker.com/linux/debian bookworm stable\n          gpgkey: https://download.docker.com/linux/debian/gpg\n      install: [git]\n    tools:\n"),
			want: []string{"IgnoredGPGKey:13"}},
		{name: "dnf repository without gpgkey", yaml: replace(clean, "    tools:\n", "    packages:\n      manager: dnf\n      repositories:\n        - name: docker-ce\n          url: https://download.docker.com/linux/centos/9/x86_64/stable\n      install: [git]\n    tools:\n"),
			want: []string{"UnverifiedRepository:11"}},

		{name: "skip", yaml: replace(clean, "HELM_VERSION: v3.16.0", "HELM_VERSION: latest"),
			opts: lint.Options{Config: lint.Config{Skip: []string{"UnpinnedVersion"}}}},
		{name: "only the target image", yaml: clean + "  other:\n    base: example.com/base\n", opts: lint.Options{Target: "builder"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := spec.Parse("builder.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range lint.Check(s, tc.opts) {
				got = append(got, fmt.Sprintf("%s:%d", f.Rule.Name, f.Range.Start.Line))
				if !strings.HasPrefix(f.String(), fmt.Sprintf("builder.yaml:%d:", f.Range.Start.Line)) && f.Range.Start.Line > 0 {
					t.Errorf("finding %q does not start with file:line", f)
				}
				t.Log(f)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFileConfig(t *testing.T) {
	data := []byte("# syntax=quay.io/maistra-dev/builder-frontend\n# check=skip=UnusedArg,PlainHTTP;error=true\nversion: 1\n")
	c, err := lint.FileConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Error || c.Enabled(lint.UnusedArg) || c.Enabled(lint.PlainHTTP) || !c.Enabled(lint.DuplicateDest) {
		t.Errorf("config %+v", c)
	}
	if c, _ := lint.FileConfig([]byte("version: 1\n# check=skip=all\n")); !c.Enabled(lint.UnusedArg) {
		t.Error("a # check= after the first YAML line must not count")
	}
	if c, _ := lint.ParseConfig("skip=all"); c.Enabled(lint.UnusedArg) {
		t.Error("skip=all")
	}
	if _, err := lint.ParseConfig("skip"); err == nil {
		t.Error("skip without = accepted")
	}
}

func TestArgUses(t *testing.T) {
	s, err := spec.Parse("builder.yaml", []byte(clean+"    labels:\n      v: ${HELM_VERSION}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var where []string
	for _, u := range lint.ArgUses(s, "")["HELM_VERSION"] {
		where = append(where, fmt.Sprintf("%s@%d", u.Where, s.Source.Range(u.Path).Start.Line))
	}
	if want := []string{`tool "helm" version@10`, "label v@18"}; !slices.Equal(where, want) {
		t.Errorf("uses %q, want %q", where, want)
	}
}

// TestRulesDocumented: every rule has a section in docs/lint.md with an
// example, and its URL points there.
func TestRulesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/lint.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range lint.Rules() {
		head := "\n## " + r.Name + "\n"
		i := strings.Index(string(doc), head)
		if i < 0 {
			t.Errorf("docs/lint.md has no section %q", strings.TrimSpace(head))
			continue
		}
		section := string(doc[i+len(head):])
		if j := strings.Index(section, "\n## "); j >= 0 {
			section = section[:j]
		}
		if !strings.Contains(section, "```yaml") {
			t.Errorf("docs/lint.md section %s has no YAML example", r.Name)
		}
		if !strings.HasSuffix(r.URL, "docs/lint.md#"+strings.ToLower(r.Name)) {
			t.Errorf("rule %s: URL %s", r.Name, r.URL)
		}
		if lint.RuleByName(r.Name) != r {
			t.Errorf("RuleByName(%s)", r.Name)
		}
	}
}

// TestSameFileTexts: the two rules say which platforms share what, and
// SharedDownload answers the frontend for one platform of a build.
func TestSameFileTexts(t *testing.T) {
	y := replace(replace(clean, "helm-${version}-linux-${arch}.tar.gz", "helm-${version}.tar.gz"), "          linux/arm64: "+sumB+"\n", "          linux/arm64: "+sumA+"\n")
	s, err := spec.Parse("builder.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range lint.Check(s, lint.Options{}) {
		got = append(got, f.String())
	}
	want := []string{
		`builder.yaml:11:9: SameURLForPlatforms: tool "helm" downloads one URL for linux/amd64 and linux/arm64 (https://example.com/helm-v3.16.0.tar.gz): one file cannot hold executables for each of them; put ${arch} or ${arch.SCHEME} in the URL, or set archIndependent: true if the file holds no machine code (a script, a jar)`,
		`builder.yaml:12:9: SameChecksumForPlatforms: tool "helm" pins one sha256 for linux/amd64 and linux/arm64: they get the same file, which cannot hold executables for each of them; check each platform's URL and sha256 (builder lock writes them), or set archIndependent: true if the file holds no machine code (a script, a jar)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	url, plats := lint.SharedDownload(s, "builder", "helm", "linux/arm64", []string{"linux/amd64", "linux/arm64"}, nil)
	if url != "https://example.com/helm-v3.16.0.tar.gz" || !slices.Equal(plats, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("SharedDownload = %q, %v", url, plats)
	}
	cs, _ := spec.Parse("builder.yaml", []byte(clean))
	if url, plats := lint.SharedDownload(cs, "builder", "helm", "linux/arm64", []string{"linux/amd64", "linux/arm64"}, nil); url != "" || plats != nil {
		t.Errorf("SharedDownload of a URL with ${arch} = %q, %v", url, plats)
	}
}
