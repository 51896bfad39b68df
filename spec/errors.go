package spec

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Pos is a 1-based line and column in a spec file.
type Pos struct {
	Line int
	Col  int
}

// Range is the span of a YAML node, from its first to its last character
// line, in the file File. A spec with extends has nodes in several files.
type Range struct {
	Start Pos
	End   Pos
	File  string
}

// Error is a problem in a spec, located in its file.
type Error struct {
	File string
	Pos  Pos
	// Msg says what is wrong, Hint what to do about it.
	Msg  string
	Hint string
	// ExtendedBy is, for a problem in a file that another spec extends,
	// the extends: lines that pulled File in, nearest first.
	ExtendedBy []Location
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Pos.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Pos.Line, e.Pos.Col)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	b.WriteString(ExtendedByText(e.File, e.ExtendedBy))
	return b.String()
}

// ExtendedByText is what a message about file, a file that another spec
// extends, ends with: " (common.yaml is extended by 3.5.yaml:3:10)", one
// "which is extended by" per further link of the chain (by, nearest
// first). It is empty for the spec's own file (by empty).
func ExtendedByText(file string, by []Location) string {
	var b strings.Builder
	for i, l := range by {
		if i == 0 {
			fmt.Fprintf(&b, " (%s is extended by %s", file, l)
		} else {
			fmt.Fprintf(&b, ", which is extended by %s", l)
		}
		if i == len(by)-1 {
			b.WriteString(")")
		}
	}
	return b.String()
}

// ErrorList is every problem found in a spec, in file order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var files []string
	for _, e := range l {
		if !slices.Contains(files, e.File) {
			files = append(files, e.File)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems in %s:", len(l), strings.Join(files, ", "))
	for _, e := range l {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// err returns nil for an empty list, so callers can `return l.err()`.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	return l.Sorted()
}

// Sorted returns the list in file order with each problem once: the same
// mistake reached twice (through a YAML alias, or for two platforms or two
// images) is reported once. The problems of a spec's own file come first,
// then those of the file it extends, and so on. It reorders l in place.
func (l ErrorList) Sorted() ErrorList {
	sort.SliceStable(l, func(i, j int) bool {
		if len(l[i].ExtendedBy) != len(l[j].ExtendedBy) {
			return len(l[i].ExtendedBy) < len(l[j].ExtendedBy)
		}
		if l[i].File != l[j].File {
			return l[i].File < l[j].File
		}
		if l[i].Pos.Line != l[j].Pos.Line {
			return l[i].Pos.Line < l[j].Pos.Line
		}
		return l[i].Pos.Col < l[j].Pos.Col
	})
	out := l[:0]
	seen := map[string]bool{}
	for _, e := range l {
		if k := e.Error(); !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

// MaxSize is the largest spec Parse reads, in bytes: a reader need not
// read more of a file than MaxSize+1 to have Parse refuse it.
const MaxSize = maxSpecSize

// maxEcho bounds how much of one input value a message quotes: a garbled
// or hostile file must not come back whole in its error (a 100 KB base
// line would otherwise be printed once per problem and again by buildx).
const (
	maxEcho = 160
	maxHint = 400
)

// Clip returns s cut to at most n runes, marked with … when cut.
func Clip(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// clipArgs cuts every text among args to maxEcho runes: errors quote the
// spec's values with %q and %s, and none may echo a whole document.
func clipArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			out[i] = Clip(v, maxEcho)
		case error:
			out[i] = Clip(v.Error(), maxEcho)
		default:
			out[i] = a
		}
	}
	return out
}
