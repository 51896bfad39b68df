package lab

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func checkPlatform() error { return nil }

// daemonAttr puts a daemon in its own process group (so Close can signal it and its children together) and has the
// kernel kill it if the process that started it dies.
func daemonAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// stopProcessGroup sends SIGTERM to the process group pgid, waits up to grace for done to be closed (the leader was
// reaped), then SIGKILLs the group. Stragglers of the group are killed in any case.
func stopProcessGroup(pgid int, done <-chan struct{}, grace time.Duration) error {
	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("lab: SIGTERM process group %d: %w", pgid, err)
	}
	select {
	case <-done:
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		return nil
	case <-time.After(grace):
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-done:
		return fmt.Errorf("lab: process group %d ignored SIGTERM for %s and was killed", pgid, grace)
	case <-time.After(10 * time.Second):
		return fmt.Errorf("lab: process group %d survived SIGKILL", pgid)
	}
}

// StopPID stops a process that is not our child (hack/lab down): SIGTERM, wait up to grace for it to go away, then
// SIGKILL (also to its process group when it leads one).
func StopPID(pid int, grace time.Duration) error {
	if !processAlive(pid) {
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if !processAlive(pid) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	if pgid, err := syscall.Getpgid(pid); err == nil && pgid == pid {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	for range 50 {
		if !processAlive(pid) {
			return fmt.Errorf("lab: pid %d ignored SIGTERM for %s and was killed", pid, grace)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("lab: pid %d survived SIGKILL", pid)
}

// unmountBelow lazily unmounts every mount point strictly below dir, deepest first.
func unmountBelow(dir string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	prefix := strings.TrimSuffix(dir, "/") + "/"
	var mps []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		if mp := unescapeMountinfo(fields[4]); strings.HasPrefix(mp, prefix) {
			mps = append(mps, mp)
		}
	}
	sort.Slice(mps, func(i, j int) bool { return len(mps[i]) > len(mps[j]) })
	for _, mp := range mps {
		_ = syscall.Unmount(mp, syscall.MNT_DETACH)
	}
}

// unescapeMountinfo undoes the octal escapes (\040 for a space, ...) of /proc/self/mountinfo.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// killProcessGroup sends SIGKILL to the process group pgid.
func killProcessGroup(pgid int) { _ = syscall.Kill(-pgid, syscall.SIGKILL) }

// lockFile takes an exclusive lock on path (created if missing), waiting for another process that holds it: the
// fixtures in CacheDir are made once, whichever test binary or bench gets there first.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lab: lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
