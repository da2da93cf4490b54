package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

func partnerRec(t *testing.T, name string, p grants.Partner) *grants.PartnerRecord {
	t.Helper()
	p.Name = name
	p, err := grants.CheckPartner("", p)
	if err != nil {
		t.Fatal(err)
	}
	return grants.NewPartnerRecord(NewID(), p, Now, officer)
}

// A partner record is created once, read back as written, amended at its
// version with its history kept, and listed by name (and a name's start),
// in pages; the caller never holds stored state.
func partnerRecords(t *testing.T, st Store) {
	ctx := context.Background()
	group := partnerRec(t, "Friends of Platt Fields", grants.Partner{Type: grants.PartnerUnincorporated, Address: "Platt Fields Park, Manchester M14 6LA"})
	charity := partnerRec(t, "levenshulme Food Club", grants.Partner{Type: grants.PartnerRegisteredCharity, RegistrationNumber: "1100001", Address: "1 Stockport Road, Manchester M19 3AB"})
	artist := partnerRec(t, "Ada Lovelace", grants.Partner{Type: grants.PartnerIndividual, Address: "2 Moss Lane, Manchester M15 5AA"})
	for _, r := range []*grants.PartnerRecord{group, charity, artist} {
		if err := st.CreatePartner(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.CreatePartner(ctx, group); code(err) != grants.Conflict {
		t.Errorf("a second record with one ID: %v, want a Conflict", err)
	}
	got, err := st.GetPartner(ctx, charity.ID)
	if err != nil || got.Name != charity.Name || got.Type != grants.PartnerRegisteredCharity || got.RegistrationNumber != "1100001" || got.Version != 1 ||
		!got.CreatedAt.Equal(Now) || got.CreatedBy != officer {
		t.Errorf("read back %+v, %v; want %+v", got, err, charity)
	}
	got.Name = "Changed by the caller"
	if again, _ := st.GetPartner(ctx, charity.ID); again.Name != charity.Name {
		t.Error("stored record changed through a caller's copy")
	}
	for _, id := range []string{NewID(), "not-an-id"} {
		if _, err := st.GetPartner(ctx, id); code(err) != grants.NotFound {
			t.Errorf("get partner %q: %v", id, err)
		}
	}

	// Amended at its version, the change in its history.
	later := Now.Add(time.Hour)
	name := "Friends of Platt Fields Park"
	amended, err := st.UpdatePartner(ctx, group.ID, 1, func(r *grants.PartnerRecord) (grants.AuditEntry, error) {
		return r.Amend(grants.PartnerAmendment{Name: &name}, later, officer)
	})
	if err != nil || amended.Name != name || amended.Version != 2 {
		t.Fatalf("amend: %+v %v", amended, err)
	}
	if _, err := st.UpdatePartner(ctx, group.ID, 1, func(r *grants.PartnerRecord) (grants.AuditEntry, error) {
		return r.Amend(grants.PartnerAmendment{Name: &name}, later, officer)
	}); code(err) != grants.PreconditionFailed {
		t.Errorf("amend at an old version: %v, want PreconditionFailed", err)
	}
	if _, err := st.UpdatePartner(ctx, NewID(), 0, func(r *grants.PartnerRecord) (grants.AuditEntry, error) { return grants.AuditEntry{}, nil }); code(err) != grants.NotFound {
		t.Errorf("amend a missing partner: %v", err)
	}
	h, err := st.PartnerHistory(ctx, group.ID)
	if err != nil || len(h) != 2 || h[0].Action != "partner.created" || h[1].Action != "partner.amended" ||
		len(h[1].Changes) != 1 || h[1].Changes[0].Field != "name" || h[1].Changes[0].Before[0] != "Friends of Platt Fields" {
		t.Errorf("history: %+v %v", h, err)
	}

	// Listed by name, case aside; by a name's start; in pages.
	all, err := st.ListPartners(ctx, "", "", 10)
	if err != nil || len(all.Items) != 3 || all.Items[0].ID != artist.ID || all.Items[1].ID != group.ID || all.Items[2].ID != charity.ID {
		t.Errorf("list: %+v %v", all, err)
	}
	some, err := st.ListPartners(ctx, "FRIENDS of", "", 10)
	if err != nil || len(some.Items) != 1 || some.Items[0].Name != name {
		t.Errorf("list by a name's start: %+v %v", some, err)
	}
	first, err := st.ListPartners(ctx, "", "", 2)
	if err != nil || len(first.Items) != 2 || first.NextCursor == "" {
		t.Fatalf("first page: %+v %v", first, err)
	}
	rest, err := st.ListPartners(ctx, "", first.NextCursor, 2)
	if err != nil || len(rest.Items) != 1 || rest.Items[0].ID != charity.ID {
		t.Errorf("second page: %+v %v", rest, err)
	}
	if _, err := st.ListPartners(ctx, "", "bogus", 2); code(err) != grants.Invalid {
		t.Errorf("a cursor this API did not give: %v", err)
	}
}

// An agreement's partner links are written with it, in one transaction:
// a new record with the agreement that made it, a link to an existing one;
// a partner's agreements read back oldest first, as they stand now; a
// failed link writes neither.
func partnerLinks(t *testing.T, st Store) {
	ctx := context.Background()
	a := draft(t, "alpha", 1, "2026-07-01")
	rec := grants.NewPartnerRecord(NewID(), a.Partner, Now, officer)
	a.PartnerID = rec.ID
	fx := created()
	fx.PartnerLinks = []grants.PartnerLink{{PartnerID: rec.ID, AgreementID: a.ID, CreatedAt: a.CreatedAt, New: rec}}
	if _, err := st.CreateAgreement(ctx, a, fx, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := st.GetPartner(ctx, rec.ID); err != nil || got.Name != a.Partner.Name {
		t.Fatalf("the record made with the agreement: %+v %v", got, err)
	}
	if got, err := st.GetAgreement(ctx, a.ID); err != nil || got.PartnerID != rec.ID {
		t.Fatalf("agreement's partner: %+v %v", got, err)
	}

	// A renewal: a second agreement linked to the same record.
	b := draft(t, "beta", 2, "2027-07-01")
	b.PartnerID = rec.ID
	fx = created()
	fx.PartnerLinks = []grants.PartnerLink{{PartnerID: rec.ID, AgreementID: b.ID, CreatedAt: b.CreatedAt}}
	if _, err := st.CreateAgreement(ctx, b, fx, nil); err != nil {
		t.Fatal(err)
	}
	activate(t, st, a.ID, false)
	as, err := st.PartnerAgreements(ctx, rec.ID)
	if err != nil || len(as) != 2 || as[0].ID != a.ID || as[1].ID != b.ID || as[0].Status != grants.AgreementActive || len(as[0].Instalments) != 0 {
		t.Errorf("partner's agreements: %+v %v", as, err)
	}

	// A link whose new record exists already fails, and writes nothing.
	c := draft(t, "alpha", 3, "2026-08-01")
	fx = created()
	fx.PartnerLinks = []grants.PartnerLink{{PartnerID: rec.ID, AgreementID: c.ID, CreatedAt: c.CreatedAt, New: rec}}
	if _, err := st.CreateAgreement(ctx, c, fx, nil); err == nil {
		t.Error("a new record over an existing one was written")
	}
	if _, err := st.GetAgreement(ctx, c.ID); code(err) != grants.NotFound {
		t.Errorf("the agreement of a failed link: %v", err)
	}

	// An agreement made before partner records is linked by a change.
	old := create(t, st, draft(t, "alpha", 4, "2026-09-01"))
	_, err = st.UpdateAgreement(ctx, old.ID, 0, func(x *grants.Agreement) (grants.Effects, error) {
		e, err := x.LinkPartner(*rec, Now, officer)
		return grants.Effects{At: Now, Audit: []grants.AuditEntry{e}, PartnerLinks: []grants.PartnerLink{{PartnerID: rec.ID, AgreementID: x.ID, CreatedAt: x.CreatedAt}}}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	as, err = st.PartnerAgreements(ctx, rec.ID)
	if err != nil || len(as) != 3 || as[2].ID != old.ID || as[2].PartnerID != rec.ID {
		t.Errorf("after linking an old agreement: %+v %v", as, err)
	}
	if as, err := st.PartnerAgreements(ctx, NewID()); err != nil || len(as) != 0 {
		t.Errorf("agreements of no partner: %+v %v", as, err)
	}
}
