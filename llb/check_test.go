package llb

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"

	"github.com/maistra/builder-frontend/spec"
)

const goToolSpec = `
    goTools:
      - name: goimports
        package: golang.org/x/tools/cmd/goimports
        version: v0.39.0
`

// withGo adds the Go toolchain and a Go tool to toolsSpec.
func withGo() string {
	y := strings.Replace(toolsSpec, "    env: {LANG: C.UTF-8}\n", goToolSpec+"    env: {LANG: C.UTF-8}\n", 1)
	return strings.Replace(y, "    tools:\n", `    tools:
      - name: go
        version: "1.26.8"
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
          linux/arm64: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
        strip: 1
        dest: /usr/local/go
`, 1)
}

// gateOf returns the check exec a layer's file op waits for, and the
// layer op's actions other than that wait.
func gateOf(t *testing.T, p *planned, layer digest.Digest) (*pb.Op, []*pb.FileAction) {
	t.Helper()
	op := p.ops[layer]
	var gate *pb.Op
	var rest []*pb.FileAction
	for _, a := range op.GetFile().GetActions() {
		c := a.GetCopy()
		if c == nil || c.Src != "/*" || c.Dest != "/" {
			rest = append(rest, a)
			continue
		}
		if !c.AllowWildcard || !c.AllowEmptyWildcard {
			t.Errorf("the wait on the check must match nothing and allow it: %+v", c)
		}
		in := op.Inputs[a.SecondaryInput]
		gate = p.ops[digest.Digest(in.Digest)]
		if e := gate.GetExec(); e == nil || e.Meta.Args[1] != "check-elf" {
			t.Errorf("the layer waits for %v, not for a check", gate)
		} else if out := e.Mounts[len(e.Mounts)-1]; out.Dest != "/out" || out.Output != in.Index || out.Input != int64(pb.Empty) {
			t.Errorf("the layer takes output %d of the check, whose /out is %+v: it must be the empty /out", in.Index, out)
		}
	}
	return gate, rest
}

// TestEveryLayerWaitsForItsCheck: each tool and Go tool layer waits for the
// ELF check of exactly what it installs, for the image's platform, run on
// the build platform.
func TestEveryLayerWaitsForItsCheck(t *testing.T) {
	p := plan(t, withGo(), arm64, nil)
	layers := map[string]digest.Digest{}
	for _, l := range p.graph.Tools {
		_, _, layers[l.Name] = marshal(t, l.State, arm64)
	}
	want := map[string]string{
		"go":        "-- /in /",                    // strip: unpacked natively, output mirrors the image
		"helm":      "-- /in /",                    // likewise
		"bazel":     "-- /in/bazel /usr/bin/bazel", // the raw download as it is installed
		"protoc":    "-- /in /",                    // zip
		"goimports": "-- /in/bin/linux_arm64/goimports /usr/local/bin/goimports",
	}
	for name, args := range want {
		gate, _ := gateOf(t, p, layers[name])
		if gate == nil {
			t.Errorf("%s: the layer does not wait for a check", name)
			continue
		}
		e := gate.GetExec()
		if got := strings.Join(e.Meta.Args, " "); got != "/builder-frontend check-elf --platform linux/arm64 "+args {
			t.Errorf("%s: check %q, want the arguments %q", name, got, args)
		}
		if gate.Platform.Architecture != "amd64" || e.Network != pb.NetMode_NONE {
			t.Errorf("%s: check runs on %s with network %v, want the build platform and none", name, gate.Platform.Architecture, e.Network)
		}
		in := e.Mounts[1]
		if in.Dest != "/in" || !in.Readonly || in.ContentCache != pb.MountContentCache_OFF {
			t.Errorf("%s: check mounts %+v, want what the layer copies read-only at /in, its content not hashed", name, in)
		}
	}
	// What /in is: the download for a raw tool, the unpacker's output for
	// an archive.
	bazelIn := p.ops[digest.Digest(firstGate(t, p, layers["bazel"]).Inputs[1].Digest)]
	if src := bazelIn.GetSource(); src == nil || !strings.HasSuffix(src.Identifier, "bazel-7.4.1-linux-aarch64") {
		t.Errorf("bazel's check reads %v, want the download", bazelIn)
	}
	helmIn := p.ops[digest.Digest(firstGate(t, p, layers["helm"]).Inputs[1].Digest)]
	if e := helmIn.GetExec(); e == nil || e.Meta.Args[1] != "unpack" {
		t.Errorf("helm's check reads %v, want the unpacker's output", helmIn)
	}
}

func firstGate(t *testing.T, p *planned, layer digest.Digest) *pb.Op {
	gate, _ := gateOf(t, p, layer)
	if gate == nil {
		t.Fatal("no check")
	}
	return gate
}

// TestDaemonUnpackChecked: an archive the daemon unpacks is checked where
// it is installed.
func TestDaemonUnpackChecked(t *testing.T) {
	y := strings.Replace(toolsSpec, "        strip: 1\n        take: [helm]\n        dest: /usr/local/bin\n", "        dest: /opt/helm\n", 1)
	p := plan(t, y, arm64, nil)
	for _, l := range p.graph.Tools {
		if l.Name != "helm" {
			continue
		}
		_, _, d := marshal(t, l.State, arm64)
		gate := firstGate(t, p, d)
		if got := strings.Join(gate.GetExec().Meta.Args, " "); !strings.HasSuffix(got, "check-elf --platform linux/arm64 -- /in /opt/helm") {
			t.Errorf("check %q, want the daemon's unpack checked as /opt/helm", got)
		}
		in := p.ops[digest.Digest(gate.Inputs[1].Digest)]
		if c := in.GetFile().GetActions()[0].GetCopy(); c == nil || !c.AttemptUnpackDockerCompatibility {
			t.Errorf("helm's check reads %v, want the daemon's unpack", in)
		}
	}
}

// TestForeignBinariesSkipsTheCheck: the opt-out drops the check, and
// nothing else of the layer changes.
func TestForeignBinariesSkipsTheCheck(t *testing.T) {
	checked := plan(t, toolsSpec, arm64, nil)
	foreign := plan(t, strings.Replace(toolsSpec, "        dest: /usr/bin/bazel\n", "        dest: /usr/bin/bazel\n        foreignBinaries: true\n", 1), arm64, nil)
	var with, without []*pb.FileAction
	for _, pl := range []*planned{checked, foreign} {
		for _, l := range pl.graph.Tools {
			if l.Name != "bazel" {
				continue
			}
			_, _, d := marshal(t, l.State, arm64)
			gate, rest := gateOf(t, pl, d)
			if (gate == nil) != (pl == foreign) {
				t.Errorf("foreignBinaries=%v: check %v", pl == foreign, gate)
			}
			if pl == checked {
				with = rest
			} else {
				without = rest
			}
		}
	}
	// Input and output numbers move with the extra input; the actions
	// themselves (what is created and copied) must not.
	same := func(a, b *pb.FileAction) bool { return fmt.Sprint(a.Action) == fmt.Sprint(b.Action) }
	if len(with) == 0 || !slices.EqualFunc(with, without, same) {
		t.Errorf("the layer's own actions differ with the check:\n%v\n%v", with, without)
	}
	for _, op := range foreign.ops {
		if e := op.GetExec(); e != nil && strings.Contains(strings.Join(e.Meta.Args, " "), "/usr/bin/bazel") {
			t.Errorf("bazel is checked despite foreignBinaries: %v", e.Meta.Args)
		}
	}
}

// TestChecksReportWhyTheyFail: a failed check or native unpack can be run
// again, told to write its reason instead of failing.
func TestChecksReportWhyTheyFail(t *testing.T) {
	p := plan(t, toolsSpec, arm64, nil)
	reports := 0
	for _, st := range p.graph.Steps {
		if st.Kind != StepCheck && !(st.Kind == StepUnpack && st.Name == "protoc") {
			continue
		}
		if st.Report == nil {
			t.Errorf("%s %s has no report", st.Kind, st.Name)
			continue
		}
		ops, _, root := marshal(t, *st.Report, arm64)
		e := ops[root].GetExec()
		args := strings.Join(e.GetMeta().GetArgs(), " ")
		if !strings.Contains(args, "--report /report/reason") {
			t.Errorf("%s %s: report run %q does not write /report/reason", st.Kind, st.Name, args)
		}
		reports++
	}
	if reports != 4 {
		t.Errorf("%d steps with reports, want 3 checks and the zip's unpack", reports)
	}
}

// TestCapsUnpackNatively: a tool that sets a cap on its archive is
// unpacked by the unpacker that enforces it.
func TestCapsUnpackNatively(t *testing.T) {
	y := strings.Replace(toolsSpec, "        strip: 1\n        take: [helm]\n", "        maxUnpackedSize: 32GiB\n        maxUnpackedFiles: 5000\n", 1)
	p := plan(t, y, amd64, nil)
	var found bool
	for _, op := range p.ops {
		if e := op.GetExec(); e != nil && strings.HasSuffix(e.Meta.Args[len(e.Meta.Args)-1], "/helm.tar.gz") {
			found = true
			if got := strings.Join(e.Meta.Args, " "); !strings.Contains(got, "--max-bytes 34359738368 --max-files 5000") {
				t.Errorf("helm unpack %q lacks its caps", got)
			}
		}
		for _, a := range op.GetFile().GetActions() {
			if c := a.GetCopy(); c != nil && c.AttemptUnpackDockerCompatibility && c.Src == "/helm.tar.gz" {
				t.Error("the daemon unpacks helm, which it cannot bound")
			}
		}
	}
	if !found {
		t.Error("helm is not unpacked natively")
	}
}

// TestCheckNeedsTheHelper: without the frontend's image a raw tool cannot
// be checked; the error says so and names the opt-out.
func TestCheckNeedsTheHelper(t *testing.T) {
	s, err := spec.Parse("builder.yaml", []byte(`version: 1
images:
  builder:
    base: scratch
    tools:
      - name: bazel
        version: "7.4.1"
        url: https://example.com/bazel-${version}-${arch}
        sha256: {linux/amd64: 3333333333333333333333333333333333333333333333333333333333333333}
        dest: /usr/bin/bazel
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Resolve("linux/amd64", spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(r, Options{BuildPlatform: amd64, TargetPlatform: amd64, Base: bk.Scratch(), MergeOp: true})
	if err == nil || !strings.Contains(err.Error(), `tool "bazel" (linux/amd64, https://example.com/bazel-7.4.1-amd64): checking that linux/amd64 runs its executables needs the frontend's own image`) ||
		!strings.Contains(err.Error(), "foreignBinaries: true") {
		t.Errorf("Build without the helper: %v", err)
	}
}
