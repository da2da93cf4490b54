package grants

import (
	"errors"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/outbox"
)

func active(t *testing.T) *Agreement {
	t.Helper()
	a, err := NewAgreement(afterCheckIn(validInput()), now, "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Activate(now, "x"); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestMoneyStandingAndPromises: where each unpaid instalment stands, and a
// check-in promises prompt payment only when nothing earlier holds it up.
func TestMoneyStandingAndPromises(t *testing.T) {
	a := active(t)
	if !a.PaysWithoutDelay(1) {
		t.Error("nothing holds instalment 2 up, yet no prompt payment")
	}
	if a.PaysWithoutDelay(4) {
		t.Error("the final check-in has no next instalment to pay")
	}
	a.Instalments[0].Status = InstalmentPaid
	a.CheckIns[0].Status = CheckInSent
	st := a.MoneyStanding()
	if len(st) != 3 || st[0].Number != 2 || st[0].WaitingFor != 1 || st[1].WaitingFor != 0 {
		t.Fatalf("standing = %+v", st)
	}
	if !a.PaysWithoutDelay(1) {
		t.Error("a reply to check-in 1 releases instalment 2")
	}
	// Check-in 2 goes out while instalment 2 still waits on check-in 1.
	a.Instalments[1].Status, a.Instalments[1].AwaitingCheckIn = InstalmentDue, true
	a.CheckIns[0].Status, a.CheckIns[1].Status = CheckInOverdue, CheckInSent
	if a.PaysWithoutDelay(2) {
		t.Error("instalment 2 waits on check-in 1: a reply to check-in 2 alone cannot promise instalment 3")
	}
	// Check-in 1 in, but instalment 2 held.
	a.CheckIns[0].Status, a.Instalments[1].Status = CheckInReceived, InstalmentHeld
	if a.PaysWithoutDelay(2) {
		t.Error("instalment 2 is held: no promise for instalment 3")
	}
	if s, ok := a.Unblocked(1); !ok || !s.Held {
		t.Errorf("Unblocked(1) = %+v, %v, want instalment 2 held", s, ok)
	}
	a.Instalments[2].Status = InstalmentHeld
	a.Instalments[1].Status = InstalmentDue
	if a.PaysWithoutDelay(2) {
		t.Error("instalment 3 itself is held: no promise")
	}
	if _, ok := a.Unblocked(4); ok {
		t.Error("nothing follows the final check-in")
	}
}

func TestOwner(t *testing.T) {
	in := validInput()
	in.Owner = &Officer{Name: " Olu Adeyemi ", Email: "olu@funder.example"}
	a, err := NewAgreement(in, now, "x")
	if err != nil || a.Owner != (Officer{Name: "Olu Adeyemi", Email: "olu@funder.example"}) {
		t.Fatalf("owner = %+v, %v", a.Owner, err)
	}
	for _, bad := range []Officer{{Name: "", Email: "olu@funder.example"}, {Name: "Olu", Email: "not an address"},
		{Name: "Olu\r\nBcc: x@y.z", Email: "olu@funder.example"}, {Name: "Olu", Email: "Olu <olu@funder.example>"}} {
		in.Owner = &bad
		if _, err := NewAgreement(in, now, "x"); ErrorCode(err) != Invalid {
			t.Errorf("owner %+v accepted: %v", bad, err)
		}
	}
	if _, err := a.Amend(Amendment{Owner: &Officer{Name: "Bea", Email: "bea@funder.example"}}, now, "x"); err != nil || a.Owner.Name != "Bea" {
		t.Fatalf("amend owner: %+v, %v", a.Owner, err)
	}

	p := ProgrammeSettings{OfficerEmails: []string{"team@funder.example", "b@funder.example"}}
	if got := p.NoticesTo(a); len(got) != 1 || got[0] != "bea@funder.example" {
		t.Errorf("notices go to %v, want the owner", got)
	}
	none := &Agreement{}
	if got := p.OwnerOf(none); got != (Officer{Email: "team@funder.example"}) {
		t.Errorf("default owner = %+v", got)
	}
	p.Owner = Officer{Name: "Olu", Email: "olu@funder.example"}
	if got := p.Defaults(ProgrammeSettings{}).OwnerOf(none); got.Name != "Olu" {
		t.Errorf("configured default owner = %+v", got)
	}
	if got := (ProgrammeSettings{}).Defaults(p).Owner; got.Name != "Olu" {
		t.Errorf("Defaults does not carry the owner: %+v", got)
	}
	if got := (ProgrammeSettings{OfficerEmails: []string{"t@f.example"}}).NoticesTo(nil); len(got) != 1 {
		t.Errorf("NoticesTo(nil) = %v", got)
	}
	if got := (ProgrammeSettings{OfficerEmails: []string{"a@f", "b@f"}, Owner: Officer{}}).OwnerOf(nil); got.Email != "a@f" {
		t.Errorf("OwnerOf(nil) = %+v", got)
	}
	if got := (ProgrammeSettings{}).NoticesTo(nil); got != nil {
		t.Errorf("nobody to notify = %v", got)
	}
}

// TestTerminationIsTold: an agreement in effect tells the partner and
// finance, through the outbox, in the same change; a draft tells nobody; a
// reply after termination is filed as such and counts as nothing.
func TestTerminationIsTold(t *testing.T) {
	a := active(t)
	fx, err := a.TerminateAndTell("Trustees closed the project", "  We are sorry.  ", now, "olu")
	if err != nil {
		t.Fatal(err)
	}
	if len(fx.Outbox) != 2 || fx.Outbox[0] != outbox.TerminatedKey() || fx.Outbox[1] != outbox.TerminatedFinanceKey() {
		t.Errorf("outbox = %v", fx.Outbox)
	}
	if a.TerminationMessage != "We are sorry." || a.TerminationReason != "Trustees closed the project" || len(fx.Audit) != 1 {
		t.Errorf("message %q reason %q audit %v", a.TerminationMessage, a.TerminationReason, fx.Audit)
	}
	final := a.CheckIns[len(a.CheckIns)-1]
	entries, err := a.ReceiveReply(final.Number, Reply{From: "amina@levykitchen.org.uk", MessageID: "m1"}, now, System)
	if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Detail, "after termination") || a.CheckIn(final.Number).Status != CheckInWaived {
		t.Errorf("reply after termination: %v, %v, status %s", entries, err, a.CheckIn(final.Number).Status)
	}
	if r := a.FileReply(Reply{MessageID: "m1"}); !r.AfterTermination {
		t.Error("a reply to a terminated agreement is not filed as such")
	}
	if r := active(t).FileReply(Reply{MessageID: "m1"}); r.AfterTermination {
		t.Error("a reply to an active agreement is filed as after termination")
	}

	d, _ := NewAgreement(validInput(), now, "x")
	fx, err = d.TerminateAndTell("Did not go ahead", "", now, "olu")
	if err != nil || len(fx.Outbox) != 0 {
		t.Errorf("draft terminated: outbox %v, %v", fx.Outbox, err)
	}
	if _, err := active(t).TerminateAndTell("x", strings.Repeat("a", MaxTerminationMessage+1), now, "olu"); ErrorCode(err) != Invalid {
		t.Errorf("overlong message: %v", err)
	}
	var e *Error
	if _, err := d.TerminateAndTell("again", "", now, "olu"); !errors.As(err, &e) {
		t.Errorf("terminating twice: %v", err)
	}
}
