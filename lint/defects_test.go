package lint_test

import (
	"strings"
	"testing"

	"github.com/maistra/builder-frontend/lint"
	"github.com/maistra/builder-frontend/spec"
)

func findings(t *testing.T, yaml string) []string {
	t.Helper()
	s, err := spec.Parse("builder.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(nil, spec.Options{}); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range lint.Check(s, lint.Options{}) {
		out = append(out, f.String())
	}
	return out
}

// Only a tag, a pseudo-version or a full commit names one version of a Go
// tool: a branch such as release-1.20 moves like main does.
func TestGoToolPinnedVersions(t *testing.T) {
	for _, tc := range []struct {
		version string
		pinned  bool
	}{
		{"v0.29.0", true},
		{"v2.0.0+incompatible", true},
		{"v1.2.3-rc.1", true},
		{"v0.0.0-20240101000000-0123456789ab", true},
		{"0123456789abcdef0123456789abcdef01234567", true},
		{"release-1.20", false},
		{"main", false},
		{"latest", false},
		{"v1.2", false},
		{"v1", false},
		{"0123456789ab", false},
		{"upgrade", false},
	} {
		got := findings(t, strings.Replace(goSpec, "version: v0.29.0", "version: "+tc.version, 1))
		want := []string(nil)
		if !tc.pinned {
			want = []string{`builder.yaml:21:9: GoToolNotPinned: Go tool "goimports" is installed at @` + tc.version + `, which is not a fixed version: each build may compile another one; pin a tag (v1.2.3), a pseudo-version or a full commit hash`}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("version %s: findings %q, want %q", tc.version, got, want)
		}
	}
}

// An archive unpacked into / with a take path under bin installs a real
// /bin in its layer, over the base's /bin -> usr/bin symlink.
func TestTakeThroughSymlinkedDir(t *testing.T) {
	got := findings(t, replace(replace(clean, "take: [helm]", "take: [bin/helm, share/helm, lib64/libhelm.so]"), "dest: /usr/local/bin", "dest: /"))
	want := []string{
		`builder.yaml:15:16: DestThroughSymlink: tool "helm": take bin/helm with dest / installs /bin/helm, through /bin, a symlink to /usr/bin on usrmerge bases: the layer's real /bin directory would replace the symlink and hide the base's files; use dest: /usr (or /usr/local)`,
		`builder.yaml:15:38: DestThroughSymlink: tool "helm": take lib64/libhelm.so with dest / installs /lib64/libhelm.so, through /lib64, a symlink to /usr/lib64 on usrmerge bases: the layer's real /lib64 directory would replace the symlink and hide the base's files; use dest: /usr (or /usr/local)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A finding quotes at most a few hundred bytes of a value.
func TestFindingsEchoLittle(t *testing.T) {
	big := strings.Repeat("x", 100_000)
	got := findings(t, replace(clean, "HELM_VERSION: v3.16.0", "HELM_VERSION: v3.16.0\n  "+big+": unused"))
	if len(got) != 1 || len(got[0]) > 800 || !strings.Contains(got[0], "UnusedArg: arg xxxx") {
		t.Errorf("findings %.700q", got)
	}
}
