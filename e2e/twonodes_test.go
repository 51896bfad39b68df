package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maistra/builder-frontend/internal/lab"
)

// TestTwoNodeBuilder: a buildx builder of two remote nodes, one declared for linux/amd64 and one for linux/arm64
// (two buildkitd on this machine). One `buildx build --platform linux/amd64,linux/arm64 --push` builds each
// platform on its own node, with the four-platform frontend image, and pushes one index of both. Each daemon's
// build history says which platform it built, and its image is the one in the index.
func TestTwoNodeBuilder(t *testing.T) {
	e := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	frontend, err := e.FrontendIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantFrontendIndex(t, e, frontend)
	armNode, err := e.StartDaemon(ctx, "arm64-node")
	if err != nil {
		t.Fatal(err)
	}
	defer armNode.Close()
	const builder = "two-nodes"
	newBuilder(t, e, builder,
		[]string{"--driver", "remote", "--node", "amd64-node", "--platform", "linux/amd64", e.BuildkitHost()},
		[]string{"--append", "--node", "arm64-node", "--platform", "linux/arm64", armNode.Host()})

	dir, _ := filepath.Abs("../examples/minimal")
	ref := e.ref("two-nodes")
	meta := filepath.Join(t.TempDir(), "metadata.json")
	if out, err := e.Buildx(ctx, "build", "--builder", builder, "--progress=plain", "--provenance=false",
		"--platform", "linux/amd64,linux/arm64", "-f", filepath.Join(dir, "builder.yaml"),
		"--build-arg", "BUILDKIT_SYNTAX="+frontend, "--build-arg", "RELEASES="+e.ArtifactURL(),
		"--build-context", "base=docker-image://"+e.base,
		"--metadata-file", meta, "-t", ref, "--push", dir); err != nil {
		t.Fatalf("%v\n%s", err, tail(string(out), 40))
	}

	idx, err := e.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	byPlatform := map[string]string{}
	for _, m := range im.Manifests {
		if m.Platform != nil {
			byPlatform[m.Platform.String()] = m.Digest.String()
		}
	}
	if len(im.Manifests) != 2 || byPlatform["linux/amd64"] == "" || byPlatform["linux/arm64"] == "" {
		t.Fatalf("%s is not one index of linux/amd64 and linux/arm64: %+v", ref, im.Manifests)
	}
	var md map[string]any
	if data, err := os.ReadFile(meta); err != nil || json.Unmarshal(data, &md) != nil {
		t.Fatalf("metadata file: %v\n%s", err, data)
	}
	if d, _ := md["containerimage.digest"].(string); d != mustDigest(t, e, ref) {
		t.Errorf("metadata says buildx pushed %v, the registry has %s", md["containerimage.digest"], mustDigest(t, e, ref))
	}

	for _, n := range []struct {
		name, platform string
		buildctl       func(context.Context, ...string) ([]byte, error)
	}{{"amd64-node", "linux/amd64", e.Buildctl}, {"arm64-node", "linux/arm64", armNode.Buildctl}} {
		built, history := builtPlatforms(t, ctx, n.buildctl, ref)
		if len(built) != 1 || built[0].platform != n.platform {
			t.Errorf("%s built %+v, want only %s; its history:\n%s", n.name, built, n.platform, history)
			continue
		}
		if got := nodeManifest(t, e, ref, built[0]); got != byPlatform[n.platform] {
			t.Errorf("%s pushed %s for %s, the index has %s", n.name, got, n.platform, byPlatform[n.platform])
		}
	}
	fs, err := e.Filesystem(ref, "linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	wantELF(t, fs, "linux/arm64", "/usr/local/bin/helm", 0o755)
}

// nodeBuild is what a daemon's build record says it pushed: an image or an index of one.
type nodeBuild struct{ platform, mediaType, digest string }

// nodeManifest is the digest of the image manifest a node pushed for b.platform into ref's repository.
func nodeManifest(t *testing.T, e env, ref string, b nodeBuild) string {
	t.Helper()
	if !strings.Contains(b.mediaType, "index") {
		return b.digest
	}
	r, err := lab.ParseRef(ref)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := e.Index(r.Context().Name() + "@" + b.digest)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range im.Manifests {
		if m.Platform != nil && m.Platform.String() == b.platform {
			return m.Digest.String()
		}
	}
	t.Fatalf("the index %s a node pushed has no %s manifest: %+v", b.digest, b.platform, im.Manifests)
	return ""
}

// builtPlatforms reads a daemon's build history (`buildctl debug histories`): the platform and the pushed image
// digest of each build whose image exporter pushed to ref's repository.
func builtPlatforms(t *testing.T, ctx context.Context, buildctl func(context.Context, ...string) ([]byte, error), ref string) ([]nodeBuild, string) {
	t.Helper()
	r, err := lab.ParseRef(ref)
	if err != nil {
		t.Fatal(err)
	}
	out, err := buildctl(ctx, "debug", "histories", "--format", "{{json .Record}}")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var builds []nodeBuild
	var history []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var rec struct {
			FrontendAttrs map[string]string
			Exporters     []struct {
				Type  string
				Attrs map[string]string
			}
			Result struct {
				Results map[string]struct {
					MediaType string `json:"media_type"`
					Digest    string `json:"digest"`
				}
			}
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("build history record %.300s: %v", line, err)
		}
		history = append(history, fmt.Sprintf("platform %q exporters %v results %v", rec.FrontendAttrs["platform"], rec.Exporters, rec.Result.Results))
		for _, x := range rec.Exporters {
			if n, err := lab.ParseRef(x.Attrs["name"]); err == nil && x.Type == "image" && n.Context().Name() == r.Context().Name() {
				res := rec.Result.Results["0"]
				builds = append(builds, nodeBuild{rec.FrontendAttrs["platform"], res.MediaType, res.Digest})
			}
		}
	}
	return builds, strings.Join(history, "\n")
}

func mustDigest(t *testing.T, e env, ref string) string {
	t.Helper()
	d, err := e.Digest(ref)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// wantFrontendIndex asserts that ref is the frontend image as one index of lab.FrontendPlatforms, each holding a
// /builder-frontend executable for its platform.
func wantFrontendIndex(t *testing.T, e env, ref string) {
	t.Helper()
	ps, err := e.Platforms(ref)
	if err != nil {
		t.Fatal(err)
	}
	if want := slices.Sorted(slices.Values(lab.FrontendPlatforms)); !slices.Equal(ps, want) {
		t.Fatalf("%s has platforms %v, want %v", ref, ps, want)
	}
	idx, err := e.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	if im, err := idx.IndexManifest(); err != nil || len(im.Manifests) != len(lab.FrontendPlatforms) {
		t.Fatalf("%s: index of %d manifests (%v), want %d", ref, len(im.Manifests), err, len(lab.FrontendPlatforms))
	}
	for _, p := range lab.FrontendPlatforms {
		img, err := lab.Image(ref, p)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := lab.ReadFilesystem(img, 0)
		if err != nil {
			t.Fatal(err)
		}
		bin := fs.Files["/builder-frontend"]
		if bin == nil || !bin.IsRegular() || bin.Mode.Perm() != 0o755 {
			t.Errorf("%s: /builder-frontend = %+v, want a 0755 file", p, bin)
			continue
		}
		arch := strings.TrimPrefix(p, "linux/")
		want, _ := lab.MachineFor(arch)
		if m, err := lab.ELFMachine(bin.Head); err != nil || m != want {
			t.Errorf("%s: /builder-frontend is for %v (%v), want %v", p, m, err, want)
		}
		if c := fs.Config; c.Architecture != arch || !slices.Equal(c.Config.Entrypoint, []string{"/builder-frontend"}) {
			t.Errorf("%s: config architecture %q, entrypoint %q", p, c.Architecture, c.Config.Entrypoint)
		}
	}
}
