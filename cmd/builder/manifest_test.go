package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/maistra/builder-frontend/llb"
)

const minimalSpec = "../../examples/minimal/builder.yaml"

// runBuilder2 is runBuilder that returns stderr too.
func runBuilder2(args ...string) (stdout, stderr string, code int) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestManifestSpecTable(t *testing.T) {
	out, stderr, code := runBuilder2("manifest", "--platform", "linux/arm64", "--build-arg", "HELM_VERSION=v3.17.0", minimalSpec)
	if code != 0 {
		t.Fatalf("manifest: exit %d\n%s", code, stderr)
	}
	want := `PLATFORM     TOOL        VERSION  SOURCE                                                         SHA256        DEST
linux/arm64  helm        v3.17.0  http://127.0.0.1:8123/helm-v3.17.0-linux-arm64.tar.gz          fce13d6167fc  /usr/local/bin
linux/arm64  bazel       7.4.1    http://127.0.0.1:8123/bazel-7.4.1-linux-arm64                  0e8717be9c1d  /usr/bin/bazel
linux/arm64  protoc      25.1     http://127.0.0.1:8123/protoc-25.1-linux-aarch_64.zip           c317aaf73176  /opt/protoc
linux/arm64  shellcheck  v0.10.0  http://127.0.0.1:8123/shellcheck-v0.10.0.linux.aarch64.tar.xz  ab35e7b6fcd8  /usr/local/bin
`
	if out != want {
		t.Errorf("manifest printed:\n%s\nwant:\n%s", out, want)
	}

	// A Go tool: its module, the toolchain's version, no sha256.
	f := writeFile(t, planSpec)
	out, _, code = runBuilder2("manifest", "--platform", "linux/amd64", f)
	want = `PLATFORM     TOOL       VERSION  SOURCE                                               SHA256        DEST
linux/amd64  helm       v3.16.0  https://get.helm.sh/helm-v3.16.0-linux-amd64.tar.gz  c5b1bd64bb74  /usr/local/bin
linux/amd64  go         1.23.6   https://go.dev/dl/go1.23.6.linux-amd64.tar.gz        a695787bc8bf  /usr/local/go
linux/amd64  goimports  v0.29.0  golang.org/x/tools/cmd/goimports@v0.29.0             -             /usr/local/bin/goimports
`
	if code != 0 || out != want {
		t.Errorf("manifest with a Go tool: exit %d\n%s\nwant:\n%s", code, out, want)
	}

	if _, stderr, code := runBuilder2("manifest", "--build-arg", "HELM_VERSION=v9", minimalSpec); code != 1 || !strings.Contains(stderr, `tool "helm": version v9`) || !strings.Contains(stderr, "has no sha256") {
		t.Errorf("manifest with an unpinned version: exit %d\n%s", code, stderr)
	}
	if _, _, code := runBuilder2("manifest", "--target", "nope", minimalSpec); code != 1 {
		t.Errorf("manifest --target nope: exit %d", code)
	}
	for _, args := range [][]string{
		{"manifest"},
		{"manifest", "--image", "example.com/x:1", minimalSpec},
		{"manifest", "--image", "example.com/x:1", "--build-arg", "A=b"},
		{"manifest", "--insecure", minimalSpec},
		{"manifest", "--format", "yaml", minimalSpec},
	} {
		if _, _, code := runBuilder2(args...); code != 2 {
			t.Errorf("builder %s: exit %d, want 2", strings.Join(args, " "), code)
		}
	}
}

func TestManifestSpecJSON(t *testing.T) {
	out, stderr, code := runBuilder2("manifest", "--format", "json", "--build-arg", "RELEASES=https://releases.example.com", minimalSpec)
	if code != 0 {
		t.Fatalf("manifest --format json: exit %d\n%s", code, stderr)
	}
	var m map[string][]llb.ManifestEntry
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(m) != 2 || len(m["linux/amd64"]) != 4 || len(m["linux/arm64"]) != 4 {
		t.Fatalf("manifests: %+v", m)
	}
	var names []string
	for _, e := range m["linux/amd64"] {
		names = append(names, e.Name)
	}
	if strings.Join(names, " ") != "helm bazel protoc shellcheck" {
		t.Errorf("order %v, want the spec's", names)
	}
	want := llb.ManifestEntry{Name: "protoc", Version: "25.1", Platform: "linux/arm64", URL: "https://releases.example.com/protoc-25.1-linux-aarch_64.zip",
		SHA256: "sha256:c317aaf73176ab8f94500682aae440166d5c42ee1132831e64a21d47dfa14493", Form: "zip", Dest: "/opt/protoc"}
	if got := m["linux/arm64"][2]; got != want {
		t.Errorf("protoc arm64:\n%+v\nwant\n%+v", got, want)
	}
	// The entries are what the image's files hold: the same JSON fields.
	if !strings.Contains(out, `"url": "https://releases.example.com/helm-v3.16.0-linux-amd64.tar.gz"`) || strings.Contains(out, `"package"`) {
		t.Errorf("json:\n%s", out)
	}
}

// layer is a layer tar of files (name → content); a content of "" with a
// name ending in "/" is a directory.
func layer(t *testing.T, files ...string) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := 0; i < len(files); i += 2 {
		hdr := &tar.Header{Name: files[i], Mode: 0o644, Size: int64(len(files[i+1])), Typeflag: tar.TypeReg}
		if strings.HasSuffix(files[i], "/") {
			hdr.Typeflag, hdr.Mode, hdr.Size = tar.TypeDir, 0o755, 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, files[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func entryJSON(e llb.ManifestEntry) string {
	b, _ := json.MarshalIndent(e, "", "  ")
	return string(b) + "\n"
}

func platformImage(t *testing.T, plat string, layers ...v1.Layer) v1.Image {
	t.Helper()
	p, err := v1.ParsePlatform(plat)
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant})
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.AppendLayers(img, layers...)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestManifestImage pushes a two-platform index (and an attestation
// manifest) to an in-memory registry and reads its manifests back: layers
// in order, whiteouts and opaque directories respected.
func TestManifestImage(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	const dir = "usr/share/builder-frontend/tools/"
	helm := llb.ManifestEntry{Name: "helm", Version: "v3.16.0", Platform: "linux/amd64", URL: "https://get.helm.sh/helm-v3.16.0-linux-amd64.tar.gz",
		SHA256: "sha256:c5b1bd64bb74eda6425c043f4afba503c49ed52e75f25607f76dfd12f0edb773", Form: "tar.gz", Dest: "/usr/local/bin"}
	gi := llb.ManifestEntry{Name: "goimports", Version: "v0.29.0", Platform: "linux/amd64", Dest: "/usr/local/bin/goimports",
		Package: "golang.org/x/tools/cmd/goimports", GoVersion: "1.23.6"}
	old := llb.ManifestEntry{Name: "old", Version: "1", Platform: "linux/amd64", Dest: "/old"}
	amd64 := platformImage(t, "linux/amd64",
		layer(t, "bin/", "", "bin/sh", "#!", "usr/share/", "", dir+"old.json", entryJSON(old), dir+"notes.txt", "x"),
		layer(t, "./"+dir+"goimports.json", entryJSON(gi)), // a later layer, though a name sorting first
		layer(t, "/"+dir+"helm.json", entryJSON(helm), dir+".wh.old.json", ""),
	)
	helmArm := helm
	helmArm.Platform, helmArm.Version = "linux/arm64", "v3.17.0"
	arm64 := platformImage(t, "linux/arm64/v8",
		layer(t, dir+"helm.json", entryJSON(gi), dir+"gone.json", entryJSON(old)),
		layer(t, dir+".wh..wh..opq", "", dir+"helm.json", entryJSON(helmArm)),
	)
	attestation := platformImage(t, "unknown/unknown", layer(t, dir+"evil.json", entryJSON(old)))
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: amd64, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm64, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}},
		mutate.IndexAddendum{Add: attestation, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"}}},
	)
	ref := host + "/t/builder:1"
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}

	out, stderr, code := runBuilder2("manifest", "--image", ref, "--insecure", "--format", "json")
	if code != 0 {
		t.Fatalf("manifest --image: exit %d\n%s", code, stderr)
	}
	var m map[string][]llb.ManifestEntry
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string][]llb.ManifestEntry{"linux/amd64": {gi, helm}, "linux/arm64": {helmArm}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("manifests:\n%s\nwant %+v", out, want)
	}

	out, stderr, code = runBuilder2("manifest", "--image", ref, "--insecure", "--platform", "linux/arm64")
	wantTable := `PLATFORM     TOOL  VERSION  SOURCE                                               SHA256        DEST
linux/arm64  helm  v3.17.0  https://get.helm.sh/helm-v3.16.0-linux-amd64.tar.gz  c5b1bd64bb74  /usr/local/bin
`
	if code != 0 || out != wantTable {
		t.Errorf("manifest --image --platform linux/arm64: exit %d\n%s%s\nwant:\n%s", code, out, stderr, wantTable)
	}
	if _, stderr, code := runBuilder2("manifest", "--image", ref, "--insecure", "--platform", "linux/s390x"); code != 1 || !strings.Contains(stderr, "has no image for linux/s390x (it has linux/amd64, linux/arm64)") {
		t.Errorf("manifest --platform linux/s390x: exit %d\n%s", code, stderr)
	}

	// An image not built by builder-frontend.
	plain := host + "/t/plain:1"
	r, _ = name.ParseReference(plain, name.Insecure)
	if err := remote.Write(r, platformImage(t, "linux/amd64", layer(t, "bin/sh", "#!", dir, ""))); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runBuilder2("manifest", "--image", plain, "--insecure"); code != 1 || !strings.Contains(stderr, "not built by builder-frontend") {
		t.Errorf("manifest of a plain image: exit %d\n%s", code, stderr)
	}
	if _, _, code := runBuilder2("manifest", "--image", host+"/t/nope:1", "--insecure"); code != 2 {
		t.Errorf("manifest of a missing image: exit %d, want 2", code)
	}
}
