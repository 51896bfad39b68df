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
// success, cmdline.ExitTooLarge or ExitTooManyFiles past a cap, 1 when
// extraction fails otherwise, 2 on a usage error.
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
		return cmdline.ExitUsage
	}
	if err := Extract(cmd.Src, opts); err != nil {
		fmt.Fprintf(stderr, "unpack: %s: %v\n", cmd.Src, err)
		if cmd.Report != "" {
			if werr := os.WriteFile(cmd.Report, []byte(err.Error()), 0o644); werr != nil {
				fmt.Fprintf(stderr, "unpack: %v\n", werr)
				return cmdline.ExitFailed
			}
			return 0
		}
		var le *LimitError
		switch {
		case errors.As(err, &le) && le.Files:
			return cmdline.ExitTooManyFiles
		case errors.As(err, &le):
			return cmdline.ExitTooLarge
		}
		return cmdline.ExitFailed
	}
	return 0
}

// options are what the command line asks of Extract: the form in its
// canonical name, from the command or else from the source's file name.
func options(c cmdline.Command) (Options, error) {
	opts := Options{Strip: c.Strip, Take: c.Take, Dest: c.Dest, Mode: c.Mode, MaxBytes: c.MaxBytes, MaxFiles: c.MaxFiles}
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
