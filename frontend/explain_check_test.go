package frontend

import (
	"context"
	"errors"
	"fmt"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	gatewaypb "github.com/moby/buildkit/frontend/gateway/pb"

	"github.com/maistra/builder-frontend/internal/unpack/cmdline"
	"github.com/maistra/builder-frontend/llb"
)

// fakeReasons answers explain as a build would: the report's text, and
// the platforms sharing a download.
type fakeReasons struct {
	text   string
	err    error
	url    string
	shared []string
}

func (f fakeReasons) report(context.Context, bk.State) (string, error) { return f.text, f.err }
func (f fakeReasons) sharedDownload(tool, platform string) (string, []string) {
	return f.url, f.shared
}

func (f fakeReasons) failedFile(context.Context, error, string) ([]byte, error) {
	return nil, errors.New("no failed exec")
}

// exited is the error the daemon returns for a process that exited with
// code, as the gateway decodes it.
func exited(code uint32) error {
	return fmt.Errorf("process \"/builder-frontend check-elf\" did not complete successfully: %w", &gatewaypb.ExitError{ExitCode: code})
}

// TestExplainCheckAndNativeUnpack: a failed ELF check and a failed unpack
// by our unpacker are told in the spec's terms, with the helper's own
// reason.
func TestExplainCheckAndNativeUnpack(t *testing.T) {
	report := bk.Scratch()
	check := llb.Step{Kind: llb.StepCheck, Name: "shellcheck", Platform: "linux/arm64", URL: "https://example.com/shellcheck.linux.x86_64.tar.xz", Detail: "tool", Report: &report}
	unpack := llb.Step{Kind: llb.StepUnpack, Name: "clang", Platform: "linux/amd64", URL: "https://example.com/clang.tar.xz", Detail: "tar.xz", Report: &report}
	for _, tc := range []struct {
		name string
		st   llb.Step
		err  error
		rs   fakeReasons
		want string
	}{
		{
			name: "foreign executable, one URL for every platform",
			st:   check, err: exited(cmdline.ExitForeignMachine),
			rs:   fakeReasons{text: "/usr/bin/shellcheck is an x86-64 executable", url: check.URL, shared: []string{"linux/amd64", "linux/arm64"}},
			want: `tool "shellcheck" (linux/arm64): /usr/bin/shellcheck is an x86-64 executable; the URL does not change with the platform (https://example.com/shellcheck.linux.x86_64.tar.xz is the URL for linux/amd64 and linux/arm64); use ${arch} or an arch scheme in it`,
		},
		{
			name: "foreign executable, the platform's own URL",
			st:   check, err: exited(cmdline.ExitForeignMachine),
			rs:   fakeReasons{text: "/usr/bin/shellcheck is an x86-64 executable, and 2 more files linux/arm64 cannot run"},
			want: `tool "shellcheck" (linux/arm64): /usr/bin/shellcheck is an x86-64 executable, and 2 more files linux/arm64 cannot run; the download for linux/arm64 (https://example.com/shellcheck.linux.x86_64.tar.xz) is built for another machine: check the name the tool's arch scheme gives linux/arm64 and the sha256 pinned for it, or set foreignBinaries: true if the tool ships such files on purpose`,
		},
		{
			name: "report unreadable",
			st:   check, err: exited(cmdline.ExitForeignMachine),
			rs:   fakeReasons{err: errors.New("no daemon"), url: check.URL, shared: []string{"linux/amd64", "linux/arm64"}},
			want: `tool "shellcheck" (linux/arm64): it installs executables linux/arm64 cannot run (the check's output above names them); the URL does not change`,
		},
		{
			name: "Go tool",
			st:   llb.Step{Kind: llb.StepCheck, Name: "goimports", Platform: "linux/arm64", Detail: "Go tool", Report: &report}, err: exited(cmdline.ExitForeignMachine),
			rs:   fakeReasons{text: "/usr/local/bin/goimports is an x86-64 executable"},
			want: `Go tool "goimports" (linux/arm64): /usr/local/bin/goimports is an x86-64 executable; it was compiled for another machine`,
		},
		{
			name: "the check itself fails",
			st:   check, err: exited(cmdline.ExitFailed),
			want: `tool "shellcheck" (linux/arm64): cannot check that linux/arm64 runs its executables: process`,
		},
		{
			name: "default byte cap",
			st:   unpack, err: exited(cmdline.ExitTooLarge),
			want: `tool "clang" (linux/amd64): the tar.xz from https://example.com/clang.tar.xz unpacks to more than 16 GiB, the limit, and was not unpacked; if the archive really is that large, raise the limit on the tool, e.g. maxUnpackedSize: 32 GiB`,
		},
		{
			name: "the tool's file cap",
			st:   func() llb.Step { s := unpack; s.MaxFiles = 5000; return s }(), err: exited(cmdline.ExitTooManyFiles),
			want: `tool "clang" (linux/amd64): the tar.xz from https://example.com/clang.tar.xz holds more than 5000 entries, the limit, and was not unpacked; if the archive really holds that many, raise the limit on the tool, e.g. maxUnpackedFiles: 10000`,
		},
		{
			name: "take path missing",
			st:   unpack, err: exited(cmdline.ExitFailed),
			rs:   fakeReasons{text: `take path "bin/clang" not found in the archive (paths are relative after strip 1); top-level entries: "bin/", "lib/"`},
			want: `tool "clang" (linux/amd64): cannot unpack the tar.xz from https://example.com/clang.tar.xz: take path "bin/clang" not found in the archive (paths are relative after strip 1); top-level entries: "bin/", "lib/"; strip, take and form: must match the archive (list it with tar -tf or unzip -l)`,
		},
		{
			name: "archive cut short",
			st:   unpack, err: exited(cmdline.ExitFailed),
			rs:   fakeReasons{text: `entry "bin/clang": unexpected EOF`},
			want: `tool "clang" (linux/amd64): cannot unpack the tar.xz from https://example.com/clang.tar.xz: entry "bin/clang": unexpected EOF; the archive ends early: the file pinned is truncated or corrupt (test it with tar -tf or unzip -t), pin the complete file's sha256`,
		},
		{
			name: "no report: as before",
			st:   unpack, err: exited(cmdline.ExitFailed),
			rs:   fakeReasons{err: errors.New("gone")},
			want: `tool "clang" (linux/amd64): cannot unpack the tar.xz from https://example.com/clang.tar.xz: process`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			if tc.st.Kind == llb.StepCheck {
				got = describeCheck(context.Background(), tc.st, tc.err, exitCode(tc.err), tc.rs)
			} else {
				got = describeNativeUnpack(context.Background(), tc.st, tc.err, exitCode(tc.err), tc.rs)
			}
			if len(got) < len(tc.want) || got[:len(tc.want)] != tc.want {
				t.Errorf("got  %s\nwant %s…", got, tc.want)
			}
		})
	}
	if exitCode(errors.New("process did not complete successfully: exit code: 4")) != 4 || exitCode(errors.New("connection reset")) != -1 {
		t.Error("exitCode does not read the daemon's text")
	}
}
