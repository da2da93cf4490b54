package mailer

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// TestNoticeSaysTheOfficersWordsNotTheReason renders the partner's notices
// about their money (issue 23, item 6): the hold in the officer's words,
// and an extra payment in the default words; neither says the internal
// reason.
func TestNoticeSaysTheOfficersWordsNotTheReason(t *testing.T) {
	a := fixture(t)
	now := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	if _, err := a.Hold(2, "Internal: trustees querying the budget", now, "olu@museum.example.org"); err != nil {
		t.Fatal(err)
	}
	words := "We have paused instalment 2 while we look at the budget with you & the trustees. Nothing is wrong on your side."
	if _, err := a.Tell(grants.NoticeHeld, 2, &words, now, "olu@museum.example.org"); err != nil {
		t.Fatal(err)
	}
	to := []string{"asha@riverside.example.org", "ben@riverside.example.org"}
	held, err := Notice(a, *a.Notice(1), to, owner)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "golden", "notice-held.txt"), headerBlock(held)+held.Text)
	golden(t, filepath.Join("testdata", "golden", "notice-held.html"), held.HTML)
	if !strings.Contains(held.Text, "while we look at the budget with you & the trustees") || !strings.Contains(held.HTML, "you &amp; the trustees") {
		t.Errorf("the notice does not say the officer's words:\n%s", held.Text)
	}
	if !strings.HasPrefix(held.Subject, "Instalment 2 is on hold") {
		t.Errorf("subject %q", held.Subject)
	}

	n, _, err := a.AddExtraPayment(grants.ExtraPaymentRequest{Kind: grants.ExtraKind, Amount: 50_000, Reason: "Internal: the van failed its MOT",
		DueDate: "2026-04-01", FromLaterInstalments: true}, now, "olu@museum.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Tell(grants.NoticeExtra, n, nil, now, "olu@museum.example.org"); err != nil {
		t.Fatal(err)
	}
	extra, err := Notice(a, *a.Notice(2), to, owner)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "golden", "notice-extra.txt"), headerBlock(extra)+extra.Text)
	golden(t, filepath.Join("testdata", "golden", "notice-extra.html"), extra.HTML)
	for _, want := range []string{"extra payment of £500.00", "instalment 4 is £500.00 less", "your award is the same in total"} {
		if !strings.Contains(extra.Text, want) {
			t.Errorf("the extra payment's notice does not say %q:\n%s", want, extra.Text)
		}
	}
	for _, e := range []Email{held, extra} {
		if strings.Contains(e.Text+e.HTML, "Internal") {
			t.Errorf("a notice says the internal reason:\n%s", e.Text)
		}
	}
}

// TestMessageIsTheOfficersWordsThreaded renders an officer's own message to
// the partner (issue 26, item 16): their words, escaped in HTML, from the
// officer, its Reply-To the signed message+ address (so the answer is kept
// on the agreement), never the officer's own address; without that address
// nothing is sent.
func TestMessageIsTheOfficersWordsThreaded(t *testing.T) {
	a := fixture(t)
	now := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	words := "Thank you for the visit on Tuesday & the tour of the kitchen.\nCould you send us the photos for the newsletter?"
	if _, _, err := a.Message(words, now, "olu@museum.example.org"); err != nil {
		t.Fatal(err)
	}
	n := *a.Notice(1)
	to := []string{"asha@riverside.example.org"}
	replyTo := "message+m.token@replies.example.org"
	e, err := Message(a, n, to, replyTo, owner)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "golden", "message.txt"), headerBlock(e)+e.Text)
	golden(t, filepath.Join("testdata", "golden", "message.html"), e.HTML)
	if e.Subject != "A message about your partnership "+a.Reference {
		t.Errorf("subject %q", e.Subject)
	}
	if len(e.ReplyTo) != 1 || e.ReplyTo[0] != replyTo {
		t.Errorf("Reply-To %v, want only %s", e.ReplyTo, replyTo)
	}
	if !strings.Contains(e.Text, "Could you send us the photos") || !strings.Contains(e.HTML, "Tuesday &amp; the tour") {
		t.Errorf("the email does not say the officer's words:\n%s", e.Text)
	}
	if e.Tags["notice"] != "message" {
		t.Errorf("tags %v", e.Tags)
	}
	if _, err := Message(a, n, to, "", owner); err == nil {
		t.Error("a message with no reply address was rendered")
	}
}
