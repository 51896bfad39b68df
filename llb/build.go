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
package llb

import (
	"fmt"
	"maps"
	"os"
	"path"
	"slices"
	"sort"
	"strconv"
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

// Options are what the frontend supplies besides the resolved spec.
type Options struct {
	// BuildPlatform is where downloads are unpacked (the daemon's platform).
	BuildPlatform ocispecs.Platform
	// TargetPlatform is the platform of the image.
	TargetPlatform ocispecs.Platform
	// Base is the base image's state, BaseImage its config (nil for scratch).
	Base      bk.State
	BaseImage *dockerspec.DockerOCIImage
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
	// CacheNS prefixes cache mount IDs (dockerui's BUILDKIT_CACHE_MOUNT_NS).
	CacheNS string
	// Epoch is the time stamp of every file the graph writes into a layer
	// (SOURCE_DATE_EPOCH); zero means DefaultEpoch.
	Epoch time.Time

	steps *steps
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
	// Steps are the ops a build error can be traced to.
	Steps []Step
}

// ToolLayer is one tool's own layer.
type ToolLayer struct {
	Name  string
	State bk.State
}

// Build returns the graph of r.
func Build(r *spec.Resolved, opt Options) (*Graph, error) {
	g := &Graph{}
	opt.steps = &steps{list: make([]Step, 0, 3*len(r.Tools)+len(r.GoTools)+len(r.Run)+1)}
	defer func() { g.Steps = opt.steps.list }()
	img := ImageConfig(r, opt.BaseImage, opt.TargetPlatform)
	g.Image = img

	root := opt.Base
	if r.Packages != nil {
		// The base's own environment only: a tool's PATH entry or the
		// image's env must not rerun the (emulated) package install.
		env := []string{"PATH=" + defaultPath}
		if opt.BaseImage != nil && len(opt.BaseImage.Config.Env) > 0 {
			env = opt.BaseImage.Config.Env
		}
		root = packages(root, r, opt, env)
	}

	layers := []bk.State{}
	for _, t := range r.Tools {
		st, err := toolLayer(t, opt)
		if err != nil {
			return nil, err
		}
		g.Tools = append(g.Tools, ToolLayer{Name: t.Name, State: st})
		layers = append(layers, st)
	}
	if len(r.GoTools) > 0 {
		tc, err := goToolchainLayer(r, opt)
		if err != nil {
			return nil, err
		}
		compileRoot := goCompileRoot(tc, opt)
		// cgo tools compile inside the image as it stands with its tools.
		image := join(root, layers, opt)
		for _, gt := range r.GoTools {
			st := goToolLayer(r, gt, opt, compileRoot, image)
			g.Tools = append(g.Tools, ToolLayer{Name: gt.Name, State: st})
			layers = append(layers, st)
		}
	}
	if len(r.Files) > 0 {
		if opt.Context == nil {
			return nil, fmt.Errorf("the spec copies files but no build context was given")
		}
		ctxSt, err := opt.Context()
		if err != nil {
			return nil, err
		}
		layers = append(layers, filesLayer(r, ctxSt, opt))
	}
	if len(r.Dirs) > 0 {
		layers = append(layers, dirsLayer(r, opt))
	}
	root = join(root, layers, opt)

	runEnv := append([]string{}, img.Config.Env...)
	for _, k := range slices.Sorted(maps.Keys(r.Args)) {
		if _, set := lookupEnv(runEnv, k); !set {
			runEnv = append(runEnv, k+"="+r.Args[k])
		}
	}
	for i, st := range r.Run {
		name := st.Name
		if name == "" {
			name = firstLine(st.Command)
		}
		ro := []bk.RunOption{
			bk.Args([]string{"/bin/sh", "-c", st.Command}),
			bk.User("0:0"),
			bk.Dir("/"),
			bk.WithCustomNamef("[%s run %d/%d] %s", platformID(opt.TargetPlatform), i+1, len(r.Run), name),
			location(opt.SourceMap, st.Range),
		}
		for _, e := range runEnv {
			k, v, _ := strings.Cut(e, "=")
			ro = append(ro, bk.AddEnv(k, v))
		}
		root = root.Run(ro...).Root()
		opt.note(Step{Kind: StepRun, Name: name, Platform: platformID(opt.TargetPlatform), Detail: fmt.Sprintf("run step %d", i+1), State: root})
	}
	g.State = root
	return g, nil
}

// join lays the layers over root: one MergeOp when the daemon has it, a
// chain of copies otherwise.
func join(root bk.State, layers []bk.State, opt Options) bk.State {
	if len(layers) == 0 {
		return root
	}
	if opt.MergeOp {
		return bk.Merge(append([]bk.State{root}, layers...), bk.WithCustomName("merge tool layers"))
	}
	for _, l := range layers {
		root = root.File(bk.Copy(l, "/", "/", &bk.CopyInfo{CopyDirContentsOnly: true, AllowEmptyWildcard: true}), bk.WithCustomName("copy tool layer (daemon without MergeOp)"))
	}
	return root
}

func platformID(p ocispecs.Platform) string {
	return p.OS + "/" + p.Architecture + map[bool]string{true: "/" + p.Variant, false: ""}[p.Variant != ""]
}

// location is the source-map constraint for a spec range; BuildKit shows
// these lines of the spec when the op fails.
func location(sm *bk.SourceMap, r spec.Range) bk.ConstraintsOpt {
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

// toolLayer is the download of one tool, unpacked into a layer of its own.
func toolLayer(t *spec.ResolvedTool, opt Options) (bk.State, error) {
	pid := platformID(opt.TargetPlatform)
	loc := location(opt.SourceMap, t.Range)
	httpOpts := []bk.HTTPOption{
		bk.Checksum(digestOf(t.SHA256)),
		bk.Filename(t.Filename()),
		bk.WithCustomNamef("[%s %s] download %s", t.Name, pid, t.URL),
		loc,
	}
	if t.AuthSecret != "" {
		// The daemon reads the header from the client's session: the value
		// is in neither the definition nor the cache key.
		httpOpts = append(httpOpts, bk.AuthHeaderSecret(t.AuthSecret))
	}
	src := bk.HTTP(t.URL, httpOpts...)
	opt.note(Step{Kind: StepDownload, Name: t.Name, Platform: pid, URL: t.URL, State: src})
	// Everything of the tool (files, links, manifest) is written by one
	// FileOp on scratch: a merge input's layers are its ops, so one op is
	// one layer.
	a := newActions(opt)
	switch {
	case t.Form == spec.FormRaw:
		// Parents first, at 0755: a copy that creates them would give them
		// the binary's mode.
		a.mkdirParents(t.Dest)
		a.copy(src, "/"+t.Filename(), t.Dest, &bk.CopyInfo{Mode: &bk.ChmodOpt{Mode: os.FileMode(t.Mode)}})
	case t.Form == spec.FormZip || opt.HelperForAll:
		if opt.Helper == nil {
			return bk.State{}, fmt.Errorf("tool %q (%s, %s): unpacking %s needs the frontend's own image, which this daemon did not provide; run the build through the builder-frontend image", t.Name, pid, t.URL, t.Form)
		}
		args := []string{HelperPath, "unpack", "--form", t.Form, "--strip", strconv.Itoa(t.Strip), "--dest", path.Join("/out", t.Dest)}
		for _, tk := range t.Take {
			args = append(args, "--take", tk)
		}
		args = append(args, path.Join("/in", t.Filename()))
		out := opt.Helper.Platform(opt.BuildPlatform).Run(
			bk.Args(args),
			bk.Network(bk.NetModeNone),
			bk.AddEnv("TOOL", t.Name),
			bk.AddEnv("SOURCE_DATE_EPOCH", strconv.FormatInt(opt.epoch().Unix(), 10)),
			bk.AddMount("/in", src, bk.Readonly),
			bk.WithCustomNamef("[%s %s] unpack %s natively", t.Name, pid, t.Filename()),
			loc,
		).AddMount("/out", bk.Scratch())
		opt.note(Step{Kind: StepUnpack, Name: t.Name, Platform: pid, URL: t.URL, Detail: t.Form, State: out})
		a.copy(out, "/", "/", &bk.CopyInfo{CopyDirContentsOnly: true})
	default:
		// The daemon unpacks into a staging state; the tool's layer takes
		// what it needs from there, which is how strip and take work
		// without a shell.
		staging := bk.Scratch().File(
			bk.Copy(src, "/"+t.Filename(), "/", &bk.CopyInfo{AttemptUnpack: true}),
			bk.WithCustomNamef("[%s %s] unpack %s", t.Name, pid, t.Filename()), loc)
		opt.note(Step{Kind: StepUnpack, Name: t.Name, Platform: pid, URL: t.URL, Detail: t.Form, State: staging})
		prefix := "/" + strings.Repeat("*/", t.Strip)
		if len(t.Take) == 0 {
			a.mkdirParents(t.Dest + "/")
			a.copy(staging, prefix, t.Dest, &bk.CopyInfo{CopyDirContentsOnly: true, AllowWildcard: t.Strip > 0})
		}
		for _, tk := range t.Take {
			d := path.Join(t.Dest, tk)
			a.mkdirParents(d)
			a.copy(staging, prefix+tk, d, &bk.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true, AllowWildcard: t.Strip > 0})
		}
	}
	for _, l := range t.Links {
		a.mkdirParents(l.Path)
		a.symlink(l.Target, l.Path)
	}
	a.manifest(toolManifest(t))
	layer := bk.Scratch().File(a.fa, bk.WithCustomNamef("[%s %s] install into %s", t.Name, pid, t.Dest), loc)
	detail := ""
	if t.Form != spec.FormRaw {
		detail = fmt.Sprintf("%s archive, strip %d", t.Form, t.Strip)
		if len(t.Take) > 0 {
			detail += ", take " + strings.Join(t.Take, " ")
		}
	}
	opt.note(Step{Kind: StepInstall, Name: t.Name, Platform: pid, URL: t.URL, Detail: detail, State: layer})
	return layer, nil
}

func filesLayer(r *spec.Resolved, ctxSt bk.State, opt Options) bk.State {
	a := newActions(opt)
	var locs []bk.ConstraintsOpt
	for _, f := range r.Files {
		a.mkdirParents(f.Dest)
		ci := &bk.CopyInfo{CopyDirContentsOnly: true, AllowWildcard: true, CreateDestPath: true}
		if f.Mode != 0 {
			ci.Mode = &bk.ChmodOpt{Mode: os.FileMode(f.Mode)}
		}
		a.copy(ctxSt, f.Src, f.Dest, ci)
		locs = append(locs, location(opt.SourceMap, f.Range))
	}
	return bk.Scratch().File(a.fa, append([]bk.ConstraintsOpt{bk.WithCustomName("copy files from the build context")}, locs...)...)
}

func dirsLayer(r *spec.Resolved, opt Options) bk.State {
	dirs := append([]*spec.ResolvedDir(nil), r.Dirs...)
	// Parents before children, so a directory listed with its own mode is
	// created with it rather than as the 0755 parent of another.
	sort.SliceStable(dirs, func(i, j int) bool { return dirs[i].Path < dirs[j].Path })
	a := newActions(opt)
	var locs []bk.ConstraintsOpt
	for _, d := range dirs {
		a.mkdirParents(d.Path)
		a.mkdir(d.Path, os.FileMode(d.Mode))
		locs = append(locs, location(opt.SourceMap, d.Range))
	}
	return bk.Scratch().File(a.fa, append([]bk.ConstraintsOpt{bk.WithCustomName("create directories")}, locs...)...)
}

// actions chains file actions into one FileOp, every one stamped with the
// build's epoch so that a tool's layer is the same bytes on every build.
type actions struct {
	fa *bk.FileAction
	ts bk.CreatedTime
}

func newActions(opt Options) actions { return actions{ts: bk.WithCreatedTime(opt.epoch())} }

func (a *actions) add(next func(*bk.FileAction) *bk.FileAction, first *bk.FileAction) {
	if a.fa == nil {
		a.fa = first
	} else {
		a.fa = next(a.fa)
	}
}

func (a *actions) mkdir(p string, mode os.FileMode) {
	a.add(func(fa *bk.FileAction) *bk.FileAction { return fa.Mkdir(p, mode, bk.WithParents(true), a.ts) }, bk.Mkdir(p, mode, bk.WithParents(true), a.ts))
}

func (a *actions) symlink(target, p string) {
	a.add(func(fa *bk.FileAction) *bk.FileAction { return fa.Symlink(target, p, a.ts) }, bk.Symlink(target, p, a.ts))
}

func (a *actions) mkfile(p string, mode os.FileMode, data []byte) {
	a.add(func(fa *bk.FileAction) *bk.FileAction { return fa.Mkfile(p, mode, data, a.ts) }, bk.Mkfile(p, mode, data, a.ts))
}

// mkdirParents creates the directories above p (p itself when it ends in
// "/") at 0755.
func (a *actions) mkdirParents(p string) {
	dir := path.Dir(p)
	if strings.HasSuffix(p, "/") {
		dir = path.Clean(p)
	}
	if dir != "/" && dir != "." {
		a.mkdir(dir, 0o755)
	}
}

func (a *actions) copy(src bk.CopyInput, s, d string, ci *bk.CopyInfo) {
	t := time.Time(a.ts)
	ci.CreatedTime = &t
	// Root owns what is installed, whoever owned it in the archive or the
	// build context: the daemon's unpack and ours then agree.
	ci.ChownOpt = &bk.ChownOpt{User: &bk.UserOpt{UID: 0}, Group: &bk.UserOpt{UID: 0}}
	a.add(func(fa *bk.FileAction) *bk.FileAction { return fa.Copy(src, s, d, ci) }, bk.Copy(src, s, d, ci))
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

// cacheID names a cache mount, under the BUILDKIT_CACHE_MOUNT_NS namespace
// when one is set (as the Dockerfile frontend does).
func cacheID(opt Options, name string) string {
	id := "builder-frontend/" + name
	if opt.CacheNS != "" {
		id = opt.CacheNS + "/" + id
	}
	return id
}
