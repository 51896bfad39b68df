package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/maistra/builder-frontend/spec/schema"
	"github.com/spf13/cobra"
)

// schemaJSON is the JSON Schema of a spec, as docs/spec.schema.json holds it.
func schemaJSON() ([]byte, error) {
	b, err := json.MarshalIndent(schema.Generate(), "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

type schemaOptions struct {
	*globals
}

func newSchemaCmd(g *globals) *cobra.Command {
	o := &schemaOptions{globals: g}
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the spec format",
		Long: `Print the JSON Schema (draft 2020-12) of a builder spec, generated from the Go types the frontend
parses. docs/spec.schema.json is this output; editors that use yaml-language-server validate and
complete a spec that starts with

  # syntax=quay.io/maistra-dev/builder-frontend
  # yaml-language-server: $schema=` + schema.URL + `

(or a relative path to a copy of the file). The schema checks the shape of the YAML only; builder
validate checks everything a build checks.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd.Context()) },
	}
}

func (o *schemaOptions) run(context.Context) error {
	b, err := schemaJSON()
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(o.stdout, string(b))
	return err
}
