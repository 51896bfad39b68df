// Package llb turns one resolved image of a builder spec, for one platform,
// into a BuildKit LLB graph and an image config. It is pure: no daemon, no
// network; the frontend hands it the base image and the build context.
//
// The graph has one independent stage per tool, each ending in a layer on
// scratch that holds only that tool, so a version bump changes one layer.
// The layers are joined onto the base (plus packages) with MergeOp, then run
// steps execute. Downloads are verified by sha256 and unpacked by the daemon
// itself or by our own binary on the build platform: nothing but packages and
// run steps runs on the target platform.
//
// The ops are made by concern, as buildkit's dockerfile2llb splits its
// convert_*.go: tools.go (downloads), gotools.go (Go compiles), packages.go,
// files.go (build-context files, directories, the file actions of a layer)
// and run.go.
package llb

import (
	"fmt"
	"strings"
	"time"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/spec"
)

// HelperPath is where the frontend binary sits in its own image; run with
// "unpack" it extracts archives (see internal/unpack).
const HelperPath = "/builder-frontend"

// Options are what the frontend supplies besides the resolved spec. Build
// only reads them.
type Options struct {
	// BuildPlatform is where downloads are unpacked (the daemon's platform).
	BuildPlatform ocispecs.Platform
	// TargetPlatform is the platform of the image.
	TargetPlatform ocispecs.Platform
	// Base is the base image's state, BaseImage its config (nil for scratch).
	Base      bk.State
	BaseImage *dockerspec.DockerOCIImage
	// BuildBase is the base image (the same reference) for BuildPlatform,
	// BuildBaseImage its config: a native package step runs its package
	// manager there. Nil: the package step runs on the target platform.
	BuildBase      *bk.State
	BuildBaseImage *dockerspec.DockerOCIImage
	// EmulatedPackages runs the package step on the target platform
	// whatever the spec's mode (--build-arg BUILDER_PACKAGES=emulated).
	EmulatedPackages bool
	// Context is the build context; only read when the spec copies files.
	Context func() (bk.State, error)
	// Helper is the frontend's own image, used to unpack what the daemon
	// cannot (zip). Nil when unknown: such tools then fail with a clear error.
	Helper *bk.State
	// HelperForAll sends every archive through Helper (for daemons whose host
	// lacks xz).
	HelperForAll bool
	// MergeOp says the daemon supports MergeOp; without it layers are copied.
	MergeOp bool
	// SourceMap attaches each op to the spec lines it came from.
	SourceMap *bk.SourceMap
	// SourceMaps are those of the files a spec with extends is read from,
	// by file name: an op whose lines are in another file than SourceMap's
	// (spec.Range.File) is attached to them there.
	SourceMaps map[string]*bk.SourceMap
	// CacheNS prefixes cache mount IDs (dockerui's BUILDKIT_CACHE_MOUNT_NS).
	CacheNS string
	// Epoch is the time stamp of every file the graph writes into a layer
	// (SOURCE_DATE_EPOCH); zero means DefaultEpoch.
	Epoch time.Time
}

// DefaultEpoch stamps layer files when SOURCE_DATE_EPOCH is not given, so
// that tool layers are reproducible by default.
var DefaultEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func (o Options) epoch() time.Time {
	if o.Epoch.IsZero() {
		return DefaultEpoch
	}
	return o.Epoch
}

// Graph is the LLB of one image for one platform.
type Graph struct {
	// State is the finished root file system.
	State bk.State
	// Tools are the per-tool layers, by tool name, in spec order.
	Tools []ToolLayer
	// Image is the image config.
	Image dockerspec.DockerOCIImage
	// Steps are the ops a build error can be traced to, each once.
	Steps []Step
	// Checks are the smoke checks of the tools, each its own graph off
	// State: solved apart from the image, never part of it.
	Checks []Check
}

// ToolLayer is one tool's own layer.
type ToolLayer struct {
	Name  string
	State bk.State
}

// Build returns the graph of r.
func Build(r *spec.Resolved, opt Options) (*Graph, error) {
	p := &planner{
		opt:   opt,
		r:     r,
		image: ImageConfig(r, opt.BaseImage, opt.TargetPlatform),
		steps: make([]Step, 0, 3*len(r.Tools)+len(r.GoTools)+len(r.Run)+1),
	}
	return p.graph()
}

// planner makes the graph of one resolved image for one platform. Its
// methods add the ops, and record the Step of each op a build error can be
// traced to.
type planner struct {
	opt Options
	r   *spec.Resolved
	// image is the image config: run steps and cgo compiles take their
	// environment from it.
	image dockerspec.DockerOCIImage
	steps []Step
	// lastCompile is the goDone output of the last native Go compile
	// planned: the next one waits for it.
	lastCompile *bk.State
}

// graph lays the image out: base and packages, one layer per tool, Go tool,
// file set and directory set, joined, then the run steps.
func (p *planner) graph() (*Graph, error) {
	g := &Graph{Image: p.image}
	root := p.opt.Base
	if p.r.Packages != nil {
		root = p.packages(root)
	}

	var layers []bk.State
	for _, t := range p.r.Tools {
		st, err := p.toolLayer(t, p.opt.TargetPlatform)
		if err != nil {
			return nil, err
		}
		g.Tools = append(g.Tools, ToolLayer{Name: t.Name, State: st})
		layers = append(layers, st)
	}
	if len(p.r.GoTools) > 0 {
		tc, err := p.goToolchainLayer(g.Tools)
		if err != nil {
			return nil, err
		}
		compileRoot := p.goCompileRoot(tc)
		// cgo tools compile inside the image as it stands with its tools.
		image := p.join(root, layers)
		for _, gt := range p.r.GoTools {
			st, err := p.goToolLayer(gt, compileRoot, image)
			if err != nil {
				return nil, err
			}
			g.Tools = append(g.Tools, ToolLayer{Name: gt.Name, State: st})
			layers = append(layers, st)
		}
	}
	if len(p.r.Files) > 0 {
		if p.opt.Context == nil {
			return nil, fmt.Errorf("the spec copies files but no build context was given")
		}
		ctxSt, err := p.opt.Context()
		if err != nil {
			return nil, err
		}
		layers = append(layers, p.filesLayer(ctxSt))
	}
	if len(p.r.Dirs) > 0 {
		layers = append(layers, p.dirsLayer())
	}
	g.State = p.run(p.join(root, layers))
	g.Steps = p.steps
	g.Checks = p.checks(g.State)
	return g, nil
}

// join lays the layers over root: one MergeOp when the daemon has it, a
// chain of copies otherwise.
func (p *planner) join(root bk.State, layers []bk.State) bk.State {
	if len(layers) == 0 {
		return root
	}
	if p.opt.MergeOp {
		return bk.Merge(append([]bk.State{root}, layers...), bk.WithCustomName("merge tool layers"))
	}
	for _, l := range layers {
		root = root.File(bk.Copy(l, "/", "/", &bk.CopyInfo{CopyDirContentsOnly: true, AllowEmptyWildcard: true}), bk.WithCustomName("copy tool layer (daemon without MergeOp)"))
	}
	return root
}

// record notes that st's last op does s's work for the spec.
func (p *planner) record(s Step) { p.steps = append(p.steps, s) }

// location is the source-map constraint for a spec range; BuildKit shows
// these lines of the spec when the op fails.
func (p *planner) location(r spec.Range) bk.ConstraintsOpt {
	sm := p.opt.SourceMap
	if other, ok := p.opt.SourceMaps[r.File]; ok && (sm == nil || sm.Filename != r.File) {
		sm = other
	}
	if sm == nil || r.Start.Line == 0 {
		return bk.WithDescription(nil) // an empty description changes nothing
	}
	end := r.End.Line
	if end < r.Start.Line {
		end = r.Start.Line
	}
	return sm.Location([]*pb.Range{{
		Start: &pb.Position{Line: int32(r.Start.Line)},
		End:   &pb.Position{Line: int32(end)},
	}})
}

// cacheID names a cache mount, under the BUILDKIT_CACHE_MOUNT_NS namespace
// when one is set (as the Dockerfile frontend does).
func (p *planner) cacheID(name string) string {
	id := "builder-frontend/" + name
	if p.opt.CacheNS != "" {
		id = p.opt.CacheNS + "/" + id
	}
	return id
}

func platformID(p ocispecs.Platform) string {
	return p.OS + "/" + p.Architecture + map[bool]string{true: "/" + p.Variant, false: ""}[p.Variant != ""]
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	if len(s) > 80 {
		s = s[:77] + "…"
	}
	return s
}
