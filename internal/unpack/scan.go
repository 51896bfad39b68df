package unpack

import (
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
)

// Member is a regular file of an archive, as Scan reports it.
type Member struct {
	// Name is the entry's cleaned path in the archive, before strip.
	Name string
	Mode fs.FileMode
	// Head is the start of the content, up to the length Scan was asked for.
	Head []byte
}

// Scan reads the archive src (a raw file too) without writing anything and
// calls fn with each regular file and the first headLen bytes of its content;
// a hard link is reported with the content of its target. It holds the
// archive to opts.MaxBytes and opts.MaxFiles; the other options are
// ignored (see Selected).
func Scan(src string, opts Options, headLen int, fn func(Member) error) error {
	f, fi, form, err := openSource(src, opts.Form)
	if err != nil {
		return err
	}
	defer f.Close()
	if form == FormRaw {
		b, err := readHead(f, headLen)
		if err != nil {
			return err
		}
		return fn(Member{Name: filepath.Base(src), Mode: 0o755, Head: b})
	}
	// An extractor that writes nothing: its bookkeeping (names, hard
	// links, caps) is the one Extract applies.
	x := &extractor{data: map[string]int{}}
	x.maxBytes, x.maxFiles = opts.limits()
	heads := map[int]Member{}
	report := func(e *entry) error {
		name, err := cleanName(e.name)
		if err != nil || name == "" {
			return err
		}
		if x.files++; x.files > x.maxFiles {
			return &LimitError{Files: true, Limit: int64(x.maxFiles)}
		}
		switch e.kind {
		case kindFile:
			x.data[name] = e.index
			r, err := e.open()
			if err != nil {
				return err
			}
			b, err := readHead(r, headLen)
			r.Close()
			if err != nil {
				return fmt.Errorf("entry %q: %w", e.name, err)
			}
			m := Member{Name: name, Mode: e.mode, Head: b}
			heads[e.index] = m
			return fn(m)
		case kindLink:
			target, err := cleanName(e.linkname)
			if err != nil {
				return err
			}
			if i, ok := x.data[target]; ok {
				x.data[name] = i
				return fn(Member{Name: name, Mode: heads[i].Mode, Head: heads[i].Head})
			}
		default:
			delete(x.data, name)
		}
		return nil
	}
	if form == FormZip {
		return x.scanZip(f, fi.Size(), report)
	}
	return x.tarPass(io.NewSectionReader(f, 0, fi.Size()), form, report)
}

func readHead(r io.Reader, n int) ([]byte, error) {
	b := make([]byte, n)
	got, err := io.ReadFull(r, b)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return b[:got], err
}

// Selected is where an entry named name lands under the tool's dest after
// strip and take, as Extract installs it; ok is false when it is not
// installed.
func Selected(name string, strip int, take []string) (rel string, ok bool) {
	name, err := cleanName(name)
	if err != nil || name == "" {
		return "", false
	}
	if rel, ok = stripPath(name, strip); !ok {
		return "", false
	}
	takes, err := cleanTakes(take)
	if err != nil {
		return "", false
	}
	if len(takes) == 0 {
		return rel, true
	}
	for _, t := range takes {
		if under(rel, t) {
			return rel, true
		}
	}
	return "", false
}
