package service_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/service"
)

var _ service.ReflectionStore = (*memstore.Store)(nil)

// reflectOnce is an idempotent request to reflect, as the API makes one.
func reflectOnce(key string, in service.ReflectionInput) *idempotency.Once[*grants.Reflection] {
	return &idempotency.Once[*grants.Reflection]{
		Request: idempotency.Request{Scope: "reflections.create community-2026", Caller: "officer", Key: key, Payload: []byte(in.Message + "|" + string(rune('0'+in.Round)))},
		Render: func(r *grants.Reflection) (idempotency.Response, error) {
			return idempotency.Response{StatusCode: 201, Body: []byte(r.Message)}, nil
		},
	}
}

// "You said, we did" (issue 24, item 4): drafted from the themes and their
// actions; one a round (another request for the round is refused by its
// field, the same request again is answered as before, concurrent ones
// queue one email an agreement); sent at the send time to each active
// agreement's lead contact once, with a message+ Reply-To, to nobody else;
// bad input is refused by field. A partner's answer is a message on the
// agreement: no check-in's reply, the agreement unchanged, its words the
// programme role's only.
func TestYouSaidWeDid(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2027, 3, 1, 7, 0, 0, 0, time.UTC) // a Monday, before the 09:00 send time
	e := newEnv(t, start, options{})
	e.x.NewID = memstore.NewID
	st := e.store.(*memstore.Store)
	env := e.x.env()

	leadA, treasurerA, leadB, leadC := e.contact("lead-a"), e.contact("treasurer-a"), e.contact("lead-b"), e.contact("lead-c")
	a := e.agreement(t, "2027-04-01", false, leadA, treasurerA)
	a, err := st.UpdateAgreement(ctx, a.ID, 0, func(a *grants.Agreement) (grants.Effects, error) {
		a.Contacts[1].Role = "treasurer"
		return grants.Effects{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b := e.agreement(t, "2027-04-01", false, leadB)
	c := e.agreement(t, "2027-04-01", false, leadC)
	if _, err := e.x.agreements().Terminate(ctx, "officer", c.ID, "The group has closed", ""); err != nil {
		t.Fatal(err)
	}

	themes := service.NewThemes(st, env)
	if _, err := themes.Tag(ctx, "officer", "community-2026", service.ThemeTagInput{Theme: "Late payments", AgreementID: a.ID, CheckIn: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := themes.Act(ctx, "officer", "community-2026", service.ThemeActionInput{Theme: "late payments", What: "Moved the pay run to the first Monday", On: "2027-02-20", Who: "Finance team"}); err != nil {
		t.Fatal(err)
	}
	x := service.NewReflections(st, env)
	d, err := x.Draft(ctx, "community-2026")
	if err != nil || d.Round != 1 || len(d.To) != 2 || d.Sample == nil ||
		!strings.Contains(d.Message, "You said: Late payments (1 partner)") || !strings.Contains(d.Message, "We did: Moved the pay run to the first Monday (2027-02-20, Finance team)") {
		t.Fatalf("draft: %+v %v", d, err)
	}

	// Bad input, by field.
	for _, in := range []service.ReflectionInput{{Round: 0, Message: "x"}, {Round: 1, Message: "  "}, {Round: 1, Message: strings.Repeat("x", grants.MaxReflectionLength+1)}} {
		_, _, err := x.Reflect(ctx, "officer", "community-2026", in, reflectOnce("bad", in))
		want := "round"
		if in.Round == 1 {
			want = "message"
		}
		if f := fieldsOf(err); !slices.Equal(f, []string{want}) {
			t.Errorf("%d, %d characters: fields %v (%v)", in.Round, len(in.Message), f, err)
		}
	}

	in := service.ReflectionInput{Round: 1, Message: d.Message}
	r, replay, err := x.Reflect(ctx, "officer", "community-2026", in, reflectOnce("k1", in))
	if err != nil || replay != nil || r.Agreements != 2 || r.Status != grants.ReflectionQueued || r.Round != 1 {
		t.Fatalf("reflect: %+v %v %v", r, replay, err)
	}
	// The same request again: its answer.
	if _, replay, err := x.Reflect(ctx, "officer", "community-2026", in, reflectOnce("k1", in)); err != nil || replay == nil || replay.StatusCode != 201 {
		t.Errorf("the same request again: %+v %v", replay, err)
	}
	// Another for the round: refused by its field.
	other := service.ReflectionInput{Round: 1, Message: "Something else"}
	if _, _, err := x.Reflect(ctx, "officer", "community-2026", other, reflectOnce("k2", other)); grants.ErrorCode(err) != grants.Conflict || !slices.Equal(fieldsOf(err), []string{"round"}) {
		t.Errorf("a second for round 1: %v", err)
	}
	// Many at once for round 2: one wins, the others are refused; each
	// agreement has its one email queued.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, refused := 0, 0
	for i := range 6 {
		wg.Go(func() {
			in := service.ReflectionInput{Round: 2, Message: "Round two"}
			key := "c" + string(rune('a'+i%3)) // three keys, each sent twice
			_, _, err := x.Reflect(ctx, "officer", "community-2026", in, reflectOnce(key, in))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case grants.ErrorCode(err) == grants.Conflict || errors.Is(err, idempotency.ErrAnswered):
				refused++
			default:
				t.Errorf("concurrent: %v", err)
			}
		})
	}
	wg.Wait()
	if won < 1 || won > 2 || won+refused != 6 {
		t.Errorf("concurrent requests for round 2: %d made or answered it, %d refused", won, refused)
	}
	past, err := x.List(ctx, "community-2026")
	if err != nil || len(past) != 2 || past[0].Round != 1 || past[1].Round != 2 || past[1].Agreements != 2 {
		t.Errorf("reflections: %+v %v", past, err)
	}
	for _, id := range []string{a.ID, b.ID} {
		if en, err := st.Outbox(ctx, id, outbox.ReflectionKey(1).String()); err != nil || en == nil {
			t.Errorf("round 1 not queued for %s: %v", id, err)
		}
	}
	if en, _ := st.Outbox(ctx, c.ID, outbox.ReflectionKey(1).String()); en != nil {
		t.Error("round 1 queued for a terminated agreement")
	}

	ours := func(addr string) []string {
		var out []string
		for _, m := range e.mailTo(t, addr) {
			if strings.HasPrefix(m.Subject, "You said, we did") {
				out = append(out, m.Subject+" | "+strings.Join(m.ReplyTo, ","))
				if !strings.Contains(m.Body.Text, "Moved the pay run") && !strings.Contains(m.Body.Text, "Round two") {
					t.Errorf("the email does not say the message: %s", m.Body.Text)
				}
			}
		}
		return out
	}
	// Not before the send time.
	if _, err := e.x.automation().Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ours(leadA); len(got) != 0 {
		t.Fatalf("sent before the send time: %v", got)
	}
	e.clock.Set(time.Date(2027, 3, 1, 9, 5, 0, 0, time.UTC))
	for range 2 {
		if _, err := e.x.automation().Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, to := range []string{leadA, leadB} {
		got := ours(to)
		if len(got) != 2 || !strings.Contains(got[0], "message+") {
			t.Errorf("to %s: %v, want rounds 1 and 2 once each, answered at message+", to, got)
		}
	}
	for _, to := range []string{treasurerA, leadC} {
		if got := ours(to); len(got) != 0 {
			t.Errorf("to %s, who should get none: %v", to, got)
		}
	}

	// The partner answers: a message on the agreement.
	before := e.get(t, a.ID)
	replies := e.x.replies()
	answer := grants.Reply{AgreementID: a.ID, MessageID: "ses-msg-1", From: leadA, Subject: "Re: You said, we did", Text: "Thank you, the Monday pay run helps us a lot.", ReceivedAt: e.clock.Now()}
	for range 2 { // delivered twice: kept once
		if err := replies.AcceptMessage(ctx, answer, leadA, grants.Effects{}, service.Read{}); err != nil {
			t.Fatal(err)
		}
	}
	after := e.get(t, a.ID)
	if after.Version != before.Version || after.CheckIn(1).Status != before.CheckIn(1).Status {
		t.Errorf("the agreement changed: version %d → %d, check-in 1 %s → %s", before.Version, after.Version, before.CheckIn(1).Status, after.CheckIn(1).Status)
	}
	if rs, _ := st.Replies(ctx, a.ID, 1); len(rs) != 0 {
		t.Errorf("a check-in's reply: %+v", rs)
	}
	msgs, err := replies.Messages(ctx, grants.Actor{Name: "officer", Groups: []grants.Role{grants.RoleProgramme}}, a.ID)
	if err != nil || len(msgs) != 1 || msgs[0].Text != answer.Text || !msgs[0].AnswersMessage || msgs[0].CheckIn != 0 {
		t.Errorf("messages as the programme role: %+v %v", msgs, err)
	}
	for _, role := range []grants.Role{grants.RoleFinance, grants.RoleViewer} {
		msgs, err := replies.Messages(ctx, grants.Actor{Name: "someone", Groups: []grants.Role{role}}, a.ID)
		if err != nil || len(msgs) != 1 || msgs[0].Text != "" || msgs[0].FullText != "" || !msgs[0].FeedbackWithheld {
			t.Errorf("messages as %s: %+v %v", role, msgs, err)
		}
	}
	if n := count(e.history(t, a.ID), "message.received", ""); n != 1 {
		t.Errorf("%d message.received entries, want 1", n)
	}
}
