package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// maxExtends bounds a chain of extends: a release branch extends a common
// spec, perhaps through another branch; eight files are far more than that.
const maxExtends = 8

const extendsHint = "extends: takes a path relative to the file it is in, in the directory of the spec being built or below it"

// Load reads the spec name, whose text is data, and every spec it extends,
// and returns the spec they make together: the file furthest up the chain
// overlaid by each file that extends it, down to name (docs/spec.md,
// "extends"). A spec without extends is what Parse returns.
//
// read returns the text of an extended spec. It is given the extends: value
// joined to the directory of the file that names it (path.Join: cleaned,
// slash-separated), which Load has checked to be in the directory of name
// or below it; a read error that wraps fs.ErrNotExist is told as a missing
// file. Load does no I/O of its own; with a nil read, extends is an error.
//
// Every problem is an ErrorList located in the file where its text is; a
// problem in an extended file also names the extends: lines that pulled it
// in (Error.ExtendedBy).
func Load(name string, data []byte, read func(path string) ([]byte, error)) (*Spec, error) {
	s, err := Parse(name, data)
	if err != nil || s.Extends == "" {
		return s, err
	}
	if read == nil {
		read = func(string) ([]byte, error) { return nil, errors.New("this program reads one file only") }
	}
	files := []*Spec{s}
	for cur := s; cur.Extends != ""; {
		parent, err := readParent(files, cur, read)
		if err != nil {
			return nil, err
		}
		files = append(files, parent)
		cur = parent
	}
	merged := files[len(files)-1]
	// The file at the top of the chain extends nothing: its remove: would
	// be dropped by the merge unread.
	if errs := removeWithoutExtends(merged); len(errs) > 0 {
		for _, e := range errs {
			e.ExtendedBy = extendedBy(files, e.File)
		}
		return nil, errs.err()
	}
	for i := len(files) - 2; i >= 0; i-- {
		var errs ErrorList
		merged, errs = merge(merged, files[i])
		if len(errs) > 0 {
			for _, e := range errs {
				e.ExtendedBy = extendedBy(files, e.File)
			}
			return nil, errs.err()
		}
	}
	return merged, nil
}

// readParent reads the spec cur extends; files is the chain so far, the
// spec being built first.
func readParent(files []*Spec, cur *Spec, read func(string) ([]byte, error)) (*Spec, error) {
	src := cur.Source
	at := func(hint, format string, args ...any) error {
		e := &Error{File: src.Filename, Pos: src.extendsAt, Msg: fmt.Sprintf(format, args...), Hint: hint, ExtendedBy: extendedBy(files, src.Filename)}
		if e.Pos.Line == 0 {
			e.Pos = src.Range(Path{"extends"}).Start
		}
		return ErrorList{e}
	}
	root := path.Clean(files[0].Source.Filename)
	dir := path.Dir(root)
	name := path.Join(path.Dir(src.Filename), cur.Extends)
	inside := dir == "." && name != ".." && !strings.HasPrefix(name, "../") && !path.IsAbs(name) ||
		dir != "." && strings.HasPrefix(name, strings.TrimSuffix(dir, "/")+"/")
	if path.IsAbs(cur.Extends) || !inside {
		return nil, at(fmt.Sprintf("keep the specs it extends in %s or below it: a build through buildx reads only that directory", dirWords(dir)),
			"extends %s, which is outside the directory of %s", cur.Extends, root)
	}
	var names []string
	for _, f := range files {
		names = append(names, path.Clean(f.Source.Filename))
	}
	for _, n := range names {
		if n == name {
			return nil, at("a spec cannot extend itself, directly or through others; remove one of these extends:",
				"extends %s, which makes a cycle: %s → %s", cur.Extends, strings.Join(names, " → "), name)
		}
	}
	if len(files) >= maxExtends {
		return nil, at(fmt.Sprintf("a chain holds at most %d specs; extend a shared spec more directly", maxExtends),
			"extends %s, which makes the chain from %s longer than %d specs", cur.Extends, names[0], maxExtends)
	}
	data, err := read(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, at(extendsHint, "extends %s, but %s does not exist", cur.Extends, name)
		}
		return nil, at(extendsHint, "extends %s, but %s cannot be read: %v", cur.Extends, name, err)
	}
	p, err := Parse(name, data)
	if err != nil {
		var l ErrorList
		if errors.As(err, &l) {
			by := append(extendedBy(files, src.Filename), Location{})
			copy(by[1:], by)
			by[0] = Location{File: src.Filename, Pos: extendsPos(cur)}
			for _, e := range l {
				e.ExtendedBy = by
			}
		}
		return nil, err
	}
	return p, nil
}

func dirWords(dir string) string {
	if dir == "." {
		return "its directory"
	}
	return dir
}

// extendsPos is where the extends: value of a spec read from one file stands.
func extendsPos(s *Spec) Pos {
	if p := s.Source.extendsAt; p.Line > 0 {
		return p
	}
	return s.Source.Range(Path{"extends"}).Start
}

// extendedBy returns, for the file named file of the chain files (the spec
// being built first), the extends: lines that pulled it in, nearest first.
func extendedBy(files []*Spec, file string) []Location {
	for i, f := range files {
		if f.Source.Filename != file {
			continue
		}
		var out []Location
		for j := i - 1; j >= 0; j-- {
			out = append(out, Location{File: files[j].Source.Filename, Pos: extendsPos(files[j])})
		}
		return out
	}
	return nil
}

// checkExtends reports extends: and remove: in a spec that Load did not
// make: Parse reads one file, and only Load reads the specs it extends.
func (r *resolver) checkExtends() {
	s := r.s
	if s.chain != nil {
		return
	}
	if s.Extends != "" {
		r.errorf(Path{"extends"}, "read the spec with spec.Load, which reads the specs it extends", "the spec extends %s, which was not read", s.Extends)
	}
	r.errs = append(r.errs, removeWithoutExtends(s)...)
}

// removeWithoutExtends reports the remove: of a spec read from one file
// that extends nothing.
func removeWithoutExtends(s *Spec) ErrorList {
	var out ErrorList
	for _, name := range s.ImageNames() {
		if img := s.Images[name]; img != nil && img.Remove != nil {
			out = append(out, s.Errorf(Path{"images", name, "remove"}, "add extends: with the spec to build on, or delete remove:", "remove: drops what an extended spec has, and this spec extends none"))
		}
	}
	return out
}
