package grants

import (
	"strings"
	"time"
)

// AuditEntry is one line of an agreement's append-only history: who did
// what, when.
type AuditEntry struct {
	At     time.Time `json:"at" dynamodbav:"at"`
	Actor  string    `json:"actor" dynamodbav:"actor"`
	Action string    `json:"action" dynamodbav:"action"`
	// Subject narrows the entry to part of the agreement, e.g. "instalment 2".
	Subject string `json:"subject,omitempty" dynamodbav:"subject,omitempty"`
	Detail  string `json:"detail,omitempty" dynamodbav:"detail,omitempty"`
}

// Activate puts a draft agreement into effect: its schedules and check-ins start.
func (a *Agreement) Activate(now time.Time, actor string) (AuditEntry, error) {
	if err := AgreementTransition(a.Status, AgreementActive); err != nil {
		return AuditEntry{}, err
	}
	a.Status = AgreementActive
	a.touch(now, actor)
	return AuditEntry{At: now.UTC(), Actor: actor, Action: "agreement.activated"}, nil
}

// Terminate ends an agreement early. Unpaid instalments are cancelled and
// unanswered check-ins waived, so nothing more is paid or chased.
func (a *Agreement) Terminate(reason string, now time.Time, actor string) (AuditEntry, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return AuditEntry{}, &Error{Code: Invalid, Message: "A reason is required to terminate an agreement.",
			Fields: []FieldError{{Field: "reason", Reason: "is required"}}, Reason: "validation"}
	}
	if err := AgreementTransition(a.Status, AgreementTerminated); err != nil {
		return AuditEntry{}, err
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

// Amendment changes what a programme officer may change after creation:
// contacts, terms and support. Nil fields are left as they are.
type Amendment struct {
	Contacts *[]Contact
	Terms    *[]string
	Support  *[]string
}

// Amend applies an amendment to a draft or active agreement.
func (a *Agreement) Amend(m Amendment, now time.Time, actor string) (AuditEntry, error) {
	if a.Status != AgreementDraft && a.Status != AgreementActive {
		return AuditEntry{}, &Error{Code: Conflict, Message: "Only draft or active agreements can be amended; this one is " + string(a.Status) + ".", Reason: "not_amendable"}
	}
	var errs fieldErrors
	var changed []string
	if m.Contacts != nil {
		contacts, cerrs := validateContacts(*m.Contacts)
		errs = append(errs, cerrs...)
		// A bounce is a fact about an address: it stays with an address that is
		// kept and does not follow a contact whose address changed.
		bounced := map[string]string{}
		for _, c := range a.Contacts {
			bounced[strings.ToLower(c.Email)] = c.Bounced
		}
		for i := range contacts {
			contacts[i].Bounced = bounced[strings.ToLower(contacts[i].Email)]
		}
		a.Contacts = contacts
		changed = append(changed, "contacts")
	}
	if m.Terms != nil {
		a.Terms = trimAll(*m.Terms)
		changed = append(changed, "terms")
	}
	if m.Support != nil {
		a.Support = trimAll(*m.Support)
		changed = append(changed, "support")
	}
	if err := errs.err(); err != nil {
		return AuditEntry{}, err
	}
	if len(changed) == 0 {
		return AuditEntry{}, &Error{Code: Invalid, Message: "Nothing to amend: give contacts, terms or support.", Reason: "validation"}
	}
	a.touch(now, actor)
	return AuditEntry{At: now.UTC(), Actor: actor, Action: "agreement.amended", Detail: "changed " + strings.Join(changed, ", ")}, nil
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
