package unpack

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// stderr is where Main reports; tests replace it.
var stderr io.Writer = os.Stderr

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// Main is the command-line entry point of the helper:
//
//	unpack [--form FORM] [--strip N] [--take PATH]... --dest DIR [--mode 0755] SRC
//
// args are the arguments after the program name (a leading "unpack" word is
// tolerated). Flags may also follow SRC. Without --form, the form is taken
// from SRC's extension, else from its content. Main prints errors to
// stderr and returns the exit status: 0 on success, 1 when extraction fails,
// 2 on a usage error.
func Main(args []string) int {
	if len(args) > 0 && args[0] == "unpack" {
		args = args[1:]
	}
	fl := flag.NewFlagSet("unpack", flag.ContinueOnError)
	fl.SetOutput(stderr)
	form := fl.String("form", "", "archive form: "+formList()+" (default: from SRC's extension or content)")
	strip := fl.Int("strip", 0, "drop `N` leading path components from every entry")
	var takes stringList
	fl.Var(&takes, "take", "extract only `PATH` (after strip), a file or directory; repeatable")
	dest := fl.String("dest", "", "destination `DIR` (for raw: target file, or directory when it exists or ends with /)")
	mode := fl.String("mode", "", "octal file `MODE` for --form raw (default 0644)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: unpack [--form FORM] [--strip N] [--take PATH]... --dest DIR [--mode MODE] SRC")
		fl.PrintDefaults()
	}

	// Parse flags before and after the positional arguments.
	var pos []string
	for {
		if err := fl.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		rest := fl.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if args = rest; len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "unpack: "+format+"\n", a...)
		fl.Usage()
		return 2
	}
	if len(pos) != 1 {
		return usageErr("want exactly one source file, got %d: %q", len(pos), pos)
	}
	src := pos[0]
	if *dest == "" {
		return usageErr("--dest is required")
	}
	opts := Options{Strip: *strip, Take: takes, Dest: *dest}
	if *form != "" {
		f, err := ParseForm(*form)
		if err != nil {
			return usageErr("%v", err)
		}
		opts.Form = f
	} else if f, ok := DetectForm(src); ok {
		opts.Form = f
	}
	if *mode != "" {
		m, err := strconv.ParseUint(strings.TrimPrefix(*mode, "0o"), 8, 32)
		if err != nil || m > 0o777 {
			return usageErr("invalid --mode %q: want octal permission bits such as 0755", *mode)
		}
		opts.Mode = os.FileMode(m)
	}
	if err := Extract(src, opts); err != nil {
		fmt.Fprintf(stderr, "unpack: %s: %v\n", src, err)
		return 1
	}
	return 0
}
