package spec

import (
	"fmt"
	"strings"
)

// A tool's or Go tool's check: is a shell command the build runs in the
// finished image, apart from it, on every platform the tool is built for.
// It is not a template (the shell sees the args as environment variables,
// as a run step does).

// check returns the command of a check: field, with its problems reported
// against what ("tool \"bazel\"").
func (r *resolver) check(what, command string, at Path) string {
	if command != "" && strings.TrimSpace(command) == "" {
		r.errorf(at, "write the command that shows the tool starts, e.g. bazel --version, or remove check:", "%s: check is blank", what)
	}
	return command
}

// checkWhere names a tool for its check's errors.
func checkWhere(goTool bool, name string) string {
	if goTool {
		return fmt.Sprintf("Go tool %q", name)
	}
	return fmt.Sprintf("tool %q", name)
}
