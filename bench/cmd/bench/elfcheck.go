package main

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/maistra/builder-frontend/internal/english"
)

// The kinds of a tool layer's steps, as llb names them: "[TOOL PLATFORM] unpack FILE natively" (the frontend's
// unpacker), "[TOOL PLATFORM] unpack FILE" (the daemon's), "[TOOL PLATFORM] check ELF machines",
// "[TOOL PLATFORM] go install PKG@VERSION (…)" and "[TOOL PLATFORM] install DEST" or "install into DEST".
const (
	stepUnpackOurs   = "unpack natively"
	stepUnpackDaemon = "unpack"
	stepCheck        = "check"
	stepGoInstall    = "go install"
	stepInstall      = "install"
)

// The routes of the table: who unpacked the layer's archive, or why nothing did.
const (
	routeOurs      = "our unpacker"
	routeDaemon    = "the daemon"
	routeGoInstall = "none (go install)"
	routeNone      = "none"
)

var toolStepName = regexp.MustCompile(`^\[(\S+) (\S+)\] (.+)$`)

// toolStep is a step name taken apart.
type toolStep struct{ Tool, Platform, Kind string }

// toolStepOf takes a tool layer's step name apart; ok is false for every other step.
func toolStepOf(name string) (toolStep, bool) {
	m := toolStepName.FindStringSubmatch(name)
	if m == nil || m[1] == "packages" || !strings.Contains(m[2], "/") {
		return toolStep{}, false
	}
	ts := toolStep{Tool: m[1], Platform: m[2]}
	switch what := m[3]; {
	case what == "check ELF machines":
		ts.Kind = stepCheck
	case strings.HasPrefix(what, "unpack ") && strings.HasSuffix(what, " natively"):
		ts.Kind = stepUnpackOurs
	case strings.HasPrefix(what, "unpack "):
		ts.Kind = stepUnpackDaemon
	case strings.HasPrefix(what, "go install "):
		ts.Kind = stepGoInstall
	case strings.HasPrefix(what, "install "):
		ts.Kind = stepInstall
	default:
		return toolStep{}, false
	}
	return ts, true
}

// elfCheckSection is "The ELF check and the unpack routes": per tool layer of the frontend's median cold build,
// its unpack, ELF check and install.
type elfCheckSection struct {
	Build    *Build // the build the rows are from; nil when no frontend cold build was profiled
	Rows     []elfCheckRow
	Findings []string
	None     string // why there is nothing to report; "" when there is
}

// elfCheckRow is one tool layer. Times are "–" where the layer has no such step or it was cached.
type elfCheckRow struct {
	Tool, Platform, Route string
	Unpack, Check, Share  string
	InstallWait, Install  string
	unpack, check         float64
	hasShare              bool // it has a check and an unpack that ran
}

// frontendVariants are the variants built through the frontend, in the order the section picks its build from:
// the first with a profiled cold build.
var frontendVariants = []string{"frontend", "frontend-emulated"}

func (s *summary) elfCheckSection() elfCheckSection {
	var sec elfCheckSection
	for _, v := range frontendVariants {
		if sec.Build = s.coldBuild(v); sec.Build != nil {
			break
		}
	}
	if sec.Build == nil {
		sec.None = "No cold build of the frontend was profiled in this run: there are no check steps to report."
		return sec
	}
	b := sec.Build
	checks := checkSteps(b.Profile.Tools)
	if len(checks) == 0 {
		sec.None = fmt.Sprintf("This build has no `check ELF machines` step among its %s: there are no check steps to report.",
			english.Plural(len(b.Profile.Tools), "tool layer step"))
		return sec
	}
	sec.Rows = elfCheckRows(b.Profile.Tools)
	sec.Findings = append(sec.Findings, checksFinding(b, checks), checkShareFinding(sec.Rows))
	if f := installWaitFinding(b.Profile.Tools); f != "" {
		sec.Findings = append(sec.Findings, f)
	}
	if f := s.checksAcrossBuilds(); f != "" {
		sec.Findings = append(sec.Findings, f)
	}
	return sec
}

// checkSteps are the ELF checks that ran.
func checkSteps(steps []ToolStep) []Step {
	var out []Step
	for _, st := range steps {
		if ts, ok := toolStepOf(st.Name); ok && ts.Kind == stepCheck && !st.Cached {
			out = append(out, st.Step)
		}
	}
	return out
}

var (
	routeOrder  = []string{routeOurs, routeDaemon, routeNone, routeGoInstall}
	unpackRoute = map[string]string{stepUnpackOurs: routeOurs, stepUnpackDaemon: routeDaemon}
)

// elfCheckRows makes a row of each tool layer's steps, ordered by route, tool and platform.
func elfCheckRows(steps []ToolStep) []elfCheckRow {
	type layer struct {
		route                  string
		unpack, check, install *Step
		installWait            *float64
	}
	layers := map[[2]string]*layer{}
	for _, st := range steps {
		ts, _ := toolStepOf(st.Name)
		k := [2]string{ts.Tool, ts.Platform}
		l := layers[k]
		if l == nil {
			l = &layer{route: routeNone}
			layers[k] = l
		}
		ran := st.Step
		switch ts.Kind {
		case stepUnpackOurs, stepUnpackDaemon:
			l.route = unpackRoute[ts.Kind]
			if !st.Cached {
				l.unpack = &ran
			}
		case stepGoInstall:
			if l.route == routeNone {
				l.route = routeGoInstall
			}
		case stepCheck:
			if !st.Cached {
				l.check = &ran
			}
		case stepInstall:
			if !st.Cached {
				l.install, l.installWait = &ran, st.Wait
			}
		}
	}
	var rows []elfCheckRow
	for k, l := range layers {
		r := elfCheckRow{Tool: k[0], Platform: k[1], Route: l.route, Unpack: "–", Check: "–", Share: "–", InstallWait: "–", Install: "–"}
		if l.unpack != nil {
			r.unpack, r.Unpack = l.unpack.Secs, fmt.Sprintf("%.2f", l.unpack.Secs)
		}
		if l.check != nil {
			r.check, r.Check = l.check.Secs, fmt.Sprintf("%.2f", l.check.Secs)
		}
		if l.check != nil && r.unpack > 0 {
			r.Share, r.hasShare = fmt.Sprintf("%.0f %%", 100*r.check/r.unpack), true
		}
		if l.installWait != nil {
			r.InstallWait = fmt.Sprintf("%.2f", math.Max(0, *l.installWait))
		}
		if l.install != nil {
			r.Install = fmt.Sprintf("%.2f", l.install.Secs)
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b elfCheckRow) int {
		return cmp.Or(cmp.Compare(slices.Index(routeOrder, a.Route), slices.Index(routeOrder, b.Route)),
			cmp.Compare(a.Tool, b.Tool), cmp.Compare(a.Platform, b.Platform))
	})
	return rows
}

// checksFinding: the checks' seconds summed, how long at least one of them ran, the longest, and how many are on
// the build's critical chain.
func checksFinding(b *Build, checks []Step) string {
	var sum float64
	longest := checks[0]
	for _, c := range checks {
		sum += c.Secs
		if c.Secs > longest.Secs {
			longest = c
		}
	}
	busy := unionSecs(checks)
	text := fmt.Sprintf("This build ran %s, %.2f s in all (the longest %s, %.2f s); at least one of them was running for %.2f s of "+
		"its %.1f s (%.1f %%)", english.Plural(len(checks), "ELF check"), sum, mdName(longest.Name), longest.Secs, busy, b.Secs, 100*busy/b.Secs)
	var onChain []Step
	var chainSum float64
	for _, st := range b.Profile.Critical {
		if ts, ok := toolStepOf(st.Name); ok && ts.Kind == stepCheck {
			onChain = append(onChain, st)
			chainSum += st.Secs
		}
	}
	switch {
	case len(b.Profile.Critical) == 0:
	case len(onChain) == 0:
		text += "; none is on its critical chain"
	default:
		names := make([]string, len(onChain))
		for i, st := range onChain {
			names[i] = mdName(st.Name)
		}
		cr := b.Profile.Critical
		span := cr[len(cr)-1].Start + cr[len(cr)-1].Secs - cr[0].Start
		text += fmt.Sprintf("; on its critical chain: %s, %.2f s of the chain's %.1f s", english.List(names), chainSum, span)
	}
	return text + "."
}

// unionSecs is how many seconds at least one of steps was running.
func unionSecs(steps []Step) float64 {
	sorted := slices.SortedFunc(slices.Values(steps), func(a, b Step) int { return cmp.Compare(a.Start, b.Start) })
	var sum, end float64
	for i, st := range sorted {
		from, to := st.Start, st.Start+st.Secs
		if i > 0 {
			from = math.Max(from, end)
		}
		if to > from {
			sum += to - from
		}
		if i == 0 || to > end {
			end = to
		}
	}
	return sum
}

// checkShareFinding: per route, the check's seconds as a share of the unpack's, lowest to highest.
func checkShareFinding(rows []elfCheckRow) string {
	var parts []string
	for _, route := range []string{routeOurs, routeDaemon} {
		var lo, hi *elfCheckRow
		n := 0
		for i := range rows {
			r := &rows[i]
			if r.Route != route || !r.hasShare {
				continue
			}
			n++
			if lo == nil || r.check/r.unpack < lo.check/lo.unpack {
				lo = r
			}
			if hi == nil || r.check/r.unpack > hi.check/hi.unpack {
				hi = r
			}
		}
		switch {
		case n == 0:
		case n == 1:
			parts = append(parts, fmt.Sprintf("on %s's route %s (%s %s, the only layer)", route, lo.Share, lo.Tool, lo.Platform))
		default:
			parts = append(parts, fmt.Sprintf("on %s's route %s (%s %s) to %s (%s %s), %d layers", route, lo.Share, lo.Tool, lo.Platform, hi.Share, hi.Tool, hi.Platform, n))
		}
	}
	if len(parts) == 0 {
		return "No layer with an ELF check has an unpack step that ran: there is no unpack to set the checks against."
	}
	return "The check's seconds as a share of the same layer's unpack: " + strings.Join(parts, "; ") + "."
}

// installWaitFinding: the longest wait before an install.
func installWaitFinding(steps []ToolStep) string {
	var worst *ToolStep
	n := 0
	for i := range steps {
		st := &steps[i]
		if ts, _ := toolStepOf(st.Name); ts.Kind != stepInstall || st.Cached || st.Wait == nil {
			continue
		}
		n++
		if worst == nil || *st.Wait > *worst.Wait {
			worst = st
		}
	}
	if worst == nil {
		return ""
	}
	return fmt.Sprintf("The longest wait between an install's inputs being ready and its start, of %s: %.2f s, %s.",
		english.Plural(n, "install"), math.Max(0, *worst.Wait), mdName(worst.Name))
}

// checksAcrossBuilds: the checks' seconds summed in every cold build of the frontend variants that has them, when
// there are two or more.
func (s *summary) checksAcrossBuilds() string {
	var sums []float64
	var variants []string
	for _, b := range s.res.Builds {
		if b.Kind != "cold" || b.Secs == 0 || b.Profile == nil || !slices.Contains(frontendVariants, b.Variant) {
			continue
		}
		if cs := checkSteps(b.Profile.Tools); len(cs) > 0 {
			var sum float64
			for _, c := range cs {
				sum += c.Secs
			}
			sums = append(sums, sum)
			if !slices.Contains(variants, b.Variant) {
				variants = append(variants, b.Variant)
			}
		}
	}
	if len(sums) < 2 {
		return ""
	}
	return fmt.Sprintf("Across the %d cold builds with ELF checks (%s), the checks summed to %.2f–%.2f s.",
		len(sums), english.List(variants), slices.Min(sums), slices.Max(sums))
}
