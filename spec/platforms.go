package spec

import (
	"net"
	"slices"
)

// DefaultBuildPlatform is the build platform (where downloads unpack and Go
// tools compile) when the caller does not know the daemon's.
const DefaultBuildPlatform = "linux/amd64"

// TargetPlatforms is the one rule for which platforms a build makes: the
// requested ones (--platform), else the spec's own platforms:, else the
// build platform (DefaultBuildPlatform when build is empty). Every caller —
// the frontend, lint, the CLI, Validate — asks this function. requested
// entries that are not platforms are dropped (the caller reports them);
// the result is normalized and has no duplicates.
func (s *Spec) TargetPlatforms(requested []string, build string) []string {
	out := addPlatforms(nil, requested)
	if len(out) == 0 && s != nil {
		out = addPlatforms(out, s.Platforms)
	}
	if len(out) == 0 {
		out = addPlatforms(out, []string{build})
	}
	if len(out) == 0 {
		out = []string{DefaultBuildPlatform}
	}
	return out
}

func addPlatforms(out, list []string) []string {
	for _, p := range list {
		if np, err := NormalizePlatform(p); err == nil && !slices.Contains(out, np) {
			out = append(out, np)
		}
	}
	return out
}

// IsLoopback reports whether host is this machine: plain http there crosses
// no network, so it is allowed without allowHTTP.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
