package spec

import _ "embed"

//go:embed types.go
var typesSource []byte

// TypesSource is the Go source of the spec's types: their doc comments are
// the field descriptions of the JSON Schema (package spec/schema).
func TypesSource() []byte { return typesSource }
