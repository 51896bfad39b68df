package unpack

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/maistra/builder-frontend/spec"
)

// Options say what Extract should take from an archive and where to put it.
type Options struct {
	// Form is the declared form of the source. Empty means: sniff it.
	Form Form
	// Strip drops this many leading path components from every entry, like
	// tar --strip-components. Entries with no more components than that are
	// skipped. A leading "./" is not a component.
	Strip int
	// Take optionally restricts extraction to these paths (after Strip). A
	// path names a file, a symlink or a whole directory subtree. Every path
	// must match at least one entry.
	Take []string
	// Dest is the directory entries are written into (created if missing);
	// an entry lands at Dest/<path after strip>. For FormRaw it is the target
	// file, or the directory to put it in when it exists or ends with "/".
	Dest string
	// Mode is the permission of the file written for FormRaw (default 0644).
	// It is ignored for archives, whose entries keep their own modes.
	Mode os.FileMode
	// MaxBytes caps the uncompressed size of an archive: the whole tar
	// stream (entries skipped by strip or take included: decompressing them
	// costs as much), or the zip entries extracted. 0 means
	// spec.DefaultMaxUnpackedBytes; past it Extract fails with a *LimitError.
	MaxBytes int64
	// MaxFiles caps the number of entries of an archive, whatever strip and
	// take select. 0 means spec.DefaultMaxUnpackedFiles.
	MaxFiles int
}

// LimitError is an archive larger than Options.MaxBytes or with more
// entries than Options.MaxFiles: a decompression bomb, or a release larger
// than the caps allow.
type LimitError struct {
	// Files is set when the entry count crossed the limit, else the bytes did.
	Files bool
	Limit int64
}

func (e *LimitError) Error() string {
	if e.Files {
		return fmt.Sprintf("the archive holds more than %d entries, the limit", e.Limit)
	}
	return fmt.Sprintf("the archive unpacks to more than %s, the limit", spec.FormatSize(e.Limit))
}

// defaultCaps hold an archive whose Options set no caps; a variable only
// so that a test can show them at work on a bomb of a few megabytes.
var defaultCaps = struct {
	bytes int64
	files int
}{spec.DefaultMaxUnpackedBytes, spec.DefaultMaxUnpackedFiles}

// limits are opts' caps with the defaults filled in.
func (o Options) limits() (maxBytes int64, maxFiles int) {
	maxBytes, maxFiles = o.MaxBytes, o.MaxFiles
	if maxBytes <= 0 {
		maxBytes = defaultCaps.bytes
	}
	if maxFiles <= 0 {
		maxFiles = defaultCaps.files
	}
	return maxBytes, maxFiles
}

// EnvSourceDateEpoch names the environment variable that, when set to a
// decimal count of seconds since 1970, fixes every extracted timestamp.
const EnvSourceDateEpoch = "SOURCE_DATE_EPOCH"

// Extract unpacks the archive at src into opts.Dest (or, for FormRaw, copies
// src there).
//
// Regular files, directories, symbolic links and hard links are extracted
// with their permission bits (setuid, setgid and sticky bits are dropped;
// ownership is that of the caller); device nodes and FIFOs are skipped. Zip
// entries use the Unix mode from their external attributes when an entry
// carries one, else 0644 for files and 0755 for directories. Timestamps are
// set to $SOURCE_DATE_EPOCH when set and to the archive's otherwise;
// directories the archive implies but does not list get the newest entry
// time, so the result is reproducible.
//
// An entry whose name is absolute, contains "..", or would be written through
// a symbolic link (one from the archive or one already in Dest) fails the
// extraction with an error naming it. So does content that does not match the
// declared form.
func Extract(src string, opts Options) error {
	if opts.Dest == "" {
		return errors.New("no destination given")
	}
	if opts.Strip < 0 {
		return fmt.Errorf("strip must not be negative, got %d", opts.Strip)
	}
	epoch, err := sourceDateEpoch()
	if err != nil {
		return err
	}
	f, fi, form, err := openSource(src, opts.Form)
	if err != nil {
		return err
	}
	defer f.Close()
	if form == FormRaw {
		if opts.Strip != 0 || len(opts.Take) != 0 {
			return errors.New("strip and take do not apply to form raw: the download is a single file")
		}
		return extractRaw(f, fi, opts, epoch)
	}

	takes, err := cleanTakes(opts.Take)
	if err != nil {
		return err
	}
	x, err := newExtractor(opts.Dest, opts.Strip, takes, epoch)
	if err != nil {
		return err
	}
	defer x.close()
	x.maxBytes, x.maxFiles = opts.limits()

	if form == FormZip {
		err = x.extractZip(f, fi.Size())
	} else {
		err = x.extractTar(io.NewSectionReader(f, 0, fi.Size()), form)
	}
	if err != nil {
		return err
	}
	if err := x.checkTakes(); err != nil {
		return err
	}
	return x.finish()
}

// openSource opens the regular file src and settles its form: form when
// given (any spelling), checked against the content, else the content's.
func openSource(src string, form Form) (_ *os.File, _ fs.FileInfo, _ Form, err error) {
	if form != "" {
		if form, err = ParseForm(string(form)); err != nil {
			return nil, nil, "", err
		}
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, nil, "", err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, "", err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, "", fmt.Errorf("%s is not a regular file", src)
	}
	if form == FormRaw {
		return f, fi, form, nil
	}
	sniffed := Sniff(f)
	if form == "" {
		if sniffed == "" {
			return nil, nil, "", fmt.Errorf("cannot tell what kind of archive %s is (it starts with %s); set form on the tool (%s)", src, head(f), formList())
		}
		form = sniffed
	}
	if err := checkForm(f, form, sniffed); err != nil {
		return nil, nil, "", err
	}
	return f, fi, form, nil
}

// checkForm fails when the content of f is evidently not of the declared form.
func checkForm(f *os.File, form Form, sniffed Form) error {
	switch {
	case sniffed == form:
		return nil
	case sniffed != "":
		return fmt.Errorf("archive is %s but the spec says %s: set form: %s on the tool", sniffed, form, sniffed)
	case form == FormTar:
		// Pre-POSIX (v7) tars carry no magic; let the tar reader judge.
		return nil
	default:
		return fmt.Errorf("content is not a %s archive (it starts with %s): fix the URL, or set form: raw on the tool if the download is a plain file", form, head(f))
	}
}

// head quotes the first bytes of f for error messages.
func head(f io.ReaderAt) string {
	b := make([]byte, 24)
	n, _ := f.ReadAt(b, 0)
	if n == 0 {
		return "nothing: the file is empty"
	}
	return strconv.Quote(string(b[:n]))
}

func sourceDateEpoch() (*time.Time, error) {
	v := strings.TrimSpace(os.Getenv(EnvSourceDateEpoch))
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("invalid %s %q: want whole seconds since 1970-01-01", EnvSourceDateEpoch, v)
	}
	t := time.Unix(n, 0).UTC()
	return &t, nil
}

// cleanTakes normalises the Take paths: relative, slash separated, no "..".
func cleanTakes(takes []string) ([]string, error) {
	out := make([]string, 0, len(takes))
	for _, t := range takes {
		c := path.Clean(strings.TrimSpace(t))
		switch {
		case path.IsAbs(c):
			return nil, fmt.Errorf("take path %q must be relative to the archive (after strip)", t)
		case c == "." || c == "":
			return nil, fmt.Errorf("take path %q names nothing; omit take to extract everything", t)
		case c == ".." || strings.HasPrefix(c, "../"):
			return nil, fmt.Errorf("take path %q must not leave the archive", t)
		}
		out = append(out, c)
	}
	return out, nil
}

// cleanName validates an archive entry name and returns it cleaned, or ""
// for the archive root itself ("./").
func cleanName(name string) (string, error) {
	switch {
	case name == "":
		return "", errors.New("entry has an empty name")
	case strings.HasPrefix(name, "/"):
		return "", fmt.Errorf("entry %q: absolute path escapes the destination", name)
	case strings.IndexByte(name, 0) >= 0:
		return "", fmt.Errorf("entry %q: name contains a NUL byte", name)
	}
	for _, c := range strings.Split(name, "/") {
		if c == ".." {
			return "", fmt.Errorf("entry %q: path escapes the destination (contains \"..\")", name)
		}
	}
	c := path.Clean(name)
	if c == "." {
		return "", nil
	}
	return c, nil
}

// stripPath drops n leading components of the cleaned path p.
func stripPath(p string, n int) (string, bool) {
	if n == 0 {
		return p, true
	}
	parts := strings.SplitN(p, "/", n+1)
	if len(parts) <= n {
		return "", false
	}
	return parts[n], true
}

// firstComponent returns p's first component and whether p goes deeper.
func firstComponent(p string) (string, bool) {
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i], true
	}
	return p, false
}

type kind int

const (
	kindOther kind = iota // devices, FIFOs, ...: skipped
	kindFile
	kindDir
	kindSymlink
	kindLink // hard link
)

// entry is one archive member, independent of the archive format.
type entry struct {
	index    int // position in the archive
	name     string
	kind     kind
	mode     fs.FileMode // permission bits
	mtime    time.Time
	linkname string                        // symlink or hard link target
	open     func() (io.ReadCloser, error) // file content; symlink target when linkname is ""
}

type dirMeta struct {
	mode     fs.FileMode
	mtime    time.Time
	implicit bool // created as a parent, not from a directory entry
}

type linkReq struct {
	rel  string
	name string
}

type extractor struct {
	dest  string
	root  *os.Root
	strip int
	takes []string
	hit   []bool
	epoch *time.Time
	// fresh: Dest was empty, so every path in it is one made recorded; the
	// checks before each write ask made instead of the file system.
	fresh bool
	made  map[string]kind
	// dir is the last parent directory written into, open, so that an entry
	// costs one lookup of its own name rather than one per path component.
	dir struct {
		rel  string
		root *os.Root
	}

	maxBytes, written int64
	maxFiles, files   int

	known   map[string]bool     // rel paths verified to be real directories
	dirs    map[string]*dirMeta // directories whose mode and time finish sets
	created []string            // Dest and ancestors created here, deepest first
	latest  time.Time           // newest time of an extracted entry

	seen    int             // entries with a name
	entries int             // entries left after strip
	tops    map[string]bool // first components after strip (value: is a directory)
	rawTops map[string]bool // first components before strip

	// Hard links: data maps an archive name to the index of the entry
	// holding its content; at lists where each such content was written;
	// owner is the reverse; pending lists links whose content was not
	// extracted (filtered out by strip or take) for a second pass.
	data      map[string]int
	at        map[int][]string
	owner     map[string]int
	pending   map[int][]linkReq
	pendingAt map[string]int
}

func newExtractor(dest string, strip int, takes []string, epoch *time.Time) (*extractor, error) {
	x := &extractor{
		dest:      filepath.Clean(dest),
		strip:     strip,
		takes:     takes,
		hit:       make([]bool, len(takes)),
		epoch:     epoch,
		known:     map[string]bool{".": true},
		dirs:      map[string]*dirMeta{},
		tops:      map[string]bool{},
		rawTops:   map[string]bool{},
		data:      map[string]int{},
		at:        map[int][]string{},
		owner:     map[string]int{},
		pending:   map[int][]linkReq{},
		pendingAt: map[string]int{},
		made:      map[string]kind{},
	}
	created, err := mkdirAllTracked(x.dest)
	if err != nil {
		return nil, err
	}
	x.created = created
	if x.root, err = os.OpenRoot(x.dest); err != nil {
		return nil, err
	}
	if d, err := x.root.Open("."); err == nil {
		names, _ := d.Readdirnames(1)
		d.Close()
		x.fresh = len(names) == 0
	}
	return x, nil
}

func (x *extractor) close() {
	if x.dir.root != nil {
		x.dir.root.Close()
	}
	x.root.Close()
}

// in is the open parent directory of rel and rel's name in it. Parents are
// real directories (parents checked them), so the handle cannot lead out
// of Dest.
func (x *extractor) in(rel string) (*os.Root, string, error) {
	dir, base := path.Dir(rel), path.Base(rel)
	if dir == "." {
		return x.root, base, nil
	}
	if x.dir.root != nil && x.dir.rel == dir {
		return x.dir.root, base, nil
	}
	r, err := x.root.OpenRoot(dir)
	if err != nil {
		return nil, "", err
	}
	if x.dir.root != nil {
		x.dir.root.Close()
	}
	x.dir.rel, x.dir.root = dir, r
	return r, base, nil
}

// lstat is what is at rel: asked of made when Dest started empty (nothing
// there but what this extraction wrote), else of the file system. ok is
// false when nothing is there.
func (x *extractor) lstat(rel string) (k kind, ok bool, err error) {
	if x.fresh {
		k, ok = x.made[rel]
		return k, ok, nil
	}
	fi, err := x.root.Lstat(rel)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return kindOther, false, nil
	case err != nil:
		return kindOther, false, err
	case fi.IsDir():
		return kindDir, true, nil
	case fi.Mode()&fs.ModeSymlink != 0:
		return kindSymlink, true, nil
	}
	return kindFile, true, nil
}

// remove deletes the file or link at rel.
func (x *extractor) remove(rel string) error {
	d, base, err := x.in(rel)
	if err != nil {
		return err
	}
	delete(x.made, rel)
	return d.Remove(base)
}

// mkdirAt creates the directory rel (mode and time are set by finish).
func (x *extractor) mkdirAt(rel string) error {
	d, base, err := x.in(rel)
	if err != nil {
		return err
	}
	if err := d.Mkdir(base, 0o755); err != nil {
		return err
	}
	x.made[rel] = kindDir
	return nil
}

// mkdirAllTracked is os.MkdirAll returning the directories it created,
// deepest first.
func mkdirAllTracked(dir string) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return nil, fmt.Errorf("destination %s: %s is not a directory", dir, d)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, d)
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return missing, nil
}

func (x *extractor) time(t time.Time) time.Time {
	if x.epoch != nil {
		return *x.epoch
	}
	if t.IsZero() {
		// A zero time.Time would leave the file's time unchanged (now).
		return time.Unix(0, 0).UTC()
	}
	return t
}

// selected reports whether rel is taken, recording which take paths matched.
func (x *extractor) selected(rel string) bool {
	if len(x.takes) == 0 {
		return true
	}
	sel := false
	for i, t := range x.takes {
		if under(rel, t) {
			x.hit[i] = true
			sel = true
		}
	}
	return sel
}

// under reports whether rel is the path take or inside it.
func under(rel, take string) bool {
	return rel == take || (len(rel) > len(take) && rel[len(take)] == '/' && strings.HasPrefix(rel, take))
}

// handle extracts one entry (first pass).
func (x *extractor) handle(e *entry) error {
	name, err := cleanName(e.name)
	if err != nil {
		return err
	}
	if name == "" {
		return nil // "./": the archive root
	}
	if x.files++; x.files > x.maxFiles {
		return &LimitError{Files: true, Limit: int64(x.maxFiles)}
	}
	x.seen++
	top, deeper := firstComponent(name)
	x.rawTops[top] = x.rawTops[top] || deeper || e.kind == kindDir

	// Hard-link bookkeeping works on archive names, before strip and take.
	dataIdx := e.index
	switch e.kind {
	case kindFile:
		x.data[name] = e.index
	case kindLink:
		target, err := cleanName(e.linkname)
		if err != nil || target == "" {
			return fmt.Errorf("entry %q: hard link target %q is not a path inside the archive", e.name, e.linkname)
		}
		i, ok := x.data[target]
		if !ok {
			return fmt.Errorf("entry %q: hard link to %q, which is not a regular file earlier in the archive", e.name, e.linkname)
		}
		x.data[name] = i
		dataIdx = i
	default:
		delete(x.data, name)
	}

	rel, ok := stripPath(name, x.strip)
	if !ok {
		return nil
	}
	x.entries++
	top, deeper = firstComponent(rel)
	x.tops[top] = x.tops[top] || deeper || e.kind == kindDir

	if !x.selected(rel) {
		return nil
	}
	t := x.time(e.mtime)
	if e.kind != kindOther && t.After(x.latest) {
		x.latest = t
	}

	switch e.kind {
	case kindDir:
		err = x.mkdir(rel, e.mode, t)
	case kindFile:
		err = x.writeEntry(rel, e, e.mode, t, e.index)
	case kindSymlink:
		target := e.linkname
		if target == "" && e.open != nil {
			if target, err = readLinkTarget(e.open); err != nil {
				break
			}
		}
		err = x.symlink(rel, target, t)
	case kindLink:
		if src := x.at[dataIdx]; len(src) > 0 {
			err = x.link(src[0], rel, dataIdx)
		} else {
			x.release(rel)
			x.pending[dataIdx] = append(x.pending[dataIdx], linkReq{rel: rel, name: e.name})
			x.pendingAt[rel] = dataIdx
		}
	}
	if err != nil {
		return fmt.Errorf("entry %q: %w", e.name, err)
	}
	return nil
}

func readLinkTarget(open func() (io.ReadCloser, error)) (string, error) {
	r, err := open()
	if err != nil {
		return "", err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, 4097))
	if err != nil {
		return "", err
	}
	if len(b) > 4096 {
		return "", errors.New("symbolic link target is longer than 4096 bytes")
	}
	return string(b), nil
}

// claim records that the content of entry idx now lives at rel.
func (x *extractor) claim(rel string, idx int) {
	x.owner[rel] = idx
	x.at[idx] = append(x.at[idx], rel)
}

// release forgets whatever content or pending hard link was recorded at rel,
// which is about to be replaced.
func (x *extractor) release(rel string) {
	if idx, ok := x.owner[rel]; ok {
		delete(x.owner, rel)
		x.at[idx] = remove(x.at[idx], rel)
	}
	if idx, ok := x.pendingAt[rel]; ok {
		delete(x.pendingAt, rel)
		reqs := x.pending[idx][:0]
		for _, r := range x.pending[idx] {
			if r.rel != rel {
				reqs = append(reqs, r)
			}
		}
		if len(reqs) == 0 {
			delete(x.pending, idx)
		} else {
			x.pending[idx] = reqs
		}
	}
}

func remove(list []string, s string) []string {
	out := list[:0]
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}

// parents makes sure every parent of rel is a real directory inside Dest,
// creating missing ones and refusing symbolic links.
func (x *extractor) parents(rel string) error {
	dir := path.Dir(rel)
	if x.known[dir] {
		return nil
	}
	if err := x.parents(dir); err != nil {
		return err
	}
	k, exists, err := x.lstat(dir)
	switch {
	case err != nil:
		return err
	case exists && k == kindSymlink:
		return fmt.Errorf("refusing to write through symbolic link %q", dir)
	case exists && k != kindDir:
		return fmt.Errorf("parent %q is not a directory", dir)
	case !exists:
		if err := x.mkdirAt(dir); err != nil {
			return err
		}
		x.release(dir)
		if x.dirs[dir] == nil {
			x.dirs[dir] = &dirMeta{implicit: true}
		}
	}
	x.known[dir] = true
	return nil
}

// prepare readies rel for a new non-directory: parents exist, and whatever
// file or link was there is gone. It refuses to replace a directory.
func (x *extractor) prepare(rel string) error {
	if err := x.parents(rel); err != nil {
		return err
	}
	k, exists, err := x.lstat(rel)
	switch {
	case err != nil:
		return err
	case exists && k == kindDir:
		return fmt.Errorf("would replace directory %q", rel)
	case exists:
		if err := x.remove(rel); err != nil {
			return err
		}
	}
	x.release(rel)
	return nil
}

func (x *extractor) mkdir(rel string, mode fs.FileMode, t time.Time) error {
	if err := x.parents(rel); err != nil {
		return err
	}
	k, exists, err := x.lstat(rel)
	if err != nil {
		return err
	}
	if exists && k != kindDir {
		if err := x.remove(rel); err != nil {
			return err
		}
		exists = false
	}
	if !exists {
		if err := x.mkdirAt(rel); err != nil {
			return err
		}
	}
	x.release(rel)
	x.known[rel] = true
	x.dirs[rel] = &dirMeta{mode: mode, mtime: t}
	return nil
}

// writeEntry writes the content of e to rel as the content of entry idx.
func (x *extractor) writeEntry(rel string, e *entry, mode fs.FileMode, t time.Time, idx int) error {
	r, err := e.open()
	if err != nil {
		return err
	}
	defer r.Close()
	if err := x.writeFile(rel, r, mode, t); err != nil {
		return err
	}
	x.claim(rel, idx)
	return nil
}

func (x *extractor) writeFile(rel string, r io.Reader, mode fs.FileMode, t time.Time) error {
	if err := x.prepare(rel); err != nil {
		return err
	}
	d, base, err := x.in(rel)
	if err != nil {
		return err
	}
	f, err := d.OpenFile(base, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	x.made[rel] = kindFile
	n, err := io.Copy(f, io.LimitReader(r, x.maxBytes-x.written+1))
	x.written += n
	if err == nil && x.written > x.maxBytes {
		err = &LimitError{Limit: x.maxBytes}
	}
	if err == nil {
		err = f.Chmod(mode.Perm())
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return d.Chtimes(base, t, t)
}

func (x *extractor) symlink(rel, target string, t time.Time) error {
	if target == "" {
		return errors.New("symbolic link has an empty target")
	}
	if strings.IndexByte(target, 0) >= 0 {
		return errors.New("symbolic link target contains a NUL byte")
	}
	if err := x.prepare(rel); err != nil {
		return err
	}
	d, base, err := x.in(rel)
	if err != nil {
		return err
	}
	if err := d.Symlink(target, base); err != nil {
		return err
	}
	x.made[rel] = kindSymlink
	return lutimes(d, base, t)
}

// link makes rel a hard link to the already extracted file src (content of
// entry idx), copying it when the file system refuses the link.
func (x *extractor) link(src, rel string, idx int) error {
	if src == rel {
		return nil
	}
	if err := x.prepare(rel); err != nil {
		return err
	}
	if err := x.root.Link(src, rel); err == nil {
		x.made[rel] = kindFile
	} else {
		f, oerr := x.root.Open(src)
		if oerr != nil {
			return err
		}
		defer f.Close()
		fi, serr := f.Stat()
		if serr != nil || !fi.Mode().IsRegular() {
			return err
		}
		if err := x.writeFile(rel, f, fi.Mode(), fi.ModTime()); err != nil {
			return err
		}
	}
	x.claim(rel, idx)
	return nil
}

// resolvePending writes the content of entry e (read in a second pass) to
// the hard links that wait for it.
func (x *extractor) resolvePending(e *entry) error {
	reqs := append([]linkReq(nil), x.pending[e.index]...)
	delete(x.pending, e.index)
	for _, r := range reqs {
		delete(x.pendingAt, r.rel)
	}
	t := x.time(e.mtime)
	for i, r := range reqs {
		var err error
		if i == 0 {
			err = x.writeEntry(r.rel, e, e.mode, t, e.index)
		} else {
			err = x.link(reqs[0].rel, r.rel, e.index)
		}
		if err != nil {
			return fmt.Errorf("entry %q: %w", r.name, err)
		}
	}
	return nil
}

// checkTakes fails when a take path matched nothing, listing what exists.
func (x *extractor) checkTakes() error {
	var missing []string
	for i, t := range x.takes {
		if !x.hit[i] {
			missing = append(missing, strconv.Quote(t))
		}
	}
	if len(missing) == 0 && (x.entries > 0 || x.seen == 0) {
		return nil
	}
	var b strings.Builder
	switch {
	case len(missing) == 1:
		fmt.Fprintf(&b, "take path %s not found in the archive", missing[0])
	case len(missing) > 1:
		fmt.Fprintf(&b, "take paths %s not found in the archive", strings.Join(missing, ", "))
	default:
		b.WriteString("nothing to extract")
	}
	switch {
	case x.seen == 0:
		b.WriteString(": the archive is empty")
	case x.entries == 0:
		fmt.Fprintf(&b, ": no entry has more than %d path components, so strip %d leaves nothing; top-level entries before strip: %s",
			x.strip, x.strip, listTops(x.rawTops))
	default:
		if x.strip > 0 {
			fmt.Fprintf(&b, " (paths are relative after strip %d)", x.strip)
		}
		fmt.Fprintf(&b, "; top-level entries: %s", listTops(x.tops))
	}
	return errors.New(b.String())
}

// listTops lists up to 10 top-level names, directories with a trailing "/".
func listTops(tops map[string]bool) string {
	names := make([]string, 0, len(tops))
	for n := range tops {
		names = append(names, n)
	}
	sort.Strings(names)
	const max = 10
	more := 0
	if len(names) > max {
		more = len(names) - max
		names = names[:max]
	}
	for i, n := range names {
		if tops[n] {
			n += "/"
		}
		names[i] = strconv.Quote(n)
	}
	s := strings.Join(names, ", ")
	if more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}

// finish sets directory modes and times once nothing more is written.
func (x *extractor) finish() error {
	implicit := x.latest
	if x.epoch != nil {
		implicit = *x.epoch
	}
	rels := make([]string, 0, len(x.dirs))
	for rel := range x.dirs {
		rels = append(rels, rel)
	}
	sort.Slice(rels, func(i, j int) bool {
		di, dj := strings.Count(rels[i], "/"), strings.Count(rels[j], "/")
		if di != dj {
			return di > dj
		}
		return rels[i] < rels[j]
	})
	for _, rel := range rels {
		m := *x.dirs[rel]
		if m.implicit {
			// A parent that take did not select is made like tar makes
			// one (and like the daemon's route): 0755, whatever mode the
			// archive lists for it.
			m = dirMeta{mode: 0o755, mtime: implicit}
		}
		d, base, err := x.in(rel)
		if err != nil {
			return err
		}
		if err := d.Chmod(base, m.mode.Perm()); err != nil {
			return err
		}
		if !m.mtime.IsZero() {
			if err := d.Chtimes(base, m.mtime, m.mtime); err != nil {
				return err
			}
		}
	}
	if implicit.IsZero() {
		return nil
	}
	for _, d := range x.created {
		if err := os.Chmod(d, 0o755); err != nil {
			return err
		}
		if err := os.Chtimes(d, implicit, implicit); err != nil {
			return err
		}
	}
	return nil
}
