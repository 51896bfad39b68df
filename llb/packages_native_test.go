package llb

import (
	"slices"
	"strings"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

const nativeSpec = `version: 1
images:
  b:
    base: example.com/debian:12
    packages:
      manager: MANAGER
      options: [--no-upgrade]
      repositories:
        - name: lab
          url: URL
      install: [ca-certificates, git]
    tools:
      - name: helm
        version: v3.16.0
        url: https://get.helm.sh/helm-${version}-linux-${arch}.tar.gz
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222
        dest: /usr/local/bin/helm
`

func nativeYAML(manager string) string {
	url := "deb [signed-by=/etc/apt/keyrings/lab.gpg] http://127.0.0.1:1/debian bookworm main"
	if manager == "dnf" {
		url = "http://127.0.0.1:1/repo"
	}
	return strings.NewReplacer("MANAGER", manager, "URL", url).Replace(nativeSpec)
}

// withBuildBase gives the planner the base image for the build platform, as
// the frontend does when the base has a variant for it.
func withBuildBase(o *Options) {
	st := bk.Image("example.com/debian:12", bk.Platform(o.BuildPlatform))
	o.BuildBase = &st
	o.BuildBaseImage = &dockerspec.DockerOCIImage{Image: ocispecs.Image{Platform: o.BuildPlatform}, Config: dockerspec.DockerOCIImageConfig{ImageConfig: ocispecs.ImageConfig{Env: []string{"PATH=/build/path"}}}}
}

// packageExecs are the execs of p that are not the unpack helper.
func packageExecs(p *planned) map[digest.Digest]*pb.Op {
	out := map[digest.Digest]*pb.Op{}
	for d, op := range p.ops {
		if e := op.GetExec(); e != nil && e.Meta.Args[0] != HelperPath {
			out[d] = op
		}
	}
	return out
}

// TestNativePackagesShape: for a foreign target, the package manager runs
// in the base image for the build platform with the target's root (base
// plus repositories) mounted read-write at /target, the caches nested where
// the emulated route has them and a tmpfs on /target/dev; the merge takes
// the /target mount's output.
func TestNativePackagesShape(t *testing.T) {
	for _, manager := range []string{"apt", "dnf"} {
		t.Run(manager, func(t *testing.T) {
			p := plan(t, nativeYAML(manager), arm64, nil, withBuildBase)
			execs := packageExecs(p)
			if len(execs) != 1 {
				t.Fatalf("%d execs, want the one package step", len(execs))
			}
			var d digest.Digest
			var op *pb.Op
			for d, op = range execs {
			}
			e := op.GetExec()
			if op.Platform.Architecture != "amd64" {
				t.Errorf("the package step runs on %s, want the build platform", op.Platform.Architecture)
			}
			want := []string{"/bin/sh", "/.builder-frontend/" + manager + ".sh", "--no-upgrade", "ca-certificates", "git"}
			if !slices.Equal(e.Meta.Args, want) {
				t.Errorf("args %q, want %q", e.Meta.Args, want)
			}
			if !hasEnv(e.Meta.Env, "PATH=/build/path") {
				t.Errorf("env %v: want the build base image's", e.Meta.Env)
			}
			if manager == "dnf" && !hasEnv(e.Meta.Env, "RPM_ARCH=aarch64") {
				t.Errorf("env %v: want RPM_ARCH=aarch64 for --forcearch", e.Meta.Env)
			}
			caches := map[string][]string{
				"apt": {"/target/var/cache/apt", "/target/var/lib/apt/lists"},
				"dnf": {"/target/var/cache/dnf"},
			}[manager]
			var dests []string
			targetOut := int64(-1)
			for _, m := range e.Mounts {
				dests = append(dests, m.Dest)
				in := func() *pb.Op {
					if m.Input < 0 {
						return nil
					}
					return p.ops[digest.Digest(op.Inputs[m.Input].Digest)]
				}()
				switch {
				case m.Dest == "/":
					if src := in.GetSource(); src == nil || src.Identifier != "docker-image://example.com/debian:12" || in.Platform.Architecture != "amd64" {
						t.Errorf("root is %v, want the base image for linux/amd64", in)
					}
				case m.Dest == "/target":
					targetOut = m.Output
					if m.Readonly || in.GetFile() == nil {
						t.Errorf("/target: readonly %v from %T, want the target base with the repositories, read-write", m.Readonly, in.GetOp())
					}
				case m.Dest == "/target/dev":
					if m.MountType != pb.MountType_TMPFS {
						t.Errorf("/target/dev is %v, want a tmpfs", m.MountType)
					}
				case m.Dest == "/.builder-frontend":
					if !m.Readonly {
						t.Errorf("the script mount is writable")
					}
				case slices.Contains(caches, m.Dest):
					wantID := "builder-frontend/" + manager + strings.TrimPrefix(m.Dest, "/target") + "/linux/arm64"
					if m.MountType != pb.MountType_CACHE || m.CacheOpt.ID != wantID || m.CacheOpt.Sharing != pb.CacheSharingOpt_LOCKED {
						t.Errorf("%s: %v %+v, want the locked cache %s", m.Dest, m.MountType, m.CacheOpt, wantID)
					}
				default:
					t.Errorf("unexpected mount %s", m.Dest)
				}
			}
			if len(dests) != 4+len(caches) {
				t.Errorf("mounts %q", dests)
			}
			// The merge joins the /target mount's output with the tool layer.
			merge := p.ops[p.root].GetMerge()
			if merge == nil {
				t.Fatalf("root op is %T, want the merge", p.ops[p.root].Op)
			}
			first := p.ops[p.root].Inputs[merge.Inputs[0].Input]
			if digest.Digest(first.Digest) != d || first.Index != targetOut {
				t.Errorf("the merge's first input is %s[%d], want the package step's /target output [%d]", first.Digest, first.Index, targetOut)
			}
			if len(p.graph.Steps) == 0 || p.graph.Steps[0].Kind != StepPackages || p.graph.Steps[0].Log != PackagesLog {
				t.Errorf("steps %+v: want the package step with its log", p.graph.Steps)
			}
		})
	}
}

// TestPackagesInTargetWhenNotNative: the build platform's own image, a
// forced emulated build, an emulated spec, and a daemon whose base has no
// build-platform variant all install in the target's root on its platform.
func TestPackagesInTargetWhenNotNative(t *testing.T) {
	for _, tc := range []struct {
		name   string
		yaml   string
		target ocispecs.Platform
		opts   []func(*Options)
	}{
		{"build platform", nativeYAML("apt"), amd64, []func(*Options){withBuildBase}},
		{"BUILDER_PACKAGES=emulated", nativeYAML("apt"), arm64, []func(*Options){withBuildBase, func(o *Options) { o.EmulatedPackages = true }}},
		{"mode: emulated", strings.Replace(nativeYAML("dnf"), "manager: dnf", "manager: dnf\n      mode: emulated", 1), arm64, []func(*Options){withBuildBase}},
		{"microdnf", nativeYAML("microdnf"), arm64, []func(*Options){withBuildBase}},
		{"no base for the build platform", nativeYAML("apt"), arm64, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := plan(t, tc.yaml, tc.target, nil, tc.opts...)
			for _, op := range packageExecs(p) {
				e := op.GetExec()
				if op.Platform.Architecture != tc.target.Architecture || e.Meta.Args[0] != "/bin/sh" || e.Meta.Args[1] != "-c" {
					t.Errorf("%s exec %q, want /bin/sh -c on the target", op.Platform.Architecture, e.Meta.Args)
				}
				for _, m := range e.Mounts {
					if strings.HasPrefix(m.Dest, "/target") {
						t.Errorf("mount %s in the emulated route", m.Dest)
					}
				}
			}
			if p.graph.Steps[0].Log != "" {
				t.Errorf("the emulated step has a log file %q", p.graph.Steps[0].Log)
			}
		})
	}
}
