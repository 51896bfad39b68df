package unpack

import (
	"reflect"
	"testing"

	"github.com/maistra/builder-frontend/internal/unpack/cmdline"
)

// TestCommandLineRoundTrip ties the two ends of the helper's command line:
// the argv the graph carries (cmdline.Command.Argv) is what Main reads.
func TestCommandLineRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		cmd  cmdline.Command
		want Options
	}{
		{
			cmd:  cmdline.Command{Form: "zip", Strip: 1, Take: []string{"bin/protoc", "include", "lib"}, Dest: "/out/usr/local", Src: "/in/protoc.zip"},
			want: Options{Form: FormZip, Strip: 1, Take: []string{"bin/protoc", "include", "lib"}, Dest: "/out/usr/local"},
		},
		{
			cmd:  cmdline.Command{Form: "raw", Dest: "/out/usr/local/bin/", Mode: 0o755, Src: "/in/kubectl"},
			want: Options{Form: FormRaw, Dest: "/out/usr/local/bin/", Mode: 0o755},
		},
		{
			cmd:  cmdline.Command{Form: "tar.zstd", Strip: 2, Dest: "/out/opt", Src: "/in/t.tar.zstd"},
			want: Options{Form: FormTarZst, Strip: 2, Dest: "/out/opt"},
		},
		{
			cmd:  cmdline.Command{Dest: "/out", Take: []string{"helm"}, Src: "/in/helm.tgz"},
			want: Options{Form: FormTarGz, Take: []string{"helm"}, Dest: "/out"},
		},
		{
			cmd:  cmdline.Command{Form: "tar.xz", Strip: 1, Dest: "/out/opt", MaxBytes: 1 << 40, MaxFiles: 5, Src: "/in/x.tar.xz"},
			want: Options{Form: FormTarXz, Strip: 1, Dest: "/out/opt", MaxBytes: 1 << 40, MaxFiles: 5},
		},
	} {
		// Main is handed the arguments after the program name.
		args := tc.cmd.Argv("/builder-frontend")[1:]
		c, err := cmdline.Parse(args)
		if err != nil {
			t.Fatalf("Parse(%q): %v", args, err)
		}
		got, err := options(c)
		if err != nil {
			t.Fatalf("options(%+v): %v", c, err)
		}
		if !reflect.DeepEqual(got, tc.want) || c.Src != tc.cmd.Src {
			t.Errorf("%q: Options %+v from %s, want %+v from %s", args, got, c.Src, tc.want, tc.cmd.Src)
		}
	}
}
