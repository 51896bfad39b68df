package spec

import (
	"strings"
	"testing"
)

// A file that is the same on every platform (a script, a jar) is pinned
// once and referred to with a YAML alias.
func TestChecksumThroughAlias(t *testing.T) {
	y := head + strings.Replace(goodTool, "linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222", "linux/arm64: *same", 1)
	y = strings.Replace(y, "linux/amd64: 1111", "linux/amd64: &same 1111", 1)
	s, err := Parse("builder.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Resolve("linux/arm64", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Tools[0].SHA256; got != "sha256:"+strings.Repeat("1", 64) {
		t.Fatalf("arm64 sha256 %s, want the aliased amd64 one", got)
	}
}

func TestGoBinaryName(t *testing.T) {
	for pkg, want := range map[string]string{
		"golang.org/x/tools/cmd/goimports":                       "goimports",
		"github.com/jstemmer/go-junit-report/v2":                 "go-junit-report",
		"sigs.k8s.io/kind":                                       "kind",
		"github.com/golangci/golangci-lint/v2/cmd/golangci-lint": "golangci-lint",
	} {
		if got := goBinaryName(pkg); got != want {
			t.Errorf("goBinaryName(%s) = %s, want %s", pkg, got, want)
		}
	}
}
