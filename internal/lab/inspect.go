package lab

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/maistra/builder-frontend/internal/imagewalk"
)

// DefaultMaxData is the size up to which Filesystem keeps the contents of regular files.
const DefaultMaxData = 4 << 20

// headSize is how much of every regular file FileInfo.Head keeps.
const headSize = 4096

// ParseRef parses an image reference; plain HTTP is allowed (the lab registry is 127.0.0.1:PORT).
func ParseRef(ref string) (name.Reference, error) {
	return name.ParseReference(ref, name.Insecure)
}

// Image fetches the image ref for platform ("linux/arm64"; "" takes ref as a single-platform image or the
// linux/amd64 entry of an index) from a registry.
func (l *Lab) Image(ref, platform string) (v1.Image, error) { return Image(ref, platform) }

// Layers are the layers of the image ref for platform (as Image fetches it), base first.
func Layers(ref, platform string) ([]v1.Layer, error) {
	img, err := Image(ref, platform)
	if err != nil {
		return nil, err
	}
	return img.Layers()
}

// Image is Lab.Image; it works against any registry reachable from here.
func Image(ref, platform string) (v1.Image, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	var opts []remote.Option
	if platform != "" {
		p, err := v1.ParsePlatform(platform)
		if err != nil {
			return nil, err
		}
		opts = append(opts, remote.WithPlatform(*p))
	}
	img, err := remote.Image(r, opts...)
	if err != nil {
		return nil, fmt.Errorf("lab: image %s (%s): %w", ref, platform, err)
	}
	if platform != "" {
		// remote.Image returns a single-platform image whatever its platform: check it.
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("lab: config of %s: %w", ref, err)
		}
		if got := cf.Platform(); got == nil || !platformMatches(got, platform) {
			return nil, fmt.Errorf("lab: image %s is %v, not %s", ref, got, platform)
		}
	}
	return img, nil
}

func platformMatches(p *v1.Platform, want string) bool {
	w, err := v1.ParsePlatform(want)
	if err != nil {
		return false
	}
	return p.OS == w.OS && p.Architecture == w.Architecture && (w.Variant == "" || p.Variant == w.Variant)
}

// Index fetches the image index (manifest list) ref.
func (l *Lab) Index(ref string) (v1.ImageIndex, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	return remote.Index(r)
}

// Platforms returns the sorted platforms ("linux/amd64", "linux/arm64/v8", ...) of the images in the index ref,
// leaving out attestation manifests (platform unknown/unknown). For a single-platform image it returns the
// platform of its config.
func (l *Lab) Platforms(ref string) ([]string, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	desc, err := remote.Get(r)
	if err != nil {
		return nil, fmt.Errorf("lab: %s: %w", ref, err)
	}
	images, err := imagewalk.PlatformImages(desc)
	if err != nil {
		return nil, fmt.Errorf("lab: %s: %w", ref, err)
	}
	var ps []string
	for _, i := range images {
		if i.Platform != nil {
			ps = append(ps, i.Platform.String())
		}
	}
	sort.Strings(ps)
	return ps, nil
}

// Digest returns the digest ("sha256:...") ref currently points to (of the index for a multi-platform image).
func (l *Lab) Digest(ref string) (string, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return "", err
	}
	desc, err := remote.Head(r)
	if err != nil {
		return "", fmt.Errorf("lab: %s: %w", ref, err)
	}
	return desc.Digest.String(), nil
}

// FileInfo is one entry of an image's flattened filesystem.
type FileInfo struct {
	Path     string      // absolute and clean: "/bin/busybox"
	Mode     fs.FileMode // type bits (fs.ModeDir, fs.ModeSymlink, ...), permissions, setuid/setgid/sticky
	Size     int64       // size of a regular file (also for hard links)
	Linkname string      // symlink target as stored; for a hard link, the absolute path it links to
	Hardlink bool        // a hard link to Linkname
	UID, GID int
	ModTime  time.Time
	Data     []byte // contents of a regular file up to the MaxData given to ReadFilesystem; nil when larger
	Head     []byte // the first 4 KiB of a regular file (ELFMachine needs only these)
	SHA256   string // hex sha256 of a regular file's whole contents
}

// IsRegular reports whether the entry is a regular file or a hard link to one.
func (f *FileInfo) IsRegular() bool { return f.Mode.IsRegular() }

// Filesystem is an image's flattened filesystem (layers applied in order, whiteouts honoured) and its config.
type Filesystem struct {
	Files  map[string]*FileInfo // by FileInfo.Path
	Config *v1.ConfigFile
	Layers int // number of layers
}

// Filesystem fetches the image ref for platform and reads its flattened filesystem, keeping the contents of files
// up to DefaultMaxData.
func (l *Lab) Filesystem(ref, platform string) (*Filesystem, error) {
	img, err := Image(ref, platform)
	if err != nil {
		return nil, err
	}
	return ReadFilesystem(img, DefaultMaxData)
}

// ReadFilesystem flattens img (go-containerregistry's mutate.Extract) into a Filesystem, keeping the contents of
// regular files up to maxData bytes (and the head of every one).
func ReadFilesystem(img v1.Image, maxData int64) (*Filesystem, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("lab: image config: %w", err)
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	fsys := &Filesystem{Files: map[string]*FileInfo{}, Config: cf, Layers: len(layers)}
	err = imagewalk.Flattened(img, func(p string, hdr *tar.Header, content io.Reader) error {
		fi := &FileInfo{
			Path:    p,
			Mode:    hdr.FileInfo().Mode(),
			UID:     hdr.Uid,
			GID:     hdr.Gid,
			ModTime: hdr.ModTime,
		}
		switch hdr.Typeflag {
		case tar.TypeSymlink:
			fi.Linkname = hdr.Linkname
		case tar.TypeLink:
			fi.Hardlink, fi.Linkname = true, cleanPath(hdr.Linkname)
		case tar.TypeReg:
			fi.Size = hdr.Size
			h := sha256.New()
			content := io.TeeReader(content, h)
			fi.Head = make([]byte, min(hdr.Size, headSize))
			if _, err := io.ReadFull(content, fi.Head); err != nil {
				return fmt.Errorf("%s: %w", fi.Path, err)
			}
			if hdr.Size <= maxData {
				rest, err := io.ReadAll(content)
				if err != nil {
					return fmt.Errorf("%s: %w", fi.Path, err)
				}
				fi.Data = append(fi.Head[:len(fi.Head):len(fi.Head)], rest...)
			} else if _, err := io.Copy(io.Discard, content); err != nil {
				return fmt.Errorf("%s: %w", fi.Path, err)
			}
			fi.SHA256 = hex.EncodeToString(h.Sum(nil))
		}
		fsys.Files[fi.Path] = fi
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lab: reading image filesystem: %w", err)
	}
	for _, fi := range fsys.Files {
		if fi.Hardlink {
			if t := fsys.Files[fi.Linkname]; t != nil {
				fi.Size, fi.Data, fi.Head, fi.SHA256 = t.Size, t.Data, t.Head, t.SHA256
			}
		}
	}
	return fsys, nil
}

// ReadImageFile returns the whole contents of the regular file p (symlinks are not followed) in img's flattened
// filesystem, whatever its size.
func ReadImageFile(img v1.Image, p string) ([]byte, error) {
	p = cleanPath(p)
	var data []byte
	var link string
	found := false
	err := imagewalk.Flattened(img, func(name string, hdr *tar.Header, content io.Reader) error {
		if name != p {
			return nil
		}
		found = true
		switch hdr.Typeflag {
		case tar.TypeReg:
			var err error
			if data, err = io.ReadAll(content); err != nil {
				return err
			}
			return fs.SkipAll
		case tar.TypeLink:
			link = hdr.Linkname
			return fs.SkipAll
		}
		return fmt.Errorf("lab: %s is not a regular file (tar type %q)", p, hdr.Typeflag)
	})
	switch {
	case err != nil:
		return nil, err
	case !found:
		return nil, fmt.Errorf("lab: %s: %w", p, fs.ErrNotExist)
	case link != "":
		return ReadImageFile(img, link)
	}
	return data, nil
}

// Paths returns the sorted paths of the entries at or below dir ("/" for all).
func (f *Filesystem) Paths(dir string) []string {
	dir = cleanPath(dir)
	var ps []string
	for p := range f.Files {
		if dir == "/" || p == dir || strings.HasPrefix(p, dir+"/") {
			ps = append(ps, p)
		}
	}
	sort.Strings(ps)
	return ps
}

// Lookup returns the entry p resolves to, following symlinks (in p's directories too, relative ones against their
// directory, absolute ones against the image root), at most 40 of them.
func (f *Filesystem) Lookup(p string) (*FileInfo, error) {
	resolved, err := f.Resolve(p)
	if err != nil {
		return nil, err
	}
	if fi := f.Files[resolved]; fi != nil {
		return fi, nil
	}
	if resolved == "/" {
		return &FileInfo{Path: "/", Mode: fs.ModeDir | 0o755}, nil
	}
	return nil, fmt.Errorf("lab: %s: %w", p, fs.ErrNotExist)
}

// Resolve returns p with every symlink resolved, like realpath inside the image.
func (f *Filesystem) Resolve(p string) (string, error) {
	links := 0
	todo := strings.Split(strings.TrimPrefix(cleanPath(p), "/"), "/")
	cur := "/"
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		if c == "" || c == "." {
			continue
		}
		if c == ".." {
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, c)
		fi := f.Files[next]
		if fi == nil {
			if len(todo) == 0 {
				return next, nil // the last component may be missing: Lookup reports it
			}
			return "", fmt.Errorf("lab: %s: %s: %w", p, next, fs.ErrNotExist)
		}
		if fi.Mode&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if links++; links > 40 {
			return "", fmt.Errorf("lab: %s: too many levels of symbolic links", p)
		}
		target := fi.Linkname
		if strings.HasPrefix(target, "/") {
			cur = "/"
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	return cur, nil
}

func cleanPath(p string) string { return path.Clean("/" + p) }

// ELFMachine returns the machine (elf.EM_X86_64, elf.EM_AARCH64, ...) of an ELF file from its first bytes (the
// 20-byte identification and e_machine are enough, e.g. FileInfo.Head).
func ELFMachine(data []byte) (elf.Machine, error) {
	if len(data) < 20 || !bytes.Equal(data[:4], []byte(elf.ELFMAG)) {
		return 0, errors.New("lab: not an ELF file")
	}
	var bo binary.ByteOrder
	switch elf.Data(data[elf.EI_DATA]) {
	case elf.ELFDATA2LSB:
		bo = binary.LittleEndian
	case elf.ELFDATA2MSB:
		bo = binary.BigEndian
	default:
		return 0, fmt.Errorf("lab: ELF file with invalid data encoding %d", data[elf.EI_DATA])
	}
	switch elf.Class(data[elf.EI_CLASS]) {
	case elf.ELFCLASS32, elf.ELFCLASS64:
	default:
		return 0, fmt.Errorf("lab: ELF file with invalid class %d", data[elf.EI_CLASS])
	}
	// e_type (2 bytes) at 16, e_machine (2 bytes) at 18 in both classes.
	return elf.Machine(bo.Uint16(data[18:20])), nil
}

// MachineFor returns the ELF machine of a Go GOARCH / OCI architecture name ("amd64", "arm64", ...).
func MachineFor(arch string) (elf.Machine, bool) {
	m, ok := map[string]elf.Machine{
		"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "386": elf.EM_386, "arm": elf.EM_ARM,
		"ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390, "riscv64": elf.EM_RISCV,
	}[arch]
	return m, ok
}
