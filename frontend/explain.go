package frontend

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/grpcerrors"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/maistra/builder-frontend/llb"
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

// readFailedFile reads a file of the root file system a failed exec left
// (failedRootFile); nil where none can be read.
type readFailedFile func(ctx context.Context, err error, path string) ([]byte, error)

// explain finds the step of g whose op failed and says what failed in the
// spec's terms: which tool, platform and URL, and what to do about it. A
// step with a log (the native package step) is told from what its log
// says, read with read.
func explain(ctx context.Context, err error, g *llb.Graph, p ocispecs.Platform, read readFailedFile) error {
	var ve *errdefs.VertexError
	if !errors.As(err, &ve) || ve.Vertex == nil {
		return err
	}
	for _, st := range g.Steps {
		if d, derr := lastOp(ctx, st.State, p); derr == nil && d == ve.Digest {
			if st.Log != "" && read != nil {
				if log, rerr := read(ctx, err, st.Log); rerr == nil {
					if msg := packagesFailure(st, log); msg != "" {
						return &stepError{msg: msg, err: err}
					}
				}
			}
			return &stepError{msg: describe(st, err), err: err}
		}
	}
	return err
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
