package web

import (
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// attentionReasons says what of an agreement needs a person, in words.
func attentionReasons(r grants.AttentionRow) []string {
	var why []string
	if r.PastEndDate {
		why = append(why, "past its end date ("+day(r.EndDate)+")")
	}
	if r.InstalmentsDue > 0 {
		why = append(why, plural(r.InstalmentsDue, "instalment")+" due for payment")
	}
	if r.InstalmentsHeld > 0 {
		why = append(why, plural(r.InstalmentsHeld, "instalment")+" on hold")
	}
	if r.CheckInsOverdue > 0 {
		why = append(why, plural(r.CheckInsOverdue, "check-in")+" overdue")
	}
	if r.HelpToFollowUp > 0 {
		why = append(why, plural(r.HelpToFollowUp, "reply")+" asking for help to follow up")
	}
	if r.ChangesAsked > 0 {
		why = append(why, "the partner asked for changes")
	}
	if r.BouncingContacts > 0 {
		why = append(why, "email to the partner is bouncing")
	}
	return why
}

// attentionGroup is one heading of the attention page.
type attentionGroup struct {
	ID, Title string
	Rows      []grants.AttentionRow
}

// attentionGroups sorts a page of what needs attention under what needs
// doing, in the order a person would do it; the overview's figures link to
// each by its ID.
func attentionGroups(at service.AttentionList) []attentionGroup {
	groups := []attentionGroup{
		{ID: "due", Title: "Instalments due for payment"},
		{ID: "overdue", Title: "Check-ins overdue"},
		{ID: "help", Title: "Replies asking for help, not yet followed up"},
		{ID: "changes", Title: "Changes the partner asked for"},
		{ID: "bouncing", Title: "Contacts whose email bounces"},
		{ID: "held", Title: "Instalments on hold"},
		{ID: "ended", Title: "Active past their end date", Rows: at.PastEndDate},
		{ID: "messages", Title: "Held messages"},
	}
	for _, r := range at.Items {
		for i, n := range []int{r.InstalmentsDue, r.CheckInsOverdue, r.HelpToFollowUp, r.ChangesAsked, r.BouncingContacts, r.InstalmentsHeld} {
			if n > 0 {
				groups[i].Rows = append(groups[i].Rows, r)
			}
		}
	}
	return groups
}

// count is how many the group holds: held messages are counted, not listed.
func (g attentionGroup) count(at service.AttentionList) int {
	if g.ID == "messages" {
		return at.Held
	}
	return len(g.Rows)
}
