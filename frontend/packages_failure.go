package frontend

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/maistra/builder-frontend/llb"
	"github.com/maistra/builder-frontend/spec"
)

// What apt, dpkg and dnf print when a package step fails, and what of it
// names the package or repository at fault. The texts are those of Debian
// 12's apt 2.6 and dpkg 1.21, and of dnf 4.
var (
	// apt: the package is not in any repository (name, name=version, glob).
	aptMissingRe = regexp.MustCompile(`^E: (?:Unable to locate package (\S+)|Package '([^']+)' has no installation candidate|Version '([^']+)' for '([^']+)' was not found|Couldn't find any package by (?:glob|regex) '([^']+)')`)
	// apt: a repository that cannot be fetched.
	aptFetchRe = regexp.MustCompile(`^[EW]: Failed to fetch (\S+)\s+(.*)$`)
	// apt: a repository whose signature does not verify (with lists of an
	// earlier update in the cache: "W: An error occurred during the
	// signature verification. … GPG error: …").
	aptGPGRe = regexp.MustCompile(`^[EW]: .*GPG error: (\S+) [^:]*: (.*)$`)
	// apt: a repository that has no (verifiable) signature at all.
	aptUnsignedRe = regexp.MustCompile(`^E: The repository '(\S+)[^']*' (?:is not signed|is no longer signed)`)
	// dpkg: a maintainer script failed; the next line says which.
	dpkgErrorRe  = regexp.MustCompile(`^dpkg: error processing (?:package|archive) (\S+) \(--\w+\):$`)
	dpkgScriptRe = regexp.MustCompile(`(pre-installation|post-installation|pre-removal|post-removal) script subprocess (.*)$`)

	// dnf: no package matches an install item.
	dnfMissingRe = regexp.MustCompile(`^No match for argument: (.+)$`)
	// dnf: a repository whose metadata cannot be downloaded.
	dnfRepoRe     = regexp.MustCompile(`^Errors during downloading metadata for repository '([^']+)':$`)
	dnfRepoLineRe = regexp.MustCompile(`^\s+- (.*)$`)
	dnfRepoFailRe = regexp.MustCompile(`^Error: Failed to download metadata for repo '([^']+)': (.*)$`)
	// curl's time to fail, which differs from try to try.
	curlTimeRe = regexp.MustCompile(` after \d+ ms`)
	// dnf: the signature check of the downloaded packages.
	dnfKeyRepoRe   = regexp.MustCompile(`^retrieving repo key for (\S+) unencrypted from (\S+)`)
	dnfNoKeyRe     = regexp.MustCompile(`^Public key for (\S+?)(?:\.rpm)? is not installed`)
	dnfKeysAreRe   = regexp.MustCompile(`^\s*GPG Keys are configured as: (\S+)`)
	dnfUnsignedRe  = regexp.MustCompile(`^Package (\S+?)(?:\.rpm)? is not signed`)
	dnfGPGFailedRe = regexp.MustCompile(`^Error: GPG check FAILED`)
)

const reachHint = "check its URL, and that the daemon can reach the host"

// packagesFailure says, from the output of a failed native package step,
// which package or repository failed and what to do, in the spec's terms;
// "" when the output names none of the failures it knows.
func packagesFailure(st llb.Step, log []byte) string {
	var lines []string
	for _, l := range strings.Split(string(log), "\n") {
		// dpkg writes to apt's pseudo-terminal: lines end in \r\n, and
		// progress is redrawn in place after a \r.
		l = strings.TrimRight(l, "\r")
		if i := strings.LastIndexByte(l, '\r'); i >= 0 {
			l = l[i+1:]
		}
		lines = append(lines, strings.TrimRight(l, " \t"))
	}
	var pkgs *spec.ResolvedPackages
	if pkgs = st.Packages; pkgs == nil {
		pkgs = &spec.ResolvedPackages{Manager: st.Name}
	}
	f := failure{step: st, pkgs: pkgs}
	if st.Name == "dnf" {
		f.dnf(lines)
	} else {
		f.apt(lines)
	}
	return f.msg
}

// failure is the first failure found, by precedence: a repository problem
// explains the packages that are then missing.
type failure struct {
	step llb.Step
	pkgs *spec.ResolvedPackages
	msg  string
}

// maxLogEcho bounds each text a failure quotes from the log (a name, a
// reason): the log is the package manager's output, not ours, and a
// message must not echo it whole.
const maxLogEcho = 300

func (f *failure) set(format string, args ...any) {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = spec.Clip(s, maxLogEcho)
		}
	}
	if f.msg == "" {
		f.msg = fmt.Sprintf("packages (%s, %s): ", f.step.Name, f.step.Platform) + fmt.Sprintf(format, args...)
	}
}

func (f *failure) apt(lines []string) {
	for _, l := range lines {
		if m := aptGPGRe.FindStringSubmatch(l); m != nil {
			f.set("%s is not signed by a key apt trusts for it (%s); the repository's signed-by keyring, in the base image, must hold the key it is signed with", f.aptRepo(m[1]), m[2])
		} else if m := aptUnsignedRe.FindStringSubmatch(l); m != nil {
			f.set("%s is not signed by a key apt trusts for it; the repository's signed-by keyring, in the base image, must hold the key it is signed with", f.aptRepo(m[1]))
		}
	}
	for _, l := range lines {
		if m := aptFetchRe.FindStringSubmatch(l); m != nil && !strings.Contains(m[2], "signature") {
			f.set("cannot reach %s: %s; %s", f.aptRepo(m[1]), m[2], reachHint)
		}
	}
	for _, l := range lines {
		if m := aptMissingRe.FindStringSubmatch(l); m != nil {
			name := strings.Join(m[1:], "")
			if m[3] != "" {
				name = m[4] + "=" + m[3]
			}
			f.missing(name)
		}
	}
	for i, l := range lines {
		m := dpkgErrorRe.FindStringSubmatch(l)
		if m == nil || i+1 >= len(lines) {
			continue
		}
		if s := dpkgScriptRe.FindStringSubmatch(lines[i+1]); s != nil {
			pkg := m[1]
			if strings.HasSuffix(pkg, ".deb") { // an archive being unpacked: name_version_arch.deb
				pkg, _, _ = strings.Cut(path.Base(pkg), "_")
			}
			f.script(pkg, s[1], s[2])
		}
	}
}

func (f *failure) dnf(lines []string) {
	keyRepo, failing, unsigned, keys := "", "", "", ""
	gpgFailed := false
	for _, l := range lines {
		switch {
		case dnfKeyRepoRe.MatchString(l):
			keyRepo = dnfKeyRepoRe.FindStringSubmatch(l)[1]
		case dnfNoKeyRe.MatchString(l) && failing == "":
			failing = dnfNoKeyRe.FindStringSubmatch(l)[1]
		case dnfKeysAreRe.MatchString(l) && keys == "":
			keys = dnfKeysAreRe.FindStringSubmatch(l)[1]
		case dnfUnsignedRe.MatchString(l) && unsigned == "":
			unsigned = dnfUnsignedRe.FindStringSubmatch(l)[1]
		case dnfGPGFailedRe.MatchString(l):
			gpgFailed = true
		}
	}
	if gpgFailed {
		repo := keyRepo
		if repo == "" {
			for _, r := range f.pkgs.Repositories {
				if keys != "" && r.GPGKey == keys {
					repo = r.Name
				}
			}
		}
		where := "a repository"
		if repo != "" {
			where = f.dnfRepo(repo)
		}
		switch {
		case unsigned != "":
			f.set("%s: %s is not signed, and dnf checks the signatures of this repository's packages; sign the package, or install it from a repository that does", where, unsigned)
		case failing != "":
			key := keys
			if key == "" {
				key = "its gpgkey"
			}
			f.set("%s: %s is not signed by the key at %s; gpgkey must be the key the repository signs its packages with", where, failing, key)
		default:
			f.set("%s: the signature check of its packages failed; gpgkey must be the key the repository signs its packages with", where)
		}
	}
	for i, l := range lines {
		if m := dnfRepoFailRe.FindStringSubmatch(l); m != nil {
			f.set("cannot reach %s: %s; %s", f.dnfRepo(m[1]), m[2], reachHint)
		}
		if m := dnfRepoRe.FindStringSubmatch(l); m != nil {
			why := "its metadata cannot be downloaded"
			if i+1 < len(lines) {
				if d := dnfRepoLineRe.FindStringSubmatch(lines[i+1]); d != nil {
					why = d[1]
				}
			}
			f.set("cannot reach %s: %s; %s", f.dnfRepo(m[1]), curlTimeRe.ReplaceAllString(why, ""), reachHint)
		}
	}
	for _, l := range lines {
		if m := dnfMissingRe.FindStringSubmatch(l); m != nil {
			f.missing(m[1])
		}
	}
}

func (f *failure) missing(name string) {
	f.set("no package %q in the repositories; check the name (and version), and that a repository of the base image or of repositories: has it for %s", name, f.step.Platform)
}

func (f *failure) script(pkg, which, what string) {
	f.set("package %q: its %s script failed on %s (%s); its output is above. Maintainer scripts run on the target platform, emulated unless it is the build platform",
		pkg, which, f.step.Platform, what)
}

// aptRepo names the repository of a URL apt printed: the spec's repository
// whose url line has that URI, else the URL (a repository of the base
// image).
func (f *failure) aptRepo(u string) string {
	for _, r := range f.pkgs.Repositories {
		if uri := aptURI(r.URL); uri != "" && strings.HasPrefix(u+"/", uri+"/") {
			return fmt.Sprintf("repository %q (%s)", r.Name, uri)
		}
	}
	return "the repository " + strings.TrimSuffix(u, "/InRelease") + " (of the base image)"
}

// dnfRepo names a dnf repository id: the spec's repository of that name, or
// one of the base image.
func (f *failure) dnfRepo(id string) string {
	for _, r := range f.pkgs.Repositories {
		if r.Name == id {
			return fmt.Sprintf("repository %q (%s)", r.Name, r.URL)
		}
	}
	return fmt.Sprintf("the base image's repository %q", id)
}

// aptURI is the URI of a sources.list line: "deb [options] URI suite
// components…".
func aptURI(line string) string {
	fields := strings.Fields(line)
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		switch {
		case i == 0 && (f == "deb" || f == "deb-src"):
		case strings.HasPrefix(f, "["):
			for ; i < len(fields) && !strings.HasSuffix(fields[i], "]"); i++ {
			}
		default:
			return strings.TrimSuffix(f, "/")
		}
	}
	return ""
}
