package llb

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

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
	data := []byte(bigSpec(100))
	helper := bk.Image("example.com/builder-frontend:bench")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		s, err := spec.Parse("builder.yaml", data)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range s.DefaultPlatforms() {
			r, err := s.Resolve(p, spec.Options{})
			if err != nil {
				b.Fatal(err)
			}
			arch := strings.TrimPrefix(p, "linux/")
			target := ocispecs.Platform{OS: "linux", Architecture: arch}
			g, err := Build(r, Options{BuildPlatform: amd64, TargetPlatform: target, Base: bk.Image("example.com/base:1"), Helper: &helper, MergeOp: true})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := g.State.Marshal(ctx, bk.Platform(target)); err != nil {
				b.Fatal(err)
			}
		}
	}
}
