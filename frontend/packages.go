package frontend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/spec"
)

// argPackages=emulated runs the package step on the target platform
// whatever packages.mode says.
const argPackages = spec.ArgPackages

// emulatedPackages reads --build-arg BUILDER_PACKAGES.
func emulatedPackages(bc *dockerui.Client) (bool, error) {
	switch v := bc.BuildArgs[argPackages]; v {
	case "":
		return false, nil
	case spec.ModeEmulated:
		return true, nil
	default:
		return false, fmt.Errorf("--build-arg %s=%s: the only value is emulated (the package step runs on the target platform, whatever packages.mode says); leave it out for the spec's mode", argPackages, spec.Clip(v, 40))
	}
}

// loadBuildBase is the base image for the build platform, where a native
// package step for target runs its package manager: the same reference as
// the target's base. When there is none (a single-platform base, a local
// directory as the base) the step runs emulated, and a build warning says
// why.
func loadBuildBase(ctx context.Context, c client.Client, bc *dockerui.Client, files *specFiles, r *spec.Resolved, target ocispecs.Platform) (*bk.State, *dockerspec.DockerOCIImage) {
	build := platforms.Normalize(bc.BuildPlatforms[0])
	buildID := platforms.FormatAll(build)
	st, img, err := loadBase(ctx, c, bc, r, build, nil)
	var why string
	switch {
	case err != nil:
		why = fmt.Sprintf("cannot be resolved for the build platform %s (%s)", buildID, spec.Clip(err.Error(), 300))
	case img == nil:
		why = fmt.Sprintf("has no image config to tell its platform (a local directory?), so it cannot serve as the build platform's (%s)", buildID)
	case platforms.FormatAll(platforms.Normalize(img.Platform)) != buildID:
		why = fmt.Sprintf("has no variant for the build platform %s (it is %s)", buildID, platforms.FormatAll(platforms.Normalize(img.Platform)))
	default:
		return &st, img
	}
	msg := fmt.Sprintf("packages (%s, %s) run emulated: the base image %s %s, where the native route runs %s; give the base image a %s variant, or write packages.mode: emulated",
		r.Packages.Manager, platforms.FormatAll(target), r.Base, why, r.Packages.Manager, buildID)
	wo := client.WarnOpts{Level: 1, Detail: [][]byte{[]byte("The native package route runs the package manager of the base image for the build platform; without it, the package step runs on the target platform under emulation (docs/spec.md, packages).")}}
	files.warn(ctx, msg, wo, r.Packages.Range, nil)
	return nil, nil
}

// stepLogMax is how much of a failed step's log is read: its end, where
// the package manager says what failed.
const stepLogMax = 256 << 10

// failedRootFile reads the end of the file path (up to stepLogMax bytes)
// in the root file system that the failed exec of err left behind, by
// running cat in a container on it: the daemon keeps a failed exec's
// mounts for the frontend that solved it (as for buildx's debugger).
func failedRootFile(ctx context.Context, c client.Client, err error, path string) ([]byte, error) {
	var se *errdefs.SolveError
	if !errors.As(err, &se) || se.Op == nil || se.Op.GetExec() == nil {
		return nil, errors.New("the error names no failed exec")
	}
	rootID := ""
	for i, m := range se.Op.GetExec().Mounts {
		if m.Dest == "/" && i < len(se.MountIDs) {
			rootID = se.MountIDs[i]
		}
	}
	if rootID == "" {
		return nil, errors.New("the daemon kept no root file system of the failed exec")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	ctr, err := c.NewContainer(ctx, client.NewContainerRequest{
		Mounts:   []client.Mount{{Dest: "/", ResultID: rootID, Readonly: true, MountType: pb.MountType_BIND}},
		NetMode:  pb.NetMode_NONE,
		Platform: se.Op.Platform,
	})
	if err != nil {
		return nil, err
	}
	defer ctr.Release(context.WithoutCancel(ctx))
	out := &tailWriter{max: stepLogMax}
	proc, err := ctr.Start(ctx, client.StartRequest{
		Args:   []string{"cat", path},
		Env:    []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		Cwd:    "/",
		User:   "0:0",
		Stdout: out,
		Stderr: nopWriteCloser{io.Discard},
	})
	if err != nil {
		return nil, err
	}
	if err := proc.Wait(); err != nil {
		return nil, err
	}
	return out.buf, nil
}

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	buf []byte
	max int
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	if len(w.buf) > w.max {
		w.buf = append(w.buf[:0], w.buf[len(w.buf)-w.max:]...)
	}
	return len(p), nil
}

func (w *tailWriter) Close() error { return nil }

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
