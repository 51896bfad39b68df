// Package examples holds the example specs; its test parses, validates and
// plans each of them for every platform it declares.
package examples

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"

	"github.com/maistra/builder-frontend/llb"
	"github.com/maistra/builder-frontend/spec"
)

// buildable are the example specs a build is pointed at: those that start
// with a `# syntax=` line. The others (common.yaml) are extended by them.
func buildable(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := spec.Parse(f, data); err != nil {
			t.Errorf("every example file parses on its own: %v", err)
		}
		if bytes.HasPrefix(data, []byte("# syntax=")) {
			out = append(out, f)
		}
	}
	return out
}

func load(t *testing.T, f string) *spec.Spec {
	t.Helper()
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	s, err := spec.Load(f, data, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestExamplesPlanForEveryPlatform(t *testing.T) {
	for _, f := range buildable(t) {
		t.Run(f, func(t *testing.T) {
			s := load(t, f)
			plats := s.DefaultPlatforms()
			if len(plats) == 0 {
				t.Fatal("an example must declare its platforms")
			}
			if err := s.Validate(plats, spec.Options{}); err != nil {
				t.Fatal(err)
			}
			// The flattened spec is the same build: every platform's graph
			// has the same ops.
			flat, err := spec.Parse("flat.yaml", s.Flatten())
			if err != nil {
				t.Fatalf("builder flatten's output does not parse: %v", err)
			}
			for _, name := range s.ImageNames() {
				for _, p := range plats {
					def := definition(t, s, name, p)
					if string(definition(t, flat, name, p)) != string(def) {
						t.Errorf("%s %s: the flattened spec builds another graph", name, p)
					}
				}
			}
		})
	}
}

// definition is the LLB of image name of s for platform p, op by op.
func definition(t *testing.T, s *spec.Spec, name, p string) []byte {
	t.Helper()
	r, err := s.Resolve(p, spec.Options{Target: name})
	if err != nil {
		t.Fatal(err)
	}
	pp := platforms.MustParse(p)
	helper := bk.Image("example.com/builder-frontend:test")
	g, err := llb.Build(r, llb.Options{
		BuildPlatform: platforms.MustParse("linux/amd64"), TargetPlatform: pp,
		Base: bk.Image(r.Base), Helper: &helper, MergeOp: true,
		Context: func() (bk.State, error) { return bk.Local("context", bk.LocalUniqueID("examples")), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	def, err := g.State.Marshal(context.Background(), bk.Platform(pp))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Join(def.Def, nil)
}

// TestMaistraBuilderSizes: the table of file sizes in
// maistra-builder/README.md is what the files hold.
func TestMaistraBuilderSizes(t *testing.T) {
	count := func(text []byte) (lines, yaml int) {
		for _, l := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
			lines++
			if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
				yaml++
			}
		}
		return lines, yaml
	}
	var b strings.Builder
	b.WriteString("| file | lines | YAML lines (no comments, no blank lines) |\n|---|--:|--:|\n")
	for _, f := range []string{"common.yaml", "3.4.yaml", "3.5.yaml"} {
		data, err := os.ReadFile(filepath.Join("maistra-builder", f))
		if err != nil {
			t.Fatal(err)
		}
		l, y := count(data)
		fmt.Fprintf(&b, "| [%s](%s) | %d | %d |\n", f, f, l, y)
	}
	for _, f := range []string{"3.4.yaml", "3.5.yaml"} {
		l, y := count(load(t, filepath.Join("maistra-builder", f)).Flatten())
		fmt.Fprintf(&b, "| `builder flatten %s`: the branch as one file | %d | %d |\n", f, l, y)
	}
	readme, err := os.ReadFile("maistra-builder/README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), b.String()) {
		t.Errorf("maistra-builder/README.md lacks the table of sizes; it is\n%s", b.String())
	}
}
