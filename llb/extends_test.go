package llb

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/spec"
)

// extendsCommon is extended by the branch specs below: apt packages, and
// bazel and helm.
const extendsCommon = `version: 1
images:
  builder:
    base: example.com/base:1
    packages:
      manager: apt
      install: [gcc, git, openjdk-21-jdk]
    tools:
      - name: helm
        version: v3.16.0
        url: https://get.helm.sh/helm-${version}-linux-${arch}.tar.gz
        sha256:
          linux/amd64: c5b1bd64bb74eda6425c043f4afba503c49ed52e75f25607f76dfd12f0edb773
          linux/arm64: a695787bc8bf5ea20b634bcab366e7fc566380bf85aa0b463766eb6ac1d839bc
        strip: 1
        take: [helm]
        dest: /usr/local/bin
`

// planExtends plans branch, which extends extendsCommon, for target.
func planExtends(t *testing.T, branch string, target ocispecs.Platform, mutate ...func(*Options)) *planned {
	t.Helper()
	files := map[string]string{"common.yaml": extendsCommon, "3.5.yaml": branch}
	s, err := spec.Load("3.5.yaml", []byte(branch), func(p string) ([]byte, error) {
		if d, ok := files[p]; ok {
			return []byte(d), nil
		}
		return nil, fmt.Errorf("open %s: %w", p, fs.ErrNotExist)
	})
	if err != nil {
		t.Fatal(err)
	}
	return planSpec(t, s, target, nil, mutate...)
}

// installScripts are the package steps of a graph.
func installScripts(p *planned) []string {
	var out []string
	for _, op := range p.ops {
		if e := op.GetExec(); e != nil && strings.Contains(e.Meta.Args[len(e.Meta.Args)-1], "apt-get install") {
			out = append(out, e.Meta.Args[len(e.Meta.Args)-1])
		}
	}
	return out
}

// TestExtendsPackageStep: the package step installs the extended image's
// packages without the removed ones, then the branch's; an image whose
// packages are all removed has no package step.
func TestExtendsPackageStep(t *testing.T) {
	p := planExtends(t, "version: 1\nextends: common.yaml\nimages:\n  builder:\n    packages: {install: [jq]}\n    remove: {packages: [openjdk-21-jdk]}\n", arm64)
	scripts := installScripts(p)
	if len(scripts) != 1 || !strings.HasSuffix(scripts[0], "--no-install-recommends gcc git jq") || strings.Contains(scripts[0], "openjdk") {
		t.Errorf("package step %q, want gcc git jq", scripts)
	}
	p = planExtends(t, "version: 1\nextends: common.yaml\nimages:\n  builder:\n    remove: {packages: [gcc, git, openjdk-21-jdk]}\n", arm64)
	if scripts := installScripts(p); len(scripts) != 0 {
		t.Errorf("package steps %q, want none", scripts)
	}
}

// TestExtendsSourceMaps: an op is located in the file that declares its
// step: helm's download in common.yaml, jq's in the branch.
func TestExtendsSourceMaps(t *testing.T) {
	branch := `version: 1
extends: common.yaml
images:
  builder:
    tools:
      - name: jq
        version: "1.7.1"
        url: https://example.com/jq-${arch}
        sha256: {linux/amd64: c5b1bd64bb74eda6425c043f4afba503c49ed52e75f25607f76dfd12f0edb773}
        dest: /usr/local/bin/jq
`
	p := planExtends(t, branch, amd64, func(o *Options) {
		o.SourceMap = bk.NewSourceMap(nil, "3.5.yaml", "YAML", []byte(branch))
		o.SourceMaps = map[string]*bk.SourceMap{"common.yaml": bk.NewSourceMap(nil, "common.yaml", "YAML", []byte(extendsCommon))}
	})
	def, err := p.graph.State.Marshal(context.Background(), bk.Platform(amd64))
	if err != nil {
		t.Fatal(err)
	}
	src := def.ToPB().Source
	if src == nil {
		t.Fatal("definition carries no source locations")
	}
	located := map[string]string{} // download URL -> file:line
	for dg, locs := range src.Locations {
		op := p.ops[digestOf(dg)]
		if op == nil || op.GetSource() == nil || !strings.HasPrefix(op.GetSource().Identifier, "https://") {
			continue
		}
		for _, l := range locs.Locations {
			located[op.GetSource().Identifier] = fmt.Sprintf("%s:%d", src.Infos[l.SourceIndex].Filename, l.Ranges[0].Start.Line)
		}
	}
	for url, want := range map[string]string{
		"https://get.helm.sh/helm-v3.16.0-linux-amd64.tar.gz": "common.yaml:9",
		"https://example.com/jq-amd64":                        "3.5.yaml:6",
	} {
		if located[url] != want {
			t.Errorf("download %s is located at %q, want %s", url, located[url], want)
		}
	}
}
