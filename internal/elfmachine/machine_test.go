package elfmachine

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maistra/builder-frontend/internal/fixture"
	"github.com/maistra/builder-frontend/internal/unpack/cmdline"
	"github.com/maistra/builder-frontend/spec"
)

// header is the first bytes of an ELF file of that kind.
func header(class elf.Class, data elf.Data, typ elf.Type, m elf.Machine) []byte {
	b := make([]byte, 64)
	copy(b, elf.ELFMAG)
	b[elf.EI_CLASS], b[elf.EI_DATA], b[elf.EI_VERSION] = byte(class), byte(data), 1
	var bo binary.ByteOrder = binary.LittleEndian
	if data == elf.ELFDATA2MSB {
		bo = binary.BigEndian
	}
	bo.PutUint16(b[16:], uint16(typ))
	bo.PutUint16(b[18:], uint16(m))
	return b
}

func TestParseRealExecutables(t *testing.T) {
	for goarch, want := range map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64} {
		exe, err := fixture.Executable(goarch, "hi")
		if err != nil {
			t.Fatal(err)
		}
		h, ok := Parse(exe)
		if !ok || h.Machine != want || h.Class != elf.ELFCLASS64 || h.Data != elf.ELFDATA2LSB || h.Type != elf.ET_EXEC {
			t.Errorf("%s: Parse = %+v, %v", goarch, h, ok)
		}
		if ref, err := elf.NewFile(bytes.NewReader(exe)); err != nil || ref.Machine != h.Machine {
			t.Errorf("%s: debug/elf reads %v (%v), Parse %v", goarch, ref, err, h.Machine)
		}
	}
	for _, notELF := range [][]byte{nil, []byte("#!/bin/sh\necho hi\n"), []byte("\x7fELF"), []byte("PK\x03\x04 a jar, really......")} {
		if h, ok := Parse(notELF); ok {
			t.Errorf("Parse(%q) = %+v, want not ELF", notELF, h)
		}
	}
	bad := header(elf.ELFCLASS64, 7, elf.ET_EXEC, elf.EM_X86_64)
	if _, ok := Parse(bad); ok {
		t.Error("an invalid data encoding parsed")
	}
}

// TestEveryPlatformOfASpecHasAMachine: every architecture a spec accepts
// is checked; none is let through for want of a table entry.
func TestEveryPlatformOfASpecHasAMachine(t *testing.T) {
	for _, arch := range []string{"amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "loong64", "mips64le", "mips64", "mipsle", "mips", "ppc64", "sparc64", "wasm", "x86_64"} {
		p, err := spec.NormalizePlatform("linux/" + arch)
		_, ok := For(p)
		if (err == nil) != ok {
			t.Errorf("linux/%s: the spec accepts it as %q: %v; a machine is known: %v", arch, p, err == nil, ok)
		}
	}
}

func TestRuns(t *testing.T) {
	x86 := header(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_X86_64)
	for _, tc := range []struct {
		platform string
		head     []byte
		runs     bool
		name     string
	}{
		{"linux/amd64", x86, true, "x86-64"},
		{"linux/arm64", x86, false, "x86-64"},
		{"linux/arm64", header(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_DYN, elf.EM_AARCH64), true, "AArch64"},
		{"linux/arm64", header(elf.ELFCLASS32, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_ARM), false, "32-bit ARM"},
		{"linux/arm/v7", header(elf.ELFCLASS32, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_ARM), true, "32-bit ARM"},
		{"linux/ppc64le", header(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_PPC64), true, "ppc64le"},
		{"linux/ppc64le", header(elf.ELFCLASS64, elf.ELFDATA2MSB, elf.ET_EXEC, elf.EM_PPC64), false, "ppc64 (big-endian)"},
		{"linux/s390x", header(elf.ELFCLASS64, elf.ELFDATA2MSB, elf.ET_EXEC, elf.EM_S390), true, "s390x"},
		{"linux/s390x", header(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_S390), false, "s390x"},
		{"linux/amd64", header(elf.ELFCLASS32, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_386), false, "i386"},
		{"linux/386", header(elf.ELFCLASS32, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_386), true, "i386"},
		{"linux/riscv64", header(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_RISCV), true, "riscv64"},
		{"linux/mips64le", header(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_MIPS), true, "mips64le"},
		{"linux/mips", header(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_MIPS), false, "mips64le"},
		{"linux/amd64", header(elf.ELFCLASS64, elf.ELFDATA2MSB, elf.ET_EXEC, elf.EM_SPARCV9), false, "64-bit big-endian SPARCV9"},
	} {
		target, ok := For(tc.platform)
		h, hok := Parse(tc.head)
		if !ok || !hok {
			t.Fatalf("%s: For %v, Parse %v", tc.platform, ok, hok)
		}
		if target.Runs(h) != tc.runs || h.Name() != tc.name {
			t.Errorf("%s runs %s: %v, want %v (name %q, want %q)", tc.platform, h.Name(), target.Runs(h), tc.runs, h.Name(), tc.name)
		}
	}
}

func TestCheckedAndDescribe(t *testing.T) {
	exe := header(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_X86_64)
	dyn := header(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_DYN, elf.EM_X86_64)
	obj := header(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_REL, elf.EM_X86_64)
	for _, tc := range []struct {
		name    string
		mode    os.FileMode
		head    []byte
		checked bool
		says    string
	}{
		{"usr/bin/shellcheck", 0o755, exe, true, "an x86-64 executable"},
		{"usr/bin/tool", 0o700, dyn, true, "an x86-64 executable"}, // a PIE
		{"lib/libLLVM-14.so.1", 0o644, dyn, true, "an x86-64 shared library"},
		{"lib/libfoo.so", 0o644, dyn, true, "an x86-64 shared library"},
		{"src/debug/elf/testdata/gcc-386-freebsd-exec", 0o644, exe, false, ""},
		{"src/debug/elf/testdata/libtiffxx.so_", 0o644, dyn, false, ""},
		{"lib/crt1.o", 0o755, obj, false, ""},
	} {
		h, _ := Parse(tc.head)
		if got := Checked(tc.name, tc.mode, h); got != tc.checked {
			t.Errorf("Checked(%s, %v) = %v, want %v", tc.name, tc.mode, got, tc.checked)
		}
		if tc.says != "" && h.Describe(tc.name) != tc.says {
			t.Errorf("Describe(%s) = %q, want %q", tc.name, h.Describe(tc.name), tc.says)
		}
	}
	for _, tc := range []struct {
		head []byte
		want string
	}{
		{header(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_AARCH64), "an AArch64 executable"},
		{header(elf.ELFCLASS32, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_386), "an i386 executable"},
		{header(elf.ELFCLASS64, elf.ELFDATA2MSB, elf.ET_EXEC, elf.EM_S390), "an s390x executable"},
		{header(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_PPC64), "a ppc64le executable"},
	} {
		h, _ := Parse(tc.head)
		if got := h.Describe("x"); got != tc.want {
			t.Errorf("Describe = %q, want %q", got, tc.want)
		}
	}
}

// tree writes files (path -> mode and content) under a fresh directory.
func tree(t *testing.T, files map[string]struct {
	mode os.FileMode
	data []byte
}) string {
	t.Helper()
	dir := t.TempDir()
	for p, f := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, f.data, f.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(full, f.mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type file = struct {
	mode os.FileMode
	data []byte
}

// TestCheckTree walks what a layer installs: the foreign executable and
// library are found, at their image paths; scripts, data, Go's foreign test
// files and links are not.
func TestCheckTree(t *testing.T) {
	amd, _ := fixture.Executable("amd64", "amd")
	arm, _ := fixture.Executable("arm64", "arm")
	armLib := header(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_DYN, elf.EM_AARCH64)
	dir := tree(t, map[string]file{
		"opt/tool/bin/tool":       {0o755, arm},
		"opt/tool/bin/run.sh":     {0o755, []byte("#!/bin/sh\n")},
		"opt/tool/lib/libt.so.1":  {0o644, armLib},
		"opt/tool/share/test.elf": {0o644, arm},
		"opt/tool/bin/ok":         {0o755, amd},
		"opt/tool/bin/tiny":       {0o755, []byte("\x7fELF")},
	})
	if err := os.Symlink("/usr/bin/arm-thing", filepath.Join(dir, "opt/tool/bin/link")); err != nil {
		t.Fatal(err)
	}
	amd64, _ := For("linux/amd64")
	found, err := Check([]Tree{{Src: filepath.Join(dir, "opt/tool"), ImagePath: "/usr/lib/tool"}}, amd64)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range found {
		got = append(got, m.String())
	}
	want := []string{"/usr/lib/tool/bin/tool is an AArch64 executable", "/usr/lib/tool/lib/libt.so.1 is an AArch64 shared library"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Check found\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A file named on its own (a raw download, mode 0644 before install)
	// is checked whatever its mode.
	raw := tree(t, map[string]file{"bazel": {0o644, arm}})
	found, err = Check([]Tree{{Src: filepath.Join(raw, "bazel"), ImagePath: "/usr/bin/bazel"}}, amd64)
	if err != nil || len(found) != 1 || found[0].String() != "/usr/bin/bazel is an AArch64 executable" {
		t.Errorf("raw download: %v, %v", found, err)
	}
}

func TestMain(t *testing.T) {
	arm, _ := fixture.Executable("arm64", "arm")
	dir := tree(t, map[string]file{"in/bin/shellcheck": {0o755, arm}})
	run := func(c cmdline.Check) (int, string) {
		var b bytes.Buffer
		return Main(c.Argv("/builder-frontend")[1:], &b), b.String()
	}
	in := cmdline.Tree{Src: filepath.Join(dir, "in"), ImagePath: "/usr"}
	if code, out := run(cmdline.Check{Platform: "linux/arm64", Trees: []cmdline.Tree{in}}); code != 0 || out != "" {
		t.Errorf("arm64 check of an arm64 tool: exit %d, %q", code, out)
	}
	code, out := run(cmdline.Check{Platform: "linux/amd64", Trees: []cmdline.Tree{in}})
	if code != cmdline.ExitForeignMachine || !strings.Contains(out, "linux/amd64 cannot run these files:\n/usr/bin/shellcheck is an AArch64 executable\n") {
		t.Errorf("amd64 check of an arm64 tool: exit %d, %q", code, out)
	}
	report := filepath.Join(dir, "report")
	if code, _ := run(cmdline.Check{Platform: "linux/amd64", Report: report, Trees: []cmdline.Tree{in}}); code != 0 {
		t.Errorf("with --report: exit %d, want 0", code)
	}
	if b, err := os.ReadFile(report); err != nil || string(b) != "/usr/bin/shellcheck is an AArch64 executable" {
		t.Errorf("report %q, %v", b, err)
	}
	var usage bytes.Buffer
	for _, args := range [][]string{{"--platform", "linux/amd64"}, {"--platform", "linux/amd64", "a"}, {"a", "b"}, {"--platform", "linux/sparc", "a", "b"}} {
		if code := Main(args, &usage); code != cmdline.ExitUsage {
			t.Errorf("Main(%q) = %d, want a usage error", args, code)
		}
	}
	if !strings.Contains(usage.String(), cmdline.CheckSynopsis) {
		t.Errorf("usage errors do not show the synopsis:\n%s", usage.String())
	}
	if code, out := run(cmdline.Check{Platform: "linux/amd64", Trees: []cmdline.Tree{{Src: filepath.Join(dir, "nope"), ImagePath: "/x"}}}); code != cmdline.ExitFailed || !strings.Contains(out, "no such file") {
		t.Errorf("missing tree: exit %d, %q", code, out)
	}
}

// TestReportIsBounded: an archive full of foreign binaries yields a short
// report.
func TestReportIsBounded(t *testing.T) {
	var ms []Mismatch
	h, _ := Parse(header(elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_X86_64))
	for i := 0; i < 500; i++ {
		ms = append(ms, Mismatch{Path: "/usr/bin/x", Header: h})
	}
	arm, _ := For("linux/arm64")
	r := Report(ms, arm)
	if n := strings.Count(r, "\n"); n != maxListed+1 || !strings.HasSuffix(r, "and 490 more files linux/arm64 cannot run\n") {
		t.Errorf("report of 500 files has %d lines:\n%s", n, r)
	}
	if s := Summary(ms, arm); s != "/usr/bin/x is an x86-64 executable, and 499 more files linux/arm64 cannot run" {
		t.Errorf("Summary = %q", s)
	}
}
