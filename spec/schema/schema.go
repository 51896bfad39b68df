// Package schema generates the JSON Schema of a builder spec from the spec
// package's Go types, for editors (yaml-language-server:
// `# yaml-language-server: $schema=…`) and `builder schema`. It lives apart
// from spec so that the frontend binary does not carry the generator.
package schema

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"
	"sync"

	"github.com/invopop/jsonschema"
	orderedmap "github.com/pb33f/ordered-map/v2"

	"github.com/maistra/builder-frontend/spec"
)

// The schema is reflected from the Go types; the types whose YAML has more
// than one shape are described by hand (shapes). docs/spec.schema.json is
// the committed output.

// URL is where the committed schema is published.
const URL = "https://raw.githubusercontent.com/maistra/builder-frontend/main/docs/spec.schema.json"

// driftPattern is the shape of a drift source: its kind and its words.
const driftPattern = `^\s*(env\s+[A-Za-z_][A-Za-z0-9_]*(\s+in\s+\S+)?|(image|go|url)\s+\S+|bazelversion|none)\s*$`

// sha256Pattern is what a checksum value looks like.
const sha256Pattern = `^(sha256:)?[0-9a-f]{64}$`

func props(kv ...any) *orderedmap.OrderedMap[string, *jsonschema.Schema] {
	m := orderedmap.New[string, *jsonschema.Schema]()
	for i := 0; i+1 < len(kv); i += 2 {
		m.Set(kv[i].(string), kv[i+1].(*jsonschema.Schema))
	}
	return m
}

// scalarSchema accepts what YAML reads as text, a number or a boolean: the
// parser takes any scalar as text.
func scalarSchema(description string) *jsonschema.Schema {
	return &jsonschema.Schema{
		Description: description,
		AnyOf:       []*jsonschema.Schema{{Type: "string"}, {Type: "number"}, {Type: "boolean"}},
	}
}

// JSONSchema: an arg is its default, or a mapping with default and description.
func argSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Description: "A build argument: its default value, or a mapping with default and description. --build-arg NAME=value overrides the default.",
		OneOf: []*jsonschema.Schema{
			scalarSchema("The default value."),
			{
				Type: "object",
				Properties: props(
					"default", scalarSchema("The default value."),
					"description", &jsonschema.Schema{Type: "string", Description: "Shown by docker buildx build --call outline."},
				),
				AdditionalProperties: jsonschema.FalseSchema,
			},
		},
	}
}

// JSONSchema: a run step is a command, or a mapping with name and command.
func runStepSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Description: "A shell command run with /bin/sh -c on the target platform, or a mapping with name and command.",
		OneOf: []*jsonschema.Schema{
			{Type: "string", Description: "The command."},
			{
				Type: "object",
				Properties: props(
					"name", &jsonschema.Schema{Type: "string", Description: "Names the step in the build's progress."},
					"command", &jsonschema.Schema{Type: "string", Description: "The command."},
				),
				Required:             []string{"command"},
				AdditionalProperties: jsonschema.FalseSchema,
			},
		},
	}
}

// JSONSchema: platform → sha256, or version → (platform → sha256).
func checksumsSchema() *jsonschema.Schema {
	digest := &jsonschema.Schema{Type: "string", Pattern: sha256Pattern, Description: "64 lower-case hex digits, as sha256sum prints them, optionally prefixed with sha256:."}
	return &jsonschema.Schema{
		Description: "The artifact's sha256 per platform (for the version the spec names), or per version then per platform. builder lock writes them.",
		Type:        "object",
		AdditionalProperties: &jsonschema.Schema{OneOf: []*jsonschema.Schema{
			digest,
			{
				Type:                 "object",
				Description:          "The sha256 values of one version, per platform.",
				AdditionalProperties: digest,
			},
		}},
	}
}

// JSONSchema: an octal mode, as a number (755, 0755) or a string ("0755").
func fileModeSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Description: "A Unix permission mode in octal: 755, 0755 and \"0755\" all mean rwxr-xr-x.",
		OneOf: []*jsonschema.Schema{
			{Type: "integer", Minimum: "0", Maximum: "7777"},
			{Type: "string", Pattern: `^(0o|0)?[0-7]{1,4}$`},
		},
	}
}

var (
	commentsOnce sync.Once
	comments     map[string]string
)

// typeComments returns the doc comments of types.go: "Type" and
// "Type.Field" to text.
func typeComments() map[string]string {
	commentsOnce.Do(func() {
		comments = map[string]string{}
		f, err := parser.ParseFile(token.NewFileSet(), "types.go", spec.TypesSource(), parser.ParseComments)
		if err != nil {
			return
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, sp := range gd.Specs {
				ts := sp.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				comments[ts.Name.Name] = cleanComment(doc.Text())
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, fl := range st.Fields.List {
					txt := fl.Doc.Text()
					if txt == "" {
						txt = fl.Comment.Text()
					}
					for _, n := range fl.Names {
						comments[ts.Name.Name+"."+n.Name] = cleanComment(txt)
					}
				}
			}
		}
	})
	return comments
}

// cleanComment joins a Go comment's lines into one paragraph.
func cleanComment(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// shapes are the types whose YAML takes more than one form.
var shapes = map[reflect.Type]func() *jsonschema.Schema{
	reflect.TypeOf(spec.Arg{}):       argSchema,
	reflect.TypeOf(spec.RunStep{}):   runStepSchema,
	reflect.TypeOf(spec.Checksums{}): checksumsSchema,
	reflect.TypeOf(spec.FileMode(0)): fileModeSchema,
}

// Generate returns the JSON Schema of a spec file.
func Generate() *jsonschema.Schema {
	pkg := reflect.TypeOf(spec.Spec{}).PkgPath()
	r := &jsonschema.Reflector{
		BaseSchemaID: "https://github.com/maistra/builder-frontend",
		// Each shape is referenced by name and defined once, below.
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			if _, ok := shapes[t]; ok {
				return &jsonschema.Schema{Ref: "#/$defs/" + t.Name()}
			}
			return nil
		},
		LookupComment: func(t reflect.Type, field string) string {
			if t.PkgPath() != pkg {
				return ""
			}
			if field == "" {
				return typeComments()[t.Name()]
			}
			return typeComments()[t.Name()+"."+field]
		},
	}
	s := r.Reflect(&spec.Spec{})
	for t, f := range shapes {
		s.Definitions[t.Name()] = f()
	}
	// The forms come from the spec's one table of forms, not from a copy
	// in a struct tag.
	if form, ok := s.Definitions["Tool"].Properties.Get("form"); ok {
		for _, f := range spec.Forms() {
			form.Enum = append(form.Enum, f)
		}
	}
	// Editors flag a drift source of no known kind; builder validate
	// checks the rest (spec.ParseDriftSource).
	if drift, ok := s.Definitions["Spec"].Properties.Get("drift"); ok {
		drift.AdditionalProperties = &jsonschema.Schema{Type: "string", Pattern: driftPattern}
	}
	s.ID = URL
	s.Title = "builder spec"
	s.Description = "A builder spec, format version 1: images built by the builder-frontend BuildKit frontend. See docs/spec.md."
	return s
}
