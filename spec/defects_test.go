package spec

import (
	"slices"
	"strings"
	"testing"
)

// TestDefectErrors holds the specs issue 12 found accepted silently, or
// reported in misleading words. Each case validates for linux/amd64 (the
// build platform too) and compares the whole error text.
func TestDefectErrors(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		args map[string]string
		want string
	}{
		{
			name: "an image with no body",
			yaml: `version: 1
images:
  builder:
`,
			want: `builder.yaml:3:3: image "builder" is empty; give it base: and what it installs (see docs/spec.md), or remove it`,
		},
		{
			name: "a line break through an arg into a repository file",
			yaml: `version: 1
args:
  REPO: "https://example.com/repo\ngpgcheck=0"
images:
  b:
    base: example.com/base:1
    packages:
      manager: dnf
      install: [git]
      repositories:
        - name: r
          url: ${REPO}
          gpgkey: "https://example.com/key\r"
        - {name: s, url: "https://example.com/s\u0007"}
`,
			want: `3 problems in builder.yaml:
  builder.yaml:12:11: repository "r": url "https://example.com/repo\ngpgcheck=0" contains a line break; each value of a repository file is one line; remove it (it comes from ${REPO})
  builder.yaml:13:11: repository "r": gpgkey "https://example.com/key\r" contains a carriage return; each value of a repository file is one line; remove it
  builder.yaml:14:21: repository "s": url "https://example.com/s\a" contains the control character U+0007; each value of a repository file is one line; remove it`,
		},
		{
			name: "a line break in an option, in env values and in paths",
			yaml: `version: 1
args:
  NL: "a\nb"
images:
  b:
    base: example.com/base:1
    packages:
      manager: dnf
      install: [git]
      options: ["--setopt=x=${NL}"]
    tools:
      - name: t
        version: "1"
        url: https://example.com/t.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        take: ["bin/${NL}"]
        dest: /opt/${NL}
        links: {/usr/bin/t: "/opt/t/${NL}"}
        env: {T: "${NL}"}
    files:
      - {src: "${NL}", dest: /etc/x}
    env:
      TAB: "a\tb"
      E: ${NL}
    workdir: /w${NL}
    labels:
      ok: "a label may span\nlines"
`,
			want: `8 problems in builder.yaml:
  builder.yaml:10:17: option "--setopt=x=a\nb" contains a line break; an option is one word of the install command; remove it (it comes from ${NL})
  builder.yaml:16:16: tool "t": take path "bin/a\nb" contains a line break; a path is one line; remove it (it comes from ${NL})
  builder.yaml:17:9: dest "/opt/a\nb" contains a line break; a path is one line; remove it (it comes from ${NL})
  builder.yaml:18:17: tool "t": link target "/opt/t/a\nb" contains a line break; a path is one line; remove it (it comes from ${NL})
  builder.yaml:19:15: tool "t": env T "a\nb" contains a line break; the value of an environment variable is one line; remove it (it comes from ${NL})
  builder.yaml:21:10: src "a\nb" contains a line break; a path is one line; remove it (it comes from ${NL})
  builder.yaml:24:7: env E "a\nb" contains a line break; the value of an environment variable is one line; remove it (it comes from ${NL})
  builder.yaml:25:5: workdir "/wa\nb" contains a line break; a path is one line; remove it (it comes from ${NL})`,
		},
		{
			name: "a space in a tool's URL",
			yaml: `version: 1
args:
  V: "1.0 "
images:
  b:
    base: example.com/base:1
    tools:
      - name: t
        version: ${V}
        url: https://example.com/t-${version}.tar.gz
        sha256: {"1.0 ": {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}}
        dest: /opt/t
`,
			want: `builder.yaml:10:9: tool "t": url "https://example.com/t-1.0 .tar.gz" contains a space; write a space in a URL as %20`,
		},
		{
			name: "an empty label key",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    labels:
      "": x
`,
			want: `builder.yaml:6:7: label key "" is not valid; use a key such as org.opencontainers.image.title`,
		},
		{
			name: "a platform listed twice",
			yaml: `version: 1
platforms: [linux/amd64, linux/arm64, linux/amd64]
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: "1"
        url: https://example.com/go-${arch}.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/local/go
        platforms:
          - linux/amd64
          - linux/amd64/v1
    goTools:
      - {name: g, package: example.com/g, version: v1.0.0, platforms: [linux/arm64, linux/arm64/v8]}
`,
			want: `3 problems in builder.yaml:
  builder.yaml:2:39: platforms lists linux/amd64 twice; list each platform once (the first is at line 2)
  builder.yaml:14:13: platforms lists linux/amd64 twice (linux/amd64/v1 is linux/amd64); list each platform once (the first is at line 13)
  builder.yaml:16:85: platforms lists linux/arm64 twice (linux/arm64/v8 is linux/arm64); list each platform once (the first is at line 16)`,
		},
		{
			name: "package files under install",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    packages:
      manager: dnf
      install:
        - git
        - https://example.com/pkgs/tool-1.0.x86_64.rpm
        - /tmp/local.deb
        - git/bookworm-backports
`,
			want: `2 problems in builder.yaml:
  builder.yaml:9:11: "https://example.com/pkgs/tool-1.0.x86_64.rpm" is a package file, not a package name: the package manager would install it unverified; download it as a tool (url:, sha256:, dest: /tmp/tool-1.0.x86_64.rpm) and install it in a run step, or install a package of a repository by name
  builder.yaml:10:11: "/tmp/local.deb" is a package file, not a package name: the package manager would install it unverified; download it as a tool (url:, sha256:, dest: /tmp/local.deb) and install it in a run step, or install a package of a repository by name`,
		},
		{
			name: "an undeclared arch scheme is the one problem of its tool",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: t
        version: "1"
        url: https://example.com/t-${arch.foo}.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        strip: 1
        take: [t]
        dest: /opt/t
`,
			want: `builder.yaml:8:9: unknown name ${arch.foo}; declare it under arches (known schemes: goarch, uname)`,
		},
		{
			name: "a tool and a Go tool of one name",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: "1"
        url: https://example.com/go.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/local/go
      - name: kind
        version: "1"
        url: https://example.com/kind
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/local/bin/kind-release
        platforms: [linux/arm64]
    goTools:
      - {name: kind, package: sigs.k8s.io/kind, version: v0.24.0}
`,
			want: `builder.yaml:18:10: tool "kind" is declared twice; rename one of them: names are unique across tools and goTools (the first is at line 11)`,
		},
		{
			name: "a Go tool binary that names no file",
			yaml: `version: 1
args:
  EMPTY: ""
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: "1"
        url: https://example.com/go.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/local/go
    goTools:
      - {name: a, package: example.com/cmd/a, version: v1.0.0, binary: "${EMPTY}"}
      - {name: b, package: example.com/cmd/b, version: v1.0.0, binary: .}
      - {name: c, package: example.com/cmd/c, version: v1.0.0, binary: ..}
      - {name: d, package: example.com/cmd/.., version: v1.0.0}
`,
			want: `4 problems in builder.yaml:
  builder.yaml:14:64: Go tool "a": binary "" is not a file name; binary is the installed command's file name, such as a; leave it out for that default
  builder.yaml:15:64: Go tool "b": binary "." is not a file name; binary is the installed command's file name, such as b; leave it out for that default
  builder.yaml:16:64: Go tool "c": binary ".." is not a file name; binary is the installed command's file name, such as c; leave it out for that default
  builder.yaml:17:19: Go tool "d": "example.com/cmd/.." is not an import path; write the import path alone; the version goes under version:`,
		},
		{
			name: "a file whose name starts with two dots stays in the context",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    files:
      - {src: ..foo, dest: /etc/foo}
      - {src: dir/../../x, dest: /etc/x}
`,
			want: `builder.yaml:7:10: src "dir/../../x" leaves the build context; src is relative to the build context`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("builder.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			err = s.Validate([]string{"linux/amd64"}, Options{BuildArgs: tc.args})
			if err == nil || err.Error() != tc.want {
				t.Errorf("error:\n%v\nwant:\n%s", err, tc.want)
			}
		})
	}
}

// A spec with a line break that is not written into a file or the
// environment is fine: run steps span lines, the config is JSON.
func TestLineBreaksWhereTheyBelong(t *testing.T) {
	s, err := Parse("builder.yaml", []byte(`version: 1
args:
  NL: "a\nb"
images:
  b:
    base: example.com/base:1
    run:
      - |
        echo one
        echo two
    entrypoint: [/bin/sh, -c, "echo ${NL}"]
    labels:
      description: ${NL}
    annotations:
      org.opencontainers.image.description: ${NL}
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Resolve("linux/amd64", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Labels["description"] != "a\nb" || r.Entrypoint[2] != "echo a\nb" {
		t.Errorf("labels %q entrypoint %q", r.Labels, r.Entrypoint)
	}
}

// Resolved.LeftOut names what platforms: keep off a platform, for builder
// plan to say.
func TestLeftOut(t *testing.T) {
	s, err := Parse("builder.yaml", []byte(`version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: "1"
        url: https://example.com/go-${arch}.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111, linux/s390x: 2222222222222222222222222222222222222222222222222222222222222222}
        dest: /usr/local/go
      - name: kubectl
        version: "1"
        url: https://example.com/kubectl-${arch}
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/local/bin/kubectl
        platforms: [linux/amd64]
    goTools:
      - {name: yq, package: github.com/mikefarah/yq/v4, version: v4.44.3, platforms: [linux/amd64]}
      - {name: kind, package: sigs.k8s.io/kind, version: v0.24.0}
`))
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string][]string{"linux/amd64": nil, "linux/s390x": {"kubectl", "yq"}} {
		r, err := s.Resolve(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.LeftOut, want) {
			t.Errorf("%s: LeftOut %v, want %v", p, r.LeftOut, want)
		}
	}
}

// No error quotes a whole document: each value is cut to maxEcho runes,
// each hint to maxHint, whichever field holds the garbage.
func TestErrorsEchoLittle(t *testing.T) {
	big := strings.Repeat("x", 100_000)
	for _, tc := range []struct{ name, yaml, target string }{
		{"base", "version: 1\nimages:\n  b:\n    base: " + big + "\n", ""},
		{"unterminated template", "version: 1\nimages:\n  b:\n    base: example.com/b:1\n    workdir: \"${" + big + "\"\n", ""},
		{"unknown name", "version: 1\nimages:\n  b:\n    base: example.com/b:1\n    workdir: \"/${" + big + "}\"\n", ""},
		{"line breaks", "version: 1\nimages:\n  b:\n    base: \"example.com/b:1" + strings.Repeat("x\\n", 50_000) + "\"\n", ""},
		{"install item", "version: 1\nimages:\n  b:\n    base: example.com/b:1\n    packages: {manager: dnf, install: [" + big + "!]}\n", ""},
		{"sha256", "version: 1\nimages:\n  b:\n    base: example.com/b:1\n    tools:\n      - {name: t, version: \"1\", url: https://example.com/t.tar.gz, dest: /x, sha256: {linux/amd64: " + big + "}}\n", ""},
		{"url", "version: 1\nimages:\n  b:\n    base: example.com/b:1\n    tools:\n      - {name: t, version: \"1\", url: \"https://example.com/" + big + " \", dest: /x, sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}}\n", ""},
		{"target", "version: 1\nimages:\n  " + big + ":\n    base: example.com/b:1\n  c:\n    base: example.com/b:1\n", "missing"},
		{"arch scheme", "version: 1\narches:\n  s: {" + big + ": x}\nimages:\n  b:\n    base: example.com/b:1\n", ""},
	} {
		s, err := Parse("builder.yaml", []byte(tc.yaml))
		if err == nil {
			err = s.Validate([]string{"linux/amd64", "linux/arm64"}, Options{Target: tc.target})
		}
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if n := len(err.Error()); n > 1200 {
			t.Errorf("%s: the error is %d bytes: %.300s…", tc.name, n, err)
		}
	}
}
