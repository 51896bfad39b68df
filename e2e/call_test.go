package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/subrequests/outline"
	"github.com/moby/buildkit/frontend/subrequests/targets"
	"github.com/moby/buildkit/solver/pb"
)

// TestCallOutlineAndTargets: buildx --call answers from the spec instead of
// falling back to the Dockerfile parser: the outline lists the image's
// args with the value a build would use, what uses each and where each is
// declared; targets lists the spec's one image as the default.
func TestCallOutlineAndTargets(t *testing.T) {
	e := setup(t)
	dir, _ := filepath.Abs("../examples/minimal")
	src, err := os.ReadFile(filepath.Join(dir, "builder.yaml"))
	if err != nil {
		t.Fatal(err)
	}

	var o outline.Outline
	e.call(t, dir, "outline,format=json", &o, "--build-arg", "HELM_VERSION=v3.17.0")
	if o.Name != "builder" || o.Description != "base docker.io/library/busybox:1.37; 4 tools" {
		t.Errorf("outline of %q: %q, want builder: \"base docker.io/library/busybox:1.37; 4 tools\"", o.Name, o.Description)
	}
	want := []struct {
		outline.Arg
		uses int
	}{
		{outline.Arg{Name: "BAZEL_VERSION", Value: "7.4.1", Description: `bazel release; istio/proxy pins it in .bazelversion (used by tool "bazel" version)`}, 1},
		{outline.Arg{Name: "HELM_VERSION", Value: "v3.17.0", Description: `helm release installed in the image (used by tool "helm" version)`}, 1},
		{outline.Arg{Name: "RELEASES", Value: "http://127.0.0.1:8123", Description: `where the release files are served from (make demo passes its own server) (used by tool "helm" url, tool "bazel" url, tool "protoc" url, tool "shellcheck" url)`}, 4},
	}
	// The declared args, then BUILDER_CHECKS: the spec's tools have smoke
	// checks, located at each check.
	if len(o.Args) != len(want)+1 {
		t.Fatalf("outline args: %+v, want %d: %+v and BUILDER_CHECKS", o.Args, len(want)+1, want)
	}
	checks := o.Args[len(want)]
	const checksDesc = "smoke checks, run in the finished image on every platform (skip: skips them): helm: helm version; bazel: bazel --version; protoc: protoc --version; shellcheck: shellcheck --version"
	if checks.Name != "BUILDER_CHECKS" || checks.Value != "run" || checks.Description != checksDesc {
		t.Errorf("last arg: %q = %q, %q; want BUILDER_CHECKS = run, %q", checks.Name, checks.Value, checks.Description, checksDesc)
	}
	wantLine(t, "BUILDER_CHECKS", checks.Location, src, "        check: helm version")
	if checks.Location != nil && len(checks.Location.Ranges) != 4 {
		t.Errorf("BUILDER_CHECKS has %d locations, want the 4 checks", len(checks.Location.Ranges))
	}
	for i, w := range want {
		a := o.Args[i]
		if a.Name != w.Name || a.Value != w.Value || a.Description != w.Description {
			t.Errorf("arg %d: %q = %q, %q; want %q = %q, %q", i, a.Name, a.Value, a.Description, w.Name, w.Value, w.Description)
		}
		wantLine(t, "arg "+w.Name, a.Location, src, "  "+w.Name+":")
		// The declaration, then each use.
		if a.Location != nil && len(a.Location.Ranges) != 1+w.uses {
			t.Errorf("arg %s has %d locations, want its declaration and %d uses", w.Name, len(a.Location.Ranges), w.uses)
		}
	}
	if len(o.Sources) != 1 || !bytes.Equal(o.Sources[0], src) {
		t.Errorf("outline sources: %d, want the spec", len(o.Sources))
	}

	var l targets.List
	e.call(t, dir, "targets,format=json", &l)
	if len(l.Targets) != 1 {
		t.Fatalf("targets: %+v, want the one image", l.Targets)
	}
	if tg := l.Targets[0]; tg.Name != "builder" || !tg.Default || tg.Base != "docker.io/library/busybox:1.37" || tg.Description != "4 tools" {
		t.Errorf("target %+v, want builder, the default, base docker.io/library/busybox:1.37, 4 tools", tg)
	}
	wantLine(t, "target builder", l.Targets[0].Location, src, "  builder:")
}

// call runs buildx build --call=call on the spec in dir and decodes the
// result (buildx's stdout) into v.
func (e env) call(t *testing.T, dir, call string, v any, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	full := append([]string{"build", "--call", call, "-f", filepath.Join(dir, "builder.yaml"), "--build-arg", "BUILDKIT_SYNTAX=" + e.frontend}, args...)
	cmd := e.Command(ctx, "buildx", append(full, dir)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("buildx --call %s: %v\n%s", call, err, tail(stderr.String(), 30))
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		t.Fatalf("buildx --call %s printed no JSON: %v\n%s", call, err, stdout.String())
	}
}

// wantLine asserts that loc starts on the line of src that begins with
// prefix.
func wantLine(t *testing.T, what string, loc *pb.Location, src []byte, prefix string) {
	t.Helper()
	line := 0
	for i, l := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(l, prefix) {
			line = i + 1
			break
		}
	}
	if line == 0 {
		t.Fatalf("the spec has no line %q", prefix)
	}
	if loc == nil || len(loc.Ranges) == 0 || loc.Ranges[0].Start.Line != int32(line) {
		t.Errorf("%s is located at %v, want line %d (%q)", what, loc, line, prefix)
	}
}
