package e2e

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/maistra/builder-frontend/llb"
)

// TestManifestImageMatchesSpec: `builder manifest --image` reads from the
// pushed image, per platform, exactly the tool manifests `builder manifest
// FILE` predicts from the spec with the same build-args.
func TestManifestImageMatchesSpec(t *testing.T) {
	e := setup(t)
	ref := e.ref("manifest")
	dir, _ := filepath.Abs("../examples/minimal")
	e.mustBuild(t, dir, "builder.yaml",
		"--platform", "linux/amd64,linux/arm64",
		"--build-arg", "RELEASES="+e.ArtifactURL(),
		"--build-context", "base=docker-image://"+e.base,
		"-t", ref, "--push")

	parse := func(what, out string) map[string][]llb.ManifestEntry {
		t.Helper()
		var m map[string][]llb.ManifestEntry
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("%s: %v\n%s", what, err, out)
		}
		return m
	}
	out, err := runCLI(t, "manifest", "--format", "json", "--build-arg", "RELEASES="+e.ArtifactURL(), filepath.Join(dir, "builder.yaml"))
	if err != nil {
		t.Fatalf("builder manifest FILE: %v\n%s", err, out)
	}
	want := parse("spec", out)
	out, err = runCLI(t, "manifest", "--image", ref, "--insecure", "--format", "json")
	if err != nil {
		t.Fatalf("builder manifest --image: %v\n%s", err, out)
	}
	got := parse("image", out)

	if len(got) != 2 || len(want) != 2 {
		t.Fatalf("platforms: image %d, spec %d, want 2\n%s", len(got), len(want), out)
	}
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		if len(got[p]) != 4 {
			t.Errorf("%s: %d entries in the image, want 4: %+v", p, len(got[p]), got[p])
		}
		if !reflect.DeepEqual(got[p], want[p]) {
			t.Errorf("%s: the image holds\n%+v\nthe spec says\n%+v", p, got[p], want[p])
		}
	}

	out, err = runCLI(t, "manifest", "--image", ref, "--insecure", "--platform", "linux/arm64")
	if err != nil || !strings.Contains(out, "linux/arm64  helm        v3.16.0") || strings.Contains(out, "linux/amd64") {
		t.Errorf("builder manifest --image --platform linux/arm64: %v\n%s", err, out)
	}

	// The lab's base image was not built by builder-frontend.
	out, err = runCLI(t, "manifest", "--image", e.base, "--insecure")
	if err == nil || !strings.Contains(out, "not built by builder-frontend") {
		t.Errorf("builder manifest --image of the base: %v\n%s", err, out)
	}
}
