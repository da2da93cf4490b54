package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/reports"
)

func actions(t *testing.T, st Store, id string) []string {
	t.Helper()
	h, err := st.AllHistory(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range h {
		out = append(out, e.Action)
	}
	return out
}

func reply(id string, n int, messageID string) grants.Reply {
	return grants.Reply{AgreementID: id, CheckIn: n, MessageID: messageID, From: "lead@partner.example", Subject: "Our quarter",
		ReceivedAt: Now, Text: "We ran four meals.", FullText: "We ran four meals."}
}

// A create writes the agreement with its plans, its reference, its
// programme's tally and its effects; an update writes the change with its
// history, outbox entries and replies, and moves the version on by one.
func transactionWritesEffectsWithTheAgreement(t *testing.T, st Store) {
	ctx := context.Background()
	a := draft(t, "alpha", 1, "2026-07-01")
	fx := created()
	fx.Outbox = []outbox.Key{outbox.WelcomeKey()}
	if stored, err := st.CreateAgreement(ctx, a, fx, nil); err != nil || stored != nil {
		t.Fatalf("create: %v %v", stored, err)
	}
	got, err := st.GetAgreement(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Reference == "" || got.Reference != a.Reference || got.Version != a.Version || len(got.Instalments) != 4 || len(got.CheckIns) != 4 {
		t.Fatalf("read back %+v", got)
	}
	if p, err := st.AgreementProgramme(ctx, a.ID); err != nil || p != "alpha" {
		t.Errorf("the agreement's programme: %q %v, want alpha", p, err)
	}
	if !strings.HasPrefix(got.Reference, "CP-2026-") {
		t.Errorf("reference %q does not name the start year", got.Reference)
	}
	if e, err := st.Outbox(ctx, a.ID, outbox.WelcomeKey().String()); err != nil || e == nil || e.Status != outbox.StatusPending || e.Attempts != 0 || e.AgreementID != a.ID {
		t.Errorf("welcome entry: %+v %v", e, err)
	}
	tally, _, _, err := st.ProgrammeTally(ctx, "alpha", grants.Date{Year: 2026, Month: 6, Day: 15})
	if err != nil || tally["status.draft"] != 1 {
		t.Errorf("tally after create: %v %v", tally, err)
	}

	after, err := st.UpdateAgreement(ctx, a.ID, 0, func(a *grants.Agreement) (grants.Effects, error) {
		e, err := a.Activate(Now.Add(time.Minute), officer)
		return grants.Effects{At: Now.Add(time.Minute), Audit: []grants.AuditEntry{e}, Outbox: []outbox.Key{outbox.CheckInKey(1)},
			Replies: []grants.Reply{reply(a.ID, 1, "ses-0001")}}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if after.Version != a.Version+1 || after.Status != grants.AgreementActive {
		t.Errorf("after the update: version %d, status %s; want %d, active", after.Version, after.Status, a.Version+1)
	}
	got, err = st.GetAgreement(ctx, a.ID)
	if err != nil || got.Version != after.Version || got.Status != grants.AgreementActive {
		t.Fatalf("read after update: %+v %v", got, err)
	}
	if want := []string{"agreement.created", "agreement.activated"}; !slices.Equal(actions(t, st, a.ID), want) {
		t.Errorf("history %v, want %v", actions(t, st, a.ID), want)
	}
	if e, err := st.Outbox(ctx, a.ID, "checkin#01"); err != nil || e == nil || e.Status != outbox.StatusPending {
		t.Errorf("check-in entry: %+v %v", e, err)
	}
	if r, err := st.Replies(ctx, a.ID, 1); err != nil || len(r) != 1 || r[0].MessageID != "ses-0001" {
		t.Errorf("replies: %+v %v", r, err)
	}
	tally, _, _, err = st.ProgrammeTally(ctx, "alpha", grants.Date{Year: 2026, Month: 6, Day: 15})
	if err != nil || tally["status.draft"] != 0 || tally["status.active"] != 1 {
		t.Errorf("tally after activation: %v %v", tally, err)
	}
	// A change that changes nothing writes nothing.
	same, err := st.UpdateAgreement(ctx, a.ID, 0, func(*grants.Agreement) (grants.Effects, error) { return grants.Effects{}, grants.ErrNoChange })
	if err != nil || same.Version != after.Version {
		t.Errorf("no change: version %d %v, want %d", same.Version, err, after.Version)
	}
}

// An update whose effect's condition fails (a reply stored twice, an
// outbox key enqueued twice, a send under a lost claim) writes nothing:
// not the agreement, not its history, not its other effects, not the tally.
func transactionFailingAnEffectWritesNothing(t *testing.T, st Store) {
	ctx := context.Background()
	a := create(t, st, draft(t, "alpha", 1, "2026-07-01"))
	if err := st.Apply(ctx, a.ID, grants.Effects{At: Now, Replies: []grants.Reply{reply(a.ID, 1, "ses-0001")}, Outbox: []outbox.Key{outbox.CheckInKey(1)}}); err != nil {
		t.Fatal(err)
	}
	before, _, _, err := st.ProgrammeTally(ctx, "alpha", grants.Date{Year: 2026, Month: 6, Day: 15})
	if err != nil {
		t.Fatal(err)
	}
	for name, fx := range map[string]grants.Effects{
		"a reply stored twice":         {Replies: []grants.Reply{reply(a.ID, 1, "ses-0001")}},
		"an outbox key enqueued twice": {Outbox: []outbox.Key{outbox.CheckInKey(1)}},
		"a send under no claim":        {Sent: []grants.Sent{{Key: "checkin#01", Token: "nobody", MessageID: "m-1"}}},
		"a decision on no message":     {Decisions: []grants.Decision{{MessageID: "ses-none", Status: grants.QuarantineAccepted, Actor: officer}}},
	} {
		var calls atomic.Int32
		_, err := st.UpdateAgreement(ctx, a.ID, 0, func(a *grants.Agreement) (grants.Effects, error) {
			calls.Add(1)
			e, err := a.Activate(Now, officer)
			f := fx
			f.At = Now
			f.Audit = []grants.AuditEntry{e}
			f.Outbox = append(slices.Clone(fx.Outbox), outbox.WelcomeKey())
			return f, err
		})
		if code(err) != grants.Conflict {
			t.Errorf("%s: %v, want a conflict", name, err)
		}
		if calls.Load() < 2 {
			t.Errorf("%s: the change ran %d times; a lost race is retried", name, calls.Load())
		}
		got, err := st.GetAgreement(ctx, a.ID)
		if err != nil || got.Version != a.Version || got.Status != grants.AgreementDraft {
			t.Errorf("%s: agreement written: %+v %v", name, got, err)
		}
		if h := actions(t, st, a.ID); !slices.Equal(h, []string{"agreement.created"}) {
			t.Errorf("%s: history written: %v", name, h)
		}
		if e, err := st.Outbox(ctx, a.ID, outbox.WelcomeKey().String()); err != nil || e != nil {
			t.Errorf("%s: the other effects written: %+v %v", name, e, err)
		}
		tally, _, _, err := st.ProgrammeTally(ctx, "alpha", grants.Date{Year: 2026, Month: 6, Day: 15})
		if err != nil || !reflect.DeepEqual(tally, before) {
			t.Errorf("%s: tally %v, want %v (%v)", name, tally, before, err)
		}
	}
}

// Apply writes effects that change no agreement all together or not at
// all; a failed condition is a Conflict.
func applyIsAllOrNothing(t *testing.T, st Store) {
	ctx := context.Background()
	q := held(1, "alpha")
	err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, Held: []grants.Quarantined{q},
		Decisions: []grants.Decision{{MessageID: "ses-none", Status: grants.QuarantineRejected, Actor: officer}}})
	if code(err) != grants.Conflict {
		t.Fatalf("a decision on no message: %v, want a conflict", err)
	}
	if _, err := st.GetQuarantined(ctx, q.ID); code(err) != grants.NotFound {
		t.Fatalf("the held message was written with a failed decision: %v", err)
	}
	if err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, Held: []grants.Quarantined{q}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, Held: []grants.Quarantined{q}}); code(err) != grants.Conflict {
		t.Errorf("a message held twice: %v, want a conflict", err)
	}
	if err := st.Apply(ctx, "", grants.Effects{}); err != nil {
		t.Errorf("no effects: %v", err)
	}
}

// A transaction DynamoDB refuses outright (more than 100 items) is an
// internal error, not a conflict, and writes nothing. (One item twice in a
// transaction is refused too, but DynamoDB Local checks the second's
// condition against the first's write instead: pkg/memstore's own test
// holds it to DynamoDB's answer.)
func invalidTransactions(t *testing.T, st Store) {
	ctx := context.Background()
	a := create(t, st, draft(t, "alpha", 1, "2026-07-01"))
	many := make([]grants.AuditEntry, 101)
	for i := range many {
		many[i] = grants.AuditEntry{At: Now, Actor: officer, Action: fmt.Sprint("step.", i)}
	}
	if err := st.Apply(ctx, a.ID, grants.Effects{At: Now, Audit: many}); err == nil || code(err) != "" {
		t.Errorf("101 entries at once: %v, want an internal error", err)
	}
	_, err := st.UpdateAgreement(ctx, a.ID, 0, func(x *grants.Agreement) (grants.Effects, error) {
		x.Partner.Name = "Changed"
		return grants.Effects{At: Now, Audit: many[:100]}, nil // with the agreement, 101 writes
	})
	if err == nil || code(err) != "" {
		t.Errorf("an update of 101 writes: %v, want an internal error", err)
	}
	if h := actions(t, st, a.ID); !slices.Equal(h, []string{"agreement.created"}) {
		t.Errorf("history written by a refused transaction: %d entries", len(h))
	}
	if got, err := st.GetAgreement(ctx, a.ID); err != nil || got.Version != a.Version {
		t.Errorf("agreement written by a refused transaction: %+v %v", got, err)
	}
}

// An update with If-Match fails on another version with
// PreconditionFailed and writes nothing; without, a lost race is retried
// on the fresh copy, so no change is lost.
func versionConflicts(t *testing.T, st Store) {
	ctx := context.Background()
	a := create(t, st, draft(t, "alpha", 1, "2026-07-01"))
	rename := func(name string) func(*grants.Agreement) (grants.Effects, error) {
		return func(a *grants.Agreement) (grants.Effects, error) { a.Partner.Name = name; return grants.Effects{}, nil }
	}
	if _, err := st.UpdateAgreement(ctx, a.ID, a.Version+1, rename("Wrong")); code(err) != grants.PreconditionFailed {
		t.Fatalf("a stale If-Match: %v, want precondition_failed", err)
	}
	b, err := st.UpdateAgreement(ctx, a.ID, a.Version, rename("Hope House"))
	if err != nil || b.Version != a.Version+1 || b.Partner.Name != "Hope House" {
		t.Fatalf("a current If-Match: %+v %v", b, err)
	}
	// A copy read before that update is stale: UpdateRead retries on a
	// fresh read and keeps both changes.
	calls := 0
	c, err := st.UpdateRead(ctx, a, func(x *grants.Agreement) (grants.Effects, error) {
		calls++
		x.Partner.Address = "2 Hope Street"
		return grants.Effects{}, nil
	})
	if err != nil || calls != 2 || c.Version != a.Version+2 || c.Partner.Name != "Hope House" || c.Partner.Address != "2 Hope Street" {
		t.Fatalf("update from a stale copy: %d calls, %+v %v", calls, c, err)
	}
	if _, err := st.UpdateAgreement(ctx, a.ID, a.Version, rename("Late")); code(err) != grants.PreconditionFailed {
		t.Errorf("an If-Match two versions old: %v", err)
	}
	// Concurrent writers without If-Match each get their change in.
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			if _, err := st.UpdateAgreement(ctx, a.ID, 0, func(x *grants.Agreement) (grants.Effects, error) {
				x.Terms = append(x.Terms, fmt.Sprint("term ", i))
				return grants.Effects{}, nil
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := st.GetAgreement(ctx, a.ID)
	if err != nil || len(got.Terms) != 7 || got.Version != a.Version+8 {
		t.Errorf("after 6 concurrent changes: %d terms, version %d (%v); want 7, %d", len(got.Terms), got.Version, err, a.Version+8)
	}
	// The domain's error is the caller's, and nothing is written.
	refused := &grants.Error{Code: grants.Invalid, Message: "no"}
	if _, err := st.UpdateAgreement(ctx, a.ID, 0, func(*grants.Agreement) (grants.Effects, error) { return grants.Effects{}, refused }); !errors.Is(err, refused) {
		t.Errorf("a refused change: %v", err)
	}
}

// Reading or changing an agreement that does not exist is NotFound,
// whatever the ID looks like.
func missingAgreements(t *testing.T, st Store) {
	ctx := context.Background()
	for _, id := range []string{NewID(), "not-an-id", ""} {
		if _, err := st.GetAgreement(ctx, id); code(err) != grants.NotFound {
			t.Errorf("get %q: %v", id, err)
		}
		if _, err := st.AgreementProgramme(ctx, id); code(err) != grants.NotFound {
			t.Errorf("the programme of %q: %v", id, err)
		}
		if _, err := st.UpdateAgreement(ctx, id, 0, func(*grants.Agreement) (grants.Effects, error) { return grants.Effects{}, nil }); code(err) != grants.NotFound {
			t.Errorf("update %q: %v", id, err)
		}
	}
	if h, err := st.History(ctx, NewID(), "", 10); err != nil || len(h.Items) != 0 || h.NextCursor != "" {
		t.Errorf("history of none: %+v %v", h, err)
	}
}

// A change may add instalments and check-ins: the new ones are written with
// the agreement, read back and listed like the others, and change again
// like them. An instalment's row says whether the check-in before it is
// in, so it is written again when that check-in is added.
func plansGrow(t *testing.T, st Store) {
	ctx := context.Background()
	a := create(t, st, draft(t, "alpha", 1, "2026-07-01"))
	grow := func(what string, change func(x *grants.Agreement)) *grants.Agreement {
		t.Helper()
		got, err := st.UpdateAgreement(ctx, a.ID, 0, func(x *grants.Agreement) (grants.Effects, error) {
			change(x)
			return grants.Audited(grants.AuditEntry{At: Now, Actor: officer, Action: "agreement.amended", Detail: what}), nil
		})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		read, err := st.GetAgreement(ctx, a.ID)
		if err != nil || !reflect.DeepEqual(read, got) {
			t.Errorf("%s: read back %+v (%v), want %+v", what, read, err, got)
		}
		return got
	}
	row := func(n int) grants.InstalmentRow {
		t.Helper()
		p, err := st.ListInstalments(ctx, grants.InstalmentFilter{Programme: "alpha", Status: grants.InstalmentScheduled}, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Items {
			if r.AgreementID == a.ID && r.Number == n {
				return r
			}
		}
		t.Fatalf("no row for instalment %d", n)
		return grants.InstalmentRow{}
	}

	// Two instalments more, out of the last one; no check-in 5 yet.
	got := grow("instalments 5 and 6", func(x *grants.Agreement) {
		last := &x.Instalments[3]
		third := last.Amount / 3
		last.Amount -= 2 * third
		for n := 5; n <= 6; n++ {
			x.Instalments = append(x.Instalments, grants.Instalment{Number: n, Amount: third, DueDate: last.DueDate.AddMonths(3 * (n - 4)), Status: grants.InstalmentScheduled})
		}
		x.InstalmentCount = 6
	})
	if len(got.Instalments) != 6 || len(got.CheckIns) != 4 {
		t.Fatalf("%d instalments and %d check-ins, want 6 and 4", len(got.Instalments), len(got.CheckIns))
	}
	if r := row(5); r.Amount != got.Instalments[4].Amount || r.PreviousCheckInIn {
		t.Errorf("row of instalment 5: %+v (check-in 4 is not in)", r)
	}
	if r := row(6); !r.PreviousCheckInIn {
		t.Errorf("row of instalment 6: %+v (there is no check-in 5)", r)
	}
	plans, _, err := st.ProgrammePlans(ctx, "alpha")
	if err != nil || len(plans) != 1 || !reflect.DeepEqual(&plans[0], got) {
		t.Errorf("plans: %+v (%v), want %+v", plans, err, got)
	}

	// Check-in 5 added comes before instalment 6, which is no longer free of one.
	got = grow("check-in 5", func(x *grants.Agreement) {
		x.CheckIns = append(x.CheckIns, grants.CheckIn{Number: 5, DueDate: x.Instalments[5].DueDate.AddDays(-14), Status: grants.CheckInScheduled})
	})
	if len(got.CheckIns) != 5 {
		t.Fatalf("%d check-ins, want 5", len(got.CheckIns))
	}
	if r := row(6); r.PreviousCheckInIn {
		t.Errorf("row of instalment 6: %+v (check-in 5 is not in)", r)
	}

	// The new items change as any other does.
	got = grow("schedules", func(x *grants.Agreement) {
		x.Instalments[5].ScheduleCreated = true
		x.CheckIns[4].ScheduleCreated = true
	})
	if !got.Instalments[5].ScheduleCreated || !got.CheckIns[4].ScheduleCreated {
		t.Errorf("changed new items: %+v %+v", got.Instalments[5], got.CheckIns[4])
	}
}

// Every agreement gets its own reference; an agreement ID already taken is
// refused.
func uniqueReferences(t *testing.T, st Store) {
	ctx := context.Background()
	seen := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			a := create(t, st, draft(t, "alpha", i, "2026-07-01"))
			mu.Lock()
			defer mu.Unlock()
			if seen[a.Reference] {
				t.Errorf("reference %s given twice", a.Reference)
			}
			seen[a.Reference] = true
		})
	}
	wg.Wait()
	a := create(t, st, draft(t, "alpha", 20, "2026-07-01"))
	again := draft(t, "alpha", 21, "2026-07-01")
	again.ID = a.ID
	if _, err := st.CreateAgreement(ctx, again, created(), nil); code(err) != grants.Conflict {
		t.Errorf("an ID taken: %v, want a conflict", err)
	}
	if got, err := st.GetAgreement(ctx, a.ID); err != nil || got.Amount != a.Amount {
		t.Errorf("the first agreement after a refused second: %+v %v", got, err)
	}
}

func request(key, body string) idempotency.Request {
	return idempotency.Request{Scope: "create-agreement", Caller: officer, Key: key, Payload: []byte(body)}
}

func onceFor(req idempotency.Request) *idempotency.Once[*grants.Agreement] {
	return &idempotency.Once[*grants.Agreement]{Request: req, Render: func(a *grants.Agreement) (idempotency.Response, error) {
		return idempotency.Response{StatusCode: 201, Headers: map[string]string{"Location": "/agreements/" + a.ID}, Body: []byte(a.Reference)}, nil
	}}
}

// A request is answered once: the answer is written with the change it
// made and replayed, nothing written, for the same request; the key with
// another body is refused; a change under a key already answered is not
// written; an answer lapses after its retention.
func idempotentAnswers(t *testing.T, st Store) {
	ctx := context.Background()
	req := request("key-1", `{"amount":500000}`)
	planned := 0
	plan := func(p string) func(grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error) {
		return func(grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error) {
			planned++
			return draft(t, p, planned, "2026-07-01"), created(), nil
		}
	}
	a, stored, err := st.CreatePlanned(ctx, "alpha", 2026, Now, onceFor(req), plan("alpha"))
	if err != nil || stored != nil || a == nil {
		t.Fatalf("first request: %v %v %v", a, stored, err)
	}
	want := idempotency.Response{StatusCode: 201, Headers: map[string]string{"Location": "/agreements/" + a.ID}, Body: []byte(a.Reference)}
	again, stored, err := st.CreatePlanned(ctx, "alpha", 2026, Now.Add(time.Hour), onceFor(req), plan("alpha"))
	if err != nil || again != nil || stored == nil || !reflect.DeepEqual(*stored, want) || planned != 1 {
		t.Fatalf("the same request again: %v %+v %v (planned %d times)", again, stored, err, planned)
	}
	if list, _, err := st.ProgrammeAgreements(ctx, "alpha"); err != nil || len(list) != 1 {
		t.Fatalf("a replay wrote an agreement: %d %v", len(list), err)
	}
	if _, _, err := st.CreatePlanned(ctx, "alpha", 2026, Now, onceFor(request("key-1", `{"amount":1}`)), plan("alpha")); !errors.Is(err, idempotency.ErrPayloadMismatch) {
		t.Errorf("the key with another body: %v", err)
	}
	if got, err := st.Answered(ctx, req, Now.Add(time.Hour)); err != nil || got == nil || !reflect.DeepEqual(*got, want) {
		t.Errorf("answered: %+v %v", got, err)
	}
	other := req
	other.Caller = "someone-else"
	if got, err := st.Answered(ctx, other, Now); err != nil || got != nil {
		t.Errorf("another caller's key answered: %+v %v", got, err)
	}
	if got, err := st.Answered(ctx, req, Now.Add(idempotency.DefaultRetention+time.Minute)); err != nil || got != nil {
		t.Errorf("answered after its retention: %+v %v", got, err)
	}
	if _, got, err := st.SettingsAndAnswer(ctx, "alpha", &req, Now); err != nil || got == nil || got.StatusCode != 201 {
		t.Errorf("settings and answer: %+v %v", got, err)
	}
	if _, got, err := st.SettingsAndAnswer(ctx, "alpha", nil, Now); err != nil || got != nil {
		t.Errorf("settings without a request: %+v %v", got, err)
	}

	// An update under an answered key: ErrAnswered, nothing written.
	answer := &idempotency.Answer{Request: req, Response: idempotency.Response{StatusCode: 200, Body: []byte("second")}}
	_, err = st.UpdateAgreement(ctx, a.ID, 0, func(x *grants.Agreement) (grants.Effects, error) {
		x.Partner.Name = "Changed"
		return grants.Effects{At: Now, Answer: answer}, nil
	})
	if !errors.Is(err, idempotency.ErrAnswered) {
		t.Fatalf("an update under an answered key: %v", err)
	}
	if got, _ := st.GetAgreement(ctx, a.ID); got.Partner.Name == "Changed" || got.Version != a.Version {
		t.Errorf("the update was written: %+v", got)
	}
	if err := st.Apply(ctx, a.ID, grants.Effects{At: Now, Answer: answer}); code(err) != grants.Conflict {
		t.Errorf("effects under an answered key: %v", err)
	}
	// Past its retention the key answers anew.
	later := &idempotency.Answer{Request: req, Response: idempotency.Response{StatusCode: 200, Body: []byte("later")}}
	if err := st.Apply(ctx, a.ID, grants.Effects{At: Now.Add(idempotency.DefaultRetention + time.Hour), Answer: later}); err != nil {
		t.Errorf("an answer after the first lapsed: %v", err)
	}
	if got, err := st.Answered(ctx, req, Now.Add(idempotency.DefaultRetention+2*time.Hour)); err != nil || got == nil || string(got.Body) != "later" {
		t.Errorf("the new answer: %+v %v", got, err)
	}
}

// CreatePlanned hands plan the programme's settings; a plan that fails,
// or is for another programme or year, writes nothing; of concurrent
// duplicates of one request, one creates and the others answer with its
// answer or learn that it was answered.
func createPlanned(t *testing.T, st Store) {
	ctx := context.Background()
	settings := grants.ProgrammeSettings{Name: "Alpha Fund", ReminderDays: 9}
	if err := st.PutProgrammeSettings(ctx, "alpha", settings); err != nil {
		t.Fatal(err)
	}
	var seen grants.ProgrammeSettings
	a, stored, err := st.CreatePlanned(ctx, "alpha", 2026, Now, nil, func(p grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error) {
		seen = p
		return draft(t, "alpha", 1, "2026-07-01"), created(), nil
	})
	if err != nil || stored != nil || seen.Name != "Alpha Fund" || seen.ReminderDays != 9 {
		t.Fatalf("planned with %+v: %v %v", seen, stored, err)
	}
	if got, err := st.GetAgreement(ctx, a.ID); err != nil || got.Reference != a.Reference {
		t.Fatalf("the planned agreement: %+v %v", got, err)
	}
	refused := &grants.Error{Code: grants.Invalid, Message: "no"}
	if _, _, err := st.CreatePlanned(ctx, "alpha", 2026, Now, nil, func(grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error) {
		return nil, grants.Effects{}, refused
	}); !errors.Is(err, refused) {
		t.Errorf("a refused plan: %v", err)
	}
	for name, args := range map[string]struct {
		programme string
		year      int
	}{"another programme": {"beta", 2026}, "another year": {"alpha", 2027}} {
		if _, _, err := st.CreatePlanned(ctx, args.programme, args.year, Now, nil, func(grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error) {
			return draft(t, "alpha", 2, "2026-07-01"), created(), nil
		}); err == nil {
			t.Errorf("a plan for %s was written", name)
		}
	}
	if list, _, err := st.ProgrammeAgreements(ctx, "alpha"); err != nil || len(list) != 1 {
		t.Errorf("after refused plans: %d agreements %v", len(list), err)
	}

	req := request("dup", `{"amount":500000}`)
	var (
		wg                       sync.WaitGroup
		made, replayed, answered atomic.Int32
	)
	for i := range 6 {
		wg.Go(func() {
			a, stored, err := st.CreatePlanned(ctx, "alpha", 2026, Now, onceFor(req), func(grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error) {
				return draft(t, "alpha", 10+i, "2026-07-01"), created(), nil
			})
			switch {
			case errors.Is(err, idempotency.ErrAnswered):
				answered.Add(1)
			case err != nil:
				t.Error(err)
			case stored != nil:
				replayed.Add(1)
			case a != nil:
				made.Add(1)
			}
		})
	}
	wg.Wait()
	if made.Load() != 1 || made.Load()+replayed.Load()+answered.Load() != 6 {
		t.Errorf("6 duplicates at once: %d made, %d replayed, %d told it was answered", made.Load(), replayed.Load(), answered.Load())
	}
	if list, _, err := st.ProgrammeAgreements(ctx, "alpha"); err != nil || len(list) != 2 {
		t.Errorf("after 6 duplicates: %d agreements, want 2 (%v)", len(list), err)
	}
}

// pages reads a listing to its end, limit items a page, checking each page
// keeps to the limit.
func pages[T any](t *testing.T, limit int, read func(cursor string) (grants.Page[T], error)) []T {
	t.Helper()
	var all []T
	cursor := ""
	for range 100 {
		p, err := read(cursor)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > limit {
			t.Fatalf("a page of %d items, over the limit of %d", len(p.Items), limit)
		}
		all = append(all, p.Items...)
		if cursor = p.NextCursor; cursor == "" {
			return all
		}
	}
	t.Fatal("a listing that never ends")
	return nil
}

// A programme's agreements page in order (status, then oldest first),
// without their plans, through cursors that belong to their listing.
func pagingAgreements(t *testing.T, st Store) {
	ctx := context.Background()
	var want []string
	for i := range 7 {
		a := create(t, st, draft(t, "alpha", i, "2026-07-01"))
		want = append(want, a.ID)
	}
	create(t, st, draft(t, "beta", 9, "2026-07-01"))
	activate(t, st, want[2], true)
	activate(t, st, want[5], true)
	// active sorts before draft; each status oldest first.
	order := []string{want[2], want[5], want[0], want[1], want[3], want[4], want[6]}
	for _, limit := range []int{1, 3, 7, 50} {
		got := pages(t, limit, func(c string) (grants.Page[grants.Agreement], error) {
			return st.ListAgreements(ctx, "alpha", "", c, limit)
		})
		var ids []string
		for _, a := range got {
			ids = append(ids, a.ID)
			if len(a.Instalments) != 0 || len(a.CheckIns) != 0 {
				t.Errorf("a listed agreement came with its plans")
			}
		}
		if !slices.Equal(ids, order) {
			t.Errorf("limit %d: %v, want %v", limit, ids, order)
		}
	}
	active := pages(t, 1, func(c string) (grants.Page[grants.Agreement], error) {
		return st.ListAgreements(ctx, "alpha", grants.AgreementActive, c, 1)
	})
	if len(active) != 2 || active[0].ID != want[2] || active[1].ID != want[5] {
		t.Errorf("active: %v", active)
	}
	first, err := st.ListAgreements(ctx, "alpha", "", "", 2)
	if err != nil || first.NextCursor == "" {
		t.Fatalf("first page: %v %v", first, err)
	}
	if _, err := st.ListAgreements(ctx, "beta", "", first.NextCursor, 2); code(err) != grants.Invalid {
		t.Errorf("another programme's cursor: %v, want invalid", err)
	}
	if _, err := st.ListAgreements(ctx, "alpha", "", "not a cursor", 2); code(err) != grants.Invalid {
		t.Errorf("a made-up cursor: %v, want invalid", err)
	}
	if p, err := st.ListAgreements(ctx, "gamma", "", "", 5); err != nil || len(p.Items) != 0 || p.NextCursor != "" {
		t.Errorf("an empty programme: %+v %v", p, err)
	}
	// A full page has a cursor even when nothing follows (DynamoDB stops
	// at the limit without looking further): the page after is empty.
	full, err := st.ListAgreements(ctx, "alpha", "", "", 7)
	if err != nil || len(full.Items) != 7 || full.NextCursor == "" {
		t.Fatalf("a page of all 7 with a limit of 7: %d items, cursor %q, %v", len(full.Items), full.NextCursor, err)
	}
	if rest, err := st.ListAgreements(ctx, "alpha", "", full.NextCursor, 7); err != nil || len(rest.Items) != 0 || rest.NextCursor != "" {
		t.Errorf("after the last full page: %d items, cursor %q, %v", len(rest.Items), rest.NextCursor, err)
	}
	// A limit below one is refused, as a fault of the caller's code.
	if _, err := st.ListAgreements(ctx, "alpha", "", "", 0); err == nil || code(err) != "" {
		t.Errorf("a limit of 0: %v, want an internal error", err)
	}
}

// History lists entries oldest first (the entries of one write in their
// order), in pages.
func pagingHistory(t *testing.T, st Store) {
	ctx := context.Background()
	a := create(t, st, draft(t, "alpha", 1, "2026-07-01"))
	for i := range 3 {
		at := Now.Add(time.Duration(i+1) * time.Minute)
		if err := st.Apply(ctx, a.ID, grants.Effects{At: at, Audit: []grants.AuditEntry{
			{At: at, Actor: officer, Action: fmt.Sprintf("step.%d.a", i)},
			{At: at, Actor: officer, Action: fmt.Sprintf("step.%d.b", i)},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"agreement.created", "step.0.a", "step.0.b", "step.1.a", "step.1.b", "step.2.a", "step.2.b"}
	got := pages(t, 2, func(c string) (grants.Page[grants.AuditEntry], error) { return st.History(ctx, a.ID, c, 2) })
	var acts []string
	for _, e := range got {
		acts = append(acts, e.Action)
	}
	if !slices.Equal(acts, want) {
		t.Errorf("history in pages of 2: %v, want %v", acts, want)
	}
	if all := actions(t, st, a.ID); !slices.Equal(all, want) {
		t.Errorf("all history: %v", all)
	}
	p, err := st.History(ctx, a.ID, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.History(ctx, NewID(), p.NextCursor, 2); code(err) != grants.Invalid {
		t.Errorf("another agreement's cursor: %v, want invalid", err)
	}
}

// Finance's list: one programme's instalments of one status, by due date,
// From and To inclusive, in pages.
func instalmentsByProgrammeStatusAndDate(t *testing.T, st Store) {
	ctx := context.Background()
	a := create(t, st, draft(t, "alpha", 1, "2026-07-01"))
	b := create(t, st, draft(t, "alpha", 2, "2026-08-01"))
	create(t, st, draft(t, "beta", 3, "2026-07-01"))
	scheduled := grants.InstalmentFilter{Programme: "alpha", Status: grants.InstalmentScheduled}
	rows := pages(t, 3, func(c string) (grants.Page[grants.InstalmentRow], error) {
		return st.ListInstalments(ctx, scheduled, c, 3)
	})
	if len(rows) != 8 {
		t.Fatalf("%d scheduled rows of alpha, want 8", len(rows))
	}
	for i, r := range rows {
		if r.Programme != "alpha" || r.Status != grants.InstalmentScheduled || r.Currency == "" || r.Reference == "" || r.PartnerName == "" {
			t.Errorf("row %d: %+v", i, r)
		}
		if i > 0 && r.DueDate.String() < rows[i-1].DueDate.String() {
			t.Errorf("row %d due %s before row %d's %s", i, r.DueDate, i-1, rows[i-1].DueDate)
		}
	}
	from, to := a.Instalments[1].DueDate, b.Instalments[1].DueDate
	ranged := scheduled
	ranged.From, ranged.To = from, to
	p, err := st.ListInstalments(ctx, ranged, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Items {
		if r.DueDate.Before(from) || to.Before(r.DueDate) {
			t.Errorf("row due %s outside %s to %s", r.DueDate, from, to)
		}
	}
	inRange := 0
	for _, ag := range []*grants.Agreement{a, b} {
		for _, in := range ag.Instalments {
			if !in.DueDate.Before(from) && !to.Before(in.DueDate) {
				inRange++
			}
		}
	}
	if len(p.Items) != inRange {
		t.Errorf("%d rows from %s to %s, want %d", len(p.Items), from, to, inRange)
	}
	// A change of status moves the row to its new status's list.
	_, err = st.UpdateAgreement(ctx, a.ID, 0, func(x *grants.Agreement) (grants.Effects, error) {
		x.Instalments[0].Status = grants.InstalmentDue
		return grants.Effects{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	due, err := st.ListInstalments(ctx, grants.InstalmentFilter{Programme: "alpha", Status: grants.InstalmentDue}, "", 10)
	if err != nil || len(due.Items) != 1 || due.Items[0].AgreementID != a.ID || due.Items[0].Number != 1 {
		t.Errorf("due rows: %+v %v", due.Items, err)
	}
	if p, err := st.ListInstalments(ctx, scheduled, "", 50); err != nil || len(p.Items) != 7 {
		t.Errorf("scheduled after one fell due: %d %v", len(p.Items), err)
	}
	first, _ := st.ListInstalments(ctx, scheduled, "", 1)
	if _, err := st.ListInstalments(ctx, grants.InstalmentFilter{Programme: "beta", Status: grants.InstalmentScheduled}, first.NextCursor, 1); code(err) != grants.Invalid {
		t.Errorf("another programme's cursor: %v, want invalid", err)
	}
}

// DueWork lists the index's work up to today in its order (date, then
// agreement, kind and number): plans whose schedules are missing and
// pending outbox entries at once, scheduled ones on their send day; work
// done or of an agreement not running is not listed.
func dueWork(t *testing.T, st Store) {
	ctx := context.Background()
	today := grants.Date{Year: 2026, Month: 6, Day: 15}
	if w, err := st.DueWork(ctx, today); err != nil || len(w) != 0 {
		t.Fatalf("an empty store: %v %v", w, err)
	}
	create(t, st, draft(t, "alpha", 1, "2026-07-01")) // a draft: nothing to do
	a := activate(t, st, create(t, st, draft(t, "alpha", 2, "2026-07-01")).ID, false)
	b := activate(t, st, create(t, st, draft(t, "alpha", 3, "2026-07-01")).ID, true)
	work, err := st.DueWork(ctx, today)
	if err != nil {
		t.Fatal(err)
	}
	var want []grants.Work
	for _, c := range a.CheckIns {
		want = append(want, grants.Work{On: grants.Immediately, AgreementID: a.ID, Kind: grants.WorkCheckInDue, Number: c.Number})
	}
	for _, in := range a.Instalments {
		want = append(want, grants.Work{On: grants.Immediately, AgreementID: a.ID, Kind: grants.WorkInstalmentDue, Number: in.Number})
	}
	if !slices.Equal(work, want) {
		t.Fatalf("due today:\n got %v\nwant %v", work, want)
	}
	// b's scheduled plans fall due on their send days.
	far := grants.Date{Year: 2028, Month: 1, Day: 1}
	work, err = st.DueWork(ctx, far)
	if err != nil {
		t.Fatal(err)
	}
	var bs []grants.Work
	for _, w := range work {
		if w.AgreementID == b.ID {
			bs = append(bs, w)
		}
	}
	if len(bs) != 8 || len(work) != 16 {
		t.Fatalf("due by %s: %d of b's, %d in all; want 8, 16", far, len(bs), len(work))
	}
	for i := 1; i < len(work); i++ {
		if work[i].On.Before(work[i-1].On) {
			t.Errorf("work out of date order: %v then %v", work[i-1], work[i])
		}
	}
	firstDay := bs[0].On
	upto, err := st.DueWork(ctx, firstDay)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range upto {
		if firstDay.Before(w.On) {
			t.Errorf("work due %s listed up to %s", w.On, firstDay)
		}
	}
	if len(upto) <= len(want) {
		t.Errorf("nothing of b's due on %s: %v", firstDay, upto)
	}

	// Outbox entries while not done, at once, of any partition.
	if err := st.Apply(ctx, b.ID, grants.Effects{At: Now, Outbox: []outbox.Key{outbox.CheckInKey(1)}}); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.Claim(ctx, outbox.InboundPartition, "msg#ses-1", "tok", Now, time.Minute); err != nil || !ok {
		t.Fatal(ok, err)
	}
	work, err = st.DueWork(ctx, today)
	if err != nil {
		t.Fatal(err)
	}
	has := func(w grants.Work) bool { return slices.Contains(work, w) }
	if !has(grants.Work{On: grants.Immediately, AgreementID: b.ID, Kind: grants.WorkOutbox, Key: "checkin#01"}) ||
		!has(grants.Work{On: grants.Immediately, AgreementID: outbox.InboundPartition, Kind: grants.WorkOutbox, Key: "msg#ses-1"}) {
		t.Errorf("outbox entries not listed: %v", work)
	}
	if err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, Sent: []grants.Sent{{Key: "msg#ses-1", Token: "tok", MessageID: "done"}}}); err != nil {
		t.Fatal(err)
	}
	// Terminating a takes its plans out.
	if _, err := st.UpdateAgreement(ctx, a.ID, 0, func(x *grants.Agreement) (grants.Effects, error) {
		e, err := x.Terminate("the partner closed", Now, officer)
		return grants.Audited(e), err
	}); err != nil {
		t.Fatal(err)
	}
	work, err = st.DueWork(ctx, today)
	if err != nil {
		t.Fatal(err)
	}
	if want := []grants.Work{{On: grants.Immediately, AgreementID: b.ID, Kind: grants.WorkOutbox, Key: "checkin#01"}}; !slices.Equal(work, want) {
		t.Errorf("after a send and a termination: %v, want %v", work, want)
	}
}

func held(i int, programme string) grants.Quarantined {
	id := fmt.Sprintf("%04d-%s", (i*7919)%10000, NewID()) // IDs out of write order, as SES's are
	return grants.Quarantined{ID: id, Status: grants.QuarantinePending, Reason: grants.QuarantineSpam, Programme: programme,
		Reply: grants.Reply{MessageID: id, From: "partner@example.org", Subject: "Our quarter", Text: "We ran four meals."}}
}

// Held messages list by status (every programme's, or one programme's, ""
// naming none) in message ID order and count by programme; a decision
// moves a message to its status's list once, a second is a Conflict.
func heldMessages(t *testing.T, st Store) {
	ctx := context.Background()
	want := map[string][]string{}
	var all []grants.Quarantined
	for i, p := range []string{"alpha", "alpha", "alpha", "", "", "beta", "beta", "gamma"} {
		q := held(i, p)
		want[p] = append(want[p], q.ID)
		all = append(all, q)
	}
	if err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, Held: all}); err != nil {
		t.Fatal(err)
	}
	gamma := all[7]
	if err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, Decisions: []grants.Decision{{MessageID: gamma.ID, Status: grants.QuarantineRejected, Actor: officer, Note: "spam"}}}); err != nil {
		t.Fatal(err)
	}
	ids := func(list []grants.Quarantined) []string {
		var out []string
		for _, q := range list {
			out = append(out, q.ID)
		}
		return out
	}
	sorted := func(s ...[]string) []string { return slices.Sorted(slices.Values(slices.Concat(s...))) }
	for _, p := range []string{"alpha", "beta", "", "delta"} {
		got, err := st.ListQuarantineOf(ctx, p, "")
		if err != nil || !slices.Equal(ids(got), sorted(want[p])) {
			t.Errorf("pending of %q: %v %v, want %v", p, ids(got), err, sorted(want[p]))
		}
	}
	got, err := st.ListQuarantine(ctx, "")
	if err != nil || !slices.Equal(ids(got), sorted(want["alpha"], want["beta"], want[""])) {
		t.Errorf("every programme's pending: %v %v", ids(got), err)
	}
	rejected, err := st.ListQuarantine(ctx, grants.QuarantineRejected)
	if err != nil || len(rejected) != 1 || rejected[0].ID != gamma.ID || rejected[0].ResolvedBy != officer || rejected[0].Note != "spam" || rejected[0].ResolvedAt.IsZero() {
		t.Errorf("rejected: %+v %v", rejected, err)
	}
	if got, err := st.ListQuarantineOf(ctx, "gamma", grants.QuarantineRejected); err != nil || len(got) != 1 {
		t.Errorf("gamma's rejected: %v %v", got, err)
	}
	counts, err := st.HeldCounts(ctx)
	if w := map[string]int{"alpha": 3, "": 2, "beta": 2}; err != nil || !reflect.DeepEqual(counts, w) {
		t.Errorf("held counts %v %v, want %v", counts, err, w)
	}
	// A second decision is refused and moves nothing.
	err = st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, Decisions: []grants.Decision{{MessageID: gamma.ID, Status: grants.QuarantineAccepted, Actor: officer}}})
	if code(err) != grants.Conflict {
		t.Errorf("a second decision: %v, want a conflict", err)
	}
	if q, err := st.GetQuarantined(ctx, gamma.ID); err != nil || q.Status != grants.QuarantineRejected || q.Reply.Text != gamma.Reply.Text || q.Programme != "gamma" {
		t.Errorf("after a refused second decision: %+v %v", q, err)
	}
	if _, err := st.GetQuarantined(ctx, "ses-none"); code(err) != grants.NotFound {
		t.Errorf("no such message: %v", err)
	}
}

// Replies list by check-in, then message; each message is stored once.
func repliesByCheckIn(t *testing.T, st Store) {
	ctx := context.Background()
	a := create(t, st, draft(t, "alpha", 1, "2026-07-01"))
	for _, r := range []grants.Reply{reply(a.ID, 2, "ses-b"), reply(a.ID, 1, "ses-c"), reply(a.ID, 2, "ses-a"), reply(a.ID, 10, "ses-d")} {
		if err := st.Apply(ctx, a.ID, grants.Effects{At: Now, Replies: []grants.Reply{r}}); err != nil {
			t.Fatal(err)
		}
	}
	key := func(list []grants.Reply) []string {
		var out []string
		for _, r := range list {
			out = append(out, fmt.Sprintf("%d/%s", r.CheckIn, r.MessageID))
		}
		return out
	}
	if got, err := st.Replies(ctx, a.ID, 0); err != nil || !slices.Equal(key(got), []string{"1/ses-c", "2/ses-a", "2/ses-b", "10/ses-d"}) {
		t.Errorf("every reply: %v %v", key(got), err)
	}
	if got, err := st.Replies(ctx, a.ID, 2); err != nil || !slices.Equal(key(got), []string{"2/ses-a", "2/ses-b"}) {
		t.Errorf("check-in 2's: %v %v", key(got), err)
	}
	if got, err := st.Replies(ctx, a.ID, 3); err != nil || len(got) != 0 {
		t.Errorf("check-in 3's: %v %v", got, err)
	}
	if got, _ := st.Replies(ctx, a.ID, 1); len(got) == 1 && (got[0].Text != "We ran four meals." || !got[0].ReceivedAt.Equal(Now)) {
		t.Errorf("a reply read back: %+v", got[0])
	}
}

// mixed is an agreement of programme p as a programme holds them: every
// third still a draft, the rest active with the first instalment paid, the
// second due and the first check-in in.
func mixed(t testing.TB, p string, i int) *grants.Agreement {
	t.Helper()
	a := draft(t, p, i, "2026-01-31")
	if i%3 != 0 {
		a.Status = grants.AgreementActive
		a.Instalments[0].Status, a.Instalments[0].PaidOn, a.Instalments[0].PaymentReference = grants.InstalmentPaid, a.StartDate, fmt.Sprintf("BACS-%05d", i)
		a.Instalments[1].Status = grants.InstalmentDue
		a.CheckIns[0].Status = grants.CheckInReceived
	}
	return a
}

var payDay = grants.Date{Year: 2026, Month: 6, Day: 15}

// tallyOps are the changes a programme's tally must follow, each a store
// mutation as the use cases make them. An illegal one (the domain refuses)
// changes nothing.
var tallyOps = map[string]func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error){
	"activate": func(*rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		return audited(func(a *grants.Agreement) (grants.AuditEntry, error) { return a.Activate(Now, officer) })
	},
	"pay": func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		n := r.IntN(4)
		return func(a *grants.Agreement) (grants.Effects, error) {
			in := &a.Instalments[n]
			if a.Status != grants.AgreementActive || (in.Status != grants.InstalmentDue && in.Status != grants.InstalmentScheduled) {
				return grants.Effects{}, grants.ErrNoChange
			}
			in.Status, in.PaidOn, in.PaymentReference = grants.InstalmentPaid, payDay, fmt.Sprintf("BACS-%d", n)
			return grants.Effects{}, nil
		}
	},
	"due": func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		n := r.IntN(4)
		return func(a *grants.Agreement) (grants.Effects, error) {
			if a.Instalments[n].Status != grants.InstalmentScheduled {
				return grants.Effects{}, grants.ErrNoChange
			}
			a.Instalments[n].Status = grants.InstalmentDue
			return grants.Effects{}, nil
		}
	},
	"hold": func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		n := r.IntN(4) + 1
		return audited(func(a *grants.Agreement) (grants.AuditEntry, error) {
			return a.Hold(n, "waiting for the report", Now, "finance@funder.example")
		})
	},
	"receive check-in": func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		n := r.IntN(4)
		return func(a *grants.Agreement) (grants.Effects, error) {
			if a.CheckIns[n].Status == grants.CheckInReceived {
				return grants.Effects{}, grants.ErrNoChange
			}
			a.CheckIns[n].Status = grants.CheckInReceived
			return grants.Effects{}, nil
		}
	},
	"terminate": func(*rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		return audited(func(a *grants.Agreement) (grants.AuditEntry, error) {
			return a.Terminate("the partner closed", Now, officer)
		})
	},
	"bounce": func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		n := r.IntN(2)
		return func(a *grants.Agreement) (grants.Effects, error) {
			if a.Contacts[n].Bounced != "" {
				a.Contacts[n].Bounced = "" // the partner gave a new address
			} else {
				a.Contacts[n].Bounced = "2026-06-01T10:00:00Z"
			}
			return grants.Effects{}, nil
		}
	},
	"amend end date": func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		later := r.IntN(2) == 0
		return func(a *grants.Agreement) (grants.Effects, error) {
			a.EndDate = grants.Date{Year: 2027, Month: 1, Day: 30}
			if later {
				a.EndDate = grants.Date{Year: 2027, Month: 6, Day: 30}
			}
			return grants.Effects{}, nil
		}
	},
	"amend award": func(r *rand.Rand) func(*grants.Agreement) (grants.Effects, error) {
		extra := int64(r.IntN(1000) + 1)
		return func(a *grants.Agreement) (grants.Effects, error) {
			last := &a.Instalments[len(a.Instalments)-1]
			if last.Status != grants.InstalmentScheduled {
				return grants.Effects{}, grants.ErrNoChange
			}
			a.Amount += extra
			last.Amount += extra
			return grants.Effects{}, nil
		}
	},
}

func audited(change func(*grants.Agreement) (grants.AuditEntry, error)) func(*grants.Agreement) (grants.Effects, error) {
	return func(a *grants.Agreement) (grants.Effects, error) {
		e, err := change(a)
		if code(err) != "" {
			return grants.Effects{}, grants.ErrNoChange // the domain refused: nothing changes
		}
		return grants.Audited(e), err
	}
}

// The programme's tally always equals a recount of its agreements, after a
// random mix of creates and changes made by concurrent writers, some of
// them to the same agreements; and a rebuild changes nothing.
func tallyEqualsRecount(t *testing.T, st Store) {
	ctx := context.Background()
	const programme = "alpha"
	today := grants.Date{Year: 2027, Month: 3, Day: 1}          // after every end date: every active agreement is past it unless extended
	if err := st.RebuildAggregate(ctx, programme); err != nil { // an empty programme: all zero
		t.Fatal(err)
	}
	names := slices.Sorted(maps.Keys(tallyOps))
	var (
		mu  sync.Mutex
		ids []string
		wg  sync.WaitGroup
	)
	for w := range 6 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for i := range 25 {
				mu.Lock()
				have := len(ids)
				mu.Unlock()
				if have < 4 || r.IntN(4) == 0 {
					a := mixed(t, programme, w*100+i)
					a.Currency = []string{"GBP", "EUR"}[r.IntN(2)]
					if _, err := st.CreateAgreement(ctx, a, created(), nil); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					ids = append(ids, a.ID)
					mu.Unlock()
					continue
				}
				mu.Lock()
				id := ids[r.IntN(len(ids))]
				mu.Unlock()
				name := names[r.IntN(len(names))]
				if _, err := st.UpdateAgreement(ctx, id, 0, tallyOps[name](r)); err != nil && !errors.Is(err, grants.ErrNoChange) {
					t.Errorf("%s on %s: %v", name, id, err)
				}
			}
		})
	}
	wg.Wait()

	kept, keptMarks, _, err := st.ProgrammeTally(ctx, programme, today)
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := st.ProgrammeAgreements(ctx, programme)
	if err != nil {
		t.Fatal(err)
	}
	want, wantMarks, err := reports.Recount(list, today)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(kept, want) || !reflect.DeepEqual(keptMarks, wantMarks) {
		t.Errorf("tally differs from a recount of %d agreements:\n kept %v %+v\nwant %v %+v", len(list), kept, keptMarks, want, wantMarks)
	}
	if want["status.active"] == 0 || want["status.terminated"] == 0 || wantMarks.PastEndDate == 0 || len(wantMarks.Bouncing) == 0 {
		t.Errorf("the mix did not reach every kind of change: %v %+v", want, wantMarks)
	}
	if err := st.RebuildAggregate(ctx, programme); err != nil {
		t.Fatal(err)
	}
	rebuilt, rebuiltMarks, _, err := st.ProgrammeTally(ctx, programme, today)
	if err != nil || !reflect.DeepEqual(rebuilt, want) || !reflect.DeepEqual(rebuiltMarks, wantMarks) {
		t.Errorf("rebuilt %v %+v (%v), want %v %+v", rebuilt, rebuiltMarks, err, want, wantMarks)
	}
	if none, marks, _, err := st.ProgrammeTally(ctx, "empty", today); err != nil || len(none) != 0 || marks.PastEndDate != 0 || len(marks.Bouncing) != 0 {
		t.Errorf("an empty programme: %v %+v %v", none, marks, err)
	}
}

// The plans read for exports: in the programme list's order, each as
// GetAgreement reads it; by ID, in the order asked, unknown IDs skipped.
func plansInProgrammeOrder(t *testing.T, st Store) {
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		ids = append(ids, create(t, st, draft(t, "alpha", i, "2026-07-01")).ID)
	}
	create(t, st, draft(t, "beta", 9, "2026-07-01"))
	activate(t, st, ids[3], true)
	list, _, err := st.ProgrammeAgreements(ctx, "alpha")
	if err != nil || len(list) != 5 {
		t.Fatalf("programme agreements: %d %v", len(list), err)
	}
	order := make([]string, len(list))
	for i, a := range list {
		order[i] = a.ID
		if a.Programme != "alpha" || len(a.Instalments) != 0 || a.Stats.Outstanding == 0 {
			t.Errorf("listed %s of %s with %d instalments, stats %+v", a.ID, a.Programme, len(a.Instalments), a.Stats)
		}
	}
	if order[0] != ids[3] {
		t.Errorf("the active agreement is not first: %v", order)
	}
	plans, _, err := st.ProgrammePlans(ctx, "alpha")
	if err != nil || len(plans) != 5 {
		t.Fatalf("programme plans: %d %v", len(plans), err)
	}
	for i, a := range plans {
		want, err := st.GetAgreement(ctx, order[i])
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != order[i] || len(a.Instalments) != 4 || len(a.CheckIns) != 4 || !reflect.DeepEqual(a, *want) {
			t.Errorf("plans[%d] differs from GetAgreement:\n%v\n%v", i, a, *want)
		}
	}
	asked := []string{ids[2], NewID(), ids[0], "not-an-id", ids[1]}
	full, err := st.AgreementsWithPlans(ctx, asked)
	if err != nil || len(full) != 3 || full[0].ID != ids[2] || full[1].ID != ids[0] || full[2].ID != ids[1] || len(full[0].Instalments) != 4 {
		t.Fatalf("plans by ID: %v %v", full, err)
	}
	if none, _, err := st.ProgrammeAgreements(ctx, "gamma"); err != nil || len(none) != 0 {
		t.Errorf("an empty programme: %d agreements %v", len(none), err)
	}
	if none, _, err := st.ProgrammePlans(ctx, "gamma"); err != nil || len(none) != 0 {
		t.Errorf("an empty programme's plans: %d agreements %v", len(none), err)
	}
	if none, err := st.AgreementsWithPlans(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("no IDs: %v %v", none, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := st.AgreementsWithPlans(cancelled, asked); err == nil {
		t.Error("a cancelled read succeeded")
	}
}

// What a caller is given is its own: changing it changes nothing stored,
// and changing what it passed in after the write changes nothing either.
func callersHoldCopies(t *testing.T, st Store) {
	ctx := context.Background()
	a := create(t, st, draft(t, "alpha", 1, "2026-07-01"))
	a.Contacts[0].Name = "Changed after the write"
	a.Instalments[0].Amount = 1
	got, err := st.GetAgreement(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	got.Contacts[0].Name = "Changed after the read"
	got.Terms[0] = "Changed"
	got.Instalments[1].Amount = 2
	again, err := st.GetAgreement(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Contacts[0].Name != "Amina Khan" || again.Terms[0] != "Co-host four community meals" || again.Instalments[0].Amount == 1 || again.Instalments[1].Amount == 2 {
		t.Errorf("stored state changed through a caller's copy: %+v", again)
	}
	q := held(1, "alpha")
	if err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, Held: []grants.Quarantined{q}}); err != nil {
		t.Fatal(err)
	}
	list, _ := st.ListQuarantine(ctx, "")
	list[0].Reply.Text = "Changed"
	if q2, err := st.GetQuarantined(ctx, q.ID); err != nil || q2.Reply.Text != q.Reply.Text {
		t.Errorf("a held message changed through a list: %+v %v", q2, err)
	}
}
