package spec

import (
	"net/url"
	"strings"
)

// Artifact forms.
const (
	FormRaw    = "raw"
	FormTarGz  = "tar.gz"
	FormTarXz  = "tar.xz"
	FormTarZst = "tar.zst"
	FormTarBz2 = "tar.bz2"
	FormTar    = "tar"
	FormZip    = "zip"
)

// formTable is the one table of artifact forms: each form with the other
// spellings that name it. A file name ending in "." + a spelling has that
// form (raw has no ending). The spec's form: field takes the forms; the
// unpacker's --form takes every spelling; docs/spec.md and the JSON Schema
// list the same (tests hold them to this table).
var formTable = []struct {
	form      string
	spellings []string
}{
	{FormRaw, nil},
	{FormTarGz, []string{"tgz"}},
	{FormTarXz, []string{"txz"}},
	{FormTarZst, []string{"tzst", "tar.zstd"}},
	{FormTarBz2, []string{"tbz2", "tbz", "tar.bz"}},
	{FormTar, nil},
	{FormZip, nil},
}

// Forms lists every artifact form, in the order docs/spec.md lists them.
func Forms() []string {
	out := make([]string, len(formTable))
	for i, f := range formTable {
		out[i] = f.form
	}
	return out
}

// IsForm reports whether s is one of Forms, as the spec's form: field
// takes it.
func IsForm(s string) bool {
	for _, f := range formTable {
		if f.form == s {
			return true
		}
	}
	return false
}

// FormSuffixes returns the file name endings that imply form: ".tar.gz" and
// ".tgz" for tar.gz; none for raw.
func FormSuffixes(form string) []string {
	for _, f := range formTable {
		if f.form == form && f.form != FormRaw {
			out := []string{"." + f.form}
			for _, s := range f.spellings {
				out = append(out, "."+s)
			}
			return out
		}
	}
	return nil
}

// FormOf returns the form a spelling names, case-insensitively ("tgz" and
// "TAR.GZ" are tar.gz), and false for no form.
func FormOf(spelling string) (string, bool) {
	s := strings.ToLower(strings.TrimSpace(spelling))
	for _, f := range formTable {
		if s == f.form {
			return f.form, true
		}
		for _, sp := range f.spellings {
			if s == sp {
				return f.form, true
			}
		}
	}
	return "", false
}

// FormFromName infers an artifact's form from a file name, a path or a URL
// (whose query and fragment are ignored): the form whose suffix ends its
// last element, case-insensitively. A name that is nothing but a suffix
// (".zip"), or ends in none, is raw.
func FormFromName(name string) string {
	if strings.Contains(name, "://") {
		if u, err := url.Parse(name); err == nil {
			name = u.Path
		} else if i := strings.IndexAny(name, "?#"); i >= 0 {
			name = name[:i]
		}
	}
	base := strings.ToLower(name[strings.LastIndexByte(name, '/')+1:])
	for _, s := range suffixes {
		if len(base) > len(s.suffix) && strings.HasSuffix(base, s.suffix) {
			return s.form
		}
	}
	return FormRaw
}

// suffixes are the file name endings of formTable, in its order.
var suffixes = func() []struct{ suffix, form string } {
	var out []struct{ suffix, form string }
	for _, f := range formTable {
		for _, s := range FormSuffixes(f.form) {
			out = append(out, struct{ suffix, form string }{s, f.form})
		}
	}
	return out
}()
