package spec

import (
	"reflect"
	"strings"
	"testing"
)

func TestArtifacts(t *testing.T) {
	cases := []struct {
		name     string
		yaml     string
		platform string
		opts     Options
		want     []Artifact
	}{
		{
			name: "no sha256 yet: the digest goes in the platform form",
			yaml: `version: 1
args:
  HELM_VERSION: v3.16.0
images:
  b:
    base: example.com/base:1
    tools:
      - name: helm
        version: ${HELM_VERSION}
        url: https://get.helm.sh/helm-${version}-linux-${arch}.tar.gz
        dest: /usr/local/bin
`,
			platform: "linux/arm64",
			want: []Artifact{{Image: "b", Tool: 0, Path: Path{"images", "b", "tools", "0"}, Name: "helm", Platform: "linux/arm64", Version: "v3.16.0", DefaultVersion: "v3.16.0",
				URL: "https://get.helm.sh/helm-v3.16.0-linux-arm64.tar.gz", Form: "tar.gz", SHA256At: Path{"images", "b", "tools", "0", "sha256", "linux/arm64"}}},
		},
		{
			name: "a --build-arg moves the version: the digest goes under its key, whatever the flat form holds",
			yaml: `version: 1
args:
  HELM_VERSION: v3.16.0
images:
  b:
    base: example.com/base:1
    tools:
      - name: helm
        version: ${HELM_VERSION}
        url: https://get.helm.sh/helm-${version}-linux-${arch}.tar.gz
        sha256:
          linux/amd64: not-a-digest
        dest: /usr/local/bin
`,
			opts: Options{BuildArgs: map[string]string{"HELM_VERSION": "v3.17.0"}},
			want: []Artifact{{Image: "b", Tool: 0, Path: Path{"images", "b", "tools", "0"}, Name: "helm", Platform: "linux/amd64", Version: "v3.17.0", DefaultVersion: "v3.16.0",
				URL: "https://get.helm.sh/helm-v3.17.0-linux-amd64.tar.gz", Form: "tar.gz", SHA256At: Path{"images", "b", "tools", "0", "sha256", "v3.17.0", "linux/amd64"}}},
		},
		{
			name: "the version form: the spec's own version goes under its key too; Go toolchain for the build platform",
			yaml: `version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: kubectl
        version: v1.31.0
        url: https://dl.k8s.io/release/${version}/bin/linux/${arch}/kubectl
        sha256:
          v1.30.0: {linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111}
        dest: /usr/local/bin/
        platforms: [linux/amd64]
      - name: go
        version: 1.23.6
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          "1.23.6": {}
        strip: 1
        dest: /usr/local/go
    goTools:
      - {name: kind, package: sigs.k8s.io/kind, version: v0.24.0}
`,
			platform: "linux/s390x",
			want: []Artifact{
				{Image: "b", Tool: 1, Path: Path{"images", "b", "tools", "1"}, Name: "go", Platform: "linux/s390x", Version: "1.23.6", DefaultVersion: "1.23.6",
					URL: "https://go.dev/dl/go1.23.6.linux-s390x.tar.gz", Form: "tar.gz", Strip: 1, SHA256At: Path{"images", "b", "tools", "1", "sha256", "1.23.6", "linux/s390x"}},
				{Image: "b", Tool: 1, Path: Path{"images", "b", "tools", "1"}, Name: "go", Platform: "linux/amd64", Version: "1.23.6", DefaultVersion: "1.23.6",
					URL: "https://go.dev/dl/go1.23.6.linux-amd64.tar.gz", Form: "tar.gz", Strip: 1, SHA256At: Path{"images", "b", "tools", "1", "sha256", "1.23.6", "linux/amd64"}},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("builder.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			p := tc.platform
			if p == "" {
				p = "linux/amd64"
			}
			arts, err := s.Artifacts(p, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []Artifact
			for _, a := range arts {
				got = append(got, *a)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestArtifactsReportOtherProblems: a checksum is not needed, everything
// else is checked as for a build.
func TestArtifactsReportOtherProblems(t *testing.T) {
	s, err := Parse("builder.yaml", []byte(`version: 1
images:
  b:
    base: example.com/base:1
    tools:
      - name: helm
        version: v3.16.0
        url: https://get.helm.sh/helm-${VERSION}.tar.gz
        dest: /usr/local/bin
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Artifacts("linux/amd64", Options{})
	if want := "builder.yaml:8:9: unknown name ${VERSION}; did you mean ${version}? Otherwise declare VERSION under args"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	if _, err := s.Resolve("linux/amd64", Options{}); err == nil || !strings.Contains(err.Error(), `tool "helm" has no sha256`) {
		t.Errorf("Resolve: %v", err)
	}
}
