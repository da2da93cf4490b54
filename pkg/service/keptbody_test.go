package service

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// An email's text is kept whole up to maxKeptBody, and past it cut at a
// character with a line that says so: the history item stays small.
func TestKeptBody(t *testing.T) {
	short := "Dear Amina,\n\nThank you."
	if got := keptBody(short); got != short {
		t.Errorf("short body: %q", got)
	}
	long := strings.Repeat("é", maxKeptBody) // two bytes each: the cut falls mid-character
	got := keptBody(long)
	if !utf8.ValidString(got) || len(got) > maxKeptBody+100 || !strings.HasSuffix(got, "is not kept]") || !strings.HasPrefix(got, "éé") {
		t.Errorf("long body kept as %d bytes, valid %v, ending %q", len(got), utf8.ValidString(got), got[len(got)-20:])
	}
}
