package grants

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Support items are followed up: a status, dated notes, the date last
// updated; an amendment keeps the follow-up of the items it keeps; the old
// JSON shape (plain strings) reads as items offered.
func TestSupportFollowUp(t *testing.T) {
	a := activeAgreement(t)
	if len(a.Support) != 1 || !reflect.DeepEqual(a.Support[0], SupportItem{Item: "Evaluation mentoring", Status: SupportOffered}) {
		t.Fatalf("support %+v", a.Support)
	}
	for name, tt := range map[string]struct {
		n            int
		status, note string
		code         Code
		field        string
	}{
		"no such item":          {2, "delivered", "", NotFound, ""},
		"an unknown status":     {1, "done", "", Invalid, "status"},
		"nothing given":         {1, " ", " ", Invalid, "status"},
		"a control char note":   {1, "", "a\x00", Invalid, "note"},
		"a note far too long":   {1, "", strings.Repeat("n", MaxReason+1), Invalid, "note"},
		"a status and a note":   {1, "in progress", " First session booked ", "", ""},
		"a note only":           {1, "", "Second session", "", ""},
		"delivered, at last":    {1, "delivered", "", "", ""},
		"the same status again": {1, "delivered", "", "", ""},
	} {
		_ = name
		_, err := a.UpdateSupport(tt.n, tt.status, tt.note, now, "olu")
		if ErrorCode(err) != tt.code || tt.field != "" && !hasField(err, tt.field) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	a = activeAgreement(t)
	e, err := a.UpdateSupport(1, "in progress", " First session booked ", now, "olu")
	if err != nil || e.Action != "support.updated" || e.Subject != "Evaluation mentoring" || e.Detail != "offered → in progress; note: First session booked" {
		t.Fatalf("entry %+v, %v", e, err)
	}
	if _, err := a.UpdateSupport(1, "delivered", "", now, "olu"); err != nil {
		t.Fatal(err)
	}
	s := a.Support[0]
	if s.Status != SupportDelivered || len(s.Notes) != 1 || s.Notes[0] != (SupportNote{On: Date{2026, 1, 10}, By: "olu", Text: "First session booked"}) || s.UpdatedOn != (Date{2026, 1, 10}) {
		t.Errorf("support after updates %+v", s)
	}
	if st := a.ComputeStats(); st.SupportDelivered != 1 || a.SupportDelivered() != 1 {
		t.Errorf("delivered counted %d", st.SupportDelivered)
	}
	if _, err := a.Amend(Amendment{Support: &[]string{"Evaluation mentoring", "Board training"}}, now, "olu"); err != nil {
		t.Fatal(err)
	}
	if a.Support[0].Status != SupportDelivered || len(a.Support[0].Notes) != 1 || !reflect.DeepEqual(a.Support[1], SupportItem{Item: "Board training", Status: SupportOffered}) {
		t.Errorf("support after amending %+v", a.Support)
	}
	if got := strings.Join(a.SupportNames(), "|"); got != "Evaluation mentoring|Board training" {
		t.Errorf("names %q", got)
	}
	a.Status = AgreementTerminated
	if _, err := a.UpdateSupport(1, "delivered", "", now, "olu"); ErrorCode(err) != Conflict {
		t.Errorf("updating a terminated agreement's support: %v", err)
	}
	for _, n := range []int{MaxSupportNotes} {
		b := activeAgreement(t)
		b.Support[0].Notes = make([]SupportNote, n)
		if _, err := b.UpdateSupport(1, "", "one more", now, "olu"); !hasField(err, "note") {
			t.Errorf("a note past %d: %v", n, err)
		}
	}

	var old struct{ Support []SupportItem }
	if err := json.Unmarshal([]byte(`{"Support": ["Board development", {"item": "Mentoring", "status": "delivered"}]}`), &old); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(old.Support[0], SupportItem{Item: "Board development", Status: SupportOffered}) || !reflect.DeepEqual(old.Support[1], SupportItem{Item: "Mentoring", Status: SupportDelivered}) {
		t.Errorf("old and new shapes read as %+v", old.Support)
	}
}
