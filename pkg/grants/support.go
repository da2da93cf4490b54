package grants

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// SupportStatus is where one piece of capacity-building support stands.
type SupportStatus string

// Support statuses.
const (
	SupportOffered    SupportStatus = "offered"
	SupportInProgress SupportStatus = "in progress"
	SupportDelivered  SupportStatus = "delivered"
	SupportNotNeeded  SupportStatus = "not needed"
)

// SupportStatuses lists the statuses in the order a form offers them.
var SupportStatuses = []SupportStatus{SupportOffered, SupportInProgress, SupportDelivered, SupportNotNeeded}

// MaxSupportNotes bounds the dated notes kept on one support item.
const MaxSupportNotes = 50

// SupportItem is one piece of support the programme agreed to give, followed
// up: its status, dated notes and when it was last updated.
type SupportItem struct {
	Item      string        `json:"item"`
	Status    SupportStatus `json:"status"`
	Notes     []SupportNote `json:"notes,omitempty"`
	UpdatedOn Date          `json:"updatedOn,omitzero"`
}

// SupportNote is a dated note on a support item.
type SupportNote struct {
	On   Date   `json:"on"`
	By   string `json:"by"`
	Text string `json:"text"`
}

// UnmarshalJSON reads a support item, or a plain string as agreements were
// written before support was followed up (an item offered).
func (s *SupportItem) UnmarshalJSON(b []byte) error {
	var text string
	if json.Unmarshal(b, &text) == nil {
		*s = SupportItem{Item: text, Status: SupportOffered}
		return nil
	}
	type plain SupportItem
	return json.Unmarshal(b, (*plain)(s))
}

// Offered makes support items, all offered, from their descriptions.
func Offered(items []string) []SupportItem {
	out := make([]SupportItem, len(items))
	for i, s := range items {
		out[i] = SupportItem{Item: s, Status: SupportOffered}
	}
	return out
}

// SupportNames is the agreed support as its descriptions, for letters and exports.
func (a *Agreement) SupportNames() []string {
	out := make([]string, len(a.Support))
	for i, s := range a.Support {
		out[i] = s.Item
	}
	return out
}

// SupportDelivered counts the support items delivered.
func (a *Agreement) SupportDelivered() int {
	n := 0
	for _, s := range a.Support {
		if s.Status == SupportDelivered {
			n++
		}
	}
	return n
}

// amendSupport replaces the support list by descriptions, keeping the
// follow-up (status, notes) of every item whose description is kept.
func amendSupport(old []SupportItem, names []string) []SupportItem {
	kept := map[string]SupportItem{}
	for _, s := range old {
		kept[s.Item] = s
	}
	out := make([]SupportItem, len(names))
	for i, n := range names {
		if s, ok := kept[n]; ok {
			out[i] = s
		} else {
			out[i] = SupportItem{Item: n, Status: SupportOffered}
		}
	}
	return out
}

// UpdateSupport records progress on support item n (from 1): a new status,
// a dated note, or both.
func (a *Agreement) UpdateSupport(n int, status, note string, now time.Time, actor string) (AuditEntry, error) {
	if n < 1 || n > len(a.Support) {
		return AuditEntry{}, Errorf(NotFound, "Agreement %s has no support item %d.", a.Reference, n)
	}
	if a.Status != AgreementActive && a.Status != AgreementDraft && a.Status != AgreementCompleted {
		return AuditEntry{}, conflict("agreement_not_active", "Agreement %s is %s.", a.Reference, a.Status)
	}
	var errs fieldErrors
	st := SupportStatus(strings.TrimSpace(status))
	if st != "" && !validSupportStatus(st) {
		errs.add("status", "must be one of offered, in progress, delivered, not needed")
	}
	note = strings.TrimSpace(note)
	checkText(&errs, "note", note, MaxReason, false)
	s := &a.Support[n-1]
	if st == "" && note == "" {
		errs.add("status", "give a new status, a note, or both")
	}
	if note != "" && len(s.Notes) >= MaxSupportNotes {
		errs.add("note", "this item has %d notes already; at most %d are kept", len(s.Notes), MaxSupportNotes)
	}
	if err := errs.err(); err != nil {
		return AuditEntry{}, err
	}
	today := Today(now, a.Location())
	var detail []string
	if st != "" && st != s.Status {
		detail = append(detail, fmt.Sprintf("%s → %s", s.Status, st))
		s.Status = st
	}
	if note != "" {
		s.Notes = append(s.Notes, SupportNote{On: today, By: actor, Text: note})
		detail = append(detail, "note: "+note)
	}
	s.UpdatedOn = today
	a.touch(now, actor)
	return AuditEntry{At: now.UTC(), Actor: actor, Action: "support.updated", Subject: s.Item, Detail: strings.Join(detail, "; ")}, nil
}

func validSupportStatus(s SupportStatus) bool {
	for _, k := range SupportStatuses {
		if s == k {
			return true
		}
	}
	return false
}

// agreementJSON is Agreement without its JSON methods.
type agreementJSON Agreement

// MarshalJSON keeps the JSON API's "support" what integrations have read
// since the start, the agreed support as strings, and gives each item's
// follow-up (status, notes, last update) as "supportFollowUp".
func (a Agreement) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		agreementJSON
		Support         []string      `json:"support"`
		SupportFollowUp []SupportItem `json:"supportFollowUp"`
		// ReadyToComplete is derived: everything paid and the final report
		// in or waived (see Agreement.ReadyToComplete).
		ReadyToComplete bool `json:"readyToComplete"`
	}{agreementJSON(a), a.SupportNames(), a.Support, a.ReadyToComplete()})
}

// UnmarshalJSON reads what MarshalJSON writes: the follow-up when it is
// there, else the support as strings (items offered).
func (a *Agreement) UnmarshalJSON(b []byte) error {
	v := struct {
		*agreementJSON
		SupportFollowUp []SupportItem `json:"supportFollowUp"`
	}{agreementJSON: (*agreementJSON)(a)}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if len(v.SupportFollowUp) > 0 {
		a.Support = v.SupportFollowUp
	}
	return nil
}
