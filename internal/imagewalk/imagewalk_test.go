package imagewalk

import (
	"archive/tar"
	"bytes"
	"io"
	"io/fs"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// tarOf is a tar of name, content pairs; a name ending in "/" is a directory.
func tarOf(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := 0; i < len(files); i += 2 {
		hdr := &tar.Header{Name: files[i], Mode: 0o644, Size: int64(len(files[i+1])), Typeflag: tar.TypeReg}
		if strings.HasSuffix(files[i], "/") {
			hdr.Typeflag, hdr.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, files[i+1])
	}
	tw.Close()
	return buf.Bytes()
}

func layer(t *testing.T, files ...string) v1.Layer {
	data := tarOf(t, files...)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestTarCleansPathsAndStops(t *testing.T) {
	var seen []string
	err := Tar(bytes.NewReader(tarOf(t, "./a/", "", "a/b", "bee", "/a/../c", "sea", "d", "dee")), func(p string, hdr *tar.Header, content io.Reader) error {
		data, _ := io.ReadAll(content)
		seen = append(seen, p+"="+string(data))
		if p == "/c" {
			return fs.SkipAll
		}
		return nil
	})
	if err != nil || strings.Join(seen, " ") != "/a= /a/b=bee /c=sea" {
		t.Errorf("walked %v, %v", seen, err)
	}
	if err := Tar(strings.NewReader("not a tar, but long enough to hold a tar header block? no: tar blocks are 512 bytes"), func(string, *tar.Header, io.Reader) error { return nil }); err == nil {
		t.Error("a broken tar walked without an error")
	}
}

// TestImages pushes an index of two platform images and an attestation manifest, and walks it back.
func TestImages(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	image := func(p v1.Platform, layers ...v1.Layer) v1.Image {
		img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{OS: p.OS, Architecture: p.Architecture})
		if err != nil {
			t.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, layers...); err != nil {
			t.Fatal(err)
		}
		return img
	}
	amd64 := v1.Platform{OS: "linux", Architecture: "amd64"}
	arm64 := v1.Platform{OS: "linux", Architecture: "arm64"}
	unknown := v1.Platform{OS: "unknown", Architecture: "unknown"}
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: image(amd64, layer(t, "etc/", "", "etc/gone", "x", "etc/kept", "y"), layer(t, "etc/.wh.gone", "")), Descriptor: v1.Descriptor{Platform: &amd64}},
		mutate.IndexAddendum{Add: image(arm64), Descriptor: v1.Descriptor{Platform: &arm64}},
		mutate.IndexAddendum{Add: image(unknown), Descriptor: v1.Descriptor{Platform: &unknown,
			Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"}}},
	)
	ref, err := name.ParseReference(strings.TrimPrefix(srv.URL, "http://")+"/t/img:1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(ref)
	if err != nil {
		t.Fatal(err)
	}
	all, err := Images(desc)
	if err != nil || len(all) != 3 || all[0].Attestation || all[1].Attestation || !all[2].Attestation {
		t.Fatalf("Images: %+v, %v", all, err)
	}
	plats, err := PlatformImages(desc)
	if err != nil || len(plats) != 2 || plats[0].Platform.String() != "linux/amd64" || plats[1].Platform.String() != "linux/arm64" {
		t.Fatalf("PlatformImages: %+v, %v", plats, err)
	}
	img, err := plats[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	var flat []string
	if err := Flattened(img, func(p string, _ *tar.Header, _ io.Reader) error { flat = append(flat, p); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(flat, " ") != "/etc /etc/kept" {
		t.Errorf("flattened: %v, want the whiteout applied", flat)
	}
	ls, _ := img.Layers()
	var top []string
	if err := Layer(ls[1], func(p string, _ *tar.Header, _ io.Reader) error { top = append(top, p); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(top, " ") != "/etc/.wh.gone" {
		t.Errorf("layer 1: %v, want its own entries, whiteout included", top)
	}

	single, err := name.ParseReference(strings.TrimPrefix(srv.URL, "http://")+"/t/single:1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(single, image(arm64)); err != nil {
		t.Fatal(err)
	}
	if desc, err = remote.Get(single); err != nil {
		t.Fatal(err)
	}
	if one, err := PlatformImages(desc); err != nil || len(one) != 1 || one[0].Platform.String() != "linux/arm64" {
		t.Errorf("a single image: %+v, %v", one, err)
	}
}
