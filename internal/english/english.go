// Package english words counts in messages the way people write them, so
// the CLI's summaries and the frontend's outline read alike.
package english

import "strconv"

// Plural is n and the noun, with an s unless n is 1: "1 tool", "0 errors",
// "3 Go tools".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
