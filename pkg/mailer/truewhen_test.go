package mailer

import (
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/service"
)

// Issue 26, item 11: emails true when they are sent. A welcome that goes
// after an instalment it would have called "with our finance team" was paid
// says it was paid; a final report that goes after the end date says the
// partnership came to a close; a check-in that asks for a reply before the
// next instalment says that instalment waits on the reply, and asks nothing
// for one already paid.
func TestEmailsAreTrueWhenTheyGo(t *testing.T) {
	to := []string{"asha@riverside.example.org"}
	o := grants.Officer{Name: "Olu Adeyemi", Email: "olu@funder.example"}

	a := fixture(t)
	a.Status = grants.AgreementDraft
	if _, _, err := a.ActivateWith(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC), "officer@example.org", grants.Timing{}); err != nil {
		t.Fatal(err)
	}
	a.Instalments[0].Status = grants.InstalmentPaid
	e, err := Welcome(a, "Open Doors", to, o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Text, "Instalments 2, 3, 4 are already due and with our finance team") || !strings.Contains(e.Text, "Instalment 1 has been paid") {
		t.Errorf("welcome after instalment 1 was paid:\n%s", e.Text)
	}

	b := fixture(t)
	final := b.CheckIns[len(b.CheckIns)-1]
	final.Final = true
	render := func(at time.Time) string {
		e, err := WordWith(service.Letter{Kind: outbox.KindCheckIn, Agreement: b, CheckIn: final, ReplyTo: "checkin+x@reply.example", Programme: "Open Doors", Owner: o, Date: at}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return e.Text + e.HTML
	}
	before, after := b.EndDate.At(12, 0, time.UTC), b.EndDate.AddDays(20).At(12, 0, time.UTC)
	if got := render(before); !strings.Contains(got, "is coming to a close") || strings.Contains(got, "came to a close") {
		t.Errorf("final report on the end date:\n%s", got)
	}
	if got := render(after); strings.Contains(got, "is coming to a close") || !strings.Contains(got, "came to a close on "+b.EndDate.Long()) {
		t.Errorf("final report after the end date:\n%s", got)
	}

	c := fixture(t)
	c.PaymentPolicy = grants.PolicyAfterCheckIn
	next := c.InstalmentAfter(1)
	e, err = CheckIn(c, c.CheckIns[0], "checkin+x@reply.example", "Open Doors", o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Text, "we can pay it without delay") || !strings.Contains(e.Text, "will be paid once we have your reply to check-in 1") {
		t.Errorf("check-in 1 asks for a reply to pay instalment %d but does not say it waits on one:\n%s", next, e.Text)
	}
	c.Instalment(next).Status = grants.InstalmentPaid
	if e, err = CheckIn(c, c.CheckIns[0], "checkin+x@reply.example", "Open Doors", o); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.Text, "next instalment") {
		t.Errorf("check-in 1 speaks of paying instalment %d, paid already:\n%s", next, e.Text)
	}
}
