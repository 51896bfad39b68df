package main

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/maistra/builder-frontend/internal/imagewalk"
	"github.com/maistra/builder-frontend/internal/lab"
)

// entry is one path of an image's flattened file system, as the file-list comparison sees it.
type entry struct {
	Type string // "f" (a regular file or a hard link to one), "d", "l" (symlink), "c", "b" (devices), "p" (fifo)
	Mode fs.FileMode
	Size int64
	Link string
	UID  int
	GID  int
	// SHA256 is a regular file's content digest (not in the file lists: they compare sizes).
	SHA256 string
}

func (e entry) String() string {
	s := fmt.Sprintf("%s %04o %d:%d", e.Type, e.Mode.Perm()|e.Mode&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky), e.UID, e.GID)
	if e.Type == "f" {
		s += fmt.Sprintf(" %d", e.Size)
	}
	if e.Link != "" {
		s += " -> " + e.Link
	}
	return s
}

// fileList flattens the image ref for platform (layers applied in order, whiteouts honoured).
func fileList(ref, platform string) (map[string]entry, error) {
	img, err := lab.Image(ref, platform)
	if err != nil {
		return nil, err
	}
	fsys, err := lab.ReadFilesystem(img, 0)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", ref, platform, err)
	}
	out := map[string]entry{}
	for p, fi := range fsys.Files {
		// A hard link is the same file as its target (ReadFilesystem gives it the target's size): compare it as one.
		e := entry{Type: "f", Mode: fi.Mode, Size: fi.Size, UID: fi.UID, GID: fi.GID, SHA256: fi.SHA256}
		switch t := fi.Mode.Type(); {
		case t == fs.ModeDir:
			e.Type = "d"
		case t == fs.ModeSymlink:
			e.Type, e.Link = "l", fi.Linkname
		case t == fs.ModeDevice|fs.ModeCharDevice:
			e.Type = "c"
		case t == fs.ModeDevice:
			e.Type = "b"
		case t == fs.ModeNamedPipe:
			e.Type = "p"
		}
		out[p] = e
	}
	return out, nil
}

// writeFileList saves a file list (one "path type mode uid:gid [size] [-> target]" line per entry) for diffing.
func writeFileList(p string, files map[string]entry) error {
	var b strings.Builder
	for _, k := range sortedKeys(files) {
		fmt.Fprintf(&b, "%s %s\n", k, files[k])
	}
	return os.WriteFile(p, []byte(b.String()), 0o644)
}

// FileListDiff compares two images' file lists.
type FileListDiff struct {
	Paths    int      `json:"paths"`    // paths compared (in either)
	OnlyA    []string `json:"onlyA"`    // paths only in A
	OnlyB    []string `json:"onlyB"`    // paths only in B
	Meta     []string `json:"meta"`     // paths whose type, mode, owner or link target differ: "path: A | B"
	Sizes    []string `json:"sizes"`    // regular files of the same path whose size differs: "path: A | B"
	Excluded []string `json:"excluded"` // path prefixes left out of the comparison, with why
}

// Same reports whether A and B hold the same paths with the same types, modes, owners and link targets.
func (d *FileListDiff) Same() bool { return len(d.OnlyA)+len(d.OnlyB)+len(d.Meta) == 0 }

// excludedPrefixes are left out of the file-list comparison.
var excludedPrefixes = map[string]string{
	"/usr/share/builder-frontend": "the frontend's tool manifests (one small JSON file per tool, in that tool's layer)",
}

func excluded(p string) bool {
	for pre := range excludedPrefixes {
		if p == pre || strings.HasPrefix(p, pre+"/") {
			return true
		}
	}
	return false
}

func compareFileLists(a, b map[string]entry) *FileListDiff {
	d := &FileListDiff{}
	for pre, why := range excludedPrefixes {
		d.Excluded = append(d.Excluded, pre+": "+why)
	}
	seen := map[string]bool{}
	for _, k := range append(sortedKeys(a), sortedKeys(b)...) {
		if seen[k] || excluded(k) {
			continue
		}
		seen[k] = true
		d.Paths++
		ea, inA := a[k]
		eb, inB := b[k]
		switch {
		case !inB:
			d.OnlyA = append(d.OnlyA, k)
		case !inA:
			d.OnlyB = append(d.OnlyB, k)
		default:
			ma, mb := ea, eb
			// Sizes are told apart below; contents are not compared (the
			// package databases are, in compare).
			ma.Size, mb.Size = 0, 0
			ma.SHA256, mb.SHA256 = "", ""
			if ma != mb {
				d.Meta = append(d.Meta, fmt.Sprintf("%s: %s | %s", k, ea, eb))
			} else if ea.Size != eb.Size {
				d.Sizes = append(d.Sizes, fmt.Sprintf("%s: %d | %d", k, ea.Size, eb.Size))
			}
		}
	}
	sort.Strings(d.OnlyA)
	sort.Strings(d.OnlyB)
	return d
}

// LayerDiff compares the layers of the cold build and of the bump build of one platform.
type LayerDiff struct {
	Platform string   `json:"platform"`
	Layers   int      `json:"layers"`  // layers of the bump image
	Changed  int      `json:"changed"` // layers of the bump image that the cold image does not have
	What     []string `json:"what"`    // per changed layer: a few of the paths it holds
	// OnlyBump says the one changed layer holds the bumped tool and nothing else.
	OnlyBump bool `json:"onlyBump"`
}

// layerDiff finds the layers of bumpRef that coldRef (same platform) does not have, and what they hold.
func layerDiff(coldRef, bumpRef, platform, bumped string) (*LayerDiff, error) {
	digests := func(ref string) ([]v1.Layer, map[string]bool, error) {
		ls, err := lab.Layers(ref, platform)
		if err != nil {
			return nil, nil, err
		}
		set := map[string]bool{}
		for _, l := range ls {
			d, err := l.Digest()
			if err != nil {
				return nil, nil, err
			}
			set[d.String()] = true
		}
		return ls, set, nil
	}
	_, cold, err := digests(coldRef)
	if err != nil {
		return nil, err
	}
	bump, _, err := digests(bumpRef)
	if err != nil {
		return nil, err
	}
	ld := &LayerDiff{Platform: platform, Layers: len(bump)}
	onlyBump := true
	for _, l := range bump {
		d, _ := l.Digest()
		if cold[d.String()] {
			continue
		}
		ld.Changed++
		paths, total, err := layerPaths(l, 4)
		if err != nil {
			return nil, err
		}
		if total != 1 || paths[0] != bumped {
			onlyBump = false
		}
		what := strings.Join(paths, ", ")
		if total == 0 {
			what = "(directories only)"
		}
		if total > len(paths) {
			what += fmt.Sprintf(" … (%d files)", total)
		}
		ld.What = append(ld.What, what)
	}
	ld.OnlyBump = onlyBump && ld.Changed == 1
	return ld, nil
}

// layerPaths returns up to n of the non-directory paths a layer holds (the frontend's tool manifests left out)
// and how many there are.
func layerPaths(l v1.Layer, n int) ([]string, int, error) {
	var out []string
	total := 0
	err := imagewalk.Layer(l, func(p string, h *tar.Header, _ io.Reader) error {
		if h.Typeflag == tar.TypeDir || excluded(p) {
			return nil
		}
		total++
		if len(out) < n {
			out = append(out, p)
		}
		return nil
	})
	return out, total, err
}

// compareConfigs compares env (as sets), workdir, entrypoint and cmd of two images.
func compareConfigs(ca, cb map[string]string) []string {
	var diffs []string
	for _, k := range sortedKeys(union(ca, cb)) {
		if ca[k] != cb[k] {
			diffs = append(diffs, fmt.Sprintf("%s: %q | %q", k, ca[k], cb[k]))
		}
	}
	return diffs
}

func configOf(ref, platform string) (map[string]string, error) {
	img, err := lab.Image(ref, platform)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	m := map[string]string{"workdir": cf.Config.WorkingDir, "entrypoint": strings.Join(cf.Config.Entrypoint, " "), "cmd": strings.Join(cf.Config.Cmd, " ")}
	for _, e := range cf.Config.Env {
		k, v, _ := strings.Cut(e, "=")
		m["env "+k] = v
	}
	return m, nil
}

func union(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// blobsOf returns the digests of every blob the image or index ref consists of (manifests, configs, layers).
func blobsOf(ref string) (map[string]bool, error) {
	r, err := lab.ParseRef(ref)
	if err != nil {
		return nil, err
	}
	desc, err := remote.Get(r)
	if err != nil {
		return nil, err
	}
	images, err := imagewalk.Images(desc)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{desc.Digest.String(): true}
	for _, i := range images {
		img, err := i.Open()
		if err != nil {
			return nil, err
		}
		d, err := img.Digest()
		if err != nil {
			return nil, err
		}
		out[d.String()] = true
		c, err := img.ConfigName()
		if err != nil {
			return nil, err
		}
		out[c.String()] = true
		ls, err := img.Layers()
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			d, err := l.Digest()
			if err != nil {
				return nil, err
			}
			out[d.String()] = true
		}
	}
	return out, nil
}

// resetRegistryBlobs deletes every blob of the lab registry but those in keep, so a build's push uploads all of its
// layers, as the first push of an image does: otherwise a deterministic build would find the layers of the
// previous round in the registry and skip their upload. (The lab registry keeps blobs as <state>/registry/sha256/<hex>.)
func resetRegistryBlobs(stateDir string, keep map[string]bool) (int, error) {
	dir := filepath.Join(stateDir, "registry", "sha256")
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ents {
		if keep["sha256:"+e.Name()] || !e.Type().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
