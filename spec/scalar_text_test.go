package spec

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// textPositions are the places of a spec where a string is expected, each
// with one scalar to fill in (@) and how to read back what the spec got.
var textPositions = []struct {
	name string
	yaml string
	get  func(*Spec) string
	key  bool // the scalar is a mapping key
}{
	{"arg default", "args:\n  V: @\n", func(s *Spec) string { return s.Args["V"].Default }, false},
	{"arg mapping default", "args:\n  V:\n    default: @\n", func(s *Spec) string { return s.Args["V"].Default }, false},
	{"arch name", "arches:\n  p:\n    linux/amd64: @\n", func(s *Spec) string { return s.Arches["p"]["linux/amd64"] }, false},
	{"tool version", "    tools:\n      - name: t\n        version: @\n        url: https://example.com/t\n        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}\n        dest: /t\n", func(s *Spec) string { return s.Images["b"].Tools[0].Version }, false},
	{"env value", "    env:\n      X: @\n", func(s *Spec) string { return s.Images["b"].Env["X"] }, false},
	{"flow list item", "    cmd: [a, @]\n", func(s *Spec) string { return s.Images["b"].Cmd[1] }, false},
	{"block list item", "    packages:\n      manager: apt\n      install:\n        - @\n", func(s *Spec) string { return s.Images["b"].Packages.Install[0] }, false},
	{"run step", "    run:\n      - @\n", func(s *Spec) string { return s.Images["b"].Run[0].Command }, false},
	{"label key", "    labels:\n      @: x\n", func(s *Spec) string {
		for k := range s.Images["b"].Labels {
			return k
		}
		return "<none>"
	}, true},
	{"sha256 version key", "    tools:\n      - name: t\n        version: v\n        url: https://example.com/t\n        sha256:\n          @: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}\n        dest: /t\n", func(s *Spec) string {
		for k := range s.Images["b"].Tools[0].SHA256.ByVersion {
			return k
		}
		return "<none>"
	}, true},
}

// specAt puts the text v at the @ of a position, in a spec with one image b.
func specAt(pos string, v string) (string, Pos) {
	y := "version: 1\n"
	if !strings.HasPrefix(pos, "args:") && !strings.HasPrefix(pos, "arches:") {
		y += "images:\n  b:\n    base: example.com/base:1\n" + pos
	} else {
		y += pos + "images:\n  b:\n    base: example.com/base:1\n"
	}
	before := y[:strings.Index(y, "@")]
	at := Pos{Line: strings.Count(before, "\n") + 1, Col: len(before) - strings.LastIndex(before, "\n")}
	return strings.Replace(y, "@", v, 1), at
}

// A plain scalar that YAML reads as a number, a boolean or null would reach
// a string field as other text than the file's (010 as "8"): each is an error
// with the fix, at the scalar, wherever a string is expected.
func TestScalarTextChanged(t *testing.T) {
	changed := []struct{ text, msg, hint string }{
		{"010", "YAML reads %s010 as the number 8", `write "010" in quotes`},
		{"0x1F", "YAML reads %s0x1F as the number 31", `write "0x1F" in quotes`},
		{"1_000", "YAML reads %s1_000 as the number 1000", `write "1_000" in quotes`},
		{"+1", "YAML reads %s+1 as the number 1", `write "+1" in quotes`},
		{"-0", "YAML reads %s-0 as the number 0", `write "-0" in quotes`},
		{"0o17", "YAML reads %s0o17 as the number 15", `write "0o17" in quotes`},
		{"0b101", "YAML reads %s0b101 as the number 5", `write "0b101" in quotes`},
		{"0777", "YAML reads %s0777 as the number 511", `write "0777" in quotes`},
		{"1.10", "YAML reads %s1.10 as the number 1.1", `write "1.10" in quotes`},
		{"1.0", "YAML reads %s1.0 as the number 1", `write "1.0" in quotes`},
		{".5", "YAML reads %s.5 as the number 0.5", `write ".5" in quotes`},
		{".inf", "YAML reads %s.inf as the number +Inf", `write ".inf" in quotes`},
		{".NaN", "YAML reads %s.NaN as the number NaN", `write ".NaN" in quotes`},
		{"True", "YAML reads %sTrue as the boolean true", `write "True" in quotes`},
		{"FALSE", "YAML reads %sFALSE as the boolean false", `write "FALSE" in quotes`},
		{"~", "YAML reads %s~ as no value", `write "~" in quotes`},
		{"null", "YAML reads %snull as no value", `write "null" in quotes`},
		{"!!str 010", "YAML reads %s!!str 010 as the number 8", `write "010" in quotes, without the tag`},
		{"!!binary aGVsbG8=", `YAML reads %s!!binary aGVsbG8= as "hello"`, `write "aGVsbG8=" in quotes, without the tag`},
		{"!!timestamp 2024-01-01", "YAML cannot read %s!!timestamp 2024-01-01 as text", `write "2024-01-01" in quotes, without the tag`},
	}
	for _, pos := range textPositions {
		for _, c := range changed {
			t.Run(pos.name+"/"+c.text, func(t *testing.T) {
				y, at := specAt(pos.yaml, c.text)
				role := ""
				switch {
				case pos.name == "sha256 version key":
					role = "the version "
				case pos.key:
					role = "the key "
				}
				hint := c.hint
				if (c.text == "~" || c.text == "null") && !pos.key {
					hint += ", or leave the value empty"
				}
				want := fmt.Sprintf("builder.yaml:%d:%d: %s; %s", at.Line, at.Col, fmt.Sprintf(c.msg, role), hint)
				s, err := Parse("builder.yaml", []byte(y))
				if err == nil {
					t.Fatalf("no error; the spec got %q for %s, want:\n%s", pos.get(s), c.text, want)
				}
				if err.Error() != want {
					t.Fatalf("error:\n%v\nwant:\n%s\nspec:\n%s", err, want, y)
				}
			})
		}
	}
}

// Scalars whose text YAML keeps reach the spec as written, plain or quoted.
func TestScalarTextKept(t *testing.T) {
	kept := []struct{ text, want string }{
		{"7", "7"}, {"-7", "-7"}, {"25.1", "25.1"}, {"0.1", "0.1"}, {"true", "true"}, {"false", "false"},
		{"yes", "yes"}, {"off", "off"}, {"2024-01-01", "2024-01-01"}, {"2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z"},
		{"1e3", "1e3"}, {"08", "08"}, {"0x", "0x"}, {"1:30", "1:30"}, {"v1.2.3", "v1.2.3"}, {"99999999999999999999", "99999999999999999999"},
		{`"010"`, "010"}, {`'0x1F'`, "0x1F"}, {`"~"`, "~"}, {`"1.10"`, "1.10"}, {"!!str v1", "v1"},
	}
	for _, pos := range textPositions {
		for _, c := range kept {
			t.Run(pos.name+"/"+c.text, func(t *testing.T) {
				y, _ := specAt(pos.yaml, c.text)
				s, err := Parse("builder.yaml", []byte(y))
				if err != nil {
					t.Fatalf("%v\nspec:\n%s", err, y)
				}
				if got := pos.get(s); got != c.want {
					t.Fatalf("the spec got %q for %s, want %q", got, c.text, c.want)
				}
			})
		}
	}
}

// An empty value is the empty string, not a text YAML changed.
func TestEmptyValueIsEmptyString(t *testing.T) {
	for _, y := range []string{
		"version: 1\nargs:\n  V:\nimages:\n  b: {base: x}\n",
		"version: 1\nargs:\n  V: \nimages:\n  b: {base: x}\n",
		"version: 1\nargs: {V: }\nimages:\n  b: {base: x}\n",
		"version: 1\nargs: {V: , W: ~x}\nimages:\n  b: {base: x}\n",
		"version: 1\nargs:\n  V:   # the default is empty\nimages:\n  b: {base: x}\n",
	} {
		s, err := Parse("builder.yaml", []byte(y))
		if err != nil {
			t.Fatalf("%v\nspec:\n%s", err, y)
		}
		if a, ok := s.Args["V"]; !ok || a.Default != "" {
			t.Fatalf("arg V is %+v (declared: %v), want the empty string\nspec:\n%s", a, ok, y)
		}
	}
}

// A null where a string is optional and a pointer (ldflags) means unset: it
// is no text YAML changed.
func TestNullLdflagsIsUnset(t *testing.T) {
	y := "version: 1\nimages:\n  b:\n    base: x\n    goTools:\n      - {name: x, package: example.com/x, version: v1.0.0, ldflags: ~}\n"
	s, err := Parse("builder.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	if l := s.Images["b"].GoTools[0].Ldflags; l != nil {
		t.Fatalf("ldflags %q, want unset", *l)
	}
}

// A value anchored where a number is expected and aliased where a string
// is: the alias is where the text changes, so the error is there.
func TestScalarTextChangedThroughAlias(t *testing.T) {
	y := `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: t
        version: v
        url: https://example.com/t.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /t
        strip: &n 010
    env:
      N: *n
`
	_, err := Parse("builder.yaml", []byte(y))
	want := `builder.yaml:13:10: YAML reads 010 as the number 8 (through the alias *n, from line 11); write "010" in quotes`
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
}

// Numbers where numbers are expected keep working in every YAML spelling,
// and a file mode is octal however it is written.
func TestNumbersStayNumbers(t *testing.T) {
	y := `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: t
        version: v
        url: https://example.com/t.tar.gz
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /t
        strip: 0x2
      - name: u
        version: v
        url: https://example.com/u
        sha256: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /u
        strip: 1_0
        mode: 755
    directories:
      - {path: /a, mode: 0750}
      - {path: /b, mode: "0700"}
      - {path: /c, mode: 0o640}
`
	s, err := Parse("builder.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	img := s.Images["b"]
	if img.Tools[0].Strip != 2 || img.Tools[1].Strip != 10 {
		t.Errorf("strip %d and %d, want 2 and 10", img.Tools[0].Strip, img.Tools[1].Strip)
	}
	if img.Tools[1].Mode != 0o755 {
		t.Errorf("mode %o, want 755", img.Tools[1].Mode)
	}
	for i, want := range []FileMode{0o750, 0o700, 0o640} {
		if got := img.Directories[i].Mode; got != want {
			t.Errorf("directory %d mode %o, want %o", i, got, want)
		}
	}
}

// A file of nothing but changed scalars gives a bounded report, quickly:
// one problem per scalar would repeat the file, several times over. Empty
// values, which are no problem, are told from ~ quickly too, however far
// into the file (a 1 MB comment comes first).
func TestManyChangedScalars(t *testing.T) {
	for _, v := range []string{"010", "~", ""} {
		y := "# " + strings.Repeat("x", 1<<20) + "\nversion: 1\nimages:\n  b:\n    base: x\n    cmd:\n" + strings.Repeat("      - "+v+"\n", 20000)
		start := time.Now()
		s, err := Parse("builder.yaml", []byte(y))
		took := time.Since(start)
		if v == "" {
			if err != nil || len(s.Images["b"].Cmd) != 20000 || s.Images["b"].Cmd[19999] != "" {
				t.Fatalf("empty items: %v", err)
			}
		} else {
			l, ok := err.(ErrorList)
			if !ok || len(l) != 51 {
				t.Fatalf("%s: %d problems (%T), want 50 and a last one saying there are more", v, len(l), err)
			}
			if want := "builder.yaml:57:9: more than 50 problems; the rest of the file is not checked; fix the problems above first"; l[50].Error() != want {
				t.Fatalf("last problem %q, want %q", l[50], want)
			}
		}
		if took > 3*time.Second {
			t.Fatalf("%q: parse took %v", v, took)
		}
		t.Logf("%q: %d bytes in %v", v, len(y), took)
	}
}
