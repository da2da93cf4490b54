package grants

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// A pay run is finance requesting many due instalments at once, approved as
// one by a second person. It adds no payment rule of its own: each item is a
// payment request (Agreement.RequestPayment) and its approval a payment
// approval (Agreement.ApprovePayment), so an instalment already paid, held or
// requested elsewhere is reported in the run, never paid twice. What a run
// adds is the record of what was asked and what came of it, for the finance
// system (the CSV) and for the approver.

// MaxPayRunItems bounds one run: every item is one agreement's write, and
// the run's record (about 300 bytes an item) must stay far below DynamoDB's
// 400 KB item limit.
const MaxPayRunItems = 200

// MaxAgreementID bounds an agreement ID sent in a run (IDs are 16 characters).
const MaxAgreementID = 64

// PayRunStatus is where a run is.
type PayRunStatus string

const (
	// PayRunRequesting: the run is recorded and its items are being
	// requested; a retry of the same request finishes it.
	PayRunRequesting PayRunStatus = "requesting"
	// PayRunAwaitingApproval: every item has its outcome; the run waits for
	// a second member of finance.
	PayRunAwaitingApproval PayRunStatus = "awaiting_approval"
	// PayRunApproved: the run's requested payments were approved.
	PayRunApproved PayRunStatus = "approved"
)

// PayRunOutcome is what became of one item of a run.
type PayRunOutcome string

// The outcomes. The strings are stored and shown to integrations: never change one.
const (
	OutcomePending            PayRunOutcome = "pending"             // not yet requested (the run is being recorded)
	OutcomeRequested          PayRunOutcome = "requested"           // waiting for the run's approval
	OutcomeAlreadyPaid        PayRunOutcome = "already_paid"        // paid before the run
	OutcomeHeld               PayRunOutcome = "held"                // on hold
	OutcomeRequestedElsewhere PayRunOutcome = "requested_elsewhere" // a payment is already waiting for approval
	OutcomeNotDue             PayRunOutcome = "not_due"             // scheduled, not yet due
	OutcomeCancelled          PayRunOutcome = "cancelled"           // cancelled on termination
	OutcomeNotActive          PayRunOutcome = "not_active"          // the agreement is not active
	OutcomeCheckInMissing     PayRunOutcome = "check_in_missing"    // the previous check-in is not in and no override was given
	OutcomeNotFound           PayRunOutcome = "not_found"           // no such agreement or instalment
	OutcomeInvalid            PayRunOutcome = "invalid"             // the item's values broke the agreement's rules (see reason)
	OutcomeRefused            PayRunOutcome = "refused"             // any other rule (see reason)
	OutcomePaid               PayRunOutcome = "paid"                // approved with the run: paid
	OutcomeNotPaid            PayRunOutcome = "not_paid"            // requested, but its approval was refused (see reason)
)

// PayRunRequest is what finance sends to start a run.
type PayRunRequest struct {
	PaidOn string
	Items  []PayRunItemRequest
}

// PayRunItemRequest is one instalment to pay in a run.
type PayRunItemRequest struct {
	AgreementID      string
	Instalment       int
	PaymentReference string
	OverrideReason   string
}

// PayRun is a run as stored and shown.
type PayRun struct {
	ID          string       `json:"id"`
	Status      PayRunStatus `json:"status"`
	PaidOn      Date         `json:"paidOn"`
	RequestedBy string       `json:"requestedBy"`
	RequestedAt time.Time    `json:"requestedAt"`
	ApprovedBy  string       `json:"approvedBy,omitempty"`
	ApprovedAt  time.Time    `json:"approvedAt,omitzero"`
	Items       []PayRunItem `json:"items"`
	// RequestedByID is the requester's Actor.ID, which the two-person rule
	// compares; RequestedBy is how they are shown.
	RequestedByID string `json:"-"`
	// RequestHash ties the run to the request that made it: the same
	// Idempotency-Key with another body is refused, not merged.
	RequestHash string `json:"-"`
}

// PayRunItem is one item of a run with its outcome. The agreement's
// reference, partner and amount are copied in when it is found, so the run
// reads (and downloads) without reading every agreement again.
type PayRunItem struct {
	AgreementID      string `json:"agreementId"`
	Instalment       int    `json:"instalment"`
	PaymentReference string `json:"paymentReference"`
	// OverrideReason is kept with the payment and in its agreement's
	// history, not in the run: 200 of them could outgrow a DynamoDB item.
	OverrideReason string        `json:"-"`
	Outcome        PayRunOutcome `json:"outcome"`
	// Reason is the rule's stable code when the item was not requested or
	// not paid, Detail its words.
	Reason      string `json:"reason,omitempty"`
	Detail      string `json:"detail,omitempty"`
	PaymentID   string `json:"paymentId,omitempty"`
	Reference   string `json:"reference,omitempty"`
	PartnerName string `json:"partnerName,omitempty"`
	Amount      int64  `json:"amount,omitempty"`
	Currency    string `json:"currency,omitempty"`
}

// PayRunLine is a run as a list of runs shows it.
type PayRunLine struct {
	ID          string       `json:"id"`
	Status      PayRunStatus `json:"status"`
	PaidOn      Date         `json:"paidOn"`
	RequestedBy string       `json:"requestedBy"`
	RequestedAt time.Time    `json:"requestedAt"`
	ApprovedBy  string       `json:"approvedBy,omitempty"`
	// RequestedByID is the run's RequestedByID, so a list offers approval
	// to everyone but its requester.
	RequestedByID string `json:"-"`
	// Requested counts the items requested (then paid or not), Items all.
	Requested int `json:"requested"`
	Items     int `json:"items"`
}

// Line is the run's line in the list of runs.
func (r *PayRun) Line() PayRunLine {
	l := PayRunLine{ID: r.ID, Status: r.Status, PaidOn: r.PaidOn, RequestedBy: r.RequestedBy, RequestedAt: r.RequestedAt,
		ApprovedBy: r.ApprovedBy, RequestedByID: r.RequestedByID, Items: len(r.Items)}
	for _, it := range r.Items {
		switch it.Outcome {
		case OutcomeRequested, OutcomePaid, OutcomeNotPaid:
			l.Requested++
		}
	}
	return l
}

// Check validates a run request, naming each field at fault by its place
// ("items[3].instalment"), and returns the paid-on date. today is in the
// deployment's time zone; each agreement checks the date again in its own.
func (r PayRunRequest) Check(today Date) (Date, error) {
	var errs fieldErrors
	paidOn, ok := checkDate(&errs, "paidOn", r.PaidOn, today)
	if ok && paidOn.After(today) {
		errs.add("paidOn", "cannot be in the future")
	}
	switch n := len(r.Items); {
	case n == 0:
		errs.add("items", "must list at least one instalment")
	case n > MaxPayRunItems:
		errs.add("items", "has %d items; at most %d are allowed in one run", n, MaxPayRunItems)
	}
	seen := map[string]int{}
	for i, it := range r.Items {
		field := fmt.Sprintf("items[%d].", i)
		id := strings.TrimSpace(it.AgreementID)
		checkText(&errs, field+"agreementId", id, MaxAgreementID, true)
		if it.Instalment < 1 || it.Instalment > MaxInstalments {
			errs.add(field+"instalment", "must be a number from 1 to %d", MaxInstalments)
		}
		checkText(&errs, field+"paymentReference", strings.TrimSpace(it.PaymentReference), MaxPaymentReference, true)
		checkText(&errs, field+"override.reason", strings.TrimSpace(it.OverrideReason), MaxReason, false)
		key := fmt.Sprintf("%s#%d", id, it.Instalment)
		if j, dup := seen[key]; dup && id != "" {
			errs.add(field+"instalment", "repeats items[%d]: an instalment is paid once", j)
		} else {
			seen[key] = i
		}
	}
	return paidOn, errs.err()
}

// NewPayRun starts the record of a run checked by Check: every item pending.
func NewPayRun(id string, r PayRunRequest, paidOn Date, hash string, now time.Time, by Actor) *PayRun {
	run := &PayRun{ID: id, Status: PayRunRequesting, PaidOn: paidOn, RequestedBy: by.Name, RequestedByID: by.ID, RequestedAt: now.UTC(), RequestHash: hash}
	for _, it := range r.Items {
		run.Items = append(run.Items, PayRunItem{
			AgreementID: strings.TrimSpace(it.AgreementID), Instalment: it.Instalment,
			PaymentReference: strings.TrimSpace(it.PaymentReference), OverrideReason: strings.TrimSpace(it.OverrideReason),
			Outcome: OutcomePending,
		})
	}
	return run
}

// Request is the payment request an item stands for.
func (r *PayRun) Request(i int) PaymentRequest {
	it := r.Items[i]
	return PaymentRequest{PaymentReference: it.PaymentReference, PaidOn: r.PaidOn.String(), OverrideReason: it.OverrideReason, Run: r.ID}
}

// CheckApprover refuses a run that cannot be approved by actor: one still
// being recorded, or one the actor requested (the two-person rule, which a
// run always follows).
func (r *PayRun) CheckApprover(by Actor) error {
	if r.Status == PayRunRequesting {
		return conflict("run_incomplete", "Pay run %s is still being recorded; send its request again (same Idempotency-Key) to finish it.", r.ID)
	}
	if by.Is(r.RequestedByID, r.RequestedBy) {
		return &Error{Code: Forbidden, Message: "The person who requested a pay run cannot approve it; ask another finance colleague.", Reason: "same_approver"}
	}
	return nil
}

// ByAgreement is the run's items of one outcome by agreement (their
// indexes), agreements in the order first listed. One agreement's items are
// requested one after another, never racing for its record; they are
// approved in one write, so its partner gets one remittance for the run.
func (r *PayRun) ByAgreement(outcome PayRunOutcome) (agreements []string, items map[string][]int) {
	items = map[string][]int{}
	for i, it := range r.Items {
		if it.Outcome != outcome {
			continue
		}
		if _, ok := items[it.AgreementID]; !ok {
			agreements = append(agreements, it.AgreementID)
		}
		items[it.AgreementID] = append(items[it.AgreementID], i)
	}
	return agreements, items
}

// Described fills an item's copy of its agreement's reference, partner and
// instalment amount.
func (it *PayRunItem) Described(a *Agreement) {
	it.Reference, it.PartnerName, it.Currency = a.Reference, a.Partner.Name, a.Currency
	if in := a.Instalment(it.Instalment); in != nil {
		it.Amount = in.Amount
	}
}

// Settle records what an item's request or approval came to: err is the
// rule that refused it (nil for done), status the instalment's status when
// it was refused.
func (it *PayRunItem) Settle(done PayRunOutcome, err error, status InstalmentStatus) {
	it.Outcome, it.Reason, it.Detail = done, "", ""
	if err == nil {
		return
	}
	it.Outcome = outcomeOf(err, status)
	var e *Error
	if errors.As(err, &e) {
		it.Reason, it.Detail = e.Reason, e.Message
		for _, f := range e.Fields {
			it.Detail += " " + f.Field + " " + f.Reason + "."
		}
	}
	if done == OutcomePaid {
		it.Outcome = OutcomeNotPaid
	}
}

// outcomeOf names the rule that refused a payment request, from its error
// and the instalment's status at the time.
func outcomeOf(err error, status InstalmentStatus) PayRunOutcome {
	var e *Error
	if !errors.As(err, &e) {
		return OutcomeRefused
	}
	switch {
	case e.Code == NotFound:
		return OutcomeNotFound
	case e.Code == Invalid:
		return OutcomeInvalid
	case e.Reason == "agreement_not_active":
		return OutcomeNotActive
	case e.Reason == "payment_pending":
		return OutcomeRequestedElsewhere
	case e.Reason == "check_in_missing":
		return OutcomeCheckInMissing
	case e.Reason == "instalment_not_due":
		switch status {
		case InstalmentPaid:
			return OutcomeAlreadyPaid
		case InstalmentHeld:
			return OutcomeHeld
		case InstalmentCancelled:
			return OutcomeCancelled
		case InstalmentScheduled:
			return OutcomeNotDue
		}
	}
	return OutcomeRefused
}

// RequestedIn is the payment run asked for on instalment n, if it stands:
// a retried run finds its own requests and does not report them as
// requested elsewhere.
func (a *Agreement) RequestedIn(run string, n int) *Payment {
	if in := a.Instalment(n); in != nil && in.Payment != nil && run != "" && in.Payment.Run == run {
		return in.Payment
	}
	return nil
}

// ApproveRun approves the payments run requested on instalments ns of this
// agreement, each as a single payment is approved (ApprovePayment, two
// people). It returns the numbers newly paid, and for each of ns the rule
// that refused it (nil when paid, now or by an earlier attempt of the same
// approval). Nothing changes for a refused instalment.
func (a *Agreement) ApproveRun(run string, ns []int, now time.Time, by Actor) (paid []int, refused map[int]error, entries []AuditEntry) {
	refused = map[int]error{}
	for _, n := range ns {
		p := a.RequestedIn(run, n)
		switch {
		case p == nil:
			refused[n] = Errorf(NotFound, "Instalment %d of %s has no payment of pay run %s.", n, a.Reference, run)
		case p.Status == PaymentApproved:
			// Approved before: by this approval's earlier attempt, or one at the same time.
		default:
			e, err := a.ApprovePayment(n, p.ID, true, now, by)
			if err != nil {
				refused[n] = err
				continue
			}
			paid = append(paid, n)
			entries = append(entries, e...)
		}
	}
	return paid, refused, entries
}

// PaidIn lists the instalments paid by run, in order: what its remittance lists.
func (a *Agreement) PaidIn(run string) []Instalment {
	var out []Instalment
	for _, in := range a.Instalments {
		if in.Status == InstalmentPaid && in.Payment != nil && in.Payment.Run == run {
			out = append(out, in)
		}
	}
	return out
}
