package lint

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/maistra/builder-frontend/internal/english"
	"github.com/maistra/builder-frontend/spec"
)

// One file for several platforms: a URL without ${arch}, or one sha256
// pinned for two platforms, gives each of them the same bytes, which hold
// executables of one machine at most. The build's ELF check fails such a
// tool on the other platforms; these rules say so before anything is
// downloaded. archIndependent (no machine code) and foreignBinaries (other
// machines' on purpose) silence them.

// downloadURLs expands the URL of tool i of image for each platform the
// tool is built for among platforms.
func downloadURLs(s *spec.Spec, image string, i int, platforms []string, buildArgs map[string]string) map[string]string {
	t := s.Images[image].Tools[i]
	out := map[string]string{}
	for _, p := range toolPlatforms(platforms, t.Platforms) {
		if u, err := s.ExpandField(spec.Path{"images", image, "tools", fmt.Sprint(i), "url"}, p, buildArgs); err == nil && u != "" {
			out[p] = u
		}
	}
	return out
}

// sharing groups platforms by a value they map to, keeping the groups of
// two or more, in platform order.
func sharing(byPlatform map[string]string) [][]string {
	groups := map[string][]string{}
	for _, p := range slices.Sorted(maps.Keys(byPlatform)) {
		groups[byPlatform[p]] = append(groups[byPlatform[p]], p)
	}
	var out [][]string
	for _, g := range groups {
		if len(g) > 1 {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}

// SharedDownload says whether tool (by name) of image downloads, on
// platform, the same URL as on other platforms of platforms: it returns
// that URL and every platform that downloads it, platform included, or
// none when the URL is the platform's own.
func SharedDownload(s *spec.Spec, image, tool, platform string, platforms []string, buildArgs map[string]string) (string, []string) {
	img := s.Images[image]
	if img == nil {
		return "", nil
	}
	for i, t := range img.Tools {
		if t == nil || t.Name != tool {
			continue
		}
		urls := downloadURLs(s, image, i, append([]string{platform}, platforms...), buildArgs)
		for _, g := range sharing(urls) {
			if slices.Contains(g, platform) {
				return urls[platform], g
			}
		}
		return "", nil
	}
	return "", nil
}

// sameFile reports tools whose download is one file for several platforms.
func (c *checker) sameFile() {
	for _, name := range c.images {
		for i, t := range c.s.Images[name].Tools {
			if t == nil || t.ArchIndependent || t.ForeignBinaries {
				continue
			}
			tp := spec.Path{"images", name, "tools", fmt.Sprint(i)}
			urls := downloadURLs(c.s, name, i, c.all, c.o.BuildArgs)
			for _, g := range sharing(urls) {
				c.add(SameURLForPlatforms, tp.Child("url"), "tool %q downloads one URL for %s (%s): one file cannot hold executables for each of them; put ${arch} or ${arch.SCHEME} in the URL, or set archIndependent: true if the file holds no machine code (a script, a jar)",
					t.Name, english.List(g), urls[g[0]])
			}
			c.sameChecksum(tp, t, "", t.SHA256.ByPlatform)
			for _, v := range slices.Sorted(maps.Keys(t.SHA256.ByVersion)) {
				c.sameChecksum(tp, t, v, t.SHA256.ByVersion[v])
			}
		}
	}
}

// sameChecksum reports platforms of one sha256 mapping (of version, or the
// platform form when version is "") that pin the same digest.
func (c *checker) sameChecksum(tp spec.Path, t *spec.Tool, version string, sums map[string]string) {
	byPlatform := map[string]string{}
	for k, v := range sums {
		if p, err := spec.NormalizePlatform(k); err == nil && len(toolPlatforms([]string{p}, t.Platforms)) == 1 {
			byPlatform[p] = strings.TrimPrefix(strings.TrimSpace(v), "sha256:")
		}
	}
	at, where := tp.Child("sha256"), ""
	if version != "" {
		at, where = at.Child(version), " at version "+version
	}
	for _, g := range sharing(byPlatform) {
		c.add(SameChecksumForPlatforms, at, "tool %q pins one sha256 for %s%s: they get the same file, which cannot hold executables for each of them; check each platform's URL and sha256 (builder lock writes them), or set archIndependent: true if the file holds no machine code (a script, a jar)",
			t.Name, english.List(g), where)
	}
}
