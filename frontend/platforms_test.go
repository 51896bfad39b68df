package frontend

import (
	"slices"
	"strings"
	"testing"
)

// The platforms a --check looks at follow the build's rule: --platform,
// else the spec's platforms, else the build platform.
func TestLintPlatforms(t *testing.T) {
	withPlatforms := parse(t, lintSpec)
	without := parse(t, strings.Replace(lintSpec, "platforms: [linux/amd64, linux/arm64]\n", "", 1))
	for _, tc := range []struct {
		name      string
		requested []string
		noSpec    bool
		want      []string
	}{
		{name: "spec's", want: []string{"linux/amd64", "linux/arm64"}},
		{name: "requested", requested: []string{"linux/arm64"}, want: []string{"linux/arm64"}},
		{name: "requested twice", requested: []string{"linux/arm64", "linux/arm64"}, want: []string{"linux/arm64"}},
		{name: "build platform", noSpec: true, want: []string{"linux/amd64"}},
	} {
		s := withPlatforms
		if tc.noSpec {
			s = without
		}
		got, build, err := lintPlatforms(s, uiClient("", nil, tc.requested...))
		if err != nil || !slices.Equal(got, tc.want) || build != "linux/amd64" {
			t.Errorf("%s: lintPlatforms = %v, %s, %v; want %v, linux/amd64", tc.name, got, build, err, tc.want)
		}
	}
}

// A --platform no builder image can have is an error that names it, not
// quietly replaced by the spec's platforms.
func TestUnbuildablePlatformRequested(t *testing.T) {
	s := parse(t, lintSpec)
	res, err := lintResults(s, uiClient("", nil, "windows/amd64"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Error == nil || !strings.Contains(res.Error.Message, `--platform: platform "windows/amd64": builder images are linux images; pass platforms such as linux/amd64,linux/arm64`) {
		t.Errorf("lint error %+v", res.Error)
	}
	if _, err := requestedPlatforms(uiClient("", nil, "linux/amd64", "linux/mips64le", "linux/arm65")); err == nil || !strings.Contains(err.Error(), `"linux/arm65" is not a platform such as linux/amd64`) {
		t.Errorf("requestedPlatforms(linux/arm65) = %v", err)
	}
}
