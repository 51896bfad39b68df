package llb

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

const goSpec = `version: 1
platforms: [linux/amd64, linux/arm64]
args:
  GOPROXY: https://proxy.golang.org
  GOIMPORTS_VERSION: v0.39.0
images:
  builder:
    base: example.com/base:1
    tools:
      - name: go
        version: 1.26.8
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222
        strip: 1
        dest: /usr/local/go
        path: [/usr/local/go/bin]
    go:
      env: {GOPROXY: "${GOPROXY}", GOSUMDB: "off"}
    goTools:
      - name: goimports
        package: golang.org/x/tools/cmd/goimports
        version: ${GOIMPORTS_VERSION}
      - name: go-junit-report
        package: github.com/jstemmer/go-junit-report/v2
        version: v2.1.0
        ldflags: "-s -w -X main.Version=v2.1.0"
      - name: sqlite-tool
        package: example.com/sqlite/cmd/sqlite-tool
        version: v1.0.0
        cgo: true
`

func TestGoToolsCrossCompileOnBuildPlatform(t *testing.T) {
	p := plan(t, goSpec, arm64, nil)
	installs := 0
	for _, op := range p.ops {
		e := op.GetExec()
		if e == nil || e.Meta.Args[1] != "install" {
			continue
		}
		installs++
		env := strings.Join(e.Meta.Env, " ")
		pkg := e.Meta.Args[len(e.Meta.Args)-1]
		if strings.HasPrefix(pkg, "example.com/sqlite") {
			if op.Platform.Architecture != "arm64" || !strings.Contains(env, "CGO_ENABLED=1") {
				t.Errorf("cgo tool compiles on %s with %s, want the target with cgo", op.Platform.Architecture, env)
			}
			continue
		}
		if op.Platform.Architecture != "amd64" {
			t.Errorf("%s compiles on %s, want the build platform amd64", pkg, op.Platform.Architecture)
		}
		for _, want := range []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "GOPROXY=https://proxy.golang.org", "GOSUMDB=off", "GOTOOLCHAIN=local", "GOFLAGS=-buildvcs=false"} {
			if !strings.Contains(env, want) {
				t.Errorf("%s: env lacks %s: %s", pkg, want, env)
			}
		}
		if e.Meta.Args[0] != "/usr/local/go/bin/go" || e.Meta.Args[2] != "-trimpath" {
			t.Errorf("compile args %v", e.Meta.Args)
		}
		var secret, modCache bool
		for _, m := range e.Mounts {
			if m.MountType == pb.MountType_SECRET {
				secret = m.SecretOpt.ID == NetrcSecret && m.SecretOpt.Optional && m.Dest == "/root/.netrc"
			}
			if m.MountType == pb.MountType_CACHE && m.Dest == goModCache {
				modCache = m.CacheOpt.Sharing == pb.CacheSharingOpt_SHARED
			}
		}
		if !secret || !modCache {
			t.Errorf("%s: netrc secret mount %v, shared module cache %v", pkg, secret, modCache)
		}
	}
	if installs != 3 {
		t.Fatalf("found %d go install steps, want 3", installs)
	}
	var copied []string
	for _, op := range p.ops {
		if f := op.GetFile(); f != nil {
			for _, a := range f.Actions {
				if c := a.GetCopy(); c != nil && strings.HasPrefix(c.Src, "/bin/") {
					copied = append(copied, c.Src+"->"+c.Dest)
				}
			}
		}
	}
	got := strings.Join(copied, " ")
	for _, want := range []string{"/bin/linux_arm64/goimports->/usr/local/bin/goimports", "/bin/linux_arm64/go-junit-report->/usr/local/bin/go-junit-report", "/bin/sqlite-tool->/usr/local/bin/sqlite-tool"} {
		if !strings.Contains(got, want) {
			t.Errorf("no copy %s in %s", want, got)
		}
	}
}

// TestGoToolVersionBumpChangesOnlyItsCompile: bumping goimports changes its
// compile; go-junit-report's compile, which runs after it, changes only in
// the read-only mount that orders it after goimports' (BuildKit keys such a
// mount by its content, an empty directory: the compile is not run again).
func TestGoToolVersionBumpChangesOnlyItsCompile(t *testing.T) {
	before := compilesByTool(t, plan(t, goSpec, arm64, nil))
	after := compilesByTool(t, plan(t, goSpec, arm64, map[string]string{"GOIMPORTS_VERSION": "v0.40.0"}))
	for name := range before {
		if changed := before[name] != after[name]; changed != (name == "goimports") {
			t.Errorf("tool %s: compile changed=%v after bumping goimports", name, changed)
		}
	}
}

// compilesByTool is each Go tool's compile op, marshalled with the input of
// its goAfter mount (the previous compile's) left out, and that mount
// required to be read-only.
func compilesByTool(t *testing.T, p *planned) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, st := range p.graph.Steps {
		if st.Kind != StepCompile {
			continue
		}
		d := lastOpDigest(t, st, arm64)
		op := p.ops[d].CloneVT()
		for _, m := range op.GetExec().Mounts {
			if m.Dest == goAfter {
				if !m.Readonly {
					t.Errorf("%s: the mount that orders the compile is writable", st.Name)
				}
				op.Inputs[m.Input].Digest = ""
			}
		}
		dt, err := op.MarshalVT()
		if err != nil {
			t.Fatal(err)
		}
		out[st.Name] = string(dt)
	}
	if len(out) != 3 {
		t.Fatalf("%d compiles, want 3", len(out))
	}
	return out
}

// TestGoCompilesOfAPlatformRunInOrder: each native compile waits for the
// previous one's empty goDone directory; cgo compiles (on the target, in
// the image) are not in that order.
func TestGoCompilesOfAPlatformRunInOrder(t *testing.T) {
	p := plan(t, goSpec, arm64, nil)
	var goimports, junit *pb.Op
	var goimportsDigest string
	for _, st := range p.graph.Steps {
		if st.Kind != StepCompile {
			// Each Go tool has its ELF check step too.
			continue
		}
		d := lastOpDigest(t, st, arm64)
		switch st.Name {
		case "goimports":
			goimports, goimportsDigest = p.ops[d], string(d)
		case "go-junit-report":
			junit = p.ops[d]
		case "sqlite-tool":
			for _, m := range p.ops[d].GetExec().Mounts {
				if m.Dest == goAfter || m.Dest == goDone {
					t.Errorf("the cgo compile has the order mount %s", m.Dest)
				}
			}
		}
	}
	if goimports == nil || junit == nil {
		t.Fatal("no compile of goimports or go-junit-report")
	}
	var doneOutput int64 = -1
	for _, m := range goimports.GetExec().Mounts {
		if m.Dest == goAfter {
			t.Errorf("the first compile waits for another")
		}
		if m.Dest == goDone {
			doneOutput = m.Output
			if m.Readonly || m.Input != -1 {
				t.Errorf("goDone is %+v, want an empty writable mount", m)
			}
		}
	}
	found := false
	for _, m := range junit.GetExec().Mounts {
		if m.Dest == goAfter {
			in := junit.Inputs[m.Input]
			found = in.Digest == goimportsDigest && in.Index == doneOutput && m.Readonly
		}
	}
	if !found {
		t.Errorf("go-junit-report's compile does not mount goimports' goDone output read-only at %s", goAfter)
	}
}

func TestGoToolsUseBuildPlatformToolchain(t *testing.T) {
	p := plan(t, goSpec, arm64, nil)
	var amd, arm bool
	for _, op := range p.ops {
		if s := op.GetSource(); s != nil {
			amd = amd || strings.HasSuffix(s.Identifier, "linux-amd64.tar.gz")
			arm = arm || strings.HasSuffix(s.Identifier, "linux-arm64.tar.gz")
		}
	}
	if !amd || !arm {
		t.Errorf("arm64 image downloads amd64 toolchain=%v (to compile), arm64 toolchain=%v (to install)", amd, arm)
	}
}

// lastOpDigest is the digest of the op that produces st's State.
func lastOpDigest(t *testing.T, st Step, target ocispecs.Platform) digest.Digest {
	t.Helper()
	_, _, d := marshal(t, st.State, target)
	return d
}
