package grants

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/money"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// AuditEntry is one line of an agreement's append-only history: who did
// what, when.
type AuditEntry struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	// Subject narrows the entry to part of the agreement, e.g. "instalment 2".
	Subject string `json:"subject,omitempty"`
	Detail  string `json:"detail,omitempty"`
	// Changes are the values an amendment changed, before and after. Entries
	// stored before it was kept have none.
	Changes []Change `json:"changes,omitempty"`
	// Body is what an email sent said (its text part), on its
	// "email.sent" entry (issue 26, item 16): the page shows every email as
	// the partner read it. Entries of emails sent before it was kept have
	// none.
	Body string `json:"body,omitempty"`
}

// Change is one field an amendment changed. Field names the field as the
// API does, with the number of the instalment or check-in in brackets
// ("terms", "contacts", "award", "instalments[2].dueDate",
// "instalments[3].amount"); Before and After are its values as text, one
// element a list item (a term, a contact as "Name <email> (role)"), so a
// scalar is a list of one. Amounts are in minor units.
type Change struct {
	Field  string   `json:"field"`
	Before []string `json:"before"`
	After  []string `json:"after"`
}

// IsAmount tells whether the change's values are amounts in minor units.
func (c Change) IsAmount() bool {
	return c.Field == "award" || strings.HasSuffix(c.Field, ".amount")
}

// Activation is what activating an agreement did, for the officer who did
// it and for the history.
type Activation struct {
	On Date `json:"on"`
	// Welcome is set when the partner is sent one welcome email (the
	// agreement started before it was activated) instead of what fell due.
	Welcome bool `json:"welcome"`
	// CheckInsPassed are the check-ins whose dates had passed: marked so
	// (waived) and not chased.
	CheckInsPassed []int `json:"checkInsPassed,omitempty"`
	// InstalmentsDue are the instalments already due: finance sees them due.
	InstalmentsDue []int `json:"instalmentsDue,omitempty"`
	// NextCheckIn is the first check-in still to come, and the day it goes out.
	NextCheckIn   int  `json:"nextCheckIn,omitempty"`
	NextCheckInOn Date `json:"nextCheckInOn,omitzero"`
}

// PassedBeforeActivation is the waived reason of a check-in whose date had
// passed when the agreement was activated.
const PassedBeforeActivation = "its date had passed when the agreement was activated"

// Summary says in one sentence what activation did.
func (r Activation) Summary() string {
	var parts []string
	if len(r.InstalmentsDue) > 0 {
		n := len(r.InstalmentsDue)
		parts = append(parts, plural(n, "instalment ", "instalments ")+andList(r.InstalmentsDue)+plural(n, " is", " are")+" due to finance")
	}
	if len(r.CheckInsPassed) > 0 {
		parts = append(parts, plural(len(r.CheckInsPassed), "check-in ", "check-ins ")+andList(r.CheckInsPassed)+" had passed and will not be asked for")
	}
	if r.Welcome {
		parts = append(parts, "the partner gets one welcome email at the next send time")
	}
	if r.NextCheckIn > 0 {
		parts = append(parts, fmt.Sprintf("check-in %d goes out on %s", r.NextCheckIn, r.NextCheckInOn.Long()))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ")
}

// andList is ns as a person lists them: "1", "1 and 2", "1, 2 and 3".
func andList(ns []int) string {
	s := joinInts(ns)
	if i := strings.LastIndex(s, ", "); i >= 0 {
		s = s[:i] + " and " + s[i+2:]
	}
	return s
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// Activate puts a draft agreement into effect with the default timing and
// its plan as it stands: it catches nothing up, so an item whose date has
// passed is left for its schedule or the sweep. It is the bare state change,
// for fixtures and for restoring data; the activate use case calls
// ActivateWith.
func (a *Agreement) Activate(now time.Time, actor string) (AuditEntry, error) {
	if err := AgreementTransition(a.Status, AgreementActive); err != nil {
		return AuditEntry{}, err
	}
	a.Status = AgreementActive
	a.Timing = &Timing{}
	*a.Timing = a.Timing.Normalized()
	a.touch(now, actor)
	return AuditEntry{At: now.UTC(), Actor: actor, Action: "agreement.activated"}, nil
}

// ActivateWith puts a draft agreement into effect: its schedules and
// check-ins start, sent by timing t. An agreement that started before today
// does not catch up by email: check-ins whose send day has come are marked
// passed (waived, not chased), instalments whose day has come are due at
// once (finance sees them), and the partner is sent one welcome email
// saying what comes next. The entries are the activation's history, first
// the activation itself.
func (a *Agreement) ActivateWith(now time.Time, actor string, t Timing) (Activation, []AuditEntry, error) {
	if err := AgreementTransition(a.Status, AgreementActive); err != nil {
		return Activation{}, nil, err
	}
	t = t.Normalized()
	a.Status = AgreementActive
	a.Timing = &t
	today := Today(now, a.Location())
	r := Activation{On: today}
	entries := []AuditEntry{{At: now.UTC(), Actor: actor, Action: "agreement.activated"}}
	if a.StartDate.Before(today) {
		r.Welcome = true
		for i := range a.CheckIns {
			c := &a.CheckIns[i]
			if c.Status == CheckInScheduled && !t.SendOn(c.DueDate).After(today) {
				c.Status = CheckInWaived
				c.WaivedReason = PassedBeforeActivation
				c.UpdatedAt = now.UTC()
				r.CheckInsPassed = append(r.CheckInsPassed, c.Number)
				entries = append(entries, AuditEntry{At: now.UTC(), Actor: System, Action: "checkin.passed",
					Subject: fmt.Sprintf("check-in %d", c.Number), Detail: "due " + c.DueDate.String() + "; " + PassedBeforeActivation})
			}
		}
		for _, in := range a.Instalments {
			if !t.SendOn(in.DueDate).After(today) {
				if e, ok, _ := a.MakeInstalmentDue(in.Number, now); ok {
					entries = append(entries, e)
					r.InstalmentsDue = append(r.InstalmentsDue, in.Number)
				}
			}
		}
	}
	for _, c := range a.CheckIns {
		if c.Status == CheckInScheduled {
			r.NextCheckIn, r.NextCheckInOn = c.Number, t.SendOn(c.DueDate)
			break
		}
	}
	if s := r.Summary(); s != "" {
		entries[0].Detail = s
	}
	a.Activation = &r
	a.touch(now, actor)
	return r, entries, nil
}

// Terminate ends an agreement early. Unpaid instalments are cancelled and
// unanswered check-ins waived, so nothing more is paid or chased.
func (a *Agreement) Terminate(reason string, now time.Time, actor string) (AuditEntry, error) {
	reason, err := RequiredReason("reason", reason)
	if err != nil {
		return AuditEntry{}, err
	}
	if err := AgreementTransition(a.Status, AgreementTerminated); err != nil {
		return AuditEntry{}, err
	}
	// A payment waiting for its second person is finance's to approve or
	// not; terminating under it would leave it dangling, as holding would.
	for _, in := range a.Instalments {
		if in.Payment.AwaitingApproval() {
			return AuditEntry{}, conflict("payment_pending", "Instalment %d has payment %s waiting for approval; it must be approved before the agreement is terminated.", in.Number, in.Payment.ID)
		}
	}
	a.Status = AgreementTerminated
	a.TerminationReason = reason
	for i := range a.Instalments {
		in := &a.Instalments[i]
		if InstalmentTransition(in.Status, InstalmentCancelled) == nil {
			in.Status = InstalmentCancelled
			in.UpdatedAt = now.UTC()
		}
	}
	for i := range a.CheckIns {
		c := &a.CheckIns[i]
		if c.Status == CheckInScheduled || c.Status == CheckInSent || c.Status == CheckInOverdue {
			c.Status = CheckInWaived
			c.WaivedReason = "agreement terminated"
			c.UpdatedAt = now.UTC()
		}
	}
	a.touch(now, actor)
	return AuditEntry{At: now.UTC(), Actor: actor, Action: "agreement.terminated", Detail: reason}, nil
}

// MaxTerminationMessage bounds the words to the partner on termination.
const MaxTerminationMessage = 4000

// TerminateAndTell terminates the agreement (Terminate) and, if it was in
// effect, tells the partner, in the officer's words for them (message,
// optional), and finance: the two emails are enqueued with the change.
func (a *Agreement) TerminateAndTell(reason, message string, now time.Time, actor string) (Effects, error) {
	var errs fieldErrors
	message = strings.TrimSpace(message)
	checkText(&errs, "message", message, MaxTerminationMessage, false)
	if err := errs.err(); err != nil {
		return Effects{}, err
	}
	wasActive := a.Status == AgreementActive
	e, err := a.Terminate(reason, now, actor)
	if err != nil {
		return Effects{}, err
	}
	a.TerminationMessage = message
	fx := Audited(e)
	if wasActive {
		fx.Outbox = []outbox.Key{outbox.TerminatedKey(), outbox.TerminatedFinanceKey()}
	}
	return fx, nil
}

// Amendment changes what a programme officer may change after creation:
// contacts, terms, support, the due dates of instalments and check-ins not
// yet acted on, and the amounts of unpaid instalments (with the award, when
// the total changes). Nil fields are left as they are.
type Amendment struct {
	Owner           *Officer
	Contacts        *[]Contact
	Terms           *[]string
	Support         *[]string
	InstalmentDates []DateChange
	CheckInDates    []DateChange
	// Award is the new total, given when varied amounts change it.
	Award *int64
	// Reason is required when an amount or the award changes.
	Reason string
	// OwnDomains are the product's own mail domains, as NewAgreementInput's.
	OwnDomains []string

	// Typo: the officer marks changed terms or support as a typo fixed, so
	// the partner is not asked to accept them again (AmendAndPropose).
	Typo bool
}

// DateChange moves the due date of instalment or check-in Number (when
// DueDate is set) and, for an instalment, varies its amount (when Amount is
// set).
type DateChange struct {
	Number  int
	DueDate string
	Amount  *int64
}

// Amend applies an amendment to a draft or active agreement. Its audit entry
// holds each changed field's values before and after.
func (a *Agreement) Amend(m Amendment, now time.Time, actor string) (AuditEntry, error) {
	if a.Status != AgreementDraft && a.Status != AgreementActive {
		return AuditEntry{}, &Error{Code: Conflict, Message: "Only draft or active agreements can be amended; this one is " + string(a.Status) + ".", Reason: "not_amendable"}
	}
	var errs fieldErrors
	var changed []string
	var changes []Change
	// Only what changed is named in the history (issue 26, item 10): a
	// field given as it was is no change.
	note := func(field string, before, after []string) {
		if !slices.Equal(before, after) {
			changes = append(changes, Change{Field: field, Before: nonNil(before), After: nonNil(after)})
			changed = append(changed, field)
		}
	}
	if m.Contacts != nil {
		contacts, cerrs := validateContacts(*m.Contacts, m.OwnDomains)
		errs = append(errs, cerrs...)
		// A bounce is a fact about an address: it stays with an address that is
		// kept and does not follow a contact whose address changed.
		bounced := map[string]string{}
		for _, c := range a.Contacts {
			bounced[AddressKey(c.Email)] = c.Bounced
		}
		for i := range contacts {
			contacts[i].Bounced = bounced[AddressKey(contacts[i].Email)]
		}
		note("contacts", contactLines(a.Contacts), contactLines(contacts))
		a.Contacts = contacts
	}
	if m.Owner != nil {
		before := a.Owner
		a.Owner = checkOfficer(&errs, "owner", *m.Owner)
		note("owner", officerLines(before), officerLines(a.Owner))
	}
	if m.Terms != nil {
		before := a.Terms
		a.Terms = checkList(&errs, "terms", *m.Terms)
		note("terms", before, a.Terms)
	}
	if m.Support != nil {
		before := a.SupportNames()
		a.Support = amendSupport(a.Support, checkList(&errs, "support", *m.Support))
		note("support", before, a.SupportNames())
	}
	moved, moves, err := a.moveDates(m, Today(now, a.Location()), &errs)
	if err != nil {
		return AuditEntry{}, err
	}
	changed = append(changed, moved...)
	changes = append(changes, moves...)
	varied, amounts, reason := a.varyAmounts(m, &errs)
	changed = append(changed, varied...)
	changes = append(changes, amounts...)
	if err := errs.err(); err != nil {
		return AuditEntry{}, err
	}
	if len(changed) == 0 && m.Contacts == nil && m.Owner == nil && m.Terms == nil && m.Support == nil {
		return AuditEntry{}, &Error{Code: Invalid, Message: "Nothing to amend: give contacts, terms, support, due dates or amounts.", Reason: "validation"}
	}
	a.touch(now, actor)
	detail := "changed " + strings.Join(changed, ", ")
	if len(changed) == 0 {
		detail = "nothing changed"
	}
	if reason != "" {
		detail += "; reason: " + reason
	}
	return AuditEntry{At: now.UTC(), Actor: actor, Action: "agreement.amended", Detail: detail, Changes: changes}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// contactLines writes contacts as the history shows them.
func contactLines(cs []Contact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%s <%s> (%s)", c.Name, c.Email, c.Role)
	}
	return out
}

// officerLines writes an agreement's owner as the history shows it: none
// when the programme's default stands in.
func officerLines(o Officer) []string {
	if o.IsZero() {
		return nil
	}
	return []string{fmt.Sprintf("%s <%s>", o.Name, o.Email)}
}

// varyAmounts applies the amendment's amounts. Only an unpaid instalment
// with no payment waiting for approval can vary (what finance has acted on
// is fixed); every amount is at least 1; the instalments must sum exactly to
// the award, which changes only when the amendment gives it; and any change
// of money needs a reason, kept in the history.
func (a *Agreement) varyAmounts(m Amendment, errs *fieldErrors) (varied []string, changes []Change, reason string) {
	given := m.Award != nil
	for _, ch := range m.InstalmentDates {
		given = given || ch.Amount != nil
	}
	if !given {
		return nil, nil, ""
	}
	reason = strings.TrimSpace(m.Reason)
	checkText(errs, "reason", reason, MaxReason, true)
	amountOf := func(n int64) []string { return []string{fmt.Sprint(n)} }
	for i, ch := range m.InstalmentDates {
		in := a.Instalment(ch.Number)
		if ch.Amount == nil || in == nil {
			continue // a missing instalment is already refused by moveDates
		}
		field := fmt.Sprintf("instalments[%d].amount", i)
		switch {
		case in.Status == InstalmentPaid || in.Status == InstalmentCancelled:
			errs.add(field, "instalment %d is %s; only an unpaid instalment's amount can vary", in.Number, in.Status)
		case in.Payment.AwaitingApproval():
			errs.add(field, "instalment %d has payment %s waiting for approval; its amount cannot vary", in.Number, in.Payment.ID)
		case *ch.Amount < 1 || *ch.Amount > MaxAward:
			errs.add(field, "must be a whole number of minor units (pence) from 1 to %d", int64(MaxAward))
		case *ch.Amount != in.Amount:
			// The amounts are the change's, shown as money where it is read.
			varied = append(varied, fmt.Sprintf("instalment %d amount", in.Number))
			changes = append(changes, Change{Field: fmt.Sprintf("instalments[%d].amount", in.Number), Before: amountOf(in.Amount), After: amountOf(*ch.Amount)})
			in.Amount = *ch.Amount
		}
	}
	award := a.Amount
	if m.Award != nil {
		award = *m.Award
		if award < 1 || award > MaxAward {
			errs.add("award", "must be a whole number of minor units (pence) from 1 to %d", int64(MaxAward))
			return varied, changes, reason
		}
	}
	var sum int64
	for _, in := range a.Instalments {
		var err error
		if sum, err = money.Add(sum, in.Amount); err != nil {
			errs.add("instalments", "amounts overflow when added up")
			return varied, changes, reason
		}
	}
	if sum != award {
		field := "instalments"
		if m.Award != nil {
			field = "award"
		}
		errs.add(field, "the instalments would sum to %d but the award is %d: vary the amounts so they add up, or give the new award", sum, award)
		return varied, changes, reason
	}
	if award != a.Amount {
		varied = append(varied, "award")
		changes = append(changes, Change{Field: "award", Before: amountOf(a.Amount), After: amountOf(award)})
		a.Amount = award
	}
	return varied, changes, reason
}

func (a *Agreement) touch(now time.Time, actor string) {
	a.UpdatedAt = now.UTC()
	a.UpdatedBy = actor
}

// Instalment returns instalment n, or nil.
func (a *Agreement) Instalment(n int) *Instalment {
	if n < 1 || n > len(a.Instalments) {
		return nil
	}
	return &a.Instalments[n-1]
}

// CheckIn returns check-in n, or nil.
func (a *Agreement) CheckIn(n int) *CheckIn {
	if n < 1 || n > len(a.CheckIns) {
		return nil
	}
	return &a.CheckIns[n-1]
}

// moveDates applies the amendment's date changes. Only an item still
// scheduled can move (one already due, sent or paid is history), to a date
// from today to the end date, keeping each plan in order. A moved item's
// schedule is marked missing, so the next sync replaces it.
func (a *Agreement) moveDates(m Amendment, today Date, errs *fieldErrors) ([]string, []Change, error) {
	var moved []string
	var changes []Change
	move := func(list string, i int, ch DateChange, due *Date, scheduleCreated *bool, label string) {
		field := fmt.Sprintf("%s[%d].dueDate", list, i)
		d, ok := checkDate(errs, field, ch.DueDate, today)
		// A check-in may fall in the weeks after the end date that the final
		// report is given.
		last := a.EndDate
		if list == "checkIns" {
			last = a.EndDate.AddDays(max(a.FinalReportDays, 0))
		}
		switch {
		case !ok:
		case d.Before(today) || d.Before(a.StartDate) || d.After(last):
			errs.add(field, "must be from today (%s) and within the agreement (%s to %s)", today, a.StartDate, last)
		case d != *due:
			moved = append(moved, fmt.Sprintf("%s due %s → %s", label, *due, d))
			n := ch.Number
			changes = append(changes, Change{Field: fmt.Sprintf("%s[%d].dueDate", list, n), Before: []string{due.String()}, After: []string{d.String()}})
			*due, *scheduleCreated = d, false
		}
	}
	if len(m.InstalmentDates) > MaxInstalments || len(m.CheckInDates) > MaxInstalments {
		errs.add("instalments", "at most %d due dates can move at once", MaxInstalments)
		return nil, nil, nil
	}
	seen := map[string]bool{}
	once := func(list string, i, n int) bool {
		key := fmt.Sprintf("%s#%d", list, n)
		if seen[key] {
			errs.add(fmt.Sprintf("%s[%d].number", list, i), "appears more than once")
			return false
		}
		seen[key] = true
		return true
	}
	for i, ch := range m.InstalmentDates {
		in := a.Instalment(ch.Number)
		if in == nil {
			errs.add(fmt.Sprintf("instalments[%d].number", i), "must be an instalment of this agreement (1 to %d)", len(a.Instalments))
			continue
		}
		if !once("instalments", i, ch.Number) {
			continue
		}
		if ch.DueDate == "" && ch.Amount != nil {
			continue // only the amount varies
		}
		if in.Status != InstalmentScheduled {
			return nil, nil, &Error{Code: Conflict, Message: fmt.Sprintf("Instalment %d is %s; only a scheduled instalment's date can move.", in.Number, in.Status), Reason: "date_not_movable"}
		}
		move("instalments", i, ch, &in.DueDate, &in.ScheduleCreated, fmt.Sprintf("instalment %d", in.Number))
	}
	for i, ch := range m.CheckInDates {
		c := a.CheckIn(ch.Number)
		if c == nil {
			errs.add(fmt.Sprintf("checkIns[%d].number", i), "must be a check-in of this agreement (1 to %d)", len(a.CheckIns))
			continue
		}
		if !once("checkIns", i, ch.Number) {
			continue
		}
		if ch.Amount != nil {
			errs.add(fmt.Sprintf("checkIns[%d].amount", i), "a check-in has no amount; vary an instalment's")
			continue
		}
		if c.Status != CheckInScheduled {
			return nil, nil, &Error{Code: Conflict, Message: fmt.Sprintf("Check-in %d is %s; only a scheduled check-in's date can move.", c.Number, c.Status), Reason: "date_not_movable"}
		}
		move("checkIns", i, ch, &c.DueDate, &c.ScheduleCreated, fmt.Sprintf("check-in %d", c.Number))
	}
	for i := 1; i < len(a.Instalments); i++ {
		// Extra payments (extra.go) fall where they were needed, not in order.
		if a.Instalments[i].IsExtra() {
			continue
		}
		if !a.Instalments[i-1].DueDate.Before(a.Instalments[i].DueDate) {
			errs.add("instalments", "due dates must stay in order: instalment %d (%s) would not come before instalment %d (%s)",
				i, a.Instalments[i-1].DueDate, i+1, a.Instalments[i].DueDate)
		}
	}
	for i := 1; i < len(a.CheckIns); i++ {
		if !a.CheckIns[i-1].DueDate.Before(a.CheckIns[i].DueDate) {
			errs.add("checkIns", "due dates must stay in order: check-in %d (%s) would not come before check-in %d (%s)",
				i, a.CheckIns[i-1].DueDate, i+1, a.CheckIns[i].DueDate)
		}
	}
	return moved, changes, nil
}
