package unpack

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestScanAgreesWithExtract: Scan reports every regular file Extract
// writes, with its content's start, and Selected says where strip and take
// put it; nothing is written.
func TestScanAgreesWithExtract(t *testing.T) {
	noEpoch(t)
	for _, form := range []Form{FormTarGz, FormTarXz, FormZip} {
		src := writeArchive(t, form, fixture(form != FormZip))
		var members []Member
		if err := Scan(src, Options{Form: form}, 4, func(m Member) error { members = append(members, m); return nil }); err != nil {
			t.Fatalf("%s: %v", form, err)
		}
		for _, opts := range []Options{{}, {Strip: 1}, {Strip: 1, Take: []string{"bin", "lib/libx.so.1"}}} {
			opts.Form, opts.Dest = form, filepath.Join(t.TempDir(), "out")
			if err := Extract(src, opts); err != nil {
				t.Fatal(err)
			}
			want := tree(t, opts.Dest)
			var files []string
			for _, m := range members {
				rel, ok := Selected(m.Name, opts.Strip, opts.Take)
				if !ok {
					continue
				}
				files = append(files, rel)
				if w := want[filepath.FromSlash(rel)]; !strings.HasPrefix(w, "file ") || !strings.Contains(w, " "+string(m.Head)) {
					t.Errorf("%s %+v: %s (head %q) is %q in the extracted tree", form, opts, rel, m.Head, w)
				}
			}
			var extracted []string
			for p, w := range want {
				if strings.HasPrefix(w, "file ") {
					extracted = append(extracted, filepath.ToSlash(p))
				}
			}
			slices.Sort(files)
			slices.Sort(extracted)
			if !slices.Equal(files, extracted) {
				t.Errorf("%s %+v: Scan and Selected give %v, Extract wrote %v", form, opts, files, extracted)
			}
		}
	}
	raw := writeArchive(t, FormTarGz, fixture(false))
	var got []Member
	if err := Scan(raw, Options{Form: FormRaw}, 2, func(m Member) error { got = append(got, m); return nil }); err != nil || len(got) != 1 || got[0].Name != "download" || string(got[0].Head) != "\x1f\x8b" {
		t.Errorf("raw: %+v, %v", got, err)
	}
}

func TestScanHoldsToTheCaps(t *testing.T) {
	for _, form := range []Form{FormTarGz, FormZip} {
		src := writeArchive(t, form, many(30))
		err := Scan(src, Options{MaxFiles: 10}, 4, func(Member) error { return nil })
		var le *LimitError
		if !errors.As(err, &le) || !le.Files {
			t.Errorf("%s: Scan of 30 entries with a cap of 10 = %v", form, err)
		}
	}
	err := Scan(writeArchive(t, FormTarGz, big(4<<20)), Options{MaxBytes: 1 << 20}, 4, func(Member) error { return nil })
	var le *LimitError
	if !errors.As(err, &le) || le.Files {
		t.Errorf("Scan of 4 MiB with a cap of 1 MiB = %v", err)
	}
}
