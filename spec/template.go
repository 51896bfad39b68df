package spec

import (
	"fmt"
	"slices"
	"strings"
)

// Template is one templated field of an image: where it stands, how a
// reader names it, and its text, parsed once per spec. The resolver expands
// Templates and nothing else, so (*Spec).Templates lists every field a
// build expands, and what each refers to.
type Template struct {
	// Path is the field, e.g. images.builder.tools.0.url. The path and the
	// target of a link share the link's path.
	Path Path
	// Where names the field for a reader: `tool "helm" url`, `label v`.
	Where string
	// Text is the template as written.
	Text string
	// Refs are the names the template refers to, each once, in the order
	// they appear: args, version, name, arch, arch.SCHEME, os.
	Refs []string

	// parts is Text cut at its references; err is a syntax error after
	// them (an unterminated ${, an invalid name), reported on expansion.
	parts []templatePart
	err   *templateError
}

// templatePart is literal text, or a name to look up.
type templatePart struct {
	text string
	ref  bool
}

// templateError is a problem in a ${...} template.
type templateError struct {
	name string
	msg  string
}

func (e *templateError) Error() string { return e.msg }

// newTemplate parses text. ${NAME} is a reference; `$$` stands for a
// literal dollar sign; any other `$` is kept as it is, so shell-like text
// passes through.
func newTemplate(p Path, where, text string) *Template {
	t := &Template{Path: p, Where: where, Text: text}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, templatePart{text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '$' || i+1 >= len(text) {
			lit.WriteByte(c)
			continue
		}
		switch text[i+1] {
		case '$':
			lit.WriteByte('$')
			i++
		case '{':
			end := strings.IndexByte(text[i+2:], '}')
			if end < 0 {
				t.err = &templateError{msg: fmt.Sprintf("unterminated ${ in %q", text)}
				return t
			}
			name := text[i+2 : i+2+end]
			if !validVarName(name) {
				t.err = &templateError{name: name, msg: fmt.Sprintf("${%s} is not a valid reference", name)}
				return t
			}
			flush()
			t.parts = append(t.parts, templatePart{text: name, ref: true})
			if !slices.Contains(t.Refs, name) {
				t.Refs = append(t.Refs, name)
			}
			i += 2 + end
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return t
}

// expand returns the template's value with lookup, or the first problem:
// an unknown name, else the syntax error.
func (t *Template) expand(lookup func(string) (string, bool)) (string, *templateError) {
	if t == nil {
		return "", nil
	}
	if t.err == nil && len(t.parts) == 1 && !t.parts[0].ref {
		return t.parts[0].text, nil
	}
	var b strings.Builder
	for _, p := range t.parts {
		if !p.ref {
			b.WriteString(p.text)
			continue
		}
		v, ok := lookup(p.text)
		if !ok {
			return "", &templateError{name: p.text, msg: fmt.Sprintf("unknown name ${%s}", p.text)}
		}
		b.WriteString(v)
	}
	if t.err != nil {
		return "", t.err
	}
	return b.String(), nil
}

func validVarName(n string) bool {
	if n == "" {
		return false
	}
	for i, r := range n {
		ok := r == '_' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9') || (i > 0 && r == '-')
		if !ok {
			return false
		}
	}
	return true
}

// Suggest returns the candidate closest to s by edit distance, or "" when
// none is close: the "did you mean" of errors and lint findings.
func Suggest(s string, candidates []string) string { return closest(s, candidates) }
