package elfmachine

import (
	"fmt"
	"strings"
)

// maxListed bounds the files a report names: one foreign archive can hold
// thousands.
const maxListed = 10

// Report lists which files of the image the platform cannot run, one per
// line, at most maxListed of them.
func Report(ms []Mismatch, t Target) string {
	var b strings.Builder
	for i, m := range ms {
		if i == maxListed {
			fmt.Fprintf(&b, "and %d more files %s cannot run\n", len(ms)-maxListed, t.Platform)
			break
		}
		b.WriteString(m.String() + "\n")
	}
	return b.String()
}

// Summary says it in one sentence: the first file, and how many more.
func Summary(ms []Mismatch, t Target) string {
	switch len(ms) {
	case 0:
		return ""
	case 1:
		return ms[0].String()
	}
	return fmt.Sprintf("%s, and %d more files %s cannot run", ms[0], len(ms)-1, t.Platform)
}
