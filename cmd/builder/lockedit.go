package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/maistra/builder-frontend/spec"
)

// The lock command writes checksums into the spec's text: it finds the
// nodes with the YAML parser's positions and edits the bytes around them, so
// comments, quoting, order and blank lines stay as they are everywhere else.

// edit replaces data[off:off+n] with text.
type edit struct {
	off  int
	n    int
	text string
}

// doc is a parsed spec text with byte offsets for line/column positions.
type doc struct {
	data    []byte
	lines   []int // byte offset of each line's start (index 0 = line 1)
	body    ast.Node
	anchors map[string]ast.Node
}

func parseDoc(data []byte) (*doc, error) {
	f, err := parser.ParseBytes(data, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		return nil, fmt.Errorf("the file holds no single YAML document")
	}
	d := &doc{data: data, body: f.Docs[0].Body, anchors: map[string]ast.Node{}}
	d.lines = append(d.lines, 0)
	for i, b := range data {
		if b == '\n' {
			d.lines = append(d.lines, i+1)
		}
	}
	for _, n := range ast.Filter(ast.AnchorType, d.body) {
		a := n.(*ast.AnchorNode)
		d.anchors[a.Name.GetToken().Value] = a.Value
	}
	return d, nil
}

// offset converts a 1-based line and rune column into a byte offset.
func (d *doc) offset(line, col int) int {
	if line < 1 || line > len(d.lines) {
		return len(d.data)
	}
	off := d.lines[line-1]
	for i := 1; i < col && off < len(d.data) && d.data[off] != '\n'; i++ {
		_, size := utf8.DecodeRune(d.data[off:])
		off += size
	}
	return off
}

// lineEnd is the offset just after line's newline (or the end of the data).
func (d *doc) lineEnd(line int) int {
	if line >= len(d.lines) {
		return len(d.data)
	}
	return d.lines[line]
}

// deref follows anchors, tags and aliases.
func (d *doc) deref(n ast.Node) ast.Node {
	for i := 0; i < 16 && n != nil; i++ {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.AliasNode:
			n = d.anchors[v.Value.GetToken().Value]
		default:
			return n
		}
	}
	return n
}

func keyOf(mv *ast.MappingValueNode) string {
	switch k := mv.Key.(type) {
	case *ast.StringNode:
		return k.Value
	case ast.ScalarNode:
		return fmt.Sprint(k.GetValue())
	}
	if mv.Key == nil {
		return ""
	}
	return mv.Key.GetToken().Value
}

// entry returns the mapping's value node for key (nil when absent).
func entry(m *ast.MappingNode, key string) *ast.MappingValueNode {
	for _, mv := range m.Values {
		if keyOf(mv) == key {
			return mv
		}
	}
	return nil
}

func hasMergeKey(m *ast.MappingNode) bool { return entry(m, "<<") != nil }

// lookup walks the path from the document's root, following aliases.
func (d *doc) lookup(p spec.Path) (ast.Node, error) {
	n := d.deref(d.body)
	for _, el := range p {
		switch v := n.(type) {
		case *ast.MappingNode:
			mv := entry(v, el)
			if mv == nil {
				return nil, fmt.Errorf("%s not found", strings.Join(p, "."))
			}
			n = d.deref(mv.Value)
		case *ast.SequenceNode:
			var i int
			if _, err := fmt.Sscan(el, &i); err != nil || i < 0 || i >= len(v.Values) {
				return nil, fmt.Errorf("%s not found", strings.Join(p, "."))
			}
			n = d.deref(v.Values[i])
		default:
			return nil, fmt.Errorf("%s not found", strings.Join(p, "."))
		}
	}
	return n, nil
}

func tokLine(n ast.Node) int {
	if n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// lastLine is the last line a node's text occupies.
func lastLine(n ast.Node) int {
	last := tokLine(n)
	switch v := n.(type) {
	case *ast.MappingNode:
		if v.End != nil && v.End.Position != nil {
			last = max(last, v.End.Position.Line)
		}
		for _, mv := range v.Values {
			last = max(last, lastLine(mv.Key), lastLine(mv.Value))
		}
	case *ast.MappingValueNode:
		last = max(last, lastLine(v.Key), lastLine(v.Value))
	case *ast.SequenceNode:
		if v.End != nil && v.End.Position != nil {
			last = max(last, v.End.Position.Line)
		}
		for _, it := range v.Values {
			last = max(last, lastLine(it))
		}
	case *ast.AnchorNode:
		last = max(last, lastLine(v.Value))
	case *ast.TagNode:
		last = max(last, lastLine(v.Value))
	case *ast.LiteralNode:
		if v.Value != nil {
			last = max(last, tokLine(v.Value)+strings.Count(strings.TrimRight(v.Value.Value, "\n"), "\n"))
		}
	}
	return last
}

// keyCol is the column of a mapping's keys.
func keyCol(m *ast.MappingNode) int {
	if len(m.Values) == 0 || m.Values[0].Key == nil {
		return 0
	}
	return m.Values[0].Key.GetToken().Position.Column
}

// scalarExtent returns the byte range of the scalar that starts at off:
// a quoted string up to its closing quote, or a plain scalar up to a
// comment, the end of the line, or (in a flow collection) , } ].
func scalarExtent(data []byte, off int, flow bool) (int, int) {
	end := off
	switch {
	case off < len(data) && data[off] == '"':
		end++
		for end < len(data) && data[end] != '"' && data[end] != '\n' {
			if data[end] == '\\' {
				end++
			}
			end++
		}
		return off, min(end+1, len(data))
	case off < len(data) && data[off] == '\'':
		end++
		for end < len(data) && data[end] != '\n' {
			if data[end] == '\'' {
				if end+1 < len(data) && data[end+1] == '\'' {
					end += 2
					continue
				}
				break
			}
			end++
		}
		return off, min(end+1, len(data))
	}
	for end < len(data) && data[end] != '\n' {
		if data[end] == '#' && end > off && (data[end-1] == ' ' || data[end-1] == '\t') {
			break
		}
		if flow && (data[end] == ',' || data[end] == '}' || data[end] == ']') {
			break
		}
		end++
	}
	for end > off && (data[end-1] == ' ' || data[end-1] == '\t' || data[end-1] == '\r') {
		end--
	}
	return off, end
}

// scalarAt returns the text of the scalar node n as the file has it, where
// it starts and ends, and its quote character ("" when plain).
func (d *doc) scalarAt(n ast.Node, flow bool) (text string, start, end int, quote string) {
	pos := n.GetToken().Position
	start, end = scalarExtent(d.data, d.offset(pos.Line, pos.Column), flow)
	text = string(d.data[start:end])
	if strings.HasPrefix(text, `"`) || strings.HasPrefix(text, `'`) {
		quote = text[:1]
	}
	return text, start, end, quote
}

// quoteStyle is how the existing values of a mapping are written: `"`, `'`
// or "" (plain).
func (d *doc) quoteStyle(m *ast.MappingNode) string {
	for _, mv := range m.Values {
		v := d.deref(mv.Value)
		if s, ok := v.(*ast.StringNode); ok && s.GetToken().Position != nil {
			off := d.offset(s.GetToken().Position.Line, s.GetToken().Position.Column)
			if off < len(d.data) && (d.data[off] == '"' || d.data[off] == '\'') {
				return string(d.data[off])
			}
			return ""
		}
	}
	return ""
}

var numberLike = regexp.MustCompile(`^[-+]?[0-9._]*([eE][-+]?[0-9]+)?$`)

// sumText writes a digest in the given quote style; a digest YAML would
// read as a number is always quoted.
func sumText(hex, quote string) string {
	if quote == "" && numberLike.MatchString(hex) {
		quote = `"`
	}
	return quote + hex + quote
}

var plainKey = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._+-]*$`)

// versionKey writes a version as a mapping key: plain when its siblings are
// plain and YAML cannot read it as anything but text, else double-quoted.
func versionKey(v string, plainSiblings bool) string {
	if plainSiblings && plainKey.MatchString(v) && !map[string]bool{"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "null": true, "y": true, "n": true}[strings.ToLower(v)] {
		return v
	}
	return fmt.Sprintf("%q", v)
}

// keysPlain reports whether the mapping's existing version keys (those
// holding mappings) are written without quotes.
func (d *doc) keysPlain(m *ast.MappingNode) bool {
	for _, mv := range m.Values {
		if _, ok := d.deref(mv.Value).(*ast.MappingNode); !ok || mv.Key == nil {
			continue
		}
		p := mv.Key.GetToken().Position
		off := d.offset(p.Line, p.Column)
		return off < len(d.data) && d.data[off] != '"' && d.data[off] != '\''
	}
	return false
}

// kv is one platform: sha256 line to write.
type kv struct{ key, value string }

// insertEntries adds entries at the end of a mapping (block or flow).
func (d *doc) insertEntries(m *ast.MappingNode, entries []kv) (edit, error) {
	if m.IsFlowStyle {
		if m.End == nil || m.End.Position == nil {
			return edit{}, fmt.Errorf("cannot find the end of the flow mapping at line %d", tokLine(m))
		}
		off := d.offset(m.End.Position.Line, m.End.Position.Column)
		var parts []string
		for _, e := range entries {
			parts = append(parts, e.key+": "+e.value)
		}
		text := strings.Join(parts, ", ")
		if len(m.Values) > 0 {
			text = ", " + text
			// keep "a: 1 }" spacing: insert right after the last value
			for off > 0 && (d.data[off-1] == ' ' || d.data[off-1] == '\t') {
				off--
			}
		}
		return edit{off: off, text: text}, nil
	}
	indent := strings.Repeat(" ", keyCol(m)-1)
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(indent + e.key + ": " + e.value + "\n")
	}
	return d.insertAfterLine(lastLine(m), b.String()), nil
}

func (d *doc) insertAfterLine(line int, text string) edit {
	off := d.lineEnd(line)
	if off == len(d.data) && len(d.data) > 0 && d.data[len(d.data)-1] != '\n' {
		text = "\n" + text
	}
	return edit{off: off, text: text}
}

// indentStep guesses the file's indentation step from a mapping that holds
// a nested block mapping, default 2.
func (d *doc) indentStep(m *ast.MappingNode) int {
	for _, mv := range m.Values {
		if inner, ok := d.deref(mv.Value).(*ast.MappingNode); ok && !inner.IsFlowStyle && mv.Key != nil {
			if s := keyCol(inner) - mv.Key.GetToken().Position.Column; s > 0 {
				return s
			}
		}
	}
	return 2
}

func applyEdits(data []byte, edits []edit) []byte {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].off > edits[j].off })
	out := append([]byte{}, data...)
	for _, e := range edits {
		out = append(out[:e.off], append([]byte(e.text), out[e.off+e.n:]...)...)
	}
	return out
}
