package frontend

import (
	"context"
	"fmt"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	lintreq "github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/solver/pb"

	"github.com/maistra/builder-frontend/lint"
	"github.com/maistra/builder-frontend/spec"
)

// lintConfig merges the spec's `# check=` directive with
// BUILDKIT_DOCKERFILE_CHECK (which buildx and dockerui read for every
// frontend).
func lintConfig(s *spec.Spec, bc *dockerui.Client) (lint.Config, error) {
	cfg, err := lint.FileConfig(s.Source.Data)
	if err != nil {
		return cfg, fmt.Errorf("%s: %w", s.Source.Filename, err)
	}
	if lc := bc.LinterConfig; lc != nil {
		cfg = cfg.Merge(lint.Config{SkipAll: lc.SkipAll, Skip: lc.SkipRules, Error: lc.ReturnAsError})
	}
	return cfg, nil
}

// lintPlatforms are the platforms a --check looks at: the build's
// (s.TargetPlatforms), and the build platform.
func lintPlatforms(s *spec.Spec, bc *dockerui.Client) (plats []string, build string, err error) {
	build = platforms.FormatAll(platforms.Normalize(bc.BuildPlatforms[0]))
	requested, err := requestedPlatforms(bc)
	if err != nil {
		return nil, "", err
	}
	return s.TargetPlatforms(requested, build), build, nil
}

// lintResults answers `buildx build --check` (`--call lint`): the spec's
// errors as the build error, the findings of every rule as warnings, each
// with the spec lines it is about. Without --target every image is checked.
func lintResults(s *spec.Spec, bc *dockerui.Client) (*lintreq.LintResults, error) {
	res := &lintreq.LintResults{}
	for _, src := range s.Sources() {
		res.Sources = append(res.Sources, &pb.SourceInfo{Filename: src.Filename, Language: "YAML", Data: src.Data})
	}
	location := locations(s)
	plats, build, err := lintPlatforms(s, bc)
	if err != nil {
		res.Error = &lintreq.BuildError{Message: err.Error()}
		return res, nil
	}
	cfg, err := lintConfig(s, bc)
	if err != nil {
		res.Error = &lintreq.BuildError{Message: err.Error()}
		return res, nil
	}

	images := s.ImageNames()
	if bc.Target != "" {
		images = []string{bc.Target}
	}
	var errs spec.ErrorList
	for _, img := range images {
		err := s.Validate(plats, spec.Options{Target: img, BuildArgs: bc.BuildArgs, BuildPlatform: build})
		if err == nil {
			continue
		}
		list, ok := err.(spec.ErrorList)
		if !ok {
			return nil, err
		}
		errs = append(errs, list...)
	}
	// An error of a part two images share is reported once.
	if errs = errs.Sorted(); len(errs) > 0 {
		be := &lintreq.BuildError{Message: errs.Error()}
		for _, e := range errs {
			if l := location(spec.Range{Start: e.Pos, End: spec.Pos{Line: e.Pos.Line}, File: e.File}); l != nil {
				be.Location = pb.Location{SourceIndex: l.SourceIndex, Ranges: l.Ranges}
				break
			}
		}
		res.Error = be
	}

	for _, f := range lint.Check(s, lint.Options{Target: bc.Target, Platforms: plats, BuildArgs: bc.BuildArgs, BuildPlatform: build, Config: cfg}) {
		loc := &pb.Location{SourceIndex: -1}
		if l := location(f.Range); l != nil {
			loc = l
		}
		res.Warnings = append(res.Warnings, lintreq.Warning{
			RuleName:    f.Rule.Name,
			Description: f.Rule.Description,
			URL:         f.Rule.URL,
			Detail:      f.Msg + spec.ExtendedByText(f.File, f.ExtendedBy),
			Location:    loc,
		})
	}
	return res, nil
}

// warnLint shows the findings for the image being built as build warnings
// (buildx prints them after the build, as for a Dockerfile). With
// BUILDKIT_DOCKERFILE_CHECK=error=true (or `# check=error=true` in the
// spec) findings fail the build instead.
func warnLint(ctx context.Context, bc *dockerui.Client, files *specFiles, s *spec.Spec, plats []string, opts spec.Options) error {
	cfg, err := lintConfig(s, bc)
	if err != nil {
		return err
	}
	findings := lint.Check(s, lint.Options{Target: opts.Target, Platforms: plats, BuildArgs: opts.BuildArgs, BuildPlatform: opts.BuildPlatform, Config: cfg})
	for _, f := range findings {
		wo := client.WarnOpts{Level: 1, Detail: [][]byte{[]byte(f.Rule.Description)}, URL: f.Rule.URL}
		rg := f.Range
		rg.File = f.File
		files.warn(ctx, fmt.Sprintf("%s: %s", f.Rule.Name, f.Msg), wo, rg, f.ExtendedBy)
	}
	if cfg.Error && len(findings) > 0 {
		var list spec.ErrorList
		for _, f := range findings {
			list = append(list, &spec.Error{File: f.File, Pos: f.Range.Start, Msg: f.Rule.Name + ": " + f.Msg, Hint: "check=error=true makes lint findings errors", ExtendedBy: f.ExtendedBy})
		}
		return files.specError(list)
	}
	return nil
}
