package frontend

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"

	"github.com/maistra/builder-frontend/llb"
)

// argChecks=skip builds without running the tools' smoke checks.
const argChecks = "BUILDER_CHECKS"

// checksOutputShown caps the output of a failed check in the build's
// error: its last bytes, where a failure says why.
const checksOutputShown = 2000

// checksInParallel bounds the checks of one platform solved at once.
const checksInParallel = 8

// checksEnabled reads --build-arg BUILDER_CHECKS.
func checksEnabled(bc *dockerui.Client) (bool, error) {
	switch v := bc.BuildArgs[argChecks]; v {
	case "", "run":
		return true, nil
	case "skip":
		return false, nil
	default:
		return false, fmt.Errorf("--build-arg %s=%s: use skip to build without the tools' checks, or leave it out to run them", argChecks, v)
	}
}

// runChecks solves every check of one platform's image, in parallel, each
// apart from the image, and fails with every check that did not exit 0:
// tool, platform, command, exit code and output.
func runChecks(ctx context.Context, c client.Client, bc *dockerui.Client, checks []llb.Check, p ocispecs.Platform, files *specFiles) error {
	if len(checks) == 0 {
		return nil
	}
	failures := make([]string, len(checks))
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(checksInParallel)
	for i, ch := range checks {
		eg.Go(func() error {
			msg, err := runCheck(ctx, c, bc, ch, p)
			failures[i] = msg
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return err
	}
	var failed []string
	var first *llb.Check
	for i, msg := range failures {
		if msg != "" {
			failed = append(failed, msg)
			if first == nil {
				first = &checks[i]
			}
		}
	}
	if len(failed) == 0 {
		return nil
	}
	sort.Strings(failed)
	var err error = &checkError{msg: strings.Join(failed, "\n")}
	if info := files.checkSource(first.Range); info != nil && first.Range.Start.Line > 0 {
		err = errdefs.WithSource(err, &errdefs.Source{
			Info:   info,
			Ranges: []*pb.Range{{Start: &pb.Position{Line: int32(first.Range.Start.Line)}, End: &pb.Position{Line: int32(max(first.Range.End.Line, first.Range.Start.Line))}}},
		})
	}
	return err
}

// checkError is the checks that failed, one per line.
type checkError struct{ msg string }

func (e *checkError) Error() string { return e.msg }

// runCheck solves one check and reads what it left: "" when the command
// exited 0, else what failed. An error is a check that could not run at
// all.
func runCheck(ctx context.Context, c client.Client, bc *dockerui.Client, ch llb.Check, p ocispecs.Platform) (string, error) {
	def, err := ch.State.Marshal(ctx, bk.Platform(p))
	if err != nil {
		return "", fmt.Errorf("marshal the check of %s: %w", ch.What(), err)
	}
	// Evaluate, so that a check that cannot run fails here, where it can
	// be told as the check's, not at the first read of its result.
	res, err := c.Solve(ctx, client.SolveRequest{Definition: def.ToPB(), CacheImports: bc.CacheImports, Evaluate: true})
	if err != nil {
		return "", &stepError{msg: fmt.Sprintf("%s (%s): check %q could not run: %v; a check runs with the image's /bin/sh", ch.What(), ch.Platform, ch.Command, err), err: err}
	}
	ref, err := res.SingleRef()
	if err != nil {
		return "", err
	}
	status, err := ref.ReadFile(ctx, client.ReadRequest{Filename: llb.CheckStatus})
	if err != nil {
		return "", fmt.Errorf("%s (%s): check %q left no exit status: %w", ch.What(), ch.Platform, ch.Command, err)
	}
	code, err := strconv.Atoi(strings.TrimSpace(string(status)))
	if err != nil {
		return "", fmt.Errorf("%s (%s): check %q left the exit status %q", ch.What(), ch.Platform, ch.Command, status)
	}
	if code == 0 {
		return "", nil
	}
	output := "its output"
	st, err := ref.StatFile(ctx, client.StatRequest{Path: llb.CheckOutput})
	if err != nil {
		return "", fmt.Errorf("%s (%s): check %q left no output file: %w", ch.What(), ch.Platform, ch.Command, err)
	}
	read := client.ReadRequest{Filename: llb.CheckOutput}
	if st.Size > checksOutputShown {
		read.Range = &client.FileRange{Offset: int(st.Size - checksOutputShown), Length: checksOutputShown}
		output = fmt.Sprintf("the last %d bytes of its %d bytes of output", checksOutputShown, st.Size)
	}
	out, err := ref.ReadFile(ctx, read)
	if err != nil {
		return "", fmt.Errorf("%s (%s): check %q: cannot read its output: %w", ch.What(), ch.Platform, ch.Command, err)
	}
	return fmt.Sprintf("%s (%s): check %q exited with code %d; %s: %q; the tool does not start on %s: check its artifact (or build) for that platform, or the check's command; --build-arg %s=skip builds without checks",
		ch.What(), ch.Platform, ch.Command, code, output, out, ch.Platform, argChecks), nil
}
