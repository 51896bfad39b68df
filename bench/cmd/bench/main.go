// Command bench is `make bench`: it builds one builder-image workload three ways on the same BuildKit daemon and
// writes docs/performance.md.
//
// The three builds (bench/workload/): the builder spec through the frontend image, a hand-optimised Dockerfile
// and a seed-style Dockerfile (as the Maistra builder Dockerfiles are written), each for linux/amd64 and
// linux/arm64, pushed to the lab registry, provenance off. For each: a cold build after `buildctl prune --all`, then
// right after it a build with one tool bumped (BAZEL_VERSION 7.4.1 -> 7.5.0). Rounds alternate the three (A B C A
// B C). The images' file lists are compared per platform (equal work), and the layers of the bump build against
// the cold one (did only the bumped tool's layer change?). Every build's rawjson progress is kept and profiled:
// the chain of steps that finished last, the longest steps, the export.
//
// Everything runs on a private lab (internal/lab): buildkitd, an in-process registry and an artifact server on
// loopback serving real release artifacts made once and cached under build/cache/bench (see fixtures.go).
//
//	go run ./bench/cmd/bench [-runs 2] [-variants frontend,optimised,seed] [-out docs/performance.md]
//	go run ./bench/cmd/bench -report-only      # rewrite the doc from build/bench/results.json
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/template"
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

// allVariants are the builds -variants can name; the default is the first three. frontend-helper is an
// experiment: the frontend unpacking every archive with its own unpacker (strip done while unpacking) instead of
// the daemon's.
var allVariants = []variant{
	{"frontend", "builder spec (frontend)", "builder.yaml", true, nil},
	{"optimised", "hand-optimised Dockerfile", "optimised.Dockerfile", false, nil},
	{"seed", "seed-style Dockerfile", "seed.Dockerfile", false, nil},
	{"frontend-helper", "builder spec, BUILDER_UNPACK=helper", "builder.yaml", true, []string{"BUILDER_UNPACK=helper"}},
}

var platforms = []string{"linux/amd64", "linux/arm64"}

// Build is one measured build.
type Build struct {
	Variant string    `json:"variant"`
	Kind    string    `json:"kind"` // "cold" or "bump"
	Round   int       `json:"round"`
	Ref     string    `json:"ref"`
	Start   time.Time `json:"start"`
	Secs    float64   `json:"secs"`
	// Machine load: 1-minute load average and the share of both CPUs busy in the seconds before the build; during
	// the build the share busy, the CPU seconds of buildkitd (with everything it ran) and buildx, and the CPU
	// seconds of every other process on the machine.
	LoadBefore float64 `json:"loadBefore"`
	BusyBefore float64 `json:"busyBefore"`
	Busy       float64 `json:"busy"`
	CPUBuild   float64 `json:"cpuBuild"`
	// CPUDaemon is buildkitd's own share of CPUBuild (file operations: unpacking, copying, hashing, compressing
	// for the export); the rest is the processes it ran (containers, qemu, xz) and buildx.
	CPUDaemon float64  `json:"cpuDaemon"`
	CPUOther  float64  `json:"cpuOther"`
	Progress  string   `json:"progress"`
	Profile   *Profile `json:"profile,omitempty"`
}

// LayerCheck is the bump build's layers against the cold build's, per platform.
type LayerCheck struct {
	Variant string      `json:"variant"`
	Round   int         `json:"round"`
	Diffs   []LayerDiff `json:"diffs"`
}

// FileListCheck compares the cold images of two variants for one platform.
type FileListCheck struct {
	Platform string        `json:"platform"`
	A        string        `json:"a"`
	B        string        `json:"b"`
	Diff     *FileListDiff `json:"diff"`
	Files    int           `json:"files"` // entries in A
}

// ConfigCheck compares two variants' image configs (env, workdir, entrypoint) for one platform.
type ConfigCheck struct {
	Platform string   `json:"platform"`
	A        string   `json:"a"`
	B        string   `json:"b"`
	Diffs    []string `json:"diffs"`
}

// Results is everything a run measured; the doc is made from it (results.json, -report-only).
type Results struct {
	Date      time.Time          `json:"date"`
	Commit    string             `json:"commit"`
	Dirty     []string           `json:"dirty"`
	Machine   Machine            `json:"machine"`
	Runs      int                `json:"runs"`
	Variants  []string           `json:"variants"`
	GoBench   GoBench            `json:"goBench"`
	Fixtures  []Fixture          `json:"fixtures"`
	Builds    []*Build           `json:"builds"`
	Layers    []LayerCheck       `json:"layers"`
	FileLists []FileListCheck    `json:"fileLists"`
	Configs   []ConfigCheck      `json:"configs"`
	Setup     map[string]float64 `json:"setup"` // seconds: fixtures, lab start, frontend image, base image
	Duration  float64            `json:"duration"`
}

// Fixture is one served release artifact.
type Fixture struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// GoBench is `go test ./llb -bench ParsePlan`: its output (parsed by results) and the busy share of the CPUs
// before it ran.
type GoBench struct {
	Date       time.Time `json:"date"`
	Output     string    `json:"output"`
	Err        string    `json:"err,omitempty"`
	BusyBefore float64   `json:"busyBefore"`
}

// results returns ns/op per benchmark name (without the -GOMAXPROCS suffix), in the order of the output.
func (g GoBench) results() (names []string, nsPerOp map[string][]float64) {
	nsPerOp = map[string][]float64{}
	for _, line := range strings.Split(g.Output, "\n") {
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name := regexp.MustCompile(`-\d+$`).ReplaceAllString(m[1], "")
		f, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			continue
		}
		if _, ok := nsPerOp[name]; !ok {
			names = append(names, name)
		}
		nsPerOp[name] = append(nsPerOp[name], f)
	}
	return names, nsPerOp
}

func main() {
	runs := flag.Int("runs", 2, "rounds; each builds every variant cold and bumped (A B C A B C)")
	variantsFlag := flag.String("variants", "frontend,optimised,seed", "variants to build, in round order")
	out := flag.String("out", "docs/performance.md", "the report to write")
	work := flag.String("work", "build/bench", "where progress logs, file lists, the build context and results.json go")
	reportOnly := flag.Bool("report-only", false, "rewrite the report from WORK/results.json without building")
	quietWait := flag.Duration("quiet-wait", 3*time.Minute, "before each cold build, wait up to this long for the machine to be quiet")
	skipGoBench := flag.Bool("skip-gobench", false, "do not run the parse+plan Go benchmark")
	fixturesOnly := flag.Bool("fixtures-only", false, "make (or check) the cached fixtures and list them, build nothing")
	workloadDir := flag.String("workload", filepath.Join("bench", "workload"), "the workload templates, relative to the repository root (for experiments with a changed workload)")
	goBenchOnly := flag.Bool("gobench-only", false, "run the parse+plan Go benchmark again, store it in WORK/results.json and rewrite the report")
	flag.Parse()

	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+"bench: "+format+"\n", args...)
	}
	root, err := lab.RepoRoot()
	if err != nil {
		logf("%v", err)
		os.Exit(1)
	}
	if err := os.Chdir(root); err != nil {
		logf("%v", err)
		os.Exit(1)
	}
	workDir, _ := filepath.Abs(*work)
	if *goBenchOnly {
		p := filepath.Join(workDir, "results.json")
		res, err := loadResults(p)
		if err == nil {
			logf("go test ./llb -run '^$' -bench ParsePlan")
			res.GoBench = runGoBench(context.Background(), *quietWait, logf)
			reprofile(res)
			if err = saveResults(res, p); err == nil {
				err = writeReport(res, *out)
			}
		}
		if err != nil {
			logf("%v", err)
			os.Exit(1)
		}
		printSummary(os.Stdout, res)
		return
	}
	if *reportOnly {
		res, err := loadResults(filepath.Join(workDir, "results.json"))
		if err == nil {
			reprofile(res)
			err = writeReport(res, *out)
		}
		if err != nil {
			logf("%v", err)
			os.Exit(1)
		}
		printSummary(os.Stdout, res)
		return
	}
	if *fixturesOnly {
		fx, err := prepareFixtures(context.Background(), filepath.Join("build", "cache"), logf)
		if err != nil {
			logf("%v", err)
			os.Exit(1)
		}
		for _, n := range artifactNames() {
			fmt.Printf("%s  %10d  %s\n", fx.sums[n], fx.sizes[n], n)
		}
		return
	}
	var vs []variant
	for _, n := range strings.Split(*variantsFlag, ",") {
		found := false
		for _, v := range allVariants {
			if v.Name == strings.TrimSpace(n) {
				vs, found = append(vs, v), true
			}
		}
		if !found {
			logf("unknown variant %q (frontend, optimised, seed, frontend-helper)", n)
			os.Exit(2)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := runBench(ctx, vs, *runs, workDir, *workloadDir, *quietWait, *skipGoBench, logf)
	if res != nil {
		if werr := saveResults(res, filepath.Join(workDir, "results.json")); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		logf("%v", err)
		os.Exit(1)
	}
	if err := writeReport(res, *out); err != nil {
		logf("%v", err)
		os.Exit(1)
	}
	printSummary(os.Stdout, res)
	logf("wrote %s (data: %s)", *out, filepath.Join(workDir, "results.json"))
}

func runBench(ctx context.Context, vs []variant, runs int, workDir, workloadDir string, quietWait time.Duration, skipGoBench bool, logf func(string, ...any)) (*Results, error) {
	t0 := time.Now()
	if err := lab.Available(); err != nil {
		return nil, fmt.Errorf("the lab cannot run here: %v (make deps)", err)
	}
	for _, d := range []string{"progress", "files", "context"} {
		os.RemoveAll(filepath.Join(workDir, d))
		if err := os.MkdirAll(filepath.Join(workDir, d), 0o755); err != nil {
			return nil, err
		}
	}
	res := &Results{Date: time.Now().UTC(), Runs: runs, Machine: machineInfo(ctx), Setup: map[string]float64{}}
	res.Commit, res.Dirty = gitState(ctx)
	for _, v := range vs {
		res.Variants = append(res.Variants, v.Name)
	}

	// The planner benchmark first, while nothing else of ours runs.
	if !skipGoBench {
		logf("go test ./llb -run '^$' -bench ParsePlan")
		res.GoBench = runGoBench(ctx, quietWait, logf)
	}

	t := time.Now()
	fx, err := prepareFixtures(ctx, filepath.Join("build", "cache"), logf)
	if err != nil {
		return res, err
	}
	res.Setup["fixtures"] = since(t)
	for _, n := range artifactNames() {
		res.Fixtures = append(res.Fixtures, Fixture{Name: n, Size: fx.sizes[n], SHA256: fx.sums[n]})
	}

	t = time.Now()
	l, err := lab.Start(ctx, lab.Options{Logf: logf})
	if err != nil {
		return res, err
	}
	defer l.Close()
	res.Setup["lab"] = since(t)
	for name, p := range fx.files {
		l.Handle("/"+name, serveFile(p))
	}
	l.Handle("/goproxy/", stripPrefix("/goproxy", fx.proxyDir))

	t = time.Now()
	frontendRef, err := l.FrontendImage(ctx)
	if err != nil {
		return res, err
	}
	res.Setup["frontend image"] = since(t)
	t = time.Now()
	baseRef, err := buildBase(ctx, l, fx.rootfs, logf)
	if err != nil {
		return res, err
	}
	res.Setup["base image"] = since(t)

	ctxDir := filepath.Join(workDir, "context")
	if err := renderWorkload(workloadDir, ctxDir, fx.sums); err != nil {
		return res, err
	}
	keep := map[string]bool{}
	for _, ref := range []string{baseRef, frontendRef} {
		b, err := blobsOf(ref)
		if err != nil {
			return res, err
		}
		for k := range b {
			keep[k] = true
		}
	}

	common := []string{
		"--build-arg", "BASE=" + baseRef,
		"--build-arg", "RELEASES=" + l.ArtifactURL(),
		"--build-arg", "GOPROXY=" + l.ArtifactURL() + "/goproxy",
	}
	lists := map[string]map[string]map[string]entry{}    // variant -> platform -> files
	configs := map[string]map[string]map[string]string{} // variant -> platform -> config fields
	for r := 1; r <= runs; r++ {
		for _, v := range vs {
			// Cold: nothing cached in the daemon, no layer of ours in the registry.
			waitQuiet(ctx, quietWait, logf)
			n, err := resetRegistryBlobs(l.StateDir(), keep)
			if err != nil {
				return res, err
			}
			if out, err := l.Buildctl(ctx, "prune", "--all"); err != nil {
				return res, fmt.Errorf("%v\n%s", err, out)
			}
			logf("round %d, %s: cold build (cache pruned, %d registry blobs removed)", r, v.Name, n)
			cold, err := build(ctx, l, v, "cold", r, bazelCold, ctxDir, workDir, frontendRef, common)
			res.Builds = append(res.Builds, cold)
			if err != nil {
				return res, err
			}
			logf("round %d, %s: cold %.1f s", r, v.Name, cold.Secs)
			bump, err := build(ctx, l, v, "bump", r, bazelBump, ctxDir, workDir, frontendRef, common)
			res.Builds = append(res.Builds, bump)
			if err != nil {
				return res, err
			}
			logf("round %d, %s: bump %.1f s", r, v.Name, bump.Secs)

			lc := LayerCheck{Variant: v.Name, Round: r}
			for _, p := range platforms {
				d, err := layerDiff(cold.Ref, bump.Ref, p, "/usr/bin/bazel")
				if err != nil {
					return res, err
				}
				lc.Diffs = append(lc.Diffs, *d)
			}
			res.Layers = append(res.Layers, lc)
			if r == 1 {
				lists[v.Name] = map[string]map[string]entry{}
				configs[v.Name] = map[string]map[string]string{}
				for _, p := range platforms {
					if configs[v.Name][p], err = configOf(cold.Ref, p); err != nil {
						return res, err
					}
					fl, err := fileList(cold.Ref, p)
					if err != nil {
						return res, err
					}
					lists[v.Name][p] = fl
					name := fmt.Sprintf("%s-%s.txt", v.Name, strings.ReplaceAll(p, "/", "-"))
					if err := writeFileList(filepath.Join(workDir, "files", name), fl); err != nil {
						return res, err
					}
				}
			}
			if err := saveResults(res, filepath.Join(workDir, "results.json")); err != nil {
				return res, err
			}
		}
	}

	// Equal work: every variant's image against the first variant's (the frontend's), per platform. (Compared
	// from what was read right after each cold build: the registry no longer has those layers.)
	for i := 1; i < len(vs); i++ {
		a, b := vs[0].Name, vs[i].Name
		for _, p := range platforms {
			res.FileLists = append(res.FileLists, FileListCheck{Platform: p, A: a, B: b, Diff: compareFileLists(lists[a][p], lists[b][p]), Files: len(lists[a][p])})
			res.Configs = append(res.Configs, ConfigCheck{Platform: p, A: a, B: b, Diffs: compareConfigs(configs[a][p], configs[b][p])})
		}
	}
	res.Duration = since(t0)
	return res, nil
}

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

// baseDockerfile lays the debootstrap'd root file systems into a two-platform image.
const baseDockerfile = `FROM scratch
ARG TARGETARCH
COPY rootfs-${TARGETARCH}/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["/bin/bash"]
`

// buildBase pushes the two-platform Debian 12 base image to the lab registry.
func buildBase(ctx context.Context, l *lab.Lab, dir string, logf func(string, ...any)) (string, error) {
	ref := l.Registry() + "/bench/debian:12"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(baseDockerfile), 0o644); err != nil {
		return "", err
	}
	t := time.Now()
	out, err := l.Buildctl(ctx, "build", "--frontend", "dockerfile.v0",
		"--local", "context="+dir, "--local", "dockerfile="+dir,
		"--opt", "platform="+strings.Join(platforms, ","),
		"--output", "type=image,name="+ref+",push=true")
	if err != nil {
		return "", fmt.Errorf("base image: %v\n%s", err, tailLines(string(out), 30))
	}
	logf("base image %s (Debian 12 minbase, amd64+arm64) pushed in %.1f s", ref, time.Since(t).Seconds())
	return ref, nil
}

// renderWorkload writes the build context: the templates of bench/workload with the fixtures' sha256 filled in,
// and the other files as they are.
func renderWorkload(src, dst string, sums map[string]string) error {
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	funcs := template.FuncMap{"sha": func(name string) (string, error) {
		s, ok := sums[name]
		if !ok {
			return "", fmt.Errorf("no fixture named %s", name)
		}
		return s, nil
	}}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		name, mode := e.Name(), os.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		if base, ok := strings.CutSuffix(name, ".tmpl"); ok {
			t, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(string(data))
			if err != nil {
				return err
			}
			var b bytes.Buffer
			if err := t.Execute(&b, nil); err != nil {
				return err
			}
			name, data = base, b.Bytes()
		}
		if err := os.WriteFile(filepath.Join(dst, name), data, mode); err != nil {
			return err
		}
	}
	return nil
}

// compareConfigs compares env (as sets), workdir, entrypoint and cmd of two images.
func compareConfigs(ca, cb map[string]string) []string {
	var diffs []string
	for _, k := range sortedKeys(union(ca, cb)) {
		if ca[k] != cb[k] {
			diffs = append(diffs, fmt.Sprintf("%s: %q | %q", k, ca[k], cb[k]))
		}
	}
	return diffs
}

func configOf(ref, platform string) (map[string]string, error) {
	img, err := lab.Image(ref, platform)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	m := map[string]string{"workdir": cf.Config.WorkingDir, "entrypoint": strings.Join(cf.Config.Entrypoint, " "), "cmd": strings.Join(cf.Config.Cmd, " ")}
	for _, e := range cf.Config.Env {
		k, v, _ := strings.Cut(e, "=")
		m["env "+k] = v
	}
	return m, nil
}

func union(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+)\s+\d+\s+([\d.]+) ns/op`)

func runGoBench(ctx context.Context, quietWait time.Duration, logf func(string, ...any)) GoBench {
	// Compile first, so that the measurement starts on a quiet machine.
	if out, err := exec.CommandContext(ctx, "go", "test", "-c", "-o", os.DevNull, "./llb").CombinedOutput(); err != nil {
		return GoBench{Output: string(out), Err: err.Error()}
	}
	waitQuiet(ctx, quietWait, logf)
	gb := GoBench{BusyBefore: round2(busyShare(ctx, 2*time.Second)), Date: time.Now().UTC()}
	cmd := exec.CommandContext(ctx, "go", "test", "./llb", "-run", "^$", "-bench", "ParsePlan", "-benchtime", "2s", "-count", "5")
	out, err := cmd.CombinedOutput()
	gb.Output = string(out)
	if err != nil {
		gb.Err = err.Error()
	}
	return gb
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

func saveResults(res *Results, p string) error {
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return writeAtomic(p, data)
}

func loadResults(p string) (*Results, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	res := &Results{}
	return res, json.Unmarshal(data, res)
}

func since(t time.Time) float64 { return round2(time.Since(t).Seconds()) }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64{}, xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// reprofile profiles the builds again from their progress files, where they are still there (a newer profiler
// for old data).
func reprofile(res *Results) {
	for _, b := range res.Builds {
		if b.Profile == nil {
			continue
		}
		if pr, err := profileFile(b.Progress, b.Start); err == nil {
			b.Profile = pr
		}
	}
}
