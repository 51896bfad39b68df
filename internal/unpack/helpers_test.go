package unpack

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	dsbzip2 "github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// fent is one archive entry of a test fixture.
type fent struct {
	name string
	kind kind
	mode fs.FileMode // permission bits
	body string      // file content
	link string      // symlink or hard link target
	time time.Time   // zero: fixtureTime
}

var fixtureTime = time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)

// fixture is a typical release archive: a top directory, nested
// directories (one only implied), an executable, symlinks and a hard link.
func fixture(hardlinks bool) []fent {
	ents := []fent{
		{name: "proj-1.0/", kind: kindDir, mode: 0o755},
		{name: "proj-1.0/bin/", kind: kindDir, mode: 0o755},
		{name: "proj-1.0/bin/tool", kind: kindFile, mode: 0o755, body: "#!/bin/sh\necho tool\n"},
		{name: "proj-1.0/bin/tool-link", kind: kindSymlink, mode: 0o777, link: "tool"},
		{name: "proj-1.0/include/", kind: kindDir, mode: 0o755},
		{name: "proj-1.0/include/google/protobuf/", kind: kindDir, mode: 0o755},
		{name: "proj-1.0/include/google/protobuf/a.proto", kind: kindFile, mode: 0o644, body: "syntax = \"proto3\";\n"},
		{name: "proj-1.0/lib/", kind: kindDir, mode: 0o750},
		{name: "proj-1.0/lib/libx.so.1", kind: kindFile, mode: 0o644, body: "\x7fELF lib"},
		{name: "proj-1.0/lib/libx.so", kind: kindSymlink, mode: 0o777, link: "libx.so.1"},
		{name: "proj-1.0/readme.txt", kind: kindFile, mode: 0o600, body: "read me\n", time: fixtureTime.Add(time.Hour)},
	}
	if hardlinks {
		ents = append(ents, fent{name: "proj-1.0/bin/tool2", kind: kindLink, mode: 0o755, link: "proj-1.0/bin/tool"})
	}
	return ents
}

func (e fent) mtime() time.Time {
	if e.time.IsZero() {
		return fixtureTime
	}
	return e.time
}

func tarBytes(t testing.TB, ents []fent) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range ents {
		h := &tar.Header{Name: e.name, Mode: int64(e.mode), ModTime: e.mtime(), Linkname: e.link, Format: tar.FormatPAX}
		switch e.kind {
		case kindFile:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.body))
		case kindDir:
			h.Typeflag = tar.TypeDir
		case kindSymlink:
			h.Typeflag = tar.TypeSymlink
		case kindLink:
			h.Typeflag = tar.TypeLink
		case kindOther:
			h.Typeflag = tar.TypeFifo
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.kind == kindFile {
			if _, err := io.WriteString(tw, e.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipBytes(t testing.TB, ents []fent) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range ents {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: e.mtime()}
		body := e.body
		switch e.kind {
		case kindFile:
			h.SetMode(e.mode)
		case kindDir:
			h.Method = zip.Store
			h.SetMode(fs.ModeDir | e.mode)
		case kindSymlink:
			h.SetMode(fs.ModeSymlink | e.mode)
			body = e.link
		default:
			t.Fatalf("zip fixture cannot hold %s", e.name)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func compress(t testing.TB, form Form, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	var err error
	switch form {
	case FormTar:
		return data
	case FormTarGz:
		w = gzip.NewWriter(&buf)
	case FormTarXz:
		w, err = xz.NewWriter(&buf)
	case FormTarZst:
		w, err = zstd.NewWriter(&buf)
	case FormTarBz2:
		w, err = dsbzip2.NewWriter(&buf, nil)
	default:
		t.Fatalf("no compressor for %s", form)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// archive builds ents as form and returns its contents.
func archive(t testing.TB, form Form, ents []fent) []byte {
	t.Helper()
	if form == FormZip {
		return zipBytes(t, ents)
	}
	return compress(t, form, tarBytes(t, ents))
}

// writeArchive writes an archive of ents in form to a fresh directory and
// returns its path.
func writeArchive(t testing.TB, form Form, ents []fent) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "download")
	if err := os.WriteFile(p, archive(t, form, ents), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// tree describes every path under dir: "dir 0755", "file 0644 <content>",
// "link -> target".
func tree(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.IsDir():
			out[rel] = fmt.Sprintf("dir %04o", fi.Mode().Perm())
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = "link -> " + target
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = fmt.Sprintf("file %04o %s", fi.Mode().Perm(), b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func diffTrees(got, want map[string]string) string {
	var b strings.Builder
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		g, gok := got[k]
		w, wok := want[k]
		switch {
		case !gok:
			fmt.Fprintf(&b, "missing %s: want %q\n", k, w)
		case !wok:
			fmt.Fprintf(&b, "unexpected %s: %q\n", k, g)
		case g != w:
			fmt.Fprintf(&b, "%s: got %q, want %q\n", k, g, w)
		}
	}
	return b.String()
}

// mtimes returns the modification time of every path under dir (itself
// included as "."), not following symlinks.
func mtimes(t testing.TB, dir string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = fi.ModTime()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// noEpoch makes sure SOURCE_DATE_EPOCH from the environment does not leak
// into a test.
func noEpoch(t *testing.T) {
	t.Setenv(EnvSourceDateEpoch, "")
}

// rawZip writes zip entries with explicit creator host and attributes.
type rawZip struct{ w *zip.Writer }

func newZipWriter(w io.Writer) *rawZip { return &rawZip{zip.NewWriter(w)} }

func (z *rawZip) add(t testing.TB, name string, creator uint16, attrs uint32, body string) {
	t.Helper()
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: fixtureTime, CreatorVersion: creator, ExternalAttrs: attrs}
	w, err := z.w.CreateHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, body); err != nil {
		t.Fatal(err)
	}
}

func (z *rawZip) close(t testing.TB) {
	t.Helper()
	if err := z.w.Close(); err != nil {
		t.Fatal(err)
	}
}
