package spec

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
)

// benchSpec has n tools of mixed forms for four platforms, like the llb
// package's parse-and-plan benchmark.
func benchSpec(n int) string {
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

// BenchmarkResolve100Tools4Platforms is what a build does with a parsed
// spec before planning: validate every platform, then resolve each.
func BenchmarkResolve100Tools4Platforms(b *testing.B) {
	data := []byte(benchSpec(100))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s, err := Parse("builder.yaml", data)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		plats := s.TargetPlatforms(nil, "")
		if err := s.Validate(plats, Options{}); err != nil {
			b.Fatal(err)
		}
		for _, p := range plats {
			if _, err := s.Resolve(p, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
