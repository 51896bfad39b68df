package main

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/maistra/builder-frontend/internal/english"
)

// Where a finding's data must reach before the report draws its conclusion.
const (
	cpuBoundShare  = 0.75 // the CPUs this busy over a build make it CPU-bound
	notableWait    = 3.0  // seconds a step waited on its cache key before it is worth a sentence
	notableWaitsBy = 2.0  // … and how many times the hand-optimised Dockerfile's longest wait
)

// findings are what this run's numbers say about where the time goes. Each one is worded from the numbers it
// rests on, which it states, and is left out when the run lacks them or they do not show it.
func (s *summary) findings() []string {
	var out []string
	for _, f := range []func() string{s.criticalStep, s.cpuBound, s.frontendVsOptimised, s.nativePackages, s.longestWaitFinding, s.seedGoInstall, s.bumpEnd} {
		if text := f(); text != "" {
			out = append(out, text)
		}
	}
	return out
}

// nativePackages: the arm64 package step natively and emulated, and the two frontend builds' cold times.
func (s *summary) nativePackages() string {
	n, e := s.packageStep("frontend", nativePlatform), s.packageStep("frontend-emulated", nativePlatform)
	if n.Secs == 0 || e.Secs == 0 {
		return ""
	}
	text := fmt.Sprintf("Natively, `%s` takes %s; with BUILDER_PACKAGES=emulated (apt under qemu, as the Dockerfiles run it) %s, %.1f × as long. "+
		"The native step still runs the maintainer scripts and triggers under qemu (ca-certificates' postinst, the ldconfig trigger): "+
		"apt's update, resolution, download and dpkg's unpack are what moved to the build platform",
		n.Name, secs(n.Secs), secs(e.Secs), e.Secs/n.Secs)
	if fn, fe := s.med("frontend", "cold"), s.med("frontend-emulated", "cold"); fn > 0 && fe > 0 {
		text += fmt.Sprintf(". The whole cold build: %s natively, %s emulated", secs(fn), secs(fe))
	}
	return text + "."
}

// coldProfile is the profile of v's median cold build, or nil.
func (s *summary) coldBuild(v string) *Build {
	if b := s.medianBuild(v, "cold"); b != nil && b.Profile != nil && b.Secs > 0 {
		return b
	}
	return nil
}

// longestCritical is the longest step of the build's critical chain.
func longestCritical(b *Build) (Step, bool) {
	cr := b.Profile.Critical
	if len(cr) == 0 {
		return Step{}, false
	}
	long := cr[0]
	for _, st := range cr {
		if st.Secs > long.Secs {
			long = st
		}
	}
	return long, true
}

// criticalStep: the step the frontend's cold build waits on longest, its export, what else ran meanwhile, and the
// same numbers for the other variants.
func (s *summary) criticalStep() string {
	b := s.coldBuild("frontend")
	if b == nil {
		return ""
	}
	long, ok := longestCritical(b)
	if !ok {
		return ""
	}
	pr := b.Profile
	export := math.Max(0, pr.ExportEnd-pr.SolveEnd)
	text := fmt.Sprintf("The longest step on the frontend's cold critical chain (round %d) is %s: %.0f s of the build's %.0f s (%.0f %%); "+
		"the export after its last step took %.0f s (%.0f %%).", b.Round, mdName(long.Name), long.Secs, b.Secs, 100*long.Secs/b.Secs, export, 100*export/b.Secs)
	if beside := overlap(long, pr.Longest); beside >= 1 {
		text += fmt.Sprintf(" While it ran (%.0f s to %.0f s), the other steps among the build's longest ran beside it for %.0f s in all.",
			long.Start, long.Start+long.Secs, beside)
	}
	for _, v := range s.res.Variants {
		ob := s.coldBuild(v)
		if v == "frontend" || ob == nil {
			continue
		}
		if ol, ok := longestCritical(ob); ok {
			oe := math.Max(0, ob.Profile.ExportEnd-ob.Profile.SolveEnd)
			text += fmt.Sprintf(" The %s's (round %d): %s, %.0f s of %.0f s (%.0f %%), and its export %.0f s (%.0f %%).",
				title(v), ob.Round, mdName(ol.Name), ol.Secs, ob.Secs, 100*ol.Secs/ob.Secs, oe, 100*oe/ob.Secs)
		}
	}
	return text
}

// overlap is how many seconds of the steps other than st ran while st ran.
func overlap(st Step, steps []Step) float64 {
	var sum float64
	for _, o := range steps {
		if o.Name == st.Name && o.Start == st.Start {
			continue
		}
		sum += math.Max(0, math.Min(st.Start+st.Secs, o.Start+o.Secs)-math.Max(st.Start, o.Start))
	}
	return sum
}

// cpuBound: the frontend's cold build kept the CPUs busy enough that no order of its steps could finish it much
// sooner.
func (s *summary) cpuBound() string {
	b, cpus := s.coldBuild("frontend"), float64(s.res.Machine.CPUs)
	if b == nil || cpus == 0 || b.CPUBuild == 0 {
		return ""
	}
	busy := b.CPUBuild / (b.Secs * cpus)
	if busy < cpuBoundShare {
		return ""
	}
	floor := b.CPUBuild / cpus
	return fmt.Sprintf("The frontend's cold build (round %d) is CPU-bound: it used %.0f CPU-seconds in %.0f s on %.0f CPUs, %.0f %% of what "+
		"they could give. That work needs at least %.0f s on %.0f CPUs in any order of its steps, %.0f s (%.0f %%) less than it took: "+
		"a faster cold build needs less work more than a better schedule.",
		b.Round, b.CPUBuild, b.Secs, cpus, 100*busy, floor, cpus, b.Secs-floor, 100*(b.Secs-floor)/b.Secs)
}

// frontendVsOptimised: the cold times and CPU of the two, whether the difference is more than the rounds vary,
// and whether they built the same files.
func (s *summary) frontendVsOptimised() string {
	f, o := s.med("frontend", "cold"), s.med("optimised", "cold")
	if f == 0 || o == 0 {
		return ""
	}
	cf, co := s.cpuMed("frontend"), s.cpuMed("optimised")
	text := fmt.Sprintf("Frontend vs hand-optimised Dockerfile, cold: %+.1f s (%s vs %s), %+.0f CPU-seconds (%.0f vs %.0f, medians)",
		f-o, secs(f), secs(o), cf-co, cf, co)
	rf, ro := s.secs["frontend"]["cold"], s.secs["optimised"]["cold"]
	slower := fmt.Sprintf("the frontend is %.1f %% slower", 100*(f-o)/o)
	if f < o {
		slower = fmt.Sprintf("the frontend is %.1f %% faster", 100*(o-f)/o)
	}
	rounds := ""
	if len(rf) >= 2 && len(ro) >= 2 {
		rounds = fmt.Sprintf("the spread between rounds (frontend %.1f–%.1f s, hand-optimised %.1f–%.1f s)", slices.Min(rf), slices.Max(rf), slices.Min(ro), slices.Max(ro))
	}
	switch spread := math.Max(slices.Max(rf)-slices.Min(rf), slices.Max(ro)-slices.Min(ro)); {
	case rounds == "":
		text += "; " + slower + " (one round: nothing to tell it from noise)"
	case math.Abs(f-o) <= spread:
		text += "; the difference is within " + rounds
	default:
		text += "; " + slower + ", more than " + rounds
	}
	n, same := 0, 0
	for _, c := range s.res.FileLists {
		if c.A == "frontend" && c.B == "optimised" {
			n++
			if c.Diff.Same() {
				same++
			}
		}
	}
	if n > 0 {
		text += fmt.Sprintf("; the images' file lists match on %d of %d platforms", same, n)
	}
	return text + "."
}

// cpuMed is the median CPU seconds of v's cold builds.
func (s *summary) cpuMed(v string) float64 {
	var xs []float64
	for _, b := range s.res.Builds {
		if b.Variant == v && b.Kind == "cold" && b.Profile != nil && b.Secs > 0 {
			xs = append(xs, b.CPUBuild)
		}
	}
	return median(xs)
}

// longestWaitFinding: a step of the frontend's cold build that waited on its cache key far longer than any of the
// hand-optimised Dockerfile's.
func (s *summary) longestWaitFinding() string {
	fb, ob := s.coldBuild("frontend"), s.coldBuild("optimised")
	if fb == nil || ob == nil || len(fb.Profile.Waits) == 0 || fb.Profile.Waits[0].Secs < notableWait {
		return ""
	}
	fw := fb.Profile.Waits[0]
	text := fmt.Sprintf("The frontend's longest wait before a step: %s started %.0f s after its inputs were ready", mdName(fw.Name), fw.Secs)
	if len(ob.Profile.Waits) == 0 {
		return text + fmt.Sprintf("; no step of the hand-optimised Dockerfile's cold build waited %.1f s or more.", waitMinSecs)
	}
	ow := ob.Profile.Waits[0]
	if fw.Secs <= notableWaitsBy*ow.Secs {
		return ""
	}
	return text + fmt.Sprintf(", %.1f × the hand-optimised Dockerfile's longest (%.0f s, %s).", fw.Secs/ow.Secs, ow.Secs, mdName(ow.Name))
}

var stepPlatform = regexp.MustCompile(`\blinux/[a-z0-9]+`)

// seedGoInstall: the `go install` steps on the seed-style Dockerfile's critical chain, on which platform, whether
// that platform is emulated here, and the package step before them.
func (s *summary) seedGoInstall() string {
	b := s.coldBuild("seed")
	if b == nil {
		return ""
	}
	var n, firstAt int
	var total float64
	var plats []string
	for i, st := range b.Profile.Critical {
		if !strings.Contains(st.Name, "go install") {
			continue
		}
		if n == 0 {
			firstAt = i
		}
		n++
		total += st.Secs
		if p := stepPlatform.FindString(st.Name); p != "" && !slices.Contains(plats, p) {
			plats = append(plats, p)
		}
	}
	if n == 0 {
		return ""
	}
	text := fmt.Sprintf("The seed-style Dockerfile's critical chain (round %d) holds %s", b.Round, english.Plural(n, "`go install` step"))
	if len(plats) > 0 {
		text += " for " + strings.Join(plats, ", ")
	}
	text += fmt.Sprintf(", %.0f s in all, one after the other", total)
	for _, st := range b.Profile.Critical[:firstAt] {
		if strings.Contains(st.Name, "apt-get install") || strings.Contains(st.Name, "apt install") {
			text += fmt.Sprintf(", after its package step (%.0f s)", st.Secs)
			break
		}
	}
	if host := hostPlatform(s.res.Machine); len(plats) > 0 && host != "" && !slices.Contains(plats, host) && s.res.Machine.Qemu != "" {
		text += fmt.Sprintf("; this machine is %s, so they ran emulated (%s)", host, s.res.Machine.Qemu)
	}
	return text + fmt.Sprintf(". Its cold builds used %.0f CPU-seconds (median).", s.cpuMed("seed"))
}

// hostPlatform is the platform the benchmark ran on, from `go version` ("go version go1.26.8 linux/amd64").
func hostPlatform(m Machine) string {
	f := strings.Fields(m.Go)
	if len(f) == 0 || !strings.Contains(f[len(f)-1], "/") {
		return ""
	}
	return f[len(f)-1]
}

// bumpEnd: when the bump builds' steps and exports ended, and the hand-optimised Dockerfile's longest step.
func (s *summary) bumpEnd() string {
	fb, ob := s.medianBuild("frontend", "bump"), s.medianBuild("optimised", "bump")
	if fb == nil || ob == nil || fb.Profile == nil || ob.Profile == nil {
		return ""
	}
	text := fmt.Sprintf("Bump: the frontend's steps end at %.2f s and its export at %.2f s (%.2f s in all); the hand-optimised "+
		"Dockerfile's steps end at %.2f s and its export at %.2f s (%.2f s in all)",
		fb.Profile.SolveEnd, fb.Profile.ExportEnd, fb.Secs, ob.Profile.SolveEnd, ob.Profile.ExportEnd, ob.Secs)
	if l := ob.Profile.Longest; len(l) > 0 {
		text += fmt.Sprintf(", its longest step %s (%.2f s)", mdName(l[0].Name), l[0].Secs)
	}
	return text + "."
}
