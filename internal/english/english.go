// Package english words counts in messages the way people write them, so
// the CLI's summaries and the frontend's outline read alike.
package english

import (
	"strconv"
	"strings"
)

// Plural is n and the noun, with an s unless n is 1: "1 tool", "0 errors",
// "3 Go tools".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// List joins items as people do: "a", "a and b", "a, b and c".
func List(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
