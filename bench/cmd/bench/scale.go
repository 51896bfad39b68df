package main

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/maistra/builder-frontend/internal/imagewalk"
	"github.com/maistra/builder-frontend/internal/lab"
)

// The scale scenarios (issue 13), each built right after a variant's cold build and pushed to the same repository,
// as CI pushes the images of every branch of a project:
const (
	// kindBranch is the workload of a second branch: the same Go, bazel, buf, protoc and Go tools, no clang+llvm
	// (bench/workload's templates with LLVM false).
	kindBranch = "branch"
	// kindBase is the workload on the base image moved to a new digest: one file more, as a distro update
	// moves it (lab.BaseVariant).
	kindBase = "base"
)

// allKinds are the builds of a round, in order; -kinds picks some (the cold build always: the others are measured
// against it).
var allKinds = []string{"cold", "bump", kindBranch, kindBase}

// workloadData fills bench/workload's templates besides the checksums.
type workloadData struct {
	LLVM bool // the clang+llvm tool: in the main workload, not in the second branch's
}

// toolFiles names a file (or, ending in "/", a directory) each tool of the workload installs: the layer that
// holds it is the tool's layer, in an image of any variant.
var toolFiles = []struct{ Tool, Path string }{
	{"go", "/usr/local/go/bin/go"},
	{"clang-llvm", "/usr/lib/llvm/bin/"},
	{"bazel", "/usr/bin/bazel"},
	{"buf", "/usr/local/bin/buf"},
	{"protoc", "/usr/local/bin/protoc"},
	{"go-junit-report", "/usr/local/bin/go-junit-report"},
	{"protoc-gen-go", "/usr/local/bin/protoc-gen-go"},
}

// ShareCheck compares the tool layers of a branch or base build with the cold build of the same variant and round,
// for one platform.
type ShareCheck struct {
	Variant  string      `json:"variant"`
	Kind     string      `json:"kind"`
	Round    int         `json:"round"`
	Platform string      `json:"platform"`
	Tools    []ToolLayer `json:"tools"`
}

// ToolLayer is one tool's layer in a branch or base build.
type ToolLayer struct {
	Tool     string `json:"tool"`
	Digest   string `json:"digest"`
	Size     int64  `json:"size"`     // compressed
	Same     bool   `json:"same"`     // the cold build's layer for the tool, the same blob
	Uploaded bool   `json:"uploaded"` // this build's push uploaded it
}

// toolLayer is a tool's layer in one image.
type toolLayer struct {
	digest string
	size   int64
}

// toolLayersOf finds the layer of each tool of toolFiles in the image ref for platform: the last layer holding a
// file at (or below) the tool's path. Tools the image does not hold are left out.
func toolLayersOf(ref, platform string) (map[string]toolLayer, error) {
	layers, err := lab.Layers(ref, platform)
	if err != nil {
		return nil, err
	}
	out := map[string]toolLayer{}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		size, err := l.Size()
		if err != nil {
			return nil, err
		}
		err = imagewalk.Layer(l, func(p string, h *tar.Header, _ io.Reader) error {
			if h.Typeflag == tar.TypeDir {
				return nil
			}
			for _, tf := range toolFiles {
				if p == tf.Path || strings.HasSuffix(tf.Path, "/") && strings.HasPrefix(p, tf.Path) {
					out[tf.Tool] = toolLayer{d.String(), size}
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s (%s): layer %s: %w", ref, platform, d, err)
		}
	}
	return out, nil
}

// shareCheck compares the tool layers of build (a branch or base build) with those of the cold build (cold, as
// toolLayersOf read them), given the blobs build's push uploaded.
func shareCheck(build *Build, platform string, cold map[string]toolLayer, uploaded map[string]bool) (ShareCheck, error) {
	sc := ShareCheck{Variant: build.Variant, Kind: build.Kind, Round: build.Round, Platform: platform}
	got, err := toolLayersOf(build.Ref, platform)
	if err != nil {
		return sc, err
	}
	for _, tf := range toolFiles {
		tl, ok := got[tf.Tool]
		if !ok {
			continue
		}
		sc.Tools = append(sc.Tools, ToolLayer{Tool: tf.Tool, Digest: tl.digest, Size: tl.size,
			Same: cold[tf.Tool].digest == tl.digest, Uploaded: uploaded[tl.digest]})
	}
	return sc, nil
}

// scaleBuilds builds the branch and base scenarios that -kinds asks for after variant v's cold build of round r
// and compares their tool layers with the cold build's.
func (b *bench) scaleBuilds(ctx context.Context, r int, v variant, cold *Build) error {
	var coldTools map[string]map[string]toolLayer // platform -> tool -> layer, read once
	for _, kind := range []string{kindBranch, kindBase} {
		if !b.kinds[kind] {
			continue
		}
		ctxDir, common := b.ctxDir, b.common
		if kind == kindBranch {
			ctxDir = b.branchCtxDir
		} else {
			common = withBuildArg(common, "BASE", b.movedBaseRef)
		}
		bd, err := build(ctx, b.lab, v, kind, r, bazelCold, ctxDir, b.workDir, b.frontendRef, common)
		b.res.Builds = append(b.res.Builds, bd)
		if err != nil {
			return err
		}
		b.logf("round %d, %s: %s %.1f s, %d blobs (%.1f MB) uploaded", r, v.Name, kind, bd.Secs, bd.UploadedBlobs, float64(bd.UploadedBytes)/1e6)
		if coldTools == nil {
			coldTools = map[string]map[string]toolLayer{}
			for _, p := range platforms {
				if coldTools[p], err = toolLayersOf(cold.Ref, p); err != nil {
					return err
				}
			}
		}
		uploaded := map[string]bool{}
		for _, d := range bd.UploadedDigests {
			uploaded[d] = true
		}
		for _, p := range platforms {
			sc, err := shareCheck(bd, p, coldTools[p], uploaded)
			if err != nil {
				return err
			}
			b.res.Shares = append(b.res.Shares, sc)
		}
	}
	return nil
}

// withBuildArg is args (`--build-arg K=V` pairs among others) with the build-arg name set to value.
func withBuildArg(args []string, name, value string) []string {
	out := make([]string, 0, len(args)+2)
	for i := 0; i < len(args); i++ {
		if args[i] == "--build-arg" && i+1 < len(args) && strings.HasPrefix(args[i+1], name+"=") {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return append(out, "--build-arg", name+"="+value)
}

// blobUploads is what the builds's push sent: the digests of the blobs uploaded (layers and configs), and their
// bytes.
func blobUploads(reqs []lab.Request) (digests []string, bytes int64) {
	for _, u := range lab.BlobUploads(reqs) {
		digests = append(digests, u.Digest)
		bytes += u.Bytes
	}
	return digests, bytes
}

// scaleSection is the report's "Across branches and base bumps".
type scaleSection struct {
	Measured bool
	Rows     []scaleRow
	Goals    []goal
	Details  []shareRow
	Files    []string // toolFiles as "tool: path"
}

// scaleRow is one variant's branch and base builds: those of the round whose time is the median.
type scaleRow struct {
	Title                    string
	BranchSecs, BaseSecs     float64
	BranchUploaded           string // "12.3 MB in 5 blobs"
	BaseUploaded             string
	BranchShared, BaseTools  string // "0 of 10 uploaded again", "2 of 14 changed"
	BranchRound, BaseRound   int
	branchBuild, baseBuild   *Build
	branchShares, baseShares []ShareCheck
}

// shareRow is one ShareCheck as the report lists it.
type shareRow struct {
	Round                       int
	Variant, Scenario, Platform string
	Same, Changed, Uploaded     string
}

func scenarioName(kind string) string {
	if kind == kindBranch {
		return "second branch"
	}
	return "base moved"
}

func newScaleSection(res *Results, s *summary) scaleSection {
	sec := scaleSection{}
	for _, tf := range toolFiles {
		sec.Files = append(sec.Files, tf.Tool+": "+tf.Path)
	}
	for _, v := range res.Variants {
		row := scaleRow{Title: title(v), BranchSecs: s.med(v, kindBranch), BaseSecs: s.med(v, kindBase)}
		row.branchBuild, row.baseBuild = s.medianBuild(v, kindBranch), s.medianBuild(v, kindBase)
		if row.branchBuild == nil && row.baseBuild == nil {
			continue
		}
		sec.Measured = true
		if b := row.branchBuild; b != nil {
			row.BranchRound, row.BranchUploaded = b.Round, uploadedText(b)
			row.branchShares = sharesOf(res, b)
			n, of := countTools(row.branchShares, func(tl ToolLayer) bool { return tl.Same && tl.Uploaded }, func(tl ToolLayer) bool { return tl.Same })
			row.BranchShared = fmt.Sprintf("%d of %d uploaded again", n, of)
		}
		if b := row.baseBuild; b != nil {
			row.BaseRound, row.BaseUploaded = b.Round, uploadedText(b)
			row.baseShares = sharesOf(res, b)
			n, of := countTools(row.baseShares, func(tl ToolLayer) bool { return !tl.Same }, func(ToolLayer) bool { return true })
			row.BaseTools = fmt.Sprintf("%d of %d changed", n, of)
		}
		sec.Rows = append(sec.Rows, row)
	}
	for _, sc := range res.Shares {
		r := shareRow{Round: sc.Round, Variant: title(sc.Variant), Scenario: scenarioName(sc.Kind), Platform: sc.Platform}
		var same, changed, uploaded []string
		for _, tl := range sc.Tools {
			if tl.Same {
				same = append(same, tl.Tool)
			} else {
				changed = append(changed, tl.Tool)
			}
			if tl.Uploaded {
				uploaded = append(uploaded, fmt.Sprintf("%s (%s)", tl.Tool, bytesText(tl.Size)))
			}
		}
		r.Same, r.Changed, r.Uploaded = listText(same), listText(changed), listText(uploaded)
		sec.Details = append(sec.Details, r)
	}
	sec.Goals = scaleGoals(res)
	return sec
}

// scaleGoals are issue 13's goals for the frontend, judged on every round and platform measured.
func scaleGoals(res *Results) []goal {
	var gs []goal
	for _, kind := range []string{kindBranch, kindBase} {
		n, of := 0, 0
		for _, sc := range res.Shares {
			if sc.Variant != "frontend" || sc.Kind != kind {
				continue
			}
			for _, tl := range sc.Tools {
				switch {
				case kind == kindBranch && tl.Same:
					of++
					if tl.Uploaded {
						n++
					}
				case kind == kindBase:
					of++
					if !tl.Same {
						n++
					}
				}
			}
		}
		if of == 0 {
			continue
		}
		if kind == kindBranch {
			gs = append(gs, goal{"a second branch uploads no layer of a tool it shares with the first", n == 0,
				fmt.Sprintf("%d of %d shared tool layers uploaded again (every round and platform)", n, of)})
		} else {
			gs = append(gs, goal{"moving the base image to a new digest changes no tool layer", n == 0,
				fmt.Sprintf("%d of %d tool layers changed (every round and platform)", n, of)})
		}
	}
	return gs
}

func sharesOf(res *Results, b *Build) []ShareCheck {
	var out []ShareCheck
	for _, sc := range res.Shares {
		if sc.Variant == b.Variant && sc.Kind == b.Kind && sc.Round == b.Round {
			out = append(out, sc)
		}
	}
	return out
}

// countTools counts the tool layers of scs that match among those that count.
func countTools(scs []ShareCheck, match, counts func(ToolLayer) bool) (n, of int) {
	for _, sc := range scs {
		for _, tl := range sc.Tools {
			if counts(tl) {
				of++
				if match(tl) {
					n++
				}
			}
		}
	}
	return n, of
}

func uploadedText(b *Build) string {
	return fmt.Sprintf("%s in %d blobs", bytesText(b.UploadedBytes), b.UploadedBlobs)
}

func bytesText(n int64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

func listText(xs []string) string {
	if len(xs) == 0 {
		return "–"
	}
	return strings.Join(xs, ", ")
}
