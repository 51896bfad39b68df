//go:build linux || darwin || freebsd || netbsd || openbsd

package unpack

import (
	"path"
	"time"

	"golang.org/x/sys/unix"
)

// lutimes sets the times of the symbolic link rel itself, relative to an
// open handle on its (already verified) parent directory.
func (x *extractor) lutimes(rel string, t time.Time) error {
	ts, err := unix.TimeToTimespec(t)
	if err != nil {
		return err
	}
	dir, err := x.root.Open(path.Dir(rel))
	if err != nil {
		return err
	}
	defer dir.Close()
	return unix.UtimesNanoAt(int(dir.Fd()), path.Base(rel), []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW)
}
