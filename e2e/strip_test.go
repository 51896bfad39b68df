package e2e

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
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	dsbzip2 "github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/maistra/builder-frontend/internal/fixture"
	"github.com/maistra/builder-frontend/internal/lab"
)

// layoutEntry is one entry of the archive TestStripTakeRoutesAgree unpacks.
type layoutEntry struct {
	name     string
	mode     fs.FileMode // permissions (setuid included); fs.ModeDir for a directory
	data     []byte
	symlink  string
	hardlink string // tar only: a hard link to this entry
	uid      int
}

// layout has entries at every depth: a file and a link beside the top
// directory (dropped by strip 1), a file at depth 2 (dropped by strip 2),
// empty directories, symbolic and hard links, directories the archive
// implies without listing, odd modes, another owner, an amd64 executable,
// and an arm64 one that is data (no execute bit).
func layout(t *testing.T) []layoutEntry {
	amd, err := fixture.Executable("amd64", "tool")
	if err != nil {
		t.Fatal(err)
	}
	arm, err := fixture.Executable("arm64", "test data")
	if err != nil {
		t.Fatal(err)
	}
	return []layoutEntry{
		{name: "README", mode: 0o644, data: []byte("readme\n")},
		{name: "top-link", symlink: "top/bin/tool"},
		{name: "empty/", mode: fs.ModeDir | 0o755},
		{name: "top/", mode: fs.ModeDir | 0o755},
		{name: "top/NOTICE", mode: 0o644, data: []byte("notice\n")},
		{name: "top/bin/", mode: fs.ModeDir | 0o755},
		{name: "top/bin/tool", mode: 0o755, data: amd},
		{name: "top/bin/tool-link", symlink: "tool"},
		// As tar writes it: the link's header carries its content's mode.
		{name: "top/bin/hard", mode: 0o755, hardlink: "top/bin/tool"},
		{name: "top/bin/run.sh", mode: 0o750, data: []byte("#!/bin/sh\necho run\n")},
		{name: "top/lib/", mode: fs.ModeDir | 0o750},
		{name: "top/lib/empty/", mode: fs.ModeDir | 0o700},
		{name: "top/lib/libx.so.1", mode: 0o644, data: []byte("not really a library\n")},
		{name: "top/lib/libx.so", symlink: "libx.so.1"},
		{name: "top/share/doc/deep/file.txt", mode: 0o600, data: []byte("deep\n")},
		{name: "top/share/testdata/arm.elf", mode: 0o644, data: arm},
		{name: "other/", mode: fs.ModeDir | 0o755},
		{name: "other/x", mode: 0o644, data: []byte("x\n"), uid: 1001},
	}
}

var layoutTime = time.Date(2023, 5, 6, 7, 8, 9, 0, time.UTC)

func layoutTar(t *testing.T, ents []layoutEntry) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range ents {
		h := &tar.Header{Name: e.name, Mode: int64(e.mode.Perm() | e.mode&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)), ModTime: layoutTime, Uid: e.uid, Gid: e.uid, Format: tar.FormatPAX}
		switch {
		case e.mode.IsDir():
			h.Typeflag = tar.TypeDir
		case e.symlink != "":
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, e.symlink, 0o777
		case e.hardlink != "":
			h.Typeflag, h.Linkname = tar.TypeLink, e.hardlink
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func layoutZip(t *testing.T, ents []layoutEntry) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range ents {
		if e.hardlink != "" {
			continue // zip has no hard links
		}
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: layoutTime}
		data := e.data
		switch {
		case e.symlink != "":
			h.SetMode(fs.ModeSymlink | 0o777)
			data = []byte(e.symlink)
		default:
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// compressed packs tar data in form.
func compressed(t *testing.T, form string, data []byte) []byte {
	var b bytes.Buffer
	var w io.WriteCloser
	var err error
	switch form {
	case "tar":
		return data
	case "tar.gz":
		w = gzip.NewWriter(&b)
	case "tar.xz":
		w, err = xz.NewWriter(&b)
	case "tar.zst":
		w, err = zstd.NewWriter(&b)
	case "tar.bz2":
		w, err = dsbzip2.NewWriter(&b, nil)
	}
	if err == nil {
		_, err = w.Write(data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// routeCase is one way of taking the layout: its strip and take, and what
// tar --strip-components gives (path, type, mode; tar forms, with the hard
// link "bin/hard" where the case has it).
type routeCase struct {
	name  string
	strip int
	take  []string
	want  []string
}

var routeCases = []routeCase{
	{name: "s0", want: []string{
		"README f644", "empty d755", "other d755", "other/x f644", "top d755", "top-link -> top/bin/tool", "top/NOTICE f644", "top/bin d755",
		"top/bin/hard f755", "top/bin/run.sh f750", "top/bin/tool f755", "top/bin/tool-link -> tool", "top/lib d750", "top/lib/empty d700",
		"top/lib/libx.so -> libx.so.1", "top/lib/libx.so.1 f644", "top/share d755", "top/share/doc d755", "top/share/doc/deep d755",
		"top/share/doc/deep/file.txt f600", "top/share/testdata d755", "top/share/testdata/arm.elf f644",
	}},
	{name: "s1", strip: 1, want: []string{
		"NOTICE f644", "bin d755", "bin/hard f755", "bin/run.sh f750", "bin/tool f755", "bin/tool-link -> tool", "lib d750", "lib/empty d700",
		"lib/libx.so -> libx.so.1", "lib/libx.so.1 f644", "share d755", "share/doc d755", "share/doc/deep d755", "share/doc/deep/file.txt f600",
		"share/testdata d755", "share/testdata/arm.elf f644", "x f644",
	}},
	{name: "s2", strip: 2, want: []string{
		"doc d755", "doc/deep d755", "doc/deep/file.txt f600", "empty d700", "hard f755", "libx.so -> libx.so.1", "libx.so.1 f644", "run.sh f750", "testdata d755",
		"testdata/arm.elf f644", "tool f755", "tool-link -> tool",
	}},
	{name: "s1take", strip: 1, take: []string{"bin", "lib/libx.so", "share/doc"}, want: []string{
		"bin d755", "bin/hard f755", "bin/run.sh f750", "bin/tool f755", "bin/tool-link -> tool", "lib d755", "lib/libx.so -> libx.so.1",
		"share d755", "share/doc d755", "share/doc/deep d755", "share/doc/deep/file.txt f600",
	}},
	{name: "s0take", take: []string{"top/bin/tool", "other", "top/lib/empty"}, want: []string{
		"other d755", "other/x f644", "top d755", "top/bin d755", "top/bin/tool f755", "top/lib d755", "top/lib/empty d700",
	}},
	// The hard link's content is an entry take leaves out.
	{name: "s1hard", strip: 1, take: []string{"bin/hard"}, want: []string{"bin d755", "bin/hard f755"}},
}

// TestStripTakeRoutesAgree: strip and take install the same tree, byte for
// byte, whoever unpacks the archive (by default the daemon for tar forms
// installed whole, our unpacker for strip, take and zip; with
// BUILDER_UNPACK=helper our unpacker for everything), and the tree is what
// tar --strip-components gives: entries at or above the strip depth are
// dropped. Before strip went to our unpacker, the daemon's wildcard copy
// installed README and top-link of this layout with strip 1.
func TestStripTakeRoutesAgree(t *testing.T) {
	e := setup(t)
	ents := layout(t)
	forms := []struct{ form, tag string }{{"tar", "tar"}, {"tar.gz", "tgz"}, {"tar.xz", "txz"}, {"tar.zst", "tzst"}, {"tar.bz2", "tbz2"}, {"zip", "zip"}}
	var tools strings.Builder
	type installed struct {
		routeCase
		form, dest string
	}
	var all []installed
	for _, f := range forms {
		data := layoutZip(t, ents)
		if f.form != "zip" {
			data = compressed(t, f.form, layoutTar(t, ents))
		}
		name := "routes/layout." + f.form
		if err := os.MkdirAll(filepath.Join(e.ArtifactDir(), "routes"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(e.ArtifactDir(), name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, c := range routeCases {
			if f.form == "zip" && c.name == "s1hard" {
				continue
			}
			tool := f.tag + "-" + c.name
			dest := "/t/" + tool
			fmt.Fprintf(&tools, `      - name: %s
        version: "1"
        url: %s/%s
        sha256: {linux/amd64: %s}
        strip: %d
        dest: %s
`, tool, e.ArtifactURL(), name, lab.SHA256(data), c.strip, dest)
			if len(c.take) > 0 {
				fmt.Fprintf(&tools, "        take: [%s]\n", strings.Join(c.take, ", "))
			}
			all = append(all, installed{routeCase: c, form: f.form, dest: dest})
		}
	}
	spec := `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64]
images:
  builder:
    base: example.com/unused:1
    tools:
` + tools.String()
	dir := writeSpec(t, spec, nil)
	common := []string{"--platform", "linux/amd64", "--build-context", "base=docker-image://" + e.base, "--push"}
	byDefault, byHelper := e.ref("routes-default"), e.ref("routes-helper")
	out := e.mustBuild(t, dir, "builder.yaml", append(common, "-t", byDefault)...)
	if !strings.Contains(out, "[tgz-s0 linux/amd64] unpack tgz-s0.tar.gz\n") && !strings.Contains(out, "[tgz-s0 linux/amd64] unpack tgz-s0.tar.gz ") {
		t.Errorf("the daemon did not unpack the strip 0 tar.gz:\n%s", tail(out, 40))
	}
	out = e.mustBuild(t, dir, "builder.yaml", append(common, "-t", byHelper, "--build-arg", "BUILDER_UNPACK=helper")...)
	if !strings.Contains(out, "[tgz-s0 linux/amd64] unpack tgz-s0.tar.gz natively") {
		t.Errorf("BUILDER_UNPACK=helper did not unpack the strip 0 tar.gz natively:\n%s", tail(out, 40))
	}
	a, err := e.Filesystem(byDefault, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Filesystem(byHelper, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range all {
		t.Run(in.form+"-"+in.name, func(t *testing.T) {
			want := in.want
			if in.form == "zip" {
				want = slices.DeleteFunc(slices.Clone(want), func(s string) bool { return strings.Contains(s, "hard f") })
			}
			if got := listing(a, in.dest); !slices.Equal(got, want) {
				t.Errorf("%s, strip %d, take %v: the default route installs\n  %s\nwant (tar --strip-components)\n  %s", in.form, in.strip, in.take, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
			for _, p := range a.Paths(in.dest) {
				fa, fb := a.Files[p], b.Files[p]
				if fb == nil {
					t.Errorf("%s: only the default route installs it", p)
					continue
				}
				if fa.Mode != fb.Mode || fa.UID != fb.UID || fa.GID != fb.GID || !fa.ModTime.Equal(fb.ModTime) || fa.Linkname != fb.Linkname || fa.Hardlink != fb.Hardlink || !bytes.Equal(fa.Data, fb.Data) {
					t.Errorf("%s differs:\n  default %v %d:%d %v link %q hard %v %d bytes\n  helper  %v %d:%d %v link %q hard %v %d bytes",
						p, fa.Mode, fa.UID, fa.GID, fa.ModTime, fa.Linkname, fa.Hardlink, len(fa.Data), fb.Mode, fb.UID, fb.GID, fb.ModTime, fb.Linkname, fb.Hardlink, len(fb.Data))
				}
			}
			if pa, pb := a.Paths(in.dest), b.Paths(in.dest); !slices.Equal(pa, pb) {
				t.Errorf("the routes install other paths:\n  default %v\n  helper  %v", pa, pb)
			}
		})
	}
}

// listing describes every path under dest, relative to it: "name d755",
// "name f644", "name -> target", sorted.
func listing(fsys *lab.Filesystem, dest string) []string {
	var out []string
	for _, p := range fsys.Paths(dest) {
		if p == dest {
			continue
		}
		f := fsys.Files[p]
		rel := strings.TrimPrefix(p, dest+"/")
		switch {
		case f.Mode&fs.ModeSymlink != 0:
			out = append(out, rel+" -> "+f.Linkname)
		case f.Mode.IsDir():
			out = append(out, fmt.Sprintf("%s d%o", rel, f.Mode.Perm()))
		default:
			out = append(out, fmt.Sprintf("%s f%o", rel, f.Mode.Perm()))
		}
	}
	sort.Strings(out)
	return out
}
