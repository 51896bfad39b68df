//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package unpack

import "time"

// lutimes is a no-op where symbolic link times cannot be set.
func (x *extractor) lutimes(rel string, t time.Time) error { return nil }
