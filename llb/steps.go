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
	// StepCheck checks that the platform runs a tool's (or Go tool's)
	// executables; Detail is "tool" or "Go tool".
	StepCheck    StepKind = "check"
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
	// Report, when set, is the same helper run told to write why it fails
	// to ReportFile in this state, and to succeed: solved after the step
	// failed, it says which files or entries were at fault.
	Report *bk.State
	// MaxBytes and MaxFiles are an unpack's caps set by the tool (0: the
	// defaults of spec).
	MaxBytes int64
	MaxFiles int
}
