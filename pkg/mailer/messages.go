package mailer

import (
	"strconv"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
)

// maxSubjectPart bounds text from outside (partner names, inbound subjects)
// that is placed in a subject line, so a long name cannot push the
// reference out of view in a mail client.
const maxSubjectPart = 60

// maxExcerpt bounds the part of a partner's reply quoted in a notice: enough
// to tell what it is about, not the whole message in someone's inbox.
const maxExcerpt = 600

// fact is one labelled line in a notice ("Amount: £2,500.00").
type fact struct{ Label, Value string }

// instalmentView is an instalment as the templates show it.
type instalmentView struct {
	Number  int
	Amount  string
	DueDate string
}

// checkInView is what the partner-facing check-in templates see.
type checkInView struct {
	Names          string
	Programme      string
	Partner        string
	Reference      string
	Number, Total  int
	Final          bool
	Months         int
	Terms          []string
	Support        []string
	NextInstalment *instalmentView
	// Reminder-only fields.
	N      int
	SentOn string
}

// CheckIn renders the check-in email to the partner's contacts that have not
// bounced. replyTo is the tokenised address replies are read from;
// programmeName is the programme as people know it ("Open Doors 2026"),
// not its ID. The final check-in is worded as the end-of-agreement report.
func CheckIn(a *grants.Agreement, c grants.CheckIn, replyTo string, programmeName string) (Email, error) {
	to, names := deliverable(a)
	v := checkInView{
		Names:          joinNames(names),
		Programme:      programmeName,
		Partner:        a.Partner.Name,
		Reference:      a.Reference,
		Number:         c.Number,
		Total:          checkInTotal(a),
		Final:          c.Final,
		Months:         a.DurationMonths,
		Terms:          a.Terms,
		Support:        a.SupportNames(),
		NextInstalment: nextInstalment(a, c),
	}
	if v.Programme == "" {
		v.Programme = "our programme"
	}
	var subject string
	if c.Final {
		subject = "How did it go? Your end-of-agreement report – " + a.Reference
	} else {
		subject = "How is it going? Check-in " + strconv.Itoa(c.Number) + " of " + strconv.Itoa(v.Total) + " – " + a.Reference
	}
	return render(tmplCheckIn, subject, to, addrs(replyTo), checkInTags(KindCheckIn, a, c), v)
}

// Reminder renders the n-th reminder (1-based) about an unanswered check-in.
// It goes to the same contacts and Reply-To as the check-in, so a reply to
// either is read the same way.
func Reminder(a *grants.Agreement, c grants.CheckIn, replyTo string, n int) (Email, error) {
	to, names := deliverable(a)
	n = max(n, 1)
	v := checkInView{
		Names:     joinNames(names),
		Partner:   a.Partner.Name,
		Reference: a.Reference,
		Number:    c.Number,
		Total:     checkInTotal(a),
		Final:     c.Final,
		N:         n,
		SentOn:    dateIn(c.SentAt, a.Location()).Long(),
	}
	what := "check-in " + strconv.Itoa(c.Number) + " of " + strconv.Itoa(v.Total)
	if c.Final {
		what = "your end-of-agreement report"
	}
	subject := "A gentle reminder: " + what + " – " + a.Reference
	if n > 1 {
		subject = "Still keen to hear from you: " + what + " – " + a.Reference
	}
	tags := checkInTags(KindReminder, a, c)
	tags["reminder"] = strconv.Itoa(n)
	return render(tmplReminder, subject, to, addrs(replyTo), tags, v)
}

// noticeView is what the staff-facing notices see.
type noticeView struct {
	Partner        string
	Reference      string
	Number, Total  int
	Final          bool
	Facts          []fact
	NextInstalment *instalmentView
	// InstalmentDue
	First           bool
	AwaitingCheckIn bool
	PrevCheckIn     int
	// ReplyNotice
	ReceivedOn string
	Excerpt    string
	// Bounce
	Complaint bool
	Remaining int
}

// OverdueNotice tells the programme officer that a check-in is still
// unanswered after every reminder.
func OverdueNotice(a *grants.Agreement, c grants.CheckIn, to []string) (Email, error) {
	loc := a.Location()
	v := noticeView{
		Partner:        a.Partner.Name,
		Reference:      a.Reference,
		Number:         c.Number,
		Total:          checkInTotal(a),
		Final:          c.Final,
		NextInstalment: nextInstalment(a, c),
	}
	v.Facts = append(v.Facts, fact{"Partner", a.Partner.Name})
	if sent := dateIn(c.SentAt, loc).Long(); sent != "" {
		v.Facts = append(v.Facts, fact{"Check-in sent", sent})
	}
	v.Facts = append(v.Facts, fact{"Reminders sent", strconv.Itoa(c.Reminders)})
	if last := dateIn(c.LastReminderAt, loc).Long(); last != "" {
		v.Facts = append(v.Facts, fact{"Last reminder", last})
	}
	for _, ct := range a.Contacts {
		v.Facts = append(v.Facts, fact{"Contact", contactLine(ct)})
	}
	subject := "Overdue: check-in " + strconv.Itoa(c.Number) + " of " + strconv.Itoa(v.Total) +
		" from " + oneLine(a.Partner.Name, maxSubjectPart) + " – " + a.Reference
	return render(tmplOverdue, subject, to, nil, checkInTags(KindOverdue, a, c), v)
}

// InstalmentDueNotice tells finance that an instalment has fallen due, and
// whether the check-in before it is in (awaitingCheckIn is the domain's
// answer, passed in so this package decides no payment rule).
func InstalmentDueNotice(a *grants.Agreement, in grants.Instalment, awaitingCheckIn bool, to []string) (Email, error) {
	amount := money.Amount{Minor: in.Amount, Currency: a.Currency}.Display()
	v := noticeView{
		Partner:         a.Partner.Name,
		Reference:       a.Reference,
		Number:          in.Number,
		Total:           instalmentTotal(a),
		First:           in.Number <= 1,
		AwaitingCheckIn: awaitingCheckIn,
		PrevCheckIn:     in.Number - 1,
	}
	v.Facts = []fact{
		{"Amount", amount},
		{"Partner", a.Partner.Name},
		{registrationLabel(a.Partner), a.Partner.RegistrationNumber},
		{"Agreement", a.Reference},
		{"Instalment", strconv.Itoa(in.Number) + " of " + strconv.Itoa(v.Total)},
		{"Due", in.DueDate.Long()},
	}
	if !v.First {
		status := "received"
		if awaitingCheckIn {
			status = "not yet received"
		}
		v.Facts = append(v.Facts, fact{"Check-in " + strconv.Itoa(v.PrevCheckIn), status})
	}
	subject := "Instalment due: " + amount + " to " + oneLine(a.Partner.Name, maxSubjectPart) +
		" (" + strconv.Itoa(in.Number) + " of " + strconv.Itoa(v.Total) + ") – " + a.Reference
	if awaitingCheckIn {
		subject = "Instalment due, awaiting check-in: " + amount + " to " + oneLine(a.Partner.Name, maxSubjectPart) +
			" (" + strconv.Itoa(in.Number) + " of " + strconv.Itoa(v.Total) + ") – " + a.Reference
	}
	return render(tmplInstalmentDue, subject, to, nil, instalmentTags(KindInstalmentDue, a, in), v)
}

// Acknowledgement thanks the partner for a check-in reply. It carries no
// Reply-To token on purpose: an auto-responder answering it must not look
// like a fresh check-in reply and start an acknowledgement loop.
func Acknowledgement(a *grants.Agreement, c grants.CheckIn, to []string) (Email, error) {
	v := checkInView{
		Names:     joinNames(namesFor(a.Contacts, to)),
		Partner:   a.Partner.Name,
		Reference: a.Reference,
		Number:    c.Number,
		Total:     checkInTotal(a),
		Final:     c.Final,
		Months:    a.DurationMonths,
	}
	subject := "Thank you – we've received your check-in reply – " + a.Reference
	if c.Final {
		subject = "Thank you – we've received your end-of-agreement report – " + a.Reference
	}
	return render(tmplAcknowledgement, subject, to, nil, checkInTags(KindAcknowledgement, a, c), v)
}

// ReplyNotice tells the programme officer that a partner replied, quoting the
// start of the reply (already stripped of quoted history by the caller).
func ReplyNotice(a *grants.Agreement, c grants.CheckIn, to []string, excerpt string) (Email, error) {
	v := noticeView{
		Partner:    a.Partner.Name,
		Reference:  a.Reference,
		Number:     c.Number,
		Total:      checkInTotal(a),
		Final:      c.Final,
		ReceivedOn: dateIn(c.ReceivedAt, a.Location()).Long(),
		Excerpt:    clip(excerpt, maxExcerpt),
	}
	subject := "Reply received: check-in " + strconv.Itoa(c.Number) + " of " + strconv.Itoa(v.Total) +
		" from " + oneLine(a.Partner.Name, maxSubjectPart) + " – " + a.Reference
	return render(tmplReplyNotice, subject, to, nil, checkInTags(KindReplyNotice, a, c), v)
}

// QuarantineNotice tells the programme officer that an inbound email was set
// aside for a person. from and subject come from the stranger's email, so
// they are flattened to one line and never put in this email's own subject.
// agreementRef is empty when the reply matched no agreement.
func QuarantineNotice(reason grants.QuarantineReason, from string, subject string, to []string, agreementRef string) (Email, error) {
	v := noticeView{Reference: agreementRef}
	v.Facts = []fact{
		{"Why", oneLine(reason.Description(), 300)},
		{"From", oneLine(from, 200)},
		{"Subject", oneLine(subject, 200)},
	}
	subj := "A reply needs a person to look at it"
	if agreementRef != "" {
		subj += " – " + agreementRef
	}
	tags := map[string]string{"kind": KindQuarantine}
	if agreementRef != "" {
		tags["agreement-ref"] = agreementRef
	}
	return render(tmplQuarantine, subj, to, nil, tags, v)
}

// BounceNotice tells the programme officer that mail to a partner's contact
// bounced or drew a complaint. kind is SES's notification type ("Bounce" or
// "Complaint", any case).
func BounceNotice(a *grants.Agreement, contactEmail, kind string, to []string) (Email, error) {
	complaint := strings.EqualFold(kind, "complaint")
	v := noticeView{
		Partner:   a.Partner.Name,
		Reference: a.Reference,
		Complaint: complaint,
	}
	contact := grants.Contact{Email: contactEmail}
	for _, ct := range a.Contacts {
		if strings.EqualFold(ct.Email, contactEmail) {
			contact = ct
		}
	}
	for _, ct := range a.DeliverableContacts() {
		if !strings.EqualFold(ct.Email, contactEmail) {
			v.Remaining++
		}
	}
	v.Facts = []fact{{"Partner", a.Partner.Name}, {"Contact", contactLine(grants.Contact{Name: contact.Name, Email: contact.Email, Role: contact.Role})}}
	what, tagKind := "Email bounced", "bounce"
	if complaint {
		what, tagKind = "Complaint", "complaint"
	}
	v.Facts = append(v.Facts, fact{"What happened", strings.ToLower(what[:1]) + what[1:]})
	subject := what + ": a contact at " + oneLine(a.Partner.Name, maxSubjectPart) + " – " + a.Reference
	tags := agreementTags(KindBounce, a)
	tags["feedback"] = tagKind
	return render(tmplBounce, subject, to, nil, tags, v)
}

// remittanceView is what the remittance templates see.
type remittanceView struct {
	Names         string
	Reference     string
	Number, Total int
	Last          bool
	Facts         []fact
}

// Remittance tells the partner that an instalment has been paid.
func Remittance(a *grants.Agreement, in grants.Instalment, paymentReference string, paidOn grants.Date, to []string) (Email, error) {
	amount := money.Amount{Minor: in.Amount, Currency: a.Currency}.Display()
	v := remittanceView{
		Names:     joinNames(namesFor(a.Contacts, to)),
		Reference: a.Reference,
		Number:    in.Number,
		Total:     instalmentTotal(a),
	}
	v.Last = in.Number >= v.Total
	v.Facts = []fact{
		{"Amount", amount},
		{"Paid on", paidOn.Long()},
		{"Payment reference", paymentReference},
		{"Paid to", a.Partner.Name},
		{"Instalment", strconv.Itoa(in.Number) + " of " + strconv.Itoa(v.Total)},
	}
	subject := "Payment sent: " + amount + " (instalment " + strconv.Itoa(in.Number) + " of " + strconv.Itoa(v.Total) + ") – " + a.Reference
	return render(tmplRemittance, subject, to, nil, instalmentTags(KindRemittance, a, in), v)
}

// deliverable returns the addresses and names of the contacts that have not
// bounced or complained.
func deliverable(a *grants.Agreement) (to, names []string) {
	for _, c := range a.DeliverableContacts() {
		to = append(to, c.Email)
		if c.Name != "" {
			names = append(names, c.Name)
		}
	}
	return to, names
}

// namesFor finds the names of the contacts an email is addressed to, so an
// acknowledgement greets the person who replied; unknown addresses get no
// name rather than a guess.
func namesFor(contacts []grants.Contact, to []string) []string {
	var names []string
	for _, addr := range to {
		for _, c := range contacts {
			if c.Name != "" && strings.EqualFold(c.Email, addr) {
				names = append(names, c.Name)
				break
			}
		}
	}
	return names
}

func contactLine(c grants.Contact) string {
	s := c.Email
	if c.Name != "" {
		s = c.Name + " <" + c.Email + ">"
	}
	if c.Role != "" {
		s += " (" + c.Role + ")"
	}
	if c.Bounced != "" {
		s += " – " + c.Bounced
	}
	return s
}

func registrationLabel(p grants.Partner) string {
	if p.RegistrationKind() == "company" {
		return "Company number"
	}
	return "Charity number"
}

func checkInTotal(a *grants.Agreement) int {
	if n := len(a.CheckIns); n > 0 {
		return n
	}
	return a.InstalmentCount
}

func instalmentTotal(a *grants.Agreement) int {
	if n := len(a.Instalments); n > 0 {
		return n
	}
	return a.InstalmentCount
}

// nextInstalment is the instalment that check-in c comes before (check-in k
// precedes instalment k+1), or nil after the final one.
func nextInstalment(a *grants.Agreement, c grants.CheckIn) *instalmentView {
	if c.Final {
		return nil
	}
	for _, in := range a.Instalments {
		if in.Number == c.Number+1 {
			return &instalmentView{
				Number:  in.Number,
				Amount:  money.Amount{Minor: in.Amount, Currency: a.Currency}.Display(),
				DueDate: in.DueDate.Long(),
			}
		}
	}
	return nil
}

func addrs(a string) []string {
	if a == "" {
		return nil
	}
	return []string{a}
}

func agreementTags(kind string, a *grants.Agreement) map[string]string {
	t := map[string]string{"kind": kind, "agreement-ref": a.Reference}
	if a.ID != "" {
		t["agreement-id"] = a.ID
	}
	return t
}

func checkInTags(kind string, a *grants.Agreement, c grants.CheckIn) map[string]string {
	t := agreementTags(kind, a)
	t["check-in"] = strconv.Itoa(c.Number)
	return t
}

func instalmentTags(kind string, a *grants.Agreement, in grants.Instalment) map[string]string {
	t := agreementTags(kind, a)
	t["instalment"] = strconv.Itoa(in.Number)
	return t
}
