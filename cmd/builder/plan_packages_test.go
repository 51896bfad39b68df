package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPlanPackages: builder plan says where each platform's package step
// runs, as a build on the build platform takes it: natively for a foreign
// platform (maintainer scripts there), on the build platform itself, and
// emulated with BUILDER_PACKAGES=emulated or a manager with no native
// route.
func TestPlanPackages(t *testing.T) {
	spec := func(manager string) string {
		return `version: 1
platforms: [linux/amd64, linux/arm64]
images:
  builder:
    base: example.com/debian:12
    packages:
      manager: ` + manager + `
      install: [git, make]
`
	}
	for _, tc := range []struct {
		name, manager string
		args          []string
		want          string
	}{
		{"native", "apt", nil, `: image builder for linux/amd64, base example.com/debian:12
  packages: apt install git make, on linux/amd64

FILE: image builder for linux/arm64, base example.com/debian:12
  packages: apt install git make, natively on linux/amd64, maintainer scripts on linux/arm64 (emulated instead where the base has no linux/amd64 variant)
`},
		{"forced emulated", "dnf", []string{"--build-arg", "BUILDER_PACKAGES=emulated", "--platform", "linux/arm64"}, `: image builder for linux/arm64, base example.com/debian:12
  packages: dnf install git make, on linux/arm64, emulated
`},
		{"no native route", "apk", []string{"--platform", "linux/arm64"}, `: image builder for linux/arm64, base example.com/debian:12
  packages: apk install git make, on linux/arm64, emulated
`},
		{"built on arm64", "apt", []string{"--build-platform", "linux/arm64", "--platform", "linux/arm64"}, `: image builder for linux/arm64, base example.com/debian:12
  packages: apt install git make, on linux/arm64
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := writeFile(t, spec(tc.manager))
			out, code := runBuilder(t, append(append([]string{"plan"}, tc.args...), f)...)
			want := f + strings.ReplaceAll(tc.want, "FILE", f)
			if code != 0 || out != want {
				t.Errorf("plan %v: exit %d\n%s\nwant:\n%s", tc.args, code, out, want)
			}
		})
	}

	f := writeFile(t, spec("apt"))
	out, code := runBuilder(t, "plan", "--format", "json", "--platform", "linux/arm64", f)
	var plans []plan
	if err := json.Unmarshal([]byte(out), &plans); code != 0 || err != nil {
		t.Fatalf("plan --format json: exit %d, %v\n%s", code, err, out)
	}
	pk := plans[0].Packages
	if pk == nil || pk.Manager != "apt" || len(pk.Install) != 2 || !pk.Native || pk.Emulated || pk.RunsOn != "linux/amd64" {
		t.Errorf("packages in JSON: %+v", pk)
	}
}
