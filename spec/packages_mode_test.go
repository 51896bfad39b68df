package spec

import "testing"

// TestPackagesMode: packages.mode defaults to native where the manager has
// that route (apt, dnf) and to emulated where it does not (microdnf, apk);
// an explicit mode is kept.
func TestPackagesMode(t *testing.T) {
	for _, tc := range []struct{ manager, mode, want string }{
		{"apt", "", ModeNative},
		{"dnf", "", ModeNative},
		{"microdnf", "", ModeEmulated},
		{"apk", "", ModeEmulated},
		{"apt", "emulated", ModeEmulated},
		{"dnf", "native", ModeNative},
		{"apk", "emulated", ModeEmulated},
	} {
		yaml := `version: 1
images:
  b:
    base: example.com/base:1
    packages:
      manager: ` + tc.manager + `
      install: [git]
`
		if tc.mode != "" {
			yaml += "      mode: " + tc.mode + "\n"
		}
		s, err := Parse("builder.yaml", []byte(yaml))
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Resolve("linux/arm64", Options{})
		if err != nil {
			t.Fatalf("%s mode %q: %v", tc.manager, tc.mode, err)
		}
		if r.Packages.Mode != tc.want {
			t.Errorf("%s mode %q: resolved mode %q, want %q", tc.manager, tc.mode, r.Packages.Mode, tc.want)
		}
	}
}

// TestPackagesModeErrors: a mode that does not exist, and native for a
// manager without that route, are errors at the mode line.
func TestPackagesModeErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{
			name: "native for apk",
			yaml: `version: 1
images:
  b:
    base: example.com/alpine:3
    packages:
      manager: apk
      mode: native
      install: [git]
`,
			want: "builder.yaml:7:7: packages mode native is not available for apk: only apt and dnf install natively; remove mode:, or write mode: emulated (apk runs on the target platform, emulated for a foreign one)",
		},
		{
			name: "native for microdnf",
			yaml: `version: 1
images:
  b:
    base: example.com/ubi-minimal:9
    packages:
      manager: microdnf
      install: [git]
      mode: native
`,
			want: "builder.yaml:8:7: packages mode native is not available for microdnf: only apt and dnf install natively; remove mode:, or write mode: emulated (microdnf runs on the target platform, emulated for a foreign one)",
		},
		{
			name: "misspelt mode",
			yaml: `version: 1
images:
  b:
    base: example.com/debian:12
    packages:
      manager: apt
      mode: emulate
      install: [git]
`,
			want: `builder.yaml:7:7: unknown packages mode "emulate"; did you mean emulated? (native or emulated)`,
		},
		{
			name: "mode that is nothing like one",
			yaml: `version: 1
images:
  b:
    base: example.com/debian:12
    packages:
      manager: apt
      mode: qemu
      install: [git]
`,
			want: `builder.yaml:7:7: unknown packages mode "qemu"; write mode: native (the default for apt and dnf) or mode: emulated`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("builder.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			err = s.Validate([]string{"linux/amd64", "linux/arm64"}, Options{})
			if err == nil || err.Error() != tc.want {
				t.Errorf("error:\n%v\nwant:\n%s", err, tc.want)
			}
		})
	}
}
