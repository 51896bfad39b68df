package llb

import (
	"regexp"
	"testing"

	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestStepsOncePerOp checks that every op a build error can be traced to
// has exactly one Step of its kind, and no Step names another op: explain
// finds a failed op's Step by digest.
func TestStepsOncePerOp(t *testing.T) {
	const y = `version: 1
platforms: [linux/amd64, linux/arm64]
images:
  builder:
    base: example.com/base:1
    packages:
      manager: apt
      repositories:
        - name: extra
          url: deb http://deb.example.com/ stable main
      install: [git, make]
    tools:
      - name: helm
        version: v3.16.0
        url: https://get.helm.sh/helm-${version}-linux-${arch}.tar.gz
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222
        strip: 1
        take: [helm]
        dest: /usr/local/bin
      - name: jq
        version: "1.7"
        url: https://example.com/jq-${version}-linux-${arch}
        sha256:
          linux/amd64: 3333333333333333333333333333333333333333333333333333333333333333
          linux/arm64: 4444444444444444444444444444444444444444444444444444444444444444
        dest: /usr/local/bin/jq
      - name: protoc
        version: "25.1"
        url: https://example.com/protoc-${version}-linux-${arch}.zip
        sha256:
          linux/amd64: 5555555555555555555555555555555555555555555555555555555555555555
          linux/arm64: 6666666666666666666666666666666666666666666666666666666666666666
        take: [bin/protoc]
        dest: /usr/local
      - name: go
        version: 1.26.8
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: 7777777777777777777777777777777777777777777777777777777777777777
          linux/arm64: 8888888888888888888888888888888888888888888888888888888888888888
        strip: 1
        dest: /usr/local/go
    goTools:
      - name: goimports
        package: golang.org/x/tools/cmd/goimports
        version: v0.39.0
      - name: sqlite-tool
        package: example.com/sqlite/cmd/sqlite-tool
        version: v1.0.0
        cgo: true
    run:
      - useradd user
      - name: second
        command: echo done
`
	// The ops of each kind, by the name BuildKit shows for them.
	kinds := map[StepKind]*regexp.Regexp{
		StepDownload: regexp.MustCompile(`^\[\S+ \S+\] download `),
		StepUnpack:   regexp.MustCompile(`^\[\S+ \S+\] unpack `),
		StepCheck:    regexp.MustCompile(`^\[\S+ \S+\] check ELF machines$`),
		StepInstall:  regexp.MustCompile(`^\[\S+ \S+\] install into `),
		StepCompile:  regexp.MustCompile(`^\[\S+ \S+\] go install `),
		StepPackages: regexp.MustCompile(`^\[packages \S+\] apt install `),
		StepRun:      regexp.MustCompile(`^\[\S+ run \d+/\d+\] `),
	}
	// helm, jq, protoc, go; and on arm64 the build platform's go as well.
	// Each of their layers and the two Go tools' is checked.
	wantOps := map[string]map[StepKind]int{
		"amd64": {StepDownload: 4, StepUnpack: 3, StepCheck: 6, StepInstall: 4, StepCompile: 2, StepPackages: 1, StepRun: 2},
		"arm64": {StepDownload: 5, StepUnpack: 4, StepCheck: 7, StepInstall: 5, StepCompile: 2, StepPackages: 1, StepRun: 2},
	}
	for _, target := range []ocispecs.Platform{amd64, arm64} {
		p := plan(t, y, target, nil)
		opsOf := map[StepKind]map[digest.Digest]bool{}
		for d, m := range p.meta {
			for kind, re := range kinds {
				if re.MatchString(m.Description["llb.customname"]) {
					if opsOf[kind] == nil {
						opsOf[kind] = map[digest.Digest]bool{}
					}
					opsOf[kind][d] = true
				}
			}
		}
		stepOf := map[digest.Digest]Step{}
		for _, st := range p.graph.Steps {
			_, _, d := marshal(t, st.State, target)
			if prev, dup := stepOf[d]; dup {
				t.Errorf("%s: op %s has two steps: %s %s and %s %s", target.Architecture, d, prev.Kind, prev.Name, st.Kind, st.Name)
			}
			stepOf[d] = st
			if !opsOf[st.Kind][d] {
				t.Errorf("%s: step %s %s names op %s, which is not a %s op", target.Architecture, st.Kind, st.Name, d, st.Kind)
			}
		}
		for kind, ops := range opsOf {
			if len(ops) != wantOps[target.Architecture][kind] {
				t.Errorf("%s: %d %s ops, want %d", target.Architecture, len(ops), kind, wantOps[target.Architecture][kind])
			}
			for d := range ops {
				if st, ok := stepOf[d]; !ok || st.Kind != kind {
					t.Errorf("%s: %s op %q has no step", target.Architecture, kind, p.meta[d].Description["llb.customname"])
				}
			}
		}
		if len(opsOf) != len(kinds) {
			t.Errorf("%s: ops of %d kinds, want all %d", target.Architecture, len(opsOf), len(kinds))
		}
	}
}
