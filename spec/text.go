package spec

import (
	"fmt"
	"strings"
	"unicode"
)

// A value that the graph writes into a file (a repository file, a path in
// the image) or into the environment is one line: a line break there
// writes a line of its own, e.g. gpgcheck=0 into a .repo file, and an arg
// can bring one into any templated field. The resolver refuses control
// characters (a tab is allowed) in such fields, at the field, naming the
// args the text came from. Run steps, entrypoint, cmd and labels take any
// text: a command may span lines, and the config is JSON.

// controlChar returns the first control character of s other than a tab.
func controlChar(s string) (rune, bool) {
	for _, c := range s {
		if c != '\t' && unicode.IsControl(c) {
			return c, true
		}
	}
	return 0, false
}

// controlWords names a control character for a message.
func controlWords(c rune) string {
	switch c {
	case '\n':
		return "a line break"
	case '\r':
		return "a carriage return"
	}
	return fmt.Sprintf("the control character %U", c)
}

// oneLine reports whether v, the value of the field at p (its template t,
// nil when unknown), holds no control character; otherwise it reports the
// first one. what names the field, why says where the value is written.
func (r *resolver) oneLine(p Path, t *Template, what, v, why string) bool {
	c, bad := controlChar(v)
	if !bad {
		return true
	}
	hint := why + "; remove it"
	if from := r.origin(t); from != "" {
		hint += " (it comes from " + from + ")"
	}
	r.errorf(p, hint, "%s %q contains %s", what, v, controlWords(c))
	return false
}

// origin names the references a value came through when its template's
// own text is clean: the line break was in an arg's value.
func (r *resolver) origin(t *Template) string {
	if t == nil || len(t.Refs) == 0 {
		return ""
	}
	if _, inText := controlChar(t.Text); inText {
		return ""
	}
	refs := make([]string, len(t.Refs))
	for i, n := range t.Refs {
		refs[i] = "${" + n + "}"
	}
	return strings.Join(refs, ", ")
}

// template returns the template of the field at p in the image being
// resolved, nil when there is none.
func (r *resolver) template(p Path) *Template {
	if r.prep == nil {
		return nil
	}
	if pi := r.prep.images[r.image]; pi != nil {
		return pi.byPath[p.key()]
	}
	return nil
}
