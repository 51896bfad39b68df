// Package cmdline is the command lines of the frontend binary's helper
// commands (unpack, check-elf) and their exit codes, written in one place
// for both of their ends: the llb package puts them into the graph
// ([Command.Argv], [Check.Argv]), the helpers read them back ([Parse],
// [ParseCheck]) and the frontend tells a failure by its exit code. It is
// apart from the helpers so that the planner does not link the archive
// decoders.
package cmdline

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Name is the first word of the helper's arguments: the frontend binary
// runs as the helper when it sees it.
const Name = "unpack"

// Synopsis is the usage line of the helper.
const Synopsis = "usage: unpack [--form FORM] [--strip N] [--take PATH]... --dest DIR [--mode MODE] [--max-bytes N] [--max-files N] [--report FILE] SRC"

// The exit codes of the helpers besides 0, so that the frontend can tell a
// failure in the spec's terms.
const (
	// ExitFailed: the archive or a file could not be read or written.
	ExitFailed = 1
	// ExitUsage: the command line is wrong.
	ExitUsage = 2
	// ExitTooLarge: the archive unpacks to more than --max-bytes.
	ExitTooLarge = 3
	// ExitTooManyFiles: the archive holds more than --max-files entries.
	ExitTooManyFiles = 4
	// ExitForeignMachine: check-elf found files the platform cannot run.
	ExitForeignMachine = 5
)

// Command is one run of the helper: unpack Src into Dest.
type Command struct {
	// Form is the archive form as the spec names it (the helper accepts
	// aliases such as tgz); empty: from Src's extension, else its content.
	Form string
	// Strip drops this many leading path components from every entry.
	Strip int
	// Take restricts extraction to these paths (after Strip).
	Take []string
	// Dest is the directory entries are written into; for a raw file, the
	// target file (or its directory when it exists or ends with "/").
	Dest string
	// Mode is the permission of a raw file; 0 means the helper's default.
	Mode os.FileMode
	// MaxBytes and MaxFiles cap the archive; 0 means the helper's defaults.
	MaxBytes int64
	MaxFiles int
	// Report, when set, makes the helper write why it failed to this file
	// and succeed: the frontend reads it to tell a failed unpack.
	Report string
	// Src is the downloaded file.
	Src string
}

// Argv is the helper's argv when it runs as program: program, Name, then
// the flags and Src; Parse reads argv[1:] back as c. --strip is always
// written, so that the command shown in BuildKit's progress says it.
func (c Command) Argv(program string) []string {
	argv := make([]string, 0, 10+2*len(c.Take))
	argv = append(argv, program, Name)
	if c.Form != "" {
		argv = append(argv, "--form", c.Form)
	}
	argv = append(argv, "--strip", strconv.Itoa(c.Strip), "--dest", c.Dest)
	for _, t := range c.Take {
		argv = append(argv, "--take", t)
	}
	if c.Mode != 0 {
		argv = append(argv, "--mode", fmt.Sprintf("%#o", c.Mode.Perm()))
	}
	if c.MaxBytes != 0 {
		argv = append(argv, "--max-bytes", strconv.FormatInt(c.MaxBytes, 10))
	}
	if c.MaxFiles != 0 {
		argv = append(argv, "--max-files", strconv.Itoa(c.MaxFiles))
	}
	if c.Report != "" {
		argv = append(argv, "--report", c.Report)
	}
	if strings.HasPrefix(c.Src, "-") {
		argv = append(argv, "--")
	}
	return append(argv, c.Src)
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// flags declares the helper's flags into c, and mode (octal text) for
// c.Mode; forms lists the archive forms for the usage text.
func flags(c *Command, mode *string, forms string) *flag.FlagSet {
	fl := flag.NewFlagSet(Name, flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.StringVar(&c.Form, "form", "", "archive form: "+forms+" (default: from SRC's extension or content)")
	fl.IntVar(&c.Strip, "strip", 0, "drop `N` leading path components from every entry")
	fl.Var((*stringList)(&c.Take), "take", "extract only `PATH` (after strip), a file or directory; repeatable")
	fl.StringVar(&c.Dest, "dest", "", "destination `DIR` (for raw: target file, or directory when it exists or ends with /)")
	fl.StringVar(mode, "mode", "", "octal file `MODE` for --form raw (default 0644)")
	fl.Int64Var(&c.MaxBytes, "max-bytes", 0, "fail when the archive unpacks to more than `N` bytes (default 16 GiB)")
	fl.IntVar(&c.MaxFiles, "max-files", 0, "fail when the archive holds more than `N` entries (default 1000000)")
	fl.StringVar(&c.Report, "report", "", "on failure, write the reason to `FILE` and exit 0")
	return fl
}

// Usage writes the synopsis and the flags; forms lists the archive forms.
func Usage(w io.Writer, forms string) {
	var c Command
	var mode string
	fl := flags(&c, &mode, forms)
	fl.SetOutput(w)
	fmt.Fprintln(w, Synopsis)
	fl.PrintDefaults()
}

// Parse reads the helper's arguments (after the program name; a leading
// Name is skipped). Flags may also follow SRC. It returns flag.ErrHelp for
// -h; any other error is a usage error, to be shown with Usage.
func Parse(args []string) (Command, error) {
	if len(args) > 0 && args[0] == Name {
		args = args[1:]
	}
	var c Command
	var mode string
	pos, err := parseFlags(flags(&c, &mode, ""), args)
	if err != nil {
		return Command{}, err
	}
	if len(pos) != 1 {
		return Command{}, fmt.Errorf("want exactly one source file, got %d: %q", len(pos), pos)
	}
	c.Src = pos[0]
	if c.Dest == "" {
		return Command{}, errors.New("--dest is required")
	}
	if c.MaxBytes < 0 || c.MaxFiles < 0 {
		return Command{}, errors.New("--max-bytes and --max-files must not be negative")
	}
	if mode != "" {
		m, err := strconv.ParseUint(strings.TrimPrefix(mode, "0o"), 8, 32)
		if err != nil || m > 0o777 {
			return Command{}, fmt.Errorf("invalid --mode %q: want octal permission bits such as 0755", mode)
		}
		c.Mode = os.FileMode(m)
	}
	return c, nil
}

// parseFlags parses fl from args, flags before and after the positional
// arguments, and returns the positional ones.
func parseFlags(fl *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fl.Parse(args); err != nil {
			return nil, err
		}
		rest := fl.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if args = rest; len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
