package unpack

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maistra/builder-frontend/spec"
)

var archiveForms = []Form{FormTarGz, FormTarXz, FormTarZst, FormTarBz2, FormTar, FormZip}

// wantStrip1 is the fixture extracted with strip 1.
func wantStrip1(hardlinks bool) map[string]string {
	w := map[string]string{
		"bin":                             "dir 0755",
		"bin/tool":                        "file 0755 #!/bin/sh\necho tool\n",
		"bin/tool-link":                   "link -> tool",
		"include":                         "dir 0755",
		"include/google":                  "dir 0755",
		"include/google/protobuf":         "dir 0755",
		"include/google/protobuf/a.proto": "file 0644 syntax = \"proto3\";\n",
		"lib":                             "dir 0750",
		"lib/libx.so.1":                   "file 0644 \x7fELF lib",
		"lib/libx.so":                     "link -> libx.so.1",
		"readme.txt":                      "file 0600 read me\n",
	}
	if hardlinks {
		w["bin/tool2"] = w["bin/tool"]
	}
	return w
}

func TestExtractForms(t *testing.T) {
	for _, form := range archiveForms {
		t.Run(string(form), func(t *testing.T) {
			noEpoch(t)
			hardlinks := form != FormZip
			src := writeArchive(t, form, fixture(hardlinks))
			dest := filepath.Join(t.TempDir(), "out")
			if err := Extract(src, Options{Form: form, Strip: 1, Dest: dest}); err != nil {
				t.Fatal(err)
			}
			if d := diffTrees(tree(t, dest), wantStrip1(hardlinks)); d != "" {
				t.Error(d)
			}
			if hardlinks {
				a, _ := os.Stat(filepath.Join(dest, "bin/tool"))
				b, _ := os.Stat(filepath.Join(dest, "bin/tool2"))
				if !os.SameFile(a, b) {
					t.Error("bin/tool2 is not a hard link to bin/tool")
				}
			}
			// Times come from the archive; the implied include/google and
			// the created Dest get the newest entry time.
			mt := mtimes(t, dest)
			for rel, want := range map[string]time.Time{
				"bin/tool":       fixtureTime,
				"bin/tool-link":  fixtureTime,
				"lib":            fixtureTime,
				"readme.txt":     fixtureTime.Add(time.Hour),
				"include/google": fixtureTime.Add(time.Hour),
				".":              fixtureTime.Add(time.Hour),
			} {
				if !mt[rel].Equal(want) {
					t.Errorf("mtime of %s = %v, want %v", rel, mt[rel], want)
				}
			}
		})
	}
}

func TestStripTake(t *testing.T) {
	tests := []struct {
		name    string
		strip   int
		take    []string
		want    []string // paths expected in Dest (all of them)
		wantErr string
	}{
		{
			name: "everything",
			want: []string{"proj-1.0", "proj-1.0/bin", "proj-1.0/bin/tool", "proj-1.0/bin/tool-link",
				"proj-1.0/include", "proj-1.0/include/google", "proj-1.0/include/google/protobuf",
				"proj-1.0/include/google/protobuf/a.proto", "proj-1.0/lib", "proj-1.0/lib/libx.so.1",
				"proj-1.0/lib/libx.so", "proj-1.0/readme.txt"},
		},
		{
			name:  "file and subtree",
			strip: 1,
			take:  []string{"bin/tool", "include/"},
			want: []string{"bin", "bin/tool", "include", "include/google", "include/google/protobuf",
				"include/google/protobuf/a.proto"},
		},
		{
			name:  "take with ./ and a symlink",
			strip: 1,
			take:  []string{"./lib/libx.so"},
			want:  []string{"lib", "lib/libx.so"},
		},
		{
			name:  "strip 2",
			strip: 2,
			want: []string{"tool", "tool-link", "google", "google/protobuf", "google/protobuf/a.proto",
				"libx.so.1", "libx.so"},
		},
		{
			name:  "take after strip 3",
			strip: 3,
			take:  []string{"protobuf/a.proto"},
			want:  []string{"protobuf", "protobuf/a.proto"},
		},
		{
			name:    "missing take lists top-level entries",
			strip:   1,
			take:    []string{"bin/tool", "bin/protoc"},
			wantErr: `take path "bin/protoc" not found in the archive (paths are relative after strip 1); top-level entries: "bin/", "include/", "lib/", "readme.txt"`,
		},
		{
			name:    "take before strip",
			take:    []string{"bin", "include"},
			wantErr: `take paths "bin", "include" not found in the archive; top-level entries: "proj-1.0/"`,
		},
		{
			name:    "strip too deep",
			strip:   6,
			wantErr: `nothing to extract: no entry has more than 6 path components, so strip 6 leaves nothing; top-level entries before strip: "proj-1.0/"`,
		},
		{
			name:    "take escaping",
			take:    []string{"../etc"},
			wantErr: `take path "../etc" must not leave the archive`,
		},
		{
			name:    "take absolute",
			take:    []string{"/bin"},
			wantErr: `take path "/bin" must be relative`,
		},
		{
			name:    "negative strip",
			strip:   -1,
			wantErr: "strip must not be negative",
		},
	}
	for _, form := range []Form{FormTarGz, FormZip} {
		src := writeArchive(t, form, fixture(false))
		for _, tc := range tests {
			t.Run(string(form)+"/"+tc.name, func(t *testing.T) {
				noEpoch(t)
				dest := t.TempDir()
				err := Extract(src, Options{Form: form, Strip: tc.strip, Take: tc.take, Dest: dest})
				if tc.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
						t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got := tree(t, dest)
				want := map[string]string{}
				for _, p := range tc.want {
					want[p] = "present"
				}
				for p := range got {
					got[p] = "present"
				}
				if d := diffTrees(got, want); d != "" {
					t.Error(d)
				}
			})
		}
	}
}

func TestHardlinkToFilteredContent(t *testing.T) {
	ents := []fent{
		{name: "top/a/data", kind: kindFile, mode: 0o640, body: "payload"},
		{name: "top/b/link", kind: kindLink, link: "top/a/data"},
		{name: "top/b/link2", kind: kindLink, link: "top/b/link"},
		{name: "top/b/other", kind: kindFile, mode: 0o644, body: "other"},
		{name: "README", kind: kindFile, mode: 0o644, body: "stripped away"},
		{name: "top/c", kind: kindLink, link: "README"},
	}
	src := writeArchive(t, FormTarGz, ents)
	dest := t.TempDir()
	noEpoch(t)
	if err := Extract(src, Options{Strip: 1, Take: []string{"b", "c"}, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"b":       "dir 0755",
		"b/link":  "file 0640 payload",
		"b/link2": "file 0640 payload",
		"b/other": "file 0644 other",
		"c":       "file 0644 stripped away",
	}
	if d := diffTrees(tree(t, dest), want); d != "" {
		t.Error(d)
	}
	a, _ := os.Stat(filepath.Join(dest, "b/link"))
	b, _ := os.Stat(filepath.Join(dest, "b/link2"))
	if !os.SameFile(a, b) {
		t.Error("b/link2 is not a hard link to b/link")
	}
}

func TestUnsafeEntries(t *testing.T) {
	file := func(name string) fent { return fent{name: name, kind: kindFile, mode: 0o644, body: "x"} }
	tests := []struct {
		name    string
		ents    []fent
		zip     bool // also as zip
		wantErr string
	}{
		{"dotdot", []fent{file("top/ok"), file("../evil")}, true, `entry "../evil": path escapes the destination`},
		{"inner dotdot", []fent{file("top/../../evil")}, true, `entry "top/../../evil": path escapes the destination`},
		{"absolute", []fent{file("/tmp/evil")}, true, `entry "/tmp/evil": absolute path escapes the destination`},
		{"through symlink", []fent{
			{name: "top/link", kind: kindSymlink, link: "/tmp"},
			file("top/link/evil"),
		}, true, `entry "top/link/evil": refusing to write through symbolic link "top/link"`},
		{"through relative symlink", []fent{
			{name: "top/", kind: kindDir, mode: 0o755},
			{name: "top/up", kind: kindSymlink, link: ".."},
			file("top/up/evil"),
		}, true, `entry "top/up/evil": refusing to write through symbolic link "top/up"`},
		{"through nested symlink", []fent{
			{name: "a/b", kind: kindSymlink, link: "../.."},
			{name: "a/b/c/", kind: kindDir, mode: 0o755},
		}, true, `entry "a/b/c/": refusing to write through symbolic link "a/b"`},
		{"symlink replacing dir", []fent{
			file("d/f"),
			{name: "d", kind: kindSymlink, link: "/tmp"},
			file("d/g"),
		}, true, `entry "d": would replace directory "d"`},
		{"hard link out", []fent{
			{name: "top/h", kind: kindLink, link: "../../etc/passwd"},
		}, false, `entry "top/h": hard link target "../../etc/passwd" is not a path inside the archive`},
		{"hard link absolute", []fent{
			{name: "top/h", kind: kindLink, link: "/etc/passwd"},
		}, false, `entry "top/h": hard link target "/etc/passwd" is not a path inside the archive`},
		{"hard link to later entry", []fent{
			{name: "top/h", kind: kindLink, link: "top/f"},
			file("top/f"),
		}, false, `entry "top/h": hard link to "top/f", which is not a regular file earlier in the archive`},
	}
	for _, tc := range tests {
		forms := []Form{FormTar}
		if tc.zip {
			forms = append(forms, FormZip)
		}
		for _, form := range forms {
			t.Run(string(form)+"/"+tc.name, func(t *testing.T) {
				base := t.TempDir()
				src := filepath.Join(base, "src")
				if err := os.WriteFile(src, archive(t, form, tc.ents), 0o644); err != nil {
					t.Fatal(err)
				}
				dest := filepath.Join(base, "a", "b", "dest")
				err := Extract(src, Options{Form: form, Dest: dest})
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				assertContained(t, base, dest)
			})
		}
	}

	t.Run("existing symlink in dest", func(t *testing.T) {
		base := t.TempDir()
		outside := filepath.Join(base, "outside")
		dest := filepath.Join(base, "dest")
		for _, d := range []string{outside, dest} {
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Symlink(outside, filepath.Join(dest, "pre")); err != nil {
			t.Fatal(err)
		}
		src := writeArchive(t, FormTarGz, []fent{file("pre/evil")})
		err := Extract(src, Options{Dest: dest})
		if err == nil || !strings.Contains(err.Error(), `entry "pre/evil": refusing to write through symbolic link "pre"`) {
			t.Fatalf("err = %v", err)
		}
		if entries, _ := os.ReadDir(outside); len(entries) != 0 {
			t.Errorf("wrote into %s: %v", outside, entries)
		}
	})
}

// assertContained fails if anything other than the "src" file, the dests
// and the directories leading to them exists under base.
func assertContained(t *testing.T, base string, dests ...string) {
	t.Helper()
	allowed := map[string]bool{}
	for _, dest := range dests {
		for d := dest; d != base && d != filepath.Dir(d); d = filepath.Dir(d) {
			allowed[d] = true
		}
	}
	inDest := func(p string) bool {
		for _, dest := range dests {
			if strings.HasPrefix(p, dest+string(filepath.Separator)) {
				return true
			}
		}
		return false
	}
	filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if p == base || err != nil {
			return err
		}
		if !allowed[p] && p != filepath.Join(base, "src") && !inDest(p) {
			t.Errorf("extraction escaped Dest: %s exists", p)
		}
		return nil
	})
}

func TestWrongForm(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tgz := write("a.tar.gz", archive(t, FormTarGz, fixture(false)))
	zip := write("a.zip", archive(t, FormZip, fixture(false)))
	tar := write("a.tar", archive(t, FormTar, fixture(false)))
	html := write("a.html", []byte("<!DOCTYPE html>\n<html><body>Not Found</body></html>"))
	empty := write("empty", nil)

	tests := []struct {
		src     string
		form    Form
		wantErr string
	}{
		{tgz, FormZip, "archive is tar.gz but the spec says zip: set form: tar.gz on the tool"},
		{zip, FormTarXz, "archive is zip but the spec says tar.xz: set form: zip on the tool"},
		{tar, FormTarGz, "archive is tar but the spec says tar.gz: set form: tar on the tool"},
		{tgz, FormTarZst, "archive is tar.gz but the spec says tar.zst: set form: tar.gz on the tool"},
		{html, FormZip, `content is not a zip archive (it starts with "<!DOCTYPE html>\n<html><b"): fix the URL, or set form: raw`},
		{empty, FormTarGz, "content is not a tar.gz archive (it starts with nothing: the file is empty)"},
		{html, "", "cannot tell what kind of archive"},
		{html, "rar", `unknown form "rar"`},
		{html, FormTar, "reading tar:"},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.src)+"/"+string(tc.form), func(t *testing.T) {
			err := Extract(tc.src, Options{Form: tc.form, Dest: t.TempDir()})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}

	t.Run("sniffed when form is empty", func(t *testing.T) {
		dest := t.TempDir()
		if err := Extract(zip, Options{Dest: dest, Strip: 1, Take: []string{"bin/tool"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dest, "bin/tool")); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRaw(t *testing.T) {
	noEpoch(t)
	base := t.TempDir()
	src := filepath.Join(base, "protoc-gen-go")
	content := []byte("\x7fELF binary")
	if err := os.WriteFile(src, content, 0o600); err != nil {
		t.Fatal(err)
	}
	srcTime := time.Date(2022, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(src, srcTime, srcTime); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(base, "existing")
	if err := os.Mkdir(existing, 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		dest  string
		mode  os.FileMode
		want  string
		wantM os.FileMode
	}{
		{"existing dir", existing, 0o755, "existing/protoc-gen-go", 0o755},
		{"trailing slash", filepath.Join(base, "new", "bin") + "/", 0o750, "new/bin/protoc-gen-go", 0o750},
		{"file path", filepath.Join(base, "usr", "bin", "pgg"), 0o755, "usr/bin/pgg", 0o755},
		{"default mode", filepath.Join(base, "plain"), 0, "plain", 0o644},
		{"overwrite", filepath.Join(base, "plain"), 0o700, "plain", 0o700},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := Extract(src, Options{Form: FormRaw, Dest: tc.dest, Mode: tc.mode}); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(base, tc.want)
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode() != tc.wantM {
				t.Errorf("mode = %v, want %v", fi.Mode(), tc.wantM)
			}
			if !fi.ModTime().Equal(srcTime) {
				t.Errorf("mtime = %v, want %v", fi.ModTime(), srcTime)
			}
			if b, _ := os.ReadFile(p); !bytes.Equal(b, content) {
				t.Errorf("content = %q", b)
			}
		})
	}

	t.Run("epoch", func(t *testing.T) {
		t.Setenv(EnvSourceDateEpoch, "1700000000")
		dest := filepath.Join(base, "epoch", "x")
		if err := Extract(src, Options{Form: FormRaw, Dest: dest, Mode: 0o755}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{dest, filepath.Dir(dest)} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.ModTime().Unix() != 1700000000 {
				t.Errorf("mtime of %s = %v", p, fi.ModTime())
			}
		}
	})

	t.Run("take rejected", func(t *testing.T) {
		err := Extract(src, Options{Form: FormRaw, Dest: base + "/", Take: []string{"x"}})
		if err == nil || !strings.Contains(err.Error(), "do not apply to form raw") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestSourceDateEpoch(t *testing.T) {
	for _, form := range archiveForms {
		t.Run(string(form), func(t *testing.T) {
			t.Setenv(EnvSourceDateEpoch, "1700000000")
			want := time.Unix(1700000000, 0)
			src := writeArchive(t, form, fixture(form != FormZip))
			base := t.TempDir()
			dest := filepath.Join(base, "out", "usr", "local")
			if err := Extract(src, Options{Form: form, Strip: 1, Take: []string{"bin", "include/google"}, Dest: dest}); err != nil {
				t.Fatal(err)
			}
			mt := mtimes(t, filepath.Join(base, "out"))
			if len(mt) < 8 {
				t.Fatalf("too few paths: %v", mt)
			}
			for rel, got := range mt {
				if !got.Equal(want) {
					t.Errorf("mtime of %s = %v, want %v", rel, got, want)
				}
			}
		})
	}

	t.Run("invalid", func(t *testing.T) {
		t.Setenv(EnvSourceDateEpoch, "yesterday")
		src := writeArchive(t, FormTar, fixture(false))
		err := Extract(src, Options{Dest: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), `invalid SOURCE_DATE_EPOCH "yesterday"`) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestReproducible(t *testing.T) {
	noEpoch(t)
	src := writeArchive(t, FormTarZst, fixture(true))
	var runs [2]map[string]string
	for i := range runs {
		dest := filepath.Join(t.TempDir(), "out")
		if err := Extract(src, Options{Dest: dest}); err != nil {
			t.Fatal(err)
		}
		runs[i] = tree(t, dest)
		for rel, mt := range mtimes(t, dest) {
			runs[i][rel] += " @" + mt.String()
		}
	}
	if d := diffTrees(runs[1], runs[0]); d != "" {
		t.Error(d)
	}
}

func TestZipModes(t *testing.T) {
	noEpoch(t)
	var buf bytes.Buffer
	zw := newZipWriter(&buf)
	// Written on Windows (FAT host): no Unix mode.
	zw.add(t, "win/", 0<<8, 0x10, "")
	zw.add(t, "win/tool.exe", 0<<8, 0x20, "MZ")
	// Unix host with a mode.
	zw.add(t, "unix/run", 3<<8, uint32(0o100750)<<16, "run")
	zw.add(t, "unix/ro", 3<<8, uint32(0o100400)<<16, "ro")
	// Unix host but only the file type, no permission bits.
	zw.add(t, "unix/noperm", 3<<8, uint32(0o100000)<<16, "np")
	zw.close(t)
	src := filepath.Join(t.TempDir(), "a.zip")
	if err := os.WriteFile(src, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dest := t.TempDir()
	if err := Extract(src, Options{Form: FormZip, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"win":          "dir 0755",
		"win/tool.exe": "file 0644 MZ",
		"unix":         "dir 0755",
		"unix/run":     "file 0750 run",
		"unix/ro":      "file 0400 ro",
		"unix/noperm":  "file 0644 np",
	}
	if d := diffTrees(tree(t, dest), want); d != "" {
		t.Error(d)
	}
}

func TestSkipsSpecialFiles(t *testing.T) {
	noEpoch(t)
	src := writeArchive(t, FormTar, []fent{
		{name: "top/fifo", kind: kindOther, mode: 0o644},
		{name: "top/f", kind: kindFile, mode: 0o644, body: "f"},
	})
	dest := t.TempDir()
	if err := Extract(src, Options{Dest: dest, Strip: 1}); err != nil {
		t.Fatal(err)
	}
	if d := diffTrees(tree(t, dest), map[string]string{"f": "file 0644 f"}); d != "" {
		t.Error(d)
	}
}

func TestDetectForm(t *testing.T) {
	tests := []struct {
		name string
		want Form
		ok   bool
	}{
		{"protoc-25.1-linux-x86_64.zip", FormZip, true},
		{"helm-v3.14.0-linux-amd64.tar.gz", FormTarGz, true},
		{"x.TGZ", FormTarGz, true},
		{"https://example.com/dl/x.tar.xz", FormTarXz, true},
		{"x.txz", FormTarXz, true},
		{"x.tar.zst", FormTarZst, true},
		{"x.tzst", FormTarZst, true},
		{"x.tar.bz2", FormTarBz2, true},
		{"x.tbz2", FormTarBz2, true},
		{"x.tbz", FormTarBz2, true},
		{"x.tar.bz", FormTarBz2, true},
		{"x.tar.zstd", FormTarZst, true},
		{`C:\dl\x.tar`, FormTar, true},
		{"/in/.tar.gz", FormRaw, false},
		{"x.tar", FormTar, true},
		{"kubectl", FormRaw, false},
		{"x.gz", FormRaw, false},
		{".zip", FormRaw, false},
		{"https://example.com/x.zip?raw=true#frag", FormZip, true},
		{"https://example.com/download?file=x.zip", FormRaw, false},
	}
	for _, tc := range tests {
		got, ok := DetectForm(tc.name)
		if got != tc.want || ok != tc.ok {
			t.Errorf("DetectForm(%q) = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSniff(t *testing.T) {
	tar := archive(t, FormTar, fixture(false))
	tests := []struct {
		name string
		data []byte
		want Form
	}{
		{"gzip", archive(t, FormTarGz, fixture(false)), FormTarGz},
		{"xz", archive(t, FormTarXz, fixture(false)), FormTarXz},
		{"zstd", archive(t, FormTarZst, fixture(false)), FormTarZst},
		{"bzip2", archive(t, FormTarBz2, fixture(false)), FormTarBz2},
		{"zip", archive(t, FormZip, fixture(false)), FormZip},
		{"empty zip", zipBytes(t, nil), FormZip},
		{"tar", tar, FormTar},
		{"tar header only", tar[:262], FormTar},
		{"short", []byte{0x1f}, ""},
		{"empty", nil, ""},
		{"elf", []byte("\x7fELF\x02\x01\x01"), ""},
		{"html", []byte("<html>"), ""},
	}
	for _, tc := range tests {
		if got := Sniff(bytes.NewReader(tc.data)); got != tc.want {
			t.Errorf("Sniff(%s) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestParseForm(t *testing.T) {
	for in, want := range map[string]Form{"tgz": FormTarGz, "TAR.ZSTD": FormTarZst, "zip": FormZip, "raw": FormRaw, "tbz2": FormTarBz2} {
		if got, err := ParseForm(in); err != nil || got != want {
			t.Errorf("ParseForm(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseForm("gz"); err == nil {
		t.Error(`ParseForm("gz") succeeded`)
	}
}

// TestFormsOfTheSpec: the unpacker takes every form and file name ending
// the spec knows, so a tool the spec accepts never fails here by name.
func TestFormsOfTheSpec(t *testing.T) {
	if len(Forms) != len(spec.Forms()) {
		t.Fatalf("Forms %q, spec.Forms %q", Forms, spec.Forms())
	}
	for _, f := range spec.Forms() {
		if got, err := ParseForm(f); err != nil || got != Form(f) {
			t.Errorf("ParseForm(%q) = %q, %v", f, got, err)
		}
		for _, suffix := range spec.FormSuffixes(f) {
			if got, err := ParseForm(suffix[1:]); err != nil || got != Form(f) {
				t.Errorf("ParseForm(%q) = %q, %v; want %q", suffix[1:], got, err, f)
			}
			if got, ok := DetectForm("https://example.com/x" + suffix); !ok || got != Form(f) {
				t.Errorf("DetectForm(x%s) = %q, %v; want %q", suffix, got, ok, f)
			}
		}
	}
}

func TestMainCLI(t *testing.T) {
	noEpoch(t)
	dir := t.TempDir()
	zipSrc := filepath.Join(dir, "protoc.zip")
	if err := os.WriteFile(zipSrc, archive(t, FormZip, fixture(false)), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bin-download")
	if err := os.WriteFile(bin, []byte("binary"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		code     int
		stderr   string
		wantPath string // relative to dir
		wantMode os.FileMode
	}{
		{
			name:     "zip strip take",
			args:     []string{"--form", "zip", "--strip", "1", "--take", "bin/tool", "--take", "include", "--dest", "OUT/a", "SRC"},
			wantPath: "a/bin/tool", wantMode: 0o755,
		},
		{
			name:     "form from extension, flags after SRC, program name",
			args:     []string{"unpack", "--strip=1", "SRC", "--dest", "OUT/b"},
			wantPath: "b/readme.txt", wantMode: 0o600,
		},
		{
			name:     "raw",
			args:     []string{"-form", "raw", "-mode", "0o755", "-dest", "OUT/c/", "--", bin},
			wantPath: "c/bin-download", wantMode: 0o755,
		},
		{
			name:   "missing take",
			args:   []string{"--strip", "1", "--take", "bin/protoc", "--dest", "OUT/d", "SRC"},
			code:   1,
			stderr: `protoc.zip: take path "bin/protoc" not found in the archive (paths are relative after strip 1); top-level entries: "bin/", "include/", "lib/", "readme.txt"`,
		},
		{
			name:   "wrong form",
			args:   []string{"--form", "tar.gz", "--dest", "OUT/e", "SRC"},
			code:   1,
			stderr: "archive is zip but the spec says tar.gz: set form: zip on the tool",
		},
		{name: "no src", args: []string{"--dest", "OUT/f"}, code: 2, stderr: "want exactly one source file, got 0"},
		{name: "two srcs", args: []string{"--dest", "OUT/f", "SRC", "SRC"}, code: 2, stderr: "want exactly one source file, got 2"},
		{name: "no dest", args: []string{"SRC"}, code: 2, stderr: "--dest is required"},
		{name: "bad mode", args: []string{"--dest", "OUT/f", "--mode", "rwx", "SRC"}, code: 2, stderr: `invalid --mode "rwx"`},
		{name: "bad form", args: []string{"--dest", "OUT/f", "--form", "rar", "SRC"}, code: 2, stderr: `unknown form "rar"`},
		{name: "bad flag", args: []string{"--nope", "SRC"}, code: 2, stderr: "flag provided but not defined: -nope"},
		{name: "help", args: []string{"-h"}, code: 0, stderr: "usage: unpack"},
		{name: "missing src", args: []string{"--dest", "OUT/f", filepath.Join(dir, "nope.zip")}, code: 1, stderr: "no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			old := stderr
			stderr = &buf
			defer func() { stderr = old }()
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				a = strings.ReplaceAll(a, "OUT", dir)
				if a == "SRC" {
					a = zipSrc
				}
				args[i] = a
			}
			if code := Main(args); code != tc.code {
				t.Fatalf("Main = %d, want %d; stderr:\n%s", code, tc.code, buf.String())
			}
			if !strings.Contains(buf.String(), tc.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", buf.String(), tc.stderr)
			}
			if tc.wantPath != "" {
				fi, err := os.Stat(filepath.Join(dir, tc.wantPath))
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != tc.wantMode {
					t.Errorf("mode = %v, want %v", fi.Mode(), tc.wantMode)
				}
			}
		})
	}
}

// TestTakeParentsAreMadeLikeTar: a directory above a taken path that take
// does not select is made at 0755, as tar and the daemon's route make it,
// not with the mode the archive lists for it.
func TestTakeParentsAreMadeLikeTar(t *testing.T) {
	noEpoch(t)
	for _, form := range []Form{FormTarGz, FormZip} {
		src := writeArchive(t, form, fixture(false)) // lists proj-1.0/lib/ at 0750
		dest := t.TempDir()
		if err := Extract(src, Options{Form: form, Strip: 1, Take: []string{"lib/libx.so.1"}, Dest: dest}); err != nil {
			t.Fatal(err)
		}
		if got := tree(t, dest)["lib"]; got != "dir 0755" {
			t.Errorf("%s: lib is %q, want dir 0755", form, got)
		}
		whole := t.TempDir()
		if err := Extract(src, Options{Form: form, Strip: 1, Take: []string{"lib"}, Dest: whole}); err != nil {
			t.Fatal(err)
		}
		if got := tree(t, whole)["lib"]; got != "dir 0750" {
			t.Errorf("%s: lib taken whole is %q, want its own dir 0750", form, got)
		}
	}
}
