package spec

import "strings"

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

var forms = map[string]bool{FormRaw: true, FormTarGz: true, FormTarXz: true, FormTarZst: true, FormTarBz2: true, FormTar: true, FormZip: true}

// FormFromName infers an artifact's form from its file name.
func FormFromName(name string) string {
	n := strings.ToLower(name)
	for _, s := range []struct{ suffix, form string }{
		{".tar.gz", FormTarGz}, {".tgz", FormTarGz},
		{".tar.xz", FormTarXz}, {".txz", FormTarXz},
		{".tar.zst", FormTarZst}, {".tzst", FormTarZst},
		{".tar.bz2", FormTarBz2}, {".tbz2", FormTarBz2},
		{".tar", FormTar}, {".zip", FormZip},
	} {
		if strings.HasSuffix(n, s.suffix) {
			return s.form
		}
	}
	return FormRaw
}
