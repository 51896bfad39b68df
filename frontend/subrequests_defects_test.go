package frontend

import (
	"strings"
	"testing"
)

// An image with no body parses to a nil image; --call targets runs before
// validation and must list it, not crash the frontend.
func TestTargetsListEmptyImage(t *testing.T) {
	s := parse(t, `version: 1
images:
  builder:
  other:
    base: example.com/base:1
    tools: [~]
`)
	l := specTargets(s)
	if len(l.Targets) != 2 {
		t.Fatalf("targets %+v", l.Targets)
	}
	empty, other := l.Targets[0], l.Targets[1]
	if empty.Name != "builder" || !empty.Default || empty.Base != "" || empty.Description != "empty: a build fails until it has a base" || empty.Location == nil || empty.Location.Ranges[0].Start.Line != 3 {
		t.Errorf("empty image listed as %+v", empty)
	}
	if other.Name != "other" || other.Default || other.Base != "example.com/base:1" || other.Description != "1 tool" {
		t.Errorf("other image listed as %+v", other)
	}
	o := specOutline(s, uiClient("", nil))
	if o.Name != "builder" || o.Description != "" {
		t.Errorf("outline of the empty image: %+v", o)
	}
	res, err := lintResults(s, uiClient("", nil))
	if err != nil {
		t.Fatal(err)
	}
	if res.Error == nil || !strings.Contains(res.Error.Message, `builder.yaml:3:3: image "builder" is empty; give it base: and what it installs (see docs/spec.md), or remove it`) {
		t.Errorf("lint error %+v", res.Error)
	}
}

// A platform requested twice would be built twice and exported as two
// entries of one index.
func TestPlatformRequestedTwice(t *testing.T) {
	s := parse(t, lintSpec)
	_, err := requestedPlatforms(uiClient("", nil, "linux/arm64", "linux/amd64", "linux/arm64/v8"))
	if err == nil || err.Error() != "--platform lists linux/arm64 twice; list each platform once" {
		t.Errorf("requestedPlatforms = %v", err)
	}
	res, err := lintResults(s, uiClient("", nil, "linux/amd64", "linux/amd64"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Error == nil || res.Error.Message != "--platform lists linux/amd64 twice; list each platform once" {
		t.Errorf("lint error %+v", res.Error)
	}
}
