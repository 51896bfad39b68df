package main

import (
	"strings"
	"testing"
)

// TestOutputStreams: every command writes what it was asked for to stdout,
// and spec errors, failures and progress to stderr (docs/cli.md).
func TestOutputStreams(t *testing.T) {
	r := newReleases(t)
	good := `version: 1
platforms: [linux/amd64, linux/arm64]
images:
  builder:
    base: example.com/base:1
    tools:
      - name: yq
        version: v4.44.3
        url: ` + r.URL + `/yq_linux_${arch}
        sha256:
          linux/amd64: ` + sumOf("/yq_linux_amd64") + `
          linux/arm64: ` + sumOf("/yq_linux_arm64") + `
        dest: /usr/local/bin/yq
`
	goodFile := writeFile(t, good)
	// A parse error, and an error only resolving finds (no sha256 for linux/arm64).
	typo := writeFile(t, strings.Replace(good, "dest:", "dset:", 1))
	typoErr := `:13:9: unknown field "dset"; did you mean "dest"?`
	unpinned := writeFile(t, strings.Replace(good, "          linux/arm64: "+sumOf("/yq_linux_arm64")+"\n", "", 1))
	unpinnedErr := `:10:9: tool "yq" has no artifact for linux/arm64: no sha256 for that platform`
	// Resolving finds this one (lock resolves with placeholders for the checksums).
	scheme := writeFile(t, strings.Replace(good, "yq_linux_${arch}", "yq_linux_${arch.foo}", 1))
	stale := writeFile(t, strings.Replace(good, sumOf("/yq_linux_arm64"), strings.Repeat("ab", 32), 1))

	for _, c := range []struct {
		args               []string
		code               int
		stdout, stderr     string // each must be contained
		notStdout, notErrs string // must not be in stdout, stderr ("" checks stderr is empty)
	}{
		{args: []string{"validate", goodFile}, stdout: goodFile + ": ok\n"},
		{args: []string{"validate", typo}, code: 1, stdout: typo + ": 1 error, 0 warnings\n", stderr: typo + typoErr, notStdout: typoErr},
		{args: []string{"validate", unpinned}, code: 1, stdout: unpinned + ": 1 error, 0 warnings\n", stderr: unpinned + unpinnedErr, notStdout: unpinnedErr},
		{args: []string{"plan", goodFile}, stdout: "/yq_linux_arm64"},
		{args: []string{"plan", typo}, code: 1, stderr: typo + typoErr},
		{args: []string{"plan", unpinned}, code: 1, stderr: unpinned + unpinnedErr},
		{args: []string{"manifest", goodFile}, stdout: "/yq_linux_arm64"},
		{args: []string{"manifest", typo}, code: 1, stderr: typo + typoErr},
		{args: []string{"manifest", unpinned}, code: 1, stderr: unpinned + unpinnedErr},
		{args: []string{"llb", "-o", "-", goodFile}, stdout: "yq_linux_amd64"},
		{args: []string{"llb", typo}, code: 1, stderr: typo + typoErr},
		{args: []string{"llb", "--platform", "linux/arm64", unpinned}, code: 1, stderr: unpinned + unpinnedErr},
		{args: []string{"schema"}, stdout: `"$schema"`},
		{args: []string{"lock", "--check", goodFile}, stdout: goodFile + ": 2 checksums up to date\n", stderr: "downloading " + r.URL, notErrs: "up to date"},
		{args: []string{"lock", "--check", stale}, code: 1, stdout: `tool "yq" v4.44.3 linux/arm64: sha256 ` + strings.Repeat("ab", 32) + " is stale", stderr: "downloading", notErrs: "stale"},
		{args: []string{"lock", typo}, code: 1, stderr: typo + typoErr + "\n"},
		{args: []string{"lock", scheme}, code: 1, stderr: "${arch.foo}; declare it under arches (known schemes: goarch, uname)\n" + scheme + ": not locked: fix the spec first\n"},
		{args: []string{"lock", "--platform", "linux/s390x", "--sums", r.URL + "/missing-${arch}", goodFile}, code: 1, stderr: "404 Not Found\n" + goodFile + ": not locked\n"},
		{args: []string{"plan", "--format", "yaml", goodFile}, code: 2, stderr: "builder: invalid argument \"yaml\" for \"--format\" flag: use table or json\n"},
	} {
		stdout, stderr, code := runBuilder2(c.args...)
		name := strings.Join(c.args, " ")
		if code != c.code {
			t.Errorf("builder %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", name, code, c.code, stdout, stderr)
		}
		if c.stdout == "" && stdout != "" || !strings.Contains(stdout, c.stdout) || c.notStdout != "" && strings.Contains(stdout, c.notStdout) {
			t.Errorf("builder %s: stdout\n%s\nwant it to hold %q (and not %q)", name, stdout, c.stdout, c.notStdout)
		}
		if c.stderr == "" && stderr != "" || !strings.Contains(stderr, c.stderr) || c.notErrs != "" && strings.Contains(stderr, c.notErrs) {
			t.Errorf("builder %s: stderr\n%s\nwant it to hold %q (and not %q)", name, stderr, c.stderr, c.notErrs)
		}
	}
}
