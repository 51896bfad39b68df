// Package labtest starts one lab (internal/lab) for the tests of a package
// and decides, from LAB_REQUIRED, whether a machine that cannot run it skips
// them or fails them. It is kept out of internal/lab so that the programs
// built on the lab (bench, hack/lab) do not link the testing package.
package labtest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maistra/builder-frontend/internal/lab"
)

// RequiredEnv is the environment variable that turns "the lab cannot run here" from a skip into a test failure
// (`make test` and CI set LAB_REQUIRED=1).
const RequiredEnv = "LAB_REQUIRED"

// Required reports whether RequiredEnv is set to a true value.
func Required() bool {
	switch strings.ToLower(os.Getenv(RequiredEnv)) {
	case "1", "true", "yes":
		return true
	}
	return false
}

// Shared is one Lab shared by all tests of a package, started by the first test that needs it:
//
//	var theLab = labtest.NewShared(lab.Options{})
//
//	func TestMain(m *testing.M) { os.Exit(theLab.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		l := theLab.Get(t) // skips (or fails with LAB_REQUIRED=1) when no lab can run here
//		...
//	}
type Shared struct {
	opts    lab.Options
	once    sync.Once
	lab     *lab.Lab
	err     error
	skipped atomic.Int32
	reason  atomic.Pointer[string]
}

// NewShared returns a Shared that starts its Lab with opts. Without opts.Logf, progress goes to stderr under
// `go test -v`.
func NewShared(opts lab.Options) *Shared { return &Shared{opts: opts} }

// Get returns the package's Lab, starting it on the first call. Without LAB_REQUIRED it skips the test in -short
// mode and when the lab cannot run here (see lab.Available); with LAB_REQUIRED, -short does not skip and a lab that
// cannot run fails the test (see Decide).
func (s *Shared) Get(t testing.TB) *lab.Lab {
	t.Helper()
	switch d := Decide(testing.Short(), Required(), lab.Available); d.Action {
	case Fail:
		t.Fatalf("lab: cannot run the end-to-end tests here: %s (%s is set)", d.Cause, RequiredEnv)
	case Skip:
		s.skipped.Add(1)
		s.reason.Store(ptr(d.Cause))
		if d.Cause == shortCause {
			t.Skipf("lab: end-to-end test skipped in -short mode (%s=1 runs it)", RequiredEnv)
		}
		t.Skipf("lab: end-to-end test skipped: %s (set %s=1 to make this a failure)", d.Cause, RequiredEnv)
	}
	s.once.Do(func() {
		opts := s.opts
		if opts.Logf == nil && testing.Verbose() {
			opts.Logf = func(format string, args ...any) {
				fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		s.lab, s.err = lab.Start(ctx, opts)
	})
	if s.err != nil {
		t.Fatalf("lab: start: %v", s.err)
	}
	return s.lab
}

// Close stops the Lab if it was started.
func (s *Shared) Close() error {
	var err error
	s.once.Do(func() {}) // no start after Close
	if s.lab != nil {
		err = s.lab.Close()
	}
	return err
}

// Main runs the tests, closes the Lab and returns the exit code for os.Exit. It fails the run if closing the Lab
// fails, and reports on stderr how many tests were skipped for want of a lab.
func (s *Shared) Main(m *testing.M) int {
	code := m.Run()
	if err := s.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "lab: close: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	if n := s.skipped.Load(); n > 0 {
		fmt.Fprintf(os.Stderr, "lab: %d end-to-end test(s) skipped: %s\n", n, *s.reason.Load())
	}
	return code
}

// Action is what a test that needs a lab does.
type Action int

const (
	Run Action = iota
	Skip
	Fail
)

// shortCause is the Cause of a skip in -short mode.
const shortCause = "-short"

// Decision is an Action and, for Skip and Fail, its cause: "-short" or why the lab cannot run.
type Decision struct {
	Action Action
	Cause  string
}

// Decide is the rule of Get: LAB_REQUIRED (required) wins over -short (short), because `make test` and CI set it
// to mean "every end-to-end test runs or the run fails", and a -short in TEST_FLAGS must not turn that into a run
// that skips them all and passes. available is only asked when its answer matters.
func Decide(short, required bool, available func() error) Decision {
	if !required && short {
		return Decision{Skip, shortCause}
	}
	if err := available(); err != nil {
		if required {
			return Decision{Fail, err.Error()}
		}
		return Decision{Skip, err.Error()}
	}
	return Decision{Action: Run}
}

// SkipUnlessRequired skips t for a reason the machine is responsible for (a missing emulator, no second loopback
// address), or fails it when LAB_REQUIRED is set: a run that must be complete may not lose a test to the machine.
func SkipUnlessRequired(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("%s (%s is set: install what is missing, or unset it to skip)", msg, RequiredEnv)
	}
	t.Skipf("%s (set %s=1 to make this a failure)", msg, RequiredEnv)
}

func ptr[T any](v T) *T { return &v }
