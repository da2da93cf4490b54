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

	return map[string]Email{
		"checkin":               must(CheckIn(a, c2, replyTo, "Open Doors 2026")),
		"checkin-final":         must(CheckIn(a, final, replyTo, "Open Doors 2026")),
		"reminder-1":            must(Reminder(a, c2, replyTo, 1)),
		"reminder-2":            must(Reminder(a, c2, replyTo, 2)),
		"overdue":               must(OverdueNotice(bounced, overdue, officer)),
		"instalment-due-first":  must(InstalmentDueNotice(a, a.Instalments[0], false, []string{"finance@museum.example.org"})),
		"instalment-due":        must(InstalmentDueNotice(a, a.Instalments[2], false, []string{"finance@museum.example.org"})),
		"instalment-awaiting":   must(InstalmentDueNotice(a, a.Instalments[2], true, []string{"finance@museum.example.org"})),
		"acknowledgement":       must(Acknowledgement(a, received, []string{"asha@riverside.example.org"})),
		"acknowledgement-final": must(Acknowledgement(a, final, []string{"someone-else@example.org"})),
		"reply-notice": must(ReplyNotice(a, received, officer,
			"Hello! The second workshop was packed –\n23 people came, and Mrs Ahmed brought her grandchildren.\n\nPhotos attached.")),
		"quarantine": must(QuarantineNotice("SPF failed for the sender's domain", "Asha Patel <asha@riverside.example.org>",
			"Re: How is it going? Check-in 2 of 4", officer, "CP-2026-003")),
		"quarantine-unmatched": must(QuarantineNotice("no reply token in the address", "stranger@example.net",
			"Hello\r\nBcc: victim@example.com", officer, "")),
		"bounce":     must(BounceNotice(bounced, "ben@riverside.example.org", "Bounce", officer)),
		"complaint":  must(BounceNotice(a, "asha@riverside.example.org", "Complaint", officer)),
		"remittance": must(Remittance(a, a.Instalments[1], "BACS-2026-0457", grants.Date{Year: 2026, Month: time.April, Day: 30}, []string{"ben@riverside.example.org"})),
		"remittance-last": must(Remittance(a, a.Instalments[3], "BACS-2026-1102", grants.Date{Year: 2026, Month: time.October, Day: 30},
			[]string{"asha@riverside.example.org", "ben@riverside.example.org"})),
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
	e, err := CheckIn(a, checkIn(a, 2), replyTo, "Open Doors 2026")
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

	f, err := CheckIn(a, checkIn(a, 4), replyTo, "Open Doors 2026")
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
		"check-in": func() (Email, error) { return CheckIn(a, checkIn(a, 1), replyTo, "P") },
		"reminder": func() (Email, error) { return Reminder(a, checkIn(a, 1), replyTo, 1) },
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
	if _, err := CheckIn(a, checkIn(a, 1), replyTo, "P"); err != ErrNoRecipients {
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
		"check-in":   func() (Email, error) { return CheckIn(a, c, replyTo, "<i>Programme</i>") },
		"reminder":   func() (Email, error) { return Reminder(a, c, replyTo, 1) },
		"overdue":    func() (Email, error) { return OverdueNotice(a, c, officer) },
		"due":        func() (Email, error) { return InstalmentDueNotice(a, a.Instalments[1], true, officer) },
		"ack":        func() (Email, error) { return Acknowledgement(a, c, []string{a.Contacts[0].Email}) },
		"reply":      func() (Email, error) { return ReplyNotice(a, c, officer, "Thanks "+hostile) },
		"quarantine": func() (Email, error) { return QuarantineNotice(hostile, "x <x@example.org>", hostile, officer, "CP-1") },
		"bounce":     func() (Email, error) { return BounceNotice(a, a.Contacts[0].Email, "Bounce", officer) },
		"remittance": func() (Email, error) { return Remittance(a, a.Instalments[1], "<ref>", c.DueDate, officer) },
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
		if _, err := CheckIn(a, c, replyTo, "Open Doors 2026"); err != nil {
			b.Fatal(err)
		}
	}
}
