package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRegistryCacheAcrossDaemons: one CI runner builds two platforms and exports its cache to the registry
// (--cache-to type=registry,mode=max); a fresh runner, another buildkitd with its own state, builds the same spec
// with --cache-from. Every download, unpack, install and Go compile of the second build is a cache hit, the second
// runner downloads nothing from the artifact server, and it pushes the layers the first one pushed.
func TestRegistryCacheAcrossDaemons(t *testing.T) {
	e := setup(t)
	fx := goSetup(t, e)
	spec := fmt.Sprintf(`# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  RELEASES: http://127.0.0.1:1
  GOPROXY: https://proxy.golang.org
arches:
  bazel: {linux/amd64: x86_64, linux/arm64: arm64}
  protoc: {linux/amd64: x86_64, linux/arm64: aarch_64}
images:
  builder:
    base: example.com/unused:1
    tools:
      - name: go
        version: "%s"
        url: ${RELEASES}/go${version}.linux-${arch}.tar.gz
        sha256: {linux/amd64: %s, linux/arm64: %s}
        strip: 1
        dest: /usr/local/go
        path: [/usr/local/go/bin]
      - name: bazel
        version: 7.4.1
        url: ${RELEASES}/bazel-${version}-linux-${arch}
        arch: bazel
        sha256: {linux/amd64: %s, linux/arm64: %s}
        dest: /usr/bin/bazel
      - name: helm
        version: v3.16.0
        url: ${RELEASES}/helm-${version}-linux-${arch}.tar.gz
        sha256: {linux/amd64: %s, linux/arm64: %s}
        strip: 1
        take: [helm]
        dest: /usr/local/bin
      - name: protoc
        version: "25.1"
        url: ${RELEASES}/protoc-${version}-linux-${arch}.zip
        arch: protoc
        sha256: {linux/amd64: %s, linux/arm64: %s}
        take: [bin/protoc]
        dest: /opt/protoc
    go:
      env:
        GOPROXY: ${GOPROXY}
        GOSUMDB: "off"
    goTools:
      - name: go-junit-report
        package: github.com/jstemmer/go-junit-report/v2
        version: v2.1.0
`, goVersion, fx.toolchainSums["amd64"], fx.toolchainSums["arm64"],
		sumOf(t, "bazel-7.4.1-linux-x86_64"), sumOf(t, "bazel-7.4.1-linux-arm64"),
		sumOf(t, "helm-v3.16.0-linux-amd64.tar.gz"), sumOf(t, "helm-v3.16.0-linux-arm64.tar.gz"),
		sumOf(t, "protoc-25.1-linux-x86_64.zip"), sumOf(t, "protoc-25.1-linux-aarch_64.zip"))
	dir := writeSpec(t, spec, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	runnerB, err := e.StartDaemon(ctx, "runner-b")
	if err != nil {
		t.Fatal(err)
	}
	defer runnerB.Close()
	newBuilder(t, e, "runner-b", []string{"--driver", "remote", runnerB.Host()})

	cache := e.Registry() + "/e2e/cache:" + t.Name()
	common := []string{"--platform", "linux/amd64,linux/arm64",
		"--build-arg", "RELEASES=" + e.ArtifactURL(), "--build-arg", "GOPROXY=" + e.ArtifactURL() + "/goproxy",
		"--build-context", "base=docker-image://" + e.base, "--push"}
	refA, refB := e.ref("runner-a"), e.ref("runner-b")
	// Runner A is the lab's daemon.
	e.mustBuild(t, dir, "builder.yaml", append(common, "-t", refA, "--cache-to", "type=registry,ref="+cache+",mode=max,image-manifest=true,oci-mediatypes=true")...)

	mark := len(e.ArtifactRequests(0))
	out := e.mustBuild(t, dir, "builder.yaml", append(common, "-t", refB, "--builder", "runner-b", "--progress=rawjson",
		"--cache-from", "type=registry,ref="+cache)...)
	if reqs := e.ArtifactRequests(mark); len(reqs) > 0 {
		var lines []string
		for _, r := range reqs[:min(len(reqs), 10)] {
			lines = append(lines, fmt.Sprintf("%s %s (%d)", r.Method, r.Path, r.Status))
		}
		t.Errorf("runner B sent %d requests to the artifact server, want none; the first:\n%s", len(reqs), strings.Join(lines, "\n"))
	}

	// The downloads are checked on the artifact server above: the daemon shows a download step as run when it
	// resolves the step's cache key, which for a download with a sha256 fetches nothing.
	steps := progressSteps(t, out)
	var want []string
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		want = append(want,
			"[go "+p+"] unpack go.tar.gz", "[go "+p+"] install into /usr/local/go",
			"[bazel "+p+"] install into /usr/bin/bazel",
			"[helm "+p+"] unpack helm.tar.gz", "[helm "+p+"] install into /usr/local/bin",
			"[protoc "+p+"] unpack protoc.zip natively", "[protoc "+p+"] install into /opt/protoc",
			"[go-junit-report "+p+"] go install github.com/jstemmer/go-junit-report/v2@v2.1.0", "[go-junit-report "+p+"] install /usr/local/bin")
	}
	for _, w := range want {
		found := false
		for name, ran := range steps {
			if strings.HasPrefix(name, w) {
				found = true
				if ran {
					t.Errorf("runner B ran %q instead of taking it from the registry cache", name)
				}
			}
		}
		if !found {
			t.Errorf("no step %q in runner B's progress; its steps: %q", w, slices.Sorted(maps.Keys(steps)))
		}
	}

	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		a, err := layerDigests(refA, p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := layerDigests(refB, p)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a, b) {
			t.Errorf("%s: runner B pushed other layers than runner A:\nA %v\nB %v", p, a, b)
		}
	}
}

// newBuilder runs `buildx create --name name` with each createArgs in turn (the first creates the builder, the
// others add nodes with --append) and removes the builder (`buildx rm`) when the test ends.
func newBuilder(t *testing.T, e env, name string, createArgs ...[]string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if out, err := e.Buildx(ctx, "rm", name); err != nil {
			t.Errorf("%v\n%s", err, out)
		}
	})
	for _, args := range createArgs {
		if out, err := e.Buildx(ctx, append([]string{"create", "--name", name}, args...)...); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
}

// progressSteps reads the steps of a `buildx build --progress=rawjson` output: step name -> whether the step ran
// (was started and not answered from the cache). A step's statuses come in turn and the last one tells: the
// daemon sends a step first as not cached, and marks it cached once it is answered from the cache or once a
// step that needs it starts without it having run.
func progressSteps(t *testing.T, out string) map[string]bool {
	t.Helper()
	type vertex struct {
		Digest  string     `json:"digest"`
		Name    string     `json:"name"`
		Cached  bool       `json:"cached"`
		Started *time.Time `json:"started"`
	}
	last := map[string]vertex{}
	started := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var st struct{ Vertexes []vertex }
		if err := json.Unmarshal(line, &st); err != nil {
			t.Fatalf("progress line %.200s: %v", line, err)
		}
		for _, v := range st.Vertexes {
			last[v.Digest] = v
			started[v.Digest] = started[v.Digest] || v.Started != nil
		}
	}
	ran := map[string]bool{}
	for d, v := range last {
		ran[v.Name] = ran[v.Name] || started[d] && !v.Cached
	}
	return ran
}
