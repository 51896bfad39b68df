package spec

import (
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary bytes through parse, validate and resolve: every
// outcome must be a spec or an error, never a panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(head + goodTool))
	f.Add([]byte("version: 1\nimages: {a: {base: x, tools: [{name: a, sha256: {1.0: {linux/amd64: x}}}]}}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("images:\n  b: &b\n    base: x\n  c: *b\n"))
	if d, err := os.ReadFile("../examples/minimal/builder.yaml"); err == nil {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang is as bad as a panic for a frontend: the fuzzer reports
		// neither on its own, so the work runs under a deadline.
		done := make(chan error, 1)
		go func() {
			s, err := Parse("builder.yaml", data)
			if err != nil {
				done <- err
				return
			}
			_ = s.Validate([]string{"linux/amd64", "linux/arm64", "linux/ppc64le", "linux/s390x"}, Options{BuildArgs: map[string]string{"V": "2"}})
			for _, n := range s.ImageNames() {
				_, _ = s.Resolve("linux/arm64", Options{Target: n})
			}
			done <- nil
		}()
		select {
		case err := <-done:
			if _, ok := err.(ErrorList); err != nil && !ok {
				t.Fatalf("Parse returned %T, want ErrorList", err)
			}
			// Type errors are told in the spec's words, never the decoder's.
			for _, goWords := range []string{"Go struct", "Go value", "unmarshal", "interface {}"} {
				if err != nil && strings.Contains(err.Error(), goWords) {
					t.Fatalf("error speaks Go (%q): %.500v", goWords, err)
				}
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("parse and resolve took over 5s on %q", data)
		}
	})
}
