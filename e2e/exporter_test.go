package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBuildctlZstdRewriteTimestamp: a CI step with buildctl and no buildx (a Tekton task on the moby/buildkit
// image) builds a spec through the dockerfile frontend and its # syntax= line, exporting zstd layers with every
// timestamp clamped to SOURCE_DATE_EPOCH.
func TestBuildctlZstdRewriteTimestamp(t *testing.T) {
	e := setup(t)
	dir, _ := filepath.Abs("../examples/minimal")
	ref := e.ref("zstd")
	const epoch = 1700000000
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	out, err := e.Buildctl(ctx, "build", "--frontend", "dockerfile.v0",
		"--local", "context="+dir, "--local", "dockerfile="+dir, "--opt", "filename=builder.yaml",
		"--opt", "build-arg:BUILDKIT_SYNTAX="+e.frontend,
		"--opt", "platform=linux/amd64,linux/arm64",
		"--opt", "build-arg:RELEASES="+e.ArtifactURL(),
		"--opt", "context:base=docker-image://"+e.base,
		"--opt", "build-arg:SOURCE_DATE_EPOCH=1700000000",
		"--output", "type=image,name="+ref+",push=true,compression=zstd,compression-level=3,force-compression=true,oci-mediatypes=true,rewrite-timestamp=true")
	if err != nil {
		t.Fatalf("%v\n%s", err, tail(string(out), 40))
	}
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		img, err := e.Image(ref, p)
		if err != nil {
			t.Fatal(err)
		}
		m, err := img.Manifest()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range m.Layers {
			if l.MediaType != "application/vnd.oci.image.layer.v1.tar+zstd" {
				t.Errorf("%s: layer %s is %s, want zstd", p, l.Digest, l.MediaType)
			}
		}
		fs, err := e.Filesystem(ref, p)
		if err != nil {
			t.Fatal(err)
		}
		helm := wantELF(t, fs, p, "/usr/local/bin/helm", 0o755)
		for _, f := range []string{"/usr/local/bin/helm", "/usr/share/builder-frontend/tools/helm.json", "/opt/protoc/bin/protoc"} {
			fi, err := fs.Lookup(f)
			if err != nil {
				t.Error(err)
			} else if fi.ModTime.Unix() > epoch {
				t.Errorf("%s: %s modified %v, after SOURCE_DATE_EPOCH", p, f, fi.ModTime.UTC())
			}
		}
		if helm != nil && !strings.Contains(string(helm.Data), "helm v3.16.0") {
			t.Errorf("%s: helm is not the v3.16.0 release", p)
		}
		if fs.Config.Created.Unix() != epoch {
			t.Errorf("%s: image created %v, want SOURCE_DATE_EPOCH", p, fs.Config.Created.UTC())
		}
	}
}
