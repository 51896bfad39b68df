package spec

import (
	"strings"
	"testing"
)

// goodTool is a valid tool the bad specs below are cut from.
const head = `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  V: "1.0"
images:
  builder:
    base: example.com/base:1
`

const goodTool = `    tools:
      - name: t
        version: ${V}
        url: https://example.com/t-${version}-${arch}.tar.gz
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222
        dest: /opt/t
`

func TestSpecErrors(t *testing.T) {
	tool := func(old, new string) string { return head + strings.Replace(goodTool, old, new, 1) }
	cases := []struct {
		name string
		yaml string
		args map[string]string
		want string // file:line:col: message, as a user sees it
	}{
		{"yaml syntax", head + "    tools: [\n", nil, "builder.yaml:9:"},
		{"tab indentation", head + "\ttools: []\n", nil, "builder.yaml:9:"},
		{"unknown top field", "version: 1\nimage:\n  base: x\n", nil, `builder.yaml:2:1: unknown field "image"; did you mean "images"?`},
		{"unknown tool field", tool("dest:", "dset:"), nil, `builder.yaml:16:9: unknown field "dset"; did you mean "dest"?`},
		{"unknown image field", head + "    entrypiont: [/bin/sh]\n", nil, `builder.yaml:9:5: unknown field "entrypiont"; did you mean "entrypoint"?`},
		{"wrong type for list", head + "    entrypoint: 3\n", nil, `builder.yaml:9:17: images.builder.entrypoint: expected a list of strings, found "3"; write [a, b], or one "- item" per line`},
		{"wrong type for strip", tool("dest: /opt/t", "dest: /opt/t\n        strip: lots"), nil, `builder.yaml:17:16: images.builder.tools[0].strip: expected a whole number, found "lots"; write a whole number such as 1`},
		{"mapping expected", head + "    packages: apt\n", nil, `builder.yaml:9:15: images.builder.packages: expected a mapping, found "apt"; see docs/spec.md for its fields`},
		{"missing checksum", tool("        sha256:\n          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111\n          linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222\n", ""), nil, `builder.yaml:10:9: tool "t" has no sha256: every download is verified`},
		{"checksum missing for a platform", tool("          linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222\n", ""), nil, `builder.yaml:13:9: tool "t" has no artifact for linux/arm64: no sha256 for that platform`},
		{"bad checksum", tool("2222222222222222222222222222222222222222222222222222222222222222", "abc"), nil, `builder.yaml:15:11: tool "t": "abc" is not a sha256`},
		{"numeric checksum", tool("2222222222222222222222222222222222222222222222222222222222222222", "12345"), nil, "builder.yaml:15:24: YAML reads this sha256 as a number; put the sha256 in quotes"},
		{"unknown arg in url", tool("${arch}.tar.gz", "${ARCH_NAME}.tar.gz"), nil, "builder.yaml:12:9: unknown name ${ARCH_NAME}"},
		{"typo of an arg", tool("version: ${V}", "version: ${VV}"), nil, "did you mean ${V}?"},
		{"unterminated template", tool("${arch}.tar.gz", "${arch.tar.gz"), nil, "builder.yaml:12:9: unterminated ${"},
		{"unknown arch scheme", tool("dest: /opt/t", "dest: /opt/t\n        arch: debian"), nil, `builder.yaml:17:9: tool "t": unknown arch scheme "debian"`},
		{"arch scheme lacks platform", "version: 1\nplatforms: [linux/arm64]\narches:\n  p: {linux/amd64: x86_64}\nimages:\n  b:\n    base: example.com/base:1\n" + strings.Replace(goodTool, "dest: /opt/t", "dest: /opt/t\n        arch: p", 1), nil, `builder.yaml:16:9: tool "t": arch scheme "p" has no name for linux/arm64`},
		{"bad platform", strings.Replace(head, "linux/arm64]", "linux/arm65]", 1) + goodTool, nil, `builder.yaml:3:26: "linux/arm65" is not a platform`},
		{"relative dest", tool("dest: /opt/t", "dest: opt/t"), nil, `builder.yaml:16:9: dest "opt/t" is not an absolute path`},
		{"no dest", tool("        dest: /opt/t\n", ""), nil, `builder.yaml:10:9: tool "t" has no dest`},
		{"bad form", tool("dest: /opt/t", "dest: /opt/t\n        form: rar"), nil, `builder.yaml:17:9: tool "t": unknown form "rar"`},
		{"mode on archive", tool("dest: /opt/t", "dest: /opt/t\n        mode: 0755"), nil, `builder.yaml:17:9: tool "t": mode applies to raw binaries only`},
		{"bad mode", tool("dest: /opt/t", "dest: /opt/t\n        mode: rwx"), nil, `builder.yaml:17:15: "rwx" is not a file mode`},
		{"take escapes", tool("dest: /opt/t", "dest: /opt/t\n        take: [../etc/passwd]"), nil, `builder.yaml:17:16: tool "t": take path "../etc/passwd" is not inside the archive`},
		{"duplicate tool", head + goodTool + strings.Replace(goodTool, "    tools:\n", "", 1), nil, `builder.yaml:17:9: tool "t" is declared twice; rename one of them (the first is at line 10)`},
		{"build-arg moves a pinned version", head + goodTool, map[string]string{"V": "2.0"}, `builder.yaml:13:9: tool "t": version 2.0 (from a build-arg) has no sha256; the spec pins 1.0`},
		{"version written as a float", strings.Replace(head, `V: "1.0"`, "V: 1.10", 1) + goodTool, nil, `builder.yaml:5:6: YAML reads 1.10 as the number 1.1; write "1.10" in quotes`},
		{"unsupported version", strings.Replace(head, "version: 1", "version: 2", 1) + goodTool, nil, "builder.yaml:2:1: unsupported spec version 2"},
		{"no images", "version: 1\n", nil, "builder.yaml:1:1: the spec declares no image"},
		{"no base", "version: 1\nimages:\n  b:\n    workdir: /w\n", nil, `builder.yaml:3:3: image "b" has no base`},
		{"bad base ref", strings.Replace(head, "example.com/base:1", "Example.com/Base::1", 1) + goodTool, nil, `builder.yaml:8:5: base "Example.com/Base::1" is not an image reference`},
		{"unknown package manager", head + "    packages: {manager: yum, install: [git]}\n", nil, `builder.yaml:9:16: unknown package manager "yum"; use dnf`},
		{"empty spec", "", nil, "builder.yaml: the spec is empty"},
		{"two documents", "version: 1\n---\nversion: 1\n", nil, "builder.yaml:3:1: the file holds 2 YAML documents"},
		{"http scheme", tool("https://example.com", "ftp://example.com"), nil, `unsupported URL scheme "ftp"`},
		{"plain http", tool("https://example.com", "http://example.com"), nil, `builder.yaml:12:9: tool "t": plain http URL http://example.com/t-1.0-amd64.tar.gz; use https://, or set allowHTTP: true`},
		{"redefined builtin scheme", strings.Replace(head, "images:", "arches:\n  uname: {linux/amd64: x64}\nimages:", 1) + goodTool, nil, `builder.yaml:7:3: arch scheme "uname" is built in and cannot be redefined`},
		{"reserved arg name", strings.Replace(head, `V: "1.0"`, `V: "1.0"`+"\n  arch: x", 1) + goodTool, nil, `builder.yaml:6:3: arg name "arch" is taken by the built-in ${arch}`},
		{"float version key", tool("          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111\n          linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222\n", "          1.10:\n            linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111\n"), nil, `builder.yaml:14:11: YAML reads the version 1.10 as the number 1.1; write "1.10" in quotes`},
		{"take wildcard", tool("dest: /opt/t", "dest: /opt/t\n        take: [bin/*]"), nil, `builder.yaml:17:16: tool "t": take path "bin/*" has a wildcard`},
		{"go tools without toolchain", head + goodTool + "    goTools:\n      - {name: x, package: example.com/x, version: v1.0.0}\n", nil, `builder.yaml:17:5: Go tools need a Go toolchain: no tool named "go"`},
		{"go tool with @version", head + strings.Replace(goodTool, "name: t", "name: go", 1) + "    goTools:\n      - {name: x, package: example.com/x@v1, version: v1.0.0}\n", nil, `Go tool "x": "example.com/x@v1" is not an import path`},
		{"go toolchain not for the build platform", head + strings.Replace(goodTool, "name: t", "name: go\n        platforms: [linux/arm64]", 1) + "    goTools:\n      - {name: x, package: example.com/x, version: v1.0.0}\n", nil, `tool "go", the Go toolchain, is limited to platforms that leave out the build platform linux/amd64`},
		{"go tool sets GOTOOLCHAIN", head + strings.Replace(goodTool, "name: t", "name: go", 1) + "    goTools:\n      - {name: x, package: example.com/x, version: v1.0.0, env: {GOTOOLCHAIN: auto}}\n", nil, `Go tool "x": env GOTOOLCHAIN cannot be set`},
		{"relative workdir", head + "    workdir: work\n", nil, `builder.yaml:9:5: workdir "work" is not an absolute path`},
		{"env PATH with tool path", head + strings.Replace(goodTool, "dest: /opt/t", "dest: /opt/t\n        path: [/opt/t/bin]", 1) + "    env: {PATH: /bin}\n", nil, "env sets PATH and tools add to it too"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("builder.yaml", []byte(tc.yaml))
			if err == nil {
				err = s.Validate(nil, Options{BuildArgs: tc.args})
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if _, ok := err.(ErrorList); !ok {
				t.Fatalf("error is %T, want an ErrorList: %v", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error:\n%v\nwant it to contain:\n%s", err, tc.want)
			}
		})
	}
}

func TestGoodSpecHasNoErrors(t *testing.T) {
	s, err := Parse("builder.yaml", []byte(head+goodTool))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(nil, Options{}); err != nil {
		t.Fatal(err)
	}
}
