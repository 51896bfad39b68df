package spec

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// isSHA256 reports whether s is a sha256 as sha256sum prints it: 64
// lower-case hex digits.
func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// checksumTable is a tool's sha256 mapping, normalized once per spec.
type checksumTable struct {
	empty bool
	// flat is the platform form, by normalized platform; hasFlat is set
	// when the form is used at all, badKeys are its keys that are no
	// platforms.
	flat    map[string]sumEntry
	hasFlat bool
	badKeys []string
	// byVersion is the version form: version, then normalized platform
	// (keys that are no platforms are left out); versions are its keys.
	byVersion map[string]map[string]sumEntry
	versions  []string
}

// sumEntry is one digest as written, and where.
type sumEntry struct {
	key string
	raw string
	// digest is raw without spaces and a sha256: prefix; ok when it is 64
	// lower-case hex digits.
	digest string
	ok     bool
	// value is the digest as Resolved holds it, sha256:HEX.
	value string
}

func newChecksumTable(c Checksums) *checksumTable {
	t := &checksumTable{empty: c.Empty(), hasFlat: len(c.ByPlatform) > 0, byVersion: map[string]map[string]sumEntry{}}
	t.flat, t.badKeys = byPlatform(c.ByPlatform)
	for v, m := range c.ByVersion {
		t.byVersion[v], _ = byPlatform(m)
	}
	t.versions = slices.Sorted(maps.Keys(c.ByVersion))
	return t
}

// byPlatform normalizes the keys of a platform → digest mapping. An entry
// with no digest counts as missing.
func byPlatform(m map[string]string) (map[string]sumEntry, []string) {
	out := make(map[string]sumEntry, len(m))
	var bad []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		np, err := NormalizePlatform(k)
		if err != nil {
			bad = append(bad, k)
			continue
		}
		if m[k] == "" {
			delete(out, np)
			continue
		}
		d := strings.TrimPrefix(strings.TrimSpace(m[k]), "sha256:")
		out[np] = sumEntry{key: k, raw: m[k], digest: d, ok: isSHA256(d), value: "sha256:" + d}
	}
	return out, bad
}

// versioned reports where the digest of version belongs: under a version
// key (true), or in the platform form, which pins the version the spec
// itself names (defVersion). The resolver reads it from there, builder
// lock writes it there.
func (t *checksumTable) versioned(version, defVersion string) bool {
	if _, ok := t.byVersion[version]; ok {
		return true
	}
	return version != defVersion || (!t.hasFlat && len(t.byVersion) > 0)
}

// checksum picks the digest of the tool's version for this platform. A flat
// platform mapping is pinned to the version the spec itself names; a
// --build-arg that moves the version needs a versioned entry.
func (r *resolver) checksum(pt *preparedTool, version, defVersion string) string {
	t, c := pt.t, pt.sums
	if c.empty {
		r.errorf(pt.path, "add sha256: with the artifact's sha256 for each platform (builder lock writes them)", "tool %q has no sha256: every download is verified", t.Name)
		return ""
	}
	sp := func(elems ...any) Path { return pt.path.Child(append([]any{"sha256"}, elems...)...) }
	var e sumEntry
	var ok bool
	// e is at sha256.[under.]e.key
	under := ""
	if m, versioned := c.byVersion[version]; versioned {
		if e, ok = m[r.platform]; !ok {
			r.errorf(sp(version), fmt.Sprintf("add %s under sha256.%s, or limit the tool with platforms:", r.platform, version), "tool %q has no artifact for %s at version %s", t.Name, r.platform, version)
			return ""
		}
		under = version
	} else if c.hasFlat {
		if version != defVersion {
			pinned := slices.Sorted(slices.Values(append(slices.Clone(c.versions), defVersion)))
			r.errorf(sp(), fmt.Sprintf("add a sha256.%q mapping of platforms to its checksums (pinned versions: %s)", version, strings.Join(pinned, ", ")), "tool %q: version %s (from a build-arg) has no sha256; the spec pins %s", t.Name, version, defVersion)
			return ""
		}
		for _, k := range c.badKeys {
			r.errorf(sp(k), "keys are platforms such as linux/arm64, or versions holding such a mapping", "tool %q: sha256 key %q is not a platform", t.Name, k)
		}
		if e, ok = c.flat[r.platform]; !ok {
			r.errorf(sp(), fmt.Sprintf("add sha256.%s with the artifact's sha256 (builder lock writes it), or limit the tool with platforms:", r.platform), "tool %q has no artifact for %s: no sha256 for that platform", t.Name, r.platform)
			return ""
		}
	} else {
		r.errorf(sp(), fmt.Sprintf("add a sha256.%q entry (pinned versions: %s)", version, strings.Join(c.versions, ", ")), "tool %q: version %s has no sha256", t.Name, version)
		return ""
	}
	if !e.ok {
		at := sp(e.key)
		if under != "" {
			at = sp(under, e.key)
		}
		r.errorf(at, "a sha256 is 64 lower-case hex digits, as sha256sum prints it", "tool %q: %q is not a sha256", t.Name, e.digest)
		return ""
	}
	return e.value
}
