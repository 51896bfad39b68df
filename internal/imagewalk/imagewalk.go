// Package imagewalk reads container images the way they are stored: an
// index lists platform images, and an image is layer tars applied in order.
// The builder CLI (manifest --image), the test lab and the benchmark all
// read images through it, so the tar loop, path cleaning and the rule for
// what counts as a platform image live here once.
package imagewalk

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Func is called for each tar entry: p is the entry's path made absolute
// and clean ("./usr/bin/x" and "usr/bin/x" are both "/usr/bin/x"), content
// its data, readable until Func returns. Returning fs.SkipAll ends the walk
// without an error.
type Func func(p string, hdr *tar.Header, content io.Reader) error

// Tar calls fn for every entry of the tar stream r, in order.
func Tar(r io.Reader, fn Func) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(path.Clean("/"+hdr.Name), hdr, tr); err != nil {
			if errors.Is(err, fs.SkipAll) {
				return nil
			}
			return err
		}
	}
}

// Layer walks the uncompressed tar of one layer: its own entries, whiteout
// files (".wh.*") included.
func Layer(l v1.Layer, fn Func) error {
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	return Tar(rc, fn)
}

// Flattened walks img's file system as a container sees it: the layers
// applied in order with their whiteouts, each path once.
func Flattened(img v1.Image, fn Func) error {
	rc := mutate.Extract(img)
	defer rc.Close()
	return Tar(rc, fn)
}

// Image is one image manifest that a reference points to.
type Image struct {
	// Platform is the index entry's platform, or for a single image the
	// platform of its config (nil when the config names none).
	Platform *v1.Platform
	Digest   v1.Hash
	// Attestation marks the manifests BuildKit adds beside the platform
	// images (provenance, SBOM): OS "unknown", or annotated
	// vnd.docker.reference.type=attestation-manifest. They hold no file
	// system to run.
	Attestation bool

	open func() (v1.Image, error)
}

// Open fetches the image (its manifest; layers are read when walked).
func (i Image) Open() (v1.Image, error) { return i.open() }

// Images lists the image manifests of desc: every entry of an index that
// is an image and names a platform (nested indexes, which nothing selects
// by platform, left out), or desc itself when it is an image.
func Images(desc *remote.Descriptor) ([]Image, error) {
	switch {
	case desc.MediaType.IsIndex():
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, err
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return nil, err
		}
		var out []Image
		for _, d := range im.Manifests {
			if !d.MediaType.IsImage() || d.Platform == nil {
				continue
			}
			out = append(out, Image{
				Platform:    d.Platform,
				Digest:      d.Digest,
				Attestation: d.Platform.OS == "unknown" || d.Annotations["vnd.docker.reference.type"] == "attestation-manifest",
				open:        func() (v1.Image, error) { return idx.Image(d.Digest) },
			})
		}
		return out, nil
	case desc.MediaType.IsImage():
		img, err := desc.Image()
		if err != nil {
			return nil, err
		}
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		return []Image{{Platform: cf.Platform(), Digest: desc.Digest, open: func() (v1.Image, error) { return img, nil }}}, nil
	}
	return nil, fmt.Errorf("%s is a %s, not an image or an index", desc.Digest, desc.MediaType)
}

// PlatformImages are the images of desc that hold a platform's file
// system: Images without the attestation manifests.
func PlatformImages(desc *remote.Descriptor) ([]Image, error) {
	all, err := Images(desc)
	if err != nil {
		return nil, err
	}
	var out []Image
	for _, i := range all {
		if !i.Attestation {
			out = append(out, i)
		}
	}
	return out, nil
}
