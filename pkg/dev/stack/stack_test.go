package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/smtp"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/callmeter"
	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/eventbus/eventbustest"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/httpapi/openapi/openapitest"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/service"
)

// stackStart is where every local-stack test's clock starts, so none
// depends on the day or hour it runs: by default a Monday in March at 10:00
// in London, after the send time, on no holiday. The short walks run again
// from quietStart (TestShortWalksFromTheQuietPeriod), and make
// test-calendar runs every walk from there (-stack.start).
var stackStart = flag.String("stack.start", "2027-03-01T10:00:00Z", "the local clock's start in every local-stack test (RFC 3339)")

// quietStart is inside the quiet period before 09:00: 07:30 in London on
// 23 December, the day before the default quiet period, where a walk that
// assumed working days or a sent digest would fail.
var quietStart = flag.String("stack.quiet", "2026-12-23T07:30:00Z", "where TestShortWalksFromTheQuietPeriod starts the short walks' clocks (RFC 3339)")

// shortWalks are the tests that walk the calendar and are short enough to
// run twice in every go test: from stackStart and from quietStart.
var shortWalks = []struct {
	name string
	walk func(*testing.T)
}{
	{"TestLateDigestOnTheStack", TestLateDigestOnTheStack},
	{"TestLateActivationSendsOneWelcome", TestLateActivationSendsOneWelcome},
	{"TestCloseEarlySendsOneThankYou", TestCloseEarlySendsOneThankYou},
}

// TestShortWalksFromTheQuietPeriod runs the short walks again, each with
// its clock started at quietStart, so none depends on the day or hour CI
// starts; they run beside the other tests, on the same DynamoDB Local.
func TestShortWalksFromTheQuietPeriod(t *testing.T) {
	t.Parallel()
	for _, w := range shortWalks {
		t.Run(w.name, w.walk)
	}
}

// clockStart is -stack.start, or -stack.quiet in
// TestShortWalksFromTheQuietPeriod.
func clockStart(t *testing.T) time.Time {
	flagName, start := "stack.start", *stackStart
	if strings.HasPrefix(t.Name(), "TestShortWalksFromTheQuietPeriod/") {
		flagName, start = "stack.quiet", *quietStart
	}
	at, err := time.Parse(time.RFC3339, start)
	if err != nil {
		t.Fatalf("-%s: %v", flagName, err)
	}
	return at
}

// startStack runs the whole local stack on free ports with its own data.
func startStack(t *testing.T) *Stack { return startStackWith(t, nil) }

// startStackWith is startStack with options changed by configure first.
func startStackWith(t *testing.T, configure func(*Options)) *Stack {
	t.Helper()
	if testing.Short() {
		t.Skip("starts the whole local stack")
	}
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	port := func() int {
		p, err := emulator.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A free port may be taken by another test's process between being
	// found free and being listened on (go test runs packages in
	// parallel): start again on other ports then.
	var st *Stack
	var opts Options
	var cancel context.CancelFunc
	for attempt := 1; ; attempt++ {
		opts = DefaultOptions(root)
		opts.DataDir = t.TempDir()
		opts.APIAddr = fmt.Sprintf("127.0.0.1:%d", port())
		opts.ControlAddr = fmt.Sprintf("127.0.0.1:%d", port())
		opts.SMTPAddr = fmt.Sprintf("127.0.0.1:%d", port())
		opts.SignInAddr = fmt.Sprintf("127.0.0.1:%d", port())
		// One DynamoDB Local for the test binary, a table for each stack.
		opts.DynamoDBEndpoint, opts.TableName = testenv.DynamoDBEndpoint(t), testenv.TableName(t)
		// One aws-ses-v2-local too, each stack reading only its own mail.
		_, opts.SESEndpoint = testenv.SES(t)
		opts.SESPort = port()
		// And one s3rver, each stack with buckets of its own.
		opts.S3Endpoint = testenv.S3Endpoint(t)
		opts.MailBucket, opts.GrantsBucket = stackBucket(t), stackBucket(t)
		opts.SchedulerPort, opts.SecretsPort, opts.EventsPort = 0, 0, 0
		// goaws keeps its queues in this process: one queue per stack.
		opts.SQSPort, opts.CheckInQueue = 0, fmt.Sprintf("checkins-%d", port())
		opts.ClockStart = clockStart(t)
		iamRecord(t, &opts)
		if configure != nil {
			configure(&opts)
		}
		stackBuckets.Store(opts.MailBucket, true)
		if opts.PublishGrantsData {
			stackBuckets.Store(opts.GrantsBucket, true)
		}
		var ctx context.Context
		ctx, cancel = context.WithCancel(context.Background())
		ctx, tag := withLogTag(ctx)
		var err error
		st, err = Start(ctx, opts)
		if err == nil {
			stackLogTags.Store(st, tag)
			break
		}
		cancel()
		// A port taken in between: by a listener here (EADDRINUSE), or by an
		// emulator that then exits before it is ready (aws-ses-v2-local says
		// only "Server does not have an address").
		if !errors.Is(err, syscall.EADDRINUSE) && !errors.Is(err, emulator.ErrExited) || attempt == 3 {
			t.Fatal(err)
		}
		t.Logf("starting again on other ports: %v", err)
	}
	t.Cleanup(func() {
		if !opts.PublishGrantsData {
			nothingPublic(t, st)
		}
		cancel()
		st.Stop()
		stackLogTags.Delete(st)
	})
	return st
}

type client struct {
	t     *testing.T
	base  string
	token string
}

func (c client) do(method, path, body string, headers ...string) (int, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(method, "http://"+c.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	// What the local stack answers through its gateway keeps the JSON API's document.
	openapitest.CheckHTTP(c.t, req, []byte(body), resp.StatusCode, resp.Header, b)
	return resp.StatusCode, b
}

func (c client) must(status int, method, path, body string, into any, headers ...string) {
	c.t.Helper()
	got, b := c.do(method, path, body, headers...)
	if got != status {
		c.t.Fatalf("%s %s: %d %s", method, path, got, b)
	}
	if into != nil {
		if err := json.Unmarshal(b, into); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// reply sends an email to the stack's SMTP listener as a partner's mail client would.
func reply(t *testing.T, addr, from, to, subject, text string, attachment []byte) {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n", from, to, subject)
	fmt.Fprintf(&b, "--xx\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n\r\nOn Mon, 1 Jan 2027 at 09:00, Partnerships <partnerships@funder.local> wrote:\r\n> How is it going?\r\n", text)
	if attachment != nil {
		fmt.Fprintf(&b, "--xx\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"event.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n",
			"/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==")
	}
	b.WriteString("--xx--\r\n")
	if err := smtp.SendMail(addr, nil, from, []string{to}, b.Bytes()); err != nil {
		t.Fatalf("SMTP: %v", err)
	}
}

// TestAgreementYear walks one agreement through its whole year on the local
// stack: the clock moves a day at a time, every check-in email that reaches
// the partner is answered over SMTP (the third only after its reminder),
// and every instalment that falls due is requested by one finance user and
// approved by another. A stranger's reply is quarantined and a second
// partner's address bounces. Everything the functions log meanwhile, and
// the metrics they emit, is read at the end (issue 16, items 3 and 4): no
// address, name or partner's words in it, and each metric counted once.
func TestAgreementYear(t *testing.T) {
	t.Parallel()
	output := &captured{}
	st := startStackWith(t, func(o *Options) { o.Metrics, o.NoDemo = output, true })
	output.capture(t, st)
	ctx := stackContext(st)
	now := time.Now()
	token := func(user, role string) string {
		tok, err := st.Auth.Issue(user, role, now)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	api := st.opts.APIAddr
	officer := client{t, api, token("olu", "programme")}
	alice := client{t, api, token("alice", "finance")}
	bob := client{t, api, token("bob", "finance")}
	contact := fmt.Sprintf("lead-%d@year-walk.example", now.UnixNano())

	start := grants.Today(st.Clock.Now(), time.UTC)
	// The year walk's programme pays after check-ins (each acknowledgement
	// says what the reply released); TestAgreementYearOnTrust walks one that
	// pays on schedule beside one that does not.
	paysAfterCheckIn(t, st, "year-walk")
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": "year-walk",
		"partner": {"name": "Hulme Community Garden", "registrationNumber": "1161234", "address": "Old Birley Street, Manchester M15 5RF"},
		"contacts": [{"name": "Sam Taylor", "email": %q, "role": "lead"}],
		"amount": 1000000, "startDate": %q, "terms": ["Open the garden for four seasonal events"], "support": ["Volunteer management training"]}`,
		contact, start), &a, "Idempotency-Key", "year-walk-1")

	// A bank-holiday shift: the first check-in that has a bank holiday
	// (England and Wales, the default region) in the weeks before its date
	// is moved onto it, so it goes out on the working day before, at 09:00.
	london, _ := time.LoadLocation("Europe/London")
	calendar := grants.Timing{}
	var holiday grants.Date
	moved := 0
	for i := 0; i < 3 && holiday.IsZero(); i++ {
		from := start
		if i > 0 {
			from = a.CheckIns[i-1].DueDate
		}
		for d := from.AddDays(1); !d.After(a.CheckIns[i].DueDate); d = d.AddDays(1) {
			wd := d.At(12, 0, time.UTC).Weekday()
			inQuiet := d.Month == time.December && d.Day >= 24 || d.Month == time.January && d.Day == 1
			if wd != time.Saturday && wd != time.Sunday && !inQuiet && !calendar.WorkingDay(d) {
				holiday, moved = d, i+1
				break
			}
		}
	}
	if holiday.IsZero() {
		t.Fatalf("no bank holiday before any check-in from %s", start)
	}
	shifted := calendar.SendOn(holiday)
	officer.must(200, "PATCH", "/agreements/"+a.ID, fmt.Sprintf(`{"checkIns": [{"number": %d, "dueDate": %q}]}`, moved, holiday), nil, "If-Match", `"1"`)
	var activated grants.Agreement
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", &activated)
	if r := activated.Activation; r == nil || r.Welcome || len(r.CheckInsPassed) != 0 || r.NextCheckIn != 1 || moved == 1 && r.NextCheckInOn != shifted {
		t.Fatalf("activation on the start date: %+v, want check-in 1 next", r)
	}
	// The final report is due 30 days after the end date, not on it.
	if final := activated.CheckIns[3]; final.DueDate != activated.EndDate.AddDays(30) {
		t.Errorf("final report due %s, end date %s", final.DueDate, activated.EndDate)
	}

	// A second partnership in the programme, which ends early.
	ending := fmt.Sprintf("chair-%d@moss-side-makers.example", now.UnixNano())
	var b grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": "year-walk",
		"partner": {"name": "Moss Side Makers", "registrationNumber": "1170001", "address": "2 Alexandra Road, Manchester M16 7BA"},
		"contacts": [{"name": "Jo Reid", "email": %q, "role": "chair"}],
		"amount": 400000, "startDate": %q, "terms": ["Run a makers' market"], "support": ["Mentoring"]}`, ending, start), &b)
	officer.must(200, "POST", "/agreements/"+b.ID+"/activate", "", nil)

	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	answered := map[string]bool{}
	// Check-in 3 is answered only once its reminder has come, so the
	// year has a reminder in it.
	waiting := map[string]bool{}
	stranger, strangerSaid := fmt.Sprintf("pat.quinn-%d@elsewhere.example", now.UnixNano()), "Pat Quinn here: our treasurer left and the accounts are late."
	var partnerSaid []string
	enquirer := fmt.Sprintf("priya-%d@gorton-youth.example", now.UnixNano())
	feedbackAddr := regexp.MustCompile(`feedback\+[a-z0-9]+@[a-z0-9.-]+[a-z]`)
	paid := 0
	for day := 0; day < 420 && (paid < 4 || len(answered) < 4); day++ {
		switch day {
		case 60:
			// The officer records that the support was delivered...
			officer.must(200, "PATCH", "/agreements/"+a.ID+"/support/1", `{"status": "delivered", "note": "Two training sessions held"}`, nil)
		case 30:
			// An organisation that is not a partner yet writes to the enquiry address.
			reply(t, st.opts.SMTPAddr, enquirer, "enquiries@reply.funder.local", "Could our youth club apply?",
				"Hello, we run a youth club in Gorton. Could we apply next year?\n\nPriya Shah\nGorton Youth Club", nil)
		case 100:
			// ...and the second partnership ends, the partner told in the officer's words.
			officer.must(200, "POST", "/agreements/"+b.ID+"/terminate",
				`{"reason": "The group has disbanded", "message": "We are sorry the group has had to stop. Thank you for the market."}`, nil)
			// The programme tells its partners what round 1 told it, and what it did:
			// once, to the lead contact of each active agreement.
			officer.must(201, "POST", "/programmes/year-walk/reflections",
				`{"round": 1, "message": "You said: the forms are long.\nWe did: one page, from the next round."}`, nil, "Idempotency-Key", "year-walk-reflection-1")
		}
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatalf("day %d: %v", day, err)
		}
		msgs, err := emulator.SESMessages(ctx, sesURL)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if len(m.Destination.To) == 0 || m.Destination.To[0] != contact || len(m.ReplyTo) == 0 || answered[m.Subject] || waiting[m.Subject] ||
				!strings.HasPrefix(m.ReplyTo[0], "checkin+") { // remittances and thanks reply to the officer (issue 14, item 5)
				continue
			}
			if len(answered) == 2 && !strings.HasPrefix(m.Subject, "A gentle reminder") {
				waiting[m.Subject] = true
				continue
			}
			answered[m.Subject] = true
			if len(answered) == 1 {
				// Someone the agreement does not know answers check-in 1 too: held.
				reply(t, st.opts.SMTPAddr, stranger, m.ReplyTo[0], m.Subject, strangerSaid, nil)
				// And the partner writes to the confidential address the email offers.
				to := feedbackAddr.FindString(m.Body.Text)
				if to == "" {
					t.Fatalf("check-in 1 offers no confidential address:\n%s", m.Body.Text)
				}
				reply(t, st.opts.SMTPAddr, contact, to, "Feedback", "Honestly, the forms are long.", nil)
			}
			if len(answered) == 2 {
				// Check-in 2 is answered in a phone call, which the officer records.
				officer.must(201, "POST", "/agreements/"+a.ID+"/check-ins/2/responses", fmt.Sprintf(`{"channel": "call",
					"happenedOn": %q, "participants": ["Sam Taylor", "Olu Adeyemi"], "summary": "Spring events went well.",
					"partnerWords": "Update 2: the garden is thriving."}`, grants.Today(st.Clock.Now(), london)), nil)
				continue
			}
			var photo []byte
			if len(answered) == 1 {
				photo = []byte{1}
			}
			said := fmt.Sprintf("Update %d: the garden is thriving.", len(answered))
			partnerSaid = append(partnerSaid, said)
			reply(t, st.opts.SMTPAddr, contact, m.ReplyTo[0], m.Subject, said, photo)
		}
		var due struct {
			Items []struct {
				AgreementID string
				Number      int
			}
		}
		alice.must(200, "GET", "/instalments?status=due&programme=year-walk", "", &due)
		for _, in := range due.Items {
			if in.AgreementID != a.ID {
				continue // the second partnership's, which ends unpaid
			}
			path := fmt.Sprintf("/agreements/%s/instalments/%d/payments", a.ID, in.Number)
			var req struct{ Payment grants.Payment }
			alice.must(201, "POST", path, fmt.Sprintf(`{"paymentReference": "BACS-%d", "paidOn": %q}`, in.Number, grants.Today(st.Clock.Now(), time.UTC)),
				&req, "Idempotency-Key", fmt.Sprintf("pay-%s-%d", a.ID, in.Number))
			if status, _ := alice.do("POST", path+"/"+req.Payment.ID+"/approve", ""); status != 403 {
				t.Fatalf("the requester approved their own payment: %d", status)
			}
			bob.must(200, "POST", path+"/"+req.Payment.ID+"/approve", "", nil)
			paid++
		}
	}

	var got grants.Agreement
	officer.must(200, "GET", "/agreements/"+a.ID, "", &got)
	if got.Status != grants.AgreementCompleted {
		t.Fatalf("agreement is %s after a year; answered %d check-ins, paid %d instalments", got.Status, len(answered), paid)
	}
	for _, in := range got.Instalments {
		if in.Status != grants.InstalmentPaid || in.PaidBy != "bob@funder.local" || in.Payment.RequestedBy != "alice@funder.local" {
			t.Errorf("instalment %d: %+v", in.Number, in)
		}
	}
	for _, c := range got.CheckIns {
		if c.Status != grants.CheckInReceived {
			t.Errorf("check-in %d is %s", c.Number, c.Status)
		}
	}
	var first struct {
		Replies []grants.Reply
	}
	officer.must(200, "GET", "/agreements/"+a.ID+"/check-ins/1", "", &first)
	if len(first.Replies) != 1 || first.Replies[0].Text != "Update 1: the garden is thriving." || len(first.Replies[0].Attachments) != 1 || first.Replies[0].Attachments[0].URL == "" {
		t.Errorf("check-in 1 replies: %+v", first.Replies)
	}

	// Each answer was acknowledged to the partner, in the mail viewer.
	msgs, err := emulator.SESMessages(ctx, sesURL)
	if err != nil {
		t.Fatal(err)
	}
	thanks := 0
	for _, m := range msgs {
		if len(m.Destination.To) > 0 && m.Destination.To[0] == contact && strings.HasPrefix(m.Subject, "Thank you – we've received your") {
			thanks++
		}
	}
	if thanks != 3 {
		t.Errorf("the partner has %d acknowledgements in the viewer, want 3 (the call is not thanked by email)", thanks)
	}
	// Every email to the partner says where the money stands, and each
	// thank-you says what the reply unblocked (issue 14, item 4).
	for _, m := range msgs {
		if len(m.Destination.To) == 0 || m.Destination.To[0] != contact {
			continue
		}
		if strings.Contains(m.Subject, "Check-in 1 of") && !strings.Contains(m.Body.Text, "Where your grant stands") {
			t.Errorf("check-in email %q does not say where the money stands", m.Subject)
		}
		if strings.HasPrefix(m.Subject, "Thank you – we've received your check-in reply") && !strings.Contains(m.Body.Text, "can now be paid") &&
			!strings.Contains(m.Body.Text, "will be paid when it falls due") {
			t.Errorf("acknowledgement %q does not say what the reply unblocked:\n%s", m.Subject, m.Body.Text)
		}
	}
	// What partners told us, by round, for the programme's staff only.
	var feedback struct {
		Rounds []struct {
			CheckIn int
			Entries []struct{ Words, From, Partner string }
		}
	}
	officer.must(200, "GET", "/programmes/year-walk/feedback", "", &feedback)
	// Round 1: the reply, and the confidential message without its sender.
	if len(feedback.Rounds) == 0 || feedback.Rounds[0].CheckIn != 1 || len(feedback.Rounds[0].Entries) != 2 {
		t.Errorf("what partners told us: %+v", feedback.Rounds)
	} else {
		byWords := map[string]string{}
		for _, e := range feedback.Rounds[0].Entries {
			byWords[e.Words] = e.From + "|" + e.Partner
		}
		if _, ok := byWords["Update 1: the garden is thriving."]; !ok {
			t.Errorf("round 1 lacks the reply: %v", byWords)
		}
		if from := byWords["Honestly, the forms are long."]; from != "a partner in round 1|" {
			t.Errorf("the confidential message reads as from %q, want a partner in round 1 and no partner", from)
		}
	}
	// One "you said, we did" to the active partnership's lead contact; none
	// to the one that had ended.
	reflected := map[string]int{}
	for _, m := range msgs {
		if len(m.ReplyTo) > 0 && strings.HasPrefix(m.ReplyTo[0], "message+") {
			reflected[m.Destination.To[0]]++
		}
	}
	if reflected[contact] != 1 || len(reflected) != 1 {
		t.Errorf("you said, we did went to %v, want once to %s", reflected, contact)
	}
	// The enquiry: on the enquiries list, and acknowledged once.
	var enquiries struct {
		Items []struct{ Email, Organisation, Status string }
	}
	officer.must(200, "GET", "/enquiries", "", &enquiries)
	found := 0
	for _, e := range enquiries.Items {
		if e.Email == enquirer && e.Status == "open" {
			found++
		}
	}
	acks := 0
	for _, m := range msgs {
		if len(m.Destination.To) > 0 && m.Destination.To[0] == enquirer && strings.HasPrefix(m.Subject, "Thank you for your enquiry") {
			acks++
		}
	}
	if found != 1 || acks != 1 {
		t.Errorf("the enquiry: %d listed as open, %d acknowledgements; want 1 and 1 (%+v)", found, acks, enquiries.Items)
	}
	if status, _ := alice.do("GET", "/programmes/year-walk/feedback", ""); status != 403 {
		t.Errorf("finance reading what partners told us: %d, want 403", status)
	}
	// The second partnership's end was told: to the partner in the
	// officer's words, and to finance.
	told := map[string]bool{}
	for _, m := range msgs {
		if strings.HasSuffix(m.Subject, b.Reference) && (strings.HasPrefix(m.Subject, "Our partnership agreement has ended") || strings.HasPrefix(m.Subject, "Agreement terminated")) {
			told[m.Destination.To[0]] = true
		}
	}
	if !told[ending] || len(told) < 2 {
		t.Errorf("the termination was told to %v, want the partner (%s) and finance", told, ending)
	}
	var summary struct {
		SupportDelivered, CheckInsByConversation int
		Status                                   struct{ Terminated, Completed int }
	}
	officer.must(200, "GET", "/programmes/year-walk/summary", "", &summary)
	if summary.SupportDelivered != 1 || summary.CheckInsByConversation != 1 || summary.Status.Terminated != 1 || summary.Status.Completed != 1 {
		t.Errorf("programme summary after the year: %+v", summary)
	}

	var history struct{ Items []grants.AuditEntry }
	officer.must(200, "GET", "/agreements/"+a.ID+"/history?limit=200", "", &history)
	var steps []string
	count := map[string]int{}
	for _, e := range history.Items {
		count[e.Action+" by "+e.Actor]++
		if e.Action != "email.sent" && e.Action != "event.published" {
			steps = append(steps, e.Action)
		}
	}
	for want, n := range map[string]int{
		"agreement.created by olu@funder.local":     1,
		"agreement.activated by olu@funder.local":   1,
		"instalment.due by system":                  4,
		"checkin.sent by system":                    4,
		"reply.received by " + contact:              3,
		"checkin.received by " + contact:            3,
		"conversation.recorded by olu@funder.local": 1,
		"checkin.received by olu@funder.local":      1,
		"support.updated by olu@funder.local":       1,
		"payment.requested by alice@funder.local":   4,
		"payment.approved by bob@funder.local":      4,
		"agreement.completed by system":             1,
		"event.published by system":                 4,
	} {
		if count[want] != n {
			t.Errorf("history has %d × %q, want %d", count[want], want, n)
		}
	}
	// In order: instalment k falls due before check-in k is sent, which is
	// answered before instalment k+1 is paid.
	order := strings.Join(steps, " ")
	if !strings.HasPrefix(order, "agreement.created agreement.amended agreement.activated instalment.due") || !strings.HasSuffix(order, "agreement.completed") {
		t.Errorf("history out of order: %s", order)
	}
	events := 0
	for _, e := range st.Events.Events() {
		if d, ok := e["Detail"].(map[string]any); ok && d["agreementId"] == a.ID {
			events++
			// As the SDK put it on the wire, read as accounting receives it.
			if err := eventbustest.Validate(map[string]any{"source": e["Source"], "detail-type": e["DetailType"], "detail": d}); err != nil {
				t.Errorf("InstalmentPaid %v does not match its schema: %v", d["id"], err)
			}
		}
	}
	if events != 4 {
		t.Errorf("%d InstalmentPaid events, want 4", events)
	}
	var sentOn grants.Date
	for _, e := range history.Items {
		if e.Action == "checkin.sent" && e.Subject == fmt.Sprintf("check-in %d", moved) {
			sentOn = grants.DateOf(e.At.In(london))
		}
	}
	if sentOn != shifted {
		t.Errorf("check-in %d, due on the bank holiday %s, was sent on %s, want %s", moved, holiday, sentOn, shifted)
	}
	// Nothing went to the partner before 09:00 London time or on a day off.
	for _, e := range history.Items {
		if e.Action != "email.sent" || !strings.HasPrefix(e.Subject, "checkin#") && !strings.HasPrefix(e.Subject, "reminder#") {
			continue
		}
		at := e.At.In(london)
		if at.Hour() < 9 || !calendar.WorkingDay(grants.DateOf(at)) {
			t.Errorf("%s went out at %s", e.Subject, at)
		}
	}
	// The second partner's address bounces, as SES tells through SNS (the
	// SesEventsFunction's path), twice: at least once is SNS's promise.
	bounce := fmt.Sprintf(`{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[{"emailAddress":%q}]},"mail":{"messageId":"0100-bounce-year-walk","tags":{"agreement-id":[%q]}}}`, ending, b.ID)
	for range 2 {
		ev, err := service.ParseSESEvent(bounce)
		if err != nil {
			t.Fatal(err)
		}
		if err := callmeter.Run(logs.WithAgreement(invocation(ctx, "SesEventsFunction"), b.ID), "SESEvent", func(ctx context.Context) error { return st.Runner.x.RecordSESEvent(ctx, ev) }); err != nil {
			t.Fatal(err)
		}
	}

	// What the functions logged: nobody's address, name or words.
	var staff []string
	for _, p := range DemoPeople {
		staff = append(staff, p.Email, p.Name)
	}
	output.private(t, append(append([]string{contact, ending, stranger, strangerSaid, "Sam Taylor", "Jo Reid", "Olu Adeyemi",
		"Hulme Community Garden", "Moss Side Makers", "Old Birley Street", "M15 5RF", "Alexandra Road", "M16 7BA",
		"Spring events went well", "the garden is thriving", "We are sorry the group", "Two training sessions held",
		"programme.officer@funder.local", "finance@funder.local", "year-walk.example", "moss-side-makers.example", "event.jpg"}, partnerSaid...), staff...)...)
	output.carries(t, a.ID)
	// And each event counted once, as it happened.
	for name, want := range map[string]int{
		service.MetricRepliesReceived: 3, service.MetricRepliesQuarantined: 1, service.MetricPaymentsRequested: 4,
		service.MetricPaymentsApproved: 4, service.MetricBounces: 1,
	} {
		if got := output.sum(t, "year-walk", name); got != want {
			t.Errorf("%s counted %d, want %d", name, got, want)
		}
	}
	if got := output.sum(t, "year-walk", service.MetricCheckInsSent); got < 5 {
		t.Errorf("CheckInsSent counted %d, want 4 for the year and 1 for the partnership that ended", got)
	}
	if got := output.sum(t, "year-walk", service.MetricRemindersSent); got < 1 {
		t.Errorf("RemindersSent counted %d, want check-in 3's at least", got)
	}
	if got := output.count(t, "year-walk", service.MetricDaysLate); got != 4 {
		t.Errorf("%d DaysLate values, want one per instalment paid", got)
	}
	t.Logf("walked %d check-ins and %d payments (check-in %d due on the bank holiday %s, sent %s); history: %s", len(answered), paid, moved, holiday, shifted, order)
}

// TestLateActivationSendsOneWelcome is issue 14's item 2 on the local stack:
// an agreement that started ten months ago is activated; the response says
// what was done, finance sees the instalments already due, the partner gets
// one welcome email (not three check-ins and their reminders), and the
// check-ins whose dates passed are not chased.
func TestLateActivationSendsOneWelcome(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	officer := client{t, st.opts.APIAddr, tok}
	contact := fmt.Sprintf("lead-%d@late-start.example", now.UnixNano())
	today := grants.Today(st.Clock.Now(), time.UTC)
	start := today.AddMonths(-10)
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": "late-start",
		"partner": {"name": "Gorton Tool Library", "registrationNumber": "1187654", "address": "5 Hyde Road, Manchester M18 7BA"},
		"contacts": [{"name": "Jo Reid", "email": %q, "role": "lead"}],
		"amount": 800000, "startDate": %q, "terms": ["Lend tools to 200 households"], "support": ["Volunteer coordination"]}`,
		contact, start), &a)
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", &a)
	r := a.Activation
	if r == nil || !r.Welcome || len(r.CheckInsPassed) < 2 || len(r.InstalmentsDue) < 3 || r.NextCheckIn == 0 {
		t.Fatalf("activation: %+v", r)
	}
	var due struct{ Items []struct{ Number int } }
	officer.must(200, "GET", "/instalments?status=due&programme=late-start", "", &due)
	if len(due.Items) != len(r.InstalmentsDue) {
		t.Errorf("finance sees %d instalments due, activation made %d due", len(due.Items), len(r.InstalmentsDue))
	}
	// A fortnight on: the partner has had the welcome and nothing else.
	if _, err := st.Runner.Advance(ctx, 14); err != nil {
		t.Fatal(err)
	}
	msgs, err := emulator.SESMessages(ctx, fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort))
	if err != nil {
		t.Fatal(err)
	}
	var toPartner []string
	for _, m := range msgs {
		// The agreement to accept by reply goes to every partner (issue 23, item 4).
		if len(m.Destination.To) > 0 && m.Destination.To[0] == contact && !strings.HasPrefix(m.Subject, "Your agreement with") {
			toPartner = append(toPartner, m.Subject)
		}
	}
	if len(toPartner) != 1 || !strings.HasPrefix(toPartner[0], "Welcome to ") {
		t.Errorf("the partner got %q, want one welcome (besides the agreement to accept)", toPartner)
	}
	var got grants.Agreement
	officer.must(200, "GET", "/agreements/"+a.ID, "", &got)
	for _, n := range r.CheckInsPassed {
		if c := got.CheckIns[n-1]; c.Status != grants.CheckInWaived || c.WaivedReason != grants.PassedBeforeActivation || c.Reminders != 0 {
			t.Errorf("check-in %d: %+v", n, c)
		}
	}
}
