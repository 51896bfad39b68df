package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	digest "github.com/opencontainers/go-digest"
)

// TestRegistryCacheImport: --cache-to exports the tool layers to the
// registry; after the daemon's cache is pruned, --cache-from brings them
// back for every platform: nothing is downloaded again and every unpack
// and install step is reported cached (the frontend forwards the cache
// imports on its solve).
func TestRegistryCacheImport(t *testing.T) {
	e := setup(t)
	serveReleases(t, e, "7.10.0", "v3.20.0")
	dir := writeSpec(t, twoToolSpec("7.10.0", "v3.20.0"), nil)
	cache := e.Registry() + "/e2e/cache:twotools"
	common := []string{"--platform", "linux/amd64,linux/arm64", "--build-arg", "RELEASES=" + e.ArtifactURL(), "--build-arg", "HELM_MIRROR=" + e.ArtifactURL(),
		"--build-context", "base=docker-image://" + e.base}
	files := map[string]string{ // platform → the file of each tool
		"linux/amd64 bazel": "/bazel-7.10.0-linux-x86_64", "linux/amd64 helm": "/helm-v3.20.0-linux-amd64.tar.gz",
		"linux/arm64 bazel": "/bazel-7.10.0-linux-arm64", "linux/arm64 helm": "/helm-v3.20.0-linux-arm64.tar.gz",
	}
	hits := func() map[string]int {
		h := map[string]int{}
		for k, f := range files {
			h[k] = e.ArtifactHits(f)
		}
		return h
	}
	e.mustBuild(t, dir, "builder.yaml", append(common, "--cache-to", "type=registry,ref="+cache+",mode=max")...)
	first := hits()
	for k, n := range first {
		if n != 1 {
			t.Fatalf("the first build fetched %s %d times, want once: %v", k, n, first)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := e.Buildctl(ctx, "prune", "--all"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	ref := e.ref("fromcache")
	out := e.mustBuild(t, dir, "builder.yaml", append(common, "--cache-from", "type=registry,ref="+cache, "-t", ref, "--push", "--progress=rawjson")...)
	for k, n := range hits() {
		if n != first[k] {
			t.Errorf("the build from the registry cache fetched %s again", k)
		}
	}
	vertices, err := rawjsonVertices(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		// A pinned download is not reported cached (the daemon keys it by
		// its checksum without running it): the artifact hits above say
		// it was not fetched. The steps on its file must come from the
		// cache.
		for _, step := range []string{"[bazel " + p + "] download " + e.ArtifactURL() + files[p+" bazel"], "[helm " + p + "] download " + e.ArtifactURL() + files[p+" helm"]} {
			if _, ok := vertices[step]; !ok {
				t.Errorf("no step %q in the progress", step)
			}
		}
		for _, step := range []string{"[bazel " + p + "] install into /usr/bin/bazel", "[helm " + p + "] unpack helm.tar.gz natively", "[helm " + p + "] install into /usr/local/bin"} {
			switch v, ok := vertices[step]; {
			case !ok:
				t.Errorf("no step %q in the progress", step)
			case !v.cached || v.ran:
				t.Errorf("step %q was not cached (cached %v, ran %v)", step, v.cached, v.ran)
			}
		}
	}
	if t.Failed() {
		t.Logf("the steps: %v", vertices)
	}
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		fs, err := e.Filesystem(ref, p)
		if err != nil {
			t.Fatal(err)
		}
		wantELF(t, fs, p, "/usr/local/bin/helm", 0o755)
		wantELF(t, fs, p, "/usr/bin/bazel", 0o755)
	}
}

// vertexState is what a build's progress said of one step.
type vertexState struct {
	cached bool // reported cached
	ran    bool // reported completed without being cached
}

// rawjsonVertices reads buildx --progress=rawjson output (one SolveStatus
// a line, among buildx's other lines) into the state of each step by name.
func rawjsonVertices(out string) (map[string]vertexState, error) {
	byDigest := map[digest.Digest]*vertexState{}
	names := map[digest.Digest]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		// The fields of BuildKit's client.SolveStatus this test reads.
		var st struct {
			Vertexes []struct {
				Digest    digest.Digest
				Name      string
				Completed *time.Time
				Cached    bool
				Error     string
			}
		}
		if err := json.Unmarshal(line, &st); err != nil {
			return nil, fmt.Errorf("rawjson line: %w\n%s", err, line)
		}
		for _, v := range st.Vertexes {
			s := byDigest[v.Digest]
			if s == nil {
				s = &vertexState{}
				byDigest[v.Digest] = s
			}
			names[v.Digest] = v.Name
			s.cached = s.cached || v.Cached
			s.ran = s.ran || (v.Completed != nil && !v.Cached && v.Error == "")
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(byDigest) == 0 {
		return nil, fmt.Errorf("no rawjson progress in the output:\n%s", tail(out, 20))
	}
	states := map[string]vertexState{}
	for d, s := range byDigest {
		prev, seen := states[names[d]]
		states[names[d]] = vertexState{cached: s.cached && (!seen || prev.cached), ran: s.ran || prev.ran}
	}
	return states, nil
}
