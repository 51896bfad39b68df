package frontend

import (
	"testing"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
)

// Each platform's annotations go on its own manifest; the index of a
// multi-platform image gets those of the first platform.
func TestAnnotationsPerPlatform(t *testing.T) {
	built := []platformResult{
		{id: "linux/arm64", annotations: map[string]string{"org.opencontainers.image.title": "builder arm64"}},
		{id: "linux/amd64", annotations: map[string]string{"org.opencontainers.image.title": "builder amd64"}},
	}
	amd64, arm64 := platforms.MustParse("linux/amd64"), platforms.MustParse("linux/arm64")
	key := "org.opencontainers.image.title"
	for _, index := range []bool{true, false} {
		rb := &dockerui.ResultBuilder{Result: client.NewResult()}
		addAnnotations(rb, built, index)
		want := map[string]string{
			exptypes.AnnotationManifestKey(&amd64, key): "builder amd64",
			exptypes.AnnotationManifestKey(&arm64, key): "builder arm64",
		}
		if index {
			want[exptypes.AnnotationIndexKey(key)] = "builder amd64"
		}
		if len(rb.Metadata) != len(want) {
			t.Errorf("index=%v: metadata %v, want %v", index, rb.Metadata, want)
		}
		for k, v := range want {
			if got := string(rb.Metadata[k]); got != v {
				t.Errorf("index=%v: %s = %q, want %q", index, k, got, v)
			}
		}
	}
	if built[0].id != "linux/arm64" {
		t.Error("addAnnotations reordered its argument")
	}
}
