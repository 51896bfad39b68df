package main

import (
	_ "embed"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

// reportTemplate is docs/performance.md with the numbers left out; report is what it is filled with.
//
//go:embed report.md.tmpl
var reportTemplate string

var reportFuncs = template.FuncMap{
	"title":   title,
	"secs":    secs,
	"md":      mdName,
	"join":    strings.Join,
	"limit":   limit,
	"percent": func(share float64) float64 { return share * 100 },
	"bytes":   bytesText,
	// code is a list of code spans: `a`, `b`.
	"code": func(xs []string) string { return "`" + strings.Join(xs, "`, `") + "`" },
}

var reportPage = template.Must(template.New("report").Funcs(reportFuncs).Option("missingkey=error").Parse(reportTemplate))

// report is everything docs/performance.md says, computed from one run's Results.
type report struct {
	*Results
	Dirty       int     // uncommitted changes in the work tree
	Minutes     float64 // the whole run
	Variants    []variantSummary
	VsOptimised ratios // the frontend's times over the hand-optimised Dockerfile's
	VsSeed      ratios // over the seed-style Dockerfile's
	Goals       []goal
	Findings    []string
	EqualWork   string // yes, no, not measured
	EqualLines  []string
	QuietWait   string // "3 minutes"; "" when the run did not record it
	QuietBusy   float64
	Workload    workloadFacts
	Fixtures    []fixtureSize
	LayerRows   []layerRow
	FileLists   []fileListSection
	Cold        []coldProfile
	Bump        []bumpProfile
	GoBench     goBenchSection
	Setup       []setupStep
	Scale       scaleSection
	ELFCheck    elfCheckSection
}

type variantSummary struct {
	Title      string
	Cold, Bump float64 // median seconds
	Layers     string  // did the bump leave the unchanged layers alone
}

type ratios struct{ Cold, Bump string }

// workloadFacts are the workload's constants the method section names.
type workloadFacts struct {
	AptPackages, GoTools            []string
	Go, LLVM, Bazelisk, Buf, Protoc string
	BazelCold, BazelBump            string
}

type fixtureSize struct{ Name, Size string }

type layerRow struct {
	Round                   int
	Variant, Platform, What string
	Layers, Changed         int
}

type fileListSection struct {
	FileListCheck
	Lists []namedPaths // the non-empty differences
}

type namedPaths struct {
	What  string
	Items []string
}

// coldProfile is the median cold build of a variant, with the steps the report shows.
type coldProfile struct {
	*Build
	MinStep     float64 // critical steps shorter than this are summed into Hidden, HiddenSecs
	Critical    []Step
	Hidden      int
	HiddenSecs  float64
	Longest     []Step
	ExportKinds string
	ExportSecs  float64 // after the last step
	CPUsUsed    float64 // CPU seconds over wall seconds
	CPUs        int
}

type bumpProfile struct {
	*Build
	Longest []Step
}

type goBenchSection struct {
	Command    string
	When       string // when it ran; "" when not recorded
	BusyPct    float64
	Rows       []goBenchRow
	Goal       string // the benchmark the goal is judged on
	Concurrent bool   // a Concurrent variant was measured too
	Err        string
}

type goBenchRow struct {
	Name   string
	Median float64 // ms
	Runs   string  // ms per run
}

type setupStep struct {
	Name string
	Secs float64
}

const (
	criticalMinSecs = 0.5 // critical steps shorter than this are summed in one row
	longestShown    = 8   // rows of the longest-steps tables
	listShown       = 12  // paths shown of a file-list difference
)

// writeReport writes docs/performance.md.
func writeReport(res *Results, out string) error {
	var b strings.Builder
	if err := reportPage.Execute(&b, newReport(res)); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, []byte(b.String()), 0o644)
}

func newReport(res *Results) *report {
	s := summarize(res)
	r := &report{
		Results: res, Dirty: len(res.Dirty), Minutes: res.Duration / 60,
		Goals: s.goals(), Findings: s.findings(), QuietBusy: quietBusy * 100,
		Workload: workloadFacts{AptPackages: aptPackages, GoTools: goToolModules, Go: goVersion, LLVM: llvmVersion, Bazelisk: bazeliskVersion,
			Buf: bufVersion, Protoc: protocVersion, BazelCold: bazelCold, BazelBump: bazelBump},
		GoBench:  newGoBenchSection(res.GoBench),
		Scale:    newScaleSection(res, s),
		ELFCheck: s.elfCheckSection(),
	}
	for _, v := range res.Variants {
		r.Variants = append(r.Variants, variantSummary{Title: title(v), Cold: s.med(v, "cold"), Bump: s.med(v, "bump"), Layers: s.layersSummary(v)})
	}
	f, fb := s.med("frontend", "cold"), s.med("frontend", "bump")
	r.VsOptimised = ratios{ratio(f, s.med("optimised", "cold")), ratio(fb, s.med("optimised", "bump"))}
	r.VsSeed = ratios{ratio(f, s.med("seed", "cold")), ratio(fb, s.med("seed", "bump"))}
	ok, lines := s.equalWork()
	r.EqualWork, r.EqualLines = yesNo(ok, len(lines) > 0), lines
	if res.QuietWait > 0 {
		r.QuietWait = durationText(time.Duration(res.QuietWait * float64(time.Second)))
	}
	for _, fx := range res.Fixtures {
		size := fmt.Sprintf("%.1f MB", float64(fx.Size)/1e6)
		if fx.Size < 1e6 {
			size = fmt.Sprintf("%.0f kB", float64(fx.Size)/1e3)
		}
		r.Fixtures = append(r.Fixtures, fixtureSize{fx.Name, size})
	}
	for _, lc := range res.Layers {
		for _, d := range lc.Diffs {
			r.LayerRows = append(r.LayerRows, layerRow{Round: lc.Round, Variant: lc.Variant, Platform: d.Platform, Layers: d.Layers, Changed: d.Changed,
				What: strings.ReplaceAll(strings.Join(d.What, "; "), "|", "\\|")})
		}
	}
	for _, c := range res.FileLists {
		sec := fileListSection{FileListCheck: c}
		for _, l := range []namedPaths{{"only in " + c.A, c.Diff.OnlyA}, {"only in " + c.B, c.Diff.OnlyB},
			{"type, mode, owner or target differ", c.Diff.Meta}, {"size differs", c.Diff.Sizes}} {
			if len(l.Items) > 0 {
				sec.Lists = append(sec.Lists, l)
			}
		}
		r.FileLists = append(r.FileLists, sec)
	}
	for _, v := range res.Variants {
		if bd := s.medianBuild(v, "cold"); bd != nil && bd.Profile != nil {
			r.Cold = append(r.Cold, newColdProfile(bd, res.Machine.CPUs))
		}
	}
	for _, v := range res.Variants {
		if bd := s.medianBuild(v, "bump"); bd != nil && bd.Profile != nil {
			r.Bump = append(r.Bump, bumpProfile{Build: bd, Longest: first(bd.Profile.Longest, longestShown)})
		}
	}
	for _, k := range sortedKeys(res.Setup) {
		r.Setup = append(r.Setup, setupStep{k, res.Setup[k]})
	}
	return r
}

func newColdProfile(bd *Build, cpus int) coldProfile {
	pr := bd.Profile
	c := coldProfile{Build: bd, MinStep: criticalMinSecs, Longest: first(pr.Longest, longestShown), ExportKinds: exportKinds(pr),
		ExportSecs: math.Max(0, pr.ExportEnd-pr.SolveEnd), CPUsUsed: bd.CPUBuild / bd.Secs, CPUs: cpus}
	for _, st := range pr.Critical {
		if st.Secs < criticalMinSecs {
			c.Hidden++
			c.HiddenSecs += st.Secs
			continue
		}
		c.Critical = append(c.Critical, st)
	}
	return c
}

func newGoBenchSection(g GoBench) goBenchSection {
	sec := goBenchSection{Command: goBenchCommand, BusyPct: g.BusyBefore * 100, Goal: goBenchGoal, Err: g.Err}
	if !g.Date.IsZero() {
		sec.When = g.Date.Format("2006-01-02 15:04 UTC")
	}
	names, ns := g.results()
	for _, n := range names {
		var ms []string
		for _, x := range ns[n] {
			ms = append(ms, fmt.Sprintf("%.1f", x/1e6))
		}
		sec.Rows = append(sec.Rows, goBenchRow{Name: n, Median: median(ns[n]) / 1e6, Runs: strings.Join(ms, ", ")})
		sec.Concurrent = sec.Concurrent || strings.HasSuffix(n, "Concurrent")
	}
	return sec
}

// durationText is d as the report words it: "3 minutes", "90 seconds".
func durationText(d time.Duration) string {
	switch {
	case d == time.Minute:
		return "1 minute"
	case d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return fmt.Sprintf("%g seconds", d.Seconds())
}

func exportKinds(pr *Profile) string {
	var parts []string
	for _, e := range pr.Export {
		parts = append(parts, fmt.Sprintf("%s %.1f s", e.Name, e.Secs))
	}
	if len(parts) == 0 {
		return "no export steps seen"
	}
	return strings.Join(parts, ", ")
}

func mdName(n string) string {
	n = strings.ReplaceAll(n, "|", "\\|")
	if len(n) > 150 {
		n = n[:147] + "…"
	}
	return "`" + strings.ReplaceAll(n, "`", "'") + "`"
}

// limit is the first n of xs and how many more there are.
func limit(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	out := append([]string{}, xs[:n]...)
	return append(out, fmt.Sprintf("… %d more", len(xs)-n))
}

func first[T any](xs []T, n int) []T { return xs[:min(n, len(xs))] }
