package lab

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestBlobUploads pushes images with go-containerregistry (chunked and monolithic uploads) to the lab's registry
// behind its request log: the first push uploads every blob once with its bytes, a second push of the same
// image to another tag uploads nothing, an image sharing all but one layer uploads that layer and its config.
func TestBlobUploads(t *testing.T) {
	rl := &requestLog{}
	srv := httptest.NewServer(rl.wrap(newRegistry(t.TempDir())))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	push := func(img v1.Image, tag string) []Upload {
		t.Helper()
		ref, err := name.ParseReference(host+"/branches/builder:"+tag, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		mark := len(rl.from(0))
		if err := remote.Write(ref, img); err != nil {
			t.Fatal(err)
		}
		return BlobUploads(rl.from(mark))
	}
	base, err := random.Image(64<<10, 3)
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := base.Layers()
	cfg, _ := base.ConfigName()

	ups := push(base, "main")
	got := map[string]int64{}
	for _, u := range ups {
		if u.Repository != "branches/builder" {
			t.Errorf("upload to %q, want branches/builder", u.Repository)
		}
		got[u.Digest] += u.Bytes
	}
	if len(ups) != 4 {
		t.Errorf("first push: %d uploads, want 3 layers and the config: %+v", len(ups), ups)
	}
	for _, l := range layers {
		d, _ := l.Digest()
		size, _ := l.Size()
		if got[d.String()] != size {
			t.Errorf("layer %s: %d bytes uploaded, want %d", d, got[d.String()], size)
		}
	}
	if got[cfg.String()] == 0 {
		t.Errorf("config %s not uploaded: %+v", cfg, ups)
	}

	if ups := push(base, "release-1.0"); len(ups) != 0 {
		t.Errorf("second push of the same image uploaded %+v, want nothing", ups)
	}

	extra, err := random.Layer(32<<10, "application/vnd.oci.image.layer.v1.tar+gzip")
	if err != nil {
		t.Fatal(err)
	}
	bumped, err := mutate.AppendLayers(base, extra)
	if err != nil {
		t.Fatal(err)
	}
	ed, _ := extra.Digest()
	bc, _ := bumped.ConfigName()
	ups = push(bumped, "bumped")
	var digests []string
	for _, u := range ups {
		digests = append(digests, u.Digest)
	}
	if strings.Join(digests, " ") != ed.String()+" "+bc.String() && strings.Join(digests, " ") != bc.String()+" "+ed.String() {
		t.Errorf("push with one new layer uploaded %v, want %s and the config %s", digests, ed, bc)
	}
}

// TestUploadRepository: which paths are blob uploads, and of which repository.
func TestUploadRepository(t *testing.T) {
	for p, want := range map[string]string{
		"/v2/e2e/builder/blobs/uploads/":         "e2e/builder",
		"/v2/e2e/builder/blobs/uploads":          "e2e/builder",
		"/v2/a/blobs/uploads/0123-abcd":          "a",
		"/v2/a/blobs/sha256:00":                  "",
		"/v2/a/manifests/latest":                 "",
		"/v2/blobs/uploads/x":                    "",
		"/v2/a/blobs/uploads/x/y":                "",
		"/artifacts/v2/a/blobs/uploads/":         "",
		"/v2/deep/er/repo/blobs/uploads/session": "deep/er/repo",
	} {
		got, ok := uploadRepository(p)
		if got != want || ok != (want != "") {
			t.Errorf("uploadRepository(%q) = %q, %v; want %q", p, got, ok, want)
		}
	}
}
