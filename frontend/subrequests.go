package frontend

import (
	"context"
	"sort"

	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/subrequests/outline"
	"github.com/moby/buildkit/frontend/subrequests/targets"
	"github.com/moby/buildkit/solver/pb"

	"github.com/maistra/builder-frontend/spec"
)

// subrequests answers buildx --call: targets lists the spec's images,
// outline its args.
func subrequests(s *spec.Spec, bc *dockerui.Client) dockerui.RequestHandler {
	return dockerui.RequestHandler{
		ListTargets: func(ctx context.Context) (*targets.List, error) {
			l := &targets.List{}
			for i, name := range s.ImageNames() {
				r := s.Source.Range(spec.Path{"images", name})
				l.Targets = append(l.Targets, targets.Target{
					Name:     name,
					Default:  i == 0,
					Base:     s.Images[name].Base,
					Location: location(r),
				})
			}
			return l, nil
		},
		Outline: func(ctx context.Context) (*outline.Outline, error) {
			o := &outline.Outline{Name: bc.Target}
			if o.Name == "" {
				o.Name = s.DefaultImage()
			}
			names := make([]string, 0, len(s.Args))
			for k := range s.Args {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				a := s.Args[k]
				r := s.Source.Range(spec.Path{"args", k})
				o.Args = append(o.Args, outline.Arg{
					Name:        k,
					Value:       a.Default,
					Description: a.Description,
					Location:    location(r),
				})
			}
			return o, nil
		},
	}
}

// location is a spec range as BuildKit's subrequests carry it; the source
// index 0 is the spec file.
func location(r spec.Range) *pb.Location {
	if r.Start.Line == 0 {
		return nil
	}
	return &pb.Location{SourceIndex: 0, Ranges: []*pb.Range{{
		Start: &pb.Position{Line: int32(r.Start.Line), Character: int32(r.Start.Col)},
		End:   &pb.Position{Line: int32(r.End.Line), Character: int32(r.End.Col)},
	}}}
}
