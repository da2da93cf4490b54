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

// Issue 24: a programme that asks its feedback question second has the
// answer numbered 2 withheld from finance, not the one numbered 4.
func TestFeedbackWithheldWhereTheProgrammeAsksIt(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := st.PutProgrammeSettings(ctx, "own-words", grants.ProgrammeSettings{CheckInQuestions: []grants.CheckInQuestion{
		{Key: "progress"}, {Key: "feedback"}, {Text: "Who came for the first time?"}, {Key: "story"}}}); err != nil {
		t.Fatal(err)
	}
	a, err := grants.NewAgreement(grants.NewAgreementInput{Programme: "own-words",
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
	if _, err := st.UpdateAgreement(ctx, a.ID, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		en, err := a.Activate(now, "olu")
		return []grants.AuditEntry{en}, err
	})); err != nil {
		t.Fatal(err)
	}
	// Reading sends nothing: no delivery.
	x := service.NewReplies(st, nil, service.NoMetrics, service.Env{Now: func() time.Time { return now }})
	r := grants.Reply{AgreementID: a.ID, CheckIn: 1, MessageID: "m1", From: "sarah@hopehouse.example", ReceivedAt: now,
		Text: "1. Forty guests\n2. PRIVATE pay us sooner\n3. Twelve families\n4. Amal's garden"}
	if err := st.Apply(ctx, a.ID, grants.Effects{At: now, Replies: []grants.Reply{r}}); err != nil {
		t.Fatal(err)
	}
	_, got, err := x.CheckIn(ctx, grants.Actor{Groups: []grants.Role{grants.RoleFinance}}, a.ID, 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("%v %+v", err, got)
	}
	if strings.Contains(got[0].Text, "PRIVATE") || got[0].Text != "1. Forty guests\n3. Twelve families\n4. Amal's garden" || !got[0].FeedbackWithheld {
		t.Errorf("finance reads %+v", got[0])
	}
	_, got, _ = x.CheckIn(ctx, grants.Actor{Groups: []grants.Role{grants.RoleProgramme}}, a.ID, 1)
	if got[0].Feedback != "PRIVATE pay us sooner" || got[0].FeedbackWithheld {
		t.Errorf("the programme role reads %+v", got[0])
	}
}
