package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// Confidential feedback (issue 24, item 2) on pkg/memstore: kept once for
// staff without its sender, its agreement kept apart; the agreement, its
// history and its outbox untouched; shown among "What partners told us"
// as from "a partner in round N". Without an agreement (a token that did
// not verify) only the sender's record is kept, naming none.
func TestConfidentialFeedbackKeepsNoSenderForStaff(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 23, 30, 0, 0, time.UTC) // 16 June in London
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	store := memstore.New()
	env := service.Env{Now: func() time.Time { return now }, NewID: memstore.NewID, Location: london}
	replies := service.NewReplies(store, service.LeaveQueued, service.NoMetrics, env)
	a, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: "Levenshulme Community Kitchen", RegistrationNumber: "1180123", Address: "1 Stockport Road, Manchester M19 3AB"},
		Contacts:  []grants.Contact{{Name: "Ade", Email: "ade@kitchen.example", Role: "lead"}},
		Amount:    1_000_000, Currency: new("GBP"), StartDate: "2026-01-31", TimeZone: new("Europe/London"),
	}, now, "officer@funder.test")
	if err != nil {
		t.Fatal(err)
	}
	a.ID = memstore.NewID()
	if _, err := store.CreateAgreement(ctx, a, grants.Audited(grants.AuditEntry{At: now, Actor: "officer@funder.test", Action: "agreement.created"}), nil); err != nil {
		t.Fatal(err)
	}
	before, _ := store.GetAgreement(ctx, a.ID)
	history, _ := store.AllHistory(ctx, a.ID)

	m := service.ConfidentialMessage{MessageID: "ses-1", AgreementID: a.ID, ReceivedAt: now, Round: 2, Words: "the forms are long", Files: 2}
	if err := replies.AcceptConfidentialFeedback(ctx, m, before, grants.Effects{At: now}); err != nil {
		t.Fatal(err)
	}
	if err := replies.AcceptConfidentialFeedback(ctx, m, before, grants.Effects{At: now}); grants.ErrorCode(err) != grants.Conflict {
		t.Errorf("stored again: %v, want a conflict", err)
	}
	if err := replies.AcceptConfidentialFeedback(ctx, service.ConfidentialMessage{MessageID: "ses-2", ReceivedAt: now, Round: 1, Words: "forged"}, nil, grants.Effects{At: now}); err != nil {
		t.Fatal(err)
	}

	list, err := store.ConfidentialFeedback(ctx, "community-2026")
	if err != nil || len(list) != 1 {
		t.Fatalf("stored %+v %v", list, err)
	}
	f := list[0]
	if f.Words != "the forms are long" || f.Round != 2 || f.Files != 2 || f.On.String() != "2026-06-16" || f.ID != grants.ConfidentialID("ses-1") {
		t.Errorf("stored %+v", f)
	}
	if s, _ := store.ConfidentialSender(ctx, f.ID); s == nil || s.AgreementID != a.ID || s.MessageID != "ses-1" {
		t.Errorf("its sender: %+v", s)
	}
	if s, _ := store.ConfidentialSender(ctx, grants.ConfidentialID("ses-2")); s == nil || s.AgreementID != "" || s.Reason != "bad_token" {
		t.Errorf("the one with no agreement: %+v", s)
	}
	after, _ := store.GetAgreement(ctx, a.ID)
	if after.Version != before.Version {
		t.Errorf("the agreement changed: version %d → %d", before.Version, after.Version)
	}
	if h, _ := store.AllHistory(ctx, a.ID); len(h) != len(history) {
		t.Errorf("its history grew: %+v", h)
	}
	if work, _ := store.DueWork(ctx, grants.DateOf(now).AddDays(400)); len(work) != 0 {
		t.Errorf("something queued: %+v", work)
	}

	fb, err := service.NewViews(store, env).Feedback(ctx, "community-2026")
	if err != nil {
		t.Fatal(err)
	}
	if len(fb.Rounds) != 1 || fb.Rounds[0].CheckIn != 2 || len(fb.Rounds[0].Entries) != 1 {
		t.Fatalf("feedback %+v", fb.Rounds)
	}
	e := fb.Rounds[0].Entries[0]
	if e.From != "a partner in round 2" || !e.Confidential || e.AgreementID != "" || e.Partner != "" || e.Reference != "" ||
		strings.Contains(e.Words, "forged") || e.Files != 2 {
		t.Errorf("shown as %+v", e)
	}
}
