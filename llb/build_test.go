package llb

import (
	"context"
	"slices"
	"strings"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/spec"
)

var (
	amd64 = ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = ocispecs.Platform{OS: "linux", Architecture: "arm64"}
)

const toolsSpec = `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  BAZEL_VERSION: 7.4.1
arches:
  protoc: {linux/amd64: x86_64, linux/arm64: aarch_64}
images:
  builder:
    base: example.com/base:1
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
        links: {/usr/local/bin/helm3: helm}
      - name: bazel
        version: ${BAZEL_VERSION}
        url: https://releases.bazel.build/${version}/bazel-${version}-linux-${arch.uname}
        sha256:
          7.4.1:
            linux/amd64: 3333333333333333333333333333333333333333333333333333333333333333
            linux/arm64: 4444444444444444444444444444444444444444444444444444444444444444
          7.5.0:
            linux/amd64: 5555555555555555555555555555555555555555555555555555555555555555
            linux/arm64: 6666666666666666666666666666666666666666666666666666666666666666
        dest: /usr/bin/bazel
      - name: protoc
        version: "25.1"
        url: https://github.com/protocolbuffers/protobuf/releases/download/v${version}/protoc-${version}-linux-${arch}.zip
        arch: protoc
        sha256:
          linux/amd64: 7777777777777777777777777777777777777777777777777777777777777777
          linux/arm64: 8888888888888888888888888888888888888888888888888888888888888888
        take: [bin/protoc]
        dest: /usr/local
    env: {LANG: C.UTF-8}
    entrypoint: [/bin/sh]
`

type planned struct {
	graph *Graph
	ops   map[digest.Digest]*pb.Op
	meta  map[digest.Digest]*pb.OpMetadata
	root  digest.Digest
}

func plan(t *testing.T, yaml string, target ocispecs.Platform, args map[string]string, mutate ...func(*Options)) *planned {
	t.Helper()
	s, err := spec.Parse("builder.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return planSpec(t, s, target, args, mutate...)
}

// planSpec is plan of a spec already read.
func planSpec(t *testing.T, s *spec.Spec, target ocispecs.Platform, args map[string]string, mutate ...func(*Options)) *planned {
	t.Helper()
	r, err := s.Resolve(target.OS+"/"+target.Architecture, spec.Options{BuildArgs: args})
	if err != nil {
		t.Fatal(err)
	}
	helper := bk.Image("example.com/builder-frontend:test")
	opt := Options{
		BuildPlatform:  amd64,
		TargetPlatform: target,
		Base:           bk.Image("example.com/base:1", bk.Platform(target)),
		Helper:         &helper,
		MergeOp:        true,
		Context:        func() (bk.State, error) { return bk.Local("context"), nil },
	}
	for _, m := range mutate {
		m(&opt)
	}
	g, err := Build(r, opt)
	if err != nil {
		t.Fatal(err)
	}
	p := &planned{graph: g}
	p.ops, p.meta, p.root = marshal(t, g.State, target)
	return p
}

func marshal(t *testing.T, st bk.State, target ocispecs.Platform) (map[digest.Digest]*pb.Op, map[digest.Digest]*pb.OpMetadata, digest.Digest) {
	t.Helper()
	def, err := st.Marshal(context.Background(), bk.Platform(target))
	if err != nil {
		t.Fatal(err)
	}
	ops := map[digest.Digest]*pb.Op{}
	var last digest.Digest
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		d := digest.FromBytes(dt)
		ops[d] = &op
		last = d
	}
	meta := map[digest.Digest]*pb.OpMetadata{}
	for k, v := range def.Metadata {
		meta[k] = v.ToPB()
	}
	// The last op of a marshalled definition is the terminal one pointing at the result.
	return ops, meta, digest.Digest(ops[last].Inputs[0].Digest)
}

func TestDownloadsAreVerifiedAndNamedStably(t *testing.T) {
	p := plan(t, toolsSpec, arm64, nil)
	want := map[string]string{
		"https://get.helm.sh/helm-v3.16.0-linux-arm64.tar.gz":                                                "sha256:2222222222222222222222222222222222222222222222222222222222222222",
		"https://releases.bazel.build/7.4.1/bazel-7.4.1-linux-aarch64":                                       "sha256:4444444444444444444444444444444444444444444444444444444444444444",
		"https://github.com/protocolbuffers/protobuf/releases/download/v25.1/protoc-25.1-linux-aarch_64.zip": "sha256:8888888888888888888888888888888888888888888888888888888888888888",
	}
	seen := 0
	for _, op := range p.ops {
		src := op.GetSource()
		if src == nil || !strings.HasPrefix(src.Identifier, "https://") {
			continue
		}
		seen++
		sum, ok := want[src.Identifier]
		if !ok {
			t.Errorf("unexpected download %s", src.Identifier)
			continue
		}
		if got := src.Attrs[pb.AttrHTTPChecksum]; got != sum {
			t.Errorf("%s: checksum %q, want %q", src.Identifier, got, sum)
		}
		if src.Attrs[pb.AttrHTTPFilename] == "" || strings.Contains(src.Attrs[pb.AttrHTTPFilename], "25.1") {
			t.Errorf("%s: filename %q must be set and not carry the version", src.Identifier, src.Attrs[pb.AttrHTTPFilename])
		}
	}
	if seen != len(want) {
		t.Errorf("saw %d downloads, want %d", seen, len(want))
	}
}

func TestOnlyBuildPlatformExecsForTools(t *testing.T) {
	p := plan(t, toolsSpec, arm64, nil)
	execs := map[string]int{}
	for _, op := range p.ops {
		if e := op.GetExec(); e != nil {
			execs[e.Meta.Args[1]]++
			if op.Platform == nil || op.Platform.Architecture != "amd64" {
				t.Errorf("exec %v runs on %v, want the build platform linux/amd64", e.Meta.Args, op.Platform)
			}
			if e.Meta.Args[0] != HelperPath || (e.Meta.Args[1] != "unpack" && e.Meta.Args[1] != "check-elf") {
				t.Errorf("unexpected exec %v in a spec without packages or run steps", e.Meta.Args)
			}
			if e.Network != pb.NetMode_NONE {
				t.Errorf("helper exec %v has network %v, want none", e.Meta.Args, e.Network)
			}
		}
	}
	// helm (strip 1) and protoc (zip) are unpacked natively; each of the
	// three layers is checked.
	if execs["unpack"] != 2 || execs["check-elf"] != 3 {
		t.Errorf("execs %v, want 2 unpack and 3 check-elf", execs)
	}
}

func TestOneLayerPerToolMergedOntoBase(t *testing.T) {
	p := plan(t, toolsSpec, amd64, nil)
	root := p.ops[p.root]
	m := root.GetMerge()
	if m == nil {
		t.Fatalf("root op is %T, want a merge", root.Op)
	}
	if got, want := len(m.Inputs), 1+3; got != want {
		t.Fatalf("merge has %d inputs, want base + 3 tools", got)
	}
	// Each tool is one FileOp on scratch, so it is one layer in the image.
	for _, in := range root.Inputs[1:] {
		f := p.ops[digest.Digest(in.Digest)].GetFile()
		if f == nil {
			t.Errorf("merge input %s is not a file op", in.Digest)
			continue
		}
		if f.Actions[0].Input != -1 {
			t.Errorf("a tool layer's file op starts from input %d, not scratch: it would add a layer", f.Actions[0].Input)
		}
	}
	if src := p.ops[digest.Digest(root.Inputs[0].Digest)].GetSource(); src == nil || !strings.HasPrefix(src.Identifier, "docker-image://example.com/base:1") {
		t.Errorf("first merge input is not the base image: %v", p.ops[digest.Digest(root.Inputs[0].Digest)])
	}
}

func TestWithoutMergeOpLayersAreCopied(t *testing.T) {
	p := plan(t, toolsSpec, amd64, nil, func(o *Options) { o.MergeOp = false })
	for _, op := range p.ops {
		if op.GetMerge() != nil {
			t.Fatal("merge op used on a daemon without MergeOp")
		}
	}
	if p.ops[p.root].GetFile() == nil {
		t.Fatalf("root op is %T, want a file copy", p.ops[p.root].Op)
	}
}

func layerDigests(t *testing.T, p *planned, target ocispecs.Platform) map[string]digest.Digest {
	out := map[string]digest.Digest{}
	for _, l := range p.graph.Tools {
		_, _, d := marshal(t, l.State, target)
		out[l.Name] = d
	}
	return out
}

func TestBuildArgBumpChangesOnlyThatToolsLayer(t *testing.T) {
	before := layerDigests(t, plan(t, toolsSpec, arm64, nil), arm64)
	after := layerDigests(t, plan(t, toolsSpec, arm64, map[string]string{"BAZEL_VERSION": "7.5.0"}), arm64)
	for name := range before {
		changed := before[name] != after[name]
		if changed != (name == "bazel") {
			t.Errorf("tool %s: layer changed=%v after bumping bazel", name, changed)
		}
	}
}

// TestOnlyWholeArchivesUnpackInTheDaemon: strip and take are our
// unpacker's, like tar --strip-components and tar's member list; the
// daemon keeps the tar archives installed whole, copied by their root, no
// wildcard.
func TestOnlyWholeArchivesUnpackInTheDaemon(t *testing.T) {
	y := strings.Replace(toolsSpec, "        dest: /usr/bin/bazel\n", `        dest: /usr/bin/bazel
      - name: pgv
        version: "1.0.2"
        url: https://example.com/pgv_${version}_linux_${arch}.tar.gz
        sha256:
          linux/amd64: 9999999999999999999999999999999999999999999999999999999999999999
          linux/arm64: 9999999999999999999999999999999999999999999999999999999999999998
        take: [bin/pgv, share]
        dest: /usr/local
      - name: sdk
        version: "1"
        url: https://example.com/sdk-${arch}.tar.xz
        sha256:
          linux/amd64: 9999999999999999999999999999999999999999999999999999999999999997
          linux/arm64: 9999999999999999999999999999999999999999999999999999999999999996
        dest: /usr/local
`, 1)
	p := plan(t, y, amd64, nil)
	unpacks := map[string]string{}
	var daemon []string
	var whole *pb.FileActionCopy
	for _, op := range p.ops {
		if e := op.GetExec(); e != nil && e.Meta.Args[1] == "unpack" {
			args := strings.Join(e.Meta.Args, " ")
			unpacks[args[strings.LastIndex(args, " ")+1:]] = args
		}
		for _, a := range op.GetFile().GetActions() {
			c := a.GetCopy()
			if c == nil {
				continue
			}
			if c.AttemptUnpackDockerCompatibility {
				daemon = append(daemon, c.Src)
			}
			if c.Src == "/" && c.Dest == "/usr/local" {
				whole = c
			}
			if c.AllowWildcard && c.Src != "/*" {
				t.Errorf("copy of %s uses a wildcard", c.Src)
			}
		}
	}
	for src, want := range map[string]string{
		"/in/helm.tar.gz": "/builder-frontend unpack --form tar.gz --strip 1 --dest /out/usr/local/bin --take helm /in/helm.tar.gz",
		"/in/pgv.tar.gz":  "/builder-frontend unpack --form tar.gz --strip 0 --dest /out/usr/local --take bin/pgv --take share /in/pgv.tar.gz",
	} {
		if unpacks[src] != want {
			t.Errorf("unpack of %s: %q, want %q", src, unpacks[src], want)
		}
	}
	if !slices.Equal(daemon, []string{"/sdk.tar.xz"}) {
		t.Errorf("the daemon unpacks %v, want only the whole archive sdk", daemon)
	}
	if whole == nil || !whole.DirCopyContents {
		t.Errorf("sdk is installed by %+v, want a copy of the daemon's unpack's root into /usr/local", whole)
	}
}

func TestPackagesAndRunStepsRunOnTarget(t *testing.T) {
	y := strings.Replace(toolsSpec, "    env: {LANG: C.UTF-8}", `    packages:
      manager: apt
      install: [git, "make"]
    run:
      - useradd user
    env: {LANG: C.UTF-8}`, 1)
	p := plan(t, y, arm64, nil)
	var pkg, run bool
	for _, op := range p.ops {
		e := op.GetExec()
		if e == nil || e.Meta.Args[0] == HelperPath {
			continue
		}
		if op.Platform.Architecture != "arm64" {
			t.Errorf("%v runs on %s, want the target", e.Meta.Args, op.Platform.Architecture)
		}
		script := e.Meta.Args[len(e.Meta.Args)-1]
		switch {
		case strings.Contains(script, "apt-get install"):
			pkg = true
			if !strings.Contains(script, "git make") {
				t.Errorf("install script %q", script)
			}
			caches := 0
			for _, m := range e.Mounts {
				if m.MountType == pb.MountType_CACHE {
					caches++
					if !strings.Contains(m.CacheOpt.ID, "linux/arm64") {
						t.Errorf("cache id %q is not per platform", m.CacheOpt.ID)
					}
				}
			}
			if caches != 2 {
				t.Errorf("apt step has %d cache mounts, want 2", caches)
			}
		case script == "useradd user":
			run = true
			if !hasEnv(e.Meta.Env, "BAZEL_VERSION=7.4.1") || !hasEnv(e.Meta.Env, "LANG=C.UTF-8") {
				t.Errorf("run step env %v lacks args or image env", e.Meta.Env)
			}
		}
	}
	if !pkg || !run {
		t.Errorf("packages step found=%v, run step found=%v", pkg, run)
	}
	// The run step comes last: it sees every tool.
	if p.ops[p.root].GetExec() == nil {
		t.Errorf("root op is %T, want the run step", p.ops[p.root].Op)
	}
}

func hasEnv(env []string, kv string) bool {
	for _, e := range env {
		if e == kv {
			return true
		}
	}
	return false
}

func TestSourceMapLocatesToolOps(t *testing.T) {
	s, _ := spec.Parse("builder.yaml", []byte(toolsSpec))
	r, err := s.Resolve("linux/amd64", spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sm := bk.NewSourceMap(nil, "builder.yaml", "YAML", []byte(toolsSpec))
	helper := bk.Image("example.com/builder-frontend:test")
	g, err := Build(r, Options{BuildPlatform: amd64, TargetPlatform: amd64, Base: bk.Image("example.com/base:1"), Helper: &helper, MergeOp: true, SourceMap: sm})
	if err != nil {
		t.Fatal(err)
	}
	def, err := g.State.Marshal(context.Background(), bk.Platform(amd64))
	if err != nil {
		t.Fatal(err)
	}
	pdef := def.ToPB()
	if pdef.Source == nil || len(pdef.Source.Locations) == 0 {
		t.Fatal("definition carries no source locations")
	}
	var helmLine bool
	for _, locs := range pdef.Source.Locations {
		for _, l := range locs.Locations {
			for _, rg := range l.Ranges {
				if rg.Start.Line == 12 { // "- name: helm"
					helmLine = true
				}
			}
		}
	}
	if !helmLine {
		t.Error("no op is located at the helm tool's line 12")
	}
}

// TestParentsOneLevelAtATime: every directory a layer makes above what it
// installs is its own mkdir, so the daemon stamps each with the build's
// time (a mkdir -p stamps only the last).
func TestParentsOneLevelAtATime(t *testing.T) {
	p := plan(t, toolsSpec, amd64, nil)
	for _, l := range p.graph.Tools {
		if l.Name != "helm" {
			continue
		}
		_, _, d := marshal(t, l.State, amd64)
		var dirs []string
		for _, a := range p.ops[d].GetFile().GetActions() {
			if m := a.GetMkdir(); m != nil {
				dirs = append(dirs, m.Path)
				if m.Timestamp != DefaultEpoch.UnixNano() || m.Mode != 0o755 {
					t.Errorf("mkdir %s: mode %o, time %d", m.Path, m.Mode, m.Timestamp)
				}
			}
		}
		want := "/usr /usr/local /usr/local/bin /usr /usr/share /usr/share/builder-frontend /usr/share/builder-frontend/tools"
		if strings.Join(dirs, " ") != want {
			t.Errorf("helm's layer makes %v, want %s", dirs, want)
		}
	}
}
