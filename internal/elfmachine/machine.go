// Package elfmachine tells which machine an ELF file is built for, from its
// first bytes, and whether a platform runs it. The build checks every tool
// layer with it before the layer is used (`builder-frontend check-elf`, see
// Main), and builder lock looks into downloads with it: an x86-64 binary in
// an arm64 image is an error, not a surprise at run time.
package elfmachine

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
)

// HeadSize is how many leading bytes of a file Parse needs.
const HeadSize = 20

// Header is what the start of an ELF file says about it.
type Header struct {
	Class   elf.Class
	Data    elf.Data
	Type    elf.Type
	Machine elf.Machine
}

// Parse reads the identification and e_type/e_machine from the first
// HeadSize bytes of a file; ok is false when they are not an ELF header.
func Parse(head []byte) (h Header, ok bool) {
	if len(head) < HeadSize || !bytes.HasPrefix(head, []byte(elf.ELFMAG)) {
		return Header{}, false
	}
	h.Class, h.Data = elf.Class(head[elf.EI_CLASS]), elf.Data(head[elf.EI_DATA])
	var bo binary.ByteOrder
	switch h.Data {
	case elf.ELFDATA2LSB:
		bo = binary.LittleEndian
	case elf.ELFDATA2MSB:
		bo = binary.BigEndian
	default:
		return Header{}, false
	}
	if h.Class != elf.ELFCLASS32 && h.Class != elf.ELFCLASS64 {
		return Header{}, false
	}
	// e_type and e_machine follow the 16 identification bytes in both classes.
	h.Type, h.Machine = elf.Type(bo.Uint16(head[16:18])), elf.Machine(bo.Uint16(head[18:20]))
	return h, true
}

// sharedLibraryRe matches the names of shared libraries: libx.so, libx.so.1.2.
var sharedLibraryRe = regexp.MustCompile(`\.so(\.[0-9][0-9.]*)?$`)

// Checked reports whether a file named name with mode and header h is one
// the platform must run: an executable or shared object (ET_EXEC, ET_DYN)
// that has an execute bit, or a shared object named like a library. Object
// files and ELF files without an execute bit are data to the image: Go's
// own toolchain ships test files for a dozen machines in src/debug/elf.
// A file named explicitly (a raw download, a Go tool) is checked whatever
// its mode: pass mode 0o755.
func Checked(name string, mode fs.FileMode, h Header) bool {
	if h.Type != elf.ET_EXEC && h.Type != elf.ET_DYN {
		return false
	}
	return mode&0o111 != 0 || h.Type == elf.ET_DYN && sharedLibraryRe.MatchString(name)
}

// Target is the kind of ELF file a platform runs.
type Target struct {
	Platform string
	Machine  elf.Machine
	Class    elf.Class
	Data     elf.Data
}

// targets are the architectures a spec may name (spec.NormalizePlatform),
// as Go and the Linux ABIs build for them.
var targets = map[string]Target{
	"amd64":    {Machine: elf.EM_X86_64, Class: elf.ELFCLASS64, Data: elf.ELFDATA2LSB},
	"arm64":    {Machine: elf.EM_AARCH64, Class: elf.ELFCLASS64, Data: elf.ELFDATA2LSB},
	"ppc64le":  {Machine: elf.EM_PPC64, Class: elf.ELFCLASS64, Data: elf.ELFDATA2LSB},
	"ppc64":    {Machine: elf.EM_PPC64, Class: elf.ELFCLASS64, Data: elf.ELFDATA2MSB},
	"s390x":    {Machine: elf.EM_S390, Class: elf.ELFCLASS64, Data: elf.ELFDATA2MSB},
	"arm":      {Machine: elf.EM_ARM, Class: elf.ELFCLASS32, Data: elf.ELFDATA2LSB},
	"386":      {Machine: elf.EM_386, Class: elf.ELFCLASS32, Data: elf.ELFDATA2LSB},
	"riscv64":  {Machine: elf.EM_RISCV, Class: elf.ELFCLASS64, Data: elf.ELFDATA2LSB},
	"loong64":  {Machine: elf.EM_LOONGARCH, Class: elf.ELFCLASS64, Data: elf.ELFDATA2LSB},
	"mips":     {Machine: elf.EM_MIPS, Class: elf.ELFCLASS32, Data: elf.ELFDATA2MSB},
	"mipsle":   {Machine: elf.EM_MIPS, Class: elf.ELFCLASS32, Data: elf.ELFDATA2LSB},
	"mips64":   {Machine: elf.EM_MIPS, Class: elf.ELFCLASS64, Data: elf.ELFDATA2MSB},
	"mips64le": {Machine: elf.EM_MIPS, Class: elf.ELFCLASS64, Data: elf.ELFDATA2LSB},
}

// For returns the ELF files platform (os/arch[/variant]) runs; ok is false
// for an architecture this package does not know.
func For(platform string) (Target, bool) {
	parts := strings.Split(platform, "/")
	if len(parts) < 2 {
		return Target{}, false
	}
	t, ok := targets[parts[1]]
	t.Platform = platform
	return t, ok
}

// Runs reports whether the platform runs a file with header h.
func (t Target) Runs(h Header) bool {
	return h.Machine == t.Machine && h.Class == t.Class && h.Data == t.Data
}

// Name names the machine of h as people know it: x86-64, AArch64, ppc64le,
// 32-bit ARM, s390x.
func (h Header) Name() string {
	bits := map[elf.Class]string{elf.ELFCLASS32: "32", elf.ELFCLASS64: "64"}[h.Class]
	le := h.Data == elf.ELFDATA2LSB
	switch h.Machine {
	case elf.EM_X86_64:
		if h.Class == elf.ELFCLASS32 {
			return "x32"
		}
		return "x86-64"
	case elf.EM_386:
		return "i386"
	case elf.EM_AARCH64:
		if !le {
			return "big-endian AArch64"
		}
		return "AArch64"
	case elf.EM_ARM:
		return "32-bit ARM"
	case elf.EM_PPC64:
		if le {
			return "ppc64le"
		}
		return "ppc64 (big-endian)"
	case elf.EM_PPC:
		return "32-bit PowerPC"
	case elf.EM_S390:
		if h.Class == elf.ELFCLASS32 {
			return "s390 (31-bit)"
		}
		return "s390x"
	case elf.EM_RISCV:
		return "riscv" + bits
	case elf.EM_LOONGARCH:
		return "loong" + bits
	case elf.EM_MIPS:
		name := "mips"
		if h.Class == elf.ELFCLASS64 {
			name += "64"
		}
		if le {
			name += "le"
		}
		return name
	}
	order := map[bool]string{true: "little-endian", false: "big-endian"}[le]
	return fmt.Sprintf("%s-bit %s %s", bits, order, strings.TrimPrefix(h.Machine.String(), "EM_"))
}

// Describe says what a file named name with header h is: "an x86-64
// executable", "an AArch64 shared library".
func (h Header) Describe(name string) string {
	what := "executable"
	if h.Type == elf.ET_DYN && sharedLibraryRe.MatchString(name) {
		what = "shared library"
	}
	n := h.Name()
	article := "a"
	if strings.ContainsRune("aeiouAEIOU", rune(n[0])) || strings.HasPrefix(n, "x86") || strings.HasPrefix(n, "s390") {
		article = "an"
	}
	return article + " " + n + " " + what
}
