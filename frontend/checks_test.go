package frontend

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/subrequests/outline"
)

// TestOutlineListsChecks: --call outline lists BUILDER_CHECKS with each
// check, located at the check lines, and an arg a check reads is used.
func TestOutlineListsChecks(t *testing.T) {
	y := strings.Replace(lintSpec, "        dest: /usr/local/bin", "        dest: /usr/local/bin\n        check: helm version --short | grep -qF \"$HELM_VERSION\"", 1)
	if y == lintSpec {
		t.Fatal("the test spec changed: no dest line to hang check on")
	}
	for _, c := range []struct {
		args  map[string]string
		value string
	}{{nil, "run"}, {map[string]string{argChecks: "skip"}, "skip"}} {
		o := specOutline(parse(t, y), uiClient("", c.args))
		byName := map[string]outline.Arg{}
		for _, a := range o.Args {
			byName[a.Name] = a
		}
		checks := byName[argChecks]
		want := `smoke checks, run in the finished image on every platform (skip: skips them): helm: helm version --short | grep -qF "$HELM_VERSION"`
		if checks.Value != c.value || checks.Description != want || checks.Location == nil || checks.Location.Ranges[0].Start.Line != 20 {
			t.Errorf("BUILDER_CHECKS: %+v, want value %s, %s, at line 20", checks, c.value, want)
		}
		if d := byName["HELM_VERSION"].Description; !strings.Contains(d, `tool "helm" check`) {
			t.Errorf("HELM_VERSION: %s; want the check among its uses", d)
		}
	}
	if _, ok := checksArg(parse(t, lintSpec), "builder", uiClient("", nil)); ok {
		t.Error("an image without checks lists BUILDER_CHECKS")
	}
}

func TestChecksEnabled(t *testing.T) {
	for v, want := range map[string]bool{"": true, "run": true, "skip": false} {
		got, err := checksEnabled(uiClient("", map[string]string{argChecks: v}))
		if err != nil || got != want {
			t.Errorf("%q: %v, %v", v, got, err)
		}
	}
	_, err := checksEnabled(uiClient("", map[string]string{argChecks: "later"}))
	if want := "--build-arg BUILDER_CHECKS=later: use skip to build without the tools' checks, or leave it out to run them"; err == nil || err.Error() != want {
		t.Errorf("later: %v", err)
	}
}
