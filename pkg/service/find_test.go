package service_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// The list finds by words (any case and accent), narrows to a status and to
// "my agreements", sorts each way with a stable tie-break, counts every
// match, and pages what it found; the plain list pages by cursor both ways
// with the total from the aggregate; a sort or search it cannot do is a
// problem naming its field.
func TestFindSearchesSortsAndPages(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)
	st := memstore.New()
	env := service.Env{Now: func() time.Time { return now }, NewID: memstore.NewID}
	x := service.NewAgreements(st, service.LeaveQueued, service.NoSchedules, env, service.AgreementOptions{})
	partners := []string{"Östra Youth Theatre", "Bolton Carers", "Ashton Arts", "Café Collective", "Zebra Crossing CIC"}
	for i, name := range partners {
		in := grants.NewAgreementInput{Programme: "pilot", Partner: grants.Partner{Name: name, RegistrationNumber: fmt.Sprint(1180120 + i), Address: "1 Road, Manchester M1 1AA"},
			Contacts: []grants.Contact{{Name: "Amina Khan", Email: fmt.Sprintf("amina%d@partner.example", i)}}, Amount: int64(1_000_000 - i*100_000),
			StartDate: fmt.Sprintf("2026-0%d-01", 7+i%3)}
		if i%2 == 1 {
			in.Owner = &grants.Officer{Name: "Olu", Email: "olu@funder.example"}
		}
		if _, _, err := x.CreateAgreement(ctx, "olu@funder.example", in, nil); err != nil {
			t.Fatal(err)
		}
	}
	names := func(f service.Found) []string {
		var out []string
		for _, a := range f.Items {
			out = append(out, a.Partner.Name)
		}
		return out
	}
	for _, c := range []struct {
		q     service.FindQuery
		want  []string
		total int
	}{
		{service.FindQuery{Q: "ostra"}, []string{"Östra Youth Theatre"}, 1},
		{service.FindQuery{Q: "AMINA", Sort: "partner", Limit: 2}, []string{"Ashton Arts", "Bolton Carers"}, 5},
		{service.FindQuery{Q: "amina", Sort: "partner", Limit: 2, Page: 3}, []string{"Zebra Crossing CIC"}, 5},
		{service.FindQuery{Q: "amina", Sort: "-partner", Limit: 2}, []string{"Zebra Crossing CIC", "Östra Youth Theatre"}, 5},
		{service.FindQuery{Q: "amina", Sort: "amount", Limit: 2}, []string{"Zebra Crossing CIC", "Café Collective"}, 5},
		{service.FindQuery{Owner: "olu@funder.example"}, []string{"Bolton Carers", "Café Collective"}, 2},
		{service.FindQuery{Sort: "next"}, []string{"Café Collective", "Östra Youth Theatre", "Bolton Carers", "Zebra Crossing CIC", "Ashton Arts"}, 5},
		{service.FindQuery{Q: "amina", Status: grants.AgreementActive}, nil, 0},
	} {
		c.q.Programme = "pilot"
		f, err := x.Find(ctx, c.q)
		if err != nil {
			t.Fatalf("%+v: %v", c.q, err)
		}
		if got := names(f); !slices.Equal(got, c.want) || f.Total != c.total || f.How == "" {
			t.Errorf("%+v: %v (total %d), want %v (total %d)", c.q, got, f.Total, c.want, c.total)
		}
	}
	first, err := x.Find(ctx, service.FindQuery{Programme: "pilot", Limit: 2})
	if err != nil || first.Total != 5 || len(first.Items) != 2 || first.NextCursor == "" || first.PrevCursor != "" || first.How != service.HowIndex {
		t.Fatalf("the plain list: %+v %v", first, err)
	}
	second, err := x.Find(ctx, service.FindQuery{Programme: "pilot", Limit: 2, Cursor: first.NextCursor})
	if err != nil || second.PrevCursor == "" {
		t.Fatalf("page 2: %+v %v", second, err)
	}
	back, err := x.Find(ctx, service.FindQuery{Programme: "pilot", Limit: 2, Cursor: second.PrevCursor})
	if err != nil || !slices.Equal(names(back), names(first)) {
		t.Errorf("back from page 2: %v, want %v (%v)", names(back), names(first), err)
	}
	for field, q := range map[string]service.FindQuery{
		"sort":   {Sort: "colour"},
		"q":      {Q: "a b c d e f g"},
		"status": {Status: "lost"},
	} {
		q.Programme = "pilot"
		_, err := x.Find(ctx, q)
		var ge *grants.Error
		if grants.ErrorCode(err) != grants.Invalid || !errors.As(err, &ge) || len(ge.Fields) != 1 || ge.Fields[0].Field != field {
			t.Errorf("%s: %v, want invalid naming it", field, err)
		}
	}
}
