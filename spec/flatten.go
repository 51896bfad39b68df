package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Flatten writes the spec as one YAML file without extends: what Load made
// of the chain, field by field, in the order of the spec's types. The file
// parses to the same spec and builds the same image. Comments are not
// kept; the spec's own `# syntax=` and `# check=` lines are, at the top.
func (s *Spec) Flatten() []byte {
	var b bytes.Buffer
	for _, line := range strings.SplitAfter(string(s.source().Data), "\n") {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "#") {
			break
		}
		if d := strings.TrimSpace(strings.TrimPrefix(t, "#")); strings.HasPrefix(d, "syntax=") || strings.HasPrefix(d, "check=") {
			b.WriteString(t + "\n")
		}
	}
	if s.chain != nil {
		var names []string
		for _, f := range s.chain.files {
			names = append(names, f.Filename)
		}
		fmt.Fprintf(&b, "# %s and the specs it extends (%s), merged into one file by builder flatten.\n", names[0], strings.Join(names[1:], ", "))
	}
	flat := *s
	flat.Extends = ""
	w := &yamlWriter{b: &b}
	w.mapping(0, flat.yamlEntries())
	return b.Bytes()
}

// quoted is text always written in quotes: digests, all alike.
type quoted string

// yamlEntry is one key and value of a mapping, in the order written.
type yamlEntry struct {
	key   string
	value any // a string, quoted, bool, int, []any, []yamlEntry, or nil for no value
}

func (s *Spec) yamlEntries() []yamlEntry {
	out := structEntries(reflect.ValueOf(*s))
	if len(out) == 0 || out[0].key != "version" {
		// version: 0 is a problem the spec keeps; an empty file is another.
		out = append([]yamlEntry{{"version", s.Version}}, out...)
	}
	for i, e := range out {
		if e.key != "images" {
			continue
		}
		var images []yamlEntry
		for _, n := range s.ImageNames() {
			var v any
			if img := s.Images[n]; img != nil {
				v = structEntries(reflect.ValueOf(*img))
			}
			images = append(images, yamlEntry{n, v})
		}
		out[i].value = images
	}
	return out
}

// structEntries are the fields of a spec type that are set, in the order of
// the type.
func structEntries(v reflect.Value) []yamlEntry {
	out := []yamlEntry{}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if key == "" || key == "-" || !f.IsExported() {
			continue
		}
		if val, ok := yamlValue(v.Field(i)); ok {
			out = append(out, yamlEntry{key, val})
		}
	}
	return out
}

// yamlValue is the value of a field or an entry as the writer takes it;
// false when it is not set.
func yamlValue(v reflect.Value) (any, bool) {
	switch x := v.Interface().(type) {
	case Checksums:
		if x.Empty() {
			return nil, false
		}
		var out []yamlEntry
		for _, k := range slices.Sorted(maps.Keys(x.ByPlatform)) {
			out = append(out, yamlEntry{k, quoted(x.ByPlatform[k])})
		}
		for _, k := range slices.Sorted(maps.Keys(x.ByVersion)) {
			var inner []yamlEntry
			for _, p := range slices.Sorted(maps.Keys(x.ByVersion[k])) {
				inner = append(inner, yamlEntry{p, quoted(x.ByVersion[k][p])})
			}
			out = append(out, yamlEntry{k, orEmpty(inner)})
		}
		return out, true
	case Arg:
		if x.Description == "" {
			return x.Default, true
		}
		return []yamlEntry{{"default", x.Default}, {"description", x.Description}}, true
	case RunStep:
		if x.Name == "" {
			return x.Command, true
		}
		return []yamlEntry{{"name", x.Name}, {"command", x.Command}}, true
	case FileMode:
		return fmt.Sprintf("%#o", uint32(x)), x != 0
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil, false
		}
		if v.Elem().Kind() == reflect.Struct {
			return yamlValue(v.Elem())
		}
		// A pointer to text is set even when empty (ldflags: "").
		return v.Elem().String(), true
	case reflect.String:
		return v.String(), v.String() != ""
	case reflect.Bool:
		return v.Bool(), v.Bool()
	case reflect.Int:
		return int(v.Int()), v.Int() != 0
	case reflect.Slice:
		if v.Len() == 0 {
			return nil, false
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i], _ = yamlValue(v.Index(i))
			if e := v.Index(i); e.Kind() == reflect.Pointer && e.IsNil() {
				out[i] = nil
			}
		}
		return out, true
	case reflect.Map:
		if v.IsNil() {
			return nil, false
		}
		keys := make([]string, 0, v.Len())
		for _, k := range v.MapKeys() {
			keys = append(keys, k.String())
		}
		slices.Sort(keys)
		out := []yamlEntry{}
		for _, k := range keys {
			val, ok := yamlValue(v.MapIndex(reflect.ValueOf(k)))
			if !ok && v.Type().Elem().Kind() == reflect.String {
				val = ""
			}
			out = append(out, yamlEntry{k, val})
		}
		return out, true
	case reflect.Struct:
		return structEntries(v), true
	}
	return nil, false
}

func orEmpty(e []yamlEntry) []yamlEntry {
	if e == nil {
		return []yamlEntry{}
	}
	return e
}

// yamlWriter writes block YAML that reads back as the same text: every
// string that YAML could read as something else is quoted.
type yamlWriter struct {
	b *bytes.Buffer
}

func (w *yamlWriter) indent(n int) { w.b.WriteString(strings.Repeat("  ", n)) }

func (w *yamlWriter) mapping(level int, entries []yamlEntry) {
	for _, e := range entries {
		w.indent(level)
		w.b.WriteString(yamlKey(e.key) + ":")
		w.value(level, e.value)
	}
}

// value writes v after a "key:" or a "-" at level.
func (w *yamlWriter) value(level int, v any) {
	switch x := v.(type) {
	case nil:
		w.b.WriteString("\n")
	case []yamlEntry:
		if len(x) == 0 {
			w.b.WriteString(" {}\n")
			return
		}
		w.b.WriteString("\n")
		w.mapping(level+1, x)
	case []any:
		if flow, ok := flowList(x); ok {
			w.b.WriteString(" " + flow + "\n")
			return
		}
		w.b.WriteString("\n")
		for _, item := range x {
			w.indent(level + 1)
			w.b.WriteString("-")
			if entries, ok := item.([]yamlEntry); ok && len(entries) > 0 {
				// The first key goes on the dash's line.
				w.b.WriteString(" " + yamlKey(entries[0].key) + ":")
				w.value(level+2, entries[0].value)
				w.mapping(level+2, entries[1:])
				continue
			}
			w.value(level+1, item)
		}
	case quoted:
		w.b.WriteString(" " + quoteYAML(string(x)) + "\n")
	case string:
		if block, ok := literalBlock(x, level+1); ok {
			w.b.WriteString(" " + block)
			return
		}
		w.b.WriteString(" " + yamlString(x) + "\n")
	case bool:
		w.b.WriteString(" " + strconv.FormatBool(x) + "\n")
	case int:
		w.b.WriteString(" " + strconv.Itoa(x) + "\n")
	}
}

// flowList writes a short list of strings on one line.
func flowList(items []any) (string, bool) {
	var parts []string
	n := 0
	for _, it := range items {
		s, ok := it.(string)
		if !ok || strings.ContainsAny(s, "\n") {
			return "", false
		}
		q := yamlString(s)
		if strings.ContainsAny(q, "{}[],") && !strings.HasPrefix(q, `"`) {
			q = quoteYAML(s)
		}
		parts = append(parts, q)
		n += len(q) + 2
	}
	if n > 80 {
		return "", false
	}
	return "[" + strings.Join(parts, ", ") + "]", true
}

// plainRe is text that YAML reads as that text when written unquoted: it
// starts with a letter or a slash (never a number), ends with no blank, and
// holds nothing YAML gives a meaning to.
var plainRe = regexp.MustCompile(`^[A-Za-z/]([A-Za-z0-9_./@+ -]*[A-Za-z0-9_./@+-])?$`)

// yamlWords are the plain scalars YAML reads as booleans or null.
var yamlWords = map[string]bool{"true": true, "false": true, "null": true, "yes": true, "no": true, "on": true, "off": true, "y": true, "n": true}

func yamlString(s string) string {
	if plainRe.MatchString(s) && !yamlWords[strings.ToLower(s)] {
		return s
	}
	return quoteYAML(s)
}

func yamlKey(k string) string { return yamlString(k) }

// quoteYAML writes s as a double-quoted scalar; JSON's escapes are YAML's.
func quoteYAML(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// literalBlock writes a multi-line s as a literal block scalar (|), whose
// lines are indented to level; false when s needs quotes instead.
func literalBlock(s string, level int) (string, bool) {
	if !strings.Contains(strings.TrimRight(s, "\n"), "\n") || strings.HasPrefix(s, " ") || strings.HasPrefix(s, "\n") {
		return "", false
	}
	for _, r := range s {
		if r == '\r' || r == '\t' || r < 0x20 && r != '\n' || r == 0x7f || r == 0xfeff || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return "", false
		}
	}
	body := strings.TrimRight(s, "\n")
	trailing := len(s) - len(body)
	var b strings.Builder
	b.WriteString(map[bool]string{true: "|-", false: "|"}[trailing == 0])
	if trailing > 1 {
		b.Reset()
		b.WriteString("|+") // keep every trailing line break
	}
	b.WriteString("\n")
	pad := strings.Repeat("  ", level)
	for _, line := range strings.Split(body, "\n") {
		if line != "" {
			b.WriteString(pad + line)
		}
		b.WriteString("\n")
	}
	b.WriteString(strings.Repeat("\n", max(0, trailing-1)))
	return b.String(), true
}
