package spec

import (
	"fmt"
	"os"
	"reflect"
	"sync"
	"testing"
)

// resolveCase resolves yaml for one platform and compares one part of the
// result. Each case is a whole spec, so the positions in the error texts
// below can be read off the YAML.
type resolveCase struct {
	name     string
	yaml     string
	platform string // default linux/amd64
	opts     Options
	got      func(*Resolved) any
	want     any
}

func (tc resolveCase) resolve(t *testing.T) (*Resolved, error) {
	t.Helper()
	s, err := Parse("builder.yaml", []byte(tc.yaml))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	p := tc.platform
	if p == "" {
		p = "linux/amd64"
	}
	return s.Resolve(p, tc.opts)
}

// TestResolve covers how each field of a spec is resolved for a platform.
func TestResolve(t *testing.T) {
	cases := []resolveCase{
		// The image and its config.
		{
			name: "image without anything but a base",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
`,
			got: func(r *Resolved) any {
				return []any{r.Image, r.Platform, r.Base, r.BaseRange.Start, r.Args, r.Env, r.Labels, r.Annotations, r.Tools, r.GoTools, r.GoToolchain, r.Packages, r.Files, r.Dirs, r.Run, r.PathPrepend, r.Workdir, r.User, r.Entrypoint, r.Cmd}
			},
			want: []any{"b", "linux/amd64", "example.com/base:1", Pos{4, 5}, map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{},
				[]*ResolvedTool(nil), []*ResolvedGoTool(nil), (*ResolvedTool)(nil), (*ResolvedPackages)(nil), []*ResolvedFile(nil), []*ResolvedDir(nil), []*ResolvedRun(nil), []string(nil), "", "", []string(nil), []string(nil)},
		},
		{
			name: "the first image is the default",
			yaml: `version: 1
images:
  second:
    base: example.com/second:1
  first:
    base: example.com/first:1
`,
			got:  func(r *Resolved) any { return r.Image + " " + r.Base },
			want: "second example.com/second:1",
		},
		{
			name: "--target picks an image",
			yaml: `version: 1
images:
  second:
    base: example.com/second:1
  first:
    base: example.com/first:1
`,
			opts: Options{Target: "first"},
			got:  func(r *Resolved) any { return r.Image + " " + r.Base },
			want: "first example.com/first:1",
		},
		{
			name: "the platform is normalized",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
`,
			platform: "linux/arm64/v8",
			got:      func(r *Resolved) any { return r.Platform },
			want:     "linux/arm64",
		},
		{
			name: "args: defaults, --build-arg overrides, undeclared build-args ignored",
			yaml: `version: 1
args:
  TAG: "9"
  OTHER: {default: x, description: an arg}
images:
  b:
    base: example.com/base:${TAG}
`,
			opts: Options{BuildArgs: map[string]string{"TAG": "10", "NOT_DECLARED": "y"}},
			got:  func(r *Resolved) any { return []any{r.Args, r.Base} },
			want: []any{map[string]string{"TAG": "10", "OTHER": "x"}, "example.com/base:10"},
		},
		{
			name: "base scratch",
			yaml: `version: 1
images:
  b:
    base: scratch
`,
			got:  func(r *Resolved) any { return r.Base },
			want: "scratch",
		},
		{
			name: "image config fields are templates",
			yaml: `version: 1
args:
  APP: demo
images:
  b:
    base: example.com/base:1
    workdir: /work/${APP}
    user: ${APP}
    entrypoint: ["/usr/bin/${APP}", "--os=${os}"]
    cmd: ["--arch=${arch}", "--uname=${arch.uname}"]
    labels:
      org.example.app: ${APP}
      plain: "$HOME stays, $$ is one dollar"
    annotations:
      org.opencontainers.image.source: https://example.com/${APP}
`,
			platform: "linux/arm64",
			got: func(r *Resolved) any {
				return []any{r.Workdir, r.User, r.Entrypoint, r.Cmd, r.Labels, r.Annotations}
			},
			want: []any{"/work/demo", "demo", []string{"/usr/bin/demo", "--os=linux"}, []string{"--arch=arm64", "--uname=aarch64"},
				map[string]string{"org.example.app": "demo", "plain": "$HOME stays, $ is one dollar"},
				map[string]string{"org.opencontainers.image.source": "https://example.com/demo"}},
		},
		{
			name: "env: values are templates; PATH may be set when no tool adds to it",
			yaml: `version: 1
args:
  V: "1.0"
images:
  b:
    base: example.com/base:1
    env:
      APP_VERSION: ${V}
      PATH: /opt/bin:/usr/bin
      LITERAL: $PATH
`,
			got:  func(r *Resolved) any { return []any{r.Env, r.PathPrepend} },
			want: []any{map[string]string{"APP_VERSION": "1.0", "PATH": "/opt/bin:/usr/bin", "LITERAL": "$PATH"}, []string(nil)},
		},

		// Tools.
		{
			name: "tool: version from an arg, url with every name, sha256 of the platform",
			yaml: `version: 1
args:
  HELM_VERSION: v3.16.0
images:
  b:
    base: example.com/base:1
    tools:
      - name: helm
        version: ${HELM_VERSION}
        url: https://get.helm.sh/${name}-${version}-${os}-${arch}.tar.gz
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222
        strip: 1
        take: [helm]
        dest: /usr/local/bin
`,
			platform: "linux/arm64",
			got:      func(r *Resolved) any { t := *r.Tools[0]; t.Range = startOf(t.Range); return t },
			want: ResolvedTool{Name: "helm", Version: "v3.16.0", URL: "https://get.helm.sh/helm-v3.16.0-linux-arm64.tar.gz", Platform: "linux/arm64",
				SHA256: "sha256:2222222222222222222222222222222222222222222222222222222222222222", Form: "tar.gz", Strip: 1, Take: []string{"helm"}, Dest: "/usr/local/bin",
				Env: map[string]string{}, Range: Range{Start: Pos{8, 9}}},
		},
		{
			name: "tool: a --build-arg moves the version",
			yaml: `version: 1
args:
  V: "1.0"
images:
  b:
    base: example.com/base:1
    tools:
      - name: t
        version: ${V}
        url: https://example.com/t-${version}.tar.gz
        sha256:
          "1.0": {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
          "2.0": {linux/amd64: 2222222222222222222222222222222222222222222222222222222222222222}
        dest: /opt/t
`,
			opts: Options{BuildArgs: map[string]string{"V": "2.0"}},
			got:  func(r *Resolved) any { return []string{r.Tools[0].Version, r.Tools[0].URL, r.Tools[0].SHA256} },
			want: []string{"2.0", "https://example.com/t-2.0.tar.gz", "sha256:2222222222222222222222222222222222222222222222222222222222222222"},
		},
		{
			name: "tool: arch uname, and ${arch.SCHEME} of another scheme",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: shellcheck
        version: v0.10.0
        arch: uname
        url: https://example.com/shellcheck-${version}.linux.${arch}-${arch.goarch}.tar.xz
        sha256: {linux/arm64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /opt
`,
			platform: "linux/arm64",
			got:      func(r *Resolved) any { return r.Tools[0].URL },
			want:     "https://example.com/shellcheck-v0.10.0.linux.aarch64-arm64.tar.xz",
		},
		{
			name: "tool: a scheme of the spec, declared with a platform that normalizes",
			yaml: `version: 1
arches:
  protoc:
    linux/amd64: x86_64
    linux/arm64/v8: aarch_64
images:
  b:
    base: example.com/base:1
    tools:
      - name: protoc
        version: "25.1"
        arch: protoc
        url: https://example.com/protoc-${version}-linux-${arch}.zip
        sha256: {linux/arm64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/local
`,
			platform: "linux/arm64",
			got:      func(r *Resolved) any { return []string{r.Tools[0].URL, r.Tools[0].Form, r.Tools[0].Filename()} },
			want:     []string{"https://example.com/protoc-25.1-linux-aarch_64.zip", "zip", "protoc.zip"},
		},
		{
			name: "tool: ${arch.SCHEME} of a spec scheme in a tool of the default scheme",
			yaml: `version: 1
arches:
  llvm: {linux/amd64: x86_64-linux-gnu, linux/s390x: s390x-ibm-linux-gnu}
images:
  b:
    base: example.com/base:1
    tools:
      - name: clang
        version: "14"
        url: https://example.com/clang-${version}-${arch.llvm}-${arch}.tar.xz
        sha256: {linux/s390x: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /opt/llvm
`,
			platform: "linux/s390x",
			got:      func(r *Resolved) any { return r.Tools[0].URL },
			want:     "https://example.com/clang-14-s390x-ibm-linux-gnu-s390x.tar.xz",
		},
		{
			name: "tool: the form follows the URL's file name",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - {name: a, version: "1", url: "https://example.com/a.tar.gz", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/a}
      - {name: b, version: "1", url: "https://example.com/b.tgz", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/b}
      - {name: c, version: "1", url: "https://example.com/c.tar.xz", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/c}
      - {name: d, version: "1", url: "https://example.com/d.txz", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/d}
      - {name: e, version: "1", url: "https://example.com/e.tar.zst", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/e}
      - {name: f, version: "1", url: "https://example.com/f.tzst", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/f}
      - {name: g, version: "1", url: "https://example.com/g.tar.bz2", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/g}
      - {name: h, version: "1", url: "https://example.com/h.tbz2", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/h}
      - {name: i, version: "1", url: "https://example.com/i.tar", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/i}
      - {name: j, version: "1", url: "https://example.com/j.zip", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/j}
      - {name: k, version: "1", url: "https://example.com/K.TAR.GZ", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/k}
      - {name: l, version: "1", url: "https://example.com/l.zip?raw=true#x", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/l}
      - {name: m, version: "1", url: "https://example.com/download?file=m.tar.gz", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /usr/bin/m}
      - {name: n, version: "1", url: "https://example.com/n-linux-amd64", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /usr/bin/n}
      - {name: o, version: "1", url: "https://example.com/download", form: tar.gz, sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/o}
      - {name: p, version: "1", url: "https://example.com/p.tar.gz", form: raw, sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /usr/bin/p}
      - {name: q, version: "1", url: "https://example.com/q.tar.zstd", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/q}
      - {name: r, version: "1", url: "https://example.com/r.tbz", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/r}
      - {name: s, version: "1", url: "https://example.com/s.tar.bz", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/s}
`,
			got: func(r *Resolved) any {
				var out []string
				for _, t := range r.Tools {
					out = append(out, t.Name+" "+t.Form+" "+t.Filename())
				}
				return out
			},
			want: []string{"a tar.gz a.tar.gz", "b tar.gz b.tar.gz", "c tar.xz c.tar.xz", "d tar.xz d.tar.xz", "e tar.zst e.tar.zst", "f tar.zst f.tar.zst",
				"g tar.bz2 g.tar.bz2", "h tar.bz2 h.tar.bz2", "i tar i.tar", "j zip j.zip", "k tar.gz k.tar.gz", "l zip l.zip", "m raw m", "n raw n",
				"o tar.gz o.tar.gz", "p raw p", "q tar.zst q.tar.zst", "r tar.bz2 r.tar.bz2", "s tar.bz2 s.tar.bz2"},
		},
		{
			name: "tool: take paths are templates, cleaned; dest is cleaned",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: 1.23.6
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        strip: 2
        take: [./bin//go, "pkg/${version}/", "${name}doc"]
        dest: /usr/local/go/
`,
			got: func(r *Resolved) any {
				return []any{r.Tools[0].Strip, r.Tools[0].Take, r.Tools[0].Dest, r.Tools[0].Mode}
			},
			want: []any{2, []string{"bin/go", "pkg/1.23.6", "godoc"}, "/usr/local/go", uint32(0)},
		},
		{
			name: "tool: a raw binary's dest ending in / gets the tool's name; mode defaults to 0755",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: kubectl
        version: v1.31.0
        url: https://dl.k8s.io/release/${version}/bin/linux/${arch}/kubectl
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/local/bin/
      - name: bazel
        version: 6.5.0
        url: https://example.com/bazel-${version}-linux-${arch}
        sha256: {linux/amd64: 2222222222222222222222222222222222222222222222222222222222222222}
        dest: /usr/local/bin/${name}-${version}
        mode: 0700
`,
			got: func(r *Resolved) any {
				return []any{r.Tools[0].Form, r.Tools[0].Dest, r.Tools[0].Mode, r.Tools[0].Filename(), r.Tools[1].Dest, r.Tools[1].Mode}
			},
			want: []any{"raw", "/usr/local/bin/kubectl", uint32(0o755), "kubectl", "/usr/local/bin/bazel-6.5.0", uint32(0o700)},
		},
		{
			name: "tool: links sorted by path, templates, cleaned",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: 1.23.6
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        strip: 1
        dest: /usr/local/go
        links:
          /usr/local/bin/gofmt: /usr/local/go/bin/gofmt
          /usr/local/bin//${name}: /usr/local/go/bin/${name}
`,
			got:  func(r *Resolved) any { return r.Tools[0].Links },
			want: []Link{{Path: "/usr/local/bin/go", Target: "/usr/local/go/bin/go"}, {Path: "/usr/local/bin/gofmt", Target: "/usr/local/go/bin/gofmt"}},
		},
		{
			name: "tool: path and env go into the image, in tool order, before the image's env",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    env:
      GOROOT: /override
    tools:
      - name: go
        version: 1.23.6
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        strip: 1
        dest: /usr/local/go
        path: [/usr/local/go/bin, /root/go/bin]
        env:
          GOROOT: /usr/local/go
          GO_VERSION: ${version}
      - name: node
        version: v20.0.0
        url: https://example.com/node-${version}-linux-x64.tar.xz
        sha256: {linux/amd64: 2222222222222222222222222222222222222222222222222222222222222222}
        strip: 1
        dest: /opt/node
        path: ["/opt/${name}/bin"]
`,
			got: func(r *Resolved) any {
				return []any{r.Tools[0].Path, r.Tools[0].Env, r.Tools[1].Path, r.PathPrepend, r.Env}
			},
			want: []any{[]string{"/usr/local/go/bin", "/root/go/bin"}, map[string]string{"GOROOT": "/usr/local/go", "GO_VERSION": "1.23.6"}, []string{"/opt/node/bin"},
				[]string{"/usr/local/go/bin", "/root/go/bin", "/opt/node/bin"}, map[string]string{"GOROOT": "/override", "GO_VERSION": "1.23.6"}},
		},
		{
			name: "tool: platforms leaves the tool out of other platforms",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: only-arm
        version: "1"
        url: https://example.com/x-${arch}
        sha256: {linux/arm64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/bin/x
        platforms: [linux/arm64]
`,
			got:  func(r *Resolved) any { return len(r.Tools) },
			want: 0,
		},
		{
			name: "tool: platforms keeps the tool on its platforms, normalized",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: only-arm
        version: "1"
        url: https://example.com/x-${arch}
        sha256: {linux/arm64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/bin/x
        platforms: [linux/arm64/v8]
`,
			platform: "linux/arm64",
			got:      func(r *Resolved) any { return r.Tools[0].URL },
			want:     "https://example.com/x-arm64",
		},
		{
			name: "tool: authSecret, allowHTTP and plain http to loopback",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: private
        version: "1"
        url: https://releases.example.com/private-${version}
        authSecret: releases-auth
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/bin/private
      - name: mirror
        version: "1"
        url: http://mirror.example.com/mirror-${version}
        allowHTTP: true
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/bin/mirror
      - name: local
        version: "1"
        url: http://127.0.0.1:8080/local
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/bin/local
      - name: localhost
        version: "1"
        url: http://localhost/localhost
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/bin/localhost
      - name: ipv6
        version: "1"
        url: http://[::1]:9000/ipv6
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/bin/ipv6
`,
			got: func(r *Resolved) any {
				var out []string
				for _, t := range r.Tools {
					out = append(out, t.AuthSecret+" "+t.URL)
				}
				return out
			},
			want: []string{"releases-auth https://releases.example.com/private-1", " http://mirror.example.com/mirror-1", " http://127.0.0.1:8080/local",
				" http://localhost/localhost", " http://[::1]:9000/ipv6"},
		},

		// Checksums.
		{
			name: "sha256: platform keys normalize, sha256: prefix and spaces are dropped",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: t
        version: "1"
        url: https://example.com/t.tar.gz
        sha256:
          linux/amd64: " sha256:1111111111111111111111111111111111111111111111111111111111111111 "
          linux/arm64/v8: 2222222222222222222222222222222222222222222222222222222222222222
        dest: /opt/t
`,
			platform: "linux/arm64",
			got:      func(r *Resolved) any { return r.Tools[0].SHA256 },
			want:     "sha256:2222222222222222222222222222222222222222222222222222222222222222",
		},
		{
			name: "sha256: the flat form pins the version the spec names",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: t
        version: "1"
        url: https://example.com/t.tar.gz
        sha256:
          linux/amd64: "sha256:1111111111111111111111111111111111111111111111111111111111111111"
        dest: /opt/t
`,
			got:  func(r *Resolved) any { return r.Tools[0].SHA256 },
			want: "sha256:1111111111111111111111111111111111111111111111111111111111111111",
		},
		{
			name: "sha256: a --build-arg equal to the default keeps the flat form",
			yaml: `version: 1
args:
  V: "1.0"
images:
  b:
    base: example.com/base:1
    tools:
      - name: t
        version: ${V}
        url: https://example.com/t-${version}.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /opt/t
`,
			opts: Options{BuildArgs: map[string]string{"V": "1.0"}},
			got:  func(r *Resolved) any { return r.Tools[0].SHA256 },
			want: "sha256:1111111111111111111111111111111111111111111111111111111111111111",
		},
		{
			name: "sha256: a version mapping beside the flat form serves a --build-arg",
			yaml: `version: 1
args:
  V: "1.0"
images:
  b:
    base: example.com/base:1
    tools:
      - name: t
        version: ${V}
        url: https://example.com/t-${version}.tar.gz
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          "2.0":
            linux/amd64: 2222222222222222222222222222222222222222222222222222222222222222
        dest: /opt/t
`,
			opts: Options{BuildArgs: map[string]string{"V": "2.0"}},
			got:  func(r *Resolved) any { return r.Tools[0].SHA256 },
			want: "sha256:2222222222222222222222222222222222222222222222222222222222222222",
		},
		{
			name: "sha256: a version mapping for the spec's own version wins over the flat form",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: t
        version: "1.0"
        url: https://example.com/t-${version}.tar.gz
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          "1.0":
            linux/amd64: 3333333333333333333333333333333333333333333333333333333333333333
        dest: /opt/t
`,
			got:  func(r *Resolved) any { return r.Tools[0].SHA256 },
			want: "sha256:3333333333333333333333333333333333333333333333333333333333333333",
		},
		{
			name: "sha256: an alias of a digest pinned once",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: jar
        version: "1"
        url: https://example.com/tool.jar
        sha256:
          linux/amd64: &jar 4444444444444444444444444444444444444444444444444444444444444444
          linux/arm64: *jar
        dest: /opt/tool.jar
`,
			platform: "linux/arm64",
			got:      func(r *Resolved) any { return r.Tools[0].SHA256 },
			want:     "sha256:4444444444444444444444444444444444444444444444444444444444444444",
		},

		// Go tools.
		{
			name: "goTools: defaults",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: 1.23.6
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        strip: 1
        dest: /usr/local/go
    goTools:
      - name: go-junit-report
        package: github.com/jstemmer/go-junit-report/v2
        version: v2.1.0
`,
			got: func(r *Resolved) any {
				g := *r.GoTools[0]
				g.Range = startOf(g.Range)
				return []any{g, r.GoToolchain == r.Tools[0]}
			},
			want: []any{ResolvedGoTool{Name: "go-junit-report", Package: "github.com/jstemmer/go-junit-report/v2", Version: "v2.1.0", Binary: "go-junit-report",
				Dest: "/usr/local/bin/go-junit-report", Ldflags: "-s -w", Env: map[string]string{}, Range: Range{Start: Pos{13, 9}}}, true},
		},
		{
			name: "goTools: go settings, and every field of a Go tool",
			yaml: `version: 1
args:
  LINT_VERSION: v1.64.8
  PROXY: https://proxy.example.com
images:
  b:
    base: example.com/base:1
    tools:
      - name: golang
        version: 1.23.6
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256: {linux/arm64: 1111111111111111111111111111111111111111111111111111111111111111}
        strip: 1
        dest: /usr/local/go
    go:
      toolchain: golang
      dest: /opt/${arch}/bin
      env:
        GOPROXY: ${PROXY}
        GOFLAGS: -mod=mod
    goTools:
      - name: golangci-lint
        package: github.com/golangci/golangci-lint/cmd/golangci-lint
        version: ${LINT_VERSION}
        binary: lint-${arch}
        ldflags: "-X main.version=${LINT_VERSION}"
        tags: [netgo, "os_${os}"]
        cgo: true
        env:
          GOFLAGS: -mod=readonly
          CC: gcc
      - name: kind
        package: sigs.k8s.io/kind
        version: v0.24.0
        dest: /usr/bin
        ldflags: ""
`,
			platform: "linux/arm64",
			opts:     Options{BuildPlatform: "linux/arm64"},
			got: func(r *Resolved) any {
				a, b := r.GoTools[0], r.GoTools[1]
				return []any{a.Package, a.Version, a.Binary, a.Dest, a.Ldflags, a.Tags, a.Cgo, a.Env, b.Binary, b.Dest, b.Ldflags, b.Tags, b.Cgo, b.Env, r.GoToolchain.Name}
			},
			want: []any{"github.com/golangci/golangci-lint/cmd/golangci-lint", "v1.64.8", "lint-arm64", "/opt/arm64/bin/lint-arm64", "-X main.version=v1.64.8",
				[]string{"netgo", "os_linux"}, true, map[string]string{"GOPROXY": "https://proxy.example.com", "GOFLAGS": "-mod=readonly", "CC": "gcc"},
				"kind", "/usr/bin/kind", "", []string(nil), false, map[string]string{"GOPROXY": "https://proxy.example.com", "GOFLAGS": "-mod=mod"}, "golang"},
		},
		{
			name: "goTools: the toolchain is resolved for the build platform",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: 1.23.6
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222
        strip: 1
        dest: /usr/local/go
    goTools:
      - {name: kind, package: sigs.k8s.io/kind, version: v0.24.0}
`,
			platform: "linux/arm64",
			got: func(r *Resolved) any {
				return []string{r.Tools[0].Platform, r.Tools[0].URL, r.GoToolchain.Platform, r.GoToolchain.URL, r.GoToolchain.SHA256, r.GoTools[0].Dest}
			},
			want: []string{"linux/arm64", "https://go.dev/dl/go1.23.6.linux-arm64.tar.gz", "linux/amd64", "https://go.dev/dl/go1.23.6.linux-amd64.tar.gz", "sha256:1111111111111111111111111111111111111111111111111111111111111111", "/usr/local/bin/kind"},
		},
		{
			name: "goTools: Options.BuildPlatform moves the toolchain",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: 1.23.6
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          linux/s390x: 2222222222222222222222222222222222222222222222222222222222222222
        strip: 1
        dest: /usr/local/go
    goTools:
      - {name: kind, package: sigs.k8s.io/kind, version: v0.24.0}
`,
			opts: Options{BuildPlatform: "linux/s390x"},
			got:  func(r *Resolved) any { return []string{r.GoToolchain.Platform, r.GoToolchain.SHA256} },
			want: []string{"linux/s390x", "sha256:2222222222222222222222222222222222222222222222222222222222222222"},
		},
		{
			name: "goTools: platforms leaves a Go tool out",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: 1.23.6
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111, linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222}
        strip: 1
        dest: /usr/local/go
    goTools:
      - {name: kind, package: sigs.k8s.io/kind, version: v0.24.0, platforms: [linux/amd64]}
      - {name: goimports, package: golang.org/x/tools/cmd/goimports, version: v0.29.0}
`,
			platform: "linux/arm64",
			got:      func(r *Resolved) any { return []string{r.GoTools[0].Name, fmt.Sprint(len(r.GoTools))} },
			want:     []string{"goimports", "1"},
		},

		// Packages, files, directories, run.
		{
			name: "packages: every field, templates",
			yaml: `version: 1
args:
  GIT: git-2.43
images:
  b:
    base: example.com/base:1
    packages:
      manager: dnf
      install: [make, "${GIT}"]
      options: [--allowerasing, "--forcearch=${arch.uname}"]
      repositories:
        - name: docker-ce-${arch}
          url: https://download.docker.com/linux/centos/9/${arch.uname}/stable
          gpgkey: https://download.docker.com/linux/centos/gpg
`,
			platform: "linux/arm64",
			got:      func(r *Resolved) any { p := *r.Packages; p.Range = startOf(p.Range); return p },
			want: ResolvedPackages{Manager: "dnf", Install: []string{"make", "git-2.43"}, Options: []string{"--allowerasing", "--forcearch=aarch64"}, Mode: "native",
				Repositories: []*Repository{{Name: "docker-ce-arm64", URL: "https://download.docker.com/linux/centos/9/aarch64/stable", GPGKey: "https://download.docker.com/linux/centos/gpg"}},
				Range:        Range{Start: Pos{7, 5}}},
		},
		{
			name: "files and directories: templates, modes",
			yaml: `version: 1
args:
  CONF: app.conf
images:
  b:
    base: example.com/base:1
    files:
      - {src: "conf/${CONF}", dest: "/etc/${CONF}", mode: 0600}
      - {src: scripts/, dest: /usr/local/bin/}
    directories:
      - {path: "/work/${arch}"}
      - {path: /cache, mode: "0777"}
`,
			platform: "linux/arm64",
			got: func(r *Resolved) any {
				f0, f1, d0, d1 := *r.Files[0], *r.Files[1], *r.Dirs[0], *r.Dirs[1]
				f0.Range, f1.Range, d0.Range, d1.Range = startOf(f0.Range), startOf(f1.Range), startOf(d0.Range), startOf(d1.Range)
				return []any{f0, f1, d0, d1}
			},
			want: []any{ResolvedFile{Src: "conf/app.conf", Dest: "/etc/app.conf", Mode: 0o600, Range: Range{Start: Pos{8, 10}}},
				ResolvedFile{Src: "scripts/", Dest: "/usr/local/bin/", Range: Range{Start: Pos{9, 10}}},
				ResolvedDir{Path: "/work/arm64", Mode: 0o755, Range: Range{Start: Pos{11, 10}}},
				ResolvedDir{Path: "/cache", Mode: 0o777, Range: Range{Start: Pos{12, 10}}}},
		},
		{
			name: "run: commands and names are not templates",
			yaml: `version: 1
args:
  V: "1"
images:
  b:
    base: example.com/base:1
    run:
      - echo ${V} $HOME
      - name: second
        command: |
          set -e
          true
`,
			got: func(r *Resolved) any {
				a, b := *r.Run[0], *r.Run[1]
				a.Range, b.Range = startOf(a.Range), startOf(b.Range)
				return []ResolvedRun{a, b}
			},
			want: []ResolvedRun{{Command: "echo ${V} $HOME", Range: Range{Start: Pos{8, 9}}},
				{Name: "second", Command: "set -e\ntrue\n", Range: Range{Start: Pos{9, 9}}}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.resolve(t)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.got(r); !reflect.DeepEqual(got, tc.want) {
				if os.Getenv("RESOLVE_TEST_PRINT") != "" {
					t.Logf("got %#v", got)
				}
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// startOf keeps where a node starts: the resolver picks the node, the
// parser measures its span.
func startOf(r Range) Range { return Range{Start: r.Start} }

// TestResolveErrors covers every problem the resolver reports, with the
// whole text a user sees: file:line:col, what is wrong, what to do. The
// sha256 cases are docs/spec.md's table of checksum errors (tool go,
// GO_VERSION 1.23.6); the toolchain, template and platform cases are the
// examples of its section 8.
func TestResolveErrors(t *testing.T) {
	cases := []struct {
		name      string
		yaml      string
		platforms []string // Validate these; default linux/amd64
		opts      Options
		want      string
	}{
		// Top level.
		{
			name: "unsupported version",
			yaml: `version: 2
images:
  b:
    base: example.com/base:1
`,
			want: "builder.yaml:1:1: unsupported spec version 2; add `version: 1` at the top of the spec",
		},
		{
			name: "missing version",
			yaml: `images:
  b:
    base: example.com/base:1
`,
			want: "builder.yaml:1:1: unsupported spec version 0; add `version: 1` at the top of the spec",
		},
		{
			name: "platform that is not one",
			yaml: `version: 1
platforms: [linux/amd64, linux/arm65, windows/amd64]
images:
  b:
    base: example.com/base:1
`,
			want: "2 problems in builder.yaml:\n  builder.yaml:2:26: \"linux/arm65\" is not a platform such as linux/amd64: unknown architecture \"arm65\"; use linux/amd64, linux/arm64, linux/ppc64le or linux/s390x\n  builder.yaml:2:39: platform \"windows/amd64\": builder images are linux images; use linux/amd64, linux/arm64, linux/ppc64le or linux/s390x",
		},
		{
			name: "arg names",
			yaml: `version: 1
args:
  1ST: x
  arch: y
  A.B: z
images:
  b:
    base: example.com/base:1
`,
			want: "3 problems in builder.yaml:\n  builder.yaml:3:3: arg name \"1ST\" is not valid; use letters, digits and _, not starting with a digit\n  builder.yaml:4:3: arg name \"arch\" is taken by the built-in ${arch}; pick another name, e.g. HELM_ARCH\n  builder.yaml:5:3: arg name \"A.B\" is not valid; use letters, digits and _, not starting with a digit",
		},
		{
			name: "arches",
			yaml: `version: 1
arches:
  uname: {linux/amd64: x64}
  mine: {linux/amd65: x}
images:
  b:
    base: example.com/base:1
`,
			want: "2 problems in builder.yaml:\n  builder.yaml:3:3: arch scheme \"uname\" is built in and cannot be redefined; pick another name; goarch and uname are built in\n  builder.yaml:4:10: \"linux/amd65\" is not a platform such as linux/amd64: unknown architecture \"amd65\"; keys are platforms such as linux/arm64",
		},
		{
			name: "no image",
			yaml: `version: 1
platforms: [linux/amd64]
`,
			want: "builder.yaml:1:1: the spec declares no image; add an images: mapping with one image (see docs/spec.md)",
		},
		{
			name: "no image of that name",
			yaml: `version: 1
images:
  a:
    base: example.com/a:1
  b:
    base: example.com/b:1
`,
			opts: Options{Target: "c"},
			want: "builder.yaml:2:1: no image named \"c\" in the spec; pass --target with one of: a, b",
		},
		{
			name:      "--platform that is not one",
			yaml:      "version: 1\nimages:\n  b:\n    base: example.com/base:1\n",
			platforms: []string{"linux/arm65"},
			want:      "builder.yaml: \"linux/arm65\" is not a platform such as linux/amd64: unknown architecture \"arm65\"; pass --platform linux/amd64,linux/arm64 (or linux/ppc64le, linux/s390x)",
		},
		{
			name: "build platform that is not one",
			yaml: "version: 1\nimages:\n  b:\n    base: example.com/base:1\n",
			opts: Options{BuildPlatform: "darwin/arm64"},
			want: "builder.yaml: build platform: platform \"darwin/arm64\": builder images are linux images",
		},

		// Templates.
		{
			name: "unknown name, close to a tool name (docs/spec.md section 8)",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: bazel
        version: 6.5.0
        url: https://example.com/bazel-${VERSION}-linux-${arch}
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/local/bin/bazel
`,
			want: "builder.yaml:8:9: unknown name ${VERSION}; did you mean ${version}? Otherwise declare VERSION under args",
		},
		{
			name: "unknown name, close to an arg",
			yaml: `version: 1
args:
  HELM_VERSION: v3.16.0
images:
  b:
    base: example.com/base:1
    labels:
      helm: ${HELM_VERSOIN}
`,
			want: "builder.yaml:8:7: unknown name ${HELM_VERSOIN}; did you mean ${HELM_VERSION}? Otherwise declare HELM_VERSOIN under args",
		},
		{
			name: "unknown name, nothing close",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    user: ${SOMEBODY}
`,
			want: "builder.yaml:5:5: unknown name ${SOMEBODY}; declare SOMEBODY under args, or write $${SOMEBODY} for a literal",
		},
		{
			name: "tool names outside tool fields",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    workdir: /opt/${version}
`,
			want: "builder.yaml:5:5: unknown name ${version}; declare version under args, or write $${version} for a literal",
		},
		{
			name: "unterminated ${",
			yaml: `version: 1
images:
  b:
    base: example.com/base:${TAG
`,
			want: "builder.yaml:4:5: unterminated ${ in \"example.com/base:${TAG\"; templates take ${NAME} of an arg declared under args, ${version}, ${arch}, ${arch.SCHEME} or ${os}; write $$ for a literal $",
		},
		{
			name: "invalid reference",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    env:
      A: ${1x}
`,
			want: "builder.yaml:6:7: ${1x} is not a valid reference; declare 1x under args, or write $${1x} for a literal",
		},
		{
			name: "unknown scheme in ${arch.SCHEME}",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    env:
      A: ${arch.debian}
`,
			want: "builder.yaml:6:7: unknown name ${arch.debian}; declare it under arches (known schemes: goarch, uname)",
		},
		{
			name: "scheme without a name for the platform in ${arch.SCHEME}",
			yaml: `version: 1
arches:
  protoc: {linux/amd64: x86_64}
images:
  b:
    base: example.com/base:1
    env:
      A: ${arch.protoc}
`,
			platforms: []string{"linux/arm64"},
			want:      "builder.yaml:8:7: arch scheme \"protoc\" has no name for linux/arm64; add linux/arm64 under arches.protoc",
		},

		// The image.
		{
			name: "no base",
			yaml: `version: 1
images:
  b:
    workdir: /w
`,
			want: "builder.yaml:3:3: image \"b\" has no base; add base: with the image to start from, e.g. registry.access.redhat.com/ubi9/ubi:9.6",
		},
		{
			name: "base that is not a reference",
			yaml: `version: 1
images:
  b:
    base: Example.com/Base::1
`,
			want: "builder.yaml:4:5: base \"Example.com/Base::1\" is not an image reference: invalid reference format: repository name (Base) must be lowercase; write an image reference such as docker.io/library/debian:12",
		},
		{
			name: "files",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    files:
      - {dest: /etc/x}
      - {src: /etc/passwd, dest: /etc/y}
      - {src: ../secret, dest: /etc/z}
      - {src: a, dest: etc/a}
      - {src: b, dest: /etc/../b}
      - {src: c, dest: ""}
`,
			want: "6 problems in builder.yaml:\n  builder.yaml:6:10: file has no src; add src: with a path in the build context\n  builder.yaml:7:10: src \"/etc/passwd\" leaves the build context; src is relative to the build context\n  builder.yaml:8:10: src \"../secret\" leaves the build context; src is relative to the build context\n  builder.yaml:9:18: dest \"etc/a\" is not an absolute path; paths in the image are absolute, e.g. /etc/a\n  builder.yaml:10:18: dest \"/etc/../b\" contains ..; write the path without ..\n  builder.yaml:11:18: dest is empty; give an absolute path such as /usr/local/bin",
		},
		{
			name: "directories",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    directories:
      - {path: cache}
      - {path: /cache/../x}
`,
			want: "2 problems in builder.yaml:\n  builder.yaml:6:10: path \"cache\" is not an absolute path; paths in the image are absolute, e.g. /cache\n  builder.yaml:7:10: path \"/cache/../x\" contains ..; write the path without ..",
		},
		{
			name: "run step without a command",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    run:
      - "  "
      - {name: nothing}
`,
			want: "2 problems in builder.yaml:\n  builder.yaml:6:9: run step has no command; give the step a command, or remove it\n  builder.yaml:7:10: run step has no command; give the step a command, or remove it",
		},
		{
			name: "env name",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    env:
      1A: x
`,
			want: "builder.yaml:6:7: env name \"1A\" is not valid; use letters, digits and _, not starting with a digit",
		},
		{
			name: "env PATH beside tools' path",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    env:
      PATH: /bin
    tools:
      - name: t
        version: "1"
        url: https://example.com/t.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /opt/t
        path: [/opt/t/bin]
`,
			want: "builder.yaml:6:7: env sets PATH and tools add to it too; drop env.PATH and list directories under the tools' path:, or move them all into env.PATH",
		},
		{
			name: "relative workdir",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    workdir: ./work
`,
			want: "builder.yaml:5:5: workdir \"./work\" is not an absolute path; paths in the image are absolute, e.g. /work",
		},
		{
			name: "annotation key",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    annotations:
      a b: x
`,
			want: "builder.yaml:6:7: annotation key \"a b\" is not valid; use a reverse-DNS key such as org.opencontainers.image.source",
		},

		// Packages.
		{
			name: "packages without manager and packages",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    packages:
      options: [--x]
`,
			want: "2 problems in builder.yaml:\n  builder.yaml:5:5: packages has no manager; add manager: apt, dnf, microdnf or apk\n  builder.yaml:5:5: packages has nothing to install; list the packages under install:, or remove packages:",
		},
		{
			name: "package manager yum",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    packages:
      manager: yum
      install: [git]
`,
			want: "builder.yaml:6:7: unknown package manager \"yum\"; use dnf (it reads yum repositories too), or microdnf on ubi-minimal",
		},
		{
			name: "package manager unknown",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    packages:
      manager: pacman
      install: [git]
`,
			want: "builder.yaml:6:7: unknown package manager \"pacman\"; use apt, dnf, microdnf or apk",
		},
		{
			name: "package names, options, repositories",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    packages:
      manager: apt
      install: ["git make"]
      options: [allowerasing]
      repositories:
        - {name: Docker, url: "deb https://download.docker.com/linux/debian bookworm stable"}
        - {name: empty}
`,
			want: "4 problems in builder.yaml:\n  builder.yaml:7:17: \"git make\" is not a package name; one package name (or name=version / NEVRA) per item\n  builder.yaml:8:17: option \"allowerasing\" does not start with -; options are flags of the install command, e.g. --allowerasing; put packages under install\n  builder.yaml:10:12: repository name \"Docker\" is not valid; use lower-case letters, digits, . _ + -\n  builder.yaml:11:12: repository \"empty\" has no url; add url:",
		},

		// Tools.
		{
			name: "empty tool, tool without name, bad name",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      -
      - {version: "1"}
      - {name: Helm}
`,
			want: "3 problems in builder.yaml:\n  builder.yaml:6:8: empty tool; remove the empty item\n  builder.yaml:7:10: tool has no name; add name: (it names the tool's layer and its errors)\n  builder.yaml:8:10: tool name \"Helm\" is not valid; use lower-case letters, digits, . _ + -",
		},
		{
			name: "tool declared twice",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - {name: t, version: "1", url: "https://example.com/t", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /usr/bin/t}
      - {name: t, version: "2", url: "https://example.com/t", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /usr/bin/t}
`,
			want: "builder.yaml:7:10: tool \"t\" is declared twice; rename one of them (the first is at line 6)",
		},
		{
			name: "tool platforms that are not platforms",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - {name: t, version: "1", url: "https://example.com/t", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /usr/bin/t, platforms: [linux/amd64, linux/amd65]}
`,
			want: "builder.yaml:6:195: \"linux/amd65\" is not a platform such as linux/amd64: unknown architecture \"amd65\"; use linux/amd64, linux/arm64, linux/ppc64le or linux/s390x",
		},
		{
			name: "tool arch scheme unknown",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - {name: t, version: "1", arch: debian, url: "https://example.com/t", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /usr/bin/t}
`,
			want: "builder.yaml:6:33: tool \"t\": unknown arch scheme \"debian\"; declare it under arches, or use one of: goarch, uname",
		},
		{
			name: "tool arch scheme without the platform (docs/spec.md section 8)",
			yaml: `version: 1
arches:
  bazel: {linux/amd64: x86_64, linux/arm64: arm64}
images:
  b:
    base: example.com/base:1
    tools:
      - name: bazel
        version: 6.5.0
        arch: bazel
        url: https://example.com/bazel-${version}-linux-${arch}
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111, linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222}
        dest: /usr/local/bin/bazel
`,
			platforms: []string{"linux/amd64", "linux/arm64", "linux/ppc64le"},
			want:      "builder.yaml:10:9: tool \"bazel\": arch scheme \"bazel\" has no name for linux/ppc64le; add linux/ppc64le under arches.bazel, or limit the tool with platforms:",
		},
		{
			name: "tool without version, url, sha256, dest",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: t
`,
			want: "4 problems in builder.yaml:\n  builder.yaml:6:9: tool \"t\" has no version; add version: (a literal, or ${AN_ARG})\n  builder.yaml:6:9: tool \"t\" has no url; add url: with the release download URL, using ${version} and ${arch}\n  builder.yaml:6:9: tool \"t\" has no sha256: every download is verified; add sha256: with the artifact's sha256 for each platform (builder lock writes them)\n  builder.yaml:6:9: tool \"t\" has no dest; add dest: with the file path, e.g. /usr/local/bin/t",
		},
		{
			name: "raw tool without dest",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - {name: t, version: "1", url: "https://example.com/t", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}}
`,
			want: "builder.yaml:6:10: tool \"t\" has no dest; add dest: with the file path, e.g. /usr/local/bin/t",
		},
		{
			name: "tool url that is not a URL",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - {name: a, version: "1", url: "example.com/a.tar.gz", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/a}
      - {name: b, version: "1", url: "ftp://example.com/b.tar.gz", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/b}
      - {name: c, version: "1", url: "http://example.com/c.tar.gz", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/c}
`,
			want: "3 problems in builder.yaml:\n  builder.yaml:6:33: tool \"a\": \"example.com/a.tar.gz\" is not a URL; write a full https:// URL\n  builder.yaml:7:33: tool \"b\": unsupported URL scheme \"ftp\"; use an https:// URL\n  builder.yaml:8:33: tool \"c\": plain http URL http://example.com/c.tar.gz; use https://, or set allowHTTP: true on the tool (the sha256 is still checked)",
		},
		{
			name: "tool form, authSecret, strip",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - {name: a, version: "1", url: "https://example.com/a", form: rar, sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/a}
      - {name: b, version: "1", url: "https://example.com/b.zip", authSecret: "my secret", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/b}
      - {name: c, version: "1", url: "https://example.com/c.zip", strip: 17, sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/c}
`,
			want: "3 problems in builder.yaml:\n  builder.yaml:6:63: tool \"a\": unknown form \"rar\"; use one of: raw, tar.gz, tar.xz, tar.zst, tar.bz2, tar, zip\n  builder.yaml:7:67: tool \"b\": \"my secret\" is not a secret id; a secret id is letters, digits, . _ -, as in --secret id=NAME\n  builder.yaml:8:67: tool \"c\": strip 17 is out of range; strip counts leading path components, 0 to 16",
		},
		{
			name: "tool take paths",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: t
        version: "1"
        url: https://example.com/t.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /opt/t
        take: ["bin/*", /etc/passwd, ../up, ""]
`,
			want: "4 problems in builder.yaml:\n  builder.yaml:11:16: tool \"t\": take path \"bin/*\" has a wildcard; name each path; a directory takes its whole tree\n  builder.yaml:11:25: tool \"t\": take path \"/etc/passwd\" is not inside the archive; take paths are relative to the archive's root (after strip)\n  builder.yaml:11:38: tool \"t\": take path \"../up\" is not inside the archive; take paths are relative to the archive's root (after strip)\n  builder.yaml:11:45: tool \"t\": take path \"\" is not inside the archive; take paths are relative to the archive's root (after strip)",
		},
		{
			name: "raw tool with strip, take; archive with mode",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - {name: a, version: "1", url: "https://example.com/a", strip: 1, sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /usr/bin/a}
      - {name: b, version: "1", url: "https://example.com/b.tar.gz", mode: 0755, sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /opt/b}
      - {name: c, version: "1", url: "https://example.com/c", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /.}
`,
			want: "3 problems in builder.yaml:\n  builder.yaml:6:10: tool \"a\" is a raw binary but has strip or take; strip and take apply to archives; set form: if the URL hides one\n  builder.yaml:7:70: tool \"b\": mode applies to raw binaries only; archives keep their own modes; remove mode:\n  builder.yaml:8:152: tool \"c\": dest / is not a file path; give the file path of the binary",
		},
		{
			name: "tool dest, links, path, env",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: t
        version: "1"
        url: https://example.com/t.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: opt/t
        links:
          bin/t: /opt/t/bin/t
          /usr/bin/u: ""
        path: [bin]
        env:
          1BAD: x
`,
			want: "5 problems in builder.yaml:\n  builder.yaml:10:9: dest \"opt/t\" is not an absolute path; paths in the image are absolute, e.g. /opt/t\n  builder.yaml:12:11: link \"bin/t\" is not an absolute path; paths in the image are absolute, e.g. /bin/t\n  builder.yaml:13:11: tool \"t\": link \"/usr/bin/u\" has no target; give the path the link points to\n  builder.yaml:14:16: path entry \"bin\" is not an absolute path; paths in the image are absolute, e.g. /bin\n  builder.yaml:16:11: env name \"1BAD\" is not valid; use letters, digits and _, not starting with a digit",
		},

		// Checksums: docs/spec.md's table.
		{
			name: "no sha256 at all",
			yaml: `version: 1
args:
  GO_VERSION: 1.23.6
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: ${GO_VERSION}
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        strip: 1
        dest: /usr/local/go
`,
			want: "builder.yaml:8:9: tool \"go\" has no sha256: every download is verified; add sha256: with the artifact's sha256 for each platform (builder lock writes them)",
		},
		{
			name: "platform form, no entry for the platform",
			yaml: `version: 1
args:
  GO_VERSION: 1.23.6
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: ${GO_VERSION}
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
        strip: 1
        dest: /usr/local/go
`,
			platforms: []string{"linux/arm64"},
			want:      "builder.yaml:11:9: tool \"go\" has no artifact for linux/arm64: no sha256 for that platform; add sha256.linux/arm64 with the artifact's sha256 (builder lock writes it), or limit the tool with platforms:",
		},
		{
			name: "platform form beside a version mapping, a build-arg moved the version",
			yaml: `version: 1
args:
  GO_VERSION: 1.23.6
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: ${GO_VERSION}
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          "1.24.4":
            linux/amd64: 2222222222222222222222222222222222222222222222222222222222222222
        strip: 1
        dest: /usr/local/go
`,
			opts: Options{BuildArgs: map[string]string{"GO_VERSION": "1.25.0"}},
			want: "builder.yaml:11:9: tool \"go\": version 1.25.0 (from a build-arg) has no sha256; the spec pins 1.23.6; add a sha256.\"1.25.0\" mapping of platforms to its checksums (pinned versions: 1.23.6, 1.24.4)",
		},
		{
			name: "version form, version not pinned",
			yaml: `version: 1
args:
  GO_VERSION: 1.23.6
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: ${GO_VERSION}
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          "1.23.6":
            linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          "1.24.4":
            linux/amd64: 2222222222222222222222222222222222222222222222222222222222222222
        strip: 1
        dest: /usr/local/go
`,
			opts: Options{BuildArgs: map[string]string{"GO_VERSION": "1.25.0"}},
			want: "builder.yaml:11:9: tool \"go\": version 1.25.0 has no sha256; add a sha256.\"1.25.0\" entry (pinned versions: 1.23.6, 1.24.4)",
		},
		{
			name: "version form, no entry for the platform",
			yaml: `version: 1
args:
  GO_VERSION: 1.23.6
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: ${GO_VERSION}
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          "1.23.6":
            linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          "1.24.4":
            linux/amd64: 2222222222222222222222222222222222222222222222222222222222222222
        strip: 1
        dest: /usr/local/go
`,
			platforms: []string{"linux/arm64"},
			opts:      Options{BuildArgs: map[string]string{"GO_VERSION": "1.24.4"}},
			want:      "builder.yaml:14:11: tool \"go\" has no artifact for linux/arm64 at version 1.24.4; add linux/arm64 under sha256.1.24.4, or limit the tool with platforms:",
		},
		{
			name: "not a digest",
			yaml: `version: 1
args:
  GO_VERSION: 1.23.6
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: ${GO_VERSION}
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: ABCDEF
        strip: 1
        dest: /usr/local/go
`,
			want: "builder.yaml:12:11: tool \"go\": \"ABCDEF\" is not a sha256; a sha256 is 64 lower-case hex digits, as sha256sum prints it",
		},
		{
			name: "platform key that is not a platform",
			yaml: `version: 1
args:
  GO_VERSION: 1.23.6
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: ${GO_VERSION}
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          linux/amd46: 2222222222222222222222222222222222222222222222222222222222222222
        strip: 1
        dest: /usr/local/go
`,
			want: "builder.yaml:13:11: tool \"go\": sha256 key \"linux/amd46\" is not a platform; keys are platforms such as linux/arm64, or versions holding such a mapping",
		},

		// Go tools.
		{
			name: "Go tools without a toolchain",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    go:
      toolchain: golang
    goTools:
      - {name: kind, package: sigs.k8s.io/kind, version: v0.24.0}
`,
			want: "builder.yaml:7:5: Go tools need a Go toolchain: no tool named \"golang\"; add a tool named \"golang\" that installs the Go toolchain, or name it with go.toolchain",
		},
		{
			name: "Go toolchain limited away from the build platform",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: 1.23.6
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256: {linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222}
        strip: 1
        dest: /usr/local/go
        platforms: [linux/arm64]
    goTools:
      - {name: kind, package: sigs.k8s.io/kind, version: v0.24.0}
`,
			platforms: []string{"linux/arm64"},
			want:      "builder.yaml:12:9: tool \"go\", the Go toolchain, is limited to platforms that leave out the build platform linux/amd64; add linux/amd64 to the tool's platforms: Go tools compile on the build platform",
		},
		{
			name: "Go toolchain without a sha256 for the build platform (docs/spec.md section 8)",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: go
        version: 1.23.6
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222
        strip: 1
        dest: /usr/local/go
    goTools:
      - {name: kind, package: sigs.k8s.io/kind, version: v0.24.0}
`,
			platforms: []string{"linux/arm64"},
			want:      "builder.yaml:9:9: tool \"go\" has no artifact for linux/amd64: no sha256 for that platform (Go tools compile with the linux/amd64 toolchain: linux/amd64 is the build platform); add sha256.linux/amd64 with the artifact's sha256 (builder lock writes it), or limit the tool with platforms:",
		},
		{
			name: "Go toolchain that is a raw binary",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - {name: go, version: "1", url: "https://example.com/go", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /usr/bin/go}
    goTools:
      - {name: kind, package: sigs.k8s.io/kind, version: v0.24.0}
`,
			want: "builder.yaml:6:10: tool \"go\" cannot serve as the Go toolchain: it is a raw binary; the Go toolchain is an archive unpacked with bin/go under dest, e.g. go${version}.linux-${arch}.tar.gz with strip: 1",
		},
		{
			name: "go settings",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - {name: go, version: "1", url: "https://example.com/go.tar.gz", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /usr/local/go}
    go:
      dest: bin
      env: {GO PROXY: x}
    goTools:
      - {name: kind, package: sigs.k8s.io/kind, version: v0.24.0}
`,
			want: "2 problems in builder.yaml:\n  builder.yaml:8:7: go.dest \"bin\" is not an absolute path; paths in the image are absolute, e.g. /bin\n  builder.yaml:9:13: env name \"GO PROXY\" is not valid; use letters, digits and _, not starting with a digit",
		},
		{
			name: "Go tool names",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - {name: go, version: "1", url: "https://example.com/go.tar.gz", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /usr/local/go}
    goTools:
      - {name: Kind, package: sigs.k8s.io/kind, version: v0.24.0}
      - {name: go, package: golang.org/x/tools/cmd/goimports, version: v0.29.0}
      - {name: kind, package: sigs.k8s.io/kind, version: v0.24.0}
      - {name: kind, package: sigs.k8s.io/kind, version: v0.25.0}
`,
			want: "3 problems in builder.yaml:\n  builder.yaml:8:10: Go tool name \"Kind\" is not valid; use lower-case letters, digits, . _ + -\n  builder.yaml:9:10: tool \"go\" is declared twice; rename one of them: names are unique across tools and goTools (the first is at line 6)\n  builder.yaml:11:10: tool \"kind\" is declared twice; rename one of them: names are unique across tools and goTools (the first is at line 10)",
		},
		{
			name: "Go tool package and version",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - {name: go, version: "1", url: "https://example.com/go.tar.gz", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /usr/local/go}
    goTools:
      - {name: a, version: v1.0.0}
      - {name: b, package: "example.com/b@v1", version: v1.0.0}
      - {name: c, package: example.com/c}
      - {name: d, package: example.com/d, version: "v1 .0"}
`,
			want: "4 problems in builder.yaml:\n  builder.yaml:8:10: Go tool \"a\" has no package; add package: with the import path of the command, e.g. golang.org/x/tools/cmd/goimports\n  builder.yaml:9:19: Go tool \"b\": \"example.com/b@v1\" is not an import path; write the import path alone; the version goes under version:\n  builder.yaml:10:10: Go tool \"c\" has no version; add version: with a tag (v1.2.3), a pseudo-version or a commit\n  builder.yaml:11:43: Go tool \"d\": \"v1 .0\" is not a module version; a tag (v1.2.3), a pseudo-version or a commit",
		},
		{
			name: "Go tool binary, dest, env",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - {name: go, version: "1", url: "https://example.com/go.tar.gz", sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}, dest: /usr/local/go}
    goTools:
      - name: kind
        package: sigs.k8s.io/kind
        version: v0.24.0
        binary: bin/kind
        dest: usr/bin
        env:
          1X: y
          GOARCH: arm64
          CGO_ENABLED: "1"
`,
			want: "5 problems in builder.yaml:\n  builder.yaml:8:9: Go tool \"kind\": env GOARCH cannot be set; the frontend sets it for each platform; use cgo: for CGO_ENABLED\n  builder.yaml:8:9: Go tool \"kind\": env CGO_ENABLED cannot be set; the frontend sets it for each platform; use cgo: for CGO_ENABLED\n  builder.yaml:11:9: Go tool \"kind\": binary \"bin/kind\" contains /; binary is a file name; set dest: for the directory\n  builder.yaml:12:9: dest \"usr/bin\" is not an absolute path; paths in the image are absolute, e.g. /usr/bin\n  builder.yaml:14:11: env name \"1X\" is not valid; use letters, digits and _, not starting with a digit",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("builder.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			plats := tc.platforms
			if plats == nil {
				plats = []string{"linux/amd64"}
			}
			err = s.Validate(plats, tc.opts)
			if err == nil {
				t.Fatalf("no error, want:\n%s", tc.want)
			}
			if _, ok := err.(ErrorList); !ok {
				t.Errorf("error is %T, want an ErrorList", err)
			}
			if err.Error() != tc.want {
				t.Errorf("error:\n%s\nwant:\n%s", err, tc.want)
				if os.Getenv("RESOLVE_TEST_PRINT") != "" {
					t.Logf("got %q", err.Error())
				}
			}
		})
	}
}

// TestResolveConcurrently: the frontend resolves the platforms of a build
// in parallel on one parsed spec, which shares its prepared state among
// them (run with -race).
func TestResolveConcurrently(t *testing.T) {
	data := []byte(benchSpec(20))
	s, err := Parse("builder.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	plats := s.TargetPlatforms(nil, "")
	got := make([][]*ResolvedTool, len(plats))
	var wg sync.WaitGroup
	for i, p := range plats {
		wg.Go(func() {
			r, err := s.Resolve(p, Options{})
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = r.Tools
		})
	}
	wg.Wait()
	for i, p := range plats {
		fresh, err := Parse("builder.yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		r, err := fresh.Resolve(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[i], r.Tools) {
			t.Errorf("%s resolved concurrently differs from resolved alone", p)
		}
	}
}

// TestResolveCopiedSpec: a copy of a resolved Spec, changed, resolves what
// it says, not what the original prepared.
func TestResolveCopiedSpec(t *testing.T) {
	s, err := Parse("builder.yaml", []byte(`version: 1
args:
  TAG: "1"
images:
  b:
    base: example.com/base:${TAG}
`))
	if err != nil {
		t.Fatal(err)
	}
	if r, err := s.Resolve("linux/amd64", Options{}); err != nil || r.Base != "example.com/base:1" {
		t.Fatalf("original: %v, %v", r, err)
	}
	cp := *s
	cp.Images = map[string]*Image{"b": {Base: "example.com/other:${TAG}"}}
	if r, err := cp.Resolve("linux/amd64", Options{}); err != nil || r.Base != "example.com/other:1" {
		t.Fatalf("copy: %+v, %v", r, err)
	}
	if r, err := s.Resolve("linux/amd64", Options{}); err != nil || r.Base != "example.com/base:1" {
		t.Fatalf("original after the copy: %+v, %v", r, err)
	}
}
