package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Goals of issues 6 and 10.
const (
	goalColdVsOptimised = 0.6  // frontend cold ≤ 0.6 × hand-optimised Dockerfile
	goalColdVsSeed      = 0.2  // frontend cold ≤ 0.2 × seed-style Dockerfile
	goalBumpSecs        = 2.0  // frontend bump ≤ 2 s, unchanged layers identical
	goalPlanMillis      = 50.0 // parse + plan of 100 tools × 4 platforms
	goalNativePackages  = 3.0  // the arm64 package step ≥ 3 × faster natively than emulated
)

// nativePlatform is the platform whose package step the native route moves off emulation.
const nativePlatform = "linux/arm64"

// summary holds the numbers the tables are made of.
type summary struct {
	res  *Results
	secs map[string]map[string][]float64 // variant -> kind -> seconds per round
}

func summarize(res *Results) *summary {
	s := &summary{res: res, secs: map[string]map[string][]float64{}}
	for _, b := range res.Builds {
		if b.Secs == 0 || b.Profile == nil { // failed or unfinished
			continue
		}
		if s.secs[b.Variant] == nil {
			s.secs[b.Variant] = map[string][]float64{}
		}
		s.secs[b.Variant][b.Kind] = append(s.secs[b.Variant][b.Kind], b.Secs)
	}
	return s
}

func (s *summary) med(v, kind string) float64 { return median(s.secs[v][kind]) }

func (s *summary) has(v string) bool { return len(s.secs[v]["cold"]) > 0 }

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func secs(f float64) string {
	if f == 0 {
		return "–"
	}
	if f < 10 {
		return fmt.Sprintf("%.2f s", f)
	}
	return fmt.Sprintf("%.1f s", f)
}

func title(name string) string {
	for _, v := range allVariants {
		if v.Name == name {
			return v.Title
		}
	}
	return name
}

// layersOK reports whether every round's bump changed only the bumped tool's layer, on every platform, and a
// short text of what changed otherwise.
func (s *summary) layersOK(v string) (bool, string) {
	ok, any := true, false
	var worst []string
	for _, lc := range s.res.Layers {
		if lc.Variant != v {
			continue
		}
		for _, d := range lc.Diffs {
			any = true
			if !d.OnlyBump {
				ok = false
				if w := fmt.Sprintf("round %d %s: %d of %d layers changed", lc.Round, d.Platform, d.Changed, d.Layers); !slices.Contains(worst, w) {
					worst = append(worst, w)
				}
			}
		}
	}
	if !any {
		return false, "not measured"
	}
	if ok {
		return true, "yes: only the bazel layer changed"
	}
	return false, "no: " + strings.Join(worst, "; ")
}

// layersSummary is layersOK's text, short: "no: 5 of 13 layers changed" when every platform and round agree.
func (s *summary) layersSummary(v string) string {
	ok, what := s.layersOK(v)
	if ok {
		return what
	}
	counts := map[string]bool{}
	for _, lc := range s.res.Layers {
		if lc.Variant == v {
			for _, d := range lc.Diffs {
				counts[fmt.Sprintf("%d of %d layers changed", d.Changed, d.Layers)] = true
			}
		}
	}
	if len(counts) == 1 {
		for c := range counts {
			return "no: " + c + " (every platform, every round)"
		}
	}
	return what
}

// goBenchMillis is the median of the sequential parse+plan benchmark (the issue's), in ms.
func (s *summary) goBenchMillis() float64 {
	_, ns := s.res.GoBench.results()
	return median(ns[goBenchGoal]) / 1e6
}

// goals returns the goals with what was measured.
func (s *summary) goals() []goal {
	var gs []goal
	f, o, sd := s.med("frontend", "cold"), s.med("optimised", "cold"), s.med("seed", "cold")
	if f > 0 && o > 0 {
		gs = append(gs, goal{fmt.Sprintf("cold ≤ %.1f × the hand-optimised Dockerfile", goalColdVsOptimised), f/o <= goalColdVsOptimised,
			fmt.Sprintf("%.2f × (%s vs %s)", f/o, secs(f), secs(o))})
		gs = append(gs, goal{"cold not slower than the hand-optimised Dockerfile (slower is a defect)", f <= o,
			fmt.Sprintf("%+.1f s", f-o)})
	}
	if f > 0 && sd > 0 {
		gs = append(gs, goal{fmt.Sprintf("cold ≤ %.1f × the seed-style Dockerfile", goalColdVsSeed), f/sd <= goalColdVsSeed,
			fmt.Sprintf("%.2f × (%s vs %s)", f/sd, secs(f), secs(sd))})
	}
	if b := s.med("frontend", "bump"); b > 0 {
		ok, what := s.layersOK("frontend")
		gs = append(gs, goal{fmt.Sprintf("bump ≤ %.0f s with the unchanged layers identical", goalBumpSecs), b <= goalBumpSecs && ok,
			fmt.Sprintf("%s; %s", secs(b), what)})
	}
	if n, e := s.packageStep("frontend", nativePlatform), s.packageStep("frontend-emulated", nativePlatform); n.Secs > 0 && e.Secs > 0 {
		gs = append(gs, goal{fmt.Sprintf("the %s package step ≥ %.0f × faster natively than emulated", nativePlatform, goalNativePackages), e.Secs/n.Secs >= goalNativePackages,
			fmt.Sprintf("%.2f × (%s vs %s)", e.Secs/n.Secs, secs(n.Secs), secs(e.Secs))})
	}
	if len(s.res.PackageDBs) > 0 {
		same := true
		var what []string
		for _, c := range s.res.PackageDBs {
			same = same && c.Same
			what = append(what, fmt.Sprintf("%s: %s", c.Platform, map[bool]string{true: "identical", false: "**differs**"}[c.Same]))
		}
		gs = append(gs, goal{"the package database (" + dpkgStatus + ") identical natively and emulated", same, strings.Join(what, ", ")})
	}
	if ms := s.goBenchMillis(); ms > 0 {
		gs = append(gs, goal{fmt.Sprintf("parse + plan of 100 tools × 4 platforms < %.0f ms", goalPlanMillis), ms < goalPlanMillis,
			fmt.Sprintf("%.2f ms", ms)})
	}
	return gs
}

type goal struct {
	What string
	Met  bool
	Got  string
}

func (g goal) Mark() string {
	if g.Met {
		return "met"
	}
	return "**missed**"
}

// equalWork summarizes the file-list checks.
func (s *summary) equalWork() (bool, []string) {
	ok := true
	var lines []string
	for _, c := range s.res.FileLists {
		d := c.Diff
		state := "same paths, types, modes, owners and link targets"
		if !d.Same() {
			ok = false
			state = fmt.Sprintf("**differ**: %d only in %s, %d only in %s, %d with other type/mode/owner/target",
				len(d.OnlyA), c.A, len(d.OnlyB), c.B, len(d.Meta))
		}
		sz := ""
		if len(d.Sizes) > 0 {
			sz = fmt.Sprintf("; %d regular files differ in size (%s)", len(d.Sizes), abbrev(pathsOf(d.Sizes), 4))
		}
		lines = append(lines, fmt.Sprintf("%s, %s vs %s: %d paths, %s%s", c.Platform, c.A, c.B, d.Paths, state, sz))
	}
	return ok && len(s.res.FileLists) > 0, lines
}

func pathsOf(lines []string) []string {
	var out []string
	for _, l := range lines {
		p, _, _ := strings.Cut(l, ":")
		out = append(out, p)
	}
	return out
}

func abbrev(xs []string, n int) string {
	if len(xs) <= n {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:n], ", ") + fmt.Sprintf(", … %d more", len(xs)-n)
}

// printSummary prints the table of seconds and ratios and the goals.
func printSummary(w io.Writer, res *Results) {
	s := summarize(res)
	fmt.Fprintf(w, "\n%-28s %12s %12s   %s\n", "build (median of runs)", "cold", "bump", "unchanged layers identical after the bump")
	for _, v := range res.Variants {
		what := s.layersSummary(v)
		fmt.Fprintf(w, "%-28s %12s %12s   %s\n", title(v), secs(s.med(v, "cold")), secs(s.med(v, "bump")), what)
	}
	f := s.med("frontend", "cold")
	fmt.Fprintf(w, "\nratios  frontend / hand-optimised: cold %s, bump %s;  frontend / seed-style: cold %s, bump %s\n",
		ratio(f, s.med("optimised", "cold")), ratio(s.med("frontend", "bump"), s.med("optimised", "bump")),
		ratio(f, s.med("seed", "cold")), ratio(s.med("frontend", "bump"), s.med("seed", "bump")))
	ok, lines := s.equalWork()
	fmt.Fprintf(w, "equal work (file lists per platform): %v\n", yesNo(ok, len(lines) > 0))
	for _, l := range lines {
		fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(l, "**", ""))
	}
	for _, r := range newScaleSection(res, s).Rows {
		fmt.Fprintf(w, "%-28s second branch %s, %s uploaded, shared tools' layers %s; base moved %s, %s uploaded, tool layers %s\n",
			r.Title, secs(r.BranchSecs), r.BranchUploaded, r.BranchShared, secs(r.BaseSecs), r.BaseUploaded, r.BaseTools)
	}
	fmt.Fprintln(w, "goals:")
	for _, g := range append(s.goals(), scaleGoals(res)...) {
		fmt.Fprintf(w, "  %-8s %s: %s\n", strings.ReplaceAll(g.Mark(), "**", ""), g.What, g.Got)
	}
}

// medianBuild is the build of variant and kind whose time is closest to the median.
func (s *summary) medianBuild(v, kind string) *Build {
	med := s.med(v, kind)
	var best *Build
	for _, b := range s.res.Builds {
		if b.Variant == v && b.Kind == kind && b.Secs > 0 && (best == nil || math.Abs(b.Secs-med) < math.Abs(best.Secs-med)) {
			best = b
		}
	}
	return best
}

// packageStep is variant v's package step for platform in its median cold build (zero when it has none).
func (s *summary) packageStep(v, platform string) Step {
	b := s.coldBuild(v)
	if b == nil {
		return Step{}
	}
	for _, st := range b.Profile.Packages {
		if strings.HasPrefix(st.Name, "[packages "+platform+"] ") && !st.Cached {
			return st
		}
	}
	return Step{}
}

func yesNo(ok, measured bool) string {
	switch {
	case !measured:
		return "not measured"
	case ok:
		return "yes"
	}
	return "no"
}
