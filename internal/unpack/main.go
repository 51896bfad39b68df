package unpack

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/maistra/builder-frontend/internal/unpack/cmdline"
)

// stderr is where Main reports; tests replace it.
var stderr io.Writer = os.Stderr

// Main is the command-line entry point of the helper:
//
//	unpack [--form FORM] [--strip N] [--take PATH]... --dest DIR [--mode 0755] SRC
//
// args are the arguments after the program name (a leading "unpack" word is
// tolerated); cmdline.Command.Argv writes them. Flags may also follow SRC.
// Without --form, the form is taken from SRC's extension, else from its
// content. Main prints errors to stderr and returns the exit status: 0 on
// success, 1 when extraction fails, 2 on a usage error.
func Main(args []string) int {
	cmd, err := cmdline.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		cmdline.Usage(stderr, formList())
		return 0
	}
	var opts Options
	if err == nil {
		opts, err = options(cmd)
	}
	if err != nil {
		fmt.Fprintf(stderr, "unpack: %v\n", err)
		cmdline.Usage(stderr, formList())
		return 2
	}
	if err := Extract(cmd.Src, opts); err != nil {
		fmt.Fprintf(stderr, "unpack: %s: %v\n", cmd.Src, err)
		return 1
	}
	return 0
}

// options are what the command line asks of Extract: the form in its
// canonical name, from the command or else from the source's file name.
func options(c cmdline.Command) (Options, error) {
	opts := Options{Strip: c.Strip, Take: c.Take, Dest: c.Dest, Mode: c.Mode}
	if c.Form != "" {
		f, err := ParseForm(c.Form)
		if err != nil {
			return Options{}, err
		}
		opts.Form = f
	} else if f, ok := DetectForm(c.Src); ok {
		opts.Form = f
	}
	return opts, nil
}
