package grants

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// An amendment's history names only what changed (issue 26, item 10): the
// page's form sends every field, so owner, contacts and support given as
// they were are no change, and amounts are left to the change's values.
func TestAmendmentHistoryNamesOnlyWhatChanged(t *testing.T) {
	a := activeAgreement(t)
	a.Owner = Officer{Name: "Olu Adeyemi", Email: "olu@funder.example"}
	owner, contacts, support := a.Owner, slices.Clone(a.Contacts), a.SupportNames()
	terms := []string{"Host six meals"}
	e, err := a.Amend(Amendment{Owner: &owner, Contacts: &contacts, Support: &support, Terms: &terms}, now, "olu")
	if err != nil {
		t.Fatal(err)
	}
	if e.Detail != "changed terms" || len(e.Changes) != 1 || e.Changes[0].Field != "terms" {
		t.Errorf("history %q with changes %+v, want terms alone", e.Detail, e.Changes)
	}
	first, second := a.Instalments[0].Amount, a.Instalments[1].Amount
	up, down := first+5000, second-5000
	e, err = a.Amend(Amendment{InstalmentDates: []DateChange{{Number: 1, Amount: &up}, {Number: 2, Amount: &down}}, Reason: "earlier need"}, now, "olu")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.Detail, fmt.Sprint(up)) || !strings.Contains(e.Detail, "instalment 1 amount") || !strings.Contains(e.Detail, "reason: earlier need") {
		t.Errorf("amounts' history %q: want the fields named and no minor units", e.Detail)
	}
}

// A note is checked field by field, dated today unless given, never later;
// each document it announces is pending under a key of the agreement's.
func TestNewNote(t *testing.T) {
	a := &Agreement{ID: "agr1"}
	today := Date{Year: 2026, Month: 5, Day: 2}
	ids := 0
	newID := func() string { ids++; return fmt.Sprint("id", ids) }
	n, err := NewNote(a, NoteInput{Kind: NoteCall, Text: " Called Jo. ", Documents: []DocumentInput{{Title: "Minutes", Type: "pdf"}}}, today, now, "olu", newID)
	if err != nil {
		t.Fatal(err)
	}
	if n.On != today || n.Text != "Called Jo." || len(n.Documents) != 1 {
		t.Fatalf("note %+v", n)
	}
	d := n.Documents[0]
	if d.Status != DocumentPending || d.Type != "application/pdf" || d.Key != "documents/agr1/"+d.ID || d.FileName() != "Minutes.pdf" {
		t.Errorf("document %+v (%s)", d, d.FileName())
	}
	_, err = NewNote(a, NoteInput{Kind: "chat", On: "2026-05-03", Text: "", Documents: []DocumentInput{{Title: "a/b", Type: "exe"}}}, today, now, "olu", newID)
	var fields []string
	if e, ok := err.(*Error); ok {
		for _, f := range e.Fields {
			fields = append(fields, f.Field)
		}
	}
	if want := []string{"kind", "on", "text", "documents[0].title", "documents[0].type"}; !slices.Equal(fields, want) {
		t.Errorf("a bad note's fields %v, want %v (%v)", fields, want, err)
	}
	if err := d.CheckUpload(10, "application/pdf"); err != nil {
		t.Errorf("a PDF of 10 bytes: %v", err)
	}
	for _, bad := range []struct {
		size int64
		typ  string
	}{{0, "application/pdf"}, {MaxDocumentSize + 1, "application/pdf"}, {10, "text/html"}} {
		if err := d.CheckUpload(bad.size, bad.typ); ErrorCode(err) != Invalid {
			t.Errorf("an upload of %d bytes of %s: %v, want invalid", bad.size, bad.typ, err)
		}
	}
}
