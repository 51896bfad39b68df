package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestNativePackagesFailures: a native package step that fails is told in the spec's terms (docs/spec.md's
// build-failure rows): the package that does not exist, the repository that cannot be reached or whose key does
// not match, the package whose maintainer script fails on arm64 only. The failed build pushes nothing.
func TestNativePackagesFailures(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	apt, err := e.AptRepository(ctx)
	if err != nil {
		t.Fatal(err)
	}
	debian, err := e.DebianImage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rpm, err := e.RPMRepository(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dnfBase, err := e.RPMImage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const down = "http://127.0.0.1:1"
	for _, tc := range []struct {
		name      string
		packages  string // the packages: block
		base      string
		platforms string
		want      string
	}{
		{
			name: "apt: a package that does not exist",
			base: debian, platforms: "linux/arm64",
			packages: `
      manager: apt
      repositories:
        - {name: lab, url: "` + apt.Source(apt.Keyring) + `"}
      install: [git, nosuchpkg]`,
			want: `packages (apt, linux/arm64): no package "nosuchpkg" in the repositories; check the name (and version), and that a repository of the base image or of repositories: has it for linux/arm64`,
		},
		{
			name: "apt: a repository that cannot be reached",
			base: debian, platforms: "linux/arm64",
			packages: `
      manager: apt
      repositories:
        - {name: down, url: "deb [signed-by=` + apt.Keyring + `] ` + down + `/debian bookworm main"}
      install: [git]`,
			want: `packages (apt, linux/arm64): cannot reach repository "down" (` + down + `/debian): Could not connect to 127.0.0.1:1 (127.0.0.1). - connect (111: Connection refused); check its URL, and that the daemon can reach the host`,
		},
		{
			name: "apt: a repository signed with another key than its keyring's",
			base: debian, platforms: "linux/arm64",
			packages: `
      manager: apt
      repositories:
        - {name: lab, url: "` + apt.Source(apt.OtherKeyring) + `"}
      install: [git]`,
			want: `packages (apt, linux/arm64): repository "lab" (` + apt.URL + `) is not signed by a key apt trusts for it (The following signatures couldn't be verified because the public key is not available: NO_PUBKEY `,
		},
		{
			name: "apt: a postinst that fails on arm64 only",
			base: debian, platforms: "linux/amd64,linux/arm64",
			packages: `
      manager: apt
      repositories:
        - {name: lab, url: "` + apt.Source(apt.Keyring) + `"}
      install: [failpost]`,
			want: `packages (apt, linux/arm64): package "failpost": its post-installation script failed on linux/arm64 (returned error exit status 1); its output is above. Maintainer scripts run on the target platform, emulated unless it is the build platform`,
		},
		{
			name: "dnf: a package that does not exist",
			base: dnfBase, platforms: "linux/arm64",
			packages: `
      manager: dnf
      repositories:
        - {name: lab, url: "` + rpm.URL + `", gpgkey: "` + rpm.GPGKey + `"}
      install: [nosuchpkg]`,
			want: `packages (dnf, linux/arm64): no package "nosuchpkg" in the repositories; check the name (and version), and that a repository of the base image or of repositories: has it for linux/arm64`,
		},
		{
			name: "dnf: a repository that cannot be reached",
			base: dnfBase, platforms: "linux/arm64",
			packages: `
      manager: dnf
      repositories:
        - {name: down, url: "` + down + `/repo", gpgkey: "` + rpm.GPGKey + `"}
      install: [hello]`,
			want: `packages (dnf, linux/arm64): cannot reach repository "down" (` + down + `/repo): Curl error (7): Couldn't connect to server for ` + down + `/repo/repodata/repomd.xml [Failed to connect to 127.0.0.1 port 1: Couldn't connect to server]; check its URL, and that the daemon can reach the host`,
		},
		{
			name: "dnf: a gpgkey that does not match",
			base: dnfBase, platforms: "linux/arm64",
			packages: `
      manager: dnf
      repositories:
        - {name: lab, url: "` + rpm.URL + `", gpgkey: "` + rpm.OtherGPGKey + `"}
      install: [hello]`,
			want: `packages (dnf, linux/arm64): repository "lab" (` + rpm.URL + `): bbox-1.35.0-1.aarch64 is not signed by the key at ` + rpm.OtherGPGKey + `; gpgkey must be the key the repository signs its packages with`,
		},
		{
			name: "dnf: an unsigned package",
			base: dnfBase, platforms: "linux/arm64",
			packages: `
      manager: dnf
      repositories:
        - {name: unsigned, url: "` + rpm.UnsignedURL + `", gpgkey: "` + rpm.GPGKey + `"}
      install: [hello]`,
			want: `packages (dnf, linux/arm64): repository "unsigned" (` + rpm.UnsignedURL + `): hello-1.0-1.aarch64 is not signed, and dnf checks the signatures of this repository's packages; sign the package, or install it from a repository that does`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeSpec(t, `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
images:
  img:
    base: `+tc.base+`
    packages:`+tc.packages+`
`, nil)
			ref := e.ref("badpackages")
			out, err := e.build(t, dir, "builder.yaml", "--platform", tc.platforms, "-t", ref, "--push")
			if err == nil {
				t.Fatalf("the build succeeded:\n%s", tail(out, 20))
			}
			if !strings.Contains(out, "ERROR: failed to build: failed to solve: "+tc.want) {
				t.Errorf("buildx does not say\n%s\n%s", tc.want, tail(out, 30))
			}
			if d, err := e.Digest(ref); err == nil {
				t.Errorf("the failed build pushed %s (%s)", ref, d)
			}
		})
	}
}
