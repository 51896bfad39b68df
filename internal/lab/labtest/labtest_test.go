package labtest

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestDecide(t *testing.T) {
	noLab := errors.New("no buildkitd in bin/")
	for _, tc := range []struct {
		name            string
		short, required bool
		avail           error
		want            Decision
		asked           bool
	}{
		{"plain run, lab here", false, false, nil, Decision{Action: Run}, true},
		{"plain run, no lab", false, false, noLab, Decision{Skip, noLab.Error()}, true},
		{"-short", true, false, nil, Decision{Skip, "-short"}, false},
		{"-short, no lab", true, false, noLab, Decision{Skip, "-short"}, false},
		{"required, lab here", false, true, nil, Decision{Action: Run}, true},
		{"required, no lab", false, true, noLab, Decision{Fail, noLab.Error()}, true},
		// The rule this test is for: LAB_REQUIRED wins over -short.
		{"required and -short, lab here", true, true, nil, Decision{Action: Run}, true},
		{"required and -short, no lab", true, true, noLab, Decision{Fail, noLab.Error()}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asked := false
			got := Decide(tc.short, tc.required, func() error { asked = true; return tc.avail })
			if got != tc.want || asked != tc.asked {
				t.Errorf("Decide(short=%v, required=%v) = %+v (lab asked: %v), want %+v (asked: %v)", tc.short, tc.required, got, asked, tc.want, tc.asked)
			}
		})
	}
}

// TestSkipUnlessRequired runs a test that calls SkipUnlessRequired in a child
// process, once with LAB_REQUIRED and once without, with -test.short both
// times: it must fail in the first and skip in the second.
func TestSkipUnlessRequired(t *testing.T) {
	if os.Getenv("LABTEST_CHILD") == "1" {
		SkipUnlessRequired(t, "qemu-aarch64-static is missing")
		return
	}
	for _, tc := range []struct {
		required string
		fails    bool
		want     string
	}{
		{"1", true, "--- FAIL: TestSkipUnlessRequired"},
		{"", false, "--- SKIP: TestSkipUnlessRequired"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSkipUnlessRequired$", "-test.short", "-test.v")
		cmd.Env = append(os.Environ(), "LABTEST_CHILD=1", RequiredEnv+"="+tc.required)
		out, err := cmd.CombinedOutput()
		if (err != nil) != tc.fails || !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), "qemu-aarch64-static is missing") {
			t.Errorf("%s=%q: err=%v, want failure %v and %q:\n%s", RequiredEnv, tc.required, err, tc.fails, tc.want, out)
		}
	}
}
