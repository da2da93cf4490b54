package mailer

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// fixture is a typical agreement: £10,000 in four quarterly instalments from
// 31 January 2026, so the plan exercises month-end clamping too.
func fixture(t testing.TB) *grants.Agreement {
	t.Helper()
	a, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme: "open-doors-2026",
		Partner: grants.Partner{
			Name:               "Riverside Community Arts",
			RegistrationNumber: "1123456",
			Address:            "12 Mill Lane, Leeds LS1 4AB",
		},
		Contacts: []grants.Contact{
			{Name: "Asha Patel", Email: "asha@riverside.example.org", Role: "director"},
			{Name: "Ben Okafor", Email: "ben@riverside.example.org", Role: "finance"},
		},
		Amount:    1_000_000,
		Currency:  new("GBP"),
		StartDate: "2026-01-31",
		Terms: []string{
			"Run 12 co-produced creative workshops with older residents",
			"Share one exhibition of participants' work at the museum",
			"Meet the museum's community team every quarter",
		},
		Support: []string{
			"Mentoring from the museum's learning team",
			"A place on the fundraising skills course",
		},
		// The golden emails tell of money waiting on check-ins: the
		// check-in rule (onschedule_test.go has the emails on trust).
		PaymentPolicy: new(grants.PolicyAfterCheckIn),
	}, time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC), "officer@example.org")
	if err != nil {
		t.Fatalf("NewAgreement: %v", err)
	}
	a.ID = "agr-01HZX3"
	a.Reference = "CP-2026-003"
	a.Status = grants.AgreementActive
	return a
}

func checkIn(a *grants.Agreement, n int) grants.CheckIn {
	c := a.CheckIns[n-1]
	c.Status = grants.CheckInSent
	c.SentAt = time.Date(2026, 4, 16, 23, 30, 0, 0, time.UTC) // 17 April in London
	return c
}

const replyTo = "checkin+tok.abc123@replies.example.org"

var officer = []string{"officer@museum.example.org"}

// owner is the fixture's named officer.
var owner = grants.Officer{Name: "Olu Adeyemi", Email: "olu@museum.example.org"}

// goldenCases renders every email the package sends, in every variant worth
// reviewing.
func goldenCases(t *testing.T) map[string]Email {
	a := fixture(t)
	must := func(e Email, err error) Email {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	c2 := checkIn(a, 2)
	final := checkIn(a, 4)
	overdue := c2
	overdue.Status, overdue.Reminders = grants.CheckInOverdue, 2
	overdue.LastReminderAt = time.Date(2026, 4, 27, 8, 0, 0, 0, time.UTC)
	received := c2
	received.Status, received.ReceivedAt = grants.CheckInReceived, time.Date(2026, 4, 20, 14, 5, 0, 0, time.UTC)

	bounced := fixture(t)
	bounced.Contacts[1].Bounced = "hard bounce on 2026-04-17"

	// Check-in 2 goes out while instalment 2 waits on check-in 1: a reply
	// to check-in 2 alone cannot release instalment 3 on time.
	blocked := fixture(t)
	blocked.Instalments[0].Status = grants.InstalmentPaid
	blocked.Instalments[1].Status, blocked.Instalments[1].AwaitingCheckIn = grants.InstalmentDue, true
	blocked.CheckIns[0].Status = grants.CheckInOverdue
	// Check-in 1 answered while instalment 2 was due: it can be paid now.
	unblockedA := fixture(t)
	unblockedA.Instalments[0].Status = grants.InstalmentPaid
	unblockedA.Instalments[1].Status = grants.InstalmentDue
	unblockedA.CheckIns[0].Status = grants.CheckInReceived
	// Check-in 1 waived instead (issue 26, item 12): finance hears it was.
	waivedA := fixture(t)
	waivedA.Instalments[0].Status = grants.InstalmentPaid
	waivedA.Instalments[1].Status = grants.InstalmentDue
	waivedA.CheckIns[0].Status, waivedA.CheckIns[0].WaivedReason = grants.CheckInWaived, "we spoke at the event"
	// Terminated after instalment 1 was paid.
	terminated := fixture(t)
	terminated.Instalments[0].Status = grants.InstalmentPaid
	if _, err := terminated.TerminateAndTell("Trustees closed the project", "Dear Asha and Ben,\n\nWe were so sorry to hear the project has to close. Thank you for all you did with us.", time.Date(2026, 5, 2, 10, 0, 0, 0, time.UTC), "olu"); err != nil {
		t.Fatal(err)
	}
	terminatedPlain := fixture(t)
	if _, err := terminatedPlain.TerminateAndTell("Did not go ahead", "", time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC), "olu"); err != nil {
		t.Fatal(err)
	}

	// A pay run paid instalments 1 and 2 together.
	run := fixture(t)
	for i, ref := range []string{"BACS-2026-0501", "BACS-2026-0502"} {
		in := &run.Instalments[i]
		in.Status, in.PaymentReference, in.PaidOn = grants.InstalmentPaid, ref, grants.Date{Year: 2026, Month: time.May, Day: 1}
	}

	return map[string]Email{
		"remittance-run":        must(RunRemittance(run, run.Instalments[:2], []string{"ben@riverside.example.org"}, owner)),
		"checkin":               must(CheckIn(a, c2, replyTo, "Open Doors 2026", owner)),
		"checkin-final":         must(CheckIn(a, final, replyTo, "Open Doors 2026", grants.Officer{})),
		"reminder-1":            must(Reminder(a, c2, replyTo, 1, owner)),
		"reminder-2":            must(Reminder(a, c2, replyTo, 2, owner)),
		"overdue":               must(OverdueNotice(bounced, overdue, officer)),
		"instalment-due-first":  must(InstalmentDueNotice(a, a.Instalments[0], false, []string{"finance@museum.example.org"})),
		"instalment-due":        must(InstalmentDueNotice(a, a.Instalments[2], false, []string{"finance@museum.example.org"})),
		"instalment-awaiting":   must(InstalmentDueNotice(a, a.Instalments[2], true, []string{"finance@museum.example.org"})),
		"acknowledgement":       must(Acknowledgement(a, received, []string{"asha@riverside.example.org"}, owner)),
		"acknowledgement-final": must(Acknowledgement(a, final, []string{"someone-else@example.org"}, owner)),
		"reply-notice": must(ReplyNotice(a, received, officer,
			"Hello! The second workshop was packed –\n23 people came, and Mrs Ahmed brought her grandchildren.\n\nPhotos attached.")),
		"bounce":     must(BounceNotice(bounced, "ben@riverside.example.org", "Bounce", officer)),
		"complaint":  must(BounceNotice(a, "asha@riverside.example.org", "Complaint", officer)),
		"remittance": must(Remittance(a, a.Instalments[1], "BACS-2026-0457", grants.Date{Year: 2026, Month: time.April, Day: 30}, []string{"ben@riverside.example.org"}, owner)),
		"remittance-last": must(Remittance(a, a.Instalments[3], "BACS-2026-1102", grants.Date{Year: 2026, Month: time.October, Day: 30},
			[]string{"asha@riverside.example.org", "ben@riverside.example.org"}, owner)),
		"checkin-blocked":            must(CheckIn(blocked, blocked.CheckIns[1], replyTo, "Open Doors 2026", owner)),
		"acknowledgement-unblocked":  must(Acknowledgement(unblockedA, unblockedA.CheckIns[0], []string{"asha@riverside.example.org"}, owner)),
		"acknowledgement-terminated": must(Acknowledgement(terminated, terminated.CheckIns[3], []string{"asha@riverside.example.org"}, owner)),
		"reply-notice-terminated":    must(ReplyNotice(terminated, terminated.CheckIns[3], []string{owner.Email}, "We wanted to say thank you anyway.")),
		"terminated":                 must(Terminated(terminated, "Open Doors 2026", owner)),
		"terminated-plain":           must(Terminated(terminatedPlain, "Open Doors 2026", grants.Officer{})),
		"terminated-finance":         must(TerminatedFinance(terminated, []string{"finance@museum.example.org"})),
		"now-payable":                must(NowPayable(unblockedA, unblockedA.Instalments[1], []string{"finance@museum.example.org"}, "https://grants.example.org/app")),
		"now-payable-no-link":        must(NowPayable(unblockedA, unblockedA.Instalments[1], []string{"finance@museum.example.org"}, "")),
		"now-payable-waived":         must(NowPayable(waivedA, waivedA.Instalments[1], []string{"finance@museum.example.org"}, "https://grants.example.org/app")),
		"now-payable-accepted":       must(NowPayable(waivedA, waivedA.Instalments[0], []string{"finance@museum.example.org"}, "https://grants.example.org/app")),
		"late-digest": must(LateDigest("Open Doors 2026", grants.Date{Year: 2026, Month: time.May, Day: 20}, 10, []grants.InstalmentRow{
			{Reference: "CP-2026-003", PartnerName: "Riverside Community Arts", Number: 2, Amount: 250_000, Currency: "GBP",
				DueDate: grants.Date{Year: 2026, Month: time.April, Day: 30}, Status: grants.InstalmentDue, PayableOn: grants.Date{Year: 2026, Month: time.May, Day: 5}, DaysLate: 13, DaysWithPartner: 2, DaysWithFinance: 11},
			{Reference: "CP-2026-007", PartnerName: "Leeds Youth Choir", Number: 1, Amount: 120_050, Currency: "GBP",
				DueDate: grants.Date{Year: 2026, Month: time.March, Day: 31}, Status: grants.InstalmentHeld, HoldReason: "bank details being checked", DaysLate: 34, DaysWithFinance: 34, DaysOnHold: 20},
		}, []string{"finance@museum.example.org"}, "https://grants.example.org/app/")),
		"held-digest": must(HeldDigest(grants.Date{Year: 2026, Month: time.April, Day: 20},
			map[string]int{"": 97, "open-doors-2026": 2, "arts-2026": 2, "empty": 0}, officer, "https://grants.example.org/app")),
		"held-digest-one": must(HeldDigest(grants.Date{Year: 2026, Month: time.April, Day: 20}, map[string]int{"open-doors-2026": 1}, officer, "")),
	}
}

// headerBlock puts the envelope in the text golden, so a reviewer sees who
// gets what under which subject.
func headerBlock(e Email) string {
	var b strings.Builder
	fmt.Fprintf(&b, "To: %s\n", strings.Join(e.To, ", "))
	if len(e.ReplyTo) > 0 {
		fmt.Fprintf(&b, "Reply-To: %s\n", strings.Join(e.ReplyTo, ", "))
	}
	fmt.Fprintf(&b, "Subject: %s\n", e.Subject)
	keys := make([]string, 0, len(e.Tags))
	for k := range e.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "Tag: %s=%s\n", k, e.Tags[k])
	}
	return b.String() + "\n"
}

func TestGolden(t *testing.T) {
	for name, e := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			golden(t, filepath.Join("testdata", "golden", name+".txt"), headerBlock(e)+e.Text)
			golden(t, filepath.Join("testdata", "golden", name+".html"), e.HTML)
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/mailer -run TestGolden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the rendered email (run with -update if the change is intended)\n--- got ---\n%s", path, got)
	}
}

func TestCheckInContent(t *testing.T) {
	a := fixture(t)
	e, err := CheckIn(a, checkIn(a, 2), replyTo, "Open Doors 2026", owner)
	if err != nil {
		t.Fatal(err)
	}
	if want := "How is it going? Check-in 2 of 4 – CP-2026-003"; e.Subject != want {
		t.Errorf("subject = %q, want %q", e.Subject, want)
	}
	for _, body := range []string{e.Text, e.HTML} {
		for _, want := range append(append([]string{
			"CP-2026-003", "just reply to this email", "photos and documents are welcome as attachments",
			"Progress", "story", "Support", "Feedback for us", "£2,500.00", "31 July 2026",
		}, a.Terms...), a.SupportNames()...) {
			if !strings.Contains(strings.ToLower(htmlUnescape(body)), strings.ToLower(want)) {
				t.Errorf("check-in body lacks %q", want)
			}
		}
	}
	if len(e.ReplyTo) != 1 || e.ReplyTo[0] != replyTo {
		t.Errorf("ReplyTo = %v", e.ReplyTo)
	}

	f, err := CheckIn(a, checkIn(a, 4), replyTo, "Open Doors 2026", owner)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.Subject, "end-of-agreement report") || !strings.Contains(f.Text, "end-of-agreement report") {
		t.Errorf("final check-in is not worded as the end-of-agreement report: %q", f.Subject)
	}
}

// htmlUnescape undoes the few entities html/template writes for our fixtures.
func htmlUnescape(s string) string {
	return strings.NewReplacer("&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`).Replace(s)
}

func TestBouncedContactsAreSkipped(t *testing.T) {
	a := fixture(t)
	a.Contacts[0].Bounced = "complaint on 2026-03-01"
	for name, render := range map[string]func() (Email, error){
		"check-in": func() (Email, error) { return CheckIn(a, checkIn(a, 1), replyTo, "P", owner) },
		"reminder": func() (Email, error) { return Reminder(a, checkIn(a, 1), replyTo, 1, owner) },
	} {
		e, err := render()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(e.To) != 1 || e.To[0] != "ben@riverside.example.org" {
			t.Errorf("%s: To = %v, want only the contact that has not bounced", name, e.To)
		}
		if strings.Contains(e.Text, "Asha") || strings.Contains(e.HTML, "Asha") {
			t.Errorf("%s greets the bounced contact", name)
		}
	}

	a.Contacts[1].Bounced = "hard bounce"
	if _, err := CheckIn(a, checkIn(a, 1), replyTo, "P", owner); err != ErrNoRecipients {
		t.Errorf("all contacts bounced: err = %v, want ErrNoRecipients", err)
	}
}

func TestHTMLEscapesPartnerText(t *testing.T) {
	a := fixture(t)
	const hostile = `<script>alert("x")</script>`
	a.Partner.Name = "Evil & Co " + hostile
	a.Terms = []string{"Deliver <img src=x onerror=alert(1)> workshops"}
	a.Support = grants.Offered([]string{`<a href="javascript:alert(1)">click</a>`})
	a.Contacts[0].Name = "<b>Asha</b>"

	c := checkIn(a, 2)
	emails := map[string]func() (Email, error){
		"check-in":   func() (Email, error) { return CheckIn(a, c, replyTo, "<i>Programme</i>", owner) },
		"reminder":   func() (Email, error) { return Reminder(a, c, replyTo, 1, owner) },
		"overdue":    func() (Email, error) { return OverdueNotice(a, c, officer) },
		"due":        func() (Email, error) { return InstalmentDueNotice(a, a.Instalments[1], true, officer) },
		"ack":        func() (Email, error) { return Acknowledgement(a, c, []string{a.Contacts[0].Email}, owner) },
		"reply":      func() (Email, error) { return ReplyNotice(a, c, officer, "Thanks "+hostile) },
		"bounce":     func() (Email, error) { return BounceNotice(a, a.Contacts[0].Email, "Bounce", officer) },
		"remittance": func() (Email, error) { return Remittance(a, a.Instalments[1], "<ref>", c.DueDate, officer, owner) },
		"terminated": func() (Email, error) {
			t := *a
			t.Status, t.TerminationMessage = grants.AgreementTerminated, hostile
			return Terminated(&t, "<i>Programme</i>", owner)
		},
		"terminated-finance": func() (Email, error) {
			t := *a
			t.Status, t.TerminationReason = grants.AgreementTerminated, hostile
			return TerminatedFinance(&t, officer)
		},
	}
	for name, render := range emails {
		e, err := render()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, bad := range []string{"<script", "<img", "<a href", "<b>Asha", "<i>Programme", "<ref>"} {
			if strings.Contains(e.HTML, bad) {
				t.Errorf("%s: HTML contains unescaped %q", name, bad)
			}
		}
		// The plain-text part is not HTML: it must carry the words as typed.
		if name == "check-in" && !strings.Contains(e.Text, hostile) {
			t.Errorf("%s: text part lost or mangled the partner name", name)
		}
	}
}

func TestSubjectsAreOneLine(t *testing.T) {
	a := fixture(t)
	a.Partner.Name = "Line one\r\nBcc: victim@example.com"
	e, err := OverdueNotice(a, checkIn(a, 1), officer)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(e.Subject, "\r\n") {
		t.Errorf("subject has a line break: %q", e.Subject)
	}
}

func TestJoinNames(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{
		{nil, ""}, {[]string{"A"}, "A"}, {[]string{"A", "B"}, "A and B"}, {[]string{"A", "B", "C"}, "A, B and C"},
	} {
		if got := joinNames(tt.in); got != tt.want {
			t.Errorf("joinNames(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func BenchmarkCheckIn(b *testing.B) {
	a := fixture(b)
	c := checkIn(a, 2)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CheckIn(a, c, replyTo, "Open Doors 2026", owner); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEmailsNeverPromiseWhatARuleBlocks: a check-in promises prompt payment
// of the next instalment only when nothing earlier holds it up; every email
// to the partner says where each unpaid instalment stands; the
// acknowledgement says what the reply unblocked.
func TestEmailsNeverPromiseWhatARuleBlocks(t *testing.T) {
	const promise = "we can pay it without delay"
	a := fixture(t)
	e, err := CheckIn(a, checkIn(a, 2), replyTo, "P", owner)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Text, promise) {
		t.Errorf("nothing blocks instalment 3, yet no promise:\n%s", e.Text)
	}

	for name, block := range map[string]func(a *grants.Agreement){
		"earlier instalment waits on check-in 1": func(a *grants.Agreement) {
			a.Instalments[1].Status, a.Instalments[1].AwaitingCheckIn = grants.InstalmentDue, true
			a.CheckIns[0].Status = grants.CheckInOverdue
		},
		"earlier instalment held": func(a *grants.Agreement) {
			a.Instalments[1].Status, a.CheckIns[0].Status = grants.InstalmentHeld, grants.CheckInReceived
		},
		"next instalment held": func(a *grants.Agreement) {
			a.Instalments[2].Status, a.CheckIns[0].Status = grants.InstalmentHeld, grants.CheckInReceived
		},
	} {
		a := fixture(t)
		block(a)
		e, err := CheckIn(a, checkIn(a, 2), replyTo, "P", owner)
		if err != nil {
			t.Fatal(err)
		}
		for _, body := range []string{e.Text, htmlUnescape(e.HTML)} {
			if strings.Contains(body, promise) {
				t.Errorf("%s: the check-in still promises prompt payment", name)
			}
			if !strings.Contains(body, "Where your grant stands") {
				t.Errorf("%s: no word on where the money stands", name)
			}
		}
		if strings.Contains(name, "check-in 1") && !strings.Contains(e.Text, "Instalment 2 (£2,500.00, due 30 April 2026) is due and waiting for your reply to check-in 1.") {
			t.Errorf("%s: the standing does not name the instalment and its check-in:\n%s", name, e.Text)
		}
		if strings.Contains(name, "held") && !strings.Contains(e.Text, "is on hold") {
			t.Errorf("%s: the standing does not say the instalment is held:\n%s", name, e.Text)
		}
	}

	// The acknowledgement of check-in 1 while instalment 2 is due.
	a = fixture(t)
	a.Instalments[0].Status, a.Instalments[1].Status, a.CheckIns[0].Status = grants.InstalmentPaid, grants.InstalmentDue, grants.CheckInReceived
	ack, err := Acknowledgement(a, a.CheckIns[0], []string{"asha@riverside.example.org"}, owner)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ack.Text, "instalment 2 (£2,500.00) can now be paid") {
		t.Errorf("the acknowledgement does not say what it unblocked:\n%s", ack.Text)
	}
	// Still held for another reason: the acknowledgement says so.
	a.Instalments[1].Status = grants.InstalmentHeld
	ack, _ = Acknowledgement(a, a.CheckIns[0], []string{"asha@riverside.example.org"}, owner)
	if !strings.Contains(ack.Text, "is on hold for another reason") || strings.Contains(ack.Text, "can now be paid") {
		t.Errorf("a held instalment is not told as held:\n%s", ack.Text)
	}
}

// TestANamedOfficer: partner emails come from and are signed by the
// agreement's officer; remittances and acknowledgements reach them on
// reply, check-ins keep their signed reply address.
func TestANamedOfficer(t *testing.T) {
	a := fixture(t)
	c, _ := CheckIn(a, checkIn(a, 2), replyTo, "P", owner)
	if c.FromName != "Olu Adeyemi" || len(c.ReplyTo) != 1 || c.ReplyTo[0] != replyTo || !strings.Contains(c.Text, "With thanks,\nOlu Adeyemi") {
		t.Errorf("check-in: FromName %q, ReplyTo %v, text:\n%s", c.FromName, c.ReplyTo, c.Text)
	}
	for name, e := range map[string]Email{
		"remittance": must1(Remittance(a, a.Instalments[0], "R1", a.StartDate, []string{"ben@riverside.example.org"}, owner)),
		"ack":        must1(Acknowledgement(a, a.CheckIns[0], []string{"ben@riverside.example.org"}, owner)),
		"terminated": must1(Terminated(a, "P", owner)),
	} {
		if e.FromName != "Olu Adeyemi" || len(e.ReplyTo) != 1 || e.ReplyTo[0] != owner.Email || !strings.Contains(e.Text, "Olu Adeyemi") {
			t.Errorf("%s: FromName %q, ReplyTo %v", name, e.FromName, e.ReplyTo)
		}
	}
	// No officer named: the team signs, and there is no Reply-To.
	r, _ := Remittance(a, a.Instalments[0], "R1", a.StartDate, []string{"ben@riverside.example.org"}, grants.Officer{})
	if r.FromName != "" || r.ReplyTo != nil || !strings.Contains(r.Text, "The partnerships team") {
		t.Errorf("no officer: FromName %q, ReplyTo %v", r.FromName, r.ReplyTo)
	}
	s, err := NewSender(&fakeSES{}, "Riverside Community Fund <grants@riverside.example.org>", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.From(c); got != `"Olu Adeyemi, Riverside Community Fund" <grants@riverside.example.org>` {
		t.Errorf("From = %s", got)
	}
	if got := s.From(r); got != `"Riverside Community Fund" <grants@riverside.example.org>` {
		t.Errorf("From without an officer = %s", got)
	}
	// The programme's sender name (issue 25, item 3) stands for the
	// configured one, at the same address.
	c.SenderName, r.SenderName = "Ancoats Arts Partnerships", "Ancoats Arts Partnerships"
	if got := s.From(c); got != `"Olu Adeyemi, Ancoats Arts Partnerships" <grants@riverside.example.org>` {
		t.Errorf("From with the programme's sender name = %s", got)
	}
	if got := s.From(r); got != `"Ancoats Arts Partnerships" <grants@riverside.example.org>` {
		t.Errorf("From with the programme's sender name, no officer = %s", got)
	}
}

// TestTerminationIsTold: the partner's email carries the officer's words
// and never the internal reason; finance's names what is cancelled; a
// reply after termination is thanked as a message, not as the report.
func TestTerminationIsTold(t *testing.T) {
	a := fixture(t)
	a.Instalments[0].Status = grants.InstalmentPaid
	if _, err := a.TerminateAndTell("Internal: governance concerns", "We are sorry to end our partnership.", time.Date(2026, 5, 2, 10, 0, 0, 0, time.UTC), "olu"); err != nil {
		t.Fatal(err)
	}
	p := must1(Terminated(a, "Open Doors 2026", owner))
	if !strings.Contains(p.Text, "We are sorry to end our partnership.") || strings.Contains(p.Text, "governance") || strings.Contains(p.HTML, "governance") {
		t.Errorf("partner email:\n%s", p.Text)
	}
	if len(p.To) != 2 {
		t.Errorf("partner email To = %v, want both contacts", p.To)
	}
	f := must1(TerminatedFinance(a, []string{"finance@museum.example.org"}))
	if !strings.Contains(f.Text, "Cancelled: instalment 2, 3 and 4 (£7,500.00)") || !strings.Contains(f.Text, "Paid: £2,500.00") {
		t.Errorf("finance email:\n%s", f.Text)
	}
	ack := must1(Acknowledgement(a, a.CheckIns[3], []string{"asha@riverside.example.org"}, owner))
	if strings.Contains(ack.Subject+ack.Text, "end-of-agreement report") || !strings.Contains(ack.Text, "not filed as a check-in") {
		t.Errorf("a reply after termination is thanked as the report: %s\n%s", ack.Subject, ack.Text)
	}
	n := must1(ReplyNotice(a, a.CheckIns[3], officer, "hello"))
	if strings.Contains(n.Subject+n.Text, "end-of-agreement report") || !strings.Contains(n.Subject, "after termination") {
		t.Errorf("reply notice after termination: %s\n%s", n.Subject, n.Text)
	}
}

func must1(e Email, err error) Email {
	if err != nil {
		panic(err)
	}
	return e
}
