// Package examples holds the example specs; its test parses, validates and
// plans each of them for every platform it declares.
package examples

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"

	"github.com/maistra/builder-frontend/llb"
	"github.com/maistra/builder-frontend/spec"
)

func TestExamplesPlanForEveryPlatform(t *testing.T) {
	files, err := filepath.Glob("*/builder.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Dir(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			s, err := spec.Parse(f, data)
			if err != nil {
				t.Fatal(err)
			}
			plats := s.DefaultPlatforms()
			if len(plats) == 0 {
				t.Fatal("an example must declare its platforms")
			}
			helper := bk.Image("example.com/builder-frontend:test")
			for _, name := range s.ImageNames() {
				for _, p := range plats {
					r, err := s.Resolve(p, spec.Options{Target: name})
					if err != nil {
						t.Fatal(err)
					}
					pp := platforms.MustParse(p)
					g, err := llb.Build(r, llb.Options{
						BuildPlatform: platforms.MustParse("linux/amd64"), TargetPlatform: pp,
						Base: bk.Image(r.Base), Helper: &helper, MergeOp: true,
						Context: func() (bk.State, error) { return bk.Local("context"), nil },
					})
					if err != nil {
						t.Fatal(err)
					}
					if _, err := g.State.Marshal(context.Background(), bk.Platform(pp)); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}
