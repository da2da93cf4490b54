package mailer

import (
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Under onSchedule no email ties money to a check-in: the check-in email
// promises nothing on a reply, the standing says nothing waits on one, the
// acknowledgement claims to release nothing, and finance's due notice says
// the instalment can be paid whatever came in.
func TestEmailsOnSchedule(t *testing.T) {
	a := fixture(t)
	a.PaymentPolicy = grants.PolicyOnSchedule
	a.Reference = "CP-2026-003"
	a.CheckIns[0].Status = grants.CheckInOverdue
	a.Instalments[0].Status = grants.InstalmentPaid
	a.Instalments[1].Status = grants.InstalmentDue
	waits := []string{"waiting for your reply", "once we have your reply", "without delay", "will not release it", "can now be paid", "NOT been received", "not been received"}
	check := func(what string, e Email, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range waits {
			if strings.Contains(e.Text, w) || strings.Contains(e.HTML, w) {
				t.Errorf("%s says %q:\n%s", what, w, e.Text)
			}
		}
	}
	e, err := CheckIn(a, a.CheckIns[1], "checkin+x@reply.example", "Open Doors", grants.Officer{Name: "Olu"})
	check("check-in 2", e, err)
	if !strings.Contains(e.Text, "Instalment 2 (£2,500.00, due 30 April 2026) is due and with our finance team to pay.") {
		t.Errorf("the standing:\n%s", e.Text)
	}
	e, err = Reminder(a, a.CheckIns[0], "checkin+x@reply.example", 2, grants.Officer{})
	check("reminder", e, err)
	a.CheckIns[0].Status = grants.CheckInReceived
	e, err = Acknowledgement(a, a.CheckIns[0], []string{"asha@riverside.example.org"}, grants.Officer{})
	check("acknowledgement", e, err)
	e, err = InstalmentDueNotice(a, a.Instalments[1], false, []string{"finance@funder.example"})
	check("due notice", e, err)
	if !strings.Contains(e.Text, "This programme pays on schedule") || strings.Contains(e.Text, "Check-in 1:") {
		t.Errorf("due notice on schedule:\n%s", e.Text)
	}
}

// The check-in email asks exactly the programme's questions, in order,
// numbered, the optional ones marked; with none chosen it asks the default
// four as before.
func TestCheckInAsksTheProgrammesQuestions(t *testing.T) {
	a := fixture(t)
	qs := []grants.CheckInQuestion{{Text: "What did the young people make?"}, {Key: "support"}, {Key: "story", Optional: true}}
	e, err := CheckInAsking(a, a.CheckIns[0], "checkin+x@reply.example", "Open Doors", grants.Officer{}, qs)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\n1. What did the young people make?\n",
		"\n2. Support: what would help you right now?\n   - Mentoring from the museum's learning team",
		"\n3. A story: is there a moment, a person or a piece of work from the last few months that you would like to share? (optional)\n",
	} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, e.Text)
		}
	}
	for _, not := range []string{"Progress:", "Feedback for us", "\n4. "} {
		if strings.Contains(e.Text, not) {
			t.Errorf("text asks %q, which the programme did not choose:\n%s", not, e.Text)
		}
	}
	if !strings.Contains(e.HTML, "<strong>What did the young people make?</strong>") || !strings.Contains(e.HTML, "<em>(optional)</em>") {
		t.Errorf("html:\n%s", e.HTML)
	}
	final, err := CheckInAsking(a, a.CheckIns[3], "checkin+x@reply.example", "Open Doors", grants.Officer{}, qs)
	if err != nil || !strings.Contains(final.Text, "2. Support: what difference did the support from us make") {
		t.Errorf("final report: %v\n%s", err, final.Text)
	}
	plain, err := CheckInAsking(a, a.CheckIns[0], "checkin+x@reply.example", "Open Doors", grants.Officer{}, nil)
	old, err2 := CheckIn(a, a.CheckIns[0], "checkin+x@reply.example", "Open Doors", grants.Officer{})
	if err != nil || err2 != nil || plain.Text != old.Text || plain.HTML != old.HTML {
		t.Error("with no questions chosen the email is not the default one")
	}
	r, err := ReminderAsking(a, a.CheckIns[0], "checkin+x@reply.example", 1, grants.Officer{}, qs)
	if err != nil || !strings.Contains(r.Text, "a few lines on the questions we sent") {
		t.Errorf("reminder: %v\n%s", err, r.Text)
	}
}
