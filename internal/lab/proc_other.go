//go:build !linux

package lab

import (
	"errors"
	"syscall"
	"time"
)

func checkPlatform() error { return errors.New("lab: a lab needs Linux (buildkitd with runc)") }

func daemonAttr() *syscall.SysProcAttr { return nil }

func stopProcessGroup(int, <-chan struct{}, time.Duration) error { return nil }

// StopPID stops a process that is not our child; Linux only.
func StopPID(int, time.Duration) error { return errors.New("lab: Linux only") }

func unmountBelow(string) {}

func killProcessGroup(int) {}

func lockFile(string) (func(), error) { return func() {}, nil }
