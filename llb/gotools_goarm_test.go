package llb

import (
	"context"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/spec"
)

const armGoSpec = `version: 1
arches:
  golang: {linux/arm/v7: armv6l, linux/arm/v6: armv6l, linux/amd64: amd64}
images:
  builder:
    base: example.com/base:1
    tools:
      - name: go
        version: 1.26.8
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        arch: golang
        sha256:
          linux/arm/v7: 1111111111111111111111111111111111111111111111111111111111111111
          linux/arm/v6: 1111111111111111111111111111111111111111111111111111111111111111
          linux/amd64: 2222222222222222222222222222222222222222222222222222222222222222
        strip: 1
        dest: /usr/local/go
    goTools:
      - name: hello
        package: example.com/hello
        version: v1.0.0
`

// goToolCopySource is where the Go tool's layer copies the command from in
// the GOPATH go install wrote.
func goToolCopySource(t *testing.T, build, target ocispecs.Platform) string {
	t.Helper()
	s, err := spec.Parse("builder.yaml", []byte(armGoSpec))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Resolve(platformID(target), spec.Options{BuildPlatform: platformID(build)})
	if err != nil {
		t.Fatal(err)
	}
	helper := bk.Image("example.com/builder-frontend:test")
	g, err := Build(r, Options{BuildPlatform: build, TargetPlatform: target, Base: bk.Image("example.com/base:1"), Helper: &helper, MergeOp: true})
	if err != nil {
		t.Fatal(err)
	}
	def, err := g.State.Marshal(context.Background(), bk.Platform(target))
	if err != nil {
		t.Fatal(err)
	}
	var srcs []string
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		for _, a := range op.GetFile().GetActions() {
			if c := a.GetCopy(); c != nil && c.Dest == "/usr/local/bin/hello" {
				srcs = append(srcs, c.Src)
			}
		}
	}
	if len(srcs) != 1 {
		t.Fatalf("copies of the command: %v", srcs)
	}
	return srcs[0]
}

// go install writes bin/GOOS_GOARCH/ only when GOOS or GOARCH differ from
// the toolchain's own; GOARM does not count. An arm image built on arm
// finds the command in bin/.
func TestGoToolPathOnArm(t *testing.T) {
	armv7 := ocispecs.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	armv6 := ocispecs.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}
	for _, tc := range []struct {
		name          string
		build, target ocispecs.Platform
		want          string
	}{
		{"arm on arm", armv7, armv7, "/bin/hello"},
		{"armv6 on armv7", armv7, armv6, "/bin/hello"},
		{"arm on amd64", amd64, armv7, "/bin/linux_arm/hello"},
	} {
		if got := goToolCopySource(t, tc.build, tc.target); got != tc.want {
			t.Errorf("%s: the command is copied from %s, want %s", tc.name, got, tc.want)
		}
	}
}
