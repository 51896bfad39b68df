package spec

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

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
		return nil, ErrorList{src.Errorf(nil, "pass the builder spec with -f", "file is %d bytes; a spec is at most %d", len(data), maxSpecSize)}
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
	if _, err := boundAliases(src, body); err != nil {
		return nil, ErrorList{err}
	}
	src.index(nil, body)

	var errs ErrorList
	checkFields(src, nil, body, reflect.TypeOf(Spec{}), &errs, 0)
	if len(errs) > 0 {
		return nil, errs.err()
	}
	s = &Spec{}
	if err := yaml.NodeToValue(body, s); err != nil {
		return nil, ErrorList{yamlError(src, err)}
	}
	s.Source = src
	s.schemes = &schemeCache{}
	if m, ok := unwrap(body).(*ast.MappingNode); ok {
		for _, mv := range m.Values {
			if keyString(mv.Key) != "images" {
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
		e := &Error{File: src.Filename, Msg: cleanYAMLMessage(ye.GetMessage()), Hint: "fix the YAML at this position"}
		if t := ye.GetToken(); t != nil && t.Position != nil {
			e.Pos = Pos{t.Position.Line, t.Position.Column}
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			e.Hint = "see docs/spec.md for the type of this field"
		}
		return e
	}
	return &Error{File: src.Filename, Msg: err.Error(), Hint: "fix the YAML syntax"}
}

// cleanYAMLMessage turns the YAML library's Go-flavoured type names into the
// words a spec author knows.
func cleanYAMLMessage(m string) string {
	r := strings.NewReplacer(
		"[]string", "a list of strings",
		"map[string]string", "a mapping of strings",
		"spec.FileMode", "a file mode",
		"int", "a whole number",
		"uint64", "a whole number",
		"*spec.", "", "spec.", "",
	)
	return r.Replace(m)
}

func unwrap(n ast.Node) ast.Node {
	for i := 0; i < 16 && n != nil; i++ {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
	return n
}

func keyString(k ast.MapKeyNode) string {
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

var scalarOrStruct = map[reflect.Type]bool{
	reflect.TypeOf(Arg{}):     true,
	reflect.TypeOf(RunStep{}): true,
}

// checkFields reports mapping keys that no field of t takes, with the
// nearest known name, so a typo never silently drops a setting.
func checkFields(src *Source, p Path, n ast.Node, t reflect.Type, errs *ErrorList, depth int) {
	if depth > 32 || n == nil {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	n = unwrap(n)
	if _, ok := n.(*ast.AliasNode); ok {
		return
	}
	if f, ok := n.(*ast.FloatNode); ok && t.Kind() != reflect.Float64 {
		// YAML reads 3.10 as the number 3.1: a version written that way
		// would silently become another version.
		if txt := f.GetToken().Value; txt != strconv.FormatFloat(f.Value, 'f', -1, 64) {
			*errs = append(*errs, src.errAt(n, fmt.Sprintf("write %q in quotes", txt), "YAML reads %s as the number %s", txt, strconv.FormatFloat(f.Value, 'f', -1, 64)))
			return
		}
	}
	if t == reflect.TypeOf(FileMode(0)) {
		var m FileMode
		if sc, ok := n.(ast.ScalarNode); !ok || m.UnmarshalYAML([]byte(fmt.Sprint(sc.GetValue()))) != nil {
			if tok := n.GetToken(); tok != nil && (!ok || m.UnmarshalYAML([]byte(tok.Value)) != nil) {
				*errs = append(*errs, src.errAt(n, "write an octal mode such as 0755 or 0644", "%s is not a file mode", describe(n)))
			}
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := n.(*ast.MappingNode)
		if !ok {
			if scalarOrStruct[t] {
				return
			}
			if _, isNull := n.(*ast.NullNode); isNull {
				return
			}
			if t == reflect.TypeOf(Checksums{}) {
				return
			}
			*errs = append(*errs, src.errAt(n, "see docs/spec.md for its fields", "expected a mapping here, found %s", describe(n)))
			return
		}
		if t == reflect.TypeOf(Checksums{}) {
			checkChecksums(src, m, errs)
			return
		}
		fields := fieldsOf(t)
		for _, mv := range m.Values {
			k := keyString(mv.Key)
			if k == "<<" {
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
				*errs = append(*errs, src.errAt(mv.Key, hint, "unknown field %q", k))
				continue
			}
			checkFields(src, p.Child(k), mv.Value, ft, errs, depth+1)
		}
	case reflect.Map:
		if m, ok := n.(*ast.MappingNode); ok {
			for _, mv := range m.Values {
				checkFields(src, p.Child(keyString(mv.Key)), mv.Value, t.Elem(), errs, depth+1)
			}
		}
	case reflect.Slice:
		if sq, ok := n.(*ast.SequenceNode); ok {
			for i, item := range sq.Values {
				checkFields(src, p.Child(i), item, t.Elem(), errs, depth+1)
			}
		}
	}
}

func describe(n ast.Node) string {
	switch n.(type) {
	case *ast.SequenceNode:
		return "a list"
	case *ast.MappingNode:
		return "a mapping"
	case *ast.NullNode:
		return "nothing"
	}
	return fmt.Sprintf("%q", n.String())
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

// checkChecksums checks the shape of a sha256 mapping: platform: digest, or
// version: {platform: digest}.
func checkChecksums(src *Source, m *ast.MappingNode, errs *ErrorList) {
	for _, mv := range m.Values {
		if f, ok := unwrap(mv.Key).(*ast.FloatNode); ok {
			if txt := f.GetToken().Value; txt != strconv.FormatFloat(f.Value, 'f', -1, 64) {
				*errs = append(*errs, src.errAt(mv.Key, fmt.Sprintf("write %q in quotes", txt), "YAML reads the version %s as the number %s", txt, strconv.FormatFloat(f.Value, 'f', -1, 64)))
			}
		}
		switch v := unwrap(mv.Value).(type) {
		case *ast.MappingNode:
			for _, inner := range v.Values {
				switch unwrap(inner.Value).(type) {
				case *ast.StringNode, *ast.AliasNode:
					continue
				case *ast.IntegerNode, *ast.FloatNode:
					*errs = append(*errs, src.errAt(inner.Value, "put the sha256 in quotes", "YAML reads this sha256 as a number"))
					continue
				}
				{
					*errs = append(*errs, src.errAt(inner.Value, "write the 64 hex digits of the sha256", "expected a sha256 here, found %s", describe(unwrap(inner.Value))))
				}
			}
		case *ast.StringNode, *ast.AliasNode:
			// an alias is checked where its anchor stands, and by the decoder
		case *ast.IntegerNode, *ast.FloatNode:
			*errs = append(*errs, src.errAt(mv.Value, "put the sha256 in quotes", "YAML reads this sha256 as a number"))
		default:
			*errs = append(*errs, src.errAt(mv.Value, "write platform: sha256, or version: {platform: sha256}", "expected a sha256 or a mapping of platforms, found %s", describe(v)))
		}
	}
}
