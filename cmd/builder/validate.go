package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/maistra/builder-frontend/internal/english"
	"github.com/maistra/builder-frontend/lint"
	"github.com/maistra/builder-frontend/spec"
)

type validateOptions struct {
	*globals
	common
	strict bool
	skip   []string
	files  []string
}

func newValidateCmd(g *globals) *cobra.Command {
	o := &validateOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Report every spec error and lint finding, with file:line:col",
		Long: `Check each spec as a build would, for every image (or --target) and every platform (--platform,
default the spec's platforms:), and run the lint rules (docs/lint.md). Every problem is printed as
FILE:LINE:COLUMN: what is wrong; what to do. Lint findings are printed as FILE:LINE:COLUMN: warning:
RULE: message. Errors go to stderr; the findings and one summary line per file to stdout.

The exit status is 1 when a spec has errors, or with --strict lint findings; 0 otherwise. Rules are
skipped with --skip RULE,RULE or with a "# check=skip=RULE" comment at the top of the spec.`,
		Example: `  builder validate builder.yaml
  builder validate --strict --platform linux/amd64,linux/arm64 specs/*.yaml      # pre-commit, CI
  builder validate --build-arg GO_VERSION=1.24.4 builder.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.files = args
			return o.run(cmd.Context())
		},
	}
	o.common.flags(cmd, "platforms, as buildx --platform (default: the spec's platforms:)", "the image to check (default: every image)")
	cmd.Flags().BoolVar(&o.strict, "strict", false, "exit 1 on lint findings too")
	cmd.Flags().StringSliceVar(&o.skip, "skip", nil, "lint rules not to run (see docs/lint.md)")
	return cmd
}

func (o *validateOptions) run(ctx context.Context) error {
	if err := o.prepare(); err != nil {
		return err
	}
	for _, r := range o.skip {
		if lint.RuleByName(r) == nil {
			return fmt.Errorf("--skip %s: no such rule; see docs/lint.md", r)
		}
	}
	failed := false
	for _, f := range o.files {
		nerr, nwarn, err := o.validateFile(f)
		if err != nil {
			return err
		}
		if nerr == 0 && nwarn == 0 {
			fmt.Fprintf(o.stdout, "%s: ok\n", f)
		} else {
			fmt.Fprintf(o.stdout, "%s: %s, %s\n", f, english.Plural(nerr, "error"), english.Plural(nwarn, "warning"))
		}
		if nerr > 0 || (o.strict && nwarn > 0) {
			failed = true
		}
	}
	if failed {
		return exitCode(1)
	}
	return nil
}

// validateFile prints one file's errors (to stderr) and findings (to
// stdout), each in file order, the errors first at the same place.
func (o *validateOptions) validateFile(file string) (nerr, nwarn int, err error) {
	data, s, errs := load(file)
	if errs != nil {
		o.printErrors(errs)
		return len(errs), 0, nil
	}
	images, err := o.images(s)
	if err != nil {
		return 0, 0, err
	}
	plats, _ := o.platforms(s, false)
	errs = o.validate(s, plats, images)

	cfg, err := lint.FileConfig(data)
	if err != nil {
		errs = append(errs, &spec.Error{File: file, Pos: spec.Pos{Line: 1, Col: 1}, Msg: err.Error()})
	}
	cfg = cfg.Merge(lint.Config{Skip: o.skip})
	findings := lint.Check(s, lint.Options{Target: o.target, Platforms: o.platformList, BuildArgs: o.buildArgs, BuildPlatform: o.buildPlatform, Config: cfg})

	type line struct {
		file int // the spec's own file 0, the one it extends 1, ...
		pos  spec.Pos
		err  *spec.Error
		text string
	}
	files := map[string]int{}
	for i, src := range s.Sources() {
		files[src.Filename] = i
	}
	var lines []line
	for _, e := range errs {
		lines = append(lines, line{file: files[e.File], pos: e.Pos, err: e})
	}
	for _, f := range findings {
		text := fmt.Sprintf("%s: warning: %s: %s%s", f.Location(), f.Rule.Name, f.Msg, spec.ExtendedByText(f.File, f.ExtendedBy))
		lines = append(lines, line{file: files[f.File], pos: f.Range.Start, text: text})
	}
	sort.SliceStable(lines, func(i, j int) bool {
		if lines[i].file != lines[j].file {
			return lines[i].file < lines[j].file
		}
		if lines[i].pos.Line != lines[j].pos.Line {
			return lines[i].pos.Line < lines[j].pos.Line
		}
		return lines[i].pos.Col < lines[j].pos.Col
	})
	for _, l := range lines {
		if l.err != nil {
			o.printErrors(spec.ErrorList{l.err})
		} else {
			fmt.Fprintln(o.stdout, l.text)
		}
	}
	return len(errs), len(findings), nil
}
