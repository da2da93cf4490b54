package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// The programmes of a scale table: Big holds the n agreements measured;
// Small holds one draft agreement (four scheduled instalments) and the
// pending held messages, so its lists show what reading "one programme's few
// rows among many" costs; Race is where the concurrent creators write.
const (
	Big   = "bench-big"
	Small = "bench-small"
	Race  = "bench-race"
)

// Today is the day the reads are made on.
var Today = grants.Date{Year: 2026, Month: 6, Day: 15}

var now = time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)

// Row is one size's measurements: read units (and requests) of each read,
// and the creators' throughput.
type Row struct {
	Agreements   int
	Seeded       time.Duration
	Summary      Reading
	Quarantine   Reading // Small's pending messages among Big's resolved ones
	Instalments  Reading // Small's four rows among Big's
	Export       Reading // Big's CSV export
	Sweep        Reading // the due-work read for Today
	SweepItems   int
	Creators     int
	Creates      int
	Created      int // of Creates, those that succeeded
	CreateErrors map[string]int
	CreateTime   time.Duration
	// Morning is a morning of min(Agreements, MorningSize) check-ins: the
	// queue messages it made (Morning).
	Morning MorningResult
	// Overview is the overview's own read beside the summary's: the
	// summary and a page of what needs attention (issue 26, item 2);
	// Search a search by one agreement's reference (item 1).
	Overview Reading
	Search   Reading
}

// MorningSize bounds a row's morning: each agreement's schedules are made
// one by one in the Scheduler stand-in, and the ratio measured does not
// change with the size.
const MorningSize = 1000

// CreatesPerSecond is the creators' successful creates per second.
func (r Row) CreatesPerSecond() float64 {
	if r.CreateTime <= 0 {
		return 0
	}
	return float64(r.Created) / r.CreateTime.Seconds()
}

// Scale seeds table (empty, defined as in template.yaml) with n agreements
// in Big, n/10 resolved held messages, Small's agreement and two pending
// messages, then measures each read through the store's and the service's
// public methods, and creators creating creates agreements in Race.
func Scale(ctx context.Context, db *dynamodb.Client, m *Meter, table string, n, creators, creates int) (Row, error) {
	row := Row{Agreements: n, Creators: creators, Creates: creates}
	// Every read goes through the Pager: DynamoDB Local would otherwise read
	// the rest of the partition for each page (see Pager).
	st := dynamo.New(&Pager{DB: db, Meter: m}, table)
	began := time.Now()
	if err := seed(ctx, db, st, table, n); err != nil {
		return row, err
	}
	row.Seeded = time.Since(began)

	views := service.NewViews(st, service.Env{Now: func() time.Time { return now }})
	measure := func(name string, into *Reading, read func() error) error {
		m.Reset()
		began := time.Now()
		err := read()
		*into = m.Read()
		progress("%s read in %v: %.1f units, %d requests", name, time.Since(began).Round(time.Millisecond), into.Units, into.Requests)
		return err
	}
	if err := measure("summary", &row.Summary, func() error {
		// The summary's own read: the held messages are measured apart.
		s, err := views.SummaryCounting(ctx, Big, 0)
		if err == nil && s.Status.Total != n {
			err = fmt.Errorf("summary counts %d agreements, want %d", s.Status.Total, n)
		}
		return err
	}); err != nil {
		return row, fmt.Errorf("summary: %w", err)
	}
	if err := measure("overview", &row.Overview, func() error {
		s, err := views.SummaryCounting(ctx, Big, 0)
		if err != nil {
			return err
		}
		at, err := views.Attention(ctx, Big, "", 10, 0)
		if err == nil && s.Totals.NeedsAttention > 0 && len(at.Items) == 0 {
			err = fmt.Errorf("the overview lists none of the %d needing attention", s.Totals.NeedsAttention)
		}
		return err
	}); err != nil {
		return row, fmt.Errorf("overview: %w", err)
	}
	if err := measure("search", &row.Search, func() error {
		ref := fmt.Sprintf("CP-2026-B%06d", n/2)
		found, _, err := st.FindAgreements(ctx, Big, grants.SearchWords(ref), "")
		if err == nil && (len(found) != 1 || found[0].Reference != ref) {
			err = fmt.Errorf("search for %s found %d", ref, len(found))
		}
		return err
	}); err != nil {
		return row, fmt.Errorf("search: %w", err)
	}
	if err := measure("quarantine", &row.Quarantine, func() error {
		held, err := views.HeldFor(ctx, Small)
		if err == nil && len(held) != 2 {
			err = fmt.Errorf("%d held for %s, want 2", len(held), Small)
		}
		return err
	}); err != nil {
		return row, fmt.Errorf("quarantine: %w", err)
	}
	if err := measure("instalment list", &row.Instalments, func() error {
		got, cursor := 0, ""
		for {
			page, err := st.ListInstalments(ctx, grants.InstalmentFilter{Status: grants.InstalmentScheduled, Programme: Small}, cursor, 100)
			if err != nil {
				return err
			}
			got += len(page.Items)
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if got != 4 {
			return fmt.Errorf("%d instalments listed for %s, want 4", got, Small)
		}
		return nil
	}); err != nil {
		return row, fmt.Errorf("instalment list: %w", err)
	}
	if err := measure("export", &row.Export, func() error { return views.CSV(ctx, io.Discard, Big) }); err != nil {
		return row, fmt.Errorf("export: %w", err)
	}
	if err := measure("sweep", &row.Sweep, func() error {
		work, err := st.DueWork(ctx, Today)
		row.SweepItems = len(work)
		return err
	}); err != nil {
		return row, fmt.Errorf("sweep: %w", err)
	}
	began = time.Now()
	err := race(ctx, st, &row)
	progress("%d creates in %v", row.Creates, time.Since(began).Round(time.Millisecond))
	return row, err
}

// seed writes the agreements with dynamo.Import (BatchWriteItem, not the
// API: creating 100,000 agreements one by one would take hours) and the held
// messages through the store's effects, resolving Big's.
func seed(ctx context.Context, db *dynamodb.Client, st *dynamo.Store, table string, n int) error {
	list := make([]*grants.Agreement, 0, n+1)
	for i := range n {
		a, err := agreement(Big, i)
		if err != nil {
			return err
		}
		list = append(list, a)
	}
	small, err := agreement(Small, 0)
	if err != nil {
		return err
	}
	small.Status = grants.AgreementDraft
	for i := range small.Instalments {
		small.Instalments[i].Status = grants.InstalmentScheduled
	}
	for i := range small.CheckIns {
		small.CheckIns[i].Status = grants.CheckInScheduled
	}
	list = append(list, small)
	began, done := time.Now(), 0
	for chunk := range slices.Chunk(list, 10000) {
		t := time.Now()
		if err := dynamo.Import(ctx, db, table, chunk); err != nil {
			return err
		}
		done += len(chunk)
		progress("imported %d of %d agreements: these %d in %v (%.0f a second), %v in all",
			done, len(list), len(chunk), time.Since(t).Round(time.Millisecond), float64(len(chunk))/time.Since(t).Seconds(), time.Since(began).Round(time.Second))
	}
	progress("rebuilding the aggregates…")
	if err := rebuild(ctx, st, Big, Small); err != nil {
		return err
	}

	progress("aggregates rebuilt, %v in all; holding messages…", time.Since(began).Round(time.Second))
	resolved := max(n/10, 10)
	var held []grants.Quarantined
	for i := range resolved {
		held = append(held, grants.Quarantined{ID: fmt.Sprintf("bench-resolved-%07d", i), Status: grants.QuarantinePending,
			Reason: grants.QuarantineUnknownSender, Programme: Big, AgreementID: list[i%n].ID,
			Reply: grants.Reply{MessageID: fmt.Sprintf("bench-resolved-%07d", i), From: "someone@elsewhere.example", Subject: "Re: check-in", Text: "Thanks"}})
	}
	var decided []grants.Decision
	for _, q := range held {
		decided = append(decided, grants.Decision{MessageID: q.ID, Status: grants.QuarantineRejected, Actor: "officer@funder.example", Note: "not a partner"})
	}
	for i := range 2 {
		id := fmt.Sprintf("bench-pending-%d", i)
		held = append(held, grants.Quarantined{ID: id, Status: grants.QuarantinePending, Reason: grants.QuarantineUnknownSender,
			Programme: Small, AgreementID: small.ID, Reply: grants.Reply{MessageID: id, From: "someone@elsewhere.example", Subject: "Re: check-in", Text: "Hello"}})
	}
	if err := inParallel(ctx, slices.Collect(slices.Chunk(held, 25)), func(batch []grants.Quarantined) error {
		return st.Apply(ctx, "", grants.Effects{At: now, Held: batch})
	}); err != nil {
		return fmt.Errorf("hold messages: %w", err)
	}
	progress("%d messages held, %v in all; resolving…", len(held), time.Since(began).Round(time.Second))
	if err := inParallel(ctx, slices.Collect(slices.Chunk(decided, 25)), func(batch []grants.Decision) error {
		return st.Apply(ctx, "", grants.Effects{At: now, Decisions: batch})
	}); err != nil {
		return fmt.Errorf("resolve messages: %w", err)
	}
	return nil
}

// progress reports a step of a long run on stderr (100,000 agreements take
// many minutes).
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "scalebench: "+format+"\n", args...)
}

// rebuild recomputes the programmes' aggregates after Import.
func rebuild(ctx context.Context, st *dynamo.Store, programmes ...string) error {
	for _, p := range programmes {
		if err := st.RebuildAggregate(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// agreement is a realistic agreement: two contacts, three terms, four
// quarterly instalments and check-ins. Every third one is still a draft;
// the rest are active with the first instalment paid, the second due and
// the first check-in received.
func agreement(p string, i int) (*grants.Agreement, error) {
	a, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme: p,
		Partner: grants.Partner{Name: fmt.Sprintf("Community Partner %06d", i), RegistrationNumber: fmt.Sprintf("1%06d", i),
			Address: fmt.Sprintf("%d Stockport Road, Manchester M19 3AB", i+1)},
		Contacts: []grants.Contact{
			{Name: "Amina Khan", Email: fmt.Sprintf("lead%d@partner.example", i), Role: "lead"},
			{Name: "Joe Bloggs", Email: fmt.Sprintf("finance%d@partner.example", i), Role: "finance"},
		},
		Amount:    int64(500_000 + i%1000),
		StartDate: "2026-01-31",
		Terms:     []string{"Co-host four community meals at the venue", "Share attendance figures each quarter", "Credit the programme on posters"},
		Support:   []string{"Evaluation mentoring", "Two places on the safeguarding course"},
	}, now, "officer@funder.example")
	if err != nil {
		return nil, err
	}
	a.ID, a.Reference = dynamo.NewID(), fmt.Sprintf("CP-2026-B%06d", i)
	if i%3 != 0 {
		a.Status = grants.AgreementActive
		a.Instalments[0].Status, a.Instalments[0].PaidOn, a.Instalments[0].PaymentReference = grants.InstalmentPaid, a.StartDate, fmt.Sprintf("BACS-%06d", i)
		a.Instalments[1].Status = grants.InstalmentDue
		a.CheckIns[0].Status = grants.CheckInReceived
	}
	return a, nil
}

// race has row.Creators goroutines create row.Creates agreements in Race
// through the service, as the API does, and counts what succeeded.
func race(ctx context.Context, st *dynamo.Store, row *Row) error {
	svc := service.NewAgreements(st, service.LeaveQueued, service.NoSchedules,
		service.Env{Now: func() time.Time { return now }, NewID: dynamo.NewID}, service.AgreementOptions{})
	var (
		next    atomic.Int64
		created atomic.Int64
		first   atomic.Bool
		mu      sync.Mutex
		wg      sync.WaitGroup
	)
	row.CreateErrors = map[string]int{}
	began := time.Now()
	for range row.Creators {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= row.Creates {
					return
				}
				_, _, err := svc.CreateAgreement(ctx, "officer@funder.example", grants.NewAgreementInput{
					Programme: Race,
					Partner:   grants.Partner{Name: fmt.Sprintf("Racing Partner %d", i), RegistrationNumber: fmt.Sprintf("2%06d", i), Address: "1 High Street, Leeds LS1 1AA"},
					Contacts:  []grants.Contact{{Name: "Sam Lee", Email: fmt.Sprintf("sam%d@partner.example", i), Role: "lead"}},
					Amount:    1_000_000,
					StartDate: "2026-07-01",
				}, nil)
				if err == nil {
					created.Add(1)
					continue
				}
				reason := string(grants.ErrorCode(err))
				var ge *grants.Error
				if errors.As(err, &ge) && ge.Reason != "" {
					reason = ge.Reason
				}
				if reason == "" {
					reason = "internal"
				}
				if first.CompareAndSwap(false, true) {
					fmt.Fprintf(os.Stderr, "bench: first failed create: %v\n", err)
				}
				mu.Lock()
				row.CreateErrors[reason]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	row.CreateTime = time.Since(began)
	row.Created = int(created.Load())
	return ctx.Err()
}

// inParallel runs do on each batch from 8 goroutines and returns the first error.
func inParallel[T any](ctx context.Context, batches []T, do func(T) error) error {
	work := make(chan T)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range 8 {
		wg.Go(func() {
			for b := range work {
				if err := do(b); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, b := range batches {
		if ctx.Err() != nil {
			break
		}
		work <- b
	}
	close(work)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}
