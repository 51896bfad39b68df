package e2e

import (
	"archive/tar"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/maistra/builder-frontend/internal/lab"
)

// TestDirectoryModesKeepSpecialBits: a directories: mode with the sticky,
// setgid or setuid bit reaches the layer's tar entry and the image, as
// listed (BuildKit's mkdir alone would drop them).
func TestDirectoryModesKeepSpecialBits(t *testing.T) {
	e := setup(t)
	spec := `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
images:
  builder:
    base: example.com/unused:1
    directories:
      - {path: /scratch, mode: "1777"}
      - {path: /srv/shared, mode: "2775"}
      - {path: /opt/suid, mode: "4755"}
      - {path: /var/cache/tool, mode: "0750"}
`
	dir := writeSpec(t, spec, nil)
	ref := e.ref("dirmodes")
	e.mustBuild(t, dir, "builder.yaml", "--platform", "linux/amd64",
		"--build-context", "base=docker-image://"+e.base, "-t", ref, "--push")

	img, err := lab.Image(ref, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	// The directories layer is joined last.
	rc, err := layers[len(layers)-1].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	inTar := map[string]int64{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		inTar["/"+strings.TrimSuffix(h.Name, "/")] = h.Mode
	}
	want := map[string]int64{"/scratch": 0o1777, "/srv": 0o755, "/srv/shared": 0o2775, "/opt": 0o755, "/opt/suid": 0o4755, "/var/cache/tool": 0o750}
	for p, m := range want {
		if got, ok := inTar[p]; !ok || got&0o7777 != m {
			t.Errorf("layer tar: %s has mode %#o (present %v), want %#o; entries %v", p, got&0o7777, ok, m, inTar)
		}
	}

	fsys, err := e.Filesystem(ref, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	for p, m := range map[string]fs.FileMode{"/scratch": fs.ModeSticky | 0o777, "/srv/shared": fs.ModeSetgid | 0o775, "/opt/suid": fs.ModeSetuid | 0o755} {
		if f, err := fsys.Lookup(p); err != nil || f.Mode != fs.ModeDir|m || f.UID != 0 || f.GID != 0 {
			t.Errorf("image: %s is %+v (%v), want a root-owned directory %v", p, f, err, fs.ModeDir|m)
		}
	}
}
