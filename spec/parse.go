package spec

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Source is the text of a spec file and where each of its nodes stands.
type Source struct {
	Filename string
	Data     []byte
	nodes    map[string]Range
	lines    []int // offset of each line's start, once nullWritten needs them
	// extendsAt is where the value of extends: stands.
	extendsAt Pos
}

// Path addresses a node of the spec like a file system path: each element is
// a mapping key or a sequence index.
type Path []string

func (p Path) key() string { return strings.Join(p, "\x00") }

// Child returns p extended by elems.
func (p Path) Child(elems ...any) Path {
	out := make(Path, len(p), len(p)+len(elems))
	copy(out, p)
	for _, e := range elems {
		switch v := e.(type) {
		case int:
			out = append(out, strconv.Itoa(v))
		default:
			out = append(out, fmt.Sprint(v))
		}
	}
	return out
}

// Range returns the span of the node at p, or of its nearest ancestor that
// exists in the file.
func (s *Source) Range(p Path) Range {
	if s == nil {
		return Range{}
	}
	for i := len(p); i >= 0; i-- {
		if r, ok := s.nodes[p[:i].key()]; ok {
			r.File = s.Filename
			return r
		}
	}
	return Range{}
}

// Errorf builds an Error located at the node p.
func (s *Source) Errorf(p Path, hint, format string, args ...any) *Error {
	e := &Error{Pos: s.Range(p).Start, Msg: fmt.Sprintf(format, args...), Hint: hint}
	if s != nil {
		e.File = s.Filename
	}
	return e
}

// maxSpecSize bounds what the parser is asked to read: a builder spec is a
// few hundred lines; anything near this is a mistake (a binary passed as -f).
const maxSpecSize = 4 << 20

// Parse reads a spec. Every problem it can find is returned as an ErrorList,
// each with the file, line and column.
func Parse(filename string, data []byte) (s *Spec, err error) {
	// The YAML library is third-party code fed untrusted input: a panic in it
	// must become an error, never a crashed build.
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, ErrorList{{File: filename, Msg: fmt.Sprintf("the YAML parser failed on this file (%v)", r), Hint: "simplify the YAML around anchors and aliases, and report this input"}}
		}
	}()
	src := &Source{Filename: filename, Data: data, nodes: map[string]Range{}}
	if len(data) > maxSpecSize {
		return nil, ErrorList{src.Errorf(nil, "check that it is the builder spec", "file is larger than %d MiB, the most a spec may be", maxSpecSize>>20)}
	}
	tokens := lexer.Tokenize(string(data))
	if e := nestingError(src, tokens); e != nil {
		return nil, ErrorList{e}
	}
	f, err := parser.Parse(tokens, 0)
	if err != nil {
		return nil, ErrorList{yamlError(src, err)}
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		if len(f.Docs) > 1 {
			return nil, ErrorList{src.errAt(f.Docs[1].Body, "keep one spec per file", "the file holds %d YAML documents", len(f.Docs))}
		}
		return nil, ErrorList{src.Errorf(nil, "start from docs/spec.md or examples/minimal/builder.yaml", "the spec is empty")}
	}
	body := f.Docs[0].Body
	aliases, aerr := boundAliases(src, body)
	if aerr != nil {
		return nil, ErrorList{aerr}
	}
	src.index(nil, body)

	c := &fieldCheck{src: src, aliases: aliases}
	c.check("", body, reflect.TypeOf(Spec{}), 0)
	if len(c.errs) > 0 {
		return nil, c.errs.err()
	}
	s = &Spec{}
	if err := yaml.NodeToValue(body, s); err != nil {
		return nil, ErrorList{yamlError(src, err)}
	}
	s.Source = src
	s.schemes = &schemeCache{}
	if m, ok := unwrap(body).(*ast.MappingNode); ok {
		for _, mv := range m.Values {
			switch keyString(mv.Key) {
			case "extends":
				src.extendsAt = tokenPos(mv.Value)
				continue
			case "images":
			default:
				continue
			}
			if im, ok := unwrap(mv.Value).(*ast.MappingNode); ok {
				for _, v := range im.Values {
					s.imageOrder = append(s.imageOrder, keyString(v.Key))
				}
			}
		}
	}
	for name, img := range s.Images {
		if img != nil {
			img.name = name
		}
	}
	return s, nil
}

// ImageNames returns the images in document order; the first is the default target.
func (s *Spec) ImageNames() []string {
	out := make([]string, 0, len(s.Images))
	for _, n := range s.imageOrder {
		if _, ok := s.Images[n]; ok {
			out = append(out, n)
		}
	}
	return out
}

func (s *Source) errAt(n ast.Node, hint, format string, args ...any) *Error {
	return &Error{File: s.Filename, Pos: tokenPos(n), Msg: fmt.Sprintf(format, args...), Hint: hint}
}

func yamlError(src *Source, err error) *Error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		e := &Error{File: src.Filename, Msg: ye.GetMessage(), Hint: "fix the YAML at this position"}
		if t := ye.GetToken(); t != nil && t.Position != nil {
			e.Pos = Pos{t.Position.Line, t.Position.Column}
		}
		// The field check finds type mistakes first, with the field's
		// path; should the decoder still find one, it is told in the
		// spec's words, not Go's.
		var te *yaml.TypeError
		var oe *yaml.OverflowError
		switch {
		case errors.As(err, &te):
			words, hint := typeText(te.DstType)
			e.Msg, e.Hint = fmt.Sprintf("expected %s here, found %s", words, goValueWords(te.SrcType)), hint
		case errors.As(err, &oe):
			words, hint := typeText(oe.DstType)
			e.Msg, e.Hint = fmt.Sprintf("%s is too large for %s", oe.SrcNum, words), hint
		}
		return e
	}
	return &Error{File: src.Filename, Msg: err.Error(), Hint: "fix the YAML syntax"}
}

// goValueWords names what the YAML decoder read, by the Go type it read it as.
func goValueWords(t reflect.Type) string {
	if t == nil {
		return "nothing"
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a value"
}

func unwrap(n ast.Node) ast.Node {
	for i := 0; i < 16 && n != nil; i++ {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.MappingKeyNode:
			n = v.Value
		default:
			return n
		}
	}
	return n
}

func keyString(k ast.Node) string {
	if k == nil {
		return ""
	}
	switch v := unwrap(k).(type) {
	case *ast.StringNode:
		return v.Value
	case ast.ScalarNode:
		return fmt.Sprint(v.GetValue())
	}
	return k.String()
}

func tokenPos(n ast.Node) Pos {
	// A block mapping's own token is its first ':'; a reader looks for the
	// first key.
	if m, ok := unwrap(n).(*ast.MappingNode); ok && len(m.Values) > 0 && m.Values[0].Key != nil {
		return tokenPos(m.Values[0].Key)
	}
	if n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return Pos{}
	}
	p := n.GetToken().Position
	return Pos{p.Line, p.Column}
}

// index records the range of every node under path p. A mapping value is
// located at its key, which is where a reader looks for the field.
func (s *Source) index(p Path, n ast.Node) Range {
	r := Range{Start: tokenPos(n)}
	r.End = r.Start
	if t := n.GetToken(); t != nil {
		r.End.Col += len(t.Value)
	}
	extend := func(c Range) {
		if c.End.Line > r.End.Line || (c.End.Line == r.End.Line && c.End.Col > r.End.Col) {
			r.End = c.End
		}
	}
	switch v := unwrap(n).(type) {
	case *ast.MappingNode:
		for _, mv := range v.Values {
			cp := p.Child(keyString(mv.Key))
			kr := Range{Start: tokenPos(mv.Key)}
			vr := s.index(cp, mv.Value)
			kr.End = vr.End
			if kr.End.Line == 0 {
				kr.End = kr.Start
			}
			s.nodes[cp.key()] = kr
			if r.Start.Line == 0 || (kr.Start.Line < r.Start.Line) {
				r.Start = kr.Start
			}
			extend(kr)
		}
	case *ast.SequenceNode:
		for i, item := range v.Values {
			cp := p.Child(i)
			ir := s.index(cp, item)
			s.nodes[cp.key()] = ir
			extend(ir)
		}
	}
	if _, ok := s.nodes[p.key()]; !ok {
		s.nodes[p.key()] = r
	}
	return r
}

// fieldTables memoizes fieldsOf: a spec with a hundred tools asks for the
// Tool fields a hundred times.
var fieldTables sync.Map // reflect.Type -> map[string]reflect.Type

// fieldsOf lists the YAML field names of a struct type.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldTables.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := buildFields(t)
	fieldTables.Store(t, m)
	return m
}

func buildFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		out[tag] = f.Type
	}
	return out
}

// Bounds on what a spec's YAML may make the parser and the decoder do.
//
// The YAML library expands an alias in full wherever it turns a node into
// text (a mapping key, a value handed to an unmarshaler, an error message),
// so a few hundred bytes of aliases nested eight deep stand for gigabytes;
// its parser does work that grows with the square of the nesting depth and
// of the keys in one block mapping. A spec uses aliases to repeat a digest
// or a few fields, nests 7 levels and holds a few dozen keys per mapping:
// these bounds are far above that, and far below harm.
const (
	maxAliases        = 10_000
	maxAliasExpansion = 1 << 20 // bytes of YAML all aliases together may add
	maxNesting        = 32      // levels of mappings and lists, aliases expanded
	maxMappingKeys    = 1000    // in one block mapping
)

const aliasHint = "an alias repeats a value or a few fields; write larger repetitions out"

// anchored is what an anchor stands for, measured with its aliases expanded.
type anchored struct {
	node   ast.Node
	size   int // bytes of YAML text
	height int // levels of mappings and lists
}

// aliasBounds walks a document in order, as the YAML library reads it, and
// measures what each alias expands to.
type aliasBounds struct {
	src     *Source
	anchors map[string]anchored
	targets map[*ast.AliasNode]ast.Node
	count   int
	added   int
	err     *Error
}

// boundAliases returns the node each alias stands for, or an error at the
// first alias or nesting past the bounds. It never expands an alias.
func boundAliases(src *Source, body ast.Node) (map[*ast.AliasNode]ast.Node, *Error) {
	b := &aliasBounds{src: src, anchors: map[string]anchored{}, targets: map[*ast.AliasNode]ast.Node{}}
	b.walk(body, 1)
	return b.targets, b.err
}

func (b *aliasBounds) walk(n ast.Node, level int) (size, height int) {
	if b.err != nil || n == nil {
		return 0, 0
	}
	switch v := n.(type) {
	case *ast.AnchorNode:
		name := nodeText(v.Name)
		// An alias inside its own anchor reads as null.
		b.anchors[name] = anchored{}
		size, height = b.walk(v.Value, level)
		b.anchors[name] = anchored{node: v.Value, size: size, height: height}
		return size, height
	case *ast.AliasNode:
		name := nodeText(v.Value)
		a := b.anchors[name]
		if a.node == nil {
			return 1, 0
		}
		b.targets[v] = a.node
		b.count++
		b.added += a.size
		switch {
		case level+a.height-1 > maxNesting:
			b.err = b.src.errAt(v, aliasHint, "the alias *%s nests the YAML deeper than %d levels", name, maxNesting)
		case b.count > maxAliases:
			b.err = b.src.errAt(v, aliasHint, "the spec uses more than %d aliases", maxAliases)
		case b.added > maxAliasExpansion:
			b.err = b.src.errAt(v, aliasHint, "with the alias *%s, aliases expand the spec by more than %d bytes", name, maxAliasExpansion)
		}
		return a.size, a.height
	case *ast.TagNode:
		return b.walk(v.Value, level)
	case *ast.MappingKeyNode:
		return b.walk(v.Value, level)
	case *ast.MappingValueNode:
		ks, kh := b.walk(v.Key, level)
		vs, vh := b.walk(v.Value, level)
		return ks + vs, max(kh, vh)
	case *ast.MappingNode:
		return b.collection(n, level, len(v.Values), func(i int) ast.Node { return v.Values[i] })
	case *ast.SequenceNode:
		return b.collection(n, level, len(v.Values), func(i int) ast.Node { return v.Values[i] })
	case *ast.LiteralNode:
		if v.Value != nil {
			return len(v.Value.Value) + 1, 0
		}
	}
	return len(nodeText(n)) + 1, 0
}

const nestingHint = "a spec nests 7 levels at most (images, image, tools, tool, sha256, version, platform); check the brackets and the indentation"

// collection measures a mapping or a list at level, whose entries child
// returns.
func (b *aliasBounds) collection(n ast.Node, level, entries int, child func(int) ast.Node) (size, height int) {
	if level > maxNesting {
		b.err = b.src.errAt(n, nestingHint, "the YAML nests deeper than %d levels", maxNesting)
		return 0, 0
	}
	size = 2
	for i := 0; i < entries; i++ {
		s, h := b.walk(child(i), level+1)
		size, height = size+s, max(height, h)
	}
	return size, height + 1
}

// nestingError bounds the YAML's shape before the parser reads it. The
// parser builds each node's path from its parent's, so its work grows with
// the square of the depth (60 KB of brackets took gigabytes), and it appends
// the keys of a block mapping one recursion at a time, so its work grows
// with the square of their number (20000 keys, 190 KB, took 1.6 GB). Depth
// is counted from the tokens as YAML indents: one level per open bracket,
// and one per block collection at a deeper column (a -, a ? or a key),
// give or take a level in unusual layouts; boundAliases counts depth
// exactly, on the parsed document.
func nestingError(src *Source, tokens token.Tokens) *Error {
	type block struct{ col, keys int }
	var open []block // block collections, by increasing column
	flow := 0
	var prev *token.Token
	for _, tk := range tokens {
		if tk.Position == nil || tk.Type == token.CommentType {
			continue
		}
		col, key, at := -1, false, tk.Position
		switch tk.Type {
		case token.DocumentHeaderType:
			open, flow = open[:0], 0
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		case token.SequenceEntryType, token.MappingKeyType:
			if flow == 0 {
				col = tk.Position.Column
			}
		case token.MappingValueType:
			if flow == 0 && prev != nil && prev.Position != nil {
				col, key, at = prev.Position.Column, true, prev.Position // the key's
			}
		}
		prev = tk
		if col >= 0 {
			for len(open) > 0 && open[len(open)-1].col > col {
				open = open[:len(open)-1]
			}
			if len(open) == 0 || open[len(open)-1].col < col {
				open = append(open, block{col: col})
			}
			if top := &open[len(open)-1]; key {
				top.keys++
				if top.keys > maxMappingKeys {
					return &Error{File: src.Filename, Pos: Pos{at.Line, at.Column}, Msg: fmt.Sprintf("the mapping holds more than %d keys", maxMappingKeys), Hint: "a spec's mappings hold a few dozen; check the indentation"}
				}
			}
		}
		if len(open)+flow > maxNesting {
			return &Error{File: src.Filename, Pos: Pos{at.Line, at.Column}, Msg: fmt.Sprintf("the YAML nests deeper than %d levels", maxNesting), Hint: nestingHint}
		}
	}
	return nil
}

func nodeText(n ast.Node) string {
	if n == nil || n.GetToken() == nil {
		return ""
	}
	return n.GetToken().Value
}

var (
	fileModeType  = reflect.TypeOf(FileMode(0))
	checksumsType = reflect.TypeOf(Checksums{})
	argType       = reflect.TypeOf(Arg{})
	runStepType   = reflect.TypeOf(RunStep{})
)

// fieldCheck compares the YAML with the Go types it is decoded into, so
// that each mistake is told in the spec's terms, at its line and column,
// before the decoder sees it; and so that no scalar the decoder would read
// as other text than the file's (010 as 8) gets through.
type fieldCheck struct {
	src     *Source
	aliases map[*ast.AliasNode]ast.Node
	errs    ErrorList
	full    bool // maxProblems found: the rest of the file is not checked
}

// maxProblems bounds the problems one check reports: a file of garbage
// would otherwise give one per scalar, and as much text.
const maxProblems = 50

func (c *fieldCheck) add(e *Error) {
	switch {
	case c.full:
	case len(c.errs) == maxProblems:
		c.full = true
		e.Msg, e.Hint = fmt.Sprintf("more than %d problems; the rest of the file is not checked", maxProblems), "fix the problems above first"
		c.errs = append(c.errs, e)
	default:
		c.errs = append(c.errs, e)
	}
}

func (c *fieldCheck) errAt(n ast.Node, hint, format string, args ...any) {
	c.add(c.src.errAt(n, hint, format, args...))
}

// mismatch reports a node of the wrong kind for a field of type t, the field
// named by its YAML path.
func (c *fieldCheck) mismatch(where string, n ast.Node, t reflect.Type) {
	if where == "" {
		where = "the spec"
	}
	words, hint := typeText(t)
	c.errAt(n, hint, "%s: expected %s, found %s", where, words, describe(n))
}

// viaAlias checks what the alias a stands for, and reports its first problem
// at the alias, where the reader looks.
func (c *fieldCheck) viaAlias(a *ast.AliasNode, check func(sub *fieldCheck, target ast.Node)) {
	target := c.aliases[a]
	if target == nil {
		return
	}
	sub := &fieldCheck{src: c.src, aliases: c.aliases}
	check(sub, target)
	if len(sub.errs) == 0 {
		return
	}
	first := sub.errs.Sorted()[0]
	e := *first
	e.Pos = tokenPos(a)
	e.Msg = fmt.Sprintf("%s (through the alias *%s, from line %d)", first.Msg, nodeText(a.Value), first.Pos.Line)
	c.add(&e)
}

// check reports what in n does not fit the type t; where is n's YAML path.
func (c *fieldCheck) check(where string, n ast.Node, t reflect.Type, depth int) {
	if depth > maxNesting || n == nil || c.full {
		return
	}
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	in := unwrap(n)
	if a, ok := in.(*ast.AliasNode); ok {
		c.viaAlias(a, func(sub *fieldCheck, target ast.Node) { sub.check(where, target, t, depth+1) })
		return
	}
	if t == fileModeType {
		c.fileMode(n, in)
		return
	}
	if t == argType || t == runStepType {
		switch in.(type) {
		case *ast.MappingNode:
		case *ast.SequenceNode:
			c.mismatch(where, in, t)
			return
		default:
			c.text(where, n, "", false)
			return
		}
	}
	if _, ok := in.(*ast.NullNode); ok && t.Kind() != reflect.String {
		return // not set
	}
	if t == checksumsType {
		c.checksums(where, in, depth)
		return
	}
	switch t.Kind() {
	case reflect.String:
		c.text(where, n, "", nullable)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		c.number(where, n, in, t)
	case reflect.Bool:
		if !c.decodes(n, in, t) {
			c.mismatch(where, in, t)
		}
	case reflect.Struct:
		if m, ok := in.(*ast.MappingNode); ok {
			c.fields(where, m, t, depth)
		} else {
			c.mismatch(where, in, t)
		}
	case reflect.Map:
		c.entries(where, in, t, "the key ", depth, func(where string, v ast.Node) { c.check(where, v, t.Elem(), depth+1) })
	case reflect.Slice:
		sq, ok := in.(*ast.SequenceNode)
		if !ok {
			c.mismatch(where, in, t)
			return
		}
		for i, item := range sq.Values {
			c.check(fmt.Sprintf("%s[%d]", where, i), item, t.Elem(), depth+1)
		}
	}
}

// fields checks a mapping against the fields of the struct type t, and
// reports keys that no field takes, with the nearest known name, so a typo
// never silently drops a setting.
func (c *fieldCheck) fields(where string, m *ast.MappingNode, t reflect.Type, depth int) {
	fields := fieldsOf(t)
	for _, mv := range m.Values {
		k, ok := c.key(where, mv.Key, "")
		if !ok {
			continue
		}
		if k == "<<" {
			c.merge(where, mv.Value, t, depth)
			continue
		}
		ft, ok := fields[k]
		if !ok {
			names := make([]string, 0, len(fields))
			for f := range fields {
				names = append(names, f)
			}
			hint := "known fields: " + strings.Join(sorted(names), ", ")
			if best := closest(k, names); best != "" {
				hint = fmt.Sprintf("did you mean %q?", best)
			}
			c.errAt(mv.Key, hint, "unknown field %s", quoteShort(k))
			continue
		}
		c.check(pathChild(where, k), mv.Value, ft, depth+1)
	}
}

// entries checks a mapping of type t from names to values: its keys, its
// `<<` merges, and each value with value.
func (c *fieldCheck) entries(where string, in ast.Node, t reflect.Type, role string, depth int, value func(where string, v ast.Node)) {
	m, ok := in.(*ast.MappingNode)
	if !ok {
		c.mismatch(where, in, t)
		return
	}
	for _, mv := range m.Values {
		k, ok := c.key(where, mv.Key, role)
		switch {
		case !ok:
		case k == "<<":
			c.merge(where, mv.Value, t, depth)
		default:
			value(pathChild(where, k), mv.Value)
		}
	}
}

// merge checks the value of a `<<` key: a mapping, or a list of them, merged
// into a mapping of type t.
func (c *fieldCheck) merge(where string, n ast.Node, t reflect.Type, depth int) {
	if sq, ok := unwrap(n).(*ast.SequenceNode); ok {
		for _, item := range sq.Values {
			c.check(where, item, t, depth+1)
		}
		return
	}
	c.check(where, n, t, depth+1)
}

// key returns the text of a mapping key, and false when the key is not one
// a spec can have (a list or a mapping as a key, or a scalar whose text YAML
// changes).
func (c *fieldCheck) key(where string, n ast.Node, role string) (string, bool) {
	in := unwrap(n)
	if a, ok := in.(*ast.AliasNode); ok {
		target := c.aliases[a]
		if target == nil {
			return keyString(n), true
		}
		before := len(c.errs)
		var name string
		c.viaAlias(a, func(sub *fieldCheck, target ast.Node) { name, _ = sub.key(where, target, role) })
		return name, len(c.errs) == before
	}
	switch in.(type) {
	case *ast.MergeKeyNode:
		return "<<", true
	case *ast.MappingNode, *ast.SequenceNode:
		if where == "" {
			where = "the spec"
		}
		c.errAt(in, "a key is a name, such as a field, a platform or a version", "%s: a key must be a name, found %s", where, describe(in))
		return "", false
	}
	if c.text(where, n, role, false) {
		return keyString(n), true
	}
	return "", false
}

// text checks a scalar that stands where text is expected. YAML reads some
// plain scalars as numbers, booleans or null, and the decoder then gives the
// field another text than the file's: 010 becomes "8", 0x1F "31", 1_000
// "1000", 1.10 "1.1", True "true", ~ "". A version or a digest changed this
// way fails much later, far from its cause. It reports false on a problem.
func (c *fieldCheck) text(where string, n ast.Node, role string, nullable bool) bool {
	in := unwrap(n)
	tagNode := tagOf(n)
	tag := nodeText(tagNode)
	switch v := in.(type) {
	case *ast.MappingNode, *ast.SequenceNode:
		c.mismatch(where, in, reflect.TypeOf(""))
		return false
	case *ast.StringNode, *ast.LiteralNode:
		if tagNode == nil {
			return true
		}
	case *ast.NullNode:
		if nullable || !c.src.nullWritten(v) {
			return true // an empty value is the empty string
		}
	}
	src := nodeText(in)
	got, ok := plainText(in)
	var err error
	if !ok || tagNode != nil {
		err = yaml.NodeToValue(n, &got)
	}
	if err == nil && got == src {
		return true
	}
	shown := src
	hint := fmt.Sprintf("write %q in quotes", src)
	at := in
	if tagNode != nil {
		shown = tag + " " + src
		hint += ", without the tag"
		at = tagNode
	}
	if err != nil {
		c.errAt(at, hint, "YAML cannot read %s%s as text", role, shown)
		return false
	}
	switch in.(type) {
	case *ast.NullNode:
		if role == "" {
			hint += ", or leave the value empty"
		}
		c.errAt(at, hint, "YAML reads %s%s as no value", role, shown)
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		c.errAt(at, hint, "YAML reads %s%s as the number %s", role, shown, got)
	case *ast.BoolNode:
		c.errAt(at, hint, "YAML reads %s%s as the boolean %s", role, shown, got)
	default:
		c.errAt(at, hint, "YAML reads %s%s as %q", role, shown, got)
	}
	return false
}

// plainText is the text the decoder gives a string field from the untagged
// scalar n, as goccy/go-yaml converts it (decode.go, convertValue): asking
// the decoder itself costs a decoder per scalar.
func plainText(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			return strconv.FormatInt(x, 10), true
		case uint64:
			return strconv.FormatUint(x, 10), true
		}
	case *ast.FloatNode:
		return fmt.Sprint(v.Value), true
	case *ast.InfinityNode:
		return fmt.Sprint(v.Value), true
	case *ast.NanNode:
		return fmt.Sprint(math.NaN()), true
	case *ast.BoolNode:
		return strconv.FormatBool(v.Value), true
	case *ast.NullNode:
		return "", true
	}
	return "", false
}

// tagOf returns the YAML tag (!!str, !!int, ...) written on n, if any.
func tagOf(n ast.Node) ast.Node {
	for i := 0; i < 16 && n != nil; i++ {
		switch v := n.(type) {
		case *ast.TagNode:
			return v
		case *ast.AnchorNode:
			n = v.Value
		default:
			return nil
		}
	}
	return nil
}

// nullWritten tells a null written as ~ or null from an empty value: the
// YAML library gives both the same token.
func (s *Source) nullWritten(n *ast.NullNode) bool {
	t := n.GetToken()
	if t == nil || t.Position == nil || t.Position.Line < 1 {
		return true
	}
	if s.lines == nil {
		s.lines = append(s.lines, 0)
		for i, b := range s.Data {
			if b == '\n' {
				s.lines = append(s.lines, i+1)
			}
		}
	}
	if t.Position.Line > len(s.lines) {
		return true
	}
	line := s.Data[s.lines[t.Position.Line-1]:]
	if nl := bytes.IndexByte(line, '\n'); nl >= 0 {
		line = line[:nl]
	}
	// The column counts characters; the value may follow blanks.
	for i := 1; i < t.Position.Column && len(line) > 0; i++ {
		_, size := utf8.DecodeRune(line)
		line = line[size:]
	}
	return bytes.HasPrefix(bytes.TrimLeft(line, " \t"), []byte(t.Value))
}

// number checks a scalar where a whole number is expected: the decoder
// would truncate 1.5 to 1 without a word.
func (c *fieldCheck) number(where string, n, in ast.Node, t reflect.Type) {
	whole := c.decodes(n, in, t)
	switch v := in.(type) {
	case *ast.FloatNode:
		whole = whole && wholeNumber(v.Value)
	case *ast.StringNode:
		if f, err := strconv.ParseFloat(v.Value, 64); err == nil {
			whole = whole && wholeNumber(f)
		}
	}
	if !whole {
		c.mismatch(where, in, t)
	}
}

// wholeNumber reports whether f converts to an int64 unchanged; the decoder
// converts a float or a numeric string with int64(f), which is garbage
// outside that range.
func wholeNumber(f float64) bool {
	return f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64
}

// decodes reports whether the decoder takes the scalar n as a value of type t.
func (c *fieldCheck) decodes(n, in ast.Node, t reflect.Type) bool {
	if tagOf(n) == nil {
		switch v := in.(type) {
		case *ast.MappingNode, *ast.SequenceNode:
			return false
		case *ast.BoolNode:
			return t.Kind() == reflect.Bool
		case *ast.IntegerNode:
			if _, ok := v.Value.(int64); ok && t.Kind() == reflect.Int64 || ok && t.Kind() == reflect.Int && strconv.IntSize == 64 {
				return true // asking the decoder costs a decoder per scalar
			}
		}
	}
	return yaml.NodeToValue(n, reflect.New(t).Interface()) == nil
}

func (c *fieldCheck) fileMode(n, in ast.Node) {
	var m FileMode
	if sc, ok := in.(ast.ScalarNode); !ok || m.UnmarshalYAML([]byte(fmt.Sprint(sc.GetValue()))) != nil {
		if tok := in.GetToken(); tok != nil && (!ok || m.UnmarshalYAML([]byte(tok.Value)) != nil) {
			c.errAt(in, "write an octal mode such as 0755 or 0644", "%s is not a file mode", describe(in))
		}
	}
}

// checksums checks the shape of a sha256 mapping: platform: digest, or
// version: {platform: digest}.
func (c *fieldCheck) checksums(where string, in ast.Node, depth int) {
	c.entries(where, in, checksumsType, "the version ", depth, func(where string, v ast.Node) { c.checksumEntry(where, v, depth+1) })
}

// checksumEntry checks the value of a sha256 key: a digest, or a mapping of
// platforms to digests.
func (c *fieldCheck) checksumEntry(where string, n ast.Node, depth int) {
	if depth > maxNesting {
		return
	}
	switch v := unwrap(n).(type) {
	case *ast.AliasNode:
		c.viaAlias(v, func(sub *fieldCheck, target ast.Node) { sub.checksumEntry(where, target, depth+1) })
	case *ast.MappingNode:
		for _, inner := range v.Values {
			if k, ok := c.key(where, inner.Key, "the key "); ok {
				c.digest(pathChild(where, k), inner.Value, true, depth+1)
			}
		}
	default:
		c.digest(where, n, false, depth)
	}
}

func (c *fieldCheck) digest(where string, n ast.Node, inMapping bool, depth int) {
	if depth > maxNesting {
		return
	}
	switch v := unwrap(n).(type) {
	case *ast.AliasNode:
		c.viaAlias(v, func(sub *fieldCheck, target ast.Node) { sub.digest(where, target, inMapping, depth+1) })
	case *ast.StringNode, *ast.LiteralNode:
		c.text(where, n, "", false)
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		c.errAt(v, "put the sha256 in quotes", "YAML reads this sha256 as a number")
	default:
		if inMapping {
			c.errAt(v, "write the 64 hex digits of the sha256", "expected a sha256 here, found %s", describe(v))
		} else {
			c.errAt(v, "write platform: sha256, or version: {platform: sha256}", "expected a sha256 or a mapping of platforms, found %s", describe(v))
		}
	}
}

// pathChild extends a YAML path such as images.builder.tools[0] by a key;
// a key that is not a plain name is quoted (labels."org.opencontainers…").
func pathChild(where, key string) string {
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r == '-' || r == '/' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	if !plain {
		key = quoteShort(key)
	}
	if where == "" {
		return key
	}
	return where + "." + key
}

// typeText says what a field of type t holds, in the words of docs/spec.md,
// and how to write one.
func typeText(t reflect.Type) (words, hint string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case fileModeType:
		return "a file mode", "write an octal mode such as 0755 or 0644"
	case checksumsType:
		return "a mapping of platforms (or versions) to sha256 values", "write platform: sha256, or version: {platform: sha256}"
	case argType:
		return "a default value, or a mapping with default and description", "write the default, or default: and description:"
	case runStepType:
		return "a command, or a mapping with name and command", "write the command, or name: and command:"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string", "write a single value; quote text that starts with [ or {"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number", "write a whole number such as 1"
	case reflect.Float32, reflect.Float64:
		return "a number", "write a number such as 1.5"
	case reflect.Bool:
		return "true or false", "write true or false"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return "a list of strings", `write [a, b], or one "- item" per line`
		}
		return "a list of " + plural(t.Elem()), `write one "- " entry per line; see docs/spec.md for their fields`
	case reflect.Map:
		if t.Elem().Kind() == reflect.String {
			return "a mapping of names to strings", "write NAME: value, one per line, or {NAME: value}"
		}
		return "a mapping of names to " + plural(t.Elem()), "see docs/spec.md for its fields"
	case reflect.Interface:
		return "a value", "see docs/spec.md for this field"
	}
	return "a mapping", "see docs/spec.md for its fields"
}

// typeNouns name the entries of lists and mappings of spec types.
var typeNouns = map[reflect.Type]string{
	reflect.TypeOf(Image{}):      "images",
	reflect.TypeOf(Tool{}):       "tools",
	reflect.TypeOf(GoTool{}):     "Go tools",
	reflect.TypeOf(File{}):       "files",
	reflect.TypeOf(Directory{}):  "directories",
	reflect.TypeOf(Repository{}): "repositories",
	runStepType:                  "run steps",
	argType:                      "args",
}

func plural(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n, ok := typeNouns[t]; ok {
		return n
	}
	switch t.Kind() {
	case reflect.String:
		return "strings"
	case reflect.Map, reflect.Struct:
		return "mappings"
	case reflect.Slice:
		return "lists"
	}
	return "values"
}

// describe names what a node is, for "found ..." in messages; text is cut
// short, so a garbled file is not echoed whole.
func describe(n ast.Node) string {
	switch v := unwrap(n).(type) {
	case nil, *ast.NullNode:
		return "nothing"
	case *ast.SequenceNode:
		return "a list"
	case *ast.MappingNode:
		return "a mapping"
	case *ast.AliasNode:
		return "the alias *" + nodeText(v.Value)
	case *ast.LiteralNode:
		if v.Value != nil {
			return quoteShort(v.Value.Value)
		}
	}
	return quoteShort(nodeText(unwrap(n)))
}

func quoteShort(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return strconv.Quote(s)
	}
	return strconv.Quote(string([]rune(s)[:max])) + "…"
}

func sorted(s []string) []string {
	sort.Strings(s)
	return s
}

// closest returns the candidate within a small edit distance of s.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	if bestD > len(s)/2+1 {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
