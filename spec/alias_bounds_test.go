package spec

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// aliasBomb is a spec of a few hundred bytes whose anchors nest depth deep,
// each a list of nine aliases of the one before: *a8 stands for 9^9 scalars.
// use places *a8 (written A) in the image.
func aliasBomb(depth int, use string) string {
	var b strings.Builder
	b.WriteString("version: 1\nimages:\n  b:\n    base: example.com/base:1\n    env:\n      a0: &a0 [x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= depth; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "      a%d: &a%d [%s]\n", i, i, strings.Repeat(p+", ", 8)+p)
	}
	b.WriteString(strings.ReplaceAll(use, "A", fmt.Sprintf("*a%d", depth)))
	return b.String()
}

// hangLimit tells a hang from a parse slowed down by a busy machine; what
// these tests bound is memory.
const hangLimit = 30 * time.Second

// parseMeasured parses y and returns the error, the time and the bytes
// allocated.
func parseMeasured(t *testing.T, y string) (error, time.Duration, uint64) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := Parse("builder.yaml", []byte(y))
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	return err, took, after.TotalAlloc - before.TotalAlloc
}

// The bomb used as a mapping key drove the YAML library's key-to-text
// conversion out of memory (depth 7: 3.4 s and 870 MB; depth 8: fatal).
// Used as a key, a value or a list item, it is an error at the alias where
// the expansion passes the bound, at once and in little memory.
func TestAliasBomb(t *testing.T) {
	uses := map[string]string{
		"mapping key": "      ? A\n      : v\n",
		"value":       "      k: A\n",
		"list item":   "    cmd: [A]\n",
		"run step":    "    run: [A]\n",
		"merge key":   "    go:\n      <<: A\n",
	}
	for name, use := range uses {
		t.Run(name, func(t *testing.T) {
			y := aliasBomb(8, use)
			if len(y) > 1024 {
				t.Fatalf("the bomb is %d bytes; it is meant to be small", len(y))
			}
			err, took, alloc := parseMeasured(t, y)
			// a5 is the first anchor whose aliases expand past 1 MiB:
			// 9^5 scalars of 2 bytes.
			want := "builder.yaml:11:46: with the alias *a4, aliases expand the spec by more than 1048576 bytes; an alias repeats a value or a few fields; write larger repetitions out"
			if err == nil || err.Error() != want {
				t.Fatalf("error:\n%v\nwant:\n%s", err, want)
			}
			// Allocation is the bound (it does not depend on the machine's
			// load); the time limit only tells a hang from slowness.
			if took > hangLimit || alloc > 16<<20 {
				t.Fatalf("parse took %v and allocated %d MiB, want under 16 MiB (and no hang)", took, alloc>>20)
			}
		})
	}
}

// Deep nesting, written out or through aliases, and huge block mappings are
// refused before the YAML parser, whose work grows with the square of both,
// reads them (the position index was quadratic in depth too: 60 KB of
// brackets took 2 GB); 20000 keys in one mapping (190 KB) took the
// parser 1.6 GB.
func TestShapeBounds(t *testing.T) {
	chain := func(n int) string {
		var b strings.Builder
		b.WriteString("version: 1\nimages:\n  b:\n    base: example.com/base:1\n    env:\n      a0: &a0 x\n")
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, "      a%d: &a%d [*a%d]\n", i, i, i-1)
		}
		return b.String()
	}
	keys := func(n int) string {
		var b strings.Builder
		b.WriteString("version: 1\nimages:\n  b:\n    base: example.com/base:1\n    env:\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "      K%d: v\n", i)
		}
		return b.String()
	}
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"brackets", "version: 1\nimages: {b: {base: x, env: {a: " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "}}}\n",
			"builder.yaml:2:60: the YAML nests deeper than 32 levels; a spec nests 7 levels at most (images, image, tools, tool, sha256, version, platform); check the brackets and the indentation"},
		{"block lists", "version: 1\nimages:\n  b:\n    base: x\n    cmd:\n      " + strings.Repeat("- ", 100000) + "x\n",
			"builder.yaml:6:65: the YAML nests deeper than 32 levels"},
		{"indentation", "version: 1\nimages:\n" + func() string {
			var b strings.Builder
			for i := 1; i < 2000; i++ {
				fmt.Fprintf(&b, "%sk:\n", strings.Repeat(" ", i))
			}
			return b.String()
		}(), "builder.yaml:34:33: the YAML nests deeper than 32 levels"},
		{"alias chain", chain(60), "builder.yaml:35:18: the alias *a28 nests the YAML deeper than 32 levels; an alias repeats a value or a few fields; write larger repetitions out"},
		{"keys", keys(20000), "builder.yaml:1006:7: the mapping holds more than 1000 keys; a spec's mappings hold a few dozen; check the indentation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err, took, alloc := parseMeasured(t, tc.yaml)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error:\n%.500v\nwant:\n%s", err, tc.want)
			}
			t.Logf("%d bytes: %v, %d MiB allocated", len(tc.yaml), took, alloc>>20)
			if took > hangLimit || alloc > 64<<20 {
				t.Fatalf("parse took %v and allocated %d MiB", took, alloc>>20)
			}
		})
	}
	if _, err := Parse("builder.yaml", []byte(keys(1000))); err != nil {
		t.Fatalf("1000 keys: %v", err)
	}
}

// More aliases than a spec could need, each small, are refused too.
func TestAliasCount(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nimages:\n  b:\n    base: example.com/base:1\n    cmd: [&x y")
	for i := 0; i < 10001; i++ {
		b.WriteString(", *x")
	}
	b.WriteString("]\n")
	_, err := Parse("builder.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "builder.yaml:5:40017: the spec uses more than 10000 aliases") {
		t.Fatalf("error: %.300v", err)
	}
}

// Aliases as a spec uses them: a digest for several platforms, a mapping and
// a list repeated, shared fields merged. None comes near the bounds.
func TestAliasesInUse(t *testing.T) {
	var b strings.Builder
	b.WriteString(`version: 1
platforms: [linux/amd64, linux/arm64, linux/ppc64le, linux/s390x]
images:
  b:
    base: example.com/base:1
    cmd: &cmd [/bin/sh, -c, "echo hello from a builder image"]
    entrypoint: *cmd
    go: &go
      env: &env {JAVA_OPTS: -Xmx1g, JAVA_HOME: /usr/lib/jvm, LANG: C.UTF-8}
    tools:
      - name: t0
        version: v1
        url: https://example.com/t0-${version}.jar
        form: raw
        sha256: &sums
          linux/amd64: &jar "1111111111111111111111111111111111111111111111111111111111111111"
          linux/arm64: *jar
          linux/ppc64le: *jar
          linux/s390x: *jar
        dest: /usr/local/lib/t0.jar
        env: *env
`)
	for i := 1; i < 300; i++ {
		fmt.Fprintf(&b, "      - {name: t%d, version: v1, url: https://example.com/t.jar, sha256: *sums, dest: /usr/local/lib/t%d.jar, env: *env}\n", i, i)
	}
	b.WriteString("  c:\n    base: example.com/base:1\n    go:\n      <<: *go\n      dest: /opt/bin\n")
	s, err := Parse("builder.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	tools := s.Images["b"].Tools
	if len(tools) != 300 || tools[299].Name != "t299" || tools[299].SHA256.ByPlatform["linux/s390x"] != strings.Repeat("1", 64) || tools[299].Env["LANG"] != "C.UTF-8" {
		t.Fatalf("aliases not read as written: %d tools, last %+v", len(tools), tools[len(tools)-1])
	}
	if got := s.Images["b"].Entrypoint; len(got) != 3 || got[2] != "echo hello from a builder image" {
		t.Fatalf("entrypoint %q", got)
	}
	if g := s.Images["c"].Go; g == nil || g.Dest != "/opt/bin" || g.Env["LANG"] != "C.UTF-8" {
		t.Fatalf("merged go settings %+v", g)
	}
}
