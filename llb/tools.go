package llb

import (
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/internal/unpack/cmdline"
	"github.com/maistra/builder-frontend/spec"
)

// toolLayer is the download of one tool for platform, unpacked into a layer
// of its own.
func (p *planner) toolLayer(t *spec.ResolvedTool, platform ocispecs.Platform) (bk.State, error) {
	pid := platformID(platform)
	loc := p.location(t.Range)
	src := p.download(t, pid, loc)
	// Everything of the tool (files, links, manifest) is written by one
	// FileOp on scratch: a merge input's layers are its ops, so one op is
	// one layer.
	a := p.actions()
	switch {
	case t.Form == spec.FormRaw:
		// Parents first, at 0755: a copy that creates them would give them
		// the binary's mode.
		a.mkdirParents(t.Dest)
		a.copy(src, "/"+t.Filename(), t.Dest, &bk.CopyInfo{Mode: &bk.ChmodOpt{Mode: os.FileMode(t.Mode)}})
	case t.Form == spec.FormZip || p.opt.HelperForAll:
		out, err := p.unpackNatively(t, src, pid, loc)
		if err != nil {
			return bk.State{}, err
		}
		a.copy(out, "/", "/", &bk.CopyInfo{CopyDirContentsOnly: true})
	default:
		takeFromStaging(&a, t, p.unpackInDaemon(t, src, pid, loc))
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
	p.record(Step{Kind: StepInstall, Name: t.Name, Platform: pid, URL: t.URL, Detail: detail, State: layer})
	return layer, nil
}

// download is the tool's file, verified by its sha256.
func (p *planner) download(t *spec.ResolvedTool, pid string, loc bk.ConstraintsOpt) bk.State {
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
	p.record(Step{Kind: StepDownload, Name: t.Name, Platform: pid, URL: t.URL, State: src})
	return src
}

// unpackNatively runs our own unpacker (internal/unpack) on the build
// platform, with strip and take applied; its output is the tool's files
// under their destination.
func (p *planner) unpackNatively(t *spec.ResolvedTool, src bk.State, pid string, loc bk.ConstraintsOpt) (bk.State, error) {
	if p.opt.Helper == nil {
		return bk.State{}, fmt.Errorf("tool %q (%s, %s): unpacking %s needs the frontend's own image, which this daemon did not provide; run the build through the builder-frontend image", t.Name, pid, t.URL, t.Form)
	}
	cmd := cmdline.Command{Form: t.Form, Strip: t.Strip, Take: t.Take, Dest: path.Join("/out", t.Dest), Src: path.Join("/in", t.Filename())}
	out := p.opt.Helper.Platform(p.opt.BuildPlatform).Run(
		bk.Args(cmd.Argv(HelperPath)),
		bk.Network(bk.NetModeNone),
		bk.AddEnv("TOOL", t.Name),
		bk.AddEnv("SOURCE_DATE_EPOCH", strconv.FormatInt(p.opt.epoch().Unix(), 10)),
		bk.AddMount("/in", src, bk.Readonly),
		bk.WithCustomNamef("[%s %s] unpack %s natively", t.Name, pid, t.Filename()),
		loc,
	).AddMount("/out", bk.Scratch())
	p.record(Step{Kind: StepUnpack, Name: t.Name, Platform: pid, URL: t.URL, Detail: t.Form, State: out})
	return out, nil
}

// unpackInDaemon has the daemon unpack the archive into a staging state, the
// whole archive as it is.
func (p *planner) unpackInDaemon(t *spec.ResolvedTool, src bk.State, pid string, loc bk.ConstraintsOpt) bk.State {
	staging := bk.Scratch().File(
		bk.Copy(src, "/"+t.Filename(), "/", &bk.CopyInfo{AttemptUnpack: true}),
		bk.WithCustomNamef("[%s %s] unpack %s", t.Name, pid, t.Filename()), loc)
	p.record(Step{Kind: StepUnpack, Name: t.Name, Platform: pid, URL: t.URL, Detail: t.Form, State: staging})
	return staging
}

// takeFromStaging copies what the tool needs from the daemon's unpack:
// strip is a wildcard per leading component, take a copy per path, which is
// how both work without a shell.
func takeFromStaging(a *actions, t *spec.ResolvedTool, staging bk.State) {
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
