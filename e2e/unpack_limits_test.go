package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/maistra/builder-frontend/internal/fixture"
)

// TestUnpackCapsFailTheBuild: an archive over a tool's cap (a bomb: 64 MiB
// of zeros compress to 64 KiB) fails the build with the cap, the field
// that raises it, the tool, the platform and the URL; nothing is
// installed.
func TestUnpackCapsFailTheBuild(t *testing.T) {
	e := setup(t)
	bomb := fixture.TarGz([]fixture.File{
		{Path: "bomb/zeros", Mode: 0o644, Data: make([]byte, 64<<20)},
		{Path: "bomb/tool", Mode: 0o755, Data: []byte("#!/bin/sh\n")},
	})
	url, sum := serveAs(t, e, "limits/bomb.tar.gz", bomb)
	spec := func(caps string) string {
		return fmt.Sprintf(`# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64]
images:
  builder:
    base: example.com/unused:1
    tools:
      - name: bomb
        version: "1"
        url: %s
        sha256: {linux/amd64: %s}
        take: [bomb/tool]
        dest: /opt
%s`, url, sum, caps)
	}
	for _, tc := range []struct {
		name, caps, want string
	}{
		{"bytes", "        maxUnpackedSize: 1MiB\n",
			`tool "bomb" (linux/amd64): the tar.gz from ` + url + ` unpacks to more than 1 MiB, the limit, and was not unpacked; if the archive really is that large, raise the limit on the tool, e.g. maxUnpackedSize: 2 MiB`},
		{"entries", "        maxUnpackedFiles: 2\n",
			`tool "bomb" (linux/amd64): the tar.gz from ` + url + ` holds more than 2 entries, the limit, and was not unpacked; if the archive really holds that many, raise the limit on the tool, e.g. maxUnpackedFiles: 4`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := e.build(t, writeSpec(t, spec(tc.caps), nil), "builder.yaml", "--platform", "linux/amd64", "--build-context", "base=docker-image://"+e.base)
			if err == nil {
				t.Fatalf("build succeeded:\n%s", tail(out, 30))
			}
			for _, want := range []string{tc.want, ">>>       - name: bomb"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, tail(out, 30))
				}
			}
		})
	}
	// Within the caps (and the defaults) the same archive installs.
	e.mustBuild(t, writeSpec(t, spec("        maxUnpackedSize: 128MiB\n"), nil), "builder.yaml", "--platform", "linux/amd64", "--build-context", "base=docker-image://"+e.base)
}
