package llb

import (
	"fmt"
	"strings"

	bk "github.com/moby/buildkit/client/llb"

	"github.com/maistra/builder-frontend/spec"
)

// A smoke check runs its command in the finished image, apart from it: the
// run's root changes are thrown away, and what is kept is a scratch mount
// that receives the command's output and exit status. The frontend solves
// each check on its own, after the image, so no check changes the image's
// content, layers or cache key.
const (
	// CheckDir is where a check's scratch mount is.
	CheckDir = "/.builder-check"
	// CheckOutput is the file under CheckDir with the command's stdout and
	// stderr; CheckStatus the one with its exit status.
	CheckOutput = "output"
	CheckStatus = "status"
)

// checkScript runs the command ($1) with its output and exit status
// written to the mount, and always exits 0 itself, so that a failing check
// is a result to read, not a failed solve.
const checkScript = `sh -c "$1" >` + CheckDir + `/` + CheckOutput + ` 2>&1 </dev/null; echo $? >` + CheckDir + `/` + CheckStatus

// Check is one smoke check of the image for one platform.
type Check struct {
	// Tool is the tool or Go tool (GoTool) the check belongs to.
	Tool    string
	GoTool  bool
	Command string
	// Platform is the image's platform, where the command runs (emulated
	// when foreign).
	Platform string
	Range    spec.Range
	// State is the check's mount after the command ran: it holds
	// CheckOutput and CheckStatus.
	State bk.State
}

// What names the check's tool in messages.
func (c Check) What() string {
	if c.GoTool {
		return fmt.Sprintf("Go tool %q", c.Tool)
	}
	return fmt.Sprintf("tool %q", c.Tool)
}

// checks makes the check of each tool and Go tool that has one, on the
// finished root: as user 0:0 in /, without network, with the environment
// run steps get.
func (p *planner) checks(root bk.State) []Check {
	type checked struct {
		name, command string
		goTool        bool
		rng           spec.Range
	}
	var list []checked
	for _, t := range p.r.Tools {
		if t.Check != "" {
			list = append(list, checked{t.Name, t.Check, false, t.CheckRange})
		}
	}
	for _, t := range p.r.GoTools {
		if t.Check != "" {
			list = append(list, checked{t.Name, t.Check, true, t.CheckRange})
		}
	}
	if len(list) == 0 {
		return nil
	}
	pid := platformID(p.opt.TargetPlatform)
	env := p.runEnv()
	out := make([]Check, 0, len(list))
	for _, c := range list {
		ro := []bk.RunOption{
			bk.Args([]string{"/bin/sh", "-c", checkScript, "check", c.command}),
			bk.User("0:0"),
			bk.Dir("/"),
			bk.Network(bk.NetModeNone),
			bk.WithCustomNamef("[%s %s] check: %s", c.name, pid, firstLine(c.command)),
			p.location(c.rng),
		}
		for _, e := range env {
			k, v, _ := strings.Cut(e, "=")
			ro = append(ro, bk.AddEnv(k, v))
		}
		mount := root.Run(ro...).AddMount(CheckDir, bk.Scratch())
		out = append(out, Check{Tool: c.name, GoTool: c.goTool, Command: c.command, Platform: pid, Range: c.rng, State: mount})
	}
	return out
}
