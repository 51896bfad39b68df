// Command bench is `make bench`: it builds one builder-image workload four ways on the same BuildKit daemon and
// writes docs/performance.md.
//
// The four builds (bench/workload/): the builder spec through the frontend image, with its package step native
// (the default) and emulated (BUILDER_PACKAGES=emulated), a hand-optimised Dockerfile and a seed-style Dockerfile
// (as the Maistra builder Dockerfiles are written), each for linux/amd64 and linux/arm64, pushed to the lab
// registry, provenance off. For each: a cold build after `buildctl prune --all`, then right after it a build with
// one tool bumped (BAZEL_VERSION 7.4.1 -> 7.5.0), then the scale scenarios (scale.go): a second branch's workload
// and the workload on a moved base, pushed to the same repository, with the bytes each push uploads. Rounds
// alternate the four (A B C D A B C D). The images' file lists are compared per platform (equal work), the package
// databases of the native and the emulated frontend builds byte for byte, and the layers of the bump build against
// the cold one (did only the bumped tool's layer change?). Every build's rawjson progress is kept and profiled: the
// chain of steps that finished last, the longest steps, the package steps, the export.
//
// Everything runs on a private lab (internal/lab): buildkitd, an in-process registry and an artifact server on
// loopback serving real release artifacts made once and cached under build/cache (see fixtures.go).
//
//	go run ./bench/cmd/bench [-runs 2] [-variants frontend,frontend-emulated,optimised,seed] [-kinds cold,bump,branch,base] [-out docs/performance.md]
//	go run ./bench/cmd/bench -runs 1 -kinds cold,branch,base   # the scale scenarios (and the cold builds they compare with)
//	go run ./bench/cmd/bench -report-only      # rewrite the doc from build/bench/results.json
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/maistra/builder-frontend/internal/lab"
)

func main() {
	runs := flag.Int("runs", 2, "rounds; each builds every variant cold and bumped (A B C D A B C D)")
	variantsFlag := flag.String("variants", defaultVariants, "variants to build, in round order")
	out := flag.String("out", "docs/performance.md", "the report to write")
	work := flag.String("work", "build/bench", "where progress logs, file lists, the build context and results.json go")
	reportOnly := flag.Bool("report-only", false, "rewrite the report from WORK/results.json without building")
	quietWait := flag.Duration("quiet-wait", 3*time.Minute, "before each cold build, wait up to this long for the machine to be quiet")
	skipGoBench := flag.Bool("skip-gobench", false, "do not run the parse+plan Go benchmark")
	fixturesOnly := flag.Bool("fixtures-only", false, "make (or check) the cached fixtures and list them, build nothing")
	workloadDir := flag.String("workload", filepath.Join("bench", "workload"), "the workload templates, relative to the repository root (for experiments with a changed workload)")
	goBenchOnly := flag.Bool("gobench-only", false, "run the parse+plan Go benchmark again, store it in WORK/results.json and rewrite the report")
	kindsFlag := flag.String("kinds", strings.Join(allKinds, ","), "the builds of each round: cold (always), bump, branch (a second branch's workload), base (the base moved to a new digest)")
	flag.Parse()

	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+"bench: "+format+"\n", args...)
	}
	fail := func(code int, err error) {
		logf("%v", err)
		os.Exit(code)
	}
	root, err := lab.RepoRoot()
	if err != nil {
		fail(1, err)
	}
	if err := os.Chdir(root); err != nil {
		fail(1, err)
	}
	workDir, _ := filepath.Abs(*work)
	resultsFile := filepath.Join(workDir, "results.json")
	switch {
	case *goBenchOnly:
		err = rewriteReport(resultsFile, *out, func(res *Results) {
			logf("%s", goBenchCommand)
			res.GoBench = runGoBench(context.Background(), *quietWait, logf)
		})
	case *reportOnly:
		err = rewriteReport(resultsFile, *out, nil)
	case *fixturesOnly:
		err = listFixtures(logf)
	default:
		vs, verr := parseVariants(*variantsFlag)
		if verr != nil {
			fail(2, verr)
		}
		kinds, kerr := parseKinds(*kindsFlag)
		if kerr != nil {
			fail(2, kerr)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		err = measure(ctx, benchOptions{variants: vs, runs: *runs, workDir: workDir, workloadDir: *workloadDir,
			quietWait: *quietWait, skipGoBench: *skipGoBench, kinds: kinds, logf: logf}, resultsFile, *out)
	}
	if err != nil {
		fail(1, err)
	}
}

// measure runs the benchmark, keeps what it measured (also when it failed part way) and writes the report.
func measure(ctx context.Context, o benchOptions, resultsFile, out string) error {
	res, err := runBench(ctx, o)
	if res != nil {
		if werr := saveResults(res, resultsFile); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		return err
	}
	if err := writeReport(res, out); err != nil {
		return err
	}
	printSummary(os.Stdout, res)
	o.logf("wrote %s (data: %s)", out, resultsFile)
	return nil
}

// rewriteReport renders the report again from stored results, after update (if any) has changed them and stored
// them back.
func rewriteReport(resultsFile, out string, update func(*Results)) error {
	res, err := loadResults(resultsFile)
	if err != nil {
		return err
	}
	reprofile(res)
	if update != nil {
		update(res)
		if err := saveResults(res, resultsFile); err != nil {
			return err
		}
	}
	if err := writeReport(res, out); err != nil {
		return err
	}
	printSummary(os.Stdout, res)
	return nil
}

func listFixtures(logf func(string, ...any)) error {
	fx, err := prepareFixtures(context.Background(), filepath.Join("build", "cache"), logf)
	if err != nil {
		return err
	}
	for _, n := range artifactNames() {
		fmt.Printf("%s  %10d  %s\n", fx.sums[n], fx.sizes[n], n)
	}
	return nil
}

func parseVariants(list string) ([]variant, error) {
	var vs []variant
	for _, n := range strings.Split(list, ",") {
		found := false
		for _, v := range allVariants {
			if v.Name == strings.TrimSpace(n) {
				vs, found = append(vs, v), true
			}
		}
		if !found {
			var names []string
			for _, v := range allVariants {
				names = append(names, v.Name)
			}
			return nil, fmt.Errorf("unknown variant %q (%s)", n, strings.Join(names, ", "))
		}
	}
	return vs, nil
}

// parseKinds reads -kinds: a comma-separated subset of allKinds; the cold build is always made.
func parseKinds(list string) (map[string]bool, error) {
	kinds := map[string]bool{"cold": true}
	for _, k := range strings.Split(list, ",") {
		k = strings.TrimSpace(k)
		if !slices.Contains(allKinds, k) {
			return nil, fmt.Errorf("unknown -kinds entry %q (%s)", k, strings.Join(allKinds, ", "))
		}
		kinds[k] = true
	}
	return kinds, nil
}
