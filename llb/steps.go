package llb

import (
	bk "github.com/moby/buildkit/client/llb"

	"github.com/maistra/builder-frontend/spec"
)

// StepKind says what an op of the graph does for the spec.
type StepKind string

const (
	StepDownload StepKind = "download"
	StepUnpack   StepKind = "unpack"
	StepInstall  StepKind = "install"
	StepCompile  StepKind = "compile"
	StepPackages StepKind = "packages"
	StepRun      StepKind = "run"
)

// Step ties an op of the graph to the part of the spec it comes from, so
// that a failure reported by the daemon for that op can be told in the
// spec's terms: which tool, which platform, which URL, what to do.
type Step struct {
	Kind StepKind
	// Name is the tool, Go tool or run step.
	Name     string
	Platform string
	URL      string
	// Detail: the archive paths taken, the Go package@version, the command.
	Detail string
	// Log is a file in the root file system of the step's container that
	// holds its output when it fails (the native package step, PackagesLog);
	// empty when there is none.
	Log string
	// Packages is the package step's resolved packages (its repositories
	// name what a failure names by URL).
	Packages *spec.ResolvedPackages
	// State's last op is the step's op.
	State bk.State
}
