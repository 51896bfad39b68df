package llb

import (
	"testing"
)

// A directory's setuid, setgid and sticky bits reach the layer: BuildKit's
// mkdir drops them, so such a directory is copied with its mode.
func TestDirectoryModeKeepsSpecialBits(t *testing.T) {
	p := plan(t, `version: 1
images:
  builder:
    base: example.com/base:1
    directories:
      - {path: /scratch, mode: "1777"}
      - {path: /srv/shared, mode: "2775"}
      - {path: /var/cache/tool, mode: "0750"}
`, amd64, nil)
	modes := map[string]int32{}
	for _, op := range p.ops {
		for _, a := range op.GetFile().GetActions() {
			if c := a.GetCopy(); c != nil {
				modes[c.Dest] = c.Mode
			}
			if m := a.GetMkdir(); m != nil && m.Path != "/d" {
				modes[m.Path] = m.Mode
			}
		}
	}
	want := map[string]int32{"/scratch": 0o1777, "/srv": 0o755, "/srv/shared": 0o2775, "/var/cache": 0o755, "/var/cache/tool": 0o750}
	for k, v := range want {
		if modes[k] != v {
			t.Errorf("%s: mode %#o, want %#o (all: %v)", k, modes[k], v, modes)
		}
	}
}
