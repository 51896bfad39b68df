package spec

import (
	"fmt"
	"strings"
)

// templateError is a problem in a ${...} template.
type templateError struct {
	name string
	msg  string
}

func (e *templateError) Error() string { return e.msg }

// expand replaces ${NAME} by lookup(NAME). `$$` stands for a literal dollar
// sign; any other `$` is kept as it is, so shell-like text passes through.
func expand(tmpl string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(tmpl, "$") {
		return tmpl, nil
	}
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '$' || i+1 >= len(tmpl) {
			b.WriteByte(c)
			continue
		}
		switch tmpl[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '{':
			end := strings.IndexByte(tmpl[i+2:], '}')
			if end < 0 {
				return "", &templateError{msg: fmt.Sprintf("unterminated ${ in %q", tmpl)}
			}
			name := tmpl[i+2 : i+2+end]
			if !validVarName(name) {
				return "", &templateError{name: name, msg: fmt.Sprintf("${%s} is not a valid reference", name)}
			}
			v, ok := lookup(name)
			if !ok {
				return "", &templateError{name: name, msg: fmt.Sprintf("unknown name ${%s}", name)}
			}
			b.WriteString(v)
			i += 2 + end
		default:
			b.WriteByte(c)
		}
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

// References returns the names a template refers to, for lint and outline.
func References(tmpl string) []string {
	var out []string
	_, _ = expand(tmpl, func(n string) (string, bool) {
		out = append(out, n)
		return "", true
	})
	return out
}

// Expand expands ${NAME} references in tmpl with lookup, as the spec does;
// `$$` is a literal dollar sign.
func Expand(tmpl string, lookup func(name string) (string, bool)) (string, error) {
	return expand(tmpl, lookup)
}

// Suggest returns the candidate closest to s by edit distance, or "" when
// none is close: the "did you mean" of errors and lint findings.
func Suggest(s string, candidates []string) string { return closest(s, candidates) }
