package grants

import (
	"fmt"
	"strings"
	"time"
)

// PaymentStatus is where a payment is under the two-person rule.
type PaymentStatus string

const (
	PaymentRequested PaymentStatus = "requested"
	PaymentApproved  PaymentStatus = "approved"
)

// Payment is finance's record of paying one instalment. The system never
// holds bank details: the money moves in the finance system, and the
// payment reference ties the two together.
type Payment struct {
	ID               string        `json:"id"`
	Status           PaymentStatus `json:"status"`
	PaymentReference string        `json:"paymentReference"`
	PaidOn           Date          `json:"paidOn"`
	Amount           int64         `json:"amount"`
	Currency         string        `json:"currency"`
	OverrideReason   string        `json:"overrideReason,omitempty"`
	// Run is the pay run that requested the payment, if one did.
	Run         string `json:"run,omitempty"`
	RequestedBy string `json:"requestedBy"`
	// RequestedByID is the requester's Actor.ID, which the two-person rule
	// compares; RequestedBy is how they are shown.
	RequestedByID string    `json:"-"`
	RequestedAt   time.Time `json:"requestedAt"`
	ApprovedBy    string    `json:"approvedBy,omitempty"`
	ApprovedAt    time.Time `json:"approvedAt,omitzero"`

	// PartnerMessage is the officer's words to the partner in the
	// remittance, if any (issue 23, item 6).
	PartnerMessage string `json:"partnerMessage,omitempty"`
}

// PaymentRequest is what finance sends to pay an instalment.
type PaymentRequest struct {
	PaymentReference string
	PaidOn           string
	OverrideReason   string
	// Run is the pay run asking, if one is: its payments always wait for a
	// second person, who approves the run.
	Run string

	// PartnerMessage is optional words for the partner's remittance.
	PartnerMessage string
}

// WaitsForApproval reports whether the payment waits for a second person:
// under the programme's two-person rule, and always in a pay run.
func (r PaymentRequest) WaitsForApproval(twoPersonRule bool) bool {
	return twoPersonRule || r.Run != ""
}

func conflict(reason, format string, args ...any) *Error {
	return &Error{Code: Conflict, Message: fmt.Sprintf(format, args...), Reason: reason}
}

// RequestPayment records finance's payment of instalment n. With the
// two-person rule the payment waits for a second person's approval;
// without it the instalment is paid at once. The rules: the agreement is
// active, the instalment is due, no payment is pending for it, and the
// previous check-in is in (received or waived) unless an override reason is
// given, which is recorded.
func (a *Agreement) RequestPayment(n int, req PaymentRequest, id string, twoPeople bool, now time.Time, by Actor) (*Payment, []AuditEntry, error) {
	actor := by.Name
	twoPeople = req.WaitsForApproval(twoPeople)
	var errs fieldErrors
	ref := strings.TrimSpace(req.PaymentReference)
	checkText(&errs, "paymentReference", ref, MaxPaymentReference, true)
	override := strings.TrimSpace(req.OverrideReason)
	checkText(&errs, "override.reason", override, MaxReason, false)
	words := strings.TrimSpace(req.PartnerMessage)
	checkText(&errs, "partnerMessage", words, MaxNoticeMessage, false)
	today := Today(now, a.Location())
	paidOn, ok := checkDate(&errs, "paidOn", req.PaidOn, today)
	if ok && paidOn.After(today) {
		errs.add("paidOn", "cannot be in the future")
	}
	if err := errs.err(); err != nil {
		return nil, nil, err
	}
	in := a.Instalment(n)
	if in == nil {
		return nil, nil, Errorf(NotFound, "Agreement %s has no instalment %d.", a.Reference, n)
	}
	if a.Status != AgreementActive {
		return nil, nil, conflict("agreement_not_active", "Agreement %s is %s; only active agreements are paid.", a.Reference, a.Status)
	}
	// An extra payment is always approved by a second person.
	twoPeople = twoPeople || in.IsExtra()
	if in.Payment.AwaitingApproval() {
		return nil, nil, conflict("payment_pending", "Instalment %d already has payment %s waiting for approval.", n, in.Payment.ID)
	}
	if in.Status != InstalmentDue {
		return nil, nil, conflict("instalment_not_due", "Instalment %d is %s, not due; only a due instalment can be paid.", n, in.Status)
	}
	if a.FirstInstalmentWaiting(n) && override == "" {
		return nil, nil, conflict("acceptance_missing", "The partner has not yet accepted the agreement, and this programme pays instalment 1 after they do; give override.reason to pay anyway.")
	}
	waits := a.WaitsOnCheckIn(n)
	if waits != 0 && override == "" {
		return nil, nil, conflict("check_in_missing", "Check-in %d has not been received or waived; give override.reason to pay anyway.", waits)
	}
	if !a.MoneyWaitsOnCheckIns() && !a.FirstInstalmentWaiting(n) {
		override = "" // on schedule, nothing waits on a check-in: there is nothing to override
	}
	p := &Payment{
		ID: id, Status: PaymentRequested, PaymentReference: ref, PaidOn: paidOn, Amount: in.Amount, Currency: a.Currency,
		OverrideReason: override, Run: req.Run, RequestedBy: actor, RequestedByID: by.ID, RequestedAt: now.UTC(),
		PartnerMessage: words,
	}
	in.Payment = p
	in.UpdatedAt = now.UTC()
	subject := fmt.Sprintf("instalment %d", n)
	entries := []AuditEntry{{At: now.UTC(), Actor: actor, Action: "payment.requested", Subject: subject,
		Detail: fmt.Sprintf("%s, reference %s, paid on %s (payment %s)", a.display(in.Amount), ref, paidOn, id)}}
	if override != "" {
		entries = append(entries, AuditEntry{At: now.UTC(), Actor: actor, Action: "payment.check_in_overridden", Subject: subject, Detail: override})
	}
	if !twoPeople {
		e, err := a.ApprovePayment(n, id, false, now, by)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e...)
	}
	return p, entries, nil
}

// ApprovePayment approves a requested payment; the approver must be someone
// other than the requester when twoPeople is set. The instalment becomes paid,
// and the agreement completes if nothing is left.
func (a *Agreement) ApprovePayment(n int, paymentID string, twoPeople bool, now time.Time, by Actor) ([]AuditEntry, error) {
	actor := by.Name
	in := a.Instalment(n)
	if in == nil || in.Payment == nil || in.Payment.ID != paymentID {
		return nil, Errorf(NotFound, "Instalment %d of %s has no payment %s.", n, a.Reference, paymentID)
	}
	p := in.Payment
	twoPeople = twoPeople || in.IsExtra()
	if p.Status == PaymentApproved {
		return nil, conflict("payment_already_approved", "Payment %s was already approved by %s.", p.ID, p.ApprovedBy)
	}
	if twoPeople && by.Is(p.RequestedByID, p.RequestedBy) {
		return nil, &Error{Code: Forbidden, Message: "The person who requested a payment cannot approve it; ask another finance colleague.", Reason: "same_approver"}
	}
	if a.Status != AgreementActive {
		return nil, conflict("agreement_not_active", "Agreement %s is %s; only active agreements are paid.", a.Reference, a.Status)
	}
	if err := InstalmentTransition(in.Status, InstalmentPaid); err != nil {
		return nil, err
	}
	p.Status, p.ApprovedBy, p.ApprovedAt = PaymentApproved, actor, now.UTC()
	in.Status = InstalmentPaid
	in.PaymentReference, in.PaidOn, in.PaidBy = p.PaymentReference, p.PaidOn, actor
	in.fixLateness(a.timing())
	in.UpdatedAt = now.UTC()
	a.touch(now, actor)
	entries := []AuditEntry{{At: now.UTC(), Actor: actor, Action: "payment.approved", Subject: fmt.Sprintf("instalment %d", n),
		Detail: fmt.Sprintf("%s paid, reference %s (payment %s, requested by %s)", a.display(in.Amount), p.PaymentReference, p.ID, p.RequestedBy)}}
	if e, ok := a.CompleteIfDone(now); ok {
		entries = append(entries, e)
	}
	return entries, nil
}

// CompleteIfDone completes an active agreement that is ready to complete
// (see ReadyToComplete): the last thing outstanding is done.
func (a *Agreement) CompleteIfDone(now time.Time) (AuditEntry, bool) {
	if !a.ReadyToComplete() {
		return AuditEntry{}, false
	}
	a.Status = AgreementCompleted
	a.Closure = &Closure{On: Today(now, a.Location()), By: System}
	a.UpdatedAt = now.UTC()
	return AuditEntry{At: now.UTC(), Actor: System, Action: "agreement.completed", Detail: allDone}, true
}

// Hold stops a scheduled or due instalment from being paid, with a reason.
func (a *Agreement) Hold(n int, reason string, now time.Time, actor string) (AuditEntry, error) {
	in, reason, err := a.instalmentForReason(n, reason)
	if err != nil {
		return AuditEntry{}, err
	}
	if in.Payment.AwaitingApproval() {
		return AuditEntry{}, conflict("payment_pending", "Instalment %d has payment %s waiting for approval; it cannot be held.", n, in.Payment.ID)
	}
	if err := InstalmentTransition(in.Status, InstalmentHeld); err != nil {
		return AuditEntry{}, err
	}
	in.Status, in.HoldReason, in.UpdatedAt = InstalmentHeld, reason, now.UTC()
	in.HeldOn = Today(now, a.Location())
	a.touch(now, actor)
	return AuditEntry{At: now.UTC(), Actor: actor, Action: "instalment.held", Subject: fmt.Sprintf("instalment %d", n), Detail: in.HoldReason}, nil
}

// Release lifts a hold: the instalment is due again if its date has come,
// or back to scheduled (its schedule will still fire) if not.
func (a *Agreement) Release(n int, reason string, now time.Time, actor string) (AuditEntry, error) {
	in, reason, err := a.instalmentForReason(n, reason)
	if err != nil {
		return AuditEntry{}, err
	}
	to := InstalmentDue
	if in.DueDate.After(Today(now, a.Location())) {
		to = InstalmentScheduled
	}
	if err := InstalmentTransition(in.Status, to); err != nil {
		return AuditEntry{}, err
	}
	in.Status, in.HoldReason, in.UpdatedAt = to, "", now.UTC()
	in.endHold(a.timing(), Today(now, a.Location()))
	if to == InstalmentDue {
		in.AwaitingCheckIn = a.WaitsOnCheckIn(n) != 0
	}
	a.touch(now, actor)
	return AuditEntry{At: now.UTC(), Actor: actor, Action: "instalment.released", Subject: fmt.Sprintf("instalment %d", n), Detail: reason}, nil
}

func (a *Agreement) instalmentForReason(n int, reason string) (*Instalment, string, error) {
	reason, err := RequiredReason("reason", reason)
	if err != nil {
		return nil, "", err
	}
	in := a.Instalment(n)
	if in == nil {
		return nil, "", Errorf(NotFound, "Agreement %s has no instalment %d.", a.Reference, n)
	}
	return in, reason, nil
}

// AwaitingApproval reports whether p is a payment requested and waiting for
// its second person (false for no payment).
func (p *Payment) AwaitingApproval() bool { return p != nil && p.Status == PaymentRequested }
