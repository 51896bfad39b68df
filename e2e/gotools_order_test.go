package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestGoCompilesInOrderKeepTheirCache: the native compiles of a platform run one after the other (so that none
// builds again what the previous one put in the build cache), and a change to the first one's compile does not
// run the second one's again: its compile is cached and its layer is the same.
func TestGoCompilesInOrderKeepTheirCache(t *testing.T) {
	e := setup(t)
	fx := goSetup(t, e)
	dir := writeSpec(t, fmt.Sprintf(`# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  RELEASES: http://127.0.0.1:1
  GOPROXY: https://proxy.golang.org
  STAMP: one
images:
  builder:
    base: example.com/unused:1
    tools:
      - name: go
        version: "%s"
        url: ${RELEASES}/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: %s
          linux/arm64: %s
        strip: 1
        dest: /usr/local/go
    go:
      env:
        GOPROXY: ${GOPROXY}
        GOSUMDB: "off"
    goTools:
      - name: go-junit-report
        package: github.com/jstemmer/go-junit-report/v2
        version: v2.1.0
        ldflags: "-X main.stamp=${STAMP}"
      - name: protoc-gen-go
        package: google.golang.org/protobuf/cmd/protoc-gen-go
        version: v1.36.6
`, goVersion, fx.toolchainSums["amd64"], fx.toolchainSums["arm64"]), nil)
	common := []string{"--platform", "linux/amd64,linux/arm64", "--build-arg", "RELEASES=" + e.ArtifactURL(), "--build-arg", "GOPROXY=" + e.ArtifactURL() + "/goproxy",
		"--build-context", "base=docker-image://" + e.base, "--push"}
	one, two := e.ref("goorder"), e.ref("goorder")
	e.mustBuild(t, dir, "builder.yaml", append(common, "-t", one)...)
	out := e.mustBuild(t, dir, "builder.yaml", append(common, "-t", two, "--build-arg", "STAMP=two")...)
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		if cached(out, "[go-junit-report "+p+"] go install") {
			t.Errorf("%s: go-junit-report's compile was cached after its ldflags changed", p)
		}
		if !cached(out, "[protoc-gen-go "+p+"] go install") {
			t.Errorf("%s: protoc-gen-go's compile ran again after go-junit-report's changed:\n%s", p, tail(out, 40))
		}
		a, err := layerDigests(one, p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := layerDigests(two, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != len(b) {
			t.Fatalf("%s: %d layers, then %d", p, len(a), len(b))
		}
		changed := 0
		for i := range a {
			if a[i] != b[i] {
				changed++
			}
		}
		if changed != 1 {
			t.Errorf("%s: %d layers changed, want 1 (go-junit-report's)", p, changed)
		}
	}
}

// cached reports whether buildx's plain progress output says the step whose name starts with prefix was cached.
func cached(out, prefix string) bool {
	m := regexp.MustCompile(`(?m)^#(\d+) ` + regexp.QuoteMeta("["+strings.TrimPrefix(prefix, "[")) + `.*$`).FindStringSubmatch(out)
	if m == nil {
		return false
	}
	return regexp.MustCompile(`(?m)^#` + m[1] + ` CACHED$`).MatchString(out)
}
