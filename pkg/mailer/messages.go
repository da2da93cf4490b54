package mailer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

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
	// PromptPay: a reply now lets the next instalment be paid without
	// delay (grants.PaysWithoutDelay); only then does the email promise it.
	PromptPay bool
	// Standing says where the partner's money stands; SignOff is the
	// officer's name (or the team's).
	Standing []string
	SignOff  string
	// Reach is the officer's name mid-sentence ("someone from the
	// partnerships team" when none is named).
	Reach string
	// Acknowledgement-only: what the reply unblocked, and whether it came
	// after the agreement was terminated.
	Unblocked  string
	Terminated bool
	// Reminder-only fields.
	N      int
	SentOn string

	// Questions are the programme's own check-in questions (issue 23); nil:
	// the default four, worded in the templates.
	Questions []questionView

	// Feedback is the confidential feedback address offered with a
	// check-in or reminder (issue 24, item 2; confidential.go); empty: none.
	Feedback string

	// EndedOn is the end date of an agreement whose final report goes out
	// after it (truewhen.go); empty: it has not ended.
	EndedOn string
}

// team signs emails when the agreement names no officer.
const team = "The partnerships team"

// signOff is the name an email to the partner is signed with.
func signOff(o grants.Officer) string {
	if n := oneLine(o.Name, 100); n != "" {
		return n
	}
	return team
}

// reach names the officer mid-sentence.
func reach(o grants.Officer) string {
	if n := oneLine(o.Name, 100); n != "" {
		return n
	}
	return "someone from the partnerships team"
}

// fromOfficer sets who a partner email is from and, for emails that carry
// no signed reply address, a Reply-To that reaches the officer.
func fromOfficer(e Email, err error, o grants.Officer, replyToOfficer bool) (Email, error) {
	if err != nil {
		return e, err
	}
	e.FromName = oneLine(o.Name, 100)
	if replyToOfficer && o.Email != "" {
		e.ReplyTo = []string{o.Email}
	}
	return e, nil
}

// amountOf is an amount in the agreement's currency, for people.
func amountOf(a *grants.Agreement, minor int64) string {
	return money.Amount{Minor: minor, Currency: a.Currency}.Display()
}

// standing words where each unpaid instalment stands (grants.MoneyStanding)
// for the partner. A terminated agreement has none.
func standing(a *grants.Agreement) []string {
	var out []string
	for _, st := range a.MoneyStanding() {
		what := "Instalment " + strconv.Itoa(st.Number) + " (" + amountOf(a, st.Amount) + ", due " + st.DueDate.Long() + ")"
		switch {
		case st.Held:
			what += " is on hold; we will be in touch about it."
		case st.WaitingFor != 0 && st.Status == grants.InstalmentDue:
			what += " is due and waiting for your reply to check-in " + strconv.Itoa(st.WaitingFor) + "."
		case st.WaitingFor != 0:
			what += " will be paid once we have your reply to check-in " + strconv.Itoa(st.WaitingFor) + "."
		case st.Status == grants.InstalmentDue:
			what += " is due and with our finance team to pay."
		default:
			what += " is scheduled; nothing is waiting on you for it."
		}
		out = append(out, what)
	}
	return out
}

// unblocked says what a reply to check-in n released: nothing, when the
// agreement pays on schedule (no money waited on the reply).
func unblocked(a *grants.Agreement, n int) string {
	st, ok := a.Unblocked(n)
	if !ok || !a.MoneyWaitsOnCheckIns() {
		return ""
	}
	what := "instalment " + strconv.Itoa(st.Number) + " (" + amountOf(a, st.Amount) + ")"
	switch {
	case st.Held:
		return "Your reply is in, but " + what + " is on hold for another reason; we will be in touch about it."
	case st.WaitingFor != 0:
		return "Your reply is in; " + what + " still waits on your reply to check-in " + strconv.Itoa(st.WaitingFor) + "."
	case st.Status == grants.InstalmentDue:
		return "With your reply in, " + what + " can now be paid: it is with our finance team."
	}
	return "With your reply in, " + what + " will be paid when it falls due on " + st.DueDate.Long() + "."
}

// CheckIn renders the check-in email to the partner's contacts that have not
// bounced. replyTo is the tokenised address replies are read from;
// programmeName is the programme as people know it ("Open Doors 2026"),
// not its ID. The final check-in is worded as the end-of-agreement report.
func CheckIn(a *grants.Agreement, c grants.CheckIn, replyTo string, programmeName string, o grants.Officer) (Email, error) {
	return askCheckIn(a, c, replyTo, programmeName, o, nil, time.Time{})
}

// askCheckIn words the check-in email as it is true at on, when it goes
// (zero: at its send day): see truewhen.go.
func askCheckIn(a *grants.Agreement, c grants.CheckIn, replyTo string, programmeName string, o grants.Officer, qs []questionView, on time.Time, feedbackTo ...string) (Email, error) {
	to, names := deliverable(a)
	// The email is what makes money wait on its reply: where the money
	// stands is told as it will be once it is sent.
	sent := asSent(a, c.Number)
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
		PromptPay:      sent.PaysWithoutDelay(c.Number),
		Standing:       standing(sent),
		SignOff:        signOff(o),
		Questions:      qs,
		EndedOn:        endedOn(a, c, on),
	}
	v.Feedback = offered(feedbackTo) // confidential.go
	if v.Programme == "" {
		v.Programme = "our programme"
	}
	var subject string
	if c.Final {
		subject = "How did it go? Your end-of-agreement report – " + a.Reference
	} else {
		subject = "How is it going? Check-in " + strconv.Itoa(c.Number) + " of " + strconv.Itoa(v.Total) + " – " + a.Reference
	}
	e, err := render(tmplCheckIn, subject, to, addrs(replyTo), checkInTags(KindCheckIn, a, c), v)
	return fromOfficer(e, err, o, false)
}

// Reminder renders the n-th reminder (1-based) about an unanswered check-in.
// It goes to the same contacts and Reply-To as the check-in, so a reply to
// either is read the same way.
func Reminder(a *grants.Agreement, c grants.CheckIn, replyTo string, n int, o grants.Officer) (Email, error) {
	return askReminder(a, c, replyTo, n, o, nil)
}

func askReminder(a *grants.Agreement, c grants.CheckIn, replyTo string, n int, o grants.Officer, qs []questionView, feedbackTo ...string) (Email, error) {
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
		Standing:  standing(a),
		SignOff:   signOff(o),
		Questions: qs,
	}
	v.Feedback = offered(feedbackTo) // confidential.go
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
	e, err := render(tmplReminder, subject, to, addrs(replyTo), tags, v)
	return fromOfficer(e, err, o, false)
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
	// ReplyNotice: the reply came after the agreement was terminated.
	Terminated bool

	// InstalmentDue: the agreement pays on schedule (issue 23), so no
	// check-in is waited on.
	OnSchedule bool
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
		First:           in.Number <= 1 || a.CheckInBefore(in.Number) == 0,
		AwaitingCheckIn: awaitingCheckIn,
		PrevCheckIn:     a.CheckInBefore(in.Number),
		OnSchedule:      !a.MoneyWaitsOnCheckIns(),
	}
	v.Facts = dueFacts(a, in, amount, v.Total)
	if !v.First && !v.OnSchedule {
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

// Acknowledgement thanks the partner for a check-in reply and says what it
// unblocked. It carries no Reply-To token on purpose: an auto-responder
// answering it must not look like a fresh check-in reply and start an
// acknowledgement loop; its Reply-To is the officer's own address. A reply
// to a terminated agreement is thanked as a message, never as its
// end-of-agreement report.
func Acknowledgement(a *grants.Agreement, c grants.CheckIn, to []string, o grants.Officer) (Email, error) {
	v := checkInView{
		Names:     joinNames(namesFor(a.Contacts, to)),
		Partner:   a.Partner.Name,
		Reference: a.Reference,
		Number:    c.Number,
		Total:     checkInTotal(a),
		Final:     c.Final,
		Months:    a.DurationMonths,
		SignOff:   signOff(o),
		Reach:     reach(o),
	}
	subject := "Thank you – we've received your check-in reply – " + a.Reference
	switch {
	case a.Status == grants.AgreementTerminated:
		v.Terminated, v.Final = true, false
		subject = "Thank you – we've received your message – " + a.Reference
	case c.Final:
		subject = "Thank you – we've received your end-of-agreement report – " + a.Reference
	default:
		v.Unblocked = unblocked(a, c.Number)
		v.Standing = standing(a)
	}
	e, err := render(tmplAcknowledgement, subject, to, nil, checkInTags(KindAcknowledgement, a, c), v)
	return fromOfficer(e, err, o, true)
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
		Terminated: a.Status == grants.AgreementTerminated,
	}
	if v.Terminated {
		v.Final = false
		subject := "Message after termination from " + oneLine(a.Partner.Name, maxSubjectPart) + " – " + a.Reference
		return render(tmplReplyNotice, subject, to, nil, checkInTags(KindReplyNotice, a, c), v)
	}
	subject := "Reply received: check-in " + strconv.Itoa(c.Number) + " of " + strconv.Itoa(v.Total) +
		" from " + oneLine(a.Partner.Name, maxSubjectPart) + " – " + a.Reference
	return render(tmplReplyNotice, subject, to, nil, checkInTags(KindReplyNotice, a, c), v)
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
		if grants.SameAddress(ct.Email, contactEmail) {
			contact = ct
		}
	}
	for _, ct := range a.DeliverableContacts() {
		if !grants.SameAddress(ct.Email, contactEmail) {
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
	Standing      []string
	SignOff       string
	Reach         string
	// Terminated-only.
	Programme, Partner, Message string
}

// Remittance tells the partner that an instalment has been paid.
func Remittance(a *grants.Agreement, in grants.Instalment, paymentReference string, paidOn grants.Date, to []string, o grants.Officer) (Email, error) {
	amount := money.Amount{Minor: in.Amount, Currency: a.Currency}.Display()
	v := remittanceView{
		Names:     joinNames(namesFor(a.Contacts, to)),
		Reference: a.Reference,
		Number:    in.Number,
		Total:     instalmentTotal(a),
		Standing:  standing(a),
		SignOff:   signOff(o),
	}
	v.Last = in.Number >= v.Total && !in.IsExtra()
	if in.Payment != nil {
		// The officer's words for the partner, if finance gave some.
		v.Message = clip(in.Payment.PartnerMessage, grants.MaxNoticeMessage)
	}
	v.Facts = []fact{
		{"Amount", amount},
		{"Paid on", paidOn.Long()},
		{"Payment reference", paymentReference},
		{"Paid to", a.Partner.Name},
		{"Instalment", strconv.Itoa(in.Number) + " of " + strconv.Itoa(v.Total)},
	}
	subject := "Payment sent: " + amount + " (instalment " + strconv.Itoa(in.Number) + " of " + strconv.Itoa(v.Total) + ") – " + a.Reference
	e, err := render(tmplRemittance, subject, to, nil, instalmentTags(KindRemittance, a, in), v)
	return fromOfficer(e, err, o, true)
}

// runRemittanceView is what the remittance of a pay run sees.
type runRemittanceView struct {
	Names, Reference string
	Numbers, Sum     string
	Total            int
	Last             bool
	Payments         [][]fact
	Standing         []string
	SignOff          string
}

// RunRemittance tells the partner what a pay run paid them: one email for
// all their instalments in the run. A run that paid one instalment sends
// the remittance a single payment sends.
func RunRemittance(a *grants.Agreement, paid []grants.Instalment, to []string, o grants.Officer) (Email, error) {
	switch len(paid) {
	case 0:
		return Email{}, fmt.Errorf("a run remittance for %s lists no instalment", a.Reference)
	case 1:
		in := paid[0]
		return Remittance(a, in, in.PaymentReference, in.PaidOn, to, o)
	}
	v := runRemittanceView{
		Names:     joinNames(namesFor(a.Contacts, to)),
		Reference: a.Reference,
		Total:     instalmentTotal(a),
		Standing:  standing(a),
		SignOff:   signOff(o),
	}
	var sum int64
	numbers := make([]string, len(paid))
	for i, in := range paid {
		var err error
		if sum, err = money.Add(sum, in.Amount); err != nil {
			return Email{}, fmt.Errorf("remittance for %s: %w", a.Reference, err)
		}
		numbers[i] = strconv.Itoa(in.Number)
		v.Last = v.Last || in.Number >= v.Total
		v.Payments = append(v.Payments, []fact{
			{"Instalment", strconv.Itoa(in.Number) + " of " + strconv.Itoa(v.Total)},
			{"Amount", amountOf(a, in.Amount)},
			{"Paid on", in.PaidOn.Long()},
			{"Payment reference", in.PaymentReference},
			{"Paid to", a.Partner.Name},
		})
	}
	v.Numbers, v.Sum = joinNames(numbers), amountOf(a, sum)
	subject := "Payment sent: " + v.Sum + " (instalments " + v.Numbers + " of " + strconv.Itoa(v.Total) + ") – " + a.Reference
	tags := agreementTags(KindRemittance, a)
	tags["instalment"] = strings.Join(numbers, "-")
	e, err := render(tmplRunRemittance, subject, to, nil, tags, v)
	return fromOfficer(e, err, o, true)
}

// paidSoFar is what has been paid of the award, and what is left unpaid
// (cancelled, on termination).
func paidSoFar(a *grants.Agreement) (paid, cancelled int64, cancelledNumbers []string) {
	for _, in := range a.Instalments {
		switch in.Status {
		case grants.InstalmentPaid:
			paid += in.Amount
		case grants.InstalmentCancelled:
			cancelled += in.Amount
			cancelledNumbers = append(cancelledNumbers, strconv.Itoa(in.Number))
		}
	}
	return paid, cancelled, cancelledNumbers
}

// Terminated tells the partner's contacts that their agreement has ended,
// in the officer's words for them (a.TerminationMessage) when there are
// some; the internal reason is never shown. Replies reach the officer.
func Terminated(a *grants.Agreement, programmeName string, o grants.Officer) (Email, error) {
	to, names := deliverable(a)
	paid, _, _ := paidSoFar(a)
	v := remittanceView{
		Names:     joinNames(names),
		Reference: a.Reference,
		Programme: programmeName,
		Partner:   a.Partner.Name,
		Message:   clip(a.TerminationMessage, grants.MaxTerminationMessage),
		SignOff:   signOff(o),
		Reach:     reach(o),
	}
	if v.Programme == "" {
		v.Programme = "our programme"
	}
	v.Facts = []fact{
		{"Award", a.Money().Display()},
		{"Paid to you", amountOf(a, paid)},
	}
	subject := "Our partnership agreement has ended – " + a.Reference
	e, err := render(tmplTerminated, subject, to, nil, agreementTags(KindTerminated, a), v)
	return fromOfficer(e, err, o, true)
}

// TerminatedFinance tells finance that an agreement was terminated and what
// is no longer to be paid.
func TerminatedFinance(a *grants.Agreement, to []string) (Email, error) {
	paid, cancelled, numbers := paidSoFar(a)
	v := noticeView{Partner: a.Partner.Name, Reference: a.Reference}
	v.Facts = []fact{
		{"Partner", a.Partner.Name},
		{registrationLabel(a.Partner), registrationValue(a.Partner)},
		{"Agreement", a.Reference},
		{"Award", a.Money().Display()},
		{"Paid", amountOf(a, paid)},
	}
	if len(numbers) > 0 {
		v.Facts = append(v.Facts, fact{"Cancelled", "instalment " + joinNames(numbers) + " (" + amountOf(a, cancelled) + ")"})
	}
	if a.TerminationReason != "" {
		v.Facts = append(v.Facts, fact{"Reason", oneLine(a.TerminationReason, 300)})
	}
	subject := "Agreement terminated: " + oneLine(a.Partner.Name, maxSubjectPart) + " – " + a.Reference
	return render(tmplTerminatedFinance, subject, to, nil, agreementTags(KindTerminatedFinance, a), v)
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
			if c.Name != "" && grants.SameAddress(c.Email, addr) {
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
	if c.Email == "" {
		// Reached by phone alone (issue 23): no address to show.
		s = strings.TrimSpace(c.Name + " (no email; phone " + c.Phone + ")")
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
	switch p.TypeOrInferred() {
	case grants.PartnerCompany, grants.PartnerCIC:
		return "Company number"
	case grants.PartnerCommunityBenefit:
		return "Society number"
	case grants.PartnerStatutory:
		return "Identifier"
	case grants.PartnerUnincorporated, grants.PartnerIndividual:
		return "Registration"
	}
	return "Charity number"
}

// registrationValue is the partner's number, or for one without, what it
// is instead (issue 23: every kind of partner).
func registrationValue(p grants.Partner) string {
	if p.RegistrationNumber == "" {
		return "none (" + strings.ToLower(p.TypeOrInferred().Title()) + ")"
	}
	return p.RegistrationNumber
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
// precedes instalment k+1; see grants.InstalmentAfter), or nil after the
// final one, and whenever the agreement pays on schedule: then no money
// waits on a check-in, and the email ties none to it.
func nextInstalment(a *grants.Agreement, c grants.CheckIn) *instalmentView {
	if c.Final || !a.MoneyWaitsOnCheckIns() {
		return nil
	}
	after := a.InstalmentAfter(c.Number)
	for _, in := range a.Instalments {
		// One paid (or cancelled) already waits on nothing: the email does
		// not ask for a reply to pay it.
		if in.Number == after && (in.Status == grants.InstalmentScheduled || in.Status == grants.InstalmentDue || in.Status == grants.InstalmentHeld) {
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

// dueFacts are what finance reads of an instalment that is due: the due
// notice and the "now payable" notice show the same.
func dueFacts(a *grants.Agreement, in grants.Instalment, amount string, total int) []fact {
	return []fact{
		{"Amount", amount},
		{"Partner", a.Partner.Name},
		{registrationLabel(a.Partner), registrationValue(a.Partner)},
		{"Agreement", a.Reference},
		{"Instalment", strconv.Itoa(in.Number) + " of " + strconv.Itoa(total)},
		{"Due", in.DueDate.Long()},
	}
}
