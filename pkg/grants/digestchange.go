package grants

// Finance's mail is worth reading (issue 26, item 12). A daily digest of
// late instalments went every working day with the same list; now "daily"
// means: on a working day when the list has something new since the working
// day before (an instalment has become late), and on the first working day
// of each week while any are late, so a list that does not change is read
// once a week, not five times. (An instalment leaving the list is finance's
// own doing, paid, and needs no email.) Weekly digests go on their day, the
// whole list. The rule is pure: what changed is read from the days the
// instalments became payable, so nothing of the last digest need be kept.

// DigestWorth reports whether a digest under f, due today, is worth
// sending: late are the days the instalments late today (Late: more than
// onTime working days with finance) became payable (InstalmentRow.PayableFrom):
// one that became payable after the working day before's cut-off turned
// late today.
func (f DigestFrequency) DigestWorth(t Timing, today Date, onTime int, late []Date) bool {
	if len(late) == 0 {
		return false
	}
	if f.Or(DigestDaily) != DigestDaily {
		return true
	}
	monday := today.AddDays(-((int(today.time().Weekday()) + 6) % 7))
	if t.NextWorkingDay(monday) == today {
		return true
	}
	// Late then: payable on or before the cut-off of the working day before.
	before := today.AddDays(-1)
	for i := 0; i < maxShift && !t.WorkingDay(before); i++ {
		before = before.AddDays(-1)
	}
	cut := t.LateCutOff(before, onTime)
	for _, d := range late {
		if d.After(cut) {
			return true
		}
	}
	return false
}
