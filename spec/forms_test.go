package spec

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestFormFromName(t *testing.T) {
	for name, want := range map[string]string{
		"helm-v3.16.0-linux-amd64.tar.gz": FormTarGz,
		"x.TGZ":                           FormTarGz,
		"x.tar.xz":                        FormTarXz,
		"x.txz":                           FormTarXz,
		"x.tar.zst":                       FormTarZst,
		"x.tzst":                          FormTarZst,
		"x.tar.zstd":                      FormTarZst,
		"x.tar.bz2":                       FormTarBz2,
		"x.tbz2":                          FormTarBz2,
		"x.tbz":                           FormTarBz2,
		"x.tar.bz":                        FormTarBz2,
		"x.tar":                           FormTar,
		"protoc-25.1-linux-x86_64.zip":    FormZip,
		"/in/protoc.zip":                  FormZip,
		"https://example.com/dl/x.tar.xz": FormTarXz,
		"https://example.com/x.zip?raw=true#frag": FormZip,
		"https://example.com/download?file=x.zip": FormRaw,
		"https://example.zip":                     FormRaw,
		"kubectl":                                 FormRaw,
		"x.gz":                                    FormRaw,
		".zip":                                    FormRaw,
		"/in/.tar.gz":                             FormRaw,
		"":                                        FormRaw,
	} {
		if got := FormFromName(name); got != want {
			t.Errorf("FormFromName(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestFormSpellings: every spelling names its form, and is the suffix
// that implies it.
func TestFormSpellings(t *testing.T) {
	for _, f := range formTable {
		for _, s := range append([]string{f.form}, f.spellings...) {
			if got, ok := FormOf(strings.ToUpper(s)); !ok || got != f.form {
				t.Errorf("FormOf(%q) = %q, %v; want %q", strings.ToUpper(s), got, ok, f.form)
			}
			if f.form != FormRaw && FormFromName("x."+s) != f.form {
				t.Errorf("FormFromName(x.%s) = %q, want %q", s, FormFromName("x."+s), f.form)
			}
		}
	}
	if _, ok := FormOf("rar"); ok {
		t.Error(`FormOf("rar") is a form`)
	}
	if IsForm("tgz") || !IsForm(FormTarGz) {
		t.Error("IsForm takes the forms only, not their other spellings")
	}
}

// TestFormsDocumented: docs/spec.md's form section lists every form and
// every file name ending of the table, no more.
func TestFormsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(doc)
	section = section[strings.Index(section, "\n### `form`\n"):]
	section = section[:strings.Index(section[1:], "\n### ")]
	row := regexp.MustCompile("(?m)^\\| (`[^|]*`) \\| `([a-z.0-9]+)` \\|$")
	documented := map[string][]string{}
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		for _, s := range strings.Split(m[1], ", ") {
			documented[m[2]] = append(documented[m[2]], strings.Trim(s, "`"))
		}
	}
	for _, f := range Forms() {
		if got, want := documented[f], FormSuffixes(f); !slices.Equal(got, want) {
			t.Errorf("docs/spec.md lists the endings %q for %s, want %q", got, f, want)
		}
		delete(documented, f)
	}
	if len(documented) > 0 {
		t.Errorf("docs/spec.md lists forms the table does not know: %v", documented)
	}
	var quoted []string
	for _, f := range Forms() {
		quoted = append(quoted, "`"+f+"`")
	}
	if want := "Allowed values: " + strings.Join(quoted, ", ") + "."; !strings.Contains(section, want) {
		t.Errorf("docs/spec.md's form section does not say %q", want)
	}
}
