package spec

import (
	"fmt"
	"reflect"
	"testing"
)

// TestTemplates: every field the resolver expands is listed, in order, with
// a reader's name for it and the names it refers to.
func TestTemplates(t *testing.T) {
	s, err := Parse("builder.yaml", []byte(`version: 1
args:
  A: a
images:
  b:
    base: example.com/base:${A}
    packages:
      manager: dnf
      install: ["${A}"]
      options: ["--${A}"]
      repositories:
        - {name: "r${A}", url: "https://example.com/${arch.uname}", gpgkey: "https://example.com/${os}"}
    tools:
      - name: t
        version: ${A}
        url: https://example.com/${name}-${version}-${arch}-${A}-${version}.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /opt/${A}
        take: ["${A}"]
        links: {"/usr/bin/${A}": "/opt/${name}"}
        path: ["/opt/${A}"]
        env: {T: "${A}"}
    go:
      env: {GOFLAGS: "${A}"}
      dest: /opt/${A}
    goTools:
      - name: g
        package: example.com/${A}
        version: ${A}
        binary: ${A}
        ldflags: ${A}
        tags: ["${A}"]
        env: {G: "${A}"}
        dest: /opt/${A}
    files: [{src: "${A}", dest: "/${A}"}]
    directories: [{path: "/${A}"}]
    run: ["echo ${A}"]
    env: {E: "${A}", PLAIN: x}
    workdir: /${A}
    user: ${A}
    entrypoint: ["${A}"]
    cmd: ["${A}"]
    labels: {l: "${A}"}
    annotations: {an: "${A}"}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tm := range s.Templates("b") {
		got = append(got, fmt.Sprintf("%s @%d %q", tm.Where, s.Source.Range(tm.Path).Start.Line, tm.Refs))
	}
	want := []string{
		`base @6 ["A"]`,
		`packages install @9 ["A"]`,
		`packages options @10 ["A"]`,
		`repository name @12 ["A"]`,
		`repository url @12 ["arch.uname"]`,
		`repository gpgkey @12 ["os"]`,
		`tool "t" version @15 ["A"]`,
		`tool "t" url @16 ["name" "version" "arch" "A"]`,
		`tool "t" dest @18 ["A"]`,
		`tool "t" take @19 ["A"]`,
		`tool "t" links @20 ["A"]`,
		`tool "t" links @20 ["name"]`,
		`tool "t" path @21 ["A"]`,
		`tool "t" env T @22 ["A"]`,
		`go env GOFLAGS @24 ["A"]`,
		`go dest @25 ["A"]`,
		`Go tool "g" package @28 ["A"]`,
		`Go tool "g" version @29 ["A"]`,
		`Go tool "g" binary @30 ["A"]`,
		`Go tool "g" ldflags @31 ["A"]`,
		`Go tool "g" tags @32 ["A"]`,
		`Go tool "g" env G @33 ["A"]`,
		`Go tool "g" dest @34 ["A"]`,
		`file src @35 ["A"]`,
		`file dest @35 ["A"]`,
		`directory @36 ["A"]`,
		`env E @38 ["A"]`,
		`env PLAIN @38 []`,
		`workdir @39 ["A"]`,
		`user @40 ["A"]`,
		`entrypoint @41 ["A"]`,
		`cmd @42 ["A"]`,
		`label l @43 ["A"]`,
		`annotation an @44 ["A"]`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if s.Templates("nope") != nil {
		t.Error("an image that does not exist has templates")
	}
}

func TestExpandField(t *testing.T) {
	s, err := Parse("builder.yaml", []byte(`version: 1
args:
  V: "1.0"
images:
  b:
    base: example.com/base:1
    tools:
      - name: t
        version: v${V}
        arch: uname
        url: https://example.com/${name}-${version}-${arch}-${arch.goarch}.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /opt/t
    workdir: /${NOPE}
`))
	if err != nil {
		t.Fatal(err)
	}
	tp := Path{"images", "b", "tools", "0"}
	for _, tc := range []struct {
		p        Path
		platform string
		args     map[string]string
		want     string
		err      string
	}{
		{p: tp.Child("version"), platform: "linux/amd64", want: "v1.0"},
		{p: tp.Child("version"), platform: "linux/amd64", args: map[string]string{"V": "2.0"}, want: "v2.0"},
		{p: tp.Child("url"), platform: "linux/arm64", args: map[string]string{"V": "2.0"}, want: "https://example.com/t-v2.0-aarch64-arm64.tar.gz"},
		{p: tp.Child("dest"), platform: "linux/arm64", want: "/opt/t"},
		{p: tp.Child("form"), platform: "linux/arm64", want: ""},
		{p: Path{"images", "b", "workdir"}, platform: "linux/amd64", err: "builder.yaml:14:5: unknown name ${NOPE}; declare NOPE under args, or write $${NOPE} for a literal"},
		{p: Path{"images", "c", "workdir"}, platform: "linux/amd64", err: "images.c.workdir is not a field of an image"},
		{p: tp.Child("url"), platform: "linux/arm65", err: `"linux/arm65" is not a platform such as linux/amd64: unknown architecture "arm65"`},
	} {
		got, err := s.ExpandField(tc.p, tc.platform, tc.args)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ExpandField(%s, %s) error %v, want %s", tc.p, tc.platform, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ExpandField(%s, %s, %v) = %q, %v; want %q", tc.p, tc.platform, tc.args, got, err, tc.want)
		}
	}
}
