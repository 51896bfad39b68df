package frontend

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
	gatewaypb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/grpcerrors"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/maistra/builder-frontend/internal/english"
	"github.com/maistra/builder-frontend/internal/unpack/cmdline"
	"github.com/maistra/builder-frontend/llb"
	"github.com/maistra/builder-frontend/spec"
)

// stepError is a daemon error retold in the spec's terms. It wraps the
// original, so the vertex, the source lines and the exit code still reach
// buildx.
type stepError struct {
	msg string
	err error
}

func (e *stepError) Error() string { return e.msg }
func (e *stepError) Unwrap() error { return e.err }

// GRPCStatus makes BuildKit send our message: it reuses the status of the
// first gRPC error in a chain, which would be the daemon's original. The
// typed details (source lines, vertex, exit code) are added back from the
// chain by grpcerrors.ToGRPC.
func (e *stepError) GRPCStatus() *status.Status {
	code := codes.Unknown
	if st, ok := grpcerrors.AsGRPCStatus(e.err); ok && st != nil && st.Code() != codes.OK {
		code = st.Code()
	}
	return status.New(code, e.msg)
}

// reasons is what explain asks beyond the graph, of the daemon and of the
// whole build.
type reasons interface {
	// report solves a failed helper's report state (llb.Step.Report) and
	// returns what it wrote to llb.ReportFile.
	report(ctx context.Context, st bk.State) (string, error)
	// sharedDownload returns the URL tool downloads on platform and the
	// platforms of the build that download it too, platform included;
	// none when the URL is the platform's own.
	sharedDownload(tool, platform string) (string, []string)
	// failedFile reads a file of the root file system the failed exec of
	// err left (failedRootFile): a native package step's log.
	failedFile(ctx context.Context, err error, path string) ([]byte, error)
}

// explain finds the step of g whose op failed and says what failed in the
// spec's terms: which tool, platform and URL, and what to do about it. A
// step with a log (the native package step) is told from what its log
// says.
func explain(ctx context.Context, err error, g *llb.Graph, p ocispecs.Platform, rs reasons) error {
	var ve *errdefs.VertexError
	if !errors.As(err, &ve) || ve.Vertex == nil {
		return err
	}
	for _, st := range g.Steps {
		if d, derr := lastOp(ctx, st.State, p); derr == nil && d == ve.Digest {
			if st.Log != "" {
				if log, rerr := rs.failedFile(ctx, err, st.Log); rerr == nil {
					if msg := packagesFailure(st, log); msg != "" {
						return &stepError{msg: msg, err: err}
					}
				}
			}
			msg := describe(st, err)
			switch code := exitCode(err); {
			case st.Kind == llb.StepCheck:
				msg = describeCheck(ctx, st, err, code, rs)
			case st.Kind == llb.StepUnpack && st.Report != nil:
				msg = describeNativeUnpack(ctx, st, err, code, rs)
			}
			return &stepError{msg: msg, err: err}
		}
	}
	return err
}

var exitCodeRe = regexp.MustCompile(`exit code: (\d+)`)

// exitCode is the exit status of a failed process of the graph, -1 when
// err is no such failure.
func exitCode(err error) int {
	var ee *gatewaypb.ExitError
	if errors.As(err, &ee) {
		return int(ee.ExitCode)
	}
	if m := exitCodeRe.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return -1
}

// describeCheck tells a failed ELF check: which file the platform cannot
// run (from the check's report), and the likely cause.
func describeCheck(ctx context.Context, st llb.Step, err error, code int, rs reasons) string {
	what := fmt.Sprintf("%s %q (%s)", st.Detail, st.Name, st.Platform)
	if code != cmdline.ExitForeignMachine {
		return fmt.Sprintf("%s: cannot check that %s runs its executables: %v", what, st.Platform, err)
	}
	found := fmt.Sprintf("it installs executables %s cannot run (the check's output above names them)", st.Platform)
	if r, rerr := rs.report(ctx, *st.Report); rerr == nil && strings.TrimSpace(r) != "" {
		found = strings.TrimSpace(r)
	}
	if st.Detail != "tool" {
		return fmt.Sprintf("%s: %s; it was compiled for another machine: check the tool's env and go.env for settings that change the target (GOFLAGS, CC)", what, found)
	}
	if url, plats := rs.sharedDownload(st.Name, st.Platform); len(plats) > 1 {
		return fmt.Sprintf("%s: %s; the URL does not change with the platform (%s is the URL for %s); use ${arch} or an arch scheme in it",
			what, found, url, english.List(plats))
	}
	return fmt.Sprintf("%s: %s; the download for %s (%s) is built for another machine: check the name the tool's arch scheme gives %s and the sha256 pinned for it, or set foreignBinaries: true if the tool ships such files on purpose",
		what, found, st.Platform, st.URL, st.Platform)
}

// describeNativeUnpack tells a failed unpack by our unpacker: a cap by its
// exit code, anything else by the reason the unpacker reports.
func describeNativeUnpack(ctx context.Context, st llb.Step, err error, code int, rs reasons) string {
	what := fmt.Sprintf("tool %q (%s)", st.Name, st.Platform)
	switch code {
	case cmdline.ExitTooLarge:
		limit := st.MaxBytes
		if limit == 0 {
			limit = spec.DefaultMaxUnpackedBytes
		}
		return fmt.Sprintf("%s: the %s from %s unpacks to more than %s, the limit, and was not unpacked; if the archive really is that large, raise the limit on the tool, e.g. maxUnpackedSize: %s",
			what, st.Detail, st.URL, spec.FormatSize(limit), spec.FormatSize(2*limit))
	case cmdline.ExitTooManyFiles:
		limit := st.MaxFiles
		if limit == 0 {
			limit = spec.DefaultMaxUnpackedFiles
		}
		return fmt.Sprintf("%s: the %s from %s holds more than %d entries, the limit, and was not unpacked; if the archive really holds that many, raise the limit on the tool, e.g. maxUnpackedFiles: %d",
			what, st.Detail, st.URL, limit, 2*limit)
	}
	r, rerr := rs.report(ctx, *st.Report)
	if rerr != nil || strings.TrimSpace(r) == "" {
		return describe(st, err)
	}
	reason := strings.TrimSpace(r)
	if strings.Contains(reason, "unexpected EOF") {
		// The sha256 matched, so the file is the one pinned: it was cut
		// short before it was pinned, and no spec field can fix that.
		return fmt.Sprintf("%s: cannot unpack the %s from %s: %s; the archive ends early: the file pinned is truncated or corrupt (test it with tar -tf or unzip -t), pin the complete file's sha256",
			what, st.Detail, st.URL, reason)
	}
	return fmt.Sprintf("%s: cannot unpack the %s from %s: %s; strip, take and form: must match the archive (list it with tar -tf or unzip -l)",
		what, st.Detail, st.URL, reason)
}

// lastOp is the digest of the op that produces st.
func lastOp(ctx context.Context, st bk.State, p ocispecs.Platform) (string, error) {
	def, err := st.Marshal(ctx, bk.Platform(p))
	if err != nil || len(def.Def) == 0 {
		return "", fmt.Errorf("marshal: %v", err)
	}
	var op pb.Op
	if err := op.UnmarshalVT(def.Def[len(def.Def)-1]); err != nil || len(op.Inputs) == 0 {
		return "", fmt.Errorf("no terminal op")
	}
	return op.Inputs[0].Digest, nil
}

var mismatchRe = regexp.MustCompile(`digest mismatch (?:for \S+: )?(sha256:[0-9a-f]{64})`)

func describe(st llb.Step, err error) string {
	switch st.Kind {
	case llb.StepDownload:
		if m := mismatchRe.FindStringSubmatch(err.Error()); m != nil {
			return fmt.Sprintf("tool %q (%s): the download from %s does not match its sha256 (got %s): the server may have answered with an error page (a wrong URL or version: try curl -fL %s | sha256sum), or the file was re-published upstream (verify it, then update its sha256, e.g. with builder lock)",
				st.Name, st.Platform, st.URL, m[1], st.URL)
		}
		if strings.Contains(err.Error(), "failed to retrieve HTTP auth secret") {
			return fmt.Sprintf("tool %q (%s): cannot download %s: %v; pass the secret named by authSecret: --secret id=NAME,src=FILE (the file holds the whole Authorization header)",
				st.Name, st.Platform, st.URL, err)
		}
		if strings.Contains(err.Error(), "unexpected EOF") {
			return fmt.Sprintf("tool %q (%s): cannot download %s: the connection closed before the whole file arrived (%v); retry, and check the server or proxy in between",
				st.Name, st.Platform, st.URL, err)
		}
		return fmt.Sprintf("tool %q (%s): cannot download %s: %v; check the URL template and the version, and that the daemon can reach the host",
			st.Name, st.Platform, st.URL, err)
	case llb.StepUnpack:
		return fmt.Sprintf("tool %q (%s): cannot unpack the %s from %s: %v; check form: (the file may not be a %s archive)",
			st.Name, st.Platform, st.Detail, st.URL, err, st.Detail)
	case llb.StepInstall:
		if st.Detail == "" {
			return fmt.Sprintf("tool %q (%s): cannot install the file from %s: %v; check dest and links: this step writes the file at dest, each link and the tool's manifest, so none may lie under another", st.Name, st.Platform, st.URL, err)
		}
		return fmt.Sprintf("tool %q (%s): cannot install from %s (%s): %v; the take paths and strip must match the archive's layout (list it with tar -tf or unzip -l), and the file must be a real archive of that form (else set form:)",
			st.Name, st.Platform, st.URL, st.Detail, err)
	case llb.StepCompile:
		return fmt.Sprintf("Go tool %q (%s): go install %s failed: %v; the compiler's output is above: check that the package and version exist in GOPROXY and that the module builds",
			st.Name, st.Platform, st.Detail, err)
	case llb.StepPackages:
		return fmt.Sprintf("packages (%s, %s): installing %s failed: %v; the package manager's output is above",
			st.Name, st.Platform, st.Detail, err)
	case llb.StepRun:
		return fmt.Sprintf("%s %q (%s) failed: %v", st.Detail, st.Name, st.Platform, err)
	}
	return err.Error()
}
