package lab

import (
	"archive/tar"
	"bytes"
	"io"
	"io/fs"
	"testing"
)

func TestWithParents(t *testing.T) {
	var buf bytes.Buffer
	if err := writeTar(&buf, []File{
		{Path: "linux-amd64/helm", Mode: 0o755, Data: []byte("x")},
		{Path: "linux-amd64/LICENSE", Data: []byte("l")},
		{Path: "a/b/", Mode: fs.ModeDir | 0o700},
		{Path: "a/b/c", Symlink: "../x"},
	}); err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(&buf)
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, h.Name+" "+fs.FileMode(h.Mode).String()+" "+h.Linkname)
	}
	want := []string{
		"linux-amd64/ -rwxr-xr-x ", "linux-amd64/helm -rwxr-xr-x ", "linux-amd64/LICENSE -rw-r--r-- ",
		"a/ -rwxr-xr-x ", "a/b/ -rwx------ ", "a/b/c -rwxrwxrwx ../x",
	}
	if len(got) != len(want) {
		t.Fatalf("entries %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestResolve(t *testing.T) {
	f := &Filesystem{Files: map[string]*FileInfo{}}
	add := func(p string, mode fs.FileMode, link string) {
		f.Files[p] = &FileInfo{Path: p, Mode: mode, Linkname: link}
	}
	add("/usr", fs.ModeDir, "")
	add("/usr/bin", fs.ModeDir, "")
	add("/bin", fs.ModeSymlink, "usr/bin")
	add("/usr/bin/busybox", 0, "")
	add("/usr/bin/sh", fs.ModeSymlink, "/bin/busybox")
	add("/loop", fs.ModeSymlink, "/loop")
	for in, want := range map[string]string{"/bin/sh": "/usr/bin/busybox", "/usr/bin/../bin/sh": "/usr/bin/busybox", "bin": "/usr/bin"} {
		if fi, err := f.Lookup(in); err != nil || fi.Path != want {
			t.Errorf("Lookup(%q) = %+v, %v; want %s", in, fi, err, want)
		}
	}
	if _, err := f.Lookup("/loop"); err == nil {
		t.Error("Lookup(/loop) succeeded")
	}
	if _, err := f.Lookup("/bin/nope"); err == nil {
		t.Error("Lookup(/bin/nope) succeeded")
	}
}
