package spec

import (
	"fmt"
	"sort"
	"sync"

	"github.com/containerd/platforms"
)

// builtinArches are the naming schemes nearly every release uses; a spec
// declares any other scheme once under `arches`, never as a per-tool case.
var builtinArches = map[string]map[string]string{
	"goarch": {
		"linux/amd64":   "amd64",
		"linux/arm64":   "arm64",
		"linux/ppc64le": "ppc64le",
		"linux/s390x":   "s390x",
	},
	"uname": {
		"linux/amd64":   "x86_64",
		"linux/arm64":   "aarch64",
		"linux/ppc64le": "ppc64le",
		"linux/s390x":   "s390x",
	},
}

// UnameArch is the platform's CPU as `uname -m` (and rpm's --forcearch)
// names it; false for a platform the built-in uname scheme does not know.
func UnameArch(platform string) (string, bool) {
	n, ok := builtinArches["uname"][platform]
	return n, ok
}

// knownArch are the architectures Go and the OCI image spec name.
var knownArch = map[string]bool{
	"amd64": true, "arm64": true, "arm": true, "386": true, "ppc64le": true, "s390x": true,
	"riscv64": true, "loong64": true, "mips64le": true, "mips64": true, "mipsle": true, "mips": true, "ppc64": true,
}

// DefaultArchScheme is the scheme ${arch} uses when a tool names none.
const DefaultArchScheme = "goarch"

// normalized memoizes NormalizePlatform: a spec names the same few
// platforms in every sha256 mapping.
var normalized sync.Map // string -> normResult

type normResult struct {
	p   string
	err error
}

// NormalizePlatform parses a platform string and returns its canonical form
// (linux/arm64/v8 becomes linux/arm64).
func NormalizePlatform(s string) (string, error) {
	if v, ok := normalized.Load(s); ok {
		r := v.(normResult)
		return r.p, r.err
	}
	p, err := normalizePlatform(s)
	if len(s) < 64 { // bounded: only short strings can be platforms
		normalized.Store(s, normResult{p, err})
	}
	return p, err
}

func normalizePlatform(s string) (string, error) {
	p, err := platforms.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a platform such as linux/amd64", s)
	}
	p = platforms.Normalize(p)
	if p.OS != "linux" {
		return "", fmt.Errorf("platform %q: builder images are linux images", s)
	}
	if !knownArch[p.Architecture] {
		return "", fmt.Errorf("%q is not a platform such as linux/amd64: unknown architecture %q", s, p.Architecture)
	}
	return platforms.FormatAll(p), nil
}

// archSchemes returns the built-in schemes overlaid with the spec's own.
func (s *Spec) archSchemes() map[string]map[string]string {
	if s.schemes == nil {
		return s.buildArchSchemes()
	}
	s.schemes.once.Do(func() { s.schemes.m = s.buildArchSchemes() })
	return s.schemes.m
}

func (s *Spec) buildArchSchemes() map[string]map[string]string {
	out := make(map[string]map[string]string, len(builtinArches)+len(s.Arches))
	for k, v := range builtinArches {
		out[k] = v
	}
	for k, v := range s.Arches {
		if _, builtin := builtinArches[k]; builtin {
			continue // reported by validation; the built-in table stays
		}
		m := make(map[string]string, len(v))
		for p, name := range v {
			if np, err := NormalizePlatform(p); err == nil {
				p = np
			}
			m[p] = name
		}
		out[k] = m
	}
	return out
}

// ArchName returns the name the scheme gives the platform.
func (s *Spec) ArchName(scheme, platform string) (string, bool) {
	m, ok := s.archSchemes()[scheme]
	if !ok {
		return "", false
	}
	v, ok := m[platform]
	return v, ok
}

func (s *Spec) schemeNames() []string {
	var out []string
	for k := range s.archSchemes() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
