package unpack

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// extractRaw copies the source file f to opts.Dest with opts.Mode.
func extractRaw(f *os.File, fi fs.FileInfo, opts Options, epoch *time.Time) error {
	dest := opts.Dest
	if strings.HasSuffix(dest, "/") || strings.HasSuffix(dest, string(filepath.Separator)) {
		dest = filepath.Join(dest, filepath.Base(f.Name()))
	} else if di, err := os.Stat(dest); err == nil && di.IsDir() {
		dest = filepath.Join(dest, filepath.Base(f.Name()))
	}
	created, err := mkdirAllTracked(filepath.Dir(dest))
	if err != nil {
		return err
	}
	mode := opts.Mode.Perm()
	if opts.Mode == 0 {
		mode = 0o644
	}
	mtime := fi.ModTime()
	if epoch != nil {
		mtime = *epoch
	}

	if err := os.Remove(dest); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, io.NewSectionReader(f, 0, fi.Size()))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Chmod(dest, mode); err != nil {
		return err
	}
	if err := os.Chtimes(dest, mtime, mtime); err != nil {
		return err
	}
	for _, d := range created {
		if err := os.Chtimes(d, mtime, mtime); err != nil {
			return err
		}
	}
	return nil
}
