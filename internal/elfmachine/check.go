package elfmachine

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// Tree is a file or directory to check, and where it lands in the image.
type Tree struct {
	Src       string
	ImagePath string
}

// Mismatch is a file the platform does not run.
type Mismatch struct {
	// Path is where the file is in the image.
	Path   string
	Header Header
}

func (m Mismatch) String() string { return m.Path + " is " + m.Header.Describe(m.Path) }

// Check looks at every file of trees that Checked selects, reading only its
// first bytes, and returns those t does not run, in walk order. A tree that
// is a file is checked whatever its mode (a raw download, a Go tool's
// binary); symbolic links are not followed.
func Check(trees []Tree, t Target) ([]Mismatch, error) {
	var out []Mismatch
	check := func(src, image string, mode fs.FileMode) error {
		if mode&0o111 == 0 && !sharedLibraryRe.MatchString(src) {
			return nil // cannot be Checked: no need to open it
		}
		h, ok, err := readHeader(src)
		if err != nil || !ok || !Checked(src, mode, h) || t.Runs(h) {
			return err
		}
		out = append(out, Mismatch{Path: image, Header: h})
		return nil
	}
	for _, tr := range trees {
		fi, err := os.Lstat(tr.Src)
		if err != nil {
			return nil, err
		}
		switch {
		case fi.Mode().IsRegular():
			if err := check(tr.Src, tr.ImagePath, 0o755); err != nil {
				return nil, err
			}
		case fi.IsDir():
			err := filepath.WalkDir(tr.Src, func(p string, d fs.DirEntry, err error) error {
				if err != nil || !d.Type().IsRegular() {
					return err
				}
				info, err := d.Info()
				if err != nil {
					return err
				}
				rel, err := filepath.Rel(tr.Src, p)
				if err != nil {
					return err
				}
				return check(p, path.Join(tr.ImagePath, filepath.ToSlash(rel)), info.Mode())
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func readHeader(p string) (Header, bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return Header{}, false, err
	}
	defer f.Close()
	head := make([]byte, HeadSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Header{}, false, err
	}
	h, ok := Parse(head[:n])
	return h, ok, nil
}
