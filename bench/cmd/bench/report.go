package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// Goals of issue 6.
const (
	goalColdVsOptimised = 0.6  // frontend cold ≤ 0.6 × hand-optimised Dockerfile
	goalColdVsSeed      = 0.2  // frontend cold ≤ 0.2 × seed-style Dockerfile
	goalBumpSecs        = 2.0  // frontend bump ≤ 2 s, unchanged layers identical
	goalPlanMillis      = 50.0 // parse + plan of 100 tools × 4 platforms
)

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
				worst = append(worst, fmt.Sprintf("round %d %s: %d of %d layers changed", lc.Round, d.Platform, d.Changed, d.Layers))
			}
		}
	}
	if !any {
		return false, "not measured"
	}
	if ok {
		return true, "yes: only the bazel layer changed"
	}
	return false, "no: " + strings.Join(uniq(worst), "; ")
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
	return median(ns["BenchmarkParsePlan100Tools4Platforms"]) / 1e6
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

func (g goal) mark() string {
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

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
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
	fmt.Fprintln(w, "goals:")
	for _, g := range s.goals() {
		fmt.Fprintf(w, "  %-8s %s: %s\n", strings.ReplaceAll(g.mark(), "**", ""), g.What, g.Got)
	}
}

// writeReport writes docs/performance.md.
func writeReport(res *Results, out string) error {
	s := summarize(res)
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	m := res.Machine

	p("# Performance\n\n")
	p("How fast the frontend builds a builder image compared with the Dockerfiles it replaces. This page is generated by\n")
	p("`make bench` ([bench/cmd/bench](../bench/cmd/bench)); do not edit it by hand. `go run ./bench/cmd/bench -report-only`\n")
	p("renders it again from the last run's data (`build/bench/results.json`).\n\n")
	dirty := ""
	if len(res.Dirty) > 0 {
		dirty = fmt.Sprintf(" with %d uncommitted changes in the work tree", len(res.Dirty))
	}
	p("Measured on %s, commit `%s`%s, %d round(s), %.0f minutes in all.\n\n", res.Date.Format("2006-01-02 15:04 UTC"), res.Commit, dirty, res.Runs, res.Duration/60)

	// Summary.
	p("## Summary\n\n")
	p("linux/amd64 + linux/arm64 in one build, pushed to a registry on loopback, provenance off. Seconds are the\n")
	p("wall time of `buildx build`, the median of the rounds.\n\n")
	p("| build | cold | bump one tool | unchanged tools' layers identical after the bump |\n|---|---:|---:|---|\n")
	for _, v := range res.Variants {
		what := s.layersSummary(v)
		p("| %s | %s | %s | %s |\n", title(v), secs(s.med(v, "cold")), secs(s.med(v, "bump")), what)
	}
	f, fb := s.med("frontend", "cold"), s.med("frontend", "bump")
	p("\n| ratio | cold | bump |\n|---|---:|---:|\n")
	p("| frontend ÷ hand-optimised Dockerfile | %s | %s |\n", ratio(f, s.med("optimised", "cold")), ratio(fb, s.med("optimised", "bump")))
	p("| frontend ÷ seed-style Dockerfile | %s | %s |\n\n", ratio(f, s.med("seed", "cold")), ratio(fb, s.med("seed", "bump")))
	p("Goals (issue 6):\n\n| goal | | measured |\n|---|---|---|\n")
	for _, g := range s.goals() {
		p("| %s | %s | %s |\n", g.What, g.mark(), g.Got)
	}
	if fs := s.findings(); len(fs) > 0 {
		p("\nWhat the profiles say (computed from this run's data, see [Where the time goes](#where-the-time-goes)):\n\n")
		for _, f := range fs {
			p("- %s\n", f)
		}
	}
	ok, lines := s.equalWork()
	p("\nEqual work: the images hold the same files on each platform: **%s**.\n", yesNo(ok, len(lines) > 0))
	for _, l := range lines {
		p("- %s\n", l)
	}
	p("\n")

	// Machine.
	p("## Machine\n\n")
	p("| | |\n|---|---|\n")
	p("| CPU | %d × %s |\n| memory | %.1f GiB |\n| OS, kernel | %s, Linux %s |\n", m.CPUs, m.CPU, m.MemoryGiB, m.OS, m.Kernel)
	p("| BuildKit | %s; arm64 steps under %s (binfmt) |\n| buildx | %s |\n| Go | %s |\n", m.BuildKit, m.Qemu, m.Buildx, m.Go)
	p("| load | 1-minute load average %.2f when the run started; per build below |\n\n", m.LoadStart)
	p("Other jobs may share this machine. Before each cold build the benchmark waits (up to 3 minutes) until the CPUs\n")
	p("are less than 15%% busy. For every build it records the load average before it, the share of the CPUs busy\n")
	p("during it, the CPU seconds of buildkitd with everything it ran (containers, qemu) plus buildx, and the CPU\n")
	p("seconds of every other process on the machine (\"others\"): a build with many seconds of \"others\" was slowed by\n")
	p("another job.\n\n")

	// Method.
	p("## Method\n\n")
	p("One private stack ([internal/lab](../internal/lab)): a buildkitd (OCI worker, runc), an in-process registry and an\n")
	p("artifact server on loopback. The same daemon builds everything, one build at a time.\n\n")
	p("**The workload** ([bench/workload](../bench/workload)) is a Maistra-style builder image with the kinds of artifacts a\n")
	p("real one has, all real files served by the artifact server and made once ([fixtures.go](../bench/cmd/bench/fixtures.go),\n")
	p("cached in `build/cache`):\n\n")
	p("- base: Debian 12, `debootstrap --variant=minbase` for amd64 and arm64 (the arm64 second stage under qemu), pushed\n")
	p("  to the lab registry as one two-platform image;\n")
	p("- distro packages from Debian's mirror with apt, on the target platform: %s;\n", strings.Join(aptPackages, ", "))
	p("- the Go toolchain %s (tar.gz; repacked from the module proxy's `golang.org/toolchain` zips, as go.dev ships it);\n", goVersion)
	p("- clang+llvm %s (tar.xz, made from Debian's clang-14/llvm-14 packages, named and laid out like the upstream release);\n", llvmVersion)
	p("- bazel (raw binary: bazelisk %s compiled from the module proxy, plus a line naming the version, so 7.4.1 and 7.5.0\n", bazeliskVersion)
	p("  differ in content);\n")
	p("- buf %s (tar.gz, buf compiled from the module proxy) and protoc %s (zip, Debian's protoc and the well-known protos);\n", bufVersion, protocVersion)
	p("- two Go tools compiled from a GOPROXY on the artifact server: %s;\n", strings.Join(goToolModules, ", "))
	p("- an entrypoint file from the build context, four 0777 directories, env, workdir, entrypoint.\n\n")
	p("| artifact | size |\n|---|---:|\n")
	for _, fx := range res.Fixtures {
		if fx.Size < 1e6 {
			p("| %s | %.0f kB |\n", fx.Name, float64(fx.Size)/1e3)
		} else {
			p("| %s | %.1f MB |\n", fx.Name, float64(fx.Size)/1e6)
		}
	}
	p("\n**The three builds** of that workload:\n\n")
	p("- [builder.yaml](../bench/workload/builder.yaml.tmpl) through the frontend image (`--build-arg BUILDKIT_SYNTAX=<lab frontend image>`);\n")
	p("- [optimised.Dockerfile](../bench/workload/optimised.Dockerfile.tmpl), hand-optimised: `ADD --checksum` (and `--unpack` for tar)\n")
	p("  into per-arch stages picked by `TARGETARCH`, the zip unpacked and the Go tools cross-compiled on `$BUILDPLATFORM` with\n")
	p("  cache mounts, every artifact placed with `COPY --link`, apt with cache mounts;\n")
	p("- [seed.Dockerfile](../bench/workload/seed.Dockerfile.tmpl), as the Maistra builder Dockerfiles are written: one `RUN` per\n")
	p("  tool with `case $(uname -m)`, curl + tar/unzip and `go install` on the target platform (emulated for arm64).\n\n")
	p("The Dockerfiles use the daemon's built-in Dockerfile frontend (no `# syntax` line, nothing is pulled). All three get\n")
	p("the same build-args (`BASE`, `RELEASES`, `GOPROXY`, `BAZEL_VERSION`) and are built with\n")
	p("`buildx build --platform linux/amd64,linux/arm64 --provenance=false --progress=rawjson --push`.\n\n")
	p("**Each round** builds the three in turn (A B C A B C). For each: `buildctl prune --all` and the registry's blobs\n")
	p("emptied (but the base and frontend images'), so nothing is cached and every layer is uploaded, then the **cold**\n")
	p("build (`BAZEL_VERSION=%s`), then right after it the **bump** build (`BAZEL_VERSION=%s`; the two bazel files\n", bazelCold, bazelBump)
	p("differ in content). The bump image's layers are compared with the cold image's, per platform. The first round's\n")
	p("cold images are flattened and their file lists compared per platform (paths, types, modes, owners, link targets;\n")
	p("sizes reported): the proof that the three builds do the same work. The lists are in `build/bench/files/`, every\n")
	p("build's progress in `build/bench/progress/`.\n\n")
	p("**Where the time goes** comes from each build's rawjson progress: the *critical chain* is the step that finished\n")
	p("last before the export, then the input that finished last, back to the first step; then the export (compressing\n")
	p("and pushing the layers).\n\n")

	// All runs.
	p("## All builds\n\n")
	p("| round | build | kind | seconds | load before | CPUs busy | CPU s (build) | of which buildkitd itself | CPU s (others) |\n|---:|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, bd := range res.Builds {
		daemon := "–"
		if bd.CPUDaemon > 0 {
			daemon = fmt.Sprintf("%.0f", bd.CPUDaemon)
		}
		p("| %d | %s | %s | %.1f | %.2f | %.0f%% | %.0f | %s | %.0f |\n", bd.Round, title(bd.Variant), bd.Kind, bd.Secs, bd.LoadBefore, bd.Busy*100, bd.CPUBuild, daemon, bd.CPUOther)
	}
	p("\n\"buildkitd itself\" is the daemon's own CPU time: its file operations (downloads, unpacking .tar.gz, copies,\n")
	p("content hashes for cache keys) and the export's compression; the rest of \"build\" is what it ran (apt and go\n")
	p("under runc, qemu, xz for .tar.xz, the frontend) and buildx.\n")
	p("\nBump builds, layers changed against the cold build:\n\n| round | build | platform | layers | changed | what the changed layers hold |\n|---:|---|---|---:|---:|---|\n")
	for _, lc := range res.Layers {
		for _, d := range lc.Diffs {
			p("| %d | %s | %s | %d | %d | %s |\n", lc.Round, title(lc.Variant), d.Platform, d.Layers, d.Changed, strings.ReplaceAll(strings.Join(d.What, "; "), "|", "\\|"))
		}
	}
	p("\n")

	// Equal work details.
	p("## Equal work\n\n")
	for _, c := range res.FileLists {
		d := c.Diff
		p("**%s, %s vs %s** (%d paths in %s", c.Platform, title(c.A), title(c.B), d.Paths, c.A)
		if len(d.Excluded) > 0 {
			p("; left out: %s", strings.Join(d.Excluded, "; "))
		}
		p("):\n\n")
		if d.Same() {
			p("- same paths, types, modes, owners and link targets\n")
		}
		list := func(what string, xs []string) {
			if len(xs) == 0 {
				return
			}
			p("- %s (%d): %s\n", what, len(xs), "`"+strings.Join(limit(xs, 12), "`, `")+"`")
		}
		list("only in "+c.A, d.OnlyA)
		list("only in "+c.B, d.OnlyB)
		list("type, mode, owner or target differ", d.Meta)
		list("size differs", d.Sizes)
		p("\n")
	}
	for _, c := range res.Configs {
		if len(c.Diffs) == 0 {
			p("Image config (env, workdir, entrypoint, cmd), %s, %s vs %s: the same.\n\n", c.Platform, c.A, c.B)
		} else {
			p("Image config, %s, %s vs %s: %s.\n\n", c.Platform, c.A, c.B, "`"+strings.Join(c.Diffs, "`, `")+"`")
		}
	}

	// Where the time goes.
	p("## Where the time goes\n\n")
	for _, v := range res.Variants {
		bd := s.medianBuild(v, "cold")
		if bd == nil || bd.Profile == nil {
			continue
		}
		pr := bd.Profile
		p("### %s, cold (round %d, %.1f s)\n\n", title(v), bd.Round, bd.Secs)
		p("%d steps, %d of them ran. Before the first step: %.1f s (buildx, frontend start, parse, plan). The last step\n", pr.Steps, pr.Ran, pr.FirstStep)
		p("before the export ended at %.1f s; the export (%s) took %.1f s more; buildx exited at %.1f s. CPU: %.0f s in\n",
			pr.SolveEnd, exportKinds(pr), math.Max(0, pr.ExportEnd-pr.SolveEnd), bd.Secs, bd.CPUBuild)
		p("%.1f s of wall time (%.1f of %d CPUs), %.0f s used by other processes.\n\n", bd.Secs, bd.CPUBuild/bd.Secs, m.CPUs, bd.CPUOther)
		p("Critical chain (steps of 0.5 s or more; start is seconds after `buildx build` started):\n\n")
		p("| start | seconds | step |\n|---:|---:|---|\n")
		hidden, hiddenSecs := 0, 0.0
		for _, st := range pr.Critical {
			if st.Secs < 0.5 {
				hidden++
				hiddenSecs += st.Secs
				continue
			}
			p("| %.1f | %.1f | %s |\n", st.Start, st.Secs, mdName(st.Name))
		}
		if hidden > 0 {
			p("| | %.1f | %d shorter steps |\n", hiddenSecs, hidden)
		}
		for _, st := range pr.Export {
			p("| %.1f | %.1f | export: %s |\n", st.Start, st.Secs, mdName(st.Name))
		}
		if len(pr.Waits) > 0 {
			p("\nLongest waits between a step's inputs being ready and the step starting (the daemon computing its\n")
			p("cache key, i.e. content-hashing what it copies, or waiting for a lock):\n\n| inputs ready | wait (s) | step |\n|---:|---:|---|\n")
			for _, st := range pr.Waits {
				p("| %.1f | %.1f | %s |\n", st.Start, st.Secs, mdName(st.Name))
			}
		}
		p("\nLongest steps:\n\n| start | seconds | step |\n|---:|---:|---|\n")
		for i, st := range pr.Longest {
			if i == 8 {
				break
			}
			p("| %.1f | %.1f | %s |\n", st.Start, st.Secs, mdName(st.Name))
		}
		p("\n")
	}
	for _, v := range res.Variants {
		bd := s.medianBuild(v, "bump")
		if bd == nil || bd.Profile == nil {
			continue
		}
		pr := bd.Profile
		p("### %s, bump (round %d, %.2f s)\n\n", title(v), bd.Round, bd.Secs)
		p("Before the first step: %.2f s. %d steps, %d ran; the last ended at %.2f s, the export at %.2f s.\n\n", pr.FirstStep, pr.Steps, pr.Ran, pr.SolveEnd, pr.ExportEnd)
		p("| start | seconds | step that ran |\n|---:|---:|---|\n")
		for i, st := range pr.Longest {
			if i == 8 {
				break
			}
			p("| %.2f | %.2f | %s |\n", st.Start, st.Secs, mdName(st.Name))
		}
		for _, st := range pr.Export {
			p("| %.2f | %.2f | export: %s |\n", st.Start, st.Secs, mdName(st.Name))
		}
		p("\n")
	}

	// Parse + plan.
	p("## Parse + plan\n\n")
	p("`go test ./llb -run '^$' -bench ParsePlan -benchtime 2s -count 5` (parse, validate, resolve and marshal the LLB\n")
	p("of 100 tools × 4 platforms, no daemon), after waiting for a quiet machine")
	names, ns := res.GoBench.results()
	if len(names) > 0 {
		if !res.GoBench.Date.IsZero() {
			p(" (%s; the CPUs were %.0f%% busy just before it)", res.GoBench.Date.Format("2006-01-02 15:04 UTC"), res.GoBench.BusyBefore*100)
		}
		p(":\n\n| benchmark | median | runs (ms per parse + plan) |\n|---|---:|---|\n")
		for _, n := range names {
			var ms []string
			for _, x := range ns[n] {
				ms = append(ms, fmt.Sprintf("%.1f", x/1e6))
			}
			p("| %s | **%.1f ms** | %s |\n", n, median(ns[n])/1e6, strings.Join(ms, ", "))
		}
		p("\nThe goal is judged on BenchmarkParsePlan100Tools4Platforms (the platforms planned one after the other); the\n")
		p("Concurrent variant plans them in parallel, as the frontend does.\n\n")
	} else {
		p(": not measured (%s).\n\n", res.GoBench.Err)
	}
	p("## Setup (not measured above)\n\n")
	for _, k := range sortedKeys(res.Setup) {
		p("- %s: %.1f s\n", k, res.Setup[k])
	}
	p("\n")

	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, []byte(b.String()), 0o644)
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

func limit(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	out := append([]string{}, xs[:n]...)
	return append(out, fmt.Sprintf("… %d more", len(xs)-n))
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

// findings are the observations this run's numbers support, worded from the numbers.
func (s *summary) findings() []string {
	var out []string
	cpus := float64(s.res.Machine.CPUs)
	if cpus == 0 {
		cpus = 1
	}
	cpuMed := func(v string) float64 {
		var xs []float64
		for _, b := range s.res.Builds {
			if b.Variant == v && b.Kind == "cold" && b.Profile != nil {
				xs = append(xs, b.CPUBuild)
			}
		}
		return median(xs)
	}
	if b := s.medianBuild("frontend", "cold"); b != nil && b.Profile != nil && len(b.Profile.Critical) > 0 {
		pr := b.Profile
		long := pr.Critical[0]
		for _, st := range pr.Critical {
			if st.Secs > long.Secs {
				long = st
			}
		}
		export := math.Max(0, pr.ExportEnd-pr.SolveEnd)
		out = append(out, fmt.Sprintf("The frontend's cold build waits on one step: `%s` takes %.0f s of %.0f s (%.0f %%), then the export "+
			"(compressing and pushing every layer, after the last step) %.0f s (%.0f %%). The Dockerfiles run the same package step the "+
			"same way (under qemu for arm64) and export the same bytes.", long.Name, long.Secs, b.Secs, 100*long.Secs/b.Secs, export, 100*export/b.Secs))
		cpu := cpuMed("frontend")
		out = append(out, fmt.Sprintf("The cold builds are mostly CPU-bound: the frontend's used %.0f CPU-seconds (median), %.1f of the %.0f CPUs "+
			"over its wall time. Whatever the order of the steps, %.0f CPU-seconds need at least %.0f s on %.0f CPUs: a faster cold build "+
			"needs less work, not a better schedule. The emulated package step is slow because it shares the CPUs with everything else.",
			cpu, cpu/b.Secs, cpus, cpu, cpu/cpus, cpus))
	}
	if f, o := s.med("frontend", "cold"), s.med("optimised", "cold"); f > 0 && o > 0 {
		verdict := "they finish within 5 % of each other"
		switch d := (f - o) / o; {
		case d >= 0.05:
			verdict = fmt.Sprintf("yet the frontend is %.0f %% slower", 100*d)
		case d <= -0.05:
			verdict = fmt.Sprintf("and the frontend is %.0f %% faster", -100*d)
		}
		out = append(out, fmt.Sprintf("Frontend vs hand-optimised Dockerfile, cold: %+.1f s (%s vs %s), %+.0f CPU-seconds (%.0f vs %.0f, medians). "+
			"Both do the same work in the same shape (per-arch downloads unpacked by the daemon, cross-compiled Go tools, apt on the "+
			"target): %s.", f-o, secs(f), secs(o), cpuMed("frontend")-cpuMed("optimised"), cpuMed("frontend"), cpuMed("optimised"), verdict))
	}
	fw, ow := s.longestWait("frontend"), s.longestWait("optimised")
	if fw != nil && ow != nil && fw.Secs > 2*ow.Secs && fw.Secs >= 3 {
		out = append(out, fmt.Sprintf("The frontend's longest wait before a step: `%s` started %.0f s after its input was ready (the Dockerfile's "+
			"longest: %.0f s, `%s`). The frontend does `strip` by copying the unpacked archive through a wildcard (`/*/`), and the daemon "+
			"content-hashes the whole unpacked tree through the wildcard path to make the step's cache key; the Dockerfile copies "+
			"a named directory.", fw.Name, fw.Secs, ow.Secs, ow.Name))
	}
	if b := s.medianBuild("seed", "cold"); b != nil && b.Profile != nil {
		var emu float64
		for _, st := range b.Profile.Critical {
			if strings.Contains(st.Name, "go install") {
				emu += st.Secs
			}
		}
		if emu > 0 {
			out = append(out, fmt.Sprintf("The seed-style Dockerfile's critical chain holds %.0f s of `go install` under qemu (arm64), one RUN after "+
				"the other, after its own emulated package step; it used %.0f CPU-seconds.", emu, cpuMed("seed")))
		}
	}
	if fb, ob := s.medianBuild("frontend", "bump"), s.medianBuild("optimised", "bump"); fb != nil && ob != nil && fb.Profile != nil && ob.Profile != nil {
		out = append(out, fmt.Sprintf("Bump: the frontend's build ends with its MergeOp and exports at once (%.1f s); the Dockerfile's last linked "+
			"layers and WORKDIR make the daemon materialise the merged file system (its steps end at %.1f s, export at %.1f s).",
			fb.Secs, ob.Profile.SolveEnd, ob.Profile.ExportEnd))
	}
	return out
}

// longestWait is the longest wait of the median cold build of v.
func (s *summary) longestWait(v string) *Step {
	b := s.medianBuild(v, "cold")
	if b == nil || b.Profile == nil || len(b.Profile.Waits) == 0 {
		return nil
	}
	return &b.Profile.Waits[0]
}
