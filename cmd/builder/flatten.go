package main

import (
	"context"

	"github.com/spf13/cobra"
)

type flattenOptions struct {
	*globals
	file string
}

func newFlattenCmd(g *globals) *cobra.Command {
	o := &flattenOptions{globals: g}
	return &cobra.Command{
		Use:   "flatten FILE",
		Short: "Print a spec with extends as one file: the effective spec",
		Long: `Read the spec and the specs it extends (docs/spec.md, "extends"), merge them as a build does, and
print the result as one spec without extends: every tool, Go tool, package, arg, env variable and label
the image gets, whichever file says it. The output builds the same image and gives the same plan.
Comments are not kept, but the spec's own "# syntax=" and "# check=" lines are. A spec without
extends is printed field by field, in the order of docs/spec.md.

Errors of reading and merging the files are printed to stderr instead (exit status 1); what only a
build finds (a missing sha256, an unknown template name) is left to builder validate.`,
		Example: `  builder flatten examples/maistra-builder/3.5.yaml
  diff <(builder flatten 3.4.yaml) <(builder flatten 3.5.yaml)    # what differs between two branches`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.file = args[0]
			return o.run(cmd.Context())
		},
	}
}

func (o *flattenOptions) run(context.Context) error {
	_, s, errs := load(o.file)
	if errs != nil {
		return o.specErrors(errs)
	}
	_, err := o.stdout.Write(s.Flatten())
	return err
}
