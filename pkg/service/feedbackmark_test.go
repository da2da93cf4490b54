package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// Issue 24: a reply with no question headings is withheld whole from
// finance until a programme officer marks which part is feedback; then
// finance reads the rest, the programme the passage; a mark changes, and
// marking as marked already is no change.
func TestOfficerMarksWhichPartIsFeedback(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	a, err := grants.NewAgreement(grants.NewAgreementInput{Programme: "community",
		Partner:  grants.Partner{Name: "Hope House", RegistrationNumber: "1180123", Address: "1 Stockport Road, Manchester M19 3AB"},
		Contacts: []grants.Contact{{Name: "Sarah Jenkins", Email: "sarah@hopehouse.example", Role: "lead"}},
		Amount:   1_000_000, Currency: new("GBP"), StartDate: "2026-01-31", DurationMonths: new(12), InstalmentCount: new(4),
		Terms: []string{"Run the community garden"}}, now, "olu")
	if err != nil {
		t.Fatal(err)
	}
	a.ID = memstore.NewID()
	if _, err := st.CreateAgreement(ctx, a, grants.Audited(grants.AuditEntry{At: now, Actor: "olu", Action: "agreement.created"}), nil); err != nil {
		t.Fatal(err)
	}
	clock := now
	x := service.NewReplies(st, nil, service.NoMetrics, service.Env{Now: func() time.Time { return clock }})
	words := "Forty guests came to the garden day.\nTo be honest your forms\nare far too long and we are struggling.\nPhotos attached."
	if err := st.Apply(ctx, a.ID, grants.Effects{At: now, Replies: []grants.Reply{{AgreementID: a.ID, CheckIn: 1, MessageID: "m1",
		From: "sarah@hopehouse.example", ReceivedAt: now, Text: words, FullText: words, AsksForHelp: "struggling"}}}); err != nil {
		t.Fatal(err)
	}
	prog := grants.Actor{Name: "olu", Groups: []grants.Role{grants.RoleProgramme}}
	finance := grants.Actor{Name: "fin", Groups: []grants.Role{grants.RoleFinance}}
	viewer := grants.Actor{Name: "vi", Groups: []grants.Role{grants.RoleViewer}}
	read := func(who grants.Actor) grants.Reply {
		t.Helper()
		_, got, err := x.CheckIn(ctx, who, a.ID, 1)
		if err != nil || len(got) != 1 {
			t.Fatalf("%v %+v", err, got)
		}
		return got[0]
	}
	if got := read(finance); got.Text != "" || !got.FeedbackWithheld {
		t.Fatalf("before a mark finance reads %+v", got)
	}

	// Bad input names the field; finance and viewers may not mark.
	passage := "your forms are far too long and we are struggling."
	for _, c := range []struct {
		who       grants.Actor
		messageID string
		passage   *string
		code      grants.Code
		field     string
	}{
		{finance, "m1", &passage, grants.Forbidden, ""},
		{viewer, "m1", &passage, grants.Forbidden, ""},
		{prog, "nope", &passage, grants.Invalid, "messageId"},
		{prog, "", &passage, grants.Invalid, "messageId"},
		{prog, "m1", nil, grants.Invalid, "passage"},
		{prog, "m1", new("words the partner never wrote"), grants.Invalid, "passage"},
	} {
		_, err := x.MarkFeedback(ctx, c.who, a.ID, 1, c.messageID, c.passage)
		if grants.ErrorCode(err) != c.code || (c.field != "" && !hasField(err, c.field)) {
			t.Errorf("%s marking %q: %v, want %s naming %q", c.who.Name, c.messageID, err, c.code, c.field)
		}
	}
	if _, err := x.MarkFeedback(ctx, prog, a.ID, 9, "m1", &passage); grants.ErrorCode(err) != grants.NotFound {
		t.Errorf("check-in 9: %v", err)
	}

	clock = now.Add(time.Hour)
	got, err := x.MarkFeedback(ctx, prog, a.ID, 1, "m1", &passage)
	if err != nil {
		t.Fatal(err)
	}
	if got.Feedback != "your forms\nare far too long and we are struggling." || got.FeedbackMark == nil || got.FeedbackMark.By != "olu" || got.Text != words {
		t.Errorf("the mark returns %+v", got)
	}
	for _, who := range []grants.Actor{finance, viewer} {
		r := read(who)
		if r.Text != "Forty guests came to the garden day.\nTo be honest\n\nPhotos attached." {
			t.Errorf("%s reads %q", who.Name, r.Text)
		}
		if strings.Contains(r.Text+r.FullText, "forms") || !r.FeedbackWithheld || r.FeedbackMark != nil || r.AsksForHelp != "" {
			t.Errorf("%s reads %+v", who.Name, r)
		}
	}
	if r := read(prog); r.Feedback != "your forms\nare far too long and we are struggling." || r.Text != words {
		t.Errorf("the programme reads %+v", r)
	}

	// Again, the same passage: no change, no second entry.
	history := func() []string {
		h, err := st.AllHistory(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range h {
			if e.Action == "reply.feedback_marked" {
				out = append(out, e.Detail)
				if strings.Contains(e.Detail, "forms") {
					t.Errorf("the timeline names the feedback: %q", e.Detail)
				}
			}
		}
		return out
	}
	clock = now.Add(2 * time.Hour)
	if again, err := x.MarkFeedback(ctx, prog, a.ID, 1, "m1", new("your forms are far too long and we are struggling.")); err != nil || !again.FeedbackMark.At.Equal(now.Add(time.Hour)) {
		t.Errorf("marking again: %+v %v", again.FeedbackMark, err)
	}
	if h := history(); len(h) != 1 {
		t.Errorf("entries %q, want one", h)
	}

	// The last mark wins: no feedback in it after all.
	if _, err := x.MarkFeedback(ctx, prog, a.ID, 1, "m1", new("")); err != nil {
		t.Fatal(err)
	}
	if r := read(finance); r.Text != words || r.FeedbackWithheld || r.AsksForHelp != "struggling" {
		t.Errorf("marked as holding no feedback, finance reads %+v", r)
	}
	if h := history(); len(h) != 2 {
		t.Errorf("entries %q, want two", h)
	}
}

func hasField(err error, field string) bool {
	var e *grants.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
