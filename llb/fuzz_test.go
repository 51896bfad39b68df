package llb

import (
	"context"
	"os"
	"testing"
	"time"

	bk "github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/spec"
)

// FuzzPlan runs whatever parses through resolve, Build and Marshal for two
// platforms: the frontend must answer every spec with a graph or an error,
// never a panic or a hang.
func FuzzPlan(f *testing.F) {
	f.Add([]byte(toolsSpec))
	f.Add([]byte(goSpec))
	if d, err := os.ReadFile("../examples/minimal/builder.yaml"); err == nil {
		f.Add(d)
	}
	// The maistra example extends a common file: the seed is the two as one.
	if d, err := os.ReadFile("../examples/maistra-builder/3.5.yaml"); err == nil {
		if s, err := spec.Load("../examples/maistra-builder/3.5.yaml", d, os.ReadFile); err == nil {
			f.Add(s.Flatten())
		}
	}
	helper := bk.Image("example.com/builder-frontend:fuzz")
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			s, err := spec.Parse("builder.yaml", data)
			if err != nil {
				return
			}
			for _, p := range []ocispecs.Platform{amd64, arm64} {
				for _, name := range s.ImageNames() {
					r, err := s.Resolve(p.OS+"/"+p.Architecture, spec.Options{Target: name})
					if err != nil {
						continue
					}
					g, err := Build(r, Options{BuildPlatform: amd64, TargetPlatform: p, Base: bk.Image("example.com/base:1"), Helper: &helper, MergeOp: true,
						Context: func() (bk.State, error) { return bk.Local("context"), nil }})
					if err != nil {
						continue
					}
					_, _ = g.State.Marshal(context.Background(), bk.Platform(p))
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("planning took over 10s on %q", data)
		}
	})
}
