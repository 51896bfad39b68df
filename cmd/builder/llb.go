package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"
	"github.com/spf13/cobra"

	"github.com/maistra/builder-frontend/llb"
	"github.com/maistra/builder-frontend/spec"
)

type llbOptions struct {
	*globals
	common
	frontendImage string
	unpackHelper  bool
	noMergeOp     bool
	output        string
	file          string
}

func newLLBCmd(g *globals) *cobra.Command {
	o := &llbOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "llb FILE",
		Short: "Print the LLB a build of one image for one platform would solve",
		Long: `Print the LLB definition of one image (--target, default the first) for one platform (--platform,
default the spec's first platform) as marshalled pb.Definition bytes: the format buildctl debug
dump-llb reads from stdin, and buildctl build reads too.

There is no daemon, so what a build resolves is referenced by name instead:
  - the base image is "docker-image://<base>" with no digest and no config: the LLB does not pin it,
    and run steps get only the spec's environment, not the base image's (PATH, ...);
  - the frontend's own image (which unpacks zips) is --frontend-image;
  - the build context is the local source "context";
  - a native package step (docs/spec.md, packages) runs in "docker-image://<base>" for the build
    platform, as a build does when the base has a variant for it (--build-arg BUILDER_PACKAGES=emulated:
    the emulated route).
--build-platform is the daemon's platform (where Go tools compile, archives unpack and native
package steps run).
--build-arg SOURCE_DATE_EPOCH=SECONDS stamps the layers' files, as in a build.`,
		Example: `  builder llb builder.yaml | buildctl debug dump-llb | jq .
  builder llb --platform linux/arm64 --target builder --build-arg HELM_VERSION=v3.17.0 -o arm64.llb builder.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.file = args[0]
			return o.run(cmd.Context())
		},
	}
	o.common.flags(cmd, "the platform (default: the spec's first platform)", "the image (default: the spec's first image)")
	cmd.Flags().StringVar(&o.frontendImage, "frontend-image", "quay.io/maistra-dev/builder-frontend", "the frontend's image, which unpacks zip archives")
	cmd.Flags().BoolVar(&o.unpackHelper, "unpack-helper", false, "unpack every archive with the frontend's image, as --build-arg BUILDER_UNPACK=helper")
	cmd.Flags().BoolVar(&o.noMergeOp, "no-merge-op", false, "copy layers instead of MergeOp, as for a daemon without MergeOp")
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write the definition to this file instead of stdout")
	return cmd
}

func (o *llbOptions) run(ctx context.Context) error {
	if err := o.prepare(); err != nil {
		return err
	}
	if len(o.platformList) > 1 {
		return fmt.Errorf("--platform: llb prints one platform's graph; pass one platform")
	}
	data, s, errs := load(o.file)
	if errs != nil {
		return o.specErrors(errs)
	}
	plats, _ := o.platforms(s, false)
	r, errs, err := o.resolve(s, o.target, plats[0])
	if err != nil {
		return err
	}
	if errs != nil {
		return o.specErrors(errs)
	}
	def, err := o.definition(ctx, r, plats[0], data)
	if err != nil {
		return err
	}
	return o.write(def)
}

// definition is the LLB of r for platform p, the frontend's image and the
// build context standing in for what a daemon would resolve.
func (o *llbOptions) definition(ctx context.Context, r *spec.Resolved, p string, data []byte) (*bk.Definition, error) {
	target, err := platforms.Parse(p)
	if err != nil {
		return nil, err
	}
	target = platforms.Normalize(target)
	build := platforms.Normalize(platforms.MustParse(o.buildPlatform))
	base := bk.Scratch().Platform(target)
	if r.Base != "scratch" {
		base = bk.Image(r.Base, bk.Platform(target))
	}
	helper := bk.Image(o.frontendImage, bk.Platform(build))
	var epoch time.Time
	if v := o.buildArgs["SOURCE_DATE_EPOCH"]; v != "" {
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--build-arg SOURCE_DATE_EPOCH=%s: want seconds since 1970", v)
		}
		epoch = time.Unix(sec, 0).UTC()
	}
	emulated := o.emulatedPackages()
	var buildBase *bk.State
	if r.Base != "scratch" && o.nativePackages(r, p) {
		st := bk.Image(r.Base, bk.Platform(build))
		buildBase = &st
	}
	graph, err := llb.Build(r, llb.Options{
		BuildPlatform:    build,
		TargetPlatform:   target,
		Base:             base,
		BuildBase:        buildBase,
		EmulatedPackages: emulated,
		Context:          func() (bk.State, error) { return bk.Local("context"), nil },
		Helper:           &helper,
		HelperForAll:     o.unpackHelper,
		MergeOp:          !o.noMergeOp,
		SourceMap:        bk.NewSourceMap(nil, o.file, "YAML", data),
		SourceMaps:       sourceMaps(r.Spec),
		Epoch:            epoch,
	})
	if err != nil {
		return nil, err
	}
	return graph.State.Marshal(ctx, bk.Platform(target))
}

// sourceMaps are those of the files the spec extends.
func sourceMaps(s *spec.Spec) map[string]*bk.SourceMap {
	out := map[string]*bk.SourceMap{}
	for _, src := range s.Sources()[1:] {
		out[src.Filename] = bk.NewSourceMap(nil, src.Filename, "YAML", src.Data)
	}
	return out
}

// write writes the definition to -o, or to stdout unless that is a
// terminal.
func (o *llbOptions) write(def *bk.Definition) error {
	w := o.stdout
	if o.output != "" && o.output != "-" {
		f, err := os.Create(o.output)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	} else if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return fmt.Errorf("the LLB is binary: pipe it into buildctl debug dump-llb, or write it with -o FILE")
		}
	}
	return bk.WriteTo(def, w)
}
