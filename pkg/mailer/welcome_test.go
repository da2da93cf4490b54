package mailer

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// TestWelcomeAfterALateActivation renders the one email a partner gets when
// their agreement (started 31 January 2026) is activated on 30 November
// 2026: it names the check-ins not asked for, the instalments with finance,
// and the final report to come.
func TestWelcomeAfterALateActivation(t *testing.T) {
	a := fixture(t)
	a.Status = grants.AgreementDraft
	if _, _, err := a.ActivateWith(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC), "officer@example.org", grants.Timing{}); err != nil {
		t.Fatal(err)
	}
	to := []string{"asha@riverside.example.org"}
	e, err := Welcome(a, "Open Doors", to, grants.Officer{Name: "Olu Adeyemi", Email: "olu@funder.example"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "golden", "welcome.txt"), headerBlock(e)+e.Text)
	golden(t, filepath.Join("testdata", "golden", "welcome.html"), e.HTML)
	for _, want := range []string{"check-ins whose dates had already passed (1, 2, 3)", "Instalments 1, 2, 3, 4 are already due", "end-of-agreement report on 1 March 2027"} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("welcome does not say %q:\n%s", want, e.Text)
		}
	}
	// From the agreement's officer, signed by them, and a reply reaches them.
	if e.Subject != "Welcome to Open Doors – CP-2026-003" || e.FromName != "Olu Adeyemi" || len(e.ReplyTo) != 1 || e.ReplyTo[0] != "olu@funder.example" ||
		!strings.Contains(e.Text, "With thanks,\nOlu Adeyemi") || !strings.Contains(e.Text, "Where your grant stands") {
		t.Errorf("subject %q, from %q, reply-to %v:\n%s", e.Subject, e.FromName, e.ReplyTo, e.Text)
	}
	if _, err := Welcome(a, "", nil, grants.Officer{}); err != ErrNoRecipients {
		t.Errorf("no recipients: %v", err)
	}
}
