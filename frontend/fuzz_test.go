package frontend

import (
	"os"
	"testing"
	"time"

	"github.com/maistra/builder-frontend/spec"
)

// FuzzSubrequests runs what buildx --call asks before any validation
// (targets, outline, lint) on every spec Parse accepts: the frontend must
// answer each, never panic or hang.
func FuzzSubrequests(f *testing.F) {
	f.Add([]byte(lintSpec))
	f.Add([]byte("version: 1\nimages:\n  builder:\n"))
	f.Add([]byte("version: 1\nimages:\n  a: {base: x, tools: [~], goTools: [~], files: [~], directories: [~], run: [~]}\n  b:\n"))
	f.Add([]byte("version: 1\nimages:\n  a: {base: x, packages: {manager: dnf, repositories: [~, {name: r}]}, go: ~}\n"))
	f.Add([]byte("version: 1\nargs: {A: ~, B: {default: x}}\nimages:\n  a:\n    base: ${A}\n    tools:\n      - {name: t, url: \"https://e.com/${arch.x}\", platforms: [linux/arm64, linux/arm64], sha256: {}}\n"))
	for _, f2 := range []string{"../examples/minimal/builder.yaml", "../examples/maistra-builder/3.5.yaml"} {
		if d, err := os.ReadFile(f2); err == nil {
			f.Add(d)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := spec.Parse("builder.yaml", data)
		if err != nil {
			return
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = specTargets(s)
			targets := append([]string{""}, s.ImageNames()...)
			for _, target := range append(targets, "missing") {
				for _, plats := range [][]string{nil, {"linux/amd64", "linux/arm64", "linux/s390x"}} {
					bc := uiClient(target, map[string]string{"V": "2", "A": ""}, plats...)
					_ = specOutline(s, bc)
					if _, err := lintResults(s, bc); err != nil {
						if _, ok := err.(spec.ErrorList); !ok {
							t.Errorf("lintResults returned %T: %v", err, err)
						}
					}
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("subrequests took over 10s on %q", data)
		}
	})
}
