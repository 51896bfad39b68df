package spec

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var hexRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

// checksum picks the digest of the tool's version for this platform. A flat
// platform mapping is pinned to the version the spec itself names; a
// --build-arg that moves the version needs a versioned entry.
func (r *resolver) checksum(tp Path, t *Tool, version, defVersion string) string {
	sp := tp.Child("sha256")
	lockHint := fmt.Sprintf("add sha256.%s with the artifact's sha256 (builder lock writes it)", r.platform)
	if t.SHA256.Empty() {
		r.errorf(tp, "add sha256: with the artifact's sha256 for each platform (builder lock writes them)", "tool %q has no sha256: every download is verified", t.Name)
		return ""
	}
	var sum string
	var at Path
	if m, ok := t.SHA256.ByVersion[version]; ok {
		for p, v := range m {
			if np, err := NormalizePlatform(p); err == nil && np == r.platform {
				sum, at = v, sp.Child(version, p)
			}
		}
		if sum == "" {
			r.errorf(sp.Child(version), fmt.Sprintf("add %s under sha256.%s, or limit the tool with platforms:", r.platform, version), "tool %q has no artifact for %s at version %s", t.Name, r.platform, version)
			return ""
		}
	} else if len(t.SHA256.ByPlatform) > 0 {
		if version != defVersion {
			var pinned []string
			for v := range t.SHA256.ByVersion {
				pinned = append(pinned, v)
			}
			pinned = append(pinned, defVersion)
			sort.Strings(pinned)
			r.errorf(sp, fmt.Sprintf("add a sha256.%q mapping of platforms to its checksums (pinned versions: %s)", version, strings.Join(pinned, ", ")), "tool %q: version %s (from a build-arg) has no sha256; the spec pins %s", t.Name, version, defVersion)
			return ""
		}
		for p, v := range t.SHA256.ByPlatform {
			np, err := NormalizePlatform(p)
			if err != nil {
				r.errorf(sp.Child(p), "keys are platforms such as linux/arm64, or versions holding such a mapping", "tool %q: sha256 key %q is not a platform", t.Name, p)
				continue
			}
			if np == r.platform {
				sum, at = v, sp.Child(p)
			}
		}
		if sum == "" {
			r.errorf(sp, lockHint+", or limit the tool with platforms:", "tool %q has no artifact for %s: no sha256 for that platform", t.Name, r.platform)
			return ""
		}
	} else {
		var pinned []string
		for v := range t.SHA256.ByVersion {
			pinned = append(pinned, v)
		}
		sort.Strings(pinned)
		r.errorf(sp, fmt.Sprintf("add a sha256.%q entry (pinned versions: %s)", version, strings.Join(pinned, ", ")), "tool %q: version %s has no sha256", t.Name, version)
		return ""
	}
	sum = strings.TrimPrefix(strings.TrimSpace(sum), "sha256:")
	if !hexRe.MatchString(sum) {
		r.errorf(at, "a sha256 is 64 lower-case hex digits, as sha256sum prints it", "tool %q: %q is not a sha256", t.Name, sum)
		return ""
	}
	return "sha256:" + sum
}
