package dynamo

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
	"github.com/partnership-grants/backend/pkg/reports"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	testenv.Main(m)
}

var benchNow = time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)

// benchAgreement is a realistic agreement of programme p: two contacts,
// three terms, four quarterly instalments and check-ins. Every third one is
// still a draft; the rest are active with the first instalment paid.
func benchAgreement(tb testing.TB, p string, i int) *grants.Agreement {
	tb.Helper()
	a, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme: p,
		Partner: grants.Partner{Name: fmt.Sprintf("Community Partner %05d", i), RegistrationNumber: fmt.Sprintf("11%05d", i),
			Address: fmt.Sprintf("%d Stockport Road, Manchester M19 3AB", i+1)},
		Contacts: []grants.Contact{
			{Name: "Amina Khan", Email: fmt.Sprintf("lead%d@partner.example", i), Role: "lead"},
			{Name: "Joe Bloggs", Email: fmt.Sprintf("finance%d@partner.example", i), Role: "finance"},
		},
		Amount:    int64(500_000 + i),
		StartDate: "2026-01-31",
		Terms:     []string{"Co-host four community meals at the venue", "Share attendance figures each quarter", "Credit the programme on posters"},
		Support:   []string{"Evaluation mentoring", "Two places on the safeguarding course"},
	}, benchNow, "officer@funder.example")
	if err != nil {
		tb.Fatal(err)
	}
	a.ID, a.Reference = NewID(), fmt.Sprintf("CP-2026-%03d", i+1)
	if i%3 != 0 {
		a.Status = grants.AgreementActive
		a.Instalments[0].Status, a.Instalments[0].PaidOn, a.Instalments[0].PaymentReference = grants.InstalmentPaid, a.StartDate, fmt.Sprintf("BACS-%05d", i)
		a.Instalments[1].Status = grants.InstalmentDue
		a.CheckIns[0].Status = grants.CheckInReceived
	}
	return a
}

// seed writes n agreements of programme p, each as its whole partition
// (agreement, instalments, check-ins, one audit entry), with Import. It
// skips CreateAgreement on purpose: that is right for people and far too
// slow for 10,000 agreements.
func seed(tb testing.TB, db *dynamodb.Client, table, p string, n int) {
	tb.Helper()
	list := make([]*grants.Agreement, n)
	for i := range n {
		list[i] = benchAgreement(tb, p, i)
	}
	if err := Import(context.Background(), db, table, list); err != nil {
		tb.Fatal(err)
	}
}

func TestProgrammeAgreementsReadsOneProgrammeWhole(t *testing.T) {
	db, table := testenv.AppTable(t)
	st := New(db, table)
	seed(t, db, table, "alpha", 30)
	seed(t, db, table, "beta", 7)
	ctx := context.Background()

	list, cost, err := st.ProgrammeAgreements(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 30 || cost.Items != 30 || cost.Requests != 1 {
		t.Fatalf("%d agreements, %d items read in %d requests; want 30, 30, 1", len(list), cost.Items, cost.Requests)
	}
	if cost.CapacityUnits <= 0 {
		t.Errorf("no consumed capacity reported: %+v", cost)
	}
	for _, a := range list {
		if a.Programme != "alpha" || len(a.Instalments) != 0 || a.Stats.Outstanding == 0 {
			t.Fatalf("listed %s of %s with %d instalments, stats %+v", a.ID, a.Programme, len(a.Instalments), a.Stats)
		}
	}
	// That an empty programme reads empty, and that plans read by ID come
	// in the order asked, as GetAgreement reads them, is the store
	// contract's (storetest).
}

// BenchmarkSummary5000 reads programme summaries from a table of 10,100
// agreements (about 101,000 items): programme A has 5,000 agreements,
// programme B 100, and programme C 5,000 that neither reads. The consumed
// read capacity of a summary is proportional to its own programme's index
// entries, whatever else the table holds: RCU/agreement is the same for A
// and B. Run with go test -run '^$' -bench Summary ./pkg/dynamo; under plain
// go test benchmarks do not run, so the 10,100 agreements are not written.
func BenchmarkSummary5000(b *testing.B) {
	db, table := testenv.AppTable(b)
	st := New(db, table)
	began := time.Now()
	var wg sync.WaitGroup
	for p, n := range map[string]int{"bench-a": 5000, "bench-b": 100, "bench-c": 5000} {
		wg.Go(func() { seed(b, db, table, p, n) })
	}
	wg.Wait()
	b.Logf("seeded 10,100 agreements (%d items) in %v", 10_100*10, time.Since(began).Round(time.Millisecond))

	for _, bc := range []struct {
		name       string
		programme  string
		agreements int
	}{{"programme=A/agreements=5000", "bench-a", 5000}, {"programme=B/agreements=100", "bench-b", 100}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			today := grants.Date{Year: 2026, Month: 6, Day: 15}
			var cost readcost.Cost
			for b.Loop() {
				var list []grants.Agreement
				var err error
				list, cost, err = st.ProgrammeAgreements(ctx, bc.programme)
				if err != nil {
					b.Fatal(err)
				}
				tally, marks, err := reports.Recount(list, today)
				if err != nil {
					b.Fatal(err)
				}
				s, err := reports.FromTally(bc.programme, tally, marks, 0, today)
				if err != nil || s.Status.Total != bc.agreements {
					b.Fatalf("summary of %d agreements, want %d (%v)", s.Status.Total, bc.agreements, err)
				}
			}
			b.ReportMetric(cost.CapacityUnits, "RCU/op")
			b.ReportMetric(float64(cost.Items), "items/op")
			b.ReportMetric(float64(cost.Requests), "queries/op")
			b.ReportMetric(cost.CapacityUnits/float64(bc.agreements), "RCU/agreement")
		})
	}
}
