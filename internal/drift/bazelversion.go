package drift

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// BazelVersion is the version a .bazelversion file pins.
type BazelVersion struct {
	File    string
	Version string
	Line    int
}

// bazelVersionRe is what bazelisk takes: a release (8.7.0, 8.7.0rc1),
// a label (latest, last_green, 7.x) or FORK/VERSION.
var bazelVersionRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+/-]{0,127}$`)

// ReadBazelVersion reads a .bazelversion file as bazelisk does: the first
// line that is neither blank nor a # comment, trimmed.
func ReadBazelVersion(file string, data []byte) (*BazelVersion, error) {
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("%s: %d bytes; a .bazelversion file read by builder drift is at most %d", file, len(data), MaxInputSize)
	}
	for i, l := range bytes.Split(data, []byte("\n")) {
		text := strings.TrimSpace(string(l))
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if !bazelVersionRe.MatchString(text) {
			return nil, fmt.Errorf("%s:%d: %s is not a Bazel version; a .bazelversion file holds one, such as 8.7.0, on its first line", file, i+1, quote(text))
		}
		return &BazelVersion{File: file, Version: text, Line: i + 1}, nil
	}
	return nil, fmt.Errorf("%s: holds no Bazel version; a .bazelversion file holds one, such as 8.7.0, on its first line", file)
}

// quote shows untrusted text in a message: quoted, and cut short.
func quote(s string) string {
	const max = 60
	if r := []rune(s); len(r) > max {
		return fmt.Sprintf("%q…", string(r[:max]))
	}
	return fmt.Sprintf("%q", s)
}
