package english

import "testing"

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 run steps", 1: "1 run step", 2: "2 run steps", -1: "-1 run steps"} {
		if got := Plural(n, "run step"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}
