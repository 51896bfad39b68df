package spec

import (
	"errors"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// typeSpec is a valid spec with one image b, a tool and a Go tool; the cases
// below change one line of it.
const typeSpec = `version: 1
platforms: [linux/amd64]
args:
  V: "1.0"
arches:
  p: {linux/amd64: x86_64}
images:
  b:
    base: example.com/base:1
    packages:
      manager: apt
      install: [git]
    tools:
      - name: go
        version: ${V}
        url: https://example.com/go-${version}-${arch}.tar.gz
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
        strip: 1
        dest: /usr/local/go
    goTools:
      - name: x
        package: example.com/x
        version: v1.0.0
        ldflags: -s
    directories:
      - path: /work
        mode: 0755
    run:
      - echo hi
    env:
      A: b
    labels:
      org.example.a: b
    entrypoint: [/bin/sh]
`

// Every field type of the spec, given a value of the wrong kind: the error
// names the field by its YAML path and says what it expects, at the value.
func TestFieldTypeErrors(t *testing.T) {
	cases := []struct {
		name     string
		old, new string
		want     string
	}{
		{"int: a word", "strip: 1", "strip: one", `builder.yaml:19:16: images.b.tools[0].strip: expected a whole number, found "one"; write a whole number such as 1`},
		{"int: a fraction", "strip: 1", "strip: 1.5", `builder.yaml:19:16: images.b.tools[0].strip: expected a whole number, found "1.5"; write a whole number such as 1`},
		{"int: beyond int64 as text", "strip: 1", "strip: 99999999999999999999", `builder.yaml:19:16: images.b.tools[0].strip: expected a whole number, found "99999999999999999999"`},
		{"int: beyond int64", "strip: 1", "strip: 18446744073709551615", `builder.yaml:19:16: images.b.tools[0].strip: expected a whole number, found "18446744073709551615"`},
		{"int: a list", "version: 1\n", "version: [1]\n", `builder.yaml:1:10: version: expected a whole number, found a list; write a whole number such as 1`},
		{"bool: a word", "strip: 1", "strip: 1\n        allowHTTP: yes", `builder.yaml:20:20: images.b.tools[0].allowHTTP: expected true or false, found "yes"; write true or false`},
		{"bool: a number", "ldflags: -s", "ldflags: -s\n        cgo: 2", `builder.yaml:26:14: images.b.goTools[0].cgo: expected true or false, found "2"; write true or false`},
		{"string: a list", "version: ${V}", "version: [1]", `builder.yaml:15:18: images.b.tools[0].version: expected a string, found a list; write a single value; quote text that starts with [ or {`},
		{"string: a mapping", "base: example.com/base:1", "base: {example.com/base: 1}", `builder.yaml:9:12: images.b.base: expected a string, found a mapping; write a single value; quote text that starts with [ or {`},
		{"*string: a list", "ldflags: -s", "ldflags: [-s]", `builder.yaml:25:18: images.b.goTools[0].ldflags: expected a string, found a list`},
		{"list of strings: a scalar", "entrypoint: [/bin/sh]", "entrypoint: 3", `builder.yaml:35:17: images.b.entrypoint: expected a list of strings, found "3"; write [a, b], or one "- item" per line`},
		{"list of strings: nested list", "entrypoint: [/bin/sh]", "entrypoint: [[x]]", `builder.yaml:35:18: images.b.entrypoint[0]: expected a string, found a list`},
		{"list of strings: nested list in install", "install: [git]", "install: [[git]]", `builder.yaml:12:17: images.b.packages.install[0]: expected a string, found a list`},
		{"list of strings: top-level", "platforms: [linux/amd64]", "platforms: linux/amd64", `builder.yaml:2:12: platforms: expected a list of strings, found "linux/amd64"`},
		{"map of strings: a list", "    env:\n      A: b", "    env:\n      - A=b", `builder.yaml:32:7: images.b.env: expected a mapping of names to strings, found a list; write NAME: value, one per line, or {NAME: value}`},
		{"map of strings: a list value", "A: b", "A: [b]", `builder.yaml:32:10: images.b.env.A: expected a string, found a list`},
		{"map key with dots", "org.example.a: b", "org.example.a: [b]", `builder.yaml:34:22: images.b.labels."org.example.a": expected a string, found a list`},
		{"map of maps: a list", "p: {linux/amd64: x86_64}", "p: [x86_64]", `builder.yaml:6:6: arches.p: expected a mapping of names to strings, found a list`},
		{"map of images: a list", "images:\n  b:\n", "images:\n  - b:\n", `builder.yaml:8:3: images: expected a mapping of names to images, found a list`},
		{"struct: a scalar", "packages:\n      manager: apt\n      install: [git]", "packages: apt", `builder.yaml:10:15: images.b.packages: expected a mapping, found "apt"; see docs/spec.md for its fields`},
		{"file mode: a word", "mode: 0755", "mode: rwx", `builder.yaml:28:15: "rwx" is not a file mode; write an octal mode such as 0755 or 0644`},
		{"checksums: a list", "        sha256:\n          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111", "        sha256: [x]", `builder.yaml:17:17: images.b.tools[0].sha256: expected a mapping of platforms (or versions) to sha256 values, found a list; write platform: sha256, or version: {platform: sha256}`},
		{"arg: a list", `V: "1.0"`, `V: ["1.0"]`, `builder.yaml:4:6: args.V: expected a default value, or a mapping with default and description, found a list; write the default, or default: and description:`},
		{"arg mapping: a list default", `V: "1.0"`, "V:\n    default: [x]", `builder.yaml:5:14: args.V.default: expected a string, found a list`},
		{"run step: a list", "- echo hi", "- [echo, hi]", `builder.yaml:30:9: images.b.run[0]: expected a command, or a mapping with name and command, found a list; write the command, or name: and command:`},
		{"run step mapping: a list command", "- echo hi", "- {name: n, command: [echo]}", `builder.yaml:30:28: images.b.run[0].command: expected a string, found a list`},
		{"mapping with a merge key", "      - name: x\n        package: example.com/x\n        version: v1.0.0\n        ldflags: -s\n", "      - &gt\n        name: x\n        package: example.com/x\n        version: v1.0.0\n        ldflags: -s\n      - <<: *gt\n        name: y\n        cgo: maybe\n", `builder.yaml:29:14: images.b.goTools[1].cgo: expected true or false, found "maybe"`},
		{"list of tools: a mapping", "    goTools:\n      - name: x\n        package: example.com/x\n        version: v1.0.0\n        ldflags: -s\n", "    goTools: {name: x}\n", `builder.yaml:21:15: images.b.goTools: expected a list of Go tools, found a mapping; write one "- " entry per line; see docs/spec.md for their fields`},
		{"struct: a list", "    tools:\n", "    tools:\n      - [go]\n", `builder.yaml:14:9: images.b.tools[0]: expected a mapping, found a list; see docs/spec.md for its fields`},
		{"key: an alias of a list", "    env:\n      A: b", "    cmd: &l [x]\n    env:\n      ? *l\n      : b", `builder.yaml:33:9: images.b.env: a key must be a name, found a list (through the alias *l, from line 31)`},
		{"value: an alias of a list", "    env:\n      A: b", "    cmd: &l [x]\n    workdir: *l", `builder.yaml:32:14: images.b.workdir: expected a string, found a list (through the alias *l, from line 31)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			y := strings.Replace(typeSpec, tc.old, tc.new, 1)
			if y == typeSpec {
				t.Fatalf("%q is not in the spec", tc.old)
			}
			_, err := Parse("builder.yaml", []byte(y))
			if err == nil {
				t.Fatalf("no error, want %s", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error:\n%v\nwant it to contain:\n%s", err, tc.want)
			}
			for _, goWords := range []string{"Go struct", "unmarshal", "interface", "Spec.Images", "[]string"} {
				if strings.Contains(err.Error(), goWords) {
					t.Errorf("error speaks Go (%q): %v", goWords, err)
				}
			}
		})
	}
}

// The decoder's own type errors, should one get past the field check, are
// told in the spec's words: the old text replacement turned "into" into "a
// whole numbero".
func TestDecoderTypeErrorWords(t *testing.T) {
	var tool Tool
	err := yaml.Unmarshal([]byte("strip: one\n"), &tool)
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		t.Fatalf("decoder error %T %v, want a TypeError", err, err)
	}
	got := yamlError(&Source{Filename: "builder.yaml"}, err).Error()
	if want := `builder.yaml:1:8: expected a whole number here, found text; write a whole number such as 1`; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestTypeSpecParses(t *testing.T) {
	if _, err := Parse("builder.yaml", []byte(typeSpec)); err != nil {
		t.Fatal(err)
	}
}

// The sha256 decoder's own errors say what kind of value it found, not the
// value: an alias may stand for a large one.
func TestChecksumsDecodeErrorIsShort(t *testing.T) {
	for y, want := range map[string]string{
		"{v1: {linux/amd64: [a, b, c]}}": "sha256.v1.linux/amd64 must be a sha256 string, found a list",
		"{linux/amd64: [a, b, c]}":       "sha256.linux/amd64 must be a sha256 string or a mapping of platforms, found a list",
	} {
		var c Checksums
		err := yaml.Unmarshal([]byte(y), &c)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "[a b c]") {
			t.Errorf("%s: error %v, want %q", y, err, want)
		}
	}
}
