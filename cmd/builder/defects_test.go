package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// plan names, per platform, the tools and Go tools whose platforms: leave
// it out: a reader of the table must not have to infer them.
func TestPlanSaysWhatAPlatformLeavesOut(t *testing.T) {
	f := writeFile(t, strings.Replace(strings.Replace(planSpec,
		"        take: [helm]\n", "        take: [helm]\n        platforms: [linux/amd64]\n", 1),
		"        version: v0.29.0\n", "        version: v0.29.0\n        platforms: [linux/amd64]\n", 1))
	out, stderr, code := runBuilder2("plan", "--platform", "linux/arm64", f)
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, stderr)
	}
	if !strings.HasSuffix(out, "\n  not on linux/arm64: helm, goimports (platforms:)\n") {
		t.Errorf("plan printed:\n%s", out)
	}
	out, _, _ = runBuilder2("plan", "--platform", "linux/amd64", f)
	if strings.Contains(out, "not on") {
		t.Errorf("plan for linux/amd64 printed:\n%s", out)
	}
	out, stderr, code = runBuilder2("plan", "--format", "json", f)
	var plans []struct {
		Platform string
		LeftOut  []string
	}
	if err := json.Unmarshal([]byte(out), &plans); err != nil || code != 0 {
		t.Fatalf("plan --format json: exit %d, %v\n%s%s", code, err, out, stderr)
	}
	if len(plans) != 2 || plans[0].LeftOut != nil || strings.Join(plans[1].LeftOut, ",") != "helm,goimports" {
		t.Errorf("plans %+v", plans)
	}
}

// A file too large to be a spec is refused without being read whole, in
// words that fit the CLI (no buildx -f).
func TestTooLargeFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(f, make([]byte, 5<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{f, "/dev/zero"} {
		_, stderr, code := runBuilder2("validate", file)
		if want := file + ": file is larger than 4 MiB, the most a spec may be; check that it is the builder spec\n"; code != 1 || stderr != want {
			t.Errorf("validate %s: exit %d\n%s\nwant:\n%s", file, code, stderr, want)
		}
	}
}
