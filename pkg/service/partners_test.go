package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// oldAgreement stores an agreement as one made before partner records is:
// no partnerId, no link.
func oldAgreement(t *testing.T, st *memstore.Store, name, number string, i int) *grants.Agreement {
	t.Helper()
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	a, err := grants.NewAgreement(grants.NewAgreementInput{Programme: "pilot", Partner: grants.Partner{Name: name, RegistrationNumber: number, Address: "1 Road, Manchester M1 1AA"},
		Contacts: []grants.Contact{{Name: "Amina", Email: "amina@partner.example"}}, Amount: 1_000_000, StartDate: "2025-04-01"}, now, "officer")
	if err != nil {
		t.Fatal(err)
	}
	a.ID = memstore.NewID()
	if _, err := st.CreateAgreement(context.Background(), a, grants.Effects{At: now, Audit: []grants.AuditEntry{{At: now, Actor: "officer", Action: "agreement.created"}}}, nil); err != nil {
		t.Fatal(err)
	}
	return a
}

// Agreements made before partner records get theirs lazily (OfAgreement,
// as an officer opens one or starts a renewal from it) or all at once for a
// programme (LinkProgramme, the back-fill): one record per registered
// number, each agreement linked once, safe to run again.
func TestPartnerRecordsForOldAgreements(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	env := service.Env{Now: func() time.Time { return time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC) }, NewID: memstore.NewID}
	partners := service.NewPartners(st, env)
	a := oldAgreement(t, st, "Levy Kitchen", "1180123", 0)
	b := oldAgreement(t, st, "Levy Kitchen", "1180123", 1) // its second year
	c := oldAgreement(t, st, "Glasgow Group", "SC012345", 2)

	// Lazily: the first agreement opened.
	rec, err := partners.OfAgreement(ctx, "officer", a.ID)
	if err != nil || rec.Name != "Levy Kitchen" || rec.Type != grants.PartnerRegisteredCharity || rec.ID != grants.PartnerKeyID(rec.Partner) {
		t.Fatalf("record of an old agreement: %+v %v", rec, err)
	}
	if again, err := partners.OfAgreement(ctx, "officer", a.ID); err != nil || again.ID != rec.ID {
		t.Errorf("again: %+v %v", again, err)
	}
	if got, _ := st.GetAgreement(ctx, a.ID); got.PartnerID != rec.ID {
		t.Errorf("agreement not linked: %q", got.PartnerID)
	}

	// The back-fill links the rest, twice over to no effect.
	n, err := partners.LinkProgramme(ctx, "officer", "pilot")
	if err != nil || n != 2 {
		t.Fatalf("back-fill linked %d, %v; want 2", n, err)
	}
	if n, err := partners.LinkProgramme(ctx, "officer", "pilot"); err != nil || n != 0 {
		t.Errorf("back-fill again linked %d, %v", n, err)
	}
	v, err := partners.Partner(ctx, rec.ID)
	if err != nil || len(v.Agreements) != 2 || v.Agreements[0].ID != a.ID || v.Agreements[1].ID != b.ID {
		t.Errorf("the charity's agreements: %+v %v", v, err)
	}
	cc, _ := st.GetAgreement(ctx, c.ID)
	scot, err := partners.Partner(ctx, cc.PartnerID)
	if err != nil || scot.Type != grants.PartnerScottishCharity || len(scot.Agreements) != 1 {
		t.Errorf("the Scottish charity: %+v %v", scot, err)
	}
	page, _ := partners.List(ctx, "", "", 10)
	if len(page.Items) != 2 {
		t.Errorf("%d records, want 2", len(page.Items))
	}
	h, _ := st.AllHistory(ctx, b.ID)
	if h[len(h)-1].Action != "agreement.partnerLinked" {
		t.Errorf("linking not in the agreement's history: %+v", h)
	}
}

// racingPartners hides a registered partner's record from the first read,
// as if another officer made it between this create's read and its write.
type racingPartners struct {
	*memstore.Store
	hidden bool
}

func (r *racingPartners) GetPartner(ctx context.Context, id string) (*grants.PartnerRecord, error) {
	if !r.hidden {
		r.hidden = true
		return nil, &grants.Error{Code: grants.NotFound, Message: "not yet"}
	}
	return r.Store.GetPartner(ctx, id)
}

// Two officers creating agreements for one new registered partner at once
// make one record: the second's write fails on the record's condition and
// is retried, linked to the record the first made.
func TestCreatingForOneNewPartnerAtOnce(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	env := service.Env{Now: func() time.Time { return time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC) }, NewID: memstore.NewID}
	in := func() grants.NewAgreementInput {
		return grants.NewAgreementInput{Programme: "pilot", Partner: grants.Partner{Name: "Levy Kitchen", Type: grants.PartnerRegisteredCharity, RegistrationNumber: "1180123", Address: "Manchester M19 3AB"},
			Contacts: []grants.Contact{{Name: "Amina", Email: "amina@partner.example"}}, Amount: 1_000_000, StartDate: "2026-07-01"}
	}
	first, _, err := service.NewAgreements(st, service.LeaveQueued, service.NoSchedules, env, service.AgreementOptions{}).CreateAgreement(ctx, "olu", in(), nil)
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := service.NewAgreements(&racingPartners{Store: st}, service.LeaveQueued, service.NoSchedules, env, service.AgreementOptions{}).CreateAgreement(ctx, "kim", in(), nil)
	if err != nil || second.PartnerID != first.PartnerID {
		t.Fatalf("the second create: %+v, %v", second, err)
	}
	v, err := service.NewPartners(st, env).Partner(ctx, first.PartnerID)
	if err != nil || len(v.Agreements) != 2 || len(v.History) != 1 {
		t.Errorf("one record with both agreements: %+v %v", v, err)
	}
}
