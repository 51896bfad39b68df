package elfmachine

import (
	"errors"
	"flag"
	"io"
	"os"
	"strings"

	"github.com/maistra/builder-frontend/internal/unpack/cmdline"
)

// Main is the command-line entry point of the check the graph runs before
// a tool's layer is used:
//
//	check-elf --platform OS/ARCH [--report FILE] SRC IMAGE-PATH [SRC IMAGE-PATH]...
//
// It exits 0 when the platform runs every executable and library of the
// trees, cmdline.ExitForeignMachine (naming the files on stderr) when not,
// cmdline.ExitFailed when a file cannot be read and cmdline.ExitUsage on a
// usage error. With --report it writes a one-sentence Summary of the files
// it found to FILE (empty when none) and exits 0 either way. It reports
// on stderr.
func Main(args []string, stderr io.Writer) int {
	say := func(code int, msg string) int {
		io.WriteString(stderr, "check-elf: "+msg+"\n")
		return code
	}
	c, err := cmdline.ParseCheck(args)
	if errors.Is(err, flag.ErrHelp) {
		cmdline.CheckUsage(stderr)
		return 0
	}
	t, ok := For(c.Platform)
	if err == nil && !ok {
		err = errors.New("--platform " + c.Platform + ": no ELF machine is known for it")
	}
	if err != nil {
		defer cmdline.CheckUsage(stderr)
		return say(cmdline.ExitUsage, err.Error())
	}
	trees := make([]Tree, len(c.Trees))
	for i, tr := range c.Trees {
		trees[i] = Tree{Src: tr.Src, ImagePath: tr.ImagePath}
	}
	found, err := Check(trees, t)
	if err != nil {
		return say(cmdline.ExitFailed, err.Error())
	}
	if c.Report != "" {
		if err := os.WriteFile(c.Report, []byte(Summary(found, t)), 0o644); err != nil {
			return say(cmdline.ExitFailed, err.Error())
		}
		return 0
	}
	if len(found) > 0 {
		return say(cmdline.ExitForeignMachine, c.Platform+" cannot run these files:\n"+strings.TrimSuffix(Report(found, t), "\n"))
	}
	return 0
}
