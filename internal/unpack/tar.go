package unpack

import (
	"archive/tar"
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// decompress wraps r in the decompressor form needs.
func decompress(r io.Reader, form Form) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	switch form {
	case FormTar:
		return io.NopCloser(br), nil
	case FormTarGz:
		return gzip.NewReader(br)
	case FormTarBz2:
		return io.NopCloser(bzip2.NewReader(br)), nil
	case FormTarXz:
		xr, err := xz.NewReader(br)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(xr), nil
	case FormTarZst:
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		return zr.IOReadCloser(), nil
	}
	return nil, fmt.Errorf("form %q is not a tar", form)
}

// extractTar extracts a (compressed) tar. Hard links whose content was
// filtered out by strip or take need a second pass over the archive.
func (x *extractor) extractTar(src io.ReadSeeker, form Form) error {
	if err := x.tarPass(src, form, x.handle); err != nil {
		return err
	}
	if len(x.pending) == 0 {
		return nil
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return err
	}
	err := x.tarPass(src, form, func(e *entry) error {
		if _, ok := x.pending[e.index]; ok && e.kind == kindFile {
			return x.resolvePending(e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, reqs := range x.pending {
		return fmt.Errorf("entry %q: content of hard link not found in the second pass", reqs[0].name)
	}
	return nil
}

func (x *extractor) tarPass(src io.Reader, form Form, fn func(*entry) error) error {
	r, err := decompress(src, form)
	if err != nil {
		return fmt.Errorf("reading %s: %w", form, err)
	}
	defer r.Close()
	// The cap is on what the decompressor yields, entries skipped by strip
	// and take included: a bomb costs its decompression whether or not it
	// is written.
	tr := tar.NewReader(&cappedReader{r: r, left: x.maxBytes, limit: x.maxBytes})
	for i := 0; ; i++ {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		var le *LimitError
		if errors.As(err, &le) {
			return le
		}
		if err != nil && !(errors.Is(err, tar.ErrInsecurePath) && hdr != nil) {
			// Names are checked by handle; anything else is a broken archive.
			return fmt.Errorf("reading %s: %w", form, err)
		}
		e := &entry{
			index:    i,
			name:     hdr.Name,
			mode:     hdr.FileInfo().Mode().Perm(),
			mtime:    hdr.ModTime,
			linkname: hdr.Linkname,
		}
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeGNUSparse, tar.TypeCont:
			e.kind = kindFile
			e.open = func() (io.ReadCloser, error) { return io.NopCloser(tr), nil }
		case tar.TypeDir:
			e.kind = kindDir
		case tar.TypeSymlink:
			e.kind = kindSymlink
		case tar.TypeLink:
			e.kind = kindLink
		case tar.TypeXGlobalHeader:
			i--
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
	}
}

// cappedReader fails with a *LimitError once more than limit bytes were
// read.
type cappedReader struct {
	r           io.Reader
	left, limit int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, &LimitError{Limit: c.limit}
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, &LimitError{Limit: c.limit}
	}
	return n, err
}
