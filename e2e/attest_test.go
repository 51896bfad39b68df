package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/maistra/builder-frontend/internal/lab"
)

// TestSBOMAndProvenance: buildx --sbom and --provenance work with the
// frontend, and each platform's SBOM is a scan of that platform's finished
// image. No scanner image can be pulled here, so the test builds a small
// one that follows BuildKit's scanner protocol and lists every regular file
// of the scanned root with its sha256.
func TestSBOMAndProvenance(t *testing.T) {
	e := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	scanDir := t.TempDir()
	os.WriteFile(filepath.Join(scanDir, "scan.sh"), []byte(`#!/bin/sh
set -e
cd "$BUILDKIT_SCAN_SOURCE"
{
	printf '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[],"predicate":{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"fixture-scan","files":['
	find . -type f -exec sha256sum {} + | sort -k 2 | awk '{
		name = substr($0, 67); gsub(/\\/, "\\\\", name); gsub(/"/, "\\\"", name)
		printf "%s{\"SPDXID\":\"SPDXRef-File-%d\",\"fileName\":\"%s\",\"checksums\":[{\"algorithm\":\"SHA256\",\"checksumValue\":\"%s\"}]}", (NR > 1 ? "," : ""), NR, name, $1
	}'
	printf ']}}'
} > "$BUILDKIT_SCAN_DESTINATION/fixture.spdx.json"
`), 0o755)
	os.WriteFile(filepath.Join(scanDir, "Dockerfile"), []byte("FROM "+e.base+"\nCOPY scan.sh /scan.sh\nCMD [\"/bin/sh\", \"/scan.sh\"]\n"), 0o644)
	scanner := e.ref("scanner")
	if out, err := e.Buildx(ctx, "build", "--provenance=false", "--platform", "linux/amd64", "-t", scanner, "--push", scanDir); err != nil {
		t.Fatalf("%v\n%s", err, tail(string(out), 20))
	}

	dir, _ := filepath.Abs("../examples/minimal")
	ref := e.ref("attested")
	out, err := e.build(t, dir, "builder.yaml", "--platform", "linux/amd64,linux/arm64",
		"--build-arg", "RELEASES="+e.ArtifactURL(), "--build-context", "base=docker-image://"+e.base,
		"--sbom=generator="+scanner, "--provenance=mode=max", "-t", ref, "--push")
	if err != nil {
		t.Fatalf("%v\n%s", err, tail(out, 40))
	}
	idx, err := e.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	r, _ := lab.ParseRef(ref)
	platformOf := map[string]string{}
	for _, d := range im.Manifests {
		if d.Platform != nil && d.Platform.OS != "unknown" {
			platformOf[d.Digest.String()] = d.Platform.OS + "/" + d.Platform.Architecture
		}
	}
	found := map[string]int{}
	sboms := map[string]map[string]string{} // platform → file → sha256
	for _, d := range im.Manifests {
		if d.Annotations["vnd.docker.reference.type"] != "attestation-manifest" {
			continue
		}
		img, err := remote.Image(r.Context().Digest(d.Digest.String()))
		if err != nil {
			t.Fatal(err)
		}
		m, err := img.Manifest()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range m.Layers {
			pt := l.Annotations["in-toto.io/predicate-type"]
			found[pt]++
			if pt != "https://spdx.dev/Document" {
				continue
			}
			p := platformOf[d.Annotations["vnd.docker.reference.digest"]]
			if sboms[p], err = sbomFiles(img, l.Digest); err != nil {
				t.Fatalf("SBOM of %s: %v", p, err)
			}
		}
	}
	if found["https://spdx.dev/Document"] != 2 {
		t.Errorf("SBOM attestations: %v, want one SPDX document per platform", found)
	}
	var prov int
	for k, n := range found {
		if strings.HasPrefix(k, "https://slsa.dev/provenance/") {
			prov += n
		}
	}
	if prov != 2 {
		t.Errorf("provenance attestations: %v, want one per platform", found)
	}

	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		listed := sboms[p]
		fs, err := e.Filesystem(ref, p)
		if err != nil {
			t.Fatal(err)
		}
		// The SBOM lists the image's regular files, each with the sha256
		// of that platform's file: the tools, the base, the manifests.
		var files []string
		for path, f := range fs.Files {
			if !f.IsRegular() {
				continue
			}
			files = append(files, path)
			sum, ok := listed[path]
			switch {
			case !ok:
				t.Errorf("%s: the SBOM does not list %s", p, path)
			case f.Data != nil && sum != sha256hex(f.Data):
				t.Errorf("%s: the SBOM's sha256 of %s is %s, the image's file has %s", p, path, sum, sha256hex(f.Data))
			}
		}
		if len(listed) != len(files) {
			t.Errorf("%s: the SBOM lists %d files, the image has %d regular files", p, len(listed), len(files))
		}
		for _, tool := range []string{"/usr/local/bin/helm", "/usr/bin/bazel", "/opt/protoc/bin/protoc", "/usr/local/bin/shellcheck", "/usr/share/builder-frontend/tools/helm.json"} {
			if _, ok := listed[tool]; !ok {
				t.Errorf("%s: the SBOM does not list %s", p, tool)
			}
		}
	}
	if a, b := sboms["linux/amd64"]["/usr/local/bin/helm"], sboms["linux/arm64"]["/usr/local/bin/helm"]; a != "" && a == b {
		t.Errorf("both SBOMs give helm the sha256 %q: one platform's root was scanned for both", a)
	}
}

// sbomFiles reads the SPDX document in layer dgst of an attestation
// manifest: each file it lists (as an absolute path) and its sha256.
func sbomFiles(img v1.Image, dgst v1.Hash) (map[string]string, error) {
	l, err := img.LayerByDigest(dgst)
	if err != nil {
		return nil, err
	}
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var stmt struct {
		Predicate struct {
			Files []struct {
				FileName  string
				Checksums []struct{ Algorithm, ChecksumValue string }
			}
		}
	}
	if err := json.NewDecoder(rc).Decode(&stmt); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, f := range stmt.Predicate.Files {
		for _, c := range f.Checksums {
			if c.Algorithm == "SHA256" {
				out[path.Clean("/"+f.FileName)] = c.ChecksumValue
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("it lists no files")
	}
	return out, nil
}
