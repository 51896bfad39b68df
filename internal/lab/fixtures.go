package lab

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ulikunitz/xz"
)

// File is an entry of a fixture archive.
type File struct {
	// Path inside the archive, slash-separated and relative ("linux-amd64/helm"); a trailing slash makes a
	// directory. Parent directories get entries of their own (0755) unless listed.
	Path string
	// Mode holds the permissions, and fs.ModeDir for a directory; 0 means 0644 (0755 for a directory).
	Mode fs.FileMode
	// Data is the content of a regular file.
	Data []byte
	// Symlink, when set, makes the entry a symbolic link to this target.
	Symlink string
	// UID and GID of the entry (tar only); upstream archives often carry a builder's ids, e.g. 1001.
	UID, GID int
}

// fixtureTime is the modification time of every archive entry, so fixtures are reproducible.
var fixtureTime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// Executable returns a static linux/<goarch> ELF executable (a tiny Go program cross-compiled with the host Go,
// CGO_ENABLED=0) that prints output and a newline, whatever its arguments, and exits 0. Results are cached for the
// Lab; the Go build cache makes new outputs cheap.
func (l *Lab) Executable(ctx context.Context, goarch, output string) ([]byte, error) {
	key := goarch + "\x00" + output
	l.exeMu.Lock()
	if data, ok := l.exes[key]; ok {
		l.exeMu.Unlock()
		return data, nil
	}
	l.exeMu.Unlock()

	dir := filepath.Join(l.st.StateDir, "exe-src")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	src := map[string]string{
		"go.mod":  "module labfixture\n\ngo 1.22\n",
		"main.go": "package main\n\nimport \"os\"\n\nvar output = \"unset\"\n\nfunc main() { os.Stdout.WriteString(output + \"\\n\") }\n",
	}
	for n, s := range src {
		if err := writeFileAtomic(filepath.Join(dir, n), []byte(s), 0o644); err != nil {
			return nil, err
		}
	}
	out, err := os.CreateTemp(l.st.StateDir, "exe-*")
	if err != nil {
		return nil, err
	}
	out.Close()
	defer os.Remove(out.Name())
	// The linker splits -ldflags on spaces unless quoted ('...' or "...", no escapes).
	q := "'"
	if strings.Contains(output, q) {
		q = `"`
		if strings.Contains(output, q) {
			return nil, fmt.Errorf("lab: Executable output %q has both kinds of quotes", output)
		}
	}
	ldflags := "-s -w -X " + q + "main.output=" + output + q
	if err := goBuild(ctx, dir, goarch, out.Name(), []string{"-ldflags=" + ldflags, "-mod=mod", "-buildvcs=false"}, "."); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(out.Name())
	if err != nil {
		return nil, err
	}
	l.exeMu.Lock()
	if l.exes == nil {
		l.exes = map[string][]byte{}
	}
	l.exes[key] = data
	l.exeMu.Unlock()
	return data, nil
}

// WriteTarGz writes the gzip-compressed tar archive name (relative to ArtifactDir) and returns its sha256 (hex).
func (l *Lab) WriteTarGz(name string, files []File) (string, error) {
	return l.writeCompressedTar(name, files, func(w io.Writer) (io.WriteCloser, error) {
		return gzip.NewWriterLevel(w, gzip.BestSpeed)
	})
}

// WriteTarXz writes the xz-compressed tar archive name (relative to ArtifactDir) and returns its sha256 (hex).
func (l *Lab) WriteTarXz(name string, files []File) (string, error) {
	return l.writeCompressedTar(name, files, func(w io.Writer) (io.WriteCloser, error) { return xz.NewWriter(w) })
}

func (l *Lab) writeCompressedTar(name string, files []File, compressor func(io.Writer) (io.WriteCloser, error)) (string, error) {
	var buf bytes.Buffer
	cw, err := compressor(&buf)
	if err != nil {
		return "", err
	}
	if err := writeTar(cw, files); err != nil {
		return "", err
	}
	if err := cw.Close(); err != nil {
		return "", err
	}
	return l.WriteRaw(name, buf.Bytes())
}

// WriteTar writes the uncompressed tar archive name (relative to ArtifactDir) and returns its sha256 (hex).
func (l *Lab) WriteTar(name string, files []File) (string, error) {
	var buf bytes.Buffer
	if err := writeTar(&buf, files); err != nil {
		return "", err
	}
	return l.WriteRaw(name, buf.Bytes())
}

// WriteZip writes the zip archive name (relative to ArtifactDir) and returns its sha256 (hex). Modes and symlinks
// are stored as Unix external attributes, as Info-ZIP does.
func (l *Lab) WriteZip(name string, files []File) (string, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range withParents(files) {
		mode, isDir := fileMode(f)
		h := &zip.FileHeader{Name: f.Path, Method: zip.Deflate, Modified: fixtureTime}
		switch {
		case isDir:
			h.Name = strings.TrimSuffix(f.Path, "/") + "/"
			h.Method = zip.Store
			h.SetMode(fs.ModeDir | mode)
		case f.Symlink != "":
			h.Method = zip.Store
			h.SetMode(fs.ModeSymlink | 0o777)
		default:
			h.SetMode(mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			return "", err
		}
		switch {
		case isDir:
		case f.Symlink != "":
			_, err = io.WriteString(w, f.Symlink)
		default:
			_, err = w.Write(f.Data)
		}
		if err != nil {
			return "", err
		}
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return l.WriteRaw(name, buf.Bytes())
}

// WriteRaw writes data as the file name (relative to ArtifactDir; subdirectories are created) and returns its
// sha256 (hex). The file appears atomically: a concurrent download never sees half of it.
func (l *Lab) WriteRaw(name string, data []byte) (string, error) {
	p, err := l.artifactPath(name)
	if err != nil {
		return "", err
	}
	if err := writeFileAtomic(p, data, 0o644); err != nil {
		return "", err
	}
	return SHA256(data), nil
}

// WriteSHA256SUMS writes name (e.g. "SHA256SUMS") in the `sha256sum` format for the given artifacts (all regular
// files in ArtifactDir but name itself when none are given) and returns its own sha256 (hex).
func (l *Lab) WriteSHA256SUMS(name string, artifacts ...string) (string, error) {
	if len(artifacts) == 0 {
		err := filepath.WalkDir(l.st.ArtifactDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			rel, _ := filepath.Rel(l.st.ArtifactDir, p)
			if rel = filepath.ToSlash(rel); rel != name && !strings.HasPrefix(path.Base(rel), ".") {
				artifacts = append(artifacts, rel)
			}
			return nil
		})
		if err != nil {
			return "", err
		}
		sort.Strings(artifacts)
	}
	var b strings.Builder
	for _, a := range artifacts {
		p, err := l.artifactPath(a)
		if err != nil {
			return "", err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s  %s\n", SHA256(data), a)
	}
	return l.WriteRaw(name, []byte(b.String()))
}

// SHA256 returns the hex sha256 of data.
func SHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func (l *Lab) artifactPath(name string) (string, error) {
	clean := path.Clean("/" + name)
	if name == "" || clean == "/" || strings.Contains(name, "\\") || clean != "/"+strings.TrimPrefix(name, "/") {
		return "", fmt.Errorf("lab: bad artifact name %q", name)
	}
	return filepath.Join(l.st.ArtifactDir, filepath.FromSlash(clean)), nil
}

func writeTar(w io.Writer, files []File) error {
	tw := tar.NewWriter(w)
	for _, f := range withParents(files) {
		mode, isDir := fileMode(f)
		h := &tar.Header{
			Name: f.Path, Mode: int64(mode.Perm()), ModTime: fixtureTime, Uid: f.UID, Gid: f.GID,
			Uname: "", Gname: "", Format: tar.FormatPAX,
		}
		if mode&fs.ModeSetuid != 0 {
			h.Mode |= 0o4000
		}
		if mode&fs.ModeSetgid != 0 {
			h.Mode |= 0o2000
		}
		if mode&fs.ModeSticky != 0 {
			h.Mode |= 0o1000
		}
		switch {
		case isDir:
			h.Typeflag, h.Name = tar.TypeDir, strings.TrimSuffix(f.Path, "/")+"/"
		case f.Symlink != "":
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, f.Symlink, 0o777
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.Data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(f.Data); err != nil {
				return err
			}
		}
	}
	return tw.Close()
}

// withParents returns files with an entry for every parent directory not listed, placed before its first child.
func withParents(files []File) []File {
	seen := map[string]bool{}
	for _, f := range files {
		if _, isDir := fileMode(f); isDir {
			seen[strings.TrimSuffix(f.Path, "/")] = true
		}
	}
	var out []File
	for _, f := range files {
		var parents []string
		for d := path.Dir(strings.TrimSuffix(f.Path, "/")); d != "." && d != "/" && !seen[d]; d = path.Dir(d) {
			parents = append(parents, d)
			seen[d] = true
		}
		for i := len(parents) - 1; i >= 0; i-- {
			out = append(out, File{Path: parents[i] + "/", Mode: fs.ModeDir | 0o755, UID: f.UID, GID: f.GID})
		}
		out = append(out, f)
	}
	return out
}

// fileMode returns the entry's mode with defaults applied and whether it is a directory.
func fileMode(f File) (fs.FileMode, bool) {
	isDir := f.Mode.IsDir() || strings.HasSuffix(f.Path, "/")
	mode := f.Mode &^ fs.ModeType
	if mode.Perm() == 0 {
		if isDir {
			mode |= 0o755
		} else {
			mode |= 0o644
		}
	}
	return mode, isDir
}

func writeFileAtomic(p string, data []byte, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), perm)
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
