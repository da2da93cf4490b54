package grants

// Stats is an agreement's standing, kept on the agreement's own item so a
// programme summary reads one index entry per agreement and never the
// instalments or check-ins themselves. It is recomputed on every write.
type Stats struct {
	Paid             int64 `json:"paid"`
	Outstanding      int64 `json:"outstanding"`
	InstalmentsDue   int   `json:"instalmentsDue"`
	InstalmentsHeld  int   `json:"instalmentsHeld"`
	InstalmentsPaid  int   `json:"instalmentsPaid"`
	CheckInsReceived int   `json:"checkInsReceived"`
	// CheckInsByConversation counts those received in a call, meeting or
	// visit an officer recorded (included in CheckInsReceived).
	CheckInsByConversation int `json:"checkInsByConversation"`
	CheckInsLate           int `json:"checkInsLate"` // sent, not answered, reminded at least once
	CheckInsOverdue        int `json:"checkInsOverdue"`
	BouncingContacts       int `json:"bouncingContacts"`
	SupportDelivered       int `json:"supportDelivered"`
	// RepliesAskingForHelp counts replies flagged as asking for help;
	// HelpToFollowUp those of them not yet followed up.
	RepliesAskingForHelp int `json:"repliesAskingForHelp"`
	HelpToFollowUp       int `json:"helpToFollowUp"`
	// PaidDaysLate counts paid instalments by their working days late with
	// finance (the key, DaysLateKey; Instalment.DaysWithFinance: days waiting
	// on the partner's check-in are not finance's, issue 26, item 8): a
	// histogram that adds up across agreements, so the programme's on-time
	// rate and median days late come exactly from the sum, whatever its
	// on-time setting.
	PaidDaysLate map[string]int `json:"paidDaysLate,omitempty"`
	// NextDate is when something is next due (an instalment unpaid, a
	// check-in not in): the list sorts by it without reading plans
	// (issue 26, item 1; find.go).
	NextDate Date `json:"nextDate,omitzero"`
	// ChangesAsked is 1 while the partner's answer asks for changes, and
	// NeedsAttention 1 while anything of the agreement needs a person
	// (AttentionOf): summed, the overview's counts without a list read.
	ChangesAsked   int `json:"changesAsked,omitempty"`
	NeedsAttention int `json:"needsAttention,omitempty"`
}

// ComputeStats derives the agreement's standing from its plans.
func (a *Agreement) ComputeStats() Stats {
	var s Stats
	for _, in := range a.Instalments {
		switch in.Status {
		case InstalmentPaid:
			s.Paid += in.Amount
			s.InstalmentsPaid++
			if s.PaidDaysLate == nil {
				s.PaidDaysLate = map[string]int{}
			}
			s.PaidDaysLate[DaysLateKey(in.PaidDaysWithFinance())]++
		case InstalmentDue:
			s.InstalmentsDue++
			s.Outstanding += in.Amount
		case InstalmentHeld:
			s.InstalmentsHeld++
			s.Outstanding += in.Amount
		case InstalmentScheduled:
			s.Outstanding += in.Amount
		}
	}
	for _, c := range a.CheckIns {
		switch {
		case c.Status == CheckInReceived:
			s.CheckInsReceived++
			if c.ReceivedBy != "" {
				s.CheckInsByConversation++
			}
		case c.Status == CheckInOverdue:
			s.CheckInsOverdue++
		case c.Status == CheckInSent && c.Reminders > 0:
			s.CheckInsLate++
		}
	}
	s.SupportDelivered = a.SupportDelivered()
	s.RepliesAskingForHelp, s.HelpToFollowUp = len(a.HelpRequests), a.OpenHelpRequests()
	for _, c := range a.Contacts {
		if c.Bounced != "" {
			s.BouncingContacts++
		}
	}
	s.NextDate = a.nextDate()
	if p := a.PartnerAcceptance; p != nil && p.Status == AcceptanceChangesAsked {
		s.ChangesAsked = 1
	}
	held := *a
	held.Stats = s
	if !AttentionOf(&held).IsZero() {
		s.NeedsAttention = 1
	}
	return s
}
