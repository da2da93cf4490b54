package grants

// The daily sweep finds work through one index keyed by the date each item
// next needs automation. These functions decide that date; an item with
// nothing left to do is not in the index at all, so the sweep's cost follows
// the work due, not the size of the programme.

// Immediately is the next-action date of work that is already late, such as
// a schedule that failed to be created: it sorts before every real date.
var Immediately = Date{Year: 1, Month: 1, Day: 1}

// InstalmentNextAction is when instalment in next needs automation.
func (a *Agreement) InstalmentNextAction(in Instalment) (Date, bool) {
	if a.Status != AgreementActive || in.Status != InstalmentScheduled {
		return Date{}, false
	}
	if !in.ScheduleCreated {
		return Immediately, true
	}
	// The day its due notice goes out: a working day on or before its date.
	return a.SendOn(in.DueDate), true
}

// CheckInNextAction is when check-in c next needs automation: sending it,
// or reminding the partner about it.
func (a *Agreement) CheckInNextAction(c CheckIn) (Date, bool) {
	if a.Status != AgreementActive {
		return Date{}, false
	}
	switch c.Status {
	case CheckInScheduled:
		if !c.ScheduleCreated {
			return Immediately, true
		}
		return a.SendOn(c.DueDate), true
	case CheckInSent:
		if c.RemindOn.IsZero() {
			return Date{}, false
		}
		return c.RemindOn, true
	}
	return Date{}, false
}
