package llb

import (
	"strings"
	"testing"

	"github.com/maistra/builder-frontend/spec"
)

// The tools manifest goes into the image: a URL's user info, query and
// fragment (where tokens travel) stay out of it (docs/security.md).
func TestManifestURLHasNoCredentials(t *testing.T) {
	s, err := spec.Parse("builder.yaml", []byte(`version: 1
images:
  builder:
    base: example.com/base:1
    tools:
      - name: helm
        version: v3.16.0
        url: https://user:s3cret@example.com/helm-${version}.tar.gz?token=s3cret#s3cret
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
        dest: /usr/local
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Resolve("linux/amd64", spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := Manifest(r)
	if len(m) != 1 || m[0].URL != "https://example.com/helm-v3.16.0.tar.gz" {
		t.Errorf("manifest %+v", m)
	}
	p := plan(t, strings.Replace(toolsSpec, "https://get.helm.sh/", "https://user:s3cret@get.helm.sh/", 1), amd64, nil)
	var manifest string
	for _, op := range p.ops {
		for _, a := range op.GetFile().GetActions() {
			if mk := a.GetMkfile(); mk != nil && strings.HasSuffix(mk.Path, "/helm.json") {
				manifest = string(mk.Data)
			}
		}
	}
	if !strings.Contains(manifest, `"url": "https://get.helm.sh/helm-v3.16.0-linux-amd64.tar.gz"`) || strings.Contains(manifest, "s3cret") {
		t.Errorf("helm.json written into the layer:\n%s", manifest)
	}
}
