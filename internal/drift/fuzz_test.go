package drift

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/maistra/builder-frontend/spec"
)

// FuzzReadDockerfile: Istio's files are untrusted input. Reading any text
// as a Dockerfile and as a .bazelversion, and comparing a spec with what
// was read, never panics, never takes long and keeps every value bounded.
func FuzzReadDockerfile(f *testing.F) {
	files, _ := filepath.Glob("testdata/istio/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(mappingDockerfile))
	f.Add([]byte("# escape=`\nFROM a:1 AS x\nARG V\nENV A=${V:-1} B=\"${A}$A\"\nRUN <<EOF\ngo install a.b/c@${B}\nEOF\nADD https://x/${A}.tgz /\nFROM x\n"))
	f.Add([]byte("FROM scratch AS a\nENV A=${A}${A}${A}${A}\nENV A=${A}${A}${A}${A}\nRUN go install x.y/z@$A$A$A && wget https://h/$(uname -m)/$A\n"))
	f.Add([]byte("8.7.0\n"))
	s, err := specOfFuzz()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan string, 1)
		go func() {
			df, err := ReadDockerfile("Dockerfile", data)
			bv, _ := ReadBazelVersion(".bazelversion", data)
			if err == nil {
				for _, fd := range df.Findings {
					if len(fd.Value) > len(data)+2*expandBudget {
						done <- fmt.Sprintf("%s %s: %d bytes from %d of input", fd.Kind, fd.Name, len(fd.Value), len(data))
						return
					}
				}
			}
			rep, err := Compare(s, "b", Inputs{Dockerfile: df, Bazel: bv}, true)
			if err != nil {
				done <- err.Error()
				return
			}
			Plan(s, "b", rep.Rows)
			done <- ""
		}()
		select {
		case msg := <-done:
			if msg != "" {
				t.Fatal(msg)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("reading and comparing took over 5s on %q", data)
		}
	})
}

// specOfFuzz has a tool for every kind of source.
func specOfFuzz() (*spec.Spec, error) {
	return spec.Parse("builder.yaml", []byte(`version: 1
args:
  V: "1.0"
drift:
  e: env A
  s: env A in x
  u: url https://h/${arch}/v${version}.tgz
  i: image a
images:
  b:
    base: example.com/b:1
    tools:
      - {name: go, version: "${V}", url: "https://example.com/g", sha256: {}, dest: /g}
      - {name: e, version: "v${V}", url: "https://example.com/e", sha256: {}, dest: /e}
      - {name: s, version: "1", url: "https://example.com/s", sha256: {}, dest: /s}
      - {name: u, version: "1", url: "https://example.com/u", sha256: {}, dest: /u}
      - {name: i, version: "1", url: "https://example.com/i", sha256: {}, dest: /i}
      - {name: bazel, version: "1", url: "https://example.com/z", sha256: {}, dest: /z}
    goTools:
      - {name: c, package: a.b/c, version: v1}
`))
}
