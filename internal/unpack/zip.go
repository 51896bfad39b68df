package unpack

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// Zip "version made by" hosts whose external attributes hold a Unix mode.
const (
	zipCreatorUnix  = 3
	zipCreatorMacOS = 19
)

func (x *extractor) extractZip(r io.ReaderAt, size int64) error {
	return x.scanZip(r, size, x.handle)
}

// scanZip calls fn with each entry of the zip.
func (x *extractor) scanZip(r io.ReaderAt, size int64, fn func(*entry) error) error {
	zr, err := zip.NewReader(r, size)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		// Names are checked by handle; anything else is a broken archive.
		return fmt.Errorf("reading zip: %w", err)
	}
	if len(zr.File) > x.maxFiles {
		return &LimitError{Files: true, Limit: int64(x.maxFiles)}
	}
	for i, f := range zr.File {
		mode := zipMode(f)
		e := &entry{
			index: i,
			name:  f.Name,
			mode:  mode.Perm(),
			mtime: f.Modified,
			open:  f.Open,
		}
		switch {
		case mode.IsDir():
			e.kind = kindDir
		case mode&fs.ModeSymlink != 0:
			e.kind = kindSymlink
		case mode.IsRegular():
			e.kind = kindFile
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// zipMode is the mode of a zip entry: the Unix mode from the external
// attributes when the entry has one with permission bits, else 0644 for
// files and 0755 for directories.
func zipMode(f *zip.File) fs.FileMode {
	dir := strings.HasSuffix(f.Name, "/")
	if host := f.CreatorVersion >> 8; (host == zipCreatorUnix || host == zipCreatorMacOS) && f.ExternalAttrs>>16 != 0 {
		m := f.Mode()
		if m.Perm() != 0 || m&fs.ModeSymlink != 0 {
			if dir {
				m = m&fs.ModePerm | fs.ModeDir
			}
			return m
		}
		dir = dir || m.IsDir()
	}
	if dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
