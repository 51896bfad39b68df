package llb

import (
	"fmt"
	"path"

	bk "github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/internal/unpack/cmdline"
)

const (
	// checkMount is where the ELF check sees what a layer installs.
	checkMount = "/in"
	// reportMount holds reportName, where a helper run told to report
	// writes why the same run failed (see Step.Report).
	reportMount = "/report"
	reportName  = "reason"
	// ReportFile is that file, in the state of Step.Report.
	ReportFile = "/" + reportName
)

// checkMachines runs the ELF check (`builder-frontend check-elf`) on the
// build platform, with in mounted at checkMount: every executable and
// library of trees must be one platform runs. Its result is an empty
// directory that the layer's file op waits for (actions.wait) without
// taking anything from it, so the layer is not used before the check
// passes and holds the same bytes as without it. s names the tool; its
// Kind and State are set here.
func (p *planner) checkMachines(s Step, platform ocispecs.Platform, in bk.State, trees []cmdline.Tree, loc bk.ConstraintsOpt) (bk.State, error) {
	if p.opt.Helper == nil {
		return bk.State{}, fmt.Errorf("%s %q (%s, %s): checking that %s runs its executables needs the frontend's own image, which this daemon did not provide; run the build through the builder-frontend image, or set foreignBinaries: true on the tool",
			s.Detail, s.Name, s.Platform, s.URL, s.Platform)
	}
	c := cmdline.Check{Platform: platformID(platform), Trees: trees}
	run := func(c cmdline.Check, name string) bk.ExecState {
		return p.opt.Helper.Platform(p.opt.BuildPlatform).Run(
			bk.Args(c.Argv(HelperPath)),
			bk.Network(bk.NetModeNone),
			// The cache key of a read-only mount is by default the hash of
			// its whole content (seconds for a toolchain); the check needs
			// none: its input's own key says what it checks.
			bk.AddMount(checkMount, in, bk.Readonly, bk.ContentCache(bk.MountContentCacheOff)),
			bk.WithCustomNamef("[%s %s] %s", s.Name, s.Platform, name),
			loc,
		)
	}
	gate := run(c, "check ELF machines").AddMount("/out", bk.Scratch())
	c.Report = path.Join(reportMount, reportName)
	report := run(c, "list the executables "+s.Platform+" cannot run").AddMount(reportMount, bk.Scratch())
	s.Kind, s.State, s.Report = StepCheck, gate, &report
	p.record(s)
	return gate, nil
}

// wait makes the file op depend on gate, an empty directory, by a copy
// that matches nothing: the op runs after gate, and writes what it would
// write without it.
func (a *actions) wait(gate bk.State) {
	a.copy(gate, "/*", "/", &bk.CopyInfo{AllowWildcard: true, AllowEmptyWildcard: true})
}
