package lab

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log"
	"net/http"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// newRegistry is go-containerregistry's registry with blobs on disk under dir (images can be large) and no request
// log.
func newRegistry(dir string) http.Handler {
	return registry.New(
		registry.Logger(log.New(io.Discard, "", 0)),
		registry.WithBlobHandler(&diskBlobs{dir: dir}),
		registry.WithReferrersSupport(true),
	)
}

// diskBlobs stores blobs as dir/<algorithm>/<hex>. Unlike registry.NewDiskBlobHandler, Stat does not re-hash the
// blob on every HEAD: the registry verifies the digest while a blob is uploaded, and Put renames it into place only
// after the upload was read completely.
type diskBlobs struct{ dir string }

func (d *diskBlobs) path(h v1.Hash) string { return filepath.Join(d.dir, h.Algorithm, h.Hex) }

func (d *diskBlobs) Stat(_ context.Context, _ string, h v1.Hash) (int64, error) {
	fi, err := os.Stat(d.path(h))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, registry.ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func (d *diskBlobs) Get(_ context.Context, _ string, h v1.Hash) (io.ReadCloser, error) {
	f, err := os.Open(d.path(h))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, registry.ErrNotFound
	}
	return f, err
}

func (d *diskBlobs) Put(_ context.Context, _ string, h v1.Hash, rc io.ReadCloser) error {
	defer rc.Close()
	if err := os.MkdirAll(filepath.Join(d.dir, h.Algorithm), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(d.dir, "upload-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(f, rc) // rc verifies size and digest; a mismatch is an error here
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), d.path(h))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

func (d *diskBlobs) Delete(_ context.Context, _ string, h v1.Hash) error {
	err := os.Remove(d.path(h))
	if errors.Is(err, fs.ErrNotExist) {
		return registry.ErrNotFound
	}
	return err
}
