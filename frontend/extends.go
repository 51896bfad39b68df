package frontend

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"

	"github.com/maistra/builder-frontend/spec"
)

// specFiles are the files a build's spec is read from: the one buildx
// names (-f), and those it extends, each with the source map that shows its
// lines in buildx's output.
type specFiles struct {
	root *dockerui.Source
	// maps holds every file's source map by name, the root's too.
	maps map[string]*bk.SourceMap
}

// loadSpec reads the spec and the specs it extends. buildx sends the
// directory of the -f file as the "dockerfile" local (the build context
// itself for a git or https context), and dockerui reads the entrypoint
// from it: each extended file is read the same way, by a dockerui client
// told that file's name, so that local names, sessions and remote
// contexts are BuildKit's own rules. spec.Load keeps every file in the
// directory of the -f file or below it, which that local holds.
func loadSpec(ctx context.Context, c client.Client, bc *dockerui.Client) (*spec.Spec, *specFiles, error) {
	src, err := bc.ReadEntrypoint(ctx, "YAML")
	if err != nil {
		return nil, nil, err
	}
	files := &specFiles{root: src, maps: map[string]*bk.SourceMap{src.Filename: src.SourceMap}}
	read := func(name string) ([]byte, error) {
		pc, err := dockerui.NewClient(namedClient{Client: c, filename: name})
		if err != nil {
			return nil, err
		}
		psrc, err := pc.ReadEntrypoint(ctx, "YAML")
		if err != nil {
			return nil, readError(err)
		}
		files.maps[name] = psrc.SourceMap
		return psrc.Data, nil
	}
	s, err := spec.Load(src.Filename, src.Data, read)
	if err != nil {
		return nil, files, files.specError(err)
	}
	return s, files, nil
}

// namedClient is the gateway client with another file name in its options,
// for dockerui to read that file as it reads the spec.
type namedClient struct {
	client.Client
	filename string
}

func (c namedClient) BuildOpts() client.BuildOpts {
	o := c.Client.BuildOpts()
	o.Opts = maps.Clone(o.Opts)
	o.Opts["filename"] = c.filename
	return o
}

// readError turns dockerui's failure to read a file into what spec.Load
// tells: a file that is not there, or the daemon's reason. The daemon's
// error crosses the gateway as text, so a missing file is known by it.
func readError(err error) error {
	if errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), "no such file or directory") {
		return fs.ErrNotExist
	}
	// dockerui words the failure for a Dockerfile; the spec's error says
	// which file instead.
	return errors.New(strings.TrimPrefix(err.Error(), "failed to read dockerfile: "))
}

// sourceInfo is the file name's text as errors and warnings carry it.
func (f *specFiles) sourceInfo(name string) *pb.SourceInfo {
	sm := f.maps[name]
	if sm == nil {
		return nil
	}
	info := &pb.SourceInfo{Data: sm.Data, Filename: sm.Filename, Language: sm.Language}
	if sm.Definition != nil {
		// dockerui sets it on what it reads; a map made otherwise has none.
		info.Definition = sm.Definition.ToPB()
	}
	return info
}

// checkSource is the file a check's lines are in (a spec it extends, or
// the spec itself); nil without files.
func (f *specFiles) checkSource(r spec.Range) *pb.SourceInfo {
	if f == nil {
		return nil
	}
	if r.File == "" {
		return f.sourceInfo(f.root.Filename)
	}
	return f.sourceInfo(r.File)
}

// warn shows msg as a build warning at the lines of r, in the file they
// are in: for a file the spec extends, its name (and the extends: chain
// that pulled it in, extendedBy) is added to msg, as buildx shows the
// lines of the spec itself only. Without a spec source (a subrequest, a
// test) there is nowhere to warn.
func (f *specFiles) warn(ctx context.Context, msg string, wo client.WarnOpts, r spec.Range, extendedBy []spec.Location) {
	if f == nil || f.root.Warn == nil {
		return
	}
	if r.Start.Line > 0 {
		if r.File != "" && r.File != f.root.Filename {
			wo.SourceInfo = f.sourceInfo(r.File)
			msg += fmt.Sprintf(" (%s line %d)%s", r.File, r.Start.Line, spec.ExtendedByText(r.File, extendedBy))
		} else {
			msg += fmt.Sprintf(" (line %d)", r.Start.Line)
		}
		wo.Range = []*pb.Range{{
			Start: &pb.Position{Line: int32(r.Start.Line), Character: int32(r.Start.Col)},
			End:   &pb.Position{Line: int32(r.End.Line), Character: int32(r.End.Col)},
		}}
	}
	f.root.Warn(ctx, msg, wo)
}

// others are the source maps of the files the spec extends.
func (f *specFiles) others() map[string]*bk.SourceMap {
	out := maps.Clone(f.maps)
	delete(out, f.root.Filename)
	return out
}

// specError attaches the spec's lines to spec errors so that buildx prints
// them under the message: the lines of the first located error, in the
// file where they are, and for a file the spec extends, the extends: lines
// that pulled it in.
func (f *specFiles) specError(err error) error {
	list, ok := err.(spec.ErrorList)
	if !ok || f == nil || len(list) == 0 {
		return err
	}
	var out error = err
	for _, e := range list {
		if e.Pos.Line == 0 {
			continue
		}
		for _, at := range append([]spec.Location{{File: e.File, Pos: e.Pos}}, e.ExtendedBy...) {
			if info := f.sourceInfo(at.File); info != nil && at.Pos.Line > 0 {
				out = errdefs.WithSource(out, &errdefs.Source{Info: info, Ranges: []*pb.Range{{
					Start: &pb.Position{Line: int32(at.Pos.Line), Character: int32(at.Pos.Col)},
					End:   &pb.Position{Line: int32(at.Pos.Line)},
				}}})
			}
		}
		break
	}
	return out
}

// locations turns spec ranges into the locations of subrequest answers,
// whose source index counts s.Sources().
func locations(s *spec.Spec) func(spec.Range) *pb.Location {
	index := map[string]int32{}
	for i, src := range s.Sources() {
		index[src.Filename] = int32(i)
	}
	return func(r spec.Range) *pb.Location {
		if r.Start.Line == 0 {
			return nil
		}
		return &pb.Location{SourceIndex: index[r.File], Ranges: []*pb.Range{{
			Start: &pb.Position{Line: int32(r.Start.Line), Character: int32(r.Start.Col)},
			End:   &pb.Position{Line: int32(r.End.Line), Character: int32(r.End.Col)},
		}}}
	}
}

// sourceTexts are the texts of s.Sources(), as subrequest answers list them.
func sourceTexts(s *spec.Spec) [][]byte {
	var out [][]byte
	for _, src := range s.Sources() {
		out = append(out, src.Data)
	}
	return out
}

// fromWords says, for a spec with extends, which file each tool and Go tool
// of image comes from: "tools from 3.5.yaml: bazel, go; from common.yaml:
// helm". Empty for a spec of one file.
func fromWords(s *spec.Spec, image string) string {
	img := s.Images[image]
	if len(s.Sources()) < 2 || img == nil {
		return ""
	}
	byFile := map[string][]string{}
	add := func(p spec.Path, name string) {
		f := s.Range(p).File
		byFile[f] = append(byFile[f], name)
	}
	for i, t := range img.Tools {
		if t != nil {
			add(spec.Path{"images", image, "tools", fmt.Sprint(i)}, t.Name)
		}
	}
	for i, t := range img.GoTools {
		if t != nil {
			add(spec.Path{"images", image, "goTools", fmt.Sprint(i)}, t.Name)
		}
	}
	var parts []string
	for _, src := range s.Sources() {
		if names := byFile[src.Filename]; len(names) > 0 {
			parts = append(parts, "from "+src.Filename+": "+strings.Join(names, ", "))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "tools " + strings.Join(parts, "; ")
}
