package llb

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// TestChecksAreApartFromTheImage: a check is a graph of its own off the
// finished root, on the target platform, without network, whose result is
// a scratch mount; the image's graph is the same with and without checks.
func TestChecksAreApartFromTheImage(t *testing.T) {
	goTool := "      - {name: go, version: \"1.23.6\", url: \"https://go.dev/dl/go${version}.linux-${arch}.tar.gz\", sha256: {linux/amd64: " + strings.Repeat("9", 64) + ", linux/arm64: " + strings.Repeat("a", 64) + "}, strip: 1, dest: /usr/local/go}\n    goTools:\n"
	checked := strings.NewReplacer(
		"        links: {/usr/local/bin/helm3: helm}\n", "        links: {/usr/local/bin/helm3: helm}\n        check: helm version --short | grep -F \"$HELM_WANT\"\n",
		"        dest: /usr/bin/bazel\n", "        dest: /usr/bin/bazel\n        check: bazel --version\n",
		"    env: {LANG: C.UTF-8}", goTool+"      - {name: goimports, package: golang.org/x/tools/cmd/goimports, version: v0.29.0, check: goimports -h || test $? = 2}\n    env: {LANG: C.UTF-8}",
		"args:\n", "args:\n  HELM_WANT: v3.16.0\n",
	).Replace(toolsSpec)
	plain := strings.NewReplacer(
		"    env: {LANG: C.UTF-8}", goTool+"      - {name: goimports, package: golang.org/x/tools/cmd/goimports, version: v0.29.0}\n    env: {LANG: C.UTF-8}",
		"args:\n", "args:\n  HELM_WANT: v3.16.0\n",
	).Replace(toolsSpec)
	p := plan(t, checked, arm64, nil)
	if without := plan(t, plain, arm64, nil); without.root != p.root || len(without.graph.Checks) != 0 {
		t.Errorf("the image's graph changes with checks: root %s, without checks %s", p.root, without.root)
	}
	var got []string
	for _, c := range p.graph.Checks {
		got = append(got, c.What()+" "+c.Platform+": "+c.Command)
		ops, _, last := marshal(t, c.State, arm64)
		e := ops[last].GetExec()
		if e == nil {
			t.Fatalf("%s: the check's result is made by %T, want its exec", c.Tool, ops[last].Op)
		}
		if want := []string{"/bin/sh", "-c", checkScript, "check", c.Command}; strings.Join(e.Meta.Args, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("%s: args %q, want %q", c.Tool, e.Meta.Args, want)
		}
		if e.Network != pb.NetMode_NONE || e.Meta.User != "0:0" || e.Meta.Cwd != "/" || ops[last].Platform.Architecture != "arm64" {
			t.Errorf("%s: network %v, user %q, cwd %q, platform %s", c.Tool, e.Network, e.Meta.User, e.Meta.Cwd, ops[last].Platform.Architecture)
		}
		if !hasEnv(e.Meta.Env, "HELM_WANT=v3.16.0") || !hasEnv(e.Meta.Env, "LANG=C.UTF-8") {
			t.Errorf("%s: env %v lacks the args or the image's env", c.Tool, e.Meta.Env)
		}
		// The root mount is the finished image; the result is the mount at
		// CheckDir, which starts empty.
		var root, out *pb.Mount
		for _, m := range e.Mounts {
			switch m.Dest {
			case "/":
				root = m
			case CheckDir:
				out = m
			}
		}
		if root == nil || out == nil {
			t.Fatalf("%s: mounts %v", c.Tool, e.Mounts)
		}
		if digest.Digest(ops[last].Inputs[root.Input].Digest) != p.root {
			t.Errorf("%s: runs on %s, not the finished image %s", c.Tool, ops[last].Inputs[root.Input].Digest, p.root)
		}
		if out.Input != -1 || out.Output != 1 {
			t.Errorf("%s: output mount input %d output %d, want scratch and output 1", c.Tool, out.Input, out.Output)
		}
	}
	want := []string{
		`tool "helm" linux/arm64: helm version --short | grep -F "$HELM_WANT"`,
		`tool "bazel" linux/arm64: bazel --version`,
		`Go tool "goimports" linux/arm64: goimports -h || test $? = 2`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("checks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
