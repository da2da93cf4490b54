package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// An outbox entry is claimed by one delivery at a time, for its lease;
// a lapsed lease is retaken; a release gives it back (a stale holder's
// does nothing); a send is recorded only under the claim held, and a done
// entry is never claimed again. Effects may enqueue entries already
// claimed by the delivery that follows the write.
func outboxClaimLeaseRelease(t *testing.T, st Store) {
	ctx := context.Background()
	a := create(t, st, draft(t, "alpha", 1, "2026-07-01"))
	key := "checkin#01"
	entry := func() *outbox.Entry {
		t.Helper()
		e, err := st.Outbox(ctx, a.ID, key)
		if err != nil || e == nil {
			t.Fatalf("entry: %v %v", e, err)
		}
		return e
	}
	claim := func(token string, at time.Time) bool {
		t.Helper()
		ok, err := st.Claim(ctx, a.ID, key, token, at, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if e, err := st.Outbox(ctx, a.ID, key); err != nil || e != nil {
		t.Fatalf("no entry yet: %v %v", e, err)
	}
	if !claim("A", Now) {
		t.Fatal("a new entry was not claimed")
	}
	if e := entry(); e.Status != outbox.StatusClaimed || e.Attempts != 1 || !e.CreatedAt.Equal(Now) || e.AgreementID != a.ID || e.Key != key {
		t.Errorf("claimed: %+v", e)
	}
	if claim("B", Now.Add(30*time.Second)) {
		t.Error("claimed while A's lease runs")
	}
	if !claim("B", Now.Add(61*time.Second)) {
		t.Fatal("A's lapsed lease was not retaken")
	}
	if err := st.Release(ctx, a.ID, key, "A", errors.New("too late")); err != nil {
		t.Fatal(err)
	}
	if e := entry(); e.Status != outbox.StatusClaimed || e.LastError != "" {
		t.Errorf("a stale holder's release changed the entry: %+v", e)
	}
	if claim("C", Now.Add(62*time.Second)) {
		t.Error("claimed while B's lease runs")
	}
	if err := st.Release(ctx, a.ID, key, "B", errors.New("smtp down")); err != nil {
		t.Fatal(err)
	}
	if e := entry(); e.Status != outbox.StatusPending || e.LastError != "smtp down" || e.Attempts != 2 {
		t.Errorf("released: %+v", e)
	}
	if !claim("C", Now.Add(63*time.Second)) {
		t.Fatal("a released entry was not claimed")
	}
	if err := st.Apply(ctx, a.ID, grants.Effects{At: Now, Sent: []grants.Sent{{Key: key, Token: "B", MessageID: "m-b"}}}); grants.ErrorCode(err) != grants.Conflict {
		t.Errorf("a send under a lost claim: %v, want a conflict", err)
	}
	sentAt := Now.Add(2 * time.Minute)
	if err := st.Apply(ctx, a.ID, grants.Effects{At: sentAt, Sent: []grants.Sent{{Key: key, Token: "C", MessageID: "m-c"}}}); err != nil {
		t.Fatal(err)
	}
	if e := entry(); e.Status != outbox.StatusDone || e.MessageID != "m-c" || !e.DoneAt.Equal(sentAt) || e.LastError != "" || e.Attempts != 3 {
		t.Errorf("sent: %+v", e)
	}
	if claim("D", Now.Add(24*time.Hour)) {
		t.Error("a done entry was claimed")
	}
	if err := st.Release(ctx, a.ID, key, "C", nil); err != nil || entry().Status != outbox.StatusDone {
		t.Errorf("a release after the send: %v, %+v", err, entry())
	}

	// Enqueued already claimed: held until the claim's end, as a claim is.
	until := Now.Add(time.Minute)
	if err := st.Apply(ctx, a.ID, grants.Effects{At: Now, Outbox: []outbox.Key{outbox.ReminderKey(1, 1)}, ClaimedBy: &grants.Claim{Token: "E", Until: until}}); err != nil {
		t.Fatal(err)
	}
	rk := outbox.ReminderKey(1, 1).String()
	if e, err := st.Outbox(ctx, a.ID, rk); err != nil || e.Status != outbox.StatusClaimed || e.Attempts != 1 {
		t.Errorf("enqueued claimed: %+v %v", e, err)
	}
	if ok, err := st.Claim(ctx, a.ID, rk, "F", Now.Add(30*time.Second), time.Minute); err != nil || ok {
		t.Errorf("claimed under the enqueuer's claim: %v %v", ok, err)
	}
	if err := st.Apply(ctx, a.ID, grants.Effects{At: Now, Sent: []grants.Sent{{Key: rk, Token: "E", MessageID: "m-e"}}}); err != nil {
		t.Errorf("the enqueuer's send: %v", err)
	}
	// A cause's text is kept to 500 bytes.
	if ok, err := st.Claim(ctx, a.ID, "checkin#02", "G", Now, time.Minute); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := st.Release(ctx, a.ID, "checkin#02", "G", errors.New(strings.Repeat("x", 800))); err != nil {
		t.Fatal(err)
	}
	if e, err := st.Outbox(ctx, a.ID, "checkin#02"); err != nil || len(e.LastError) != 500 {
		t.Errorf("a long cause kept as %d bytes (%v)", len(e.LastError), err)
	}
	// Concurrent claims: one wins.
	var wins sync.Map
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ok, err := st.Claim(ctx, a.ID, "overdue#01", fmt.Sprint("t", i), Now, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Store(i, true)
			}
		})
	}
	wg.Wait()
	n := 0
	wins.Range(func(any, any) bool { n++; return true })
	if n != 1 {
		t.Errorf("%d concurrent claims won, want 1", n)
	}
}

// A once-only record says whether it is done; the inbound partition's
// done message records are the messages stored.
func claimOnceAndStoredMessages(t *testing.T, st Store) {
	ctx := context.Background()
	in := outbox.InboundPartition
	claimOnce := func(key, token string) (bool, bool) {
		t.Helper()
		claimed, done, err := st.ClaimOnce(ctx, in, key, token, Now, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return claimed, done
	}
	if c, d := claimOnce("msg#ses-1", "A"); !c || d {
		t.Fatalf("first claim: %v %v", c, d)
	}
	if c, d := claimOnce("msg#ses-1", "B"); c || d {
		t.Errorf("held by another: %v %v, want false, false", c, d)
	}
	a := create(t, st, draft(t, "alpha", 1, "2026-07-01"))
	// Recorded with an agreement's change, in the inbound partition.
	if err := st.Apply(ctx, a.ID, grants.Effects{At: Now, Sent: []grants.Sent{{Key: "msg#ses-1", Token: "A", MessageID: "reply", Partition: in}}}); err != nil {
		t.Fatal(err)
	}
	if c, d := claimOnce("msg#ses-1", "C"); c || !d {
		t.Errorf("done: %v %v, want false, true", c, d)
	}
	claimOnce("msg#ses-2", "A") // pending
	claimOnce("quarantine-notice#ses-3", "A")
	if err := st.Apply(ctx, in, grants.Effects{At: Now, Sent: []grants.Sent{{Key: "quarantine-notice#ses-3", Token: "A", MessageID: "n"}}}); err != nil {
		t.Fatal(err)
	}
	if got, err := st.StoredMessages(ctx, in); err != nil || !maps.Equal(got, map[string]bool{"ses-1": true}) {
		t.Errorf("stored messages: %v %v", got, err)
	}
	if got, err := st.StoredMessages(ctx, "elsewhere"); err != nil || len(got) != 0 {
		t.Errorf("stored messages of another partition: %v %v", got, err)
	}
}

func run(id string, at time.Time) *grants.PayRun {
	return &grants.PayRun{ID: id, Status: grants.PayRunRequesting, PaidOn: grants.Date{Year: 2026, Month: 6, Day: 15},
		RequestedBy: "finance@funder.example", RequestedByID: "sub-finance", RequestedAt: at, RequestHash: "h-" + id,
		Items: []grants.PayRunItem{{AgreementID: NewID(), Instalment: 1, PaymentReference: "BACS-1", Outcome: grants.OutcomePending},
			{AgreementID: NewID(), Instalment: 2, PaymentReference: "BACS-2", Outcome: grants.OutcomePending}}}
}

// A run is recorded once (a retry gets the stored run), finished once
// with its request's answer, approved once; the list of runs is newest
// first.
func payRuns(t *testing.T, st Store) {
	ctx := context.Background()
	r := run("run-1", Now)
	if got, err := st.StartRun(ctx, r); err != nil || got.ID != r.ID || got.RequestedBy != r.RequestedBy {
		t.Fatalf("start: %+v %v", got, err)
	}
	retry := run("run-1", Now.Add(time.Minute))
	retry.RequestedBy = "someone else"
	if got, err := st.StartRun(ctx, retry); err != nil || got.RequestedBy != r.RequestedBy || !got.RequestedAt.Equal(Now) || len(got.Items) != 2 {
		t.Errorf("a retried start: %+v %v, want the run stored", got, err)
	}
	finished := *r
	finished.Status = grants.PayRunAwaitingApproval
	finished.Items = slices.Clone(r.Items)
	finished.Items[0].Outcome, finished.Items[1].Outcome = grants.OutcomeRequested, grants.OutcomeHeld
	req := idempotency.Request{Scope: "pay-run", Caller: "sub-finance", Key: "k-1", Payload: []byte("{}")}
	answer := &idempotency.Answer{Request: req, Response: idempotency.Response{StatusCode: 201, Body: []byte(`{"id":"run-1"}`)}}
	if err := st.FinishRun(ctx, &finished, answer, Now); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Answered(ctx, req, Now); err != nil || got == nil || string(got.Body) != `{"id":"run-1"}` {
		t.Errorf("the run's answer: %+v %v", got, err)
	}
	if err := st.FinishRun(ctx, &finished, answer, Now); !errors.Is(err, idempotency.ErrAnswered) {
		t.Errorf("finished twice: %v, want ErrAnswered", err)
	}
	if err := st.FinishRun(ctx, run("run-never-started", Now), nil, Now); !errors.Is(err, idempotency.ErrAnswered) {
		t.Errorf("a run never started finished: %v, want ErrAnswered", err)
	}
	got, err := st.GetRun(ctx, "run-1")
	if err != nil || got.Status != grants.PayRunAwaitingApproval || got.Items[0].Outcome != grants.OutcomeRequested || got.RequestHash != "h-run-1" {
		t.Fatalf("the finished run: %+v %v", got, err)
	}
	approved := *got
	approved.Status, approved.ApprovedBy, approved.ApprovedAt = grants.PayRunApproved, "approver@funder.example", Now.Add(time.Hour)
	approved.Items = slices.Clone(got.Items)
	approved.Items[0].Outcome = grants.OutcomePaid
	if stored, ok, err := st.ApproveRun(ctx, &approved); err != nil || !ok || stored.ApprovedBy != approved.ApprovedBy {
		t.Fatalf("approve: %+v %v %v", stored, ok, err)
	}
	second := approved
	second.ApprovedBy = "second@funder.example"
	if stored, ok, err := st.ApproveRun(ctx, &second); err != nil || ok || stored.ApprovedBy != approved.ApprovedBy || stored.Status != grants.PayRunApproved {
		t.Errorf("a second approval: %+v %v %v, want the first as stored", stored, ok, err)
	}
	// Of concurrent approvals of one run, one is stored.
	other := run("run-other", Now.Add(-time.Hour))
	if _, err := st.StartRun(ctx, other); err != nil {
		t.Fatal(err)
	}
	other.Status = grants.PayRunAwaitingApproval
	if err := st.FinishRun(ctx, other, nil, Now); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var stored sync.Map
	for i := range 5 {
		wg.Go(func() {
			r := *other
			r.Status, r.ApprovedBy = grants.PayRunApproved, fmt.Sprint("approver-", i)
			got, ok, err := st.ApproveRun(ctx, &r)
			if err != nil {
				t.Error(err)
				return
			}
			stored.Store(i, fmt.Sprint(ok, " ", got.ApprovedBy))
		})
	}
	wg.Wait()
	wins, winner := 0, ""
	stored.Range(func(_, v any) bool {
		if s := v.(string); strings.HasPrefix(s, "true ") {
			wins++
			winner = strings.TrimPrefix(s, "true ")
		}
		return true
	})
	if final, err := st.GetRun(ctx, other.ID); wins != 1 || err != nil || final.ApprovedBy != winner {
		t.Errorf("5 approvals at once: %d stored, the run approved by %q (%v), want the one winner %q", wins, final.ApprovedBy, err, winner)
	}
	stored.Range(func(_, v any) bool {
		if s := v.(string); s != "true "+winner && s != "false "+winner {
			t.Errorf("an approval answered %q, want the stored run's approver %q", s, winner)
		}
		return true
	})

	if _, err := st.GetRun(ctx, "run-none"); grants.ErrorCode(err) != grants.NotFound {
		t.Errorf("no such run: %v", err)
	}
	for i := range 3 {
		later := run(fmt.Sprint("run-", i+2), Now.Add(time.Duration(i+1)*time.Hour))
		if _, err := st.StartRun(ctx, later); err != nil {
			t.Fatal(err)
		}
		later.Status = grants.PayRunAwaitingApproval
		if err := st.FinishRun(ctx, later, nil, Now); err != nil {
			t.Fatal(err)
		}
	}
	lines, err := st.RecentRuns(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range lines {
		ids = append(ids, l.ID)
	}
	if !slices.Equal(ids, []string{"run-4", "run-3", "run-2"}) {
		t.Errorf("recent runs: %v, want run-4, run-3, run-2", ids)
	}
	all, err := st.RecentRuns(ctx, 10)
	if err != nil || len(all) != 5 || all[4].ID != "run-other" || all[3].ID != "run-1" || all[3].Status != grants.PayRunApproved || all[3].Items != 2 || all[3].Requested != 1 || all[3].RequestedByID != "sub-finance" {
		t.Errorf("every run: %+v %v", all, err)
	}
}

// takeAll asks for every place at once and tallies the answers.
func takeAll(t *testing.T, st Store, asks []grants.AutoMail) map[grants.Withheld]int {
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
func autoMailLimits(t *testing.T, st Store) {
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

// A sign-out is kept per person, to the second a token's iat is counted
// in; the later of two stands whatever order they arrive in; one person's
// sign-out is not another's (the same subject from another pool is another
// person).
func signOuts(t *testing.T, st Store) {
	ctx := context.Background()
	alice := "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_A#sub-a"
	elsewhere := "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_B#sub-a"
	nine := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

	if got, err := st.SessionsEnded(ctx, alice); err != nil || !got.IsZero() {
		t.Fatalf("never signed out: %s, %v; want the zero time", got, err)
	}
	for _, step := range []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"signs out", nine.Add(300 * time.Millisecond), nine},
		{"signs out again later", nine.Add(time.Hour), nine.Add(time.Hour)},
		{"an earlier sign-out arrives late", nine.Add(time.Minute), nine.Add(time.Hour)},
	} {
		if err := st.EndSessions(ctx, alice, step.at); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got, err := st.SessionsEnded(ctx, alice); err != nil || !got.Equal(step.want) {
			t.Errorf("%s: sessions ended at %s, %v; want %s", step.name, got, err, step.want)
		}
	}
	if got, err := st.SessionsEnded(ctx, elsewhere); err != nil || !got.IsZero() {
		t.Errorf("the same subject in another pool: sessions ended at %s, %v; want never", got, err)
	}
}

// Settings are a programme's own (zero for one that has none); the first
// copy of an email is recorded once and read with them.
func settingsAndFirstCopies(t *testing.T, st Store) {
	ctx := context.Background()
	alpha := grants.ProgrammeSettings{Name: "Alpha Fund", OfficerEmails: []string{"officer@funder.example"}, ReminderDays: 7, MaxReminders: 2}
	if err := st.PutProgrammeSettings(ctx, "alpha", alpha); err != nil {
		t.Fatal(err)
	}
	same := func(p grants.ProgrammeSettings) bool {
		return p.Name == alpha.Name && slices.Equal(p.OfficerEmails, alpha.OfficerEmails) && p.ReminderDays == 7 && p.MaxReminders == 2
	}
	if got, err := st.ProgrammeSettings(ctx, "alpha"); err != nil || !same(got) {
		t.Errorf("alpha's settings: %+v %v", got, err)
	}
	if got, err := st.ProgrammeSettings(ctx, "beta"); err != nil || !reflect.DeepEqual(got, grants.ProgrammeSettings{}) {
		t.Errorf("a programme with none: %+v %v", got, err)
	}
	if got, _, err := st.SettingsAndAnswer(ctx, "alpha", nil, Now); err != nil || !same(got) {
		t.Errorf("settings and no answer: %+v %v", got, err)
	}
	if first, p, err := st.FirstCopyAndSettings(ctx, "", ""); err != nil || first != nil || p != nil {
		t.Errorf("neither: %v %v %v", first, p, err)
	}
	if first, p, err := st.FirstCopyAndSettings(ctx, "id-1", "alpha"); err != nil || first != nil || p == nil || !same(*p) {
		t.Errorf("no copy yet: %v %v %v", first, p, err)
	}
	c := grants.FirstCopy{Identity: "id-1", MessageID: "ses-1", Held: true}
	if err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, FirstCopies: []grants.FirstCopy{c}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, FirstCopies: []grants.FirstCopy{{Identity: "id-1", MessageID: "ses-2"}}}); grants.ErrorCode(err) != grants.Conflict {
		t.Errorf("a second first copy: %v, want a conflict", err)
	}
	if first, p, err := st.FirstCopyAndSettings(ctx, "id-1", ""); err != nil || first == nil || *first != c || p != nil {
		t.Errorf("the first copy: %+v %v %v", first, p, err)
	}
	if _, p, err := st.FirstCopyAndSettings(ctx, "", "beta"); err != nil || p == nil || !reflect.DeepEqual(*p, grants.ProgrammeSettings{}) {
		t.Errorf("settings of a programme with none: %+v %v", p, err)
	}
}
