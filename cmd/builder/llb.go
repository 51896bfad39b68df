package main

import (
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
	common
	frontendImage string
	unpackHelper  bool
	noMergeOp     bool
	output        string
}

func newLLBCmd(g *globals) *cobra.Command {
	o := &llbOptions{}
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
  - the build context is the local source "context".
--build-platform is the daemon's platform (where Go tools compile and archives unpack).
--build-arg SOURCE_DATE_EPOCH=SECONDS stamps the layers' files, as in a build.`,
		Example: `  builder llb builder.yaml | buildctl debug dump-llb | jq .
  builder llb --platform linux/arm64 --target builder --build-arg HELM_VERSION=v3.17.0 -o arm64.llb builder.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.prepare(); err != nil {
				return err
			}
			if len(o.platformList) > 1 {
				return fmt.Errorf("--platform: llb prints one platform's graph; pass one platform")
			}
			data, s, errs := load(args[0])
			if errs != nil {
				printErrors(g.stderr, errs)
				return exitCode(1)
			}
			plats, _ := o.platforms(s, false)
			p := plats[0]
			r, err := s.Resolve(p, spec.Options{Target: o.target, BuildArgs: o.buildArgs, BuildPlatform: o.buildPlatform})
			if err != nil {
				if l, ok := err.(spec.ErrorList); ok {
					printErrors(g.stderr, l)
					return exitCode(1)
				}
				return err
			}
			target, err := platforms.Parse(p)
			if err != nil {
				return err
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
					return fmt.Errorf("--build-arg SOURCE_DATE_EPOCH=%s: want seconds since 1970", v)
				}
				epoch = time.Unix(sec, 0).UTC()
			}
			graph, err := llb.Build(r, llb.Options{
				BuildPlatform:  build,
				TargetPlatform: target,
				Base:           base,
				Context:        func() (bk.State, error) { return bk.Local("context"), nil },
				Helper:         &helper,
				HelperForAll:   o.unpackHelper,
				MergeOp:        !o.noMergeOp,
				SourceMap:      bk.NewSourceMap(nil, args[0], "YAML", data),
				Epoch:          epoch,
			})
			if err != nil {
				return err
			}
			def, err := graph.State.Marshal(cmd.Context(), bk.Platform(target))
			if err != nil {
				return err
			}
			w := g.stdout
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
		},
	}
	o.common.flags(cmd, "the platform (default: the spec's first platform)", "the image (default: the spec's first image)")
	cmd.Flags().StringVar(&o.frontendImage, "frontend-image", "quay.io/maistra-dev/builder-frontend", "the frontend's image, which unpacks zip archives")
	cmd.Flags().BoolVar(&o.unpackHelper, "unpack-helper", false, "unpack every archive with the frontend's image, as --build-arg BUILDER_UNPACK=helper")
	cmd.Flags().BoolVar(&o.noMergeOp, "no-merge-op", false, "copy layers instead of MergeOp, as for a daemon without MergeOp")
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write the definition to this file instead of stdout")
	return cmd
}
