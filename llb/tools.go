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
// of its own, after a check that the platform runs its executables.
func (p *planner) toolLayer(t *spec.ResolvedTool, platform ocispecs.Platform) (bk.State, error) {
	pid := platformID(platform)
	loc := p.location(t.Range)
	src := p.download(t, pid, loc)
	// Everything of the tool (files, links, manifest) is written by one
	// FileOp on scratch: a merge input's layers are its ops, so one op is
	// one layer.
	a := p.actions()
	// What the layer installs, as the ELF check sees it: a state mounted at
	// /in and where its files land in the image.
	var checkIn bk.State
	var trees []cmdline.Tree
	switch {
	case t.Form == spec.FormRaw:
		// Parents first, at 0755: a copy that creates them would give them
		// the binary's mode.
		a.mkdirParents(t.Dest)
		a.copy(src, "/"+t.Filename(), t.Dest, &bk.CopyInfo{Mode: &bk.ChmodOpt{Mode: os.FileMode(t.Mode)}})
		checkIn, trees = src, []cmdline.Tree{{Src: path.Join(checkMount, t.Filename()), ImagePath: t.Dest}}
	case p.unpacksNatively(t):
		out, err := p.unpackNatively(t, src, pid, loc)
		if err != nil {
			return bk.State{}, err
		}
		a.copy(out, "/", "/", &bk.CopyInfo{CopyDirContentsOnly: true})
		checkIn, trees = out, []cmdline.Tree{{Src: checkMount, ImagePath: "/"}}
	default:
		staging := p.unpackInDaemon(t, src, pid, loc)
		installStaging(&a, t, staging)
		checkIn, trees = staging, []cmdline.Tree{{Src: checkMount, ImagePath: t.Dest}}
	}
	for _, l := range t.Links {
		a.mkdirParents(l.Path)
		a.symlink(l.Target, l.Path)
	}
	a.manifest(toolManifest(t))
	if !t.ForeignBinaries {
		gate, err := p.checkMachines(Step{Name: t.Name, Platform: pid, URL: t.URL, Detail: "tool"}, platform, checkIn, trees, loc)
		if err != nil {
			return bk.State{}, err
		}
		a.wait(gate)
	}
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

// unpacksNatively says which archives our own unpacker takes: zip, which
// the daemon cannot open; strip and take, which the daemon's unpack cannot
// do (a wildcard copy of its output for strip would also take the entries
// above the strip depth and make the daemon hash the whole tree through
// the wildcard; a copy per take path makes its parent directories with the
// build's time); caps the tool sets, which the daemon cannot enforce; and
// every archive with BUILDER_UNPACK=helper. The daemon keeps the archives
// installed whole, where both give the same tree.
func (p *planner) unpacksNatively(t *spec.ResolvedTool) bool {
	return t.Form == spec.FormZip || t.Strip > 0 || len(t.Take) > 0 || t.MaxUnpackedBytes != 0 || t.MaxUnpackedFiles != 0 || p.opt.HelperForAll
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
		return bk.State{}, fmt.Errorf("tool %q (%s, %s): unpacking %s needs the frontend's own image, which this daemon did not provide; run the build through the builder-frontend image", t.Name, pid, t.URL, p.unpackWhat(t))
	}
	cmd := cmdline.Command{
		Form: t.Form, Strip: t.Strip, Take: t.Take, Dest: path.Join("/out", t.Dest), Src: path.Join("/in", t.Filename()),
		MaxBytes: t.MaxUnpackedBytes, MaxFiles: t.MaxUnpackedFiles,
	}
	run := func(c cmdline.Command, name string) bk.ExecState {
		return p.opt.Helper.Platform(p.opt.BuildPlatform).Run(
			bk.Args(c.Argv(HelperPath)),
			bk.Network(bk.NetModeNone),
			bk.AddEnv("TOOL", t.Name),
			bk.AddEnv("SOURCE_DATE_EPOCH", strconv.FormatInt(p.opt.epoch().Unix(), 10)),
			bk.AddMount("/in", src, bk.Readonly),
			bk.WithCustomNamef("[%s %s] %s", t.Name, pid, name),
			loc,
		)
	}
	out := run(cmd, "unpack "+t.Filename()+" natively").AddMount("/out", bk.Scratch())
	// Should the unpack fail, the same run told to report is how the
	// frontend learns why.
	cmd.Report = path.Join(reportMount, reportName)
	again := run(cmd, "why the unpack of "+t.Filename()+" failed")
	again.AddMount("/out", bk.Scratch())
	report := again.AddMount(reportMount, bk.Scratch())
	p.record(Step{Kind: StepUnpack, Name: t.Name, Platform: pid, URL: t.URL, Detail: t.Form, State: out, Report: &report,
		MaxBytes: t.MaxUnpackedBytes, MaxFiles: t.MaxUnpackedFiles})
	return out, nil
}

// unpackWhat names what the unpacker is needed for.
func (p *planner) unpackWhat(t *spec.ResolvedTool) string {
	switch {
	case t.Form == spec.FormZip:
		return "zip"
	case t.Strip > 0 || len(t.Take) > 0:
		return t.Form + " with strip or take"
	case t.MaxUnpackedBytes != 0 || t.MaxUnpackedFiles != 0:
		return t.Form + " within the tool's caps"
	}
	return t.Form + " (BUILDER_UNPACK=helper)"
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

// installStaging copies the daemon's unpack, the whole archive, into dest.
// The path is literal, so the daemon hashes only what it copies.
func installStaging(a *actions, t *spec.ResolvedTool, staging bk.State) {
	a.mkdirParents(t.Dest + "/")
	a.copy(staging, "/", t.Dest, &bk.CopyInfo{CopyDirContentsOnly: true})
}
