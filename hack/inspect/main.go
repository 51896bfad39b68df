// Command inspect prints, per platform of a pushed image, each tool of the
// spec that built it: version, binary and the ELF machine of that binary.
//
//	go run ./hack/inspect SPEC REF [NAME=VALUE...]
package main

import (
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/maistra/builder-frontend/internal/lab"
	"github.com/maistra/builder-frontend/spec"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: inspect SPEC REF [ARG=VALUE...]")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3:]); err != nil {
		fmt.Fprintln(os.Stderr, "inspect:", err)
		os.Exit(1)
	}
}

func run(file, ref string, argv []string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	s, err := spec.Parse(file, data)
	if err != nil {
		return err
	}
	args := map[string]string{}
	for _, a := range argv {
		k, v, _ := strings.Cut(a, "=")
		args[k] = v
	}
	plats, err := (&lab.Lab{}).Platforms(ref)
	if err != nil {
		return err
	}
	slices.Sort(plats)
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PLATFORM\tTOOL\tVERSION\tBINARY\tELF MACHINE")
	for _, p := range plats {
		r, err := s.Resolve(p, spec.Options{BuildArgs: args})
		if err != nil {
			return err
		}
		fs, err := (&lab.Lab{}).Filesystem(ref, p)
		if err != nil {
			return err
		}
		for _, t := range r.Tools {
			bin := binaryOf(fs, t)
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p, t.Name, t.Version, bin, machine(fs, bin))
		}
		for _, g := range r.GoTools {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p, g.Name, g.Version, g.Dest, machine(fs, g.Dest))
		}
	}
	return w.Flush()
}

// binaryOf guesses the main executable a tool installed: its raw file, an
// executable named like the tool, or the first executable it took.
func binaryOf(fs *lab.Filesystem, t *spec.ResolvedTool) string {
	if t.Form == spec.FormRaw {
		return t.Dest
	}
	var cands []string
	for _, tk := range t.Take {
		cands = append(cands, path.Join(t.Dest, tk))
	}
	cands = append(cands, path.Join(t.Dest, t.Name), path.Join(t.Dest, "bin", t.Name))
	for _, c := range cands {
		if f, err := fs.Lookup(c); err == nil && f.IsRegular() {
			if _, err := lab.ELFMachine(f.Head); err == nil {
				return c
			}
		}
	}
	return "-"
}

func machine(fs *lab.Filesystem, p string) string {
	f, err := fs.Lookup(p)
	if err != nil {
		return "missing"
	}
	m, err := lab.ELFMachine(f.Head)
	if err != nil {
		return "not ELF"
	}
	return m.String()
}
