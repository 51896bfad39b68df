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
	"strings"

	"github.com/maistra/builder-frontend/spec"
)

// Form is the container format of a downloaded file: one of spec.Forms.
type Form string

// The supported forms: the spec package holds the table of forms and their
// spellings, so the unpacker and the spec accept the same names.
const (
	FormTarGz  Form = spec.FormTarGz
	FormTarXz  Form = spec.FormTarXz
	FormTarZst Form = spec.FormTarZst
	FormTarBz2 Form = spec.FormTarBz2
	FormTar    Form = spec.FormTar
	FormZip    Form = spec.FormZip
	FormRaw    Form = spec.FormRaw
)

// Forms lists every supported form, in the order they are documented.
var Forms = func() []Form {
	var out []Form
	for _, f := range spec.Forms() {
		out = append(out, Form(f))
	}
	return out
}()

// ParseForm returns the canonical form for s, accepting every spelling of
// the spec's table, such as "tgz" or "tar.zstd".
func ParseForm(s string) (Form, error) {
	if f, ok := spec.FormOf(s); ok {
		return Form(f), nil
	}
	return "", fmt.Errorf("unknown form %q (want one of %s)", s, formList())
}

func formList() string { return strings.Join(spec.Forms(), ", ") }

// DetectForm returns the form implied by filename's extension (the file
// name endings of docs/spec.md's form table). filename may be a path or a
// URL. Anything else is FormRaw with ok false.
func DetectForm(filename string) (Form, bool) {
	f := Form(spec.FormFromName(strings.ReplaceAll(filename, "\\", "/")))
	return f, f != FormRaw
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
