package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/maistra/builder-frontend/internal/lab"
)

// TestSBOMAndProvenance: buildx --sbom and --provenance work with the
// frontend. No scanner image can be pulled here, so the test builds a small
// one that follows BuildKit's scanner protocol.
func TestSBOMAndProvenance(t *testing.T) {
	e := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	scanDir := t.TempDir()
	os.WriteFile(filepath.Join(scanDir, "scan.sh"), []byte(`#!/bin/sh
set -e
n=$(find "$BUILDKIT_SCAN_SOURCE" -type f | wc -l)
printf '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[],"predicate":{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"fixture-scan","comment":"%s files"}}' "$n" > "$BUILDKIT_SCAN_DESTINATION/fixture.spdx.json"
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
	found := map[string]int{}
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
			found[l.Annotations["in-toto.io/predicate-type"]]++
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
}
