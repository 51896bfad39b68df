//go:build linux || darwin || freebsd || netbsd || openbsd

package unpack

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// lutimes sets the times of the symbolic link base itself, in the directory
// d (os.Root sets times through links only).
func lutimes(d *os.Root, base string, t time.Time) error {
	ts, err := unix.TimeToTimespec(t)
	if err != nil {
		return err
	}
	dir, err := d.Open(".")
	if err != nil {
		return err
	}
	defer dir.Close()
	return unix.UtimesNanoAt(int(dir.Fd()), base, []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW)
}
