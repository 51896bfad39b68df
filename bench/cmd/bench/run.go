package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/maistra/builder-frontend/internal/lab"
)

// variant is one way of building the workload.
type variant struct {
	Name     string // key in results
	Title    string // in tables
	File     string // in the build context
	Frontend bool   // built through the frontend image
	Args     []string
}

// allVariants are the builds -variants can name; the default is the first four. frontend builds the spec as it
// is (apt natively: the package manager of the build platform's base image installs into the arm64 root, only
// maintainer scripts run under emulation); frontend-emulated forces the package step onto the target platform,
// as the Dockerfiles do it. frontend-helper is an experiment: the frontend unpacking every archive with its own
// unpacker (strip done while unpacking) instead of the daemon's.
var allVariants = []variant{
	{"frontend", "builder spec (frontend, native packages)", "builder.yaml", true, nil},
	{"frontend-emulated", "builder spec, BUILDER_PACKAGES=emulated", "builder.yaml", true, []string{"BUILDER_PACKAGES=emulated"}},
	{"optimised", "hand-optimised Dockerfile", "optimised.Dockerfile", false, nil},
	{"seed", "seed-style Dockerfile", "seed.Dockerfile", false, nil},
	{"frontend-helper", "builder spec, BUILDER_UNPACK=helper", "builder.yaml", true, []string{"BUILDER_UNPACK=helper"}},
}

// defaultVariants are the builds of a run without -variants.
const defaultVariants = "frontend,frontend-emulated,optimised,seed"

var platforms = []string{"linux/amd64", "linux/arm64"}

// bumpedPath is the file the bump build changes (BAZEL_VERSION).
const bumpedPath = "/usr/bin/bazel"

// benchOptions are the flags of a run.
type benchOptions struct {
	variants    []variant
	runs        int
	workDir     string
	workloadDir string
	quietWait   time.Duration
	skipGoBench bool
	kinds       map[string]bool // the builds of each round, "cold" always (-kinds)
	logf        func(string, ...any)
}

// bench is a run in progress: the lab, the images and the build context every build uses, and what was measured
// so far.
type bench struct {
	benchOptions
	res         *Results
	lab         *lab.Lab
	frontendRef string
	ctxDir      string
	// The scale scenarios' inputs: the second branch's build context and the base moved to a new digest.
	branchCtxDir, movedBaseRef string
	keep                       map[string]bool // registry blobs a cold build leaves in place: the base and frontend images'
	common                     []string        // build-args of every build
	// What the first round's cold images hold, compared once every variant is built: variant -> platform -> ...
	lists   map[string]map[string]map[string]entry
	configs map[string]map[string]map[string]string
}

// runBench builds every variant runs times and compares what they built. It returns what was measured, also
// when it fails part way.
func runBench(ctx context.Context, o benchOptions) (*Results, error) {
	t0 := time.Now()
	if err := lab.Available(); err != nil {
		return nil, fmt.Errorf("the lab cannot run here: %v (make deps)", err)
	}
	for _, d := range []string{"progress", "files", "context", "context-branch"} {
		os.RemoveAll(filepath.Join(o.workDir, d))
		if err := os.MkdirAll(filepath.Join(o.workDir, d), 0o755); err != nil {
			return nil, err
		}
	}
	b := &bench{benchOptions: o, lists: map[string]map[string]map[string]entry{}, configs: map[string]map[string]map[string]string{},
		res: &Results{Date: time.Now().UTC(), Runs: o.runs, Machine: machineInfo(ctx), Setup: map[string]float64{}, QuietWait: o.quietWait.Seconds()}}
	b.res.Commit, b.res.Dirty = gitState(ctx)
	for _, v := range o.variants {
		b.res.Variants = append(b.res.Variants, v.Name)
	}
	for _, k := range allKinds {
		if o.kinds[k] {
			b.res.Kinds = append(b.res.Kinds, k)
		}
	}

	// The planner benchmark first, while nothing else of ours runs.
	if !o.skipGoBench {
		o.logf("%s", goBenchCommand)
		b.res.GoBench = runGoBench(ctx, o.quietWait, o.logf)
	}
	err := b.setUp(ctx)
	if b.lab != nil {
		defer b.lab.Close()
	}
	if err != nil {
		return b.res, err
	}
	for r := 1; r <= o.runs; r++ {
		for _, v := range o.variants {
			if err := b.round(ctx, r, v); err != nil {
				return b.res, err
			}
			if err := saveResults(b.res, filepath.Join(o.workDir, "results.json")); err != nil {
				return b.res, err
			}
		}
	}
	b.compare()
	b.res.Duration = since(t0)
	return b.res, nil
}

// setUp makes the fixtures, starts the lab, serves the fixtures, pushes the frontend and base images and renders
// the build context.
func (b *bench) setUp(ctx context.Context) error {
	t := time.Now()
	fx, err := prepareFixtures(ctx, filepath.Join("build", "cache"), b.logf)
	if err != nil {
		return err
	}
	b.res.Setup["fixtures"] = since(t)
	for _, n := range artifactNames() {
		b.res.Fixtures = append(b.res.Fixtures, Fixture{Name: n, Size: fx.sizes[n], SHA256: fx.sums[n]})
	}

	t = time.Now()
	if b.lab, err = lab.Start(ctx, lab.Options{Logf: b.logf}); err != nil {
		return err
	}
	b.res.Setup["lab"] = since(t)
	for name, p := range fx.files {
		b.lab.Handle("/"+name, serveFile(p))
	}
	b.lab.Handle("/goproxy/", stripPrefix("/goproxy", fx.proxyDir))

	t = time.Now()
	if b.frontendRef, err = b.lab.FrontendImage(ctx); err != nil {
		return err
	}
	b.res.Setup["frontend image"] = since(t)
	t = time.Now()
	baseRef, err := buildBase(ctx, b.lab, fx.rootfs, b.logf)
	if err != nil {
		return err
	}
	b.res.Setup["base image"] = since(t)

	b.ctxDir = filepath.Join(b.workDir, "context")
	if err := renderWorkload(b.workloadDir, b.ctxDir, fx.sums, workloadData{LLVM: true}); err != nil {
		return err
	}
	b.branchCtxDir = filepath.Join(b.workDir, "context-branch")
	if err := renderWorkload(b.workloadDir, b.branchCtxDir, fx.sums, workloadData{LLVM: false}); err != nil {
		return err
	}
	keep := []string{baseRef, b.frontendRef}
	if b.kinds[kindBase] {
		t = time.Now()
		b.movedBaseRef = baseRef + "-moved"
		if err := b.lab.BaseVariant(ctx, baseRef, b.movedBaseRef, map[string]string{"/etc/base-release": "moved\n"}); err != nil {
			return err
		}
		b.res.Setup["moved base image"] = since(t)
		keep = append(keep, b.movedBaseRef)
	}
	b.keep = map[string]bool{}
	for _, ref := range keep {
		blobs, err := blobsOf(ref)
		if err != nil {
			return err
		}
		for k := range blobs {
			b.keep[k] = true
		}
	}
	b.common = []string{
		"--build-arg", "BASE=" + baseRef,
		"--build-arg", "RELEASES=" + b.lab.ArtifactURL(),
		"--build-arg", "GOPROXY=" + b.lab.ArtifactURL() + "/goproxy",
	}
	return nil
}

// round builds variant v cold and bumped, compares the bump's layers with the cold build's, and in the first
// round reads what the cold image holds.
func (b *bench) round(ctx context.Context, r int, v variant) error {
	// Cold: nothing cached in the daemon, no layer of ours in the registry.
	waitQuiet(ctx, b.quietWait, b.logf)
	n, err := resetRegistryBlobs(b.lab.StateDir(), b.keep)
	if err != nil {
		return err
	}
	if out, err := b.lab.Buildctl(ctx, "prune", "--all"); err != nil {
		return fmt.Errorf("%v\n%s", err, out)
	}
	b.logf("round %d, %s: cold build (cache pruned, %d registry blobs removed)", r, v.Name, n)
	cold, err := build(ctx, b.lab, v, "cold", r, bazelCold, b.ctxDir, b.workDir, b.frontendRef, b.common)
	b.res.Builds = append(b.res.Builds, cold)
	if err != nil {
		return err
	}
	b.logf("round %d, %s: cold %.1f s", r, v.Name, cold.Secs)
	if b.kinds["bump"] {
		bump, err := build(ctx, b.lab, v, "bump", r, bazelBump, b.ctxDir, b.workDir, b.frontendRef, b.common)
		b.res.Builds = append(b.res.Builds, bump)
		if err != nil {
			return err
		}
		b.logf("round %d, %s: bump %.1f s", r, v.Name, bump.Secs)

		lc := LayerCheck{Variant: v.Name, Round: r}
		for _, p := range platforms {
			d, err := layerDiff(cold.Ref, bump.Ref, p, bumpedPath)
			if err != nil {
				return err
			}
			lc.Diffs = append(lc.Diffs, *d)
		}
		b.res.Layers = append(b.res.Layers, lc)
	}
	if err := b.scaleBuilds(ctx, r, v, cold); err != nil {
		return err
	}
	if r > 1 {
		return nil
	}
	b.lists[v.Name] = map[string]map[string]entry{}
	b.configs[v.Name] = map[string]map[string]string{}
	for _, p := range platforms {
		if b.configs[v.Name][p], err = configOf(cold.Ref, p); err != nil {
			return err
		}
		fl, err := fileList(cold.Ref, p)
		if err != nil {
			return err
		}
		b.lists[v.Name][p] = fl
		name := fmt.Sprintf("%s-%s.txt", v.Name, strings.ReplaceAll(p, "/", "-"))
		if err := writeFileList(filepath.Join(b.workDir, "files", name), fl); err != nil {
			return err
		}
	}
	return nil
}

// compare checks equal work: every variant's image against the first variant's (the frontend's), per platform.
// (Compared from what was read right after each cold build: the registry no longer has those layers.)
func (b *bench) compare() {
	vs := b.variants
	for i := 1; i < len(vs); i++ {
		x, y := vs[0].Name, vs[i].Name
		for _, p := range platforms {
			b.res.FileLists = append(b.res.FileLists, FileListCheck{Platform: p, A: x, B: y, Diff: compareFileLists(b.lists[x][p], b.lists[y][p]), Files: len(b.lists[x][p])})
			b.res.Configs = append(b.res.Configs, ConfigCheck{Platform: p, A: x, B: y, Diffs: compareConfigs(b.configs[x][p], b.configs[y][p])})
		}
	}
	if b.lists["frontend"] == nil || b.lists["frontend-emulated"] == nil {
		return
	}
	for _, p := range platforms {
		a, e := b.lists["frontend"][p][dpkgStatus], b.lists["frontend-emulated"][p][dpkgStatus]
		b.res.PackageDBs = append(b.res.PackageDBs, PackageDBCheck{Platform: p, A: "frontend", B: "frontend-emulated",
			Same: a.SHA256 != "" && a.SHA256 == e.SHA256})
	}
}

// dpkgStatus is the dpkg database of the workload's Debian images.
const dpkgStatus = "/var/lib/dpkg/status"

// build runs one `buildx build` of variant v with BAZEL_VERSION=bazel and profiles it.
func build(ctx context.Context, l *lab.Lab, v variant, kind string, round int, bazel, ctxDir, workDir, frontendRef string, common []string) (*Build, error) {
	b := &Build{Variant: v.Name, Kind: kind, Round: round}
	b.Ref = fmt.Sprintf("%s/bench/%s:%s-r%d", l.Registry(), v.Name, kind, round)
	args := []string{"build", "--progress=rawjson", "--provenance=false",
		"--platform", strings.Join(platforms, ","),
		"-f", filepath.Join(ctxDir, v.File),
		"--build-arg", "BAZEL_VERSION=" + bazel}
	args = append(args, common...)
	if v.Frontend {
		args = append(args, "--build-arg", "BUILDKIT_SYNTAX="+frontendRef)
	}
	for _, a := range v.Args {
		args = append(args, "--build-arg", a)
	}
	args = append(args, "-t", b.Ref, "--push", ctxDir)

	b.Progress = filepath.Join(workDir, "progress", fmt.Sprintf("%s-%s-r%d.json", v.Name, kind, round))
	pf, err := os.Create(b.Progress)
	if err != nil {
		return b, err
	}
	defer pf.Close()
	bctx, cancel := context.WithTimeout(ctx, 60*time.Minute)
	defer cancel()
	cmd := l.Command(bctx, "buildx", args...)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, pf

	b.LoadBefore = loadAvg()
	mark := len(l.RegistryRequests(0))
	busy0, total0 := cpuTotals()
	bk0, self0 := procCPU(l.BuildkitdPID()), procCPU(os.Getpid())
	own0, _ := procCPUSplit(l.BuildkitdPID())
	b.Start = time.Now()
	err = cmd.Run()
	b.Secs = round2(time.Since(b.Start).Seconds())
	busy1, total1 := cpuTotals()
	bk1, self1 := procCPU(l.BuildkitdPID()), procCPU(os.Getpid())
	own1, _ := procCPUSplit(l.BuildkitdPID())
	b.CPUDaemon = round2(own1 - own0)
	if total1 > total0 {
		b.Busy = round2((busy1 - busy0) / (total1 - total0))
	}
	var buildx float64
	if cmd.ProcessState != nil {
		buildx = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	}
	b.CPUBuild = round2(bk1 - bk0 + buildx)
	b.CPUOther = round2(max(0, (busy1-busy0)/clockTicks-b.CPUBuild-(self1-self0)))
	b.UploadedDigests, b.UploadedBytes = blobUploads(l.RegistryRequests(mark))
	b.UploadedBlobs = len(b.UploadedDigests)
	if err != nil {
		pf.Sync()
		return b, fmt.Errorf("%s %s build (round %d): %v\n%s\n(progress: %s)", v.Name, kind, round, err, tailLines(plainTail(b.Progress), 40), b.Progress)
	}
	b.Profile, err = profileFile(b.Progress, b.Start)
	return b, err
}

// plainTail turns the end of a rawjson progress file into readable lines (logs and vertex errors).
func plainTail(p string) string {
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	var out []string
	dec := json.NewDecoder(f)
	for {
		var ss struct {
			Vertexes []struct{ Name, Error string } `json:"vertexes"`
			Logs     []struct{ Data []byte }        `json:"logs"`
		}
		if err := dec.Decode(&ss); err != nil {
			break
		}
		for _, l := range ss.Logs {
			out = append(out, strings.Split(strings.TrimRight(string(l.Data), "\n"), "\n")...)
		}
		for _, v := range ss.Vertexes {
			if v.Error != "" {
				out = append(out, "ERROR in "+v.Name+": "+v.Error)
			}
		}
	}
	if len(out) > 200 {
		out = out[len(out)-200:]
	}
	return strings.Join(out, "\n")
}

func gitState(ctx context.Context) (string, []string) {
	c, _ := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD").Output()
	s, _ := exec.CommandContext(ctx, "git", "status", "--porcelain").Output()
	var dirty []string
	for _, l := range strings.Split(strings.TrimSpace(string(s)), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			dirty = append(dirty, l)
		}
	}
	return strings.TrimSpace(string(c)), dirty
}
