package mailer

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The "you said, we did" email (issue 24, item 4): to the lead contact,
// from the officer, the officer's words as written (testdata/golden;
// -update rewrites them), answered at the message+ address, and partner
// text escaped in its HTML.
func TestReflectionEmail(t *testing.T) {
	a := fixture(t)
	r := grants.Reflection{Programme: "open-doors-2026", Round: 2, By: "olu@funder.example", At: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		Message: "Thank you for your feedback.\n\nYou said: payments came late (3 partners)\nWe did: moved the pay run to the first Monday (2026-05-20, Finance team)\n\nIf you have anything to add, just reply to this email."}
	to := []string{a.Contacts[0].Email}
	e, err := Reflection(a, "Open Doors 2026", r, to, "message+abc@reply.funder.example", owner)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "golden", "reflection.txt"), headerBlock(e)+e.Text)
	golden(t, filepath.Join("testdata", "golden", "reflection.html"), e.HTML)
	if len(e.ReplyTo) != 1 || e.ReplyTo[0] != "message+abc@reply.funder.example" || e.Tags["kind"] != KindReflection || e.Tags["round"] != "2" ||
		!strings.Contains(e.Text, "We did: moved the pay run to the first Monday") || !strings.HasPrefix(e.Subject, "You said, we did") {
		t.Errorf("the email: %+v", e)
	}
	r.Message = `<script>alert("x")</script>`
	e, err = Reflection(a, "<i>Programme</i>", r, to, "message+abc@reply.funder.example", owner)
	if err != nil || strings.Contains(e.HTML, "<script>") {
		t.Errorf("the HTML carries the message unescaped: %v", err)
	}
	if _, err := Reflection(a, "Open Doors 2026", r, nil, "", owner); err != ErrNoRecipients {
		t.Errorf("to nobody: %v", err)
	}
}
