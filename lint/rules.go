// Package lint checks a parsed builder spec for what validation lets
// through but is most likely a mistake: a checksum missing for a platform
// the spec lists, an unpinned version, an arg nobody uses, two tools
// writing the same file. Rules are values, like the Dockerfile frontend's:
// a name, a description and a link into docs/lint.md. The frontend reports
// the findings for `docker buildx build --check` and as build warnings; the
// `builder validate` command prints them.
package lint

import "strings"

// DocsURL is where docs/lint.md is published; each rule links to its section.
const DocsURL = "https://github.com/maistra/builder-frontend/blob/main/docs/lint.md"

// Rule is one lint rule.
type Rule struct {
	// Name is the rule's identifier, as `# check=skip=NAME` and
	// BUILDKIT_DOCKERFILE_CHECK=skip=NAME name it.
	Name string
	// Description says in one sentence what the rule looks for.
	Description string
	// URL is the rule's section in docs/lint.md.
	URL string
}

func rule(name, description string) *Rule {
	return &Rule{Name: name, Description: description, URL: DocsURL + "#" + strings.ToLower(name)}
}

// The rules, in the order docs/lint.md lists them.
var (
	MissingChecksum = rule("MissingChecksum",
		"A tool has no sha256 for a platform it is built for: a build for that platform, or at that pinned version, fails")
	PlainHTTP = rule("PlainHTTP",
		"A download, a signing key or a Go module proxy is fetched over plain http from another machine")
	UnpinnedVersion = rule("UnpinnedVersion",
		"A tool version, a download URL or the base image names a moving target (latest, a branch) instead of a release")
	GoToolNotPinned = rule("GoToolNotPinned",
		"A Go tool's version is no tag, pseudo-version or full commit (@latest, a branch): each build may compile a different version")
	UnusedArg = rule("UnusedArg",
		"An arg is declared but no template and no run step uses it")
	UndeclaredBuildArg = rule("UndeclaredBuildArg",
		"A --build-arg names an arg the spec does not declare (misspelt?): it changes nothing")
	DuplicateDest = rule("DuplicateDest",
		"Two layers write the same path: the later one silently wins")
	DestThroughSymlink = rule("DestThroughSymlink",
		"A path goes through /bin, /sbin, /lib or /lib64, which usrmerge bases make symlinks: the layer would replace the symlink")
	CgoEmulated = rule("CgoEmulated",
		"A cgo Go tool compiles on a platform other than the build platform, under emulation")
	PlatformWithoutArtifact = rule("PlatformWithoutArtifact",
		"A platform built that the spec does not list leaves out a tool limited with platforms:")
	IgnoredGPGKey = rule("IgnoredGPGKey",
		"A gpgkey is set on an apt or apk repository, where it is ignored")
	UnverifiedRepository = rule("UnverifiedRepository",
		"A dnf (or microdnf) repository has no gpgkey, so its packages are installed without signature checks")
	SameURLForPlatforms = rule("SameURLForPlatforms",
		"A tool built for several platforms downloads one URL for them: one file cannot hold executables for each")
	SameChecksumForPlatforms = rule("SameChecksumForPlatforms",
		"A tool pins one sha256 for several platforms: they get the same file, which cannot hold executables for each")
)

// Rules returns every rule, in documentation order.
func Rules() []*Rule {
	return []*Rule{
		MissingChecksum, PlainHTTP, UnpinnedVersion, GoToolNotPinned, UnusedArg, UndeclaredBuildArg,
		DuplicateDest, DestThroughSymlink, CgoEmulated, PlatformWithoutArtifact, IgnoredGPGKey,
		UnverifiedRepository, SameURLForPlatforms, SameChecksumForPlatforms,
	}
}

// RuleByName returns the rule called name, or nil.
func RuleByName(name string) *Rule {
	for _, r := range Rules() {
		if r.Name == name {
			return r
		}
	}
	return nil
}
