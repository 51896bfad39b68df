// Package frontend is the BuildKit gateway glue: it reads the spec through
// dockerui, answers subrequests, resolves the base image of each platform,
// hands the llb package a resolved spec and returns one image per platform.
package frontend

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/moby/buildkit/frontend/attestations/sbom"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/solver/result"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/lint"
	"github.com/maistra/builder-frontend/llb"
	"github.com/maistra/builder-frontend/spec"
)

const (
	// argUnpack=helper sends every archive through our own unpacker, for
	// daemons whose host has no xz.
	argUnpack = "BUILDER_UNPACK"
	// baseContext is the --build-context name that replaces the base image.
	baseContext = "base"
)

// Build is the gateway entrypoint.
func Build(ctx context.Context, c client.Client) (*client.Result, error) {
	bc, err := dockerui.NewClient(c)
	if err != nil {
		return nil, err
	}
	s, files, err := loadSpec(ctx, c, bc)
	if err != nil {
		return nil, err
	}

	if res, ok, err := bc.HandleSubrequest(ctx, subrequests(s, bc)); err != nil || ok {
		return res, err
	}

	target := bc.Target
	if target == "" {
		target = s.DefaultImage()
	}
	build := platforms.FormatAll(platforms.Normalize(bc.BuildPlatforms[0]))
	opts := spec.Options{Target: target, BuildArgs: bc.BuildArgs, BuildPlatform: build}
	requested, err := requestedPlatforms(bc)
	if err != nil {
		return nil, err
	}
	plats := s.TargetPlatforms(requested, build)
	// dockerui's bc.Build builds once per bc.TargetPlatforms (for the
	// frontend's own platform when there are none) and makes an image index
	// only when MultiPlatformRequested: without --platform, it is told the
	// platforms chosen here.
	if len(bc.TargetPlatforms) == 0 {
		if bc.TargetPlatforms, err = ociPlatforms(plats); err != nil {
			return nil, err
		}
		if len(plats) > 1 {
			bc.MultiPlatformRequested = true
		}
	}
	// Every platform is checked before anything is solved, so a spec error
	// for arm64 does not surface after the amd64 build has run.
	if err := s.Validate(plats, opts); err != nil {
		return nil, files.specError(err)
	}
	if err := warnLint(ctx, bc, files, s, plats, opts); err != nil {
		return nil, err
	}

	epoch, err := sourceDateEpoch(bc)
	if err != nil {
		return nil, err
	}
	checks, err := checksEnabled(bc)
	if err != nil {
		return nil, err
	}
	forceEmulated, err := emulatedPackages(bc)
	if err != nil {
		return nil, err
	}
	caps := c.BuildOpts().LLBCaps
	mergeOp := caps.Supports(pb.CapMergeOp) == nil
	helper, err := currentFrontend(c)
	if err != nil {
		return nil, err
	}

	// An SBOM (buildx --sbom) is made by the requested scanner from each
	// platform's finished root file system, as the Dockerfile frontend does.
	var scanner sbom.Scanner
	if bc.SBOM != nil {
		bp := bc.BuildPlatforms[0]
		scanner, err = sbom.CreateSBOMScanner(ctx, c, bc.SBOM.Generator, bp, sourceresolver.Opt{
			ImageOpt: &sourceresolver.ResolveImageOpt{ResolveMode: bc.ImageResolveMode.String(), Platform: &bp},
		}, bc.SBOM.Parameters)
		if err != nil {
			return nil, fmt.Errorf("SBOM generator %s: %w", bc.SBOM.Generator, err)
		}
	}
	// bc.Build runs the platforms concurrently; each fills its own entry.
	built := make([]platformResult, max(1, len(bc.TargetPlatforms)))
	rb, err := bc.Build(ctx, func(ctx context.Context, platform *ocispecs.Platform, idx int) (*dockerui.BuildResult, error) {
		p := platforms.Normalize(platforms.DefaultSpec())
		if platform != nil {
			p = platforms.Normalize(*platform)
		}
		r, err := s.Resolve(platforms.FormatAll(p), opts)
		if err != nil {
			return nil, files.specError(err)
		}
		base, baseImg, err := loadBase(ctx, c, bc, r, p, files)
		if err != nil {
			return nil, err
		}
		var buildBase *bk.State
		var buildBaseImg *dockerspec.DockerOCIImage
		if llb.NativePackages(r, bc.BuildPlatforms[0], p, forceEmulated) {
			buildBase, buildBaseImg = loadBuildBase(ctx, c, bc, files, r, p)
		}
		g, err := llb.Build(r, llb.Options{
			BuildPlatform:    bc.BuildPlatforms[0],
			TargetPlatform:   p,
			Base:             base,
			BaseImage:        baseImg,
			BuildBase:        buildBase,
			BuildBaseImage:   buildBaseImg,
			EmulatedPackages: forceEmulated,
			Context: func() (bk.State, error) {
				st, err := bc.MainContext(ctx)
				if err != nil {
					return bk.State{}, err
				}
				return *st, nil
			},
			Helper:       helper,
			HelperForAll: bc.BuildArgs[argUnpack] == "helper",
			MergeOp:      mergeOp,
			SourceMap:    files.root.SourceMap,
			SourceMaps:   files.others(),
			CacheNS:      bc.CacheIDNamespace,
			Epoch:        derefTime(epoch),
		})
		if err != nil {
			return nil, err
		}
		def, err := g.State.Marshal(ctx, bk.Platform(p))
		if err != nil {
			return nil, fmt.Errorf("marshal the LLB of %s: %w", platforms.FormatAll(p), err)
		}
		// Evaluate: build now, inside the frontend, so that a failure comes
		// back here and can be told in the spec's terms (see explain).
		res, err := c.Solve(ctx, client.SolveRequest{Definition: def.ToPB(), CacheImports: bc.CacheImports, Evaluate: true})
		if err != nil {
			return nil, explain(ctx, err, g, p, buildReasons{c: c, bc: bc, s: s, image: target, platforms: plats})
		}
		ref, err := res.SingleRef()
		if err != nil {
			return nil, err
		}
		// The checks run on the solved image, apart from it, before
		// anything is exported: a failed check means nothing is pushed.
		if checks {
			if err := runChecks(ctx, c, bc, g.Checks, p, files); err != nil {
				return nil, err
			}
		}
		built[idx] = platformResult{id: platforms.FormatAll(p), root: g.State, annotations: r.Annotations}
		img := g.Image
		return &dockerui.BuildResult{Reference: ref, Image: &img, BaseImage: baseImg, Epoch: epoch}, nil
	})
	if err != nil {
		return nil, err
	}
	addAnnotations(rb, built, len(plats) > 1 || bc.MultiPlatformRequested)
	if scanner != nil {
		if err := attachSBOMs(ctx, c, bc, rb, scanner, built); err != nil {
			return nil, err
		}
	}
	return rb.Finalize()
}

// platformResult is what one platform's build leaves for the steps after
// bc.Build: its finished root file system for the SBOM scanner and the
// annotations for its manifest.
type platformResult struct {
	// id is the platform, as dockerui names it in the result.
	id          string
	root        bk.State
	annotations map[string]string
}

// attachSBOMs runs the SBOM scanner (buildx --sbom) on each platform's
// finished root file system, as the Dockerfile frontend does.
func attachSBOMs(ctx context.Context, c client.Client, bc *dockerui.Client, rb *dockerui.ResultBuilder, scanner sbom.Scanner, built []platformResult) error {
	return rb.EachPlatform(ctx, func(ctx context.Context, id string, p ocispecs.Platform) error {
		i := slices.IndexFunc(built, func(b platformResult) bool { return b.id == id })
		if i < 0 {
			return fmt.Errorf("no root file system for %s to scan", id)
		}
		att, err := scanner(ctx, id, built[i].root, nil)
		if err != nil {
			return err
		}
		solved, err := result.ConvertAttestation(&att, func(st *bk.State) (client.Reference, error) {
			def, err := st.Marshal(ctx)
			if err != nil {
				return nil, err
			}
			r, err := c.Solve(ctx, client.SolveRequest{Definition: def.ToPB(), CacheImports: bc.CacheImports})
			if err != nil {
				return nil, err
			}
			return r.Ref, nil
		})
		if err != nil {
			return err
		}
		rb.AddAttestation(id, *solved)
		return nil
	})
}

// requestedPlatforms are --platform's platforms. s.TargetPlatforms drops
// entries that no builder image can have; here they are an error, so that a
// wrong --platform is not quietly replaced by the spec's platforms.
func requestedPlatforms(bc *dockerui.Client) ([]string, error) {
	out := make([]string, 0, len(bc.TargetPlatforms))
	seen := map[string]bool{}
	for _, p := range bc.TargetPlatforms {
		id := platforms.FormatAll(platforms.Normalize(p))
		np, err := spec.NormalizePlatform(id)
		if err != nil {
			return nil, fmt.Errorf("--platform: %w; pass platforms such as linux/amd64,linux/arm64", err)
		}
		// Each platform is one entry of the image index: dockerui would
		// build a repeated one twice and export both.
		if seen[np] {
			return nil, fmt.Errorf("--platform lists %s twice; list each platform once", np)
		}
		seen[np] = true
		out = append(out, id)
	}
	return out, nil
}

// ociPlatforms parses platform strings for dockerui.
func ociPlatforms(plats []string) ([]ocispecs.Platform, error) {
	out := make([]ocispecs.Platform, 0, len(plats))
	for _, p := range plats {
		pp, err := platforms.Parse(p)
		if err != nil {
			return nil, err
		}
		out = append(out, pp)
	}
	return out, nil
}

// sourceDateEpoch is --build-arg SOURCE_DATE_EPOCH, nil when not given.
func sourceDateEpoch(bc *dockerui.Client) (*time.Time, error) {
	v, ok := bc.BuildArgs["SOURCE_DATE_EPOCH"]
	if !ok || v == "" {
		return nil, nil
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("--build-arg SOURCE_DATE_EPOCH=%s: want seconds since 1970, e.g. $(git log -1 --format=%%ct)", v)
	}
	t := time.Unix(sec, 0).UTC()
	return &t, nil
}

// addAnnotations puts the spec's annotations on each platform's manifest
// and, for a multi-platform image, the first platform's (in platform order)
// on the index.
func addAnnotations(rb *dockerui.ResultBuilder, built []platformResult, index bool) {
	built = slices.Clone(built)
	slices.SortStableFunc(built, func(a, b platformResult) int { return strings.Compare(a.id, b.id) })
	var first map[string]string
	for _, b := range built {
		p, err := platforms.Parse(b.id)
		if err != nil {
			continue // not a build of ours: bc.Build fills every entry
		}
		if first == nil {
			first = b.annotations
		}
		for k, val := range b.annotations {
			rb.AddMeta(exptypes.AnnotationManifestKey(&p, k), []byte(val))
		}
	}
	if index {
		for k, val := range first {
			rb.AddMeta(exptypes.AnnotationIndexKey(k), []byte(val))
		}
	}
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// loadBase returns the base image of one platform: a --build-context named
// "base" or named like the image wins, as in a Dockerfile's FROM.
func loadBase(ctx context.Context, c client.Client, bc *dockerui.Client, r *spec.Resolved, p ocispecs.Platform, files *specFiles) (bk.State, *dockerspec.DockerOCIImage, error) {
	copt := dockerui.ContextOpt{Platform: &p, ResolveMode: bc.ImageResolveMode.String()}
	for _, name := range []string{baseContext, r.Base} {
		if name == "scratch" {
			continue
		}
		nc, err := bc.NamedContext(name, copt)
		if err != nil {
			return bk.State{}, nil, err
		}
		if nc == nil {
			continue
		}
		st, img, err := nc.Load(ctx)
		if err != nil {
			return bk.State{}, nil, fmt.Errorf("load build context %q for the base image: %w", name, err)
		}
		if st != nil {
			return *st, img, nil
		}
	}
	if r.Base == "scratch" {
		return bk.Scratch().Platform(p), nil, nil
	}
	ref, dgst, data, err := c.ResolveImageConfig(ctx, r.Base, sourceresolver.Opt{
		LogName:  fmt.Sprintf("[%s] load metadata for %s", platforms.FormatAll(p), r.Base),
		ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &p, ResolveMode: bc.ImageResolveMode.String()},
	})
	if err != nil {
		return bk.State{}, nil, files.specError(spec.ErrorList{r.Spec.Errorf(spec.Path{"images", r.Image, "base"},
			"check the reference and that the registry is reachable from the daemon, or pass --build-context base=docker-image://REF",
			"cannot resolve base image %s for %s: %v", r.Base, platforms.FormatAll(p), err)})
	}
	var img dockerspec.DockerOCIImage
	if err := json.Unmarshal(data, &img); err != nil {
		return bk.State{}, nil, fmt.Errorf("base image %s: bad config: %w", r.Base, err)
	}
	img.Created = nil
	name := ref
	if dgst != "" && !strings.Contains(ref, "@") {
		name = ref + "@" + dgst.String()
	}
	st := bk.Image(name, bk.Platform(p), bk.WithCustomNamef("[%s] base %s", platforms.FormatAll(p), r.Base))
	return st, &img, nil
}

// currentFrontend is our own image, which unpacks zips natively on the build
// platform. Old daemons do not tell a frontend its image.
func currentFrontend(c client.Client) (*bk.State, error) {
	type currentFrontender interface {
		CurrentFrontend() (*bk.State, error)
	}
	if cf, ok := c.(currentFrontender); ok {
		return cf.CurrentFrontend()
	}
	return nil, nil
}

// buildReasons answers explain for a build: helper reports are solved on
// the daemon, shared downloads asked of lint's rule.
type buildReasons struct {
	c         client.Client
	bc        *dockerui.Client
	s         *spec.Spec
	image     string
	platforms []string
}

func (b buildReasons) report(ctx context.Context, st bk.State) (string, error) {
	def, err := st.Marshal(ctx)
	if err != nil {
		return "", err
	}
	res, err := b.c.Solve(ctx, client.SolveRequest{Definition: def.ToPB(), CacheImports: b.bc.CacheImports})
	if err != nil {
		return "", err
	}
	ref, err := res.SingleRef()
	if err != nil {
		return "", err
	}
	data, err := ref.ReadFile(ctx, client.ReadRequest{Filename: llb.ReportFile, Range: &client.FileRange{Length: 4096}})
	return string(data), err
}

func (b buildReasons) sharedDownload(tool, platform string) (string, []string) {
	return lint.SharedDownload(b.s, b.image, tool, platform, b.platforms, b.bc.BuildArgs)
}

func (b buildReasons) failedFile(ctx context.Context, err error, path string) ([]byte, error) {
	return failedRootFile(ctx, b.c, err, path)
}
