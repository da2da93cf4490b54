package mailer

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// TestStoryEmailGolden pins the email asking consent to share a story: to
// the lead contact, replying to the story's own address, the passage
// quoted, yes or no, where and with what name asked, anonymous by default.
func TestStoryEmailGolden(t *testing.T) {
	a := fixture(t)
	s := grants.Story{Number: 2, CheckIn: 1, Passage: "Mrs Ahmed brought her grandchildren, and they painted the mural <together>."}
	e, err := StoryEmail(a, s, "Open Doors 2026", []string{"asha@riverside.example.org"}, "story+tok@reply.example.org",
		grants.Officer{Name: "Olu Adeyemi", Email: "olu@funder.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.ReplyTo) != 1 || e.ReplyTo[0] != "story+tok@reply.example.org" || !strings.Contains(e.Text, "anonymously") ||
		!strings.Contains(e.HTML, "&lt;together&gt;") {
		t.Errorf("reply-to %v:\n%s", e.ReplyTo, e.Text)
	}
	golden(t, filepath.Join("testdata", "golden", "story.txt"), headerBlock(e)+e.Text)
	golden(t, filepath.Join("testdata", "golden", "story.html"), e.HTML)
	if _, err := StoryEmail(a, s, "", nil, "story+tok@reply.example.org", grants.Officer{}); err == nil {
		t.Error("an email to nobody was written")
	}
}
