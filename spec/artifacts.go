package spec

// Artifact is one download of a tool for one platform, resolved without
// its checksum: what builder lock fetches, and where its digest goes.
type Artifact struct {
	Image string
	// Tool is the tool's index under the image's tools; Path is the tool's
	// path, images.IMAGE.tools.N.
	Tool     int
	Path     Path
	Name     string
	Platform string
	Version  string
	// DefaultVersion is the version with the spec's own arg defaults: the
	// version a sha256 keyed by platform pins.
	DefaultVersion string
	URL            string
	Form           string
	// Strip and Take select what the platform installs of the archive;
	// ForeignBinaries says the tool ships other machines' executables on
	// purpose.
	Strip           int
	Take            []string
	ForeignBinaries bool
	// SHA256At is where the artifact's digest belongs: Path + sha256 +
	// PLATFORM when the platform form pins Version, else Path + sha256 +
	// VERSION + PLATFORM. Resolve reads it from there.
	SHA256At Path
}

// Artifacts lists the downloads of the image's tools for platform, and of
// the Go toolchain for the build platform when the image has Go tools:
// every template expanded and checked as Resolve does, but no checksum
// required or read. The error lists the spec's other problems.
func (s *Spec) Artifacts(platform string, opts Options) ([]*Artifact, error) {
	r, pi, err := s.resolver(platform, opts)
	if err != nil {
		return nil, err
	}
	out := []*Artifact{}
	r.artifacts = &out
	r.resolveImage(pi)
	if err := r.errs.err(); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *resolver) addArtifact(pt *preparedTool, rt *ResolvedTool, defVersion string) {
	at := pt.path.Child("sha256")
	if pt.sums.versioned(rt.Version, defVersion) {
		at = at.Child(rt.Version)
	}
	*r.artifacts = append(*r.artifacts, &Artifact{
		Image: r.image, Tool: pt.index, Path: pt.path, Name: rt.Name, Platform: rt.Platform,
		Version: rt.Version, DefaultVersion: defVersion, URL: rt.URL, Form: rt.Form, SHA256At: at.Child(rt.Platform),
		Strip: rt.Strip, Take: rt.Take, ForeignBinaries: rt.ForeignBinaries,
	})
}
