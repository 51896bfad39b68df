// Package unpack is a pure-Go, deterministic and path-safe extractor for the
// release archives a build downloads (zip, tar, and compressed tars).
//
// The frontend image runs it as a helper inside a BuildKit exec step (see
// [Main]) for archives that BuildKit's own FileOp unpacking cannot open.
package unpack

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
)

// Form is the container format of a downloaded file.
type Form string

// The supported forms.
const (
	FormTarGz  Form = "tar.gz"
	FormTarXz  Form = "tar.xz"
	FormTarZst Form = "tar.zst"
	FormTarBz2 Form = "tar.bz2"
	FormTar    Form = "tar"
	FormZip    Form = "zip"
	FormRaw    Form = "raw"
)

// Forms lists every supported form, in the order they are documented.
var Forms = []Form{FormTarGz, FormTarXz, FormTarZst, FormTarBz2, FormTar, FormZip, FormRaw}

// formAliases maps accepted spellings (lower case) to their canonical form.
var formAliases = map[string]Form{
	"tar.gz": FormTarGz, "tgz": FormTarGz,
	"tar.xz": FormTarXz, "txz": FormTarXz,
	"tar.zst": FormTarZst, "tzst": FormTarZst, "tar.zstd": FormTarZst,
	"tar.bz2": FormTarBz2, "tbz2": FormTarBz2, "tbz": FormTarBz2, "tar.bz": FormTarBz2,
	"tar": FormTar,
	"zip": FormZip,
	"raw": FormRaw,
}

// ParseForm returns the canonical form for s, accepting common aliases such as
// "tgz" or "tar.zstd".
func ParseForm(s string) (Form, error) {
	if f, ok := formAliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return f, nil
	}
	return "", fmt.Errorf("unknown form %q (want one of %s)", s, formList())
}

func formList() string {
	s := make([]string, len(Forms))
	for i, f := range Forms {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

// valid reports whether f is one of the canonical forms.
func (f Form) valid() bool {
	for _, g := range Forms {
		if f == g {
			return true
		}
	}
	return false
}

// DetectForm returns the form implied by filename's extension (.tar.gz/.tgz,
// .tar.xz/.txz, .tar.zst/.tzst, .tar.bz2/.tbz2, .tar, .zip). filename may be
// a path or a URL. Anything else is FormRaw with ok false.
func DetectForm(filename string) (Form, bool) {
	if strings.Contains(filename, "://") {
		// A URL: ignore its query and fragment.
		if i := strings.IndexAny(filename, "?#"); i >= 0 {
			filename = filename[:i]
		}
	}
	name := strings.ToLower(path.Base(strings.ReplaceAll(filename, "\\", "/")))
	for _, s := range []struct {
		suffix string
		form   Form
	}{
		{".tar.gz", FormTarGz}, {".tgz", FormTarGz},
		{".tar.xz", FormTarXz}, {".txz", FormTarXz},
		{".tar.zst", FormTarZst}, {".tzst", FormTarZst}, {".tar.zstd", FormTarZst},
		{".tar.bz2", FormTarBz2}, {".tbz2", FormTarBz2}, {".tbz", FormTarBz2},
		{".tar", FormTar},
		{".zip", FormZip},
	} {
		if strings.HasSuffix(name, s.suffix) && len(name) > len(s.suffix) {
			return s.form, true
		}
	}
	return FormRaw, false
}

var magics = []struct {
	magic []byte
	form  Form
}{
	{[]byte{0x1f, 0x8b}, FormTarGz},
	{[]byte{0xfd, '7', 'z', 'X', 'Z', 0x00}, FormTarXz},
	{[]byte{0x28, 0xb5, 0x2f, 0xfd}, FormTarZst},
	{[]byte{'B', 'Z', 'h'}, FormTarBz2},
	{[]byte{'P', 'K', 0x03, 0x04}, FormZip},
	{[]byte{'P', 'K', 0x05, 0x06}, FormZip}, // empty zip: end of central directory only
}

// sniffLen is how many leading bytes Sniff looks at.
const sniffLen = 512

// Sniff identifies the form of the content of r by its magic bytes: gzip,
// xz, zstd and bzip2 streams are reported as the matching compressed tar,
// zip as FormZip, and a POSIX/GNU tar ("ustar" at offset 257) as FormTar. It
// returns "" when the content is none of those.
func Sniff(r io.ReaderAt) Form {
	buf := make([]byte, sniffLen)
	n, err := r.ReadAt(buf, 0)
	if err != nil && err != io.EOF && n == 0 {
		return ""
	}
	return sniffBytes(buf[:n])
}

func sniffBytes(b []byte) Form {
	for _, m := range magics {
		if bytes.HasPrefix(b, m.magic) {
			return m.form
		}
	}
	if len(b) >= 262 && string(b[257:262]) == "ustar" {
		return FormTar
	}
	return ""
}
