package llb

import (
	"encoding/json"
	"net/url"
	"path"

	"github.com/maistra/builder-frontend/spec"
)

// ManifestDir holds one JSON file per installed tool, written into that
// tool's own layer: the image says what it contains, and bumping one tool
// still changes one layer.
const ManifestDir = "/usr/share/builder-frontend/tools"

// ManifestEntry is the content of ManifestDir/<name>.json.
type ManifestEntry struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Platform string `json:"platform"`
	// Downloaded tools.
	URL    string `json:"url,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Form   string `json:"form,omitempty"`
	Dest   string `json:"dest"`
	// Go tools: the package built, at Version, by the Go toolchain GoVersion.
	Package   string `json:"package,omitempty"`
	GoVersion string `json:"goVersion,omitempty"`
	Cgo       bool   `json:"cgo,omitempty"`
}

// Manifest is what ManifestDir holds in the image built from r: one entry
// per tool, then one per Go tool, in spec order (the order of their layers).
// Build writes each entry into its tool's layer with the same helpers.
func Manifest(r *spec.Resolved) []ManifestEntry {
	out := make([]ManifestEntry, 0, len(r.Tools)+len(r.GoTools))
	for _, t := range r.Tools {
		out = append(out, toolManifest(t))
	}
	for _, g := range r.GoTools {
		out = append(out, goToolManifest(r, g))
	}
	return out
}

func toolManifest(t *spec.ResolvedTool) ManifestEntry {
	return ManifestEntry{Name: t.Name, Version: t.Version, Platform: t.Platform, URL: publicURL(t.URL), SHA256: t.SHA256, Form: t.Form, Dest: t.Dest}
}

// publicURL drops what may carry credentials (user info, query, fragment)
// before a URL is written into the image.
func publicURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

func goToolManifest(r *spec.Resolved, g *spec.ResolvedGoTool) ManifestEntry {
	return ManifestEntry{Name: g.Name, Version: g.Version, Platform: r.Platform, Dest: g.Dest, Package: g.Package, GoVersion: r.GoToolchain.Version, Cgo: g.Cgo}
}

// manifest writes the tool's manifest file.
func (a *actions) manifest(e ManifestEntry) {
	data, _ := json.MarshalIndent(e, "", " ")
	p := path.Join(ManifestDir, e.Name+".json")
	a.mkdirParents(p)
	a.mkfile(p, 0o644, append(data, '\n'))
}
