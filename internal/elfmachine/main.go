package elfmachine

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

// Main is the command-line entry point of the check the graph runs before
// a tool's layer is used:
//
//	check-elf --platform OS/ARCH [--report FILE] SRC IMAGE-PATH [SRC IMAGE-PATH]...
//
// It exits 0 when the platform runs every executable and library of the
// trees, cmdline.ExitForeignMachine (naming the files on stderr) when not,
// cmdline.ExitFailed when a file cannot be read and cmdline.ExitUsage on a
// usage error. With --report it writes a one-sentence Summary of the files
// it found to FILE (empty when none) and exits 0 either way.
func Main(args []string) int {
	c, err := cmdline.ParseCheck(args)
	if errors.Is(err, flag.ErrHelp) {
		cmdline.CheckUsage(stderr)
		return 0
	}
	t, ok := For(c.Platform)
	if err == nil && !ok {
		err = fmt.Errorf("--platform %s: no ELF machine is known for it", c.Platform)
	}
	if err != nil {
		fmt.Fprintf(stderr, "check-elf: %v\n", err)
		cmdline.CheckUsage(stderr)
		return cmdline.ExitUsage
	}
	trees := make([]Tree, len(c.Trees))
	for i, tr := range c.Trees {
		trees[i] = Tree{Src: tr.Src, ImagePath: tr.ImagePath}
	}
	found, err := Check(trees, t)
	if err != nil {
		fmt.Fprintf(stderr, "check-elf: %v\n", err)
		return cmdline.ExitFailed
	}
	if c.Report != "" {
		if err := os.WriteFile(c.Report, []byte(Summary(found, t)), 0o644); err != nil {
			fmt.Fprintf(stderr, "check-elf: %v\n", err)
			return cmdline.ExitFailed
		}
		return 0
	}
	if len(found) > 0 {
		fmt.Fprintf(stderr, "check-elf: %s cannot run these files:\n%s", c.Platform, Report(found, t))
		return cmdline.ExitForeignMachine
	}
	return 0
}
