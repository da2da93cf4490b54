package grants

import (
	"fmt"
	"time"
)

// System is the actor recorded for what the scheduled automation does.
const System = "system"

// MakeInstalmentDue moves instalment n from scheduled to due. It reports
// false (and changes nothing) if the instalment is no longer scheduled, so a
// duplicate event is harmless. An instalment whose previous check-in has not
// come in still falls due, flagged AwaitingCheckIn for finance when the
// agreement's payment policy makes money wait on check-ins (WaitsOnCheckIn).
func (a *Agreement) MakeInstalmentDue(n int, now time.Time) (AuditEntry, bool, error) {
	in := a.Instalment(n)
	if in == nil {
		return AuditEntry{}, false, Errorf(NotFound, "Agreement %s has no instalment %d.", a.ID, n)
	}
	if a.Status != AgreementActive || in.Status != InstalmentScheduled {
		return AuditEntry{}, false, nil
	}
	in.Status = InstalmentDue
	waits := a.WaitsOnCheckIn(n)
	in.AwaitingCheckIn = waits != 0
	in.UpdatedAt = now.UTC()
	detail := a.display(in.Amount) + " due"
	if in.AwaitingCheckIn {
		detail += "; awaiting check-in " + fmt.Sprint(waits)
	}
	return AuditEntry{At: now.UTC(), Actor: System, Action: "instalment.due", Subject: fmt.Sprintf("instalment %d", n), Detail: detail}, true, nil
}

// PreviousCheckInIn reports whether the check-in before instalment n
// (CheckInBefore) has been received or waived (always true for the first
// instalment, and for one that follows no check-in). It is a fact, whatever
// the payment policy; WaitsOnCheckIn applies the policy.
func (a *Agreement) PreviousCheckInIn(n int) bool {
	return a.checkInIn(a.CheckInBefore(n))
}

// MarkCheckInSent records that check-in n went out with SES message
// messageID, and when the first reminder is due: reminderDays on, moved to
// a working day (see Timing.RemindOn).
func (a *Agreement) MarkCheckInSent(n int, messageID string, now time.Time, reminderDays int) (AuditEntry, error) {
	c := a.CheckIn(n)
	if c == nil {
		return AuditEntry{}, Errorf(NotFound, "Agreement %s has no check-in %d.", a.ID, n)
	}
	if err := CheckInTransition(c.Status, CheckInSent); err != nil {
		return AuditEntry{}, err
	}
	c.Status = CheckInSent
	c.SentAt = now.UTC()
	c.MessageID = messageID
	c.RemindOn = a.timing().RemindOn(Today(now, a.Location()), reminderDays)
	c.UpdatedAt = now.UTC()
	return AuditEntry{At: now.UTC(), Actor: System, Action: "checkin.sent", Subject: fmt.Sprintf("check-in %d", n), Detail: "SES message " + messageID}, nil
}

// RemindOrEscalate handles an unanswered check-in whose reminder date has
// come: it counts another reminder (returning reminder > 0) or, after
// maxReminders, marks it overdue (returning overdue). Anything else is no change.
func (a *Agreement) RemindOrEscalate(n int, now time.Time, reminderDays, maxReminders int) (entry AuditEntry, reminder int, overdue bool, changed bool) {
	c := a.CheckIn(n)
	today := Today(now, a.Location())
	if c == nil || a.Status != AgreementActive || c.Status != CheckInSent || c.RemindOn.IsZero() || today.Before(c.RemindOn) {
		return AuditEntry{}, 0, false, false
	}
	subject := fmt.Sprintf("check-in %d", n)
	c.UpdatedAt = now.UTC()
	if c.Reminders < maxReminders {
		c.Reminders++
		c.LastReminderAt = now.UTC()
		c.RemindOn = a.timing().RemindOn(today, reminderDays)
		return AuditEntry{At: now.UTC(), Actor: System, Action: "checkin.reminder_due", Subject: subject, Detail: fmt.Sprintf("reminder %d of %d", c.Reminders, maxReminders)}, c.Reminders, false, true
	}
	c.Status = CheckInOverdue
	c.RemindOn = Date{}
	return AuditEntry{At: now.UTC(), Actor: System, Action: "checkin.overdue", Subject: subject, Detail: "no reply after " + Count(maxReminders, "reminder", "reminders")}, 0, true, true
}

// DeliverableContacts are the contacts mail can go to: those with an address
// SES can send to that has not bounced or drawn a complaint. Check-ins,
// reminders and remittances go to them, and an officer told of a bounce is
// told how many are left. An address SES cannot send to (one stored before
// the address rules) is left out, not sent with the rest: SES refuses a
// whole message when one recipient is malformed, so it would stop the
// email to every other contact (UnsendableContacts names those left out).
func (a *Agreement) DeliverableContacts() []Contact {
	var out []Contact
	for _, c := range a.Contacts {
		if c.Bounced == "" && c.Email != "" && Sendable(c.Email) {
			out = append(out, c)
		}
	}
	return out
}

// UnsendableContacts are the contacts mail to the partner leaves out because
// SES cannot send to their address, for the record of each email.
func (a *Agreement) UnsendableContacts() []Contact {
	var out []Contact
	for _, c := range a.Contacts {
		if c.Bounced == "" && c.Email != "" && !Sendable(c.Email) {
			out = append(out, c)
		}
	}
	return out
}

// MarkContactBounced records that mail to email bounced or drew a complaint;
// check-ins skip the address until the contact is changed.
func (a *Agreement) MarkContactBounced(email, kind string, now time.Time) (AuditEntry, bool) {
	for i := range a.Contacts {
		if SameAddress(a.Contacts[i].Email, email) && a.Contacts[i].Bounced == "" {
			a.Contacts[i].Bounced = kind
			a.touch(now, System)
			return AuditEntry{At: now.UTC(), Actor: System, Action: "contact.bounced", Subject: email, Detail: kind}, true
		}
	}
	return AuditEntry{}, false
}
