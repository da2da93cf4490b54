package dynamo

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
)

// takeAll asks for every place at once and tallies the answers.
func takeAll(t *testing.T, st *Store, asks []grants.AutoMail) map[grants.Withheld]int {
	t.Helper()
	got := make([]grants.Withheld, len(asks))
	var wg sync.WaitGroup
	for i, m := range asks {
		wg.Go(func() {
			w, err := st.TakeAutoMail(context.Background(), m)
			if err != nil {
				t.Error(err)
			}
			got[i] = w
		})
	}
	wg.Wait()
	tally := map[grants.Withheld]int{}
	for _, w := range got {
		tally[w]++
	}
	return tally
}

// The day's limits hold under concurrent asks: one email a sender, however
// many of theirs ask at once (a retry of the one that won gets its place
// back); no more than the cap, however many senders; a new day starts
// afresh.
func TestAutoMailLimitsHoldUnderConcurrentAsks(t *testing.T) {
	db, table := testenv.AppTable(t)
	st := New(db, table)
	ctx := context.Background()
	monday := grants.Date{Year: 2026, Month: 4, Day: 20}

	for _, tc := range []struct {
		name string
		asks func(day grants.Date) []grants.AutoMail
		want map[grants.Withheld]int
	}{
		{"one sender, twenty emails", func(day grants.Date) []grants.AutoMail {
			var asks []grants.AutoMail
			for i := range 20 {
				// The address in any case is one sender.
				sender := "Sarah@HopeHouse.example"
				if i%2 == 0 {
					sender = "sarah@hopehouse.example"
				}
				asks = append(asks, grants.AutoMail{Key: fmt.Sprintf("ack#01#m%d", i), Sender: sender, Day: day, Cap: 100})
			}
			return asks
		}, map[grants.Withheld]int{"": 1, grants.WithheldSender: 19}},
		{"twenty senders, a cap of five", func(day grants.Date) []grants.AutoMail {
			var asks []grants.AutoMail
			for i := range 20 {
				asks = append(asks, grants.AutoMail{Key: fmt.Sprintf("ack#01#m%d", i), Sender: fmt.Sprintf("p%d@example.org", i), Day: day, Cap: 5})
			}
			return asks
		}, map[grants.Withheld]int{"": 5, grants.WithheldDailyCap: 15}},
		{"twenty notices to staff, a cap of five", func(day grants.Date) []grants.AutoMail {
			var asks []grants.AutoMail
			for i := range 20 {
				asks = append(asks, grants.AutoMail{Key: fmt.Sprintf("reply-notice#01#m%d", i), Day: day, Cap: 5})
			}
			return asks
		}, map[grants.Withheld]int{"": 5, grants.WithheldDailyCap: 15}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			day := monday
			for range 2 { // and again the next day
				if got := takeAll(t, st, tc.asks(day)); !maps.Equal(got, tc.want) {
					t.Errorf("%s: %v, want %v", day, got, tc.want)
				}
				day = day.AddDays(1)
			}
			monday = day.AddDays(7) // the next case's days are its own
		})
	}

	// The email that took a sender's place keeps it when retried; another does not get it.
	day := grants.Date{Year: 2026, Month: 6, Day: 1}
	first := grants.AutoMail{Key: "ack#01#first", Sender: "amina@kitchen.example", Day: day, Cap: 10}
	for i, tc := range []struct {
		m    grants.AutoMail
		want grants.Withheld
	}{
		{first, ""},
		{first, ""},
		{grants.AutoMail{Key: "ack#02#second", Sender: "AMINA@kitchen.example", Day: day, Cap: 10}, grants.WithheldSender},
	} {
		if got, err := st.TakeAutoMail(ctx, tc.m); err != nil || got != tc.want {
			t.Errorf("ask %d: %q %v, want %q", i+1, got, err, tc.want)
		}
	}
}

// The held messages are counted by programme from the index alone, and
// only those pending: a decision takes a message out of the count.
func TestHeldCountsArePendingByProgramme(t *testing.T) {
	db, table := testenv.AppTable(t)
	st := New(db, table)
	ctx := context.Background()
	var decided grants.Quarantined
	for i, p := range []string{"alpha", "alpha", "", "", "", "beta"} {
		q := heldMessage(i, p)
		it, err := st.heldItem(q)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Transact(ctx, it); err != nil {
			t.Fatal(err)
		}
		decided = q
	}
	if err := st.Transact(ctx, st.decisionItem(grants.Decision{MessageID: decided.ID, Status: grants.QuarantineRejected, Actor: "officer"}, benchNow)); err != nil {
		t.Fatal(err)
	}
	got, err := st.HeldCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"alpha": 2, "": 3}; !maps.Equal(got, want) {
		t.Errorf("HeldCounts = %v, want %v (beta's one message was rejected)", got, want)
	}
}
