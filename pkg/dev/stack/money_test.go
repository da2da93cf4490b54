package stack

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// Issue 23 on the local stack: item 3 (an extra payment at a time of need)
// and item 6 (the partner hears about their money), through the JSON API
// as officers and finance would, the emails read from the mail viewer.

// TestExtraPaymentOnTheStack adds an extra payment taken from later
// instalments: bad input is refused by its field; the same request
// delivered five times at once adds it once (the later instalments
// re-planned, the award's sum exact); one member of finance requests it
// (three deliveries at once), cannot approve it herself, another approves
// it (twice at once: paid once); the partner gets one email about it and
// one remittance, neither with the internal reason.
func TestExtraPaymentOnTheStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	now := time.Now()
	issue := func(user, group string) client {
		tok, err := st.Auth.Issue(user, group, now)
		if err != nil {
			t.Fatal(err)
		}
		return client{t, st.opts.APIAddr, tok}
	}
	officer, alice, bob := issue("olu", "programme"), issue("alice", "finance"), issue("bob", "finance")
	contact := fmt.Sprintf("lead-%d@extra.example", now.UnixNano())
	today := grants.Today(st.Clock.Now(), time.UTC)
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": "extra-payments",
		"partner": {"name": "Moss Side Van Project", "registrationNumber": "1190888", "address": "3 Princess Road, Manchester M14 4TH"},
		"contacts": [{"name": "Kim Ade", "email": %q, "role": "lead"}],
		"amount": 1000000, "startDate": %q, "terms": ["Deliver food parcels weekly"], "support": ["Fleet advice"]}`,
		contact, today.AddDays(-7)), &a, "Idempotency-Key", "extra-create")
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", &a)

	path := "/agreements/" + a.ID + "/instalments"
	due := today.String()
	for body, field := range map[string]string{
		`{"kind": "extra", "amount": 0, "reason": "van", "dueDate": "` + due + `", "fromLaterInstalments": true}`:      "amount",
		`{"kind": "extra", "amount": 750000, "reason": "van", "dueDate": "` + due + `", "fromLaterInstalments": true}`: "amount",
		`{"kind": "extra", "amount": 50000, "reason": "van", "dueDate": "2040-01-01", "fromLaterInstalments": true}`:   "dueDate",
		`{"kind": "bonus", "amount": 50000, "reason": "van", "dueDate": "` + due + `", "fromLaterInstalments": true}`:  "kind",
		`{"kind": "extra", "amount": 50000, "reason": "", "dueDate": "` + due + `", "fromLaterInstalments": true}`:     "reason",
	} {
		code, b := officer.do("POST", path, body, "Idempotency-Key", "bad-"+field+fmt.Sprint(len(body)))
		if code != http.StatusUnprocessableEntity || !strings.Contains(string(b), `"`+field+`"`) {
			t.Errorf("%s: %d %s, want 422 naming %s", body, code, b, field)
		}
	}
	if code, _ := officer.do("POST", path, `{"kind": "extra", "amount": 50000, "reason": "van", "dueDate": "`+due+`", "fromLaterInstalments": true}`); code/100 != 4 {
		t.Errorf("no Idempotency-Key: %d", code)
	}

	body := `{"kind": "extra", "amount": 50000, "reason": "Internal: the van failed its MOT", "dueDate": "` + due + `",
		"fromLaterInstalments": true, "partnerMessage": "We are sending £500 now for the van repair, taken from your last instalment."}`
	var wg sync.WaitGroup
	numbers := make([]int, 5)
	for i := range numbers {
		wg.Go(func() {
			var got struct{ Number int }
			officer.must(201, "POST", path, body, &got, "Idempotency-Key", "extra-van-1")
			numbers[i] = got.Number
		})
	}
	wg.Wait()
	for _, n := range numbers {
		if n != 5 {
			t.Fatalf("numbers %v, want 5 each time", numbers)
		}
	}
	officer.must(200, "GET", "/agreements/"+a.ID, "", &a)
	var sum int64
	for _, in := range a.Instalments {
		sum += in.Amount
	}
	if len(a.Instalments) != 5 || sum != 1_000_000 || a.Amount != 1_000_000 || a.Instalment(4).Amount != 200_000 {
		t.Fatalf("plan after the extra payment: %+v (sum %d, award %d)", a.Instalments, sum, a.Amount)
	}

	var req struct{ Payment grants.Payment }
	for range 3 {
		wg.Go(func() {
			alice.must(201, "POST", path+"/5/payments", `{"paymentReference": "BACS-VAN-1", "paidOn": "`+due+`"}`, &req, "Idempotency-Key", "extra-van-pay")
		})
	}
	wg.Wait()
	approve := path + "/5/payments/" + req.Payment.ID + "/approve"
	if code, b := alice.do("POST", approve, ""); code != http.StatusForbidden {
		t.Fatalf("alice approves her own request: %d %s", code, b)
	}
	codes := make([]int, 2)
	for i := range codes {
		wg.Go(func() { codes[i], _ = bob.do("POST", approve, "") })
	}
	wg.Wait()
	if !(codes[0] == 200 && codes[1] == 409 || codes[0] == 409 && codes[1] == 200) {
		t.Fatalf("two approvals at once answered %v, want one 200 and one 409", codes)
	}
	officer.must(200, "GET", "/agreements/"+a.ID, "", &a)
	if in := a.Instalment(5); in.Status != grants.InstalmentPaid || in.Extra == nil {
		t.Fatalf("extra payment: %+v", in)
	}

	if _, err := st.Runner.Advance(ctx, 2); err != nil {
		t.Fatal(err)
	}
	msgs, err := emulator.SESMessagesTo(ctx, fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort), contact)
	if err != nil {
		t.Fatal(err)
	}
	var told, remitted int
	for _, m := range msgs {
		switch {
		case strings.HasPrefix(m.Subject, "An extra payment of £500.00"):
			told++
			if !strings.Contains(m.Body.Text, "for the van repair") {
				t.Errorf("the extra payment's email lacks the officer's words:\n%s", m.Body.Text)
			}
		case strings.HasPrefix(m.Subject, "Payment sent: £500.00"):
			remitted++
		}
		if strings.Contains(m.Body.Text+m.Body.HTML, "Internal") {
			t.Errorf("%q says the internal reason", m.Subject)
		}
	}
	if told != 1 || remitted != 1 {
		t.Errorf("the partner was told %d times and sent %d remittances; want one each", told, remitted)
	}
}

// TestHoldAndReleaseAreToldOnTheStack holds an instalment and releases it
// through the API: the partner gets one email for each, the hold's in the
// officer's words, the release's in the default words; neither says the
// internal reason, however often the sweep runs.
func TestHoldAndReleaseAreToldOnTheStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	officer := client{t, st.opts.APIAddr, tok}
	contact := fmt.Sprintf("lead-%d@held.example", now.UnixNano())
	today := grants.Today(st.Clock.Now(), time.UTC)
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": "held-told",
		"partner": {"name": "Hulme Garden Centre", "registrationNumber": "1190999", "address": "4 Royce Road, Manchester M15 5AN"},
		"contacts": [{"name": "Pat Lee", "email": %q, "role": "lead"}],
		"amount": 400000, "startDate": %q, "terms": ["Open the garden weekly"], "support": ["Volunteer training"]}`,
		contact, today.AddDays(-7)), &a, "Idempotency-Key", "held-create")
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", &a)
	words := "We have paused instalment 2 while we agree the new budget with you."
	officer.must(422, "POST", "/agreements/"+a.ID+"/instalments/2/hold", `{"reason": "x", "partnerMessage": "`+strings.Repeat("x", 4001)+`"}`, nil)
	officer.must(200, "POST", "/agreements/"+a.ID+"/instalments/2/hold",
		`{"reason": "Internal: trustees querying the budget", "partnerMessage": "`+words+`"}`, nil)
	if _, err := st.Runner.Advance(ctx, 2); err != nil {
		t.Fatal(err)
	}
	officer.must(200, "POST", "/agreements/"+a.ID+"/instalments/2/release", `{"reason": "Internal: trustees satisfied"}`, nil)
	if _, err := st.Runner.Advance(ctx, 3); err != nil {
		t.Fatal(err)
	}
	msgs, err := emulator.SESMessagesTo(ctx, fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort), contact)
	if err != nil {
		t.Fatal(err)
	}
	var held, released []emulator.SESMessage
	for _, m := range msgs {
		switch {
		case strings.HasPrefix(m.Subject, "Instalment 2 is on hold"):
			held = append(held, m)
		case strings.HasPrefix(m.Subject, "Instalment 2 is no longer on hold"):
			released = append(released, m)
		}
		if strings.Contains(m.Body.Text+m.Body.HTML, "Internal") || strings.Contains(m.Body.Text, "trustees") {
			t.Errorf("%q says the internal reason:\n%s", m.Subject, m.Body.Text)
		}
	}
	if len(held) != 1 || len(released) != 1 {
		t.Fatalf("hold emails %d, release emails %d; want one each (all: %d)", len(held), len(released), len(msgs))
	}
	if !strings.Contains(held[0].Body.Text, words) {
		t.Errorf("the hold's email lacks the officer's words:\n%s", held[0].Body.Text)
	}
	officer.must(200, "GET", "/agreements/"+a.ID, "", &a)
	if len(a.Notices) != 2 || a.Notices[0].Message != words || a.Notices[1].Kind != grants.NoticeReleased {
		t.Errorf("notices %+v", a.Notices)
	}
}
