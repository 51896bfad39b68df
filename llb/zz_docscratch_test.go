package llb

import (
	"crypto/sha256"
	"fmt"
	"os"
	"regexp"
	"sort"
	"testing"
)

func TestDocGraph(t *testing.T) {
	b, _ := os.ReadFile("/tmp/specdoc/example.yaml")
	y := regexp.MustCompile(`"<sha256 of [^>]*>"`).ReplaceAllStringFunc(string(b), func(s string) string { return fmt.Sprintf("%x", sha256.Sum256([]byte(s))) })
	p := plan(t, y, arm64, nil)
	var lines []string
	for d, op := range p.ops {
		name := p.meta[d].Description["llb.customname"]
		plat := ""
		if op.Platform != nil {
			plat = op.Platform.Architecture
		}
		extra := ""
		if e := op.GetExec(); e != nil {
			extra = fmt.Sprintf(" args=%q env=%d mounts=%d", e.Meta.Args, len(e.Meta.Env), len(e.Mounts))
			for _, m := range e.Mounts {
				if m.CacheOpt != nil {
					extra += " cache=" + m.CacheOpt.ID
				}
			}
			if len(e.Meta.Args) > 2 && e.Meta.Args[0] == "/bin/sh" {
				extra += fmt.Sprintf(" env=%q user=%s cwd=%s", e.Meta.Env, e.Meta.User, e.Meta.Cwd)
			}
		}
		if s := op.GetSource(); s != nil {
			extra = fmt.Sprintf(" src=%s attrs=%v", s.Identifier, s.Attrs)
		}
		lines = append(lines, fmt.Sprintf("[%s] %s%s", plat, name, extra))
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	fmt.Printf("config env=%q\nentry=%q cmd=%q wd=%s labels=%v\n", p.graph.Image.Config.Env, p.graph.Image.Config.Entrypoint, p.graph.Image.Config.Cmd, p.graph.Image.Config.WorkingDir, p.graph.Image.Config.Labels)
}
