package unpack

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maistra/builder-frontend/internal/unpack/cmdline"
	"github.com/maistra/builder-frontend/spec"
)

// big is an archive with one large file of zeros (a bomb compresses it to
// almost nothing) beside a small one.
func big(size int) []fent {
	return []fent{
		{name: "a/small", kind: kindFile, mode: 0o644, body: "small"},
		{name: "a/zeros", kind: kindFile, mode: 0o644, body: string(make([]byte, size))},
	}
}

func many(n int) []fent {
	var ents []fent
	for i := 0; i < n; i++ {
		ents = append(ents, fent{name: fmt.Sprintf("a/f%d", i), kind: kindFile, mode: 0o644, body: "x"})
	}
	return ents
}

func TestLimits(t *testing.T) {
	noEpoch(t)
	const mib = 1 << 20
	for _, tc := range []struct {
		name  string
		form  Form
		ents  []fent
		opts  Options
		want  *LimitError
		wrote int64 // at most this many bytes end up in Dest
	}{
		{"tar.gz over the byte cap", FormTarGz, big(3 * mib), Options{MaxBytes: mib}, &LimitError{Limit: mib}, mib + 1},
		{"tar.xz over the byte cap", FormTarXz, big(3 * mib), Options{MaxBytes: mib}, &LimitError{Limit: mib}, mib + 1},
		// Decompressing what take skips costs the same: it counts.
		{"tar: skipped entries count", FormTarGz, big(3 * mib), Options{MaxBytes: mib, Take: []string{"small"}, Strip: 1}, &LimitError{Limit: mib}, 5},
		{"tar under the cap", FormTarGz, big(mib / 2), Options{MaxBytes: mib}, nil, mib},
		{"zip over the byte cap", FormZip, big(3 * mib), Options{MaxBytes: mib}, &LimitError{Limit: mib}, mib + 1},
		// A zip entry that is not taken is never decompressed.
		{"zip: entries not taken are not read", FormZip, big(3 * mib), Options{MaxBytes: mib, Take: []string{"a/small"}}, nil, 5},
		{"tar over the file cap", FormTar, many(30), Options{MaxFiles: 20}, &LimitError{Files: true, Limit: 20}, 20},
		{"tar: entries skipped by strip count", FormTar, many(30), Options{MaxFiles: 20, Strip: 2}, &LimitError{Files: true, Limit: 20}, 0},
		{"zip over the file cap, found before writing", FormZip, many(30), Options{MaxFiles: 20}, &LimitError{Files: true, Limit: 20}, 0},
		{"at the file cap", FormZip, many(30), Options{MaxFiles: 30}, nil, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := writeArchive(t, tc.form, tc.ents)
			tc.opts.Dest = filepath.Join(t.TempDir(), "out")
			tc.opts.Form = tc.form
			err := Extract(src, tc.opts)
			var le *LimitError
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("Extract: %v", err)
			case tc.want != nil && (!errors.As(err, &le) || *le != *tc.want):
				t.Fatalf("Extract = %v, want %v", err, tc.want)
			}
			var wrote int64
			filepath.Walk(tc.opts.Dest, func(p string, fi os.FileInfo, err error) error {
				if err == nil && fi.Mode().IsRegular() {
					wrote += fi.Size()
				}
				return nil
			})
			if wrote > tc.wrote {
				t.Errorf("wrote %d bytes, want at most %d", wrote, tc.wrote)
			}
		})
	}
}

func TestLimitErrorText(t *testing.T) {
	for _, tc := range []struct {
		err  LimitError
		want string
	}{
		{LimitError{Limit: 16 << 30}, "the archive unpacks to more than 16 GiB, the limit"},
		{LimitError{Limit: 1000}, "the archive unpacks to more than 1000 bytes, the limit"},
		{LimitError{Files: true, Limit: 1000000}, "the archive holds more than 1000000 entries, the limit"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestDefaultCaps: the helper's command line without caps (what the graph
// runs for a tool that sets none) holds the archive to the spec's defaults.
// Before, a production unpack had no cap at all.
func TestDefaultCaps(t *testing.T) {
	noEpoch(t)
	if spec.DefaultMaxUnpackedBytes != 16<<30 || spec.DefaultMaxUnpackedFiles != 1_000_000 || defaultCaps.bytes != spec.DefaultMaxUnpackedBytes || defaultCaps.files != spec.DefaultMaxUnpackedFiles {
		t.Fatalf("default caps %+v, want the spec's 16 GiB and 1000000 entries", defaultCaps)
	}
	saved := defaultCaps
	defer func() { defaultCaps = saved }()
	defaultCaps.bytes, defaultCaps.files = 1<<20, 10
	var b bytes.Buffer
	stderr = &b
	defer func() { stderr = os.Stderr }()
	dir := t.TempDir()
	bomb := writeArchive(t, FormTarGz, big(64<<20))
	if code := Main([]string{"--strip", "1", "--take", "small", "--dest", filepath.Join(dir, "a"), bomb}); code != cmdline.ExitTooLarge {
		t.Errorf("64 MiB of zeros: exit %d, want %d; %s", code, cmdline.ExitTooLarge, b.String())
	}
	if code := Main([]string{"--dest", filepath.Join(dir, "b"), writeArchive(t, FormZip, many(11))}); code != cmdline.ExitTooManyFiles {
		t.Errorf("11 entries: exit %d, want %d; %s", code, cmdline.ExitTooManyFiles, b.String())
	}
}

// TestMainLimitsAndReport: the caps reach Extract from the command line,
// each has its exit code, and --report turns any failure into a reason in
// a file and exit 0.
func TestMainLimitsAndReport(t *testing.T) {
	noEpoch(t)
	src := writeArchive(t, FormTarGz, big(2<<20))
	dir := t.TempDir()
	run := func(c cmdline.Command) (int, string) {
		var b bytes.Buffer
		old := stderr
		stderr = &b
		defer func() { stderr = old }()
		c.Src = src
		return Main(c.Argv("/builder-frontend")[1:]), b.String()
	}
	if code, out := run(cmdline.Command{Dest: filepath.Join(dir, "a"), MaxBytes: 1 << 20}); code != cmdline.ExitTooLarge || !strings.Contains(out, "the archive unpacks to more than 1 MiB, the limit") {
		t.Errorf("--max-bytes: exit %d, %q", code, out)
	}
	if code, out := run(cmdline.Command{Dest: filepath.Join(dir, "b"), MaxFiles: 1}); code != cmdline.ExitTooManyFiles || !strings.Contains(out, "more than 1 entries") {
		t.Errorf("--max-files: exit %d, %q", code, out)
	}
	report := filepath.Join(dir, "reason")
	if code, _ := run(cmdline.Command{Dest: filepath.Join(dir, "c"), Take: []string{"nope"}, Report: report}); code != 0 {
		t.Errorf("--report: exit %d, want 0", code)
	}
	if b, err := os.ReadFile(report); err != nil || !strings.HasPrefix(string(b), `take path "nope" not found in the archive; top-level entries: "a/"`) {
		t.Errorf("report %q, %v", b, err)
	}
	if code, _ := run(cmdline.Command{Dest: filepath.Join(dir, "d")}); code != 0 {
		t.Errorf("within the caps: exit %d", code)
	}
}

// TestFreshAndUsedDestAgree: extracting into an empty directory asks what
// was written instead of the file system; into one that holds other files
// it asks the file system. Both give the same tree, and both refuse to
// write through a link.
func TestFreshAndUsedDestAgree(t *testing.T) {
	noEpoch(t)
	src := writeArchive(t, FormTarGz, fixture(true))
	fresh := filepath.Join(t.TempDir(), "fresh")
	used := t.TempDir()
	if err := os.WriteFile(filepath.Join(used, "other"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{fresh, used} {
		if err := Extract(src, Options{Dest: d}); err != nil {
			t.Fatal(err)
		}
	}
	want := tree(t, fresh)
	got := tree(t, used)
	delete(got, "other")
	if d := diffTrees(got, want); d != "" {
		t.Errorf("used dest differs from fresh dest:\n%s", d)
	}
	evil := writeArchive(t, FormTar, []fent{
		{name: "l", kind: kindSymlink, link: "/etc"},
		{name: "l/passwd", kind: kindFile, mode: 0o644, body: "x"},
	})
	for _, d := range []string{filepath.Join(t.TempDir(), "fresh"), used} {
		if err := Extract(evil, Options{Dest: d}); err == nil || !strings.Contains(err.Error(), `refusing to write through symbolic link "l"`) {
			t.Errorf("%s: %v", d, err)
		}
	}
}
