package dynamo

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestPartnerItemsGolden pins the items of a partner record (issue 23): the
// record in the ByProgramme index's PARTNERS partition, its history and an
// agreement's link (testdata/partner-items.golden.json; -update rewrites
// it), and that they read back as written.
func TestPartnerItemsGolden(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.AppTable(t)
	st := New(db, table)
	rec := &grants.PartnerRecord{ID: "goldenpartnerabc",
		Partner: grants.Partner{Name: "Friends of Platt Fields", Address: "Platt Fields Park, Manchester M14 6LA", Type: grants.PartnerUnincorporated},
		Version: 1, CreatedAt: at(1), CreatedBy: goldenActor, UpdatedAt: at(1), UpdatedBy: goldenActor}
	checkAllSet(t, "PartnerRecord", grants.PartnerRecord{ID: rec.ID, Partner: grants.Partner{Name: "x", Address: "x", Type: "x", RegistrationNumber: "x"},
		Version: 1, CreatedAt: at(1), CreatedBy: "x", UpdatedAt: at(1), UpdatedBy: "x"})
	if err := st.Apply(ctx, "goldenagreementa", grants.Effects{At: at(1), PartnerLinks: []grants.PartnerLink{{PartnerID: rec.ID, AgreementID: "goldenagreementa", CreatedAt: at(0), New: rec}}}); err != nil {
		t.Fatal(err)
	}
	number := "SC012345"
	typ := grants.PartnerScottishCharity
	if _, err := st.UpdatePartner(ctx, rec.ID, 1, func(r *grants.PartnerRecord) (grants.AuditEntry, error) {
		return r.Amend(grants.PartnerAmendment{Type: &typ, RegistrationNumber: &number}, at(2), goldenActor)
	}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join("testdata", "partner-items.golden.json"), dumpTable(t, db, table, "none"))

	got, err := st.GetPartner(ctx, rec.ID)
	want := *rec
	want.Type, want.RegistrationNumber, want.Version, want.UpdatedAt = typ, number, 2, at(2)
	same(t, "partner", got, &want, err)
	list, err := st.ListPartners(ctx, "friends", "", 5)
	same(t, "partners listed", list.Items, []grants.PartnerRecord{want}, err)
}

// An agreement stored before partner types, phone numbers and partner
// records reads as before: its partner's type is the one its number says,
// its contacts have no phone, it has no partner record, and it lists.
func TestAgreementsFromBeforePartnerRecordsRead(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.AppTable(t)
	st := New(db, table)
	for _, c := range []struct {
		number string
		want   grants.PartnerType
	}{
		{"1100001", grants.PartnerRegisteredCharity},
		{"01234567", grants.PartnerCompany},
		{"SC012345", grants.PartnerScottishCharity},
		{"NIC100012", grants.PartnerNICharity},
	} {
		a, err := grants.NewAgreement(grants.NewAgreementInput{Programme: "old", Partner: grants.Partner{Name: "Old Partner", RegistrationNumber: c.number, Address: "1 Old Road"},
			Contacts: []grants.Contact{{Name: "Min", Email: "min@partner.example"}}, Amount: 200_000, StartDate: "2026-04-01"}, at(0), goldenActor)
		if err != nil {
			t.Fatal(err)
		}
		a.ID = NewID()
		if _, err := st.CreateAgreement(ctx, a, grants.Effects{At: at(0)}, nil); err != nil {
			t.Fatal(err)
		}
		// As stored before issue 23: no partner type (nor phone, nor partnerId).
		if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table, Key: keyOf(agreementPK(a.ID), "A"),
			UpdateExpression: aws.String("REMOVE #p.#t"), ExpressionAttributeNames: map[string]string{"#p": "partner", "#t": "type"}}); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetAgreement(ctx, a.ID)
		if err != nil || got.Partner.Type != c.want || got.PartnerID != "" || got.Contacts[0].Phone != "" {
			t.Errorf("%s: read %+v %v; want type %s", c.number, got.Partner, err, c.want)
		}
	}
	page, err := st.ListAgreements(ctx, "old", "", "", 10)
	if err != nil || len(page.Items) != 4 {
		t.Errorf("old agreements listed: %d %v", len(page.Items), err)
	}
}
