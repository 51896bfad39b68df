package main

import (
	"strings"
	"testing"
)

// withEmulated adds to sampleResults a native frontend whose arm64 package step took native seconds, and the
// emulated frontend's builds (its arm64 package step emulated seconds), with the package databases compared.
func withEmulated(native, emulated float64, sameDB bool) *Results {
	res := sampleResults()
	res.Variants = []string{"frontend", "frontend-emulated", "optimised", "seed"}
	const apt = "] apt install ca-certificates curl git make unzip xz-utils"
	var extra []*Build
	for _, b := range res.Builds {
		if b.Variant != "frontend" || b.Kind != "cold" {
			continue
		}
		pr := *b.Profile
		pr.Packages = []Step{{Name: "[packages linux/amd64" + apt, Secs: 40}, {Name: "[packages linux/arm64" + apt + " (natively on linux/amd64)", Secs: native, Start: 12}}
		b.Profile = &pr
		e, epr := *b, *b.Profile
		epr.Packages = []Step{{Name: "[packages linux/amd64" + apt, Secs: 40}, {Name: "[packages linux/arm64" + apt, Secs: emulated, Start: 12}}
		e.Variant, e.Profile, e.Secs = "frontend-emulated", &epr, b.Secs+emulated-native
		extra = append(extra, &e)
	}
	res.Builds = append(res.Builds, extra...)
	res.PackageDBs = []PackageDBCheck{{Platform: "linux/amd64", A: "frontend", B: "frontend-emulated", Same: true}, {Platform: "linux/arm64", A: "frontend", B: "frontend-emulated", Same: sameDB}}
	return res
}

// TestNativePackagesGoals: the goals of issue 10 are judged on the arm64 package step of the two frontend builds
// and on their package databases, and a finding states both steps' times.
func TestNativePackagesGoals(t *testing.T) {
	for _, tc := range []struct {
		name             string
		native, emulated float64
		sameDB           bool
		want             []string
	}{
		{"met", 50, 192.5, true, []string{
			"| the linux/arm64 package step ≥ 3 × faster natively than emulated | met | 3.85 × (50.0 s vs 192.5 s) |",
			"| the package database (/var/lib/dpkg/status) identical natively and emulated | met | linux/amd64: identical, linux/arm64: identical |",
		}},
		{"missed", 100, 192.5, false, []string{
			"| the linux/arm64 package step ≥ 3 × faster natively than emulated | **missed** | 1.93 × (100.0 s vs 192.5 s) |",
			"| the package database (/var/lib/dpkg/status) identical natively and emulated | **missed** | linux/amd64: identical, linux/arm64: **differs** |",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := summarize(withEmulated(tc.native, tc.emulated, tc.sameDB))
			var rows []string
			for _, g := range s.goals() {
				rows = append(rows, "| "+g.What+" | "+g.Mark()+" | "+g.Got+" |")
			}
			all := strings.Join(rows, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("goals lack %q:\n%s", w, all)
				}
			}
			f := strings.Join(s.findings(), "\n")
			if !strings.Contains(f, "Natively, `[packages linux/arm64] apt install ca-certificates curl git make unzip xz-utils (natively on linux/amd64)` takes") {
				t.Errorf("no finding on the native package step:\n%s", f)
			}
		})
	}
	// Without the emulated variant there is nothing to judge.
	for _, g := range summarize(sampleResults()).goals() {
		if strings.Contains(g.What, "natively") {
			t.Errorf("a goal %q without the emulated variant's builds", g.What)
		}
	}
}
