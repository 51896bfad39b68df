package spec

import (
	"strings"
	"testing"
)

// machineSpec is one tool with the fields of this test file in EXTRA.
const machineSpec = `version: 1
platforms: [linux/amd64, linux/arm64]
images:
  b:
    base: scratch
    tools:
      - name: t
        version: "1.0"
        url: https://example.com/t-${version}-${arch}.FORM
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222
        dest: DEST
EXTRA`

func machineYAML(form, extra string) string {
	dest := "/opt/t"
	if form == "raw" {
		dest = "/usr/bin/t"
	}
	r := strings.NewReplacer(".FORM", map[bool]string{true: "", false: "." + form}[form == "raw"], "DEST", dest, "EXTRA", extra)
	return r.Replace(machineSpec)
}

// TestMachineCodeAndCapFields: the opt-out of the ELF check and the caps
// on an archive reach the resolved tool; their mistakes are errors at the
// field.
func TestMachineCodeAndCapFields(t *testing.T) {
	for _, tc := range []struct {
		name  string
		form  string
		extra string
		want  ResolvedTool // the fields of this test only
		err   string
	}{
		{name: "none", form: "tar.gz"},
		{name: "foreignBinaries", form: "tar.gz", extra: "        foreignBinaries: true\n", want: ResolvedTool{ForeignBinaries: true}},
		{name: "archIndependent changes nothing of the build", form: "raw", extra: "        archIndependent: true\n"},
		{name: "both", form: "raw", extra: "        archIndependent: true\n        foreignBinaries: true\n",
			err: `builder.yaml:15:9: tool "t": archIndependent says the download holds no machine code, foreignBinaries that it holds some for other machines; keep the one that is true`},
		{name: "caps", form: "tar.xz", extra: "        maxUnpackedSize: 32GiB\n        maxUnpackedFiles: 2000000\n", want: ResolvedTool{MaxUnpackedBytes: 32 << 30, MaxUnpackedFiles: 2000000}},
		{name: "size in bytes", form: "zip", extra: "        maxUnpackedSize: 1000000\n", want: ResolvedTool{MaxUnpackedBytes: 1000000}},
		{name: "size with a space", form: "zip", extra: "        maxUnpackedSize: 512 MiB\n", want: ResolvedTool{MaxUnpackedBytes: 512 << 20}},
		{name: "not a size", form: "tar.gz", extra: "        maxUnpackedSize: 32GB\n",
			err: `builder.yaml:14:9: tool "t": maxUnpackedSize "32GB" is not a size; write a whole number of bytes, or one with KiB, MiB, GiB or TiB, such as 32GiB`},
		{name: "zero size", form: "tar.gz", extra: "        maxUnpackedSize: 0GiB\n", err: `maxUnpackedSize "0GiB" is not a size`},
		{name: "negative files", form: "tar.gz", extra: "        maxUnpackedFiles: -1\n", err: `builder.yaml:14:9: tool "t": maxUnpackedFiles -1 is not a number of entries`},
		{name: "caps on a raw download", form: "raw", extra: "        maxUnpackedFiles: 10\n",
			err: `builder.yaml:14:9: tool "t": maxUnpackedFiles applies to archives only; remove it: a raw download is not unpacked`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("builder.yaml", []byte(machineYAML(tc.form, tc.extra)))
			if err != nil {
				t.Fatal(err)
			}
			r, err := s.Resolve("linux/arm64", Options{})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Resolve = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := r.Tools[0]
			if got.ForeignBinaries != tc.want.ForeignBinaries || got.MaxUnpackedBytes != tc.want.MaxUnpackedBytes || got.MaxUnpackedFiles != tc.want.MaxUnpackedFiles {
				t.Errorf("resolved foreignBinaries %v, caps %d bytes %d files; want %+v", got.ForeignBinaries, got.MaxUnpackedBytes, got.MaxUnpackedFiles, tc.want)
			}
		})
	}
}

func TestSizes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int64
		ok   bool
		text string
	}{
		{"16GiB", 16 << 30, true, "16 GiB"},
		{"1536 MiB", 1536 << 20, true, "1536 MiB"},
		{"1TiB", 1 << 40, true, "1 TiB"},
		{"4KiB", 4096, true, "4 KiB"},
		{"1000", 1000, true, "1000 bytes"},
		{"1000 bytes", 1000, true, "1000 bytes"},
		{"16GB", 0, false, ""},
		{"1.5GiB", 0, false, ""},
		{"-1GiB", 0, false, ""},
		{"+1", 0, false, ""},
		{"0", 0, false, ""},
		{"", 0, false, ""},
		{"99999999TiB", 0, false, ""},
	} {
		n, ok := ParseSize(tc.in)
		if n != tc.n || ok != tc.ok {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, %v", tc.in, n, ok, tc.n, tc.ok)
		}
		if ok && FormatSize(n) != tc.text {
			t.Errorf("FormatSize(%d) = %q, want %q", n, FormatSize(n), tc.text)
		}
		if ok {
			if back, _ := ParseSize(FormatSize(n)); back != n {
				t.Errorf("FormatSize(%d) = %q does not read back", n, FormatSize(n))
			}
		}
	}
}
