package cmdline

import (
	"errors"
	"flag"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestArgsParseRoundTrip(t *testing.T) {
	for _, c := range []Command{
		{Form: "zip", Strip: 1, Take: []string{"bin/protoc", "include", "lib dir/with space"}, Dest: "/out/usr/local", Src: "/in/protoc.zip"},
		{Form: "raw", Dest: "/out/usr/bin/", Mode: 0o755, Src: "/in/kubectl"},
		{Form: "tgz", Strip: 3, Dest: "/out/opt", Mode: 0o600, Src: "/in/a.tgz"},
		{Dest: "/out", Src: "/in/helm.tar.gz"},
		{Dest: "/out/x", Take: []string{"-v"}, Src: "-file-with-dash"},
		{Form: "tar.xz", Strip: 1, Dest: "/out/usr/lib/llvm", MaxBytes: 32 << 30, MaxFiles: 2000000, Report: "/report/reason", Src: "/in/clang.tar.xz"},
	} {
		argv := c.Argv("/builder-frontend")
		got, err := Parse(argv[1:])
		if err != nil {
			t.Errorf("Parse(%q): %v", argv[1:], err)
			continue
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("Parse(%q) = %+v, want %+v", argv[1:], got, c)
		}
	}
}

// The argv is part of the cache key of every helper unpack: it stays as it
// was written before this package existed.
func TestArgsAreStable(t *testing.T) {
	c := Command{Form: "zip", Strip: 1, Take: []string{"bin/protoc", "include"}, Dest: "/out/usr/local", Src: "/in/protoc.zip"}
	want := []string{"/builder-frontend", "unpack", "--form", "zip", "--strip", "1", "--dest", "/out/usr/local", "--take", "bin/protoc", "--take", "include", "/in/protoc.zip"}
	if got := c.Argv("/builder-frontend"); !slices.Equal(got, want) {
		t.Errorf("Argv() = %q, want %q", got, want)
	}
	raw := Command{Form: "raw", Dest: "/out/f", Mode: 0o755, Src: "/in/f"}
	if got := strings.Join(raw.Argv("h"), " "); got != "h unpack --form raw --strip 0 --dest /out/f --mode 0755 /in/f" {
		t.Errorf("Argv() = %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--dest", "d"}, "want exactly one source file, got 0"},
		{[]string{"--dest", "d", "a", "b"}, "want exactly one source file, got 2"},
		{[]string{"a"}, "--dest is required"},
		{[]string{"--dest", "d", "--mode", "rwx", "a"}, `invalid --mode "rwx"`},
		{[]string{"--dest", "d", "--mode", "01000", "a"}, `invalid --mode "01000"`},
		{[]string{"--dest", "d", "--strip", "x", "a"}, `invalid value "x" for flag -strip`},
		{[]string{"--nope", "a"}, "flag provided but not defined: -nope"},
		{[]string{"--dest", "d", "--max-bytes", "-1", "a"}, "must not be negative"},
	} {
		_, err := Parse(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
	if _, err := Parse([]string{"unpack", "-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("Parse(-h) = %v, want flag.ErrHelp", err)
	}
}

func TestUsageListsForms(t *testing.T) {
	var b strings.Builder
	Usage(&b, "zip, raw")
	for _, want := range []string{Synopsis, "archive form: zip, raw", "-take PATH"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, b.String())
		}
	}
}

func TestCheckRoundTrip(t *testing.T) {
	for _, c := range []Check{
		{Platform: "linux/arm64", Trees: []Tree{{Src: "/in", ImagePath: "/"}}},
		{Platform: "linux/amd64", Report: "/report/reason", Trees: []Tree{{Src: "/in/bin/x", ImagePath: "/usr/bin/x"}, {Src: "/in/-v", ImagePath: "/usr/share/-v"}}},
	} {
		argv := c.Argv("/builder-frontend")
		if argv[1] != CheckName {
			t.Errorf("argv %q does not name the check", argv)
		}
		got, err := ParseCheck(argv[1:])
		if err != nil || !reflect.DeepEqual(got, c) {
			t.Errorf("ParseCheck(%q) = %+v, %v; want %+v", argv[1:], got, err, c)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"/in", "/"}, "--platform is required"},
		{[]string{"--platform", "linux/amd64"}, "want pairs of SRC and IMAGE-PATH, got 0"},
		{[]string{"--platform", "linux/amd64", "/in", "/", "/x"}, "got 3 arguments"},
	} {
		if _, err := ParseCheck(tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseCheck(%q) = %v, want %q", tc.args, err, tc.want)
		}
	}
}
