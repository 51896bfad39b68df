package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
)

// TestLLBNativePackages: builder llb plans an arm64 apt step as a build does on an amd64 daemon: natively, in
// the base image for the build platform with the target's root at /target; with --build-arg
// BUILDER_PACKAGES=emulated, on arm64 in the target's root.
func TestLLBNativePackages(t *testing.T) {
	f := writeFile(t, `version: 1
images:
  builder:
    base: example.com/debian:12
    packages:
      manager: apt
      install: [git]
`)
	for _, tc := range []struct {
		args       []string
		native     bool
		execArch   string
		targetSeen bool
	}{
		{nil, true, "amd64", true},
		{[]string{"--build-arg", "BUILDER_PACKAGES=emulated"}, false, "arm64", false},
	} {
		out := filepath.Join(t.TempDir(), "def.llb")
		args := append([]string{"llb", "--platform", "linux/arm64", "--build-platform", "linux/amd64", "-o", out}, tc.args...)
		if msg, code := runBuilder(t, append(args, f)...); code != 0 {
			t.Fatalf("llb %v: exit %d\n%s", tc.args, code, msg)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		def, err := bk.ReadFrom(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		execs := 0
		for _, dt := range def.Def {
			var op pb.Op
			if err := op.UnmarshalVT(dt); err != nil {
				t.Fatal(err)
			}
			e := op.GetExec()
			if e == nil {
				continue
			}
			execs++
			target := false
			for _, m := range e.Mounts {
				target = target || m.Dest == "/target"
			}
			if op.Platform.Architecture != tc.execArch || target != tc.targetSeen {
				t.Errorf("%v: the package step runs on %s, /target mounted %v; want %s, %v", tc.args, op.Platform.Architecture, target, tc.execArch, tc.targetSeen)
			}
		}
		if execs != 1 {
			t.Errorf("%v: %d execs, want the package step", tc.args, execs)
		}
	}
}
