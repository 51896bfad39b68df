package llb

import (
	"os"
	"path"
	"sort"
	"strings"
	"time"

	bk "github.com/moby/buildkit/client/llb"

	"github.com/maistra/builder-frontend/spec"
)

// filesLayer is the spec's files from the build context, in one layer.
func (p *planner) filesLayer(ctxSt bk.State) bk.State {
	a := p.actions()
	var locs []bk.ConstraintsOpt
	for _, f := range p.r.Files {
		a.mkdirParents(f.Dest)
		ci := &bk.CopyInfo{CopyDirContentsOnly: true, AllowWildcard: true, CreateDestPath: true}
		if f.Mode != 0 {
			ci.Mode = &bk.ChmodOpt{Mode: os.FileMode(f.Mode)}
		}
		a.copy(ctxSt, f.Src, f.Dest, ci)
		locs = append(locs, p.location(f.Range))
	}
	return bk.Scratch().File(a.fa, append([]bk.ConstraintsOpt{bk.WithCustomName("copy files from the build context")}, locs...)...)
}

// dirsLayer is the spec's directories, in one layer.
func (p *planner) dirsLayer() bk.State {
	dirs := append([]*spec.ResolvedDir(nil), p.r.Dirs...)
	// Parents before children, so a directory listed with its own mode is
	// created with it rather than as the 0755 parent of another.
	sort.SliceStable(dirs, func(i, j int) bool { return dirs[i].Path < dirs[j].Path })
	a := p.actions()
	var locs []bk.ConstraintsOpt
	for i, d := range dirs {
		locs = append(locs, p.location(d.Range))
		if i > 0 && dirs[i-1].Path == d.Path {
			continue // listed twice: the first mode stands, as mkdir leaves it
		}
		a.mkdirParents(d.Path)
		if d.Mode&^0o777 == 0 {
			a.mkdir(d.Path, os.FileMode(d.Mode))
			continue
		}
		// BuildKit's mkdir keeps the permission bits only; a copy's mode
		// keeps setuid, setgid and sticky (1777 for a /tmp), so the
		// directory is copied from an empty one made beside it. The
		// copy creates the directory (it does not exist yet: parents
		// sort first), which is when it takes the mode.
		empty := bk.Mkdir("/d", 0o755, a.ts).WithState(bk.Scratch())
		a.copy(empty, "/d", d.Path, &bk.CopyInfo{Mode: &bk.ChmodOpt{Mode: os.FileMode(d.Mode)}})
	}
	return bk.Scratch().File(a.fa, append([]bk.ConstraintsOpt{bk.WithCustomName("create directories")}, locs...)...)
}

// actions chains file actions into one FileOp, every one stamped with the
// build's epoch so that a tool's layer is the same bytes on every build.
type actions struct {
	fa *bk.FileAction
	ts bk.CreatedTime
}

func (p *planner) actions() actions { return actions{ts: bk.WithCreatedTime(p.opt.epoch())} }

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
// "/") at 0755, one level at a time: the daemon stamps only the last
// directory of a mkdir -p with the time given, the others with the time of
// the build. A directory that exists keeps its mode and time.
func (a *actions) mkdirParents(p string) {
	dir := path.Dir(p)
	if strings.HasSuffix(p, "/") {
		dir = path.Clean(p)
	}
	if dir == "/" || dir == "." {
		return
	}
	parts := strings.Split(strings.TrimPrefix(dir, "/"), "/")
	for i := range parts {
		a.mkdir("/"+strings.Join(parts[:i+1], "/"), 0o755)
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
