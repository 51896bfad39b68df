package lint

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Config selects the rules, with the syntax of the Dockerfile frontend's
// `# check=` directive and BUILDKIT_DOCKERFILE_CHECK build-arg:
// `skip=UnusedArg,PlainHTTP;error=true`, `skip=all`.
type Config struct {
	SkipAll bool
	Skip    []string
	// Error makes findings fail a build instead of warning.
	Error bool
}

// ParseConfig reads `skip=A,B;error=true`.
func ParseConfig(v string) (Config, error) {
	var c Config
	v = strings.TrimSpace(v)
	if v == "" {
		return c, nil
	}
	for _, part := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return c, fmt.Errorf("check option %q is not key=value; write skip=RULE,RULE or error=true", part)
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(k) {
		case "skip":
			if val == "all" {
				c.SkipAll = true
				continue
			}
			for _, r := range strings.Split(val, ",") {
				if r = strings.TrimSpace(r); r != "" {
					c.Skip = append(c.Skip, r)
				}
			}
		case "error":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return c, fmt.Errorf("check option error=%s: want true or false", val)
			}
			c.Error = b
		case "experimental":
			// The Dockerfile frontend's experimental rules; none here.
		default:
			return c, fmt.Errorf("unknown check option %q; known: skip, error", k)
		}
	}
	return c, nil
}

// Merge returns c with o's settings added.
func (c Config) Merge(o Config) Config {
	c.SkipAll = c.SkipAll || o.SkipAll
	c.Error = c.Error || o.Error
	c.Skip = append(slices.Clip(c.Skip), o.Skip...)
	return c
}

// Enabled reports whether r runs.
func (c Config) Enabled(r *Rule) bool {
	return !c.SkipAll && !slices.Contains(c.Skip, r.Name)
}

// Directive returns the value of a `# check=…` comment among the comment
// lines at the top of a spec (as in a Dockerfile: `# check=skip=UnusedArg`).
func Directive(data []byte) (string, bool) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "#") {
			return "", false
		}
		body := strings.TrimSpace(strings.TrimPrefix(line, "#"))
		if k, v, ok := strings.Cut(body, "="); ok && strings.EqualFold(strings.TrimSpace(k), "check") {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// FileConfig is the configuration a spec's `# check=` directive gives.
func FileConfig(data []byte) (Config, error) {
	v, ok := Directive(data)
	if !ok {
		return Config{}, nil
	}
	c, err := ParseConfig(v)
	if err != nil {
		return c, fmt.Errorf("# check=%s: %w", v, err)
	}
	return c, nil
}
