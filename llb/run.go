package llb

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
)

// run executes the spec's run steps on root, in order, on the target
// platform: the image's environment plus the spec's args.
func (p *planner) run(root bk.State) bk.State {
	if len(p.r.Run) == 0 {
		return root
	}
	env := append([]string{}, p.image.Config.Env...)
	for _, k := range slices.Sorted(maps.Keys(p.r.Args)) {
		if _, set := lookupEnv(env, k); !set {
			env = append(env, k+"="+p.r.Args[k])
		}
	}
	pid := platformID(p.opt.TargetPlatform)
	for i, st := range p.r.Run {
		name := st.Name
		if name == "" {
			name = firstLine(st.Command)
		}
		ro := []bk.RunOption{
			bk.Args([]string{"/bin/sh", "-c", st.Command}),
			bk.User("0:0"),
			bk.Dir("/"),
			bk.WithCustomNamef("[%s run %d/%d] %s", pid, i+1, len(p.r.Run), name),
			p.location(st.Range),
		}
		for _, e := range env {
			k, v, _ := strings.Cut(e, "=")
			ro = append(ro, bk.AddEnv(k, v))
		}
		root = root.Run(ro...).Root()
		p.record(Step{Kind: StepRun, Name: name, Platform: pid, Detail: fmt.Sprintf("run step %d", i+1), State: root})
	}
	return root
}
