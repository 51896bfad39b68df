package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sampleResults is a run shaped like the one docs/performance.md was made from: two rounds of the three variants
// on a 2-CPU amd64 machine, the arm64 package step the longest step of every cold build.
func sampleResults() *Results {
	t0 := time.Date(2026, 11, 25, 17, 57, 0, 0, time.UTC)
	st := func(start, secs float64, name string) Step { return Step{Name: name, Start: start, Secs: secs} }
	export := func(at, layers float64) []Step {
		return []Step{st(at, layers, "exporting layers"), st(at+layers, 0, "exporting manifest"), st(at+layers, 0, "exporting config"),
			st(at+layers+0.1, 1.0, "pushing layers"), st(at+layers+1.1, 0, "pushing manifest")}
	}
	const (
		feApt   = "[packages linux/arm64] apt install ca-certificates curl git make unzip xz-utils"
		feApt64 = "[packages linux/amd64] apt install ca-certificates curl git make unzip xz-utils"
		feGo    = "[go linux/amd64] install into /usr/local/go"
		feGoArm = "[protoc-gen-go linux/arm64] go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.6 (natively on linux/amd64)"
		opApt   = "[linux/arm64 image  2/12] RUN apt-get install -y ca-certificates curl git make unzip xz-utils"
		opGo    = "[linux/amd64 gobuild 2/2] COPY --link --from=go-native /go/ /usr/local/go/"
		seApt   = "[linux/arm64  2/13] RUN apt-get update && apt-get install -y ca-certificates curl git make unzip xz-utils"
		seJunit = "[linux/arm64  4/13] RUN go install github.com/jstemmer/go-junit-report/v2@v2.1.0"
		seProto = "[linux/arm64  5/13] RUN go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.6"
		seProt6 = "[linux/amd64  5/13] RUN go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.6"
	)
	feCold := &Profile{
		Critical:  []Step{st(0.5, 11.9, "[linux/arm64] base 127.0.0.1:41453/bench/debian:12"), st(12.4, 192.5, feApt), st(204.9, 0.3, "merge")},
		Longest:   []Step{st(12.4, 192.5, feApt), st(63.7, 81.9, feGoArm), st(13.0, 49.1, feApt64), st(1.6, 35.1, "[clang-llvm linux/amd64] unpack clang-llvm.tar.xz")},
		Export:    export(205.2, 32.2),
		FirstStep: 0.1, SolveEnd: 205.2, ExportEnd: 238.5,
		Waits: []Step{st(27.2, 20.3, feGo), st(29.5, 4.1, "[clang-llvm linux/arm64] install into /usr/lib/llvm")},
		Steps: 55, Ran: 53,
	}
	opCold := &Profile{
		Critical:  []Step{st(0.3, 7.2, "[linux/arm64 image  1/12] FROM 127.0.0.1:41453/bench/debian:12"), st(8.0, 188.8, opApt), st(197.4, 2.4, "[linux/arm64 image 11/12] LINK COPY --link --from=dirs /out/ /")},
		Longest:   []Step{st(8.0, 188.8, opApt), st(26.8, 90.5, "[linux/amd64 protoc-gen-go 1/1] RUN go build")},
		Export:    export(199.8, 41.7),
		FirstStep: 0.2, SolveEnd: 199.8, ExportEnd: 242.7,
		Waits: []Step{st(14.1, 3.9, opGo)},
		Steps: 74, Ran: 74,
	}
	seCold := &Profile{
		Critical:  []Step{st(0.3, 2.7, "[linux/arm64  1/13] FROM 127.0.0.1:41453/bench/debian:12"), st(3.0, 153.8, seApt), st(166.8, 149.5, seJunit), st(316.3, 253.7, seProto), st(603.2, 1.7, "[linux/arm64  8/13] RUN curl | tar")},
		Longest:   []Step{st(316.3, 253.7, seProto), st(3.0, 153.8, seApt), st(166.8, 149.5, seJunit), st(41.6, 37.6, seProt6)},
		Export:    export(605.8, 35.1),
		FirstStep: 0.2, SolveEnd: 605.8, ExportEnd: 642.0,
		Steps: 31, Ran: 31,
	}
	bump := func(first, solve, exp float64, longest ...Step) *Profile {
		return &Profile{Critical: longest[:1], Longest: longest, Export: export(solve, 0.5), FirstStep: first, SolveEnd: solve, ExportEnd: exp, Steps: 55, Ran: 22}
	}
	feBump := bump(0.17, 0.52, 1.46, st(0.39, 0.08, "[bazel linux/arm64] download http://127.0.0.1:33369/bazel-7.5.0-linux-arm64"), st(0.47, 0.02, "[bazel linux/amd64] install into /usr/bin/bazel"))
	opBump := bump(0.17, 4.49, 5.14, st(0.58, 3.45, "[linux/arm64 image 11/12] LINK COPY --link --from=dirs /out/ /"), st(3.93, 0.56, "[linux/amd64 image 12/12] WORKDIR /work"))
	seBump := bump(0.13, 4.18, 7.54, st(0.90, 2.25, "[linux/arm64  8/13] RUN curl | tar"))
	b := func(v, kind string, round int, secs, cpu, others float64, pr *Profile) *Build {
		return &Build{Variant: v, Kind: kind, Round: round, Ref: "127.0.0.1:5000/bench/" + v, Start: t0, Secs: secs,
			LoadBefore: 2.02, BusyBefore: 0.05, Busy: 0.87, CPUBuild: cpu, CPUOther: others, Progress: "/nonexistent", Profile: pr}
	}
	same := &FileListDiff{Paths: 24086, Excluded: []string{"/usr/share/builder-frontend: the frontend's tool manifests"}}
	sizes := &FileListDiff{Paths: 24086, Sizes: []string{"/usr/local/bin/protoc-gen-go: 7368866 | 7377058", "/var/log/apt/history.log: 1543 | 1540"}}
	layers := func(v string, round, n, changed int, what ...string) LayerCheck {
		d := func(p string) LayerDiff {
			return LayerDiff{Platform: p, Layers: n, Changed: changed, What: what, OnlyBump: changed == 1}
		}
		return LayerCheck{Variant: v, Round: round, Diffs: []LayerDiff{d("linux/amd64"), d("linux/arm64")}}
	}
	return &Results{
		Date: t0, Commit: "4f69304", Dirty: []string{" M docs/performance.md"}, Runs: 2,
		Machine: Machine{CPU: "AMD EPYC", CPUs: 2, MemoryGiB: 23.5, Kernel: "6.18.44", OS: "Debian GNU/Linux 12 (bookworm)",
			Go: "go version go1.26.8 linux/amd64", BuildKit: "buildkitd v0.34.2", Buildx: "buildx v0.38.2", Qemu: "qemu-aarch64 version 7.2.22", LoadStart: 0.5},
		Variants: []string{"frontend", "optimised", "seed"},
		GoBench: GoBench{Date: t0, BusyBefore: 0.03, Output: "goos: linux\n" +
			"BenchmarkParsePlan100Tools4Platforms-2   \t      40\t  55420000 ns/op\n" +
			"BenchmarkParsePlan100Tools4Platforms-2   \t      40\t  57000000 ns/op\n" +
			"BenchmarkParsePlan100Tools4Platforms-2   \t      40\t  51800000 ns/op\n" +
			"BenchmarkParsePlan100Tools4PlatformsConcurrent-2   \t      50\t  45800000 ns/op\n"},
		Fixtures: []Fixture{{Name: "bazel-7.4.1-linux-arm64", Size: 6_400_000, SHA256: "aa"}, {Name: "protoc-25.1-linux-x86_64.zip", Size: 41_000, SHA256: "bb"}},
		Builds: []*Build{
			b("frontend", "cold", 1, 238.6, 405, 16, feCold), b("frontend", "bump", 1, 1.51, 2, 0, feBump),
			b("optimised", "cold", 1, 222.4, 364, 13, opCold), b("optimised", "bump", 1, 5.3, 6, 0, opBump),
			b("seed", "cold", 1, 610.7, 1033, 29, seCold), b("seed", "bump", 1, 6.1, 9, 0, seBump),
			b("frontend", "cold", 2, 219.6, 369, 11, feCold), b("frontend", "bump", 2, 1.6, 2, 0, feBump),
			b("optimised", "cold", 2, 242.8, 391, 25, opCold), b("optimised", "bump", 2, 5.24, 7, 1, opBump),
			b("seed", "cold", 2, 642.1, 1087, 36, seCold), b("seed", "bump", 2, 7.6, 10, 1, seBump),
		},
		Layers: []LayerCheck{
			layers("frontend", 1, 11, 1, "/usr/bin/bazel"), layers("optimised", 1, 12, 1, "/usr/bin/bazel"),
			layers("seed", 1, 13, 5, "/usr/bin/bazel", "/usr/local/bin/buf", "(directories only)"),
			layers("frontend", 2, 11, 1, "/usr/bin/bazel"), layers("optimised", 2, 12, 1, "/usr/bin/bazel"),
			layers("seed", 2, 13, 5, "/usr/bin/bazel", "/usr/local/bin/buf", "(directories only)"),
		},
		FileLists: []FileListCheck{
			{Platform: "linux/amd64", A: "frontend", B: "optimised", Diff: same, Files: 24086},
			{Platform: "linux/arm64", A: "frontend", B: "optimised", Diff: same, Files: 24086},
			{Platform: "linux/amd64", A: "frontend", B: "seed", Diff: sizes, Files: 24086},
			{Platform: "linux/arm64", A: "frontend", B: "seed", Diff: &FileListDiff{Paths: 24086, OnlyB: []string{"/extra"}, Meta: []string{"/usr/bin/x: f 0755 0:0 1 | f 0700 0:0 1"}}, Files: 24086},
		},
		Configs: []ConfigCheck{
			{Platform: "linux/amd64", A: "frontend", B: "optimised"},
			{Platform: "linux/amd64", A: "frontend", B: "seed", Diffs: []string{`env BUF_VERSION: "" | "1.75.0"`}},
		},
		Setup:     map[string]float64{"base image": 17.1, "fixtures": 2.9, "lab": 0.8},
		Duration:  41 * 60,
		QuietWait: 180,
	}
}

// TestFindings: each sentence of "What the profiles say" states the numbers it rests on, and is left out when the
// run lacks them or they do not show it.
func TestFindings(t *testing.T) {
	want := []string{
		"The longest step on the frontend's cold critical chain (round 1) is `[packages linux/arm64] apt install ca-certificates curl git make unzip xz-utils`: " +
			"192 s of the build's 239 s (81 %); the export after its last step took 33 s (14 %). While it ran (12 s to 205 s), the other steps " +
			"among the build's longest ran beside it for 155 s in all. The hand-optimised Dockerfile's (round 2): " +
			"`[linux/arm64 image  2/12] RUN apt-get install -y ca-certificates curl git make unzip xz-utils`, 189 s of 243 s (78 %), and its export " +
			"43 s (18 %). The seed-style Dockerfile's (round 2): `[linux/arm64  5/13] RUN go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.6`, " +
			"254 s of 642 s (40 %), and its export 36 s (6 %).",
		"The frontend's cold build (round 1) is CPU-bound: it used 405 CPU-seconds in 239 s on 2 CPUs, 85 % of what they could give. That work " +
			"needs at least 202 s on 2 CPUs in any order of its steps, 36 s (15 %) less than it took: a faster cold build needs less work more " +
			"than a better schedule.",
		"Frontend vs hand-optimised Dockerfile, cold: -3.5 s (229.1 s vs 232.6 s), +10 CPU-seconds (387 vs 378, medians); the difference is " +
			"within the spread between rounds (frontend 219.6–238.6 s, hand-optimised 222.4–242.8 s); the images' file lists match on 2 of 2 platforms.",
		"The frontend's longest wait before a step: `[go linux/amd64] install into /usr/local/go` started 20 s after its inputs were ready, " +
			"5.2 × the hand-optimised Dockerfile's longest (4 s, `[linux/amd64 gobuild 2/2] COPY --link --from=go-native /go/ /usr/local/go/`).",
		"The seed-style Dockerfile's critical chain (round 2) holds 2 `go install` steps for linux/arm64, 403 s in all, one after the other, " +
			"after its package step (154 s); this machine is linux/amd64, so they ran emulated (qemu-aarch64 version 7.2.22). Its cold builds " +
			"used 1060 CPU-seconds (median).",
		"Bump: the frontend's steps end at 0.52 s and its export at 1.46 s (1.60 s in all); the hand-optimised Dockerfile's steps end at 4.49 s " +
			"and its export at 5.14 s (5.24 s in all), its longest step `[linux/arm64 image 11/12] LINK COPY --link --from=dirs /out/ /` (3.45 s).",
	}
	got := summarize(sampleResults()).findings()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	builds := func(res *Results, variant, kind string, f func(*Build)) {
		for _, b := range res.Builds {
			if b.Variant == variant && b.Kind == kind {
				f(b)
			}
		}
	}
	for _, c := range []struct {
		name    string
		change  func(*Results)
		gone    []string // no finding holds these
		holds   []string // some finding holds each of these
		howMany int
	}{
		{name: "no profile of the frontend's cold builds", change: func(r *Results) {
			builds(r, "frontend", "cold", func(b *Build) { b.Profile = nil })
		}, gone: []string{"frontend's cold", "Frontend vs", "frontend's longest wait"}, howMany: 2},
		{name: "the CPUs not busy enough", change: func(r *Results) {
			builds(r, "frontend", "cold", func(b *Build) { b.CPUBuild = 300 }) // 300 / (238.6 s × 2 CPUs): 63 %
		}, gone: []string{"CPU-bound", "less work"}, howMany: 5},
		{name: "the machine's CPUs not recorded", change: func(r *Results) { r.Machine.CPUs = 0 }, gone: []string{"CPU-bound"}, howMany: 5},
		{name: "no hand-optimised Dockerfile", change: func(r *Results) {
			builds(r, "optimised", "cold", func(b *Build) { b.Profile = nil })
			builds(r, "optimised", "bump", func(b *Build) { b.Profile = nil })
		}, gone: []string{"hand-optimised", "Bump:"}, holds: []string{"The seed-style Dockerfile's (round 2)"}, howMany: 3},
		{name: "a short wait", change: func(r *Results) {
			builds(r, "frontend", "cold", func(b *Build) { b.Profile.Waits[0].Secs = 2.9 })
		}, gone: []string{"longest wait"}, howMany: 5},
		{name: "waits alike", change: func(r *Results) {
			builds(r, "optimised", "cold", func(b *Build) { b.Profile.Waits[0].Secs = 10.2 }) // 20.3 s is not more than twice 10.2 s
		}, gone: []string{"longest wait"}, howMany: 5},
		{name: "no wait in the Dockerfile", change: func(r *Results) {
			builds(r, "optimised", "cold", func(b *Build) { b.Profile.Waits = nil })
		}, holds: []string{"started 20 s after its inputs were ready; no step of the hand-optimised Dockerfile's cold build waited 0.5 s or more."}, howMany: 6},
		{name: "no go install on the seed chain", change: func(r *Results) {
			builds(r, "seed", "cold", func(b *Build) {
				for i := range b.Profile.Critical {
					b.Profile.Critical[i].Name = strings.ReplaceAll(b.Profile.Critical[i].Name, "go install", "go build")
				}
			})
		}, gone: []string{"`go install` step", "emulated"}, howMany: 5},
		{name: "an arm64 machine", change: func(r *Results) { r.Machine.Go = "go version go1.26.8 linux/arm64" },
			gone: []string{"emulated"}, holds: []string{"2 `go install` steps for linux/arm64, 403 s in all"}, howMany: 6},
		{name: "no qemu recorded", change: func(r *Results) { r.Machine.Qemu = "" }, gone: []string{"emulated"}, howMany: 6},
		{name: "file lists differ", change: func(r *Results) { r.FileLists[0].Diff = &FileListDiff{Paths: 3, OnlyA: []string{"/x"}} },
			holds: []string{"file lists match on 1 of 2 platforms"}, howMany: 6},
		{name: "no file lists", change: func(r *Results) { r.FileLists = nil }, gone: []string{"file lists"}, howMany: 6},
		{name: "rounds far apart", change: func(r *Results) {
			builds(r, "optimised", "cold", func(b *Build) { b.Secs += 100 }) // 322.4 s and 342.8 s
		}, gone: []string{"within the spread"}, holds: []string{"the frontend is 31.1 % faster, more than the spread between rounds (frontend 219.6–238.6 s, hand-optimised 322.4–342.8 s)"}, howMany: 6},
		{name: "one round", change: func(r *Results) { r.Builds = r.Builds[:6] },
			gone: []string{"spread"}, holds: []string{"the frontend is 7.3 % slower (one round: nothing to tell it from noise)"}, howMany: 6},
		{name: "no bump profiles", change: func(r *Results) {
			builds(r, "frontend", "bump", func(b *Build) { b.Profile = nil })
		}, gone: []string{"Bump:"}, howMany: 5},
		{name: "nothing measured", change: func(r *Results) { *r = Results{} }, howMany: 0},
	} {
		res := sampleResults()
		c.change(res)
		got := summarize(res).findings()
		all := strings.Join(got, "\n")
		if len(got) != c.howMany {
			t.Errorf("%s: %d findings, want %d:\n%s", c.name, len(got), c.howMany, all)
		}
		for _, g := range c.gone {
			if strings.Contains(all, g) {
				t.Errorf("%s: a finding says %q without the data for it:\n%s", c.name, g, all)
			}
		}
		for _, h := range c.holds {
			if !strings.Contains(all, h) {
				t.Errorf("%s: no finding says %q:\n%s", c.name, h, all)
			}
		}
	}
}

// TestReportRenders: the report of a full run holds its findings and none of the old fixed claims; the report of
// a run that measured nothing renders too, with no findings section.
func TestReportRenders(t *testing.T) {
	out := filepath.Join(t.TempDir(), "performance.md")
	if err := writeReport(sampleResults(), out); err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(out)
	for _, want := range []string{
		"What the profiles say (computed from this run's data",
		"- The frontend's cold build (round 1) is CPU-bound: it used 405 CPU-seconds",
		"| builder spec (frontend, native packages) | 229.1 s | 1.56 s | yes: only the bazel layer changed |",
		"waits (up to 3 minutes) until the CPUs\nare less than 15% busy",
		"| BenchmarkParsePlan100Tools4Platforms | **55.4 ms** | 55.4, 57.0, 51.8 |",
		"the\nConcurrent variant plans them in parallel",
		"`go test ./llb -run '^$' -bench ParsePlan -benchtime 2s -count 5` (parse, validate",
	} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, fixed := range []string{"export the same bytes", "because it shares the CPUs", "MergeOp", "wildcard", "same shape"} {
		if strings.Contains(string(doc), fixed) {
			t.Errorf("the report says %q, which no number of the run shows", fixed)
		}
	}

	if err := writeReport(&Results{}, out); err != nil {
		t.Fatal(err)
	}
	doc, _ = os.ReadFile(out)
	for _, gone := range []string{"What the profiles say", "up to", "## Where the time goes\n\n###"} {
		if strings.Contains(string(doc), gone) {
			t.Errorf("the report of an empty run says %q", gone)
		}
	}
	if !strings.Contains(string(doc), "after waiting for a quiet machine: not measured ().") {
		t.Errorf("the report of an empty run:\n%s", doc)
	}
}

// withScale adds a round of branch and base builds to sampleResults: the frontend's and the hand-optimised
// Dockerfile's second branch share every tool layer, the seed-style Dockerfile's re-uploads all after go; on the
// moved base the frontend keeps every tool layer, the hand-optimised Dockerfile changes its Go tools' layers.
func withScale(res *Results) *Results {
	res.Kinds = allKinds
	t0 := res.Date
	add := func(v, kind string, secs float64, blobs int, bytes int64) {
		res.Builds = append(res.Builds, &Build{Variant: v, Kind: kind, Round: 1, Ref: "127.0.0.1:5000/bench/" + v + ":" + kind, Start: t0,
			Secs: secs, UploadedBlobs: blobs, UploadedBytes: bytes, Profile: &Profile{Steps: 40, Ran: 1}})
	}
	add("frontend", kindBranch, 1.9, 2, 4_000)
	add("frontend", kindBase, 61.5, 6, 38_200_000)
	add("optimised", kindBranch, 5.1, 2, 4_100)
	add("optimised", kindBase, 70.2, 10, 52_000_000)
	add("seed", kindBranch, 96.4, 9, 301_000_000)
	add("seed", kindBase, 640.3, 15, 1_402_000_000)
	tools := func(changed map[string]bool, uploaded bool, names ...string) []ToolLayer {
		var out []ToolLayer
		for i, n := range names {
			out = append(out, ToolLayer{Tool: n, Digest: fmt.Sprintf("sha256:%02d", i), Size: int64(1_000_000 * (i + 1)),
				Same: !changed[n], Uploaded: uploaded && changed[n]})
		}
		return out
	}
	branchTools := []string{"go", "bazel", "buf", "protoc", "go-junit-report", "protoc-gen-go"}
	allTools := append([]string{"clang-llvm"}, branchTools...)
	none := map[string]bool{}
	all := map[string]bool{}
	for _, n := range allTools {
		all[n] = n != "go"
	}
	goTools := map[string]bool{"go-junit-report": true, "protoc-gen-go": true}
	for _, p := range platforms {
		res.Shares = append(res.Shares,
			ShareCheck{Variant: "frontend", Kind: kindBranch, Round: 1, Platform: p, Tools: tools(none, true, branchTools...)},
			ShareCheck{Variant: "frontend", Kind: kindBase, Round: 1, Platform: p, Tools: tools(none, true, allTools...)},
			ShareCheck{Variant: "optimised", Kind: kindBranch, Round: 1, Platform: p, Tools: tools(none, true, branchTools...)},
			ShareCheck{Variant: "optimised", Kind: kindBase, Round: 1, Platform: p, Tools: tools(goTools, true, allTools...)},
			ShareCheck{Variant: "seed", Kind: kindBranch, Round: 1, Platform: p, Tools: tools(all, true, branchTools...)},
			ShareCheck{Variant: "seed", Kind: kindBase, Round: 1, Platform: p, Tools: tools(all, true, allTools...)},
		)
	}
	return res
}

// TestScaleReport: the branch and base rows, goals and per-platform lines are computed from the run's builds and
// share checks; a run without them says so; the earlier findings do not change.
func TestScaleReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "performance.md")
	res := withScale(sampleResults())
	if err := writeReport(res, out); err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(out)
	for _, want := range []string{
		"| builder spec (frontend, native packages) | 1.90 s | 4 kB in 2 blobs | 0 of 12 uploaded again | 61.5 s | 38.2 MB in 6 blobs | 0 of 14 changed |",
		"| hand-optimised Dockerfile | 5.10 s | 4 kB in 2 blobs | 0 of 12 uploaded again | 70.2 s | 52.0 MB in 10 blobs | 4 of 14 changed |",
		// The seed-style branch shares only go's layer: one per platform, not uploaded again.
		"| seed-style Dockerfile | 96.4 s | 301.0 MB in 9 blobs | 0 of 2 uploaded again | 640.3 s | 1402.0 MB in 15 blobs | 12 of 14 changed |",
		"| a second branch uploads no layer of a tool it shares with the first | met | 0 of 12 shared tool layers uploaded again (every round and platform) |",
		"| moving the base image to a new digest changes no tool layer | met | 0 of 14 tool layers changed (every round and platform) |",
		"| 1 | hand-optimised Dockerfile | base moved | linux/arm64 | clang-llvm, go, bazel, buf, protoc | go-junit-report, protoc-gen-go | go-junit-report (6.0 MB), protoc-gen-go (7.0 MB) |",
		"| 1 | builder spec (frontend, native packages) | second branch | linux/amd64 | go, bazel, buf, protoc, go-junit-report, protoc-gen-go | – | – |",
		"(this run's builds: cold, bump, branch, base)",
		"| 1 | seed-style Dockerfile | base | 640.3 |",
		"| 301.0 MB |\n",
	} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if got, want := summarize(res).findings(), summarize(sampleResults()).findings(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the scale builds changed the findings:\n%s", strings.Join(got, "\n"))
	}

	res.Shares[0].Tools[1].Uploaded = true // bazel of the frontend's second branch, linux/amd64
	res.Shares[1].Tools[0].Same = false    // clang-llvm of the frontend's moved base, linux/amd64
	gs := scaleGoals(res)
	if len(gs) != 2 || gs[0].Met || gs[1].Met || !strings.HasPrefix(gs[0].Got, "1 of 12") || !strings.HasPrefix(gs[1].Got, "1 of 14") {
		t.Errorf("goals after a re-upload and a changed layer: %+v", gs)
	}

	if err := writeReport(sampleResults(), out); err != nil {
		t.Fatal(err)
	}
	doc, _ = os.ReadFile(out)
	if !strings.Contains(string(doc), "## Across branches and base bumps\n\nNot measured in this run") {
		t.Errorf("the report of a run without scale builds does not say so")
	}
}

// TestParseKinds: -kinds always keeps the cold build and names what it does not know.
func TestParseKinds(t *testing.T) {
	k, err := parseKinds("branch, base")
	if err != nil || !k["cold"] || !k[kindBranch] || !k[kindBase] || k["bump"] {
		t.Errorf("parseKinds(branch, base) = %v, %v", k, err)
	}
	if _, err := parseKinds("cold,bumb"); err == nil || !strings.Contains(err.Error(), `"bumb"`) {
		t.Errorf("parseKinds(cold,bumb): %v", err)
	}
}
