package unpack

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// FuzzExtract feeds arbitrary bytes to Extract as zip, tar.gz and tar: it
// must never panic, and must never write outside Dest.
func FuzzExtract(f *testing.F) {
	evil := []fent{
		{name: "top/", kind: kindDir, mode: 0o755},
		{name: "top/l", kind: kindSymlink, link: ".."},
		{name: "top/l/x", kind: kindFile, mode: 0o644, body: "x"},
		{name: "../x", kind: kindFile, mode: 0o644, body: "x"},
	}
	links := []fent{
		{name: "a/f", kind: kindFile, mode: 0o755, body: "data"},
		{name: "a/h", kind: kindLink, link: "a/f"},
		{name: "b/h", kind: kindLink, link: "a/h"},
	}
	for _, form := range []Form{FormZip, FormTarGz, FormTar} {
		f.Add(archive(f, form, fixture(form != FormZip)))
		f.Add(archive(f, form, evil[:3]))
		f.Add(archive(f, form, evil[3:]))
	}
	f.Add(archive(f, FormTarGz, links))
	f.Add(archive(f, FormTar, links))
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		t.Setenv(EnvSourceDateEpoch, "")
		base := t.TempDir()
		src := filepath.Join(base, "src")
		if err := os.WriteFile(src, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var dests []string
		for _, form := range []Form{FormZip, FormTarGz, FormTar} {
			for _, opts := range []Options{
				{Form: form},
				{Form: form, Strip: 1, Take: []string{"a"}},
			} {
				opts.Dest = filepath.Join(base, "d", strconv.Itoa(len(dests)))
				opts.MaxBytes = 1 << 22
				dests = append(dests, opts.Dest)
				_ = Extract(src, opts)
			}
		}
		assertContained(t, base, dests...)
	})
}
