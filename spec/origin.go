package spec

import "fmt"

// Origin is where a node of a spec is written: the file and the node's
// path in that file. In a spec with extends, the node at
// images.builder.tools.3 may be written at images.builder.tools.5 of the
// file it extends.
type Origin struct {
	Source *Source
	Path   Path
}

// Location is a place in a file, for messages.
type Location struct {
	File string
	Pos  Pos
}

func (l Location) String() string {
	if l.Pos.Line == 0 {
		return l.File
	}
	return fmt.Sprintf("%s:%d:%d", l.File, l.Pos.Line, l.Pos.Col)
}

// chain is what Load keeps of a spec made from several files.
type chain struct {
	// files are the spec's own file first, then the files it extends,
	// nearest first.
	files []*Source
	// extendedBy holds, by file name, the extends: lines that pulled the
	// file in, nearest first; the spec's own file has none.
	extendedBy map[string][]Location
	// origins tells, for paths of the merged spec, where they are written:
	// a path is found through its nearest ancestor that origins holds, else
	// it is written in the spec's own file at the same path.
	origins *originTree
}

// originTree holds origins by path, one level of the path per level of the
// tree, so that a subtree is found, and copied, in one step.
type originTree struct {
	at   *Origin
	kids map[string]*originTree
}

// node returns the tree's node at p, made when missing.
func (t *originTree) node(p Path) *originTree {
	for _, el := range p {
		if t.kids == nil {
			t.kids = map[string]*originTree{}
		}
		k := t.kids[el]
		if k == nil {
			k = &originTree{}
			t.kids[el] = k
		}
		t = k
	}
	return t
}

// find returns the node at p, or nil.
func (t *originTree) find(p Path) *originTree {
	for _, el := range p {
		if t = t.kids[el]; t == nil {
			return nil
		}
	}
	return t
}

// lookup returns the origin of p: that of its nearest ancestor (or p
// itself) the tree holds, extended by the rest of p.
func (t *originTree) lookup(p Path) (Origin, bool) {
	var best *Origin
	depth := 0
	for i := 0; t != nil; i++ {
		if t.at != nil {
			best, depth = t.at, i
		}
		if i == len(p) {
			break
		}
		t = t.kids[p[i]]
	}
	if best == nil {
		return Origin{}, false
	}
	return Origin{Source: best.Source, Path: append(append(Path{}, best.Path...), p[depth:]...)}, true
}

// clone copies the tree, so that a merge adding to a copied subtree leaves
// the spec it came from alone.
func (t *originTree) clone() *originTree {
	if t == nil {
		return nil
	}
	c := &originTree{at: t.at}
	if len(t.kids) > 0 {
		c.kids = make(map[string]*originTree, len(t.kids))
		for k, v := range t.kids {
			c.kids[k] = v.clone()
		}
	}
	return c
}

// LineRef names the line where r starts, for a message about a node at
// from: "line 12", or "common.yaml:12" when r is in another file.
func LineRef(r, from Range) string {
	if r.File != from.File && r.File != "" {
		return fmt.Sprintf("%s:%d", r.File, r.Start.Line)
	}
	return fmt.Sprintf("line %d", r.Start.Line)
}

// defaultSource stands in for the file of a spec made in code.
var defaultSource = &Source{Filename: "builder.yaml"}

// source is the spec's own file.
func (s *Spec) source() *Source {
	if s.Source == nil {
		return defaultSource
	}
	return s.Source
}

// Origin returns where the node at p of the spec is written. Only a spec
// with extends has nodes outside its own file.
func (s *Spec) Origin(p Path) Origin {
	if c := s.chain; c != nil && c.origins != nil {
		if o, ok := c.origins.lookup(p); ok {
			return o
		}
	}
	return Origin{Source: s.source(), Path: p}
}

// Range returns the span of the node at p (or of its nearest ancestor
// written in the file) in the file it is written in, which Range.File names.
func (s *Spec) Range(p Path) Range {
	o := s.Origin(p)
	return o.Source.Range(o.Path)
}

// Errorf builds an Error located where the node p is written, with the
// extends: lines that pulled that file in.
func (s *Spec) Errorf(p Path, hint, format string, args ...any) *Error {
	o := s.Origin(p)
	e := o.Source.Errorf(o.Path, hint, format, args...)
	e.ExtendedBy = s.ExtendedBy(e.File)
	return e
}

// Sources returns the files the spec is read from: its own first, then the
// ones it extends, nearest first.
func (s *Spec) Sources() []*Source {
	if s.chain != nil {
		return s.chain.files
	}
	return []*Source{s.source()}
}

// ExtendedBy returns the extends: lines that pulled the file in, nearest
// first; none for the spec's own file.
func (s *Spec) ExtendedBy(file string) []Location {
	if s.chain == nil {
		return nil
	}
	return s.chain.extendedBy[file]
}
