package llb

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"

	bk "github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/spec"
)

// bigSpec has n tools of mixed forms for four platforms.
func bigSpec(n int) string {
	var b strings.Builder
	b.WriteString("version: 1\nplatforms: [linux/amd64, linux/arm64, linux/ppc64le, linux/s390x]\nargs:\n  MIRROR: https://mirror.example.com\nimages:\n  builder:\n    base: example.com/base:1\n    tools:\n")
	forms := []string{"tar.gz", "zip", "", "tar.xz"}
	for i := 0; i < n; i++ {
		ext := forms[i%len(forms)]
		url := fmt.Sprintf("${MIRROR}/tool%d-${version}-linux-${arch}", i)
		if ext != "" {
			url += "." + ext
		}
		fmt.Fprintf(&b, "      - name: tool%d\n        version: 1.%d.0\n        url: %s\n        sha256:\n", i, i, url)
		for j, p := range []string{"linux/amd64", "linux/arm64", "linux/ppc64le", "linux/s390x"} {
			fmt.Fprintf(&b, "          %s: %x\n", p, sha256.Sum256([]byte{byte(i), byte(j)}))
		}
		if ext == "" {
			fmt.Fprintf(&b, "        dest: /usr/local/bin/tool%d\n", i)
		} else {
			fmt.Fprintf(&b, "        strip: 1\n        dest: /opt/tool%d\n        path: [/opt/tool%d/bin]\n", i, i)
		}
	}
	return b.String()
}

// BenchmarkParsePlan100Tools4Platforms measures what the frontend does before
// it asks the daemon for anything: parse, validate, resolve and marshal the
// LLB of 100 tools for 4 platforms. Target: under 50 ms.
func BenchmarkParsePlan100Tools4Platforms(b *testing.B) {
	benchParsePlan(b, false)
}

// BenchmarkParsePlan100Tools4PlatformsConcurrent plans the platforms
// concurrently, as the frontend does (dockerui builds each platform in its
// own goroutine): the wall time a build waits for.
func BenchmarkParsePlan100Tools4PlatformsConcurrent(b *testing.B) {
	benchParsePlan(b, true)
}

func benchParsePlan(b *testing.B, concurrent bool) {
	data := []byte(bigSpec(100))
	helper := bk.Image("example.com/builder-frontend:bench")
	ctx := context.Background()
	plan := func(s *spec.Spec, p string) error {
		r, err := s.Resolve(p, spec.Options{})
		if err != nil {
			return err
		}
		target := ocispecs.Platform{OS: "linux", Architecture: strings.TrimPrefix(p, "linux/")}
		g, err := Build(r, Options{BuildPlatform: amd64, TargetPlatform: target, Base: bk.Image("example.com/base:1"), Helper: &helper, MergeOp: true})
		if err != nil {
			return err
		}
		_, err = g.State.Marshal(ctx, bk.Platform(target))
		return err
	}
	b.ReportAllocs()
	for b.Loop() {
		s, err := spec.Parse("builder.yaml", data)
		if err != nil {
			b.Fatal(err)
		}
		var eg errgroup.Group
		for _, p := range s.DefaultPlatforms() {
			if concurrent {
				eg.Go(func() error { return plan(s, p) })
			} else if err := plan(s, p); err != nil {
				b.Fatal(err)
			}
		}
		if err := eg.Wait(); err != nil {
			b.Fatal(err)
		}
	}
}
