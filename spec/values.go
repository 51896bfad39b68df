package spec

import (
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
)

// UnmarshalYAML takes `NAME: value` as the default, or a mapping.
func (a *Arg) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err == nil {
		a.Default = s
		return nil
	}
	type plain Arg
	var p plain
	if err := unmarshal(&p); err != nil {
		return err
	}
	*a = Arg(p)
	return nil
}

// UnmarshalYAML takes a plain command string, or a mapping.
func (r *RunStep) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err == nil {
		r.Command = s
		return nil
	}
	type plain RunStep
	var p plain
	if err := unmarshal(&p); err != nil {
		return err
	}
	*r = RunStep(p)
	return nil
}

// Checksums holds a tool's sha256 values. Keys that are platforms hold the
// digest of the version the spec names; keys that are versions hold a
// mapping of platforms, so a --build-arg can switch to another pinned version.
type Checksums struct {
	ByPlatform map[string]string
	ByVersion  map[string]map[string]string
}

func (c *Checksums) UnmarshalYAML(unmarshal func(any) error) error {
	var raw map[string]any
	if err := unmarshal(&raw); err != nil {
		return fmt.Errorf("sha256 must be a mapping of platform to sha256 (or of version to such a mapping)")
	}
	for k, v := range raw {
		switch val := v.(type) {
		case string:
			if c.ByPlatform == nil {
				c.ByPlatform = map[string]string{}
			}
			c.ByPlatform[k] = val
		case map[string]any:
			m := map[string]string{}
			for pk, pv := range val {
				s, ok := pv.(string)
				if !ok {
					return fmt.Errorf("sha256.%s.%s must be a sha256 string, found %s", k, pk, goValueWords(reflect.TypeOf(pv)))
				}
				m[pk] = s
			}
			if c.ByVersion == nil {
				c.ByVersion = map[string]map[string]string{}
			}
			c.ByVersion[k] = m
		default:
			return fmt.Errorf("sha256.%s must be a sha256 string or a mapping of platforms, found %s", k, goValueWords(reflect.TypeOf(v)))
		}
	}
	return nil
}

// Empty reports whether no checksum is declared at all.
func (c Checksums) Empty() bool { return len(c.ByPlatform) == 0 && len(c.ByVersion) == 0 }

// FileMode is a Unix permission mode, written in octal with or without the
// leading zero and quotes: 755, 0755 and "0755" all mean rwxr-xr-x.
type FileMode uint32

func (m *FileMode) UnmarshalYAML(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"'`)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0o"), "0")
	if s == "" {
		s = "0"
	}
	v, err := strconv.ParseUint(s, 8, 32)
	if err != nil || v > 07777 {
		return fmt.Errorf("mode %q is not an octal file mode such as 0755", strings.TrimSpace(string(b)))
	}
	*m = FileMode(v)
	return nil
}

func (m FileMode) MarshalYAML() ([]byte, error) { return []byte(fmt.Sprintf("%#o", uint32(m))), nil }

// Perm returns m as an os.FileMode, or def when m is unset.
func (m FileMode) Perm(def os.FileMode) os.FileMode {
	if m == 0 {
		return def
	}
	return os.FileMode(m)
}
