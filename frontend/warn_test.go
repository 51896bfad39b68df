package frontend

import (
	"context"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"

	"github.com/maistra/builder-frontend/spec"
)

// TestWarnLocates: a build warning at lines of the spec itself names the
// line; at lines of a file the spec extends, it carries that file's source
// and names the file and the extends: line that pulled it in; without
// lines, nothing is added.
func TestWarnLocates(t *testing.T) {
	type warning struct {
		msg  string
		opts client.WarnOpts
	}
	var got []warning
	root := bk.NewSourceMap(nil, "3.5.yaml", "YAML", []byte("version: 1\n"))
	parent := bk.NewSourceMap(nil, "common.yaml", "YAML", []byte("version: 1\n"))
	files := &specFiles{
		root: &dockerui.Source{SourceMap: root, Warn: func(_ context.Context, msg string, wo client.WarnOpts) { got = append(got, warning{msg, wo}) }},
		maps: map[string]*bk.SourceMap{"3.5.yaml": root, "common.yaml": parent},
	}
	at := func(file string, line int) spec.Range {
		return spec.Range{File: file, Start: spec.Pos{Line: line, Col: 5}, End: spec.Pos{Line: line + 1, Col: 1}}
	}
	files.warn(context.Background(), "in the spec", client.WarnOpts{}, at("3.5.yaml", 6), nil)
	files.warn(context.Background(), "in the parent", client.WarnOpts{}, at("common.yaml", 9), []spec.Location{{File: "3.5.yaml", Pos: spec.Pos{Line: 2, Col: 10}}})
	files.warn(context.Background(), "nowhere", client.WarnOpts{}, spec.Range{}, nil)
	if len(got) != 3 {
		t.Fatalf("%d warnings: %+v", len(got), got)
	}
	if got[0].msg != "in the spec (line 6)" || got[0].opts.SourceInfo != nil || len(got[0].opts.Range) != 1 || got[0].opts.Range[0].Start.Line != 6 {
		t.Errorf("in the spec: %q %+v", got[0].msg, got[0].opts)
	}
	if got[1].msg != "in the parent (common.yaml line 9) (common.yaml is extended by 3.5.yaml:2:10)" ||
		got[1].opts.SourceInfo == nil || got[1].opts.SourceInfo.Filename != "common.yaml" || got[1].opts.Range[0].Start.Line != 9 {
		t.Errorf("in the parent: %q %+v", got[1].msg, got[1].opts)
	}
	if got[2].msg != "nowhere" || got[2].opts.Range != nil {
		t.Errorf("without lines: %q %+v", got[2].msg, got[2].opts)
	}
	var none *specFiles
	none.warn(context.Background(), "no source", client.WarnOpts{}, spec.Range{}, nil) // must not panic
}
