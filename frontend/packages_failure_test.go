package frontend

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/llb"
	"github.com/maistra/builder-frontend/spec"
)

// The logs below are what Debian 12's apt and dpkg, and dnf 4, print for
// each failure (taken from real runs of the native route on arm64).
const (
	aptMissingLog = `Get:1 http://127.0.0.1:8765/debian bookworm InRelease [3118 B]
Reading package lists...
Building dependency tree...
E: Unable to locate package nosuchpkg
`
	aptVersionLog = `Reading package lists...
E: Version '9.9' for 'git' was not found
`
	aptUnreachableLog = `Ign:2 http://127.0.0.1:9/debrepo local InRelease
Err:2 http://127.0.0.1:9/debrepo local InRelease
  Could not connect to 127.0.0.1:9 (127.0.0.1). - connect (111: Connection refused)
Fetched 151 kB in 7s (21.3 kB/s)
Reading package lists...
E: Failed to fetch http://127.0.0.1:9/debrepo/dists/local/InRelease  Could not connect to 127.0.0.1:9 (127.0.0.1). - connect (111: Connection refused)
E: Some index files failed to download. They have been ignored, or old ones used instead.
`
	aptWrongKeyLog = `Err:2 http://127.0.0.1:8765/debrepo local InRelease
  The following signatures couldn't be verified because the public key is not available: NO_PUBKEY 18A173387DA1EC0C
Reading package lists...
W: GPG error: http://127.0.0.1:8765/debrepo local InRelease: The following signatures couldn't be verified because the public key is not available: NO_PUBKEY 18A173387DA1EC0C
E: The repository 'http://127.0.0.1:8765/debrepo local InRelease' is not signed.
`
	// dpkg's lines end in \r\n: it writes to apt's pseudo-terminal.
	aptFailpostLog = "(Reading database ... 95%\r(Reading database ... 100%\r(Reading database ... 6090 files and directories currently installed.)\r\n" +
		"Setting up failpost (1.0) ...\r\nfailpost: refusing to configure on aarch64\r\ndpkg: error processing package failpost (--configure):\r\n" +
		" installed failpost package post-installation script subprocess returned error exit status 1\r\n" +
		"Errors were encountered while processing:\r\n failpost\r\nE: Sub-process /usr/bin/dpkg returned an error code (1)\n"
	// With the lists of an earlier update in the cache mount, a key that does not match reads so.
	aptWrongKeyCachedLog = `Hit:1 http://127.0.0.1:45477/debian bookworm InRelease
Err:1 http://127.0.0.1:45477/debian bookworm InRelease
  The following signatures couldn't be verified because the public key is not available: NO_PUBKEY EC1DB475B9C40288
Reading package lists...
W: An error occurred during the signature verification. The repository is not updated and the previous index files will be used. GPG error: http://127.0.0.1:45477/debian bookworm InRelease: The following signatures couldn't be verified because the public key is not available: NO_PUBKEY EC1DB475B9C40288
E: Failed to fetch http://127.0.0.1:45477/debian/dists/bookworm/InRelease  The following signatures couldn't be verified because the public key is not available: NO_PUBKEY EC1DB475B9C40288
E: Some index files failed to download. They have been ignored, or old ones used instead.
`
	aptPreinstLog = `dpkg: error processing archive /target/var/cache/apt/archives/failpre_1.0_arm64.deb (--unpack):
 new failpre package pre-installation script subprocess returned error exit status 1
Errors were encountered while processing:
 /target/var/cache/apt/archives/failpre_1.0_arm64.deb
`
	dnfMissingLog = `No match for argument: nosuchpkg
Error: Unable to find a match: nosuchpkg
`
	dnfUnreachableLog = `world                                           0.0  B/s |   0  B     00:00
Errors during downloading metadata for repository 'world':
  - Curl error (7): Couldn't connect to server for http://127.0.0.1:9/repo/repodata/repomd.xml [Failed to connect to 127.0.0.1 port 9 after 4 ms: Couldn't connect to server]
Error: Failed to download metadata for repo 'world': Cannot download repomd.xml: Cannot download repodata/repomd.xml: All mirrors were tried
`
	dnfWrongKeyLog = `Downloading Packages:
retrieving repo key for world unencrypted from http://127.0.0.1:8765/RPM-GPG-KEY-other
Importing GPG key 0xAF0ED6CF:
 Userid     : "RPM World other <other@rpm.test>"
Key imported successfully
Import of key(s) didn't help, wrong key(s)?
Public key for bbox-1.35.0-1.aarch64.rpm is not installed. Failing package is: bbox-1.35.0-1.aarch64
 GPG Keys are configured as: http://127.0.0.1:8765/RPM-GPG-KEY-other
Public key for hello-1.0-1.aarch64.rpm is not installed. Failing package is: hello-1.0-1.aarch64
 GPG Keys are configured as: http://127.0.0.1:8765/RPM-GPG-KEY-other
Error: GPG check FAILED
`
	dnfUnsignedLog = `retrieving repo key for unsigned unencrypted from http://127.0.0.1:8765/RPM-GPG-KEY-world
Key imported successfully
Package hello-1.0-1.aarch64.rpm is not signed
Error: GPG check FAILED
`
)

func TestPackagesFailure(t *testing.T) {
	aptRepos := []*spec.Repository{{Name: "lab", URL: "deb [signed-by=/etc/apt/keyrings/lab.gpg] http://127.0.0.1:8765/debrepo local main"}, {Name: "down", URL: "deb http://127.0.0.1:9/debrepo/ local main"}}
	dnfRepos := []*spec.Repository{{Name: "world", URL: "http://127.0.0.1:8765/repo", GPGKey: "http://127.0.0.1:8765/RPM-GPG-KEY-other"}, {Name: "unsigned", URL: "http://127.0.0.1:8765/unsigned", GPGKey: "http://127.0.0.1:8765/RPM-GPG-KEY-world"}}
	doc, err := os.ReadFile("../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, docRow, manager, log string
		repos                      []*spec.Repository
		want                       string
	}{
		{"apt missing package", "package step, a package that does not exist (native route)", "apt", aptMissingLog, nil,
			`packages (apt, linux/arm64): no package "nosuchpkg" in the repositories; check the name (and version), and that a repository of the base image or of repositories: has it for linux/arm64`},
		{"apt missing version", "package step, a package that does not exist (native route)", "apt", aptVersionLog, nil,
			`packages (apt, linux/arm64): no package "git=9.9" in the repositories; check the name (and version), and that a repository of the base image or of repositories: has it for linux/arm64`},
		{"apt unreachable repository", "package step, a repository that cannot be reached (native route)", "apt", aptUnreachableLog, aptRepos,
			`packages (apt, linux/arm64): cannot reach repository "down" (http://127.0.0.1:9/debrepo): Could not connect to 127.0.0.1:9 (127.0.0.1). - connect (111: Connection refused); check its URL, and that the daemon can reach the host`},
		{"apt unreachable repository of the base image", "", "apt", aptUnreachableLog, nil,
			`packages (apt, linux/arm64): cannot reach the repository http://127.0.0.1:9/debrepo/dists/local (of the base image): Could not connect to 127.0.0.1:9 (127.0.0.1). - connect (111: Connection refused); check its URL, and that the daemon can reach the host`},
		{"apt key does not match", "package step, apt: a repository not signed", "apt", aptWrongKeyLog, aptRepos,
			`packages (apt, linux/arm64): repository "lab" (http://127.0.0.1:8765/debrepo) is not signed by a key apt trusts for it (The following signatures couldn't be verified because the public key is not available: NO_PUBKEY 18A173387DA1EC0C); the repository's signed-by keyring, in the base image, must hold the key it is signed with`},
		{"apt key does not match, lists cached", "package step, apt: a repository not signed", "apt", aptWrongKeyCachedLog, []*spec.Repository{{Name: "lab", URL: "deb [signed-by=/etc/apt/keyrings/other.gpg] http://127.0.0.1:45477/debian bookworm main"}},
			`packages (apt, linux/arm64): repository "lab" (http://127.0.0.1:45477/debian) is not signed by a key apt trusts for it (The following signatures couldn't be verified because the public key is not available: NO_PUBKEY EC1DB475B9C40288); the repository's signed-by keyring, in the base image, must hold the key it is signed with`},
		{"apt postinst fails", "package step, a maintainer script fails (native route)", "apt", aptFailpostLog, nil,
			`packages (apt, linux/arm64): package "failpost": its post-installation script failed on linux/arm64 (returned error exit status 1); its output is above. Maintainer scripts run on the target platform, emulated unless it is the build platform`},
		{"apt preinst fails", "package step, a maintainer script fails (native route)", "apt", aptPreinstLog, nil,
			`packages (apt, linux/arm64): package "failpre": its pre-installation script failed on linux/arm64 (returned error exit status 1); its output is above. Maintainer scripts run on the target platform, emulated unless it is the build platform`},
		{"dnf missing package", "package step, a package that does not exist (native route)", "dnf", dnfMissingLog, dnfRepos,
			`packages (dnf, linux/arm64): no package "nosuchpkg" in the repositories; check the name (and version), and that a repository of the base image or of repositories: has it for linux/arm64`},
		{"dnf unreachable repository", "package step, a repository that cannot be reached (native route)", "dnf", dnfUnreachableLog, dnfRepos,
			`packages (dnf, linux/arm64): cannot reach repository "world" (http://127.0.0.1:8765/repo): Curl error (7): Couldn't connect to server for http://127.0.0.1:9/repo/repodata/repomd.xml [Failed to connect to 127.0.0.1 port 9: Couldn't connect to server]; check its URL, and that the daemon can reach the host`},
		{"dnf unreachable repository of the base image", "", "dnf", dnfUnreachableLog, nil,
			`packages (dnf, linux/arm64): cannot reach the base image's repository "world": Curl error (7): Couldn't connect to server for http://127.0.0.1:9/repo/repodata/repomd.xml [Failed to connect to 127.0.0.1 port 9: Couldn't connect to server]; check its URL, and that the daemon can reach the host`},
		{"dnf key does not match", "package step, dnf: packages not signed", "dnf", dnfWrongKeyLog, dnfRepos,
			`packages (dnf, linux/arm64): repository "world" (http://127.0.0.1:8765/repo): bbox-1.35.0-1.aarch64 is not signed by the key at http://127.0.0.1:8765/RPM-GPG-KEY-other; gpgkey must be the key the repository signs its packages with`},
		{"dnf unsigned package", "package step, dnf: an unsigned package", "dnf", dnfUnsignedLog, dnfRepos,
			`packages (dnf, linux/arm64): repository "unsigned" (http://127.0.0.1:8765/unsigned): hello-1.0-1.aarch64 is not signed, and dnf checks the signatures of this repository's packages; sign the package, or install it from a repository that does`},
		{"nothing known", "", "apt", "E: Sub-process /usr/bin/dpkg returned an error code (2)\n", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := llb.Step{Kind: llb.StepPackages, Name: tc.manager, Platform: "linux/arm64", Packages: &spec.ResolvedPackages{Manager: tc.manager, Repositories: tc.repos}}
			if got := packagesFailure(st, []byte(tc.log)); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			if tc.docRow != "" {
				if re := documented(t, doc, tc.docRow); !re.MatchString(tc.want) {
					t.Errorf("docs/spec.md's row %q (%s) does not fit\n%s", tc.docRow, re, tc.want)
				}
			}
		})
	}
}

// TestExplainNativePackages: a failed native package step is told from its
// log, read from the failed container, in docs/spec.md's words; without the
// log (an old daemon) it is told as any package step.
func TestExplainNativePackages(t *testing.T) {
	const y = `version: 1
images:
  b:
    base: example.com/debian:12
    packages:
      manager: apt
      install: [ca-certificates, nosuchpkg]
`
	s, err := spec.Parse("builder.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Resolve("linux/arm64", spec.Options{BuildPlatform: "linux/amd64"})
	if err != nil {
		t.Fatal(err)
	}
	build, target := ocispecs.Platform{OS: "linux", Architecture: "amd64"}, ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	buildBase := bk.Image("example.com/debian:12", bk.Platform(build))
	g, err := llb.Build(r, llb.Options{BuildPlatform: build, TargetPlatform: target, Base: bk.Image("example.com/debian:12", bk.Platform(target)),
		BuildBase: &buildBase, BuildBaseImage: &dockerspec.DockerOCIImage{}, MergeOp: true})
	if err != nil {
		t.Fatal(err)
	}
	def, err := g.State.Marshal(context.Background(), bk.Platform(target))
	if err != nil {
		t.Fatal(err)
	}
	e := &explained{graph: g, target: target}
	e.ops, e.op = opsOf(t, def)
	v := e.vertex(t, "[packages linux/arm64] apt install ca-certificates nosuchpkg (natively on linux/amd64)")
	in := fromDaemon(execFailed("/bin/sh /.builder-frontend/apt.sh ca-certificates nosuchpkg", 100), v, e.op[v], nil)

	var readPath string
	read := func(_ context.Context, err error, path string) ([]byte, error) {
		readPath = path
		return []byte(aptMissingLog), nil
	}
	want := `packages (apt, linux/arm64): no package "nosuchpkg" in the repositories; check the name (and version), and that a repository of the base image or of repositories: has it for linux/arm64`
	out := explain(context.Background(), in, e.graph, e.target, logReasons(read))
	if out.Error() != want || readPath != llb.PackagesLog {
		t.Errorf("explained as\n%s\n(read %q) want\n%s", out, readPath, want)
	}
	doc, err := os.ReadFile("../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	if re := documented(t, doc, "package step, a package that does not exist (native route)"); !re.MatchString(want) {
		t.Errorf("docs/spec.md's row (%s) does not fit\n%s", re, want)
	}
	unreadable := func(context.Context, error, string) ([]byte, error) { return nil, errors.New("no gateway exec") }
	if out := explain(context.Background(), in, e.graph, e.target, logReasons(unreadable)); !strings.HasPrefix(out.Error(), "packages (apt, linux/arm64): installing ca-certificates nosuchpkg failed: process ") {
		t.Errorf("without the log: %s", out)
	}
}

// logReasons answers explain's reading of a failed step's log with read.
type logReasons func(ctx context.Context, err error, path string) ([]byte, error)

func (l logReasons) report(context.Context, bk.State) (string, error) {
	return "", errors.New("no report")
}
func (l logReasons) sharedDownload(string, string) (string, []string) { return "", nil }
func (l logReasons) failedFile(ctx context.Context, err error, path string) ([]byte, error) {
	return l(ctx, err, path)
}

// TestPackagesFailureClipsWhatItQuotes: a name or reason the log gives is
// quoted clipped: a log line of 100 kB gives a message of a few hundred
// bytes, not the line again.
func TestPackagesFailureClipsWhatItQuotes(t *testing.T) {
	for _, tc := range []struct{ manager, log string }{
		{"apt", "E: Unable to locate package " + strings.Repeat("x", 100_000) + "\n"},
		{"dnf", "No match for argument: " + strings.Repeat("\x01", 100_000) + "\n"},
		{"apt", "W: Failed to fetch http://example.com/" + strings.Repeat("d", 50_000) + "  " + strings.Repeat("r", 50_000) + "\n"},
	} {
		msg := packagesFailure(llb.Step{Kind: llb.StepPackages, Name: tc.manager, Platform: "linux/arm64"}, []byte(tc.log))
		if msg == "" || len(msg) > 4096 {
			t.Errorf("%s: a %d-byte log line gave a %d-byte message", tc.manager, len(tc.log), len(msg))
		}
	}
}
