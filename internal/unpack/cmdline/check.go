package cmdline

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// CheckName is the first word of the ELF check's arguments.
const CheckName = "check-elf"

// CheckSynopsis is the usage line of the ELF check.
const CheckSynopsis = "usage: check-elf --platform OS/ARCH [--report FILE] SRC IMAGE-PATH [SRC IMAGE-PATH]..."

// Tree is a file or directory the check reads, and where it lands in the
// image.
type Tree struct {
	Src, ImagePath string
}

// Check is one run of the ELF check: it fails when a file of Trees is an
// executable or library that Platform cannot run.
type Check struct {
	Platform string
	// Report, when set, makes the check write what it found to this file
	// and succeed: the frontend reads it to tell a failed check.
	Report string
	Trees  []Tree
}

// Argv is the check's argv when it runs as program.
func (c Check) Argv(program string) []string {
	argv := []string{program, CheckName, "--platform", c.Platform}
	if c.Report != "" {
		argv = append(argv, "--report", c.Report)
	}
	argv = append(argv, "--")
	for _, t := range c.Trees {
		argv = append(argv, t.Src, t.ImagePath)
	}
	return argv
}

func checkFlags(c *Check) *flag.FlagSet {
	fl := flag.NewFlagSet(CheckName, flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.StringVar(&c.Platform, "platform", "", "the platform `OS/ARCH` whose machine every executable must be for")
	fl.StringVar(&c.Report, "report", "", "write the files found to `FILE` and exit 0")
	return fl
}

// CheckUsage writes the check's synopsis and flags.
func CheckUsage(w io.Writer) {
	var c Check
	fl := checkFlags(&c)
	fl.SetOutput(w)
	fmt.Fprintln(w, CheckSynopsis)
	fl.PrintDefaults()
}

// ParseCheck reads the check's arguments (after the program name; a
// leading CheckName is skipped). It returns flag.ErrHelp for -h.
func ParseCheck(args []string) (Check, error) {
	if len(args) > 0 && args[0] == CheckName {
		args = args[1:]
	}
	var c Check
	pos, err := parseFlags(checkFlags(&c), args)
	if err != nil {
		return Check{}, err
	}
	if c.Platform == "" {
		return Check{}, errors.New("--platform is required")
	}
	if len(pos) == 0 || len(pos)%2 != 0 {
		return Check{}, fmt.Errorf("want pairs of SRC and IMAGE-PATH, got %d arguments: %q", len(pos), strings.Join(pos, " "))
	}
	for i := 0; i < len(pos); i += 2 {
		c.Trees = append(c.Trees, Tree{Src: pos[i], ImagePath: pos[i+1]})
	}
	return c, nil
}
