// Command cost is make cost: it walks a year for a programme of N
// agreements on the local stack, with DynamoDB billed by the model
// (pkg/dev/billing), reads every invocation line the functions log, and
// prints what the year would cost in AWS, by service, and the fixed
// monthly cost apart, from the price table in pkg/dev/cost.
//
// The walk: N agreements created and activated over the API on the first
// day; the clock moves on -step days at a time (the schedules and the
// sweep fire as they fall due), and after each step each partner answers
// its check-in emails over SMTP (one in four only after the reminder),
// finance requests and a second person approves every instalment that is
// due, and an officer reads the programme's summary. It ends when every instalment is paid and every check-in
// answered, or after -days.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/partnership-grants/backend/pkg/callmeter"
	"github.com/partnership-grants/backend/pkg/dev/cost"
	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
	"github.com/partnership-grants/backend/pkg/dev/stack"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
)

const programme = "cost-walk"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
}

func run() error {
	n := flag.Int("n", 100, "agreements in the programme")
	days := flag.Int("days", 430, "the most days to walk")
	step := flag.Int("step", 3, "days the clock moves between the people's turns (each turn: partners answer, finance pays what is due, an officer reads the summary)")
	fixedOnly := flag.Bool("fixed", false, "print only the fixed monthly cost of -template (no walk)")
	tplPath := flag.String("template", "", "template.yaml to price the fixed part of (default: the repository's)")
	flag.Parse()
	root, err := emulator.RepoRoot()
	if err != nil {
		return err
	}
	if *tplPath == "" {
		*tplPath = filepath.Join(root, "template.yaml")
	}
	p, a := cost.EUWest2, cost.DefaultAssumptions
	fmt.Printf("Prices: %s, list, on demand, no free tier; recorded %s (pkg/dev/cost/prices.go).\n", p.Region, p.Recorded)
	if *fixedOnly {
		for _, detailed := range []bool{false, true} {
			f, err := cost.Resources(*tplPath, map[string]bool{"PublishingGrantsData": false, "DetailedMonitoringOn": detailed, "DetailedGrantsData": false})
			if err != nil {
				return err
			}
			fmt.Printf("\n%s, DetailedMonitoring=%t (PublishGrantsData=false):\n", *tplPath, detailed)
			printFixed(f)
		}
		return nil
	}
	w, err := walk(root, *n, *days, *step)
	if err != nil {
		return err
	}
	specs, err := functionSpecs(*tplPath)
	if err != nil {
		return err
	}
	fmt.Printf("\nWalked %d agreements of one programme from %s to %s (%d days): %d instalments paid, %d check-ins answered.\n",
		*n, w.from.Format("2006-01-02"), w.to.Format("2006-01-02"), w.days, w.paid, w.answered)
	for _, tr := range []*trace{w.create, w.approve} {
		if tr != nil {
			fmt.Printf("\nDynamoDB, one %s (check by hand: reads 4 KB units, halved when eventually consistent; writes 1 KB units of the larger of before and after, each index entry too, 2x in a transaction):\n", tr.what)
			for _, c := range tr.calls {
				fmt.Printf("  %-28s %6.1f RRU %6.1f WRU   %s\n", c.op, c.read, c.written, c.sizes)
			}
			fmt.Printf("  %-28s %6.1f RRU %6.1f WRU   (DynamoDB Local reported %.1f read, %.1f write)\n", "billed", tr.line.BilledReadUnits, tr.line.BilledWriteUnits, tr.line.ReadUnits, tr.line.WriteUnits)
		}
	}
	f, err := cost.Resources(*tplPath, map[string]bool{"PublishingGrantsData": false, "DetailedMonitoringOn": false, "DetailedGrantsData": false})
	if err != nil {
		return err
	}
	f.IdleSweep, f.SweepsPerMonth = w.idleSweep, 48*365.0/12
	// The year walked: scale to 365 days if the walk ran longer (the final
	// reports fall after the year).
	cost.Print(os.Stdout, *n, cost.Variable(w.usage, specs, p, a), cost.Monthly(f, specs, p, a))
	return nil
}

func printFixed(f cost.Fixed) {
	f.SweepsPerMonth = 0
	items := cost.Monthly(f, nil, cost.EUWest2, cost.DefaultAssumptions)
	for _, it := range items[:len(items)-2] {
		fmt.Printf("  %-30s $%6.2f     %s\n", it.Service, it.USD, it.Detail)
	}
	fmt.Printf("  %-30s $%6.2f     (template resources only; make cost adds the sweep and the queue's pollers)\n", "total", cost.Sum(items[:len(items)-2]))
}

func functionSpecs(path string) (map[string]cost.Spec, error) {
	tpl, err := samtemplate.Load(path)
	if err != nil {
		return nil, err
	}
	specs := map[string]cost.Spec{}
	for _, id := range tpl.Functions() {
		fn, err := tpl.Function(id)
		if err != nil {
			return nil, err
		}
		specs[id] = cost.Spec{MemoryMB: fn.MemorySize, Arm: fn.Architecture == "arm64"}
	}
	return specs, nil
}

type call struct {
	op, sizes     string
	read, written float64
}

type trace struct {
	what  string
	calls []call
	line  cost.Line
}

// result is what the walk measured.
type result struct {
	usage           *cost.Usage
	from, to        time.Time
	days            int
	paid, answered  int
	create, approve *trace
	idleSweep       cost.Line
}

// meter reads the functions' log lines as they are written.
type meter struct {
	mu        sync.Mutex
	usage     *cost.Usage
	routes    map[string]string // route key → function
	pending   map[string]int64  // request ID → bytes logged so far
	calls     map[string][]call // request ID → billed DynamoDB calls
	create    *trace
	approve   *trace
	idleSweep *cost.Line
	hours     map[string]bool
	clock     func() time.Time
}

var functionOfEvent = map[string]string{"SendCheckIn": "CheckInSenderFunction", "Inbound": "InboundFunction", "SESEvent": "SesEventsFunction", "GrantsData": "GrantsDataFunction"}

func (m *meter) Write(b []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var head struct {
			RequestID string `json:"requestId"`
		}
		if json.Unmarshal(line, &head) != nil || head.RequestID == "" {
			continue // the stack's own lines, not a function's
		}
		m.pending[head.RequestID] += int64(len(line)) + 1
		l, ok := cost.ParseLine(line)
		if !ok {
			continue
		}
		fn := m.routes[l.Route]
		if fn == "" {
			fn = functionOfEvent[l.Event]
		}
		if fn == "" {
			fn = l.Event // the Runner names scheduled functions by logical ID
		}
		m.usage.Add(fn, l)
		m.usage.LogBytes[fn] += m.pending[head.RequestID]
		delete(m.pending, head.RequestID)
		calls := m.calls[head.RequestID]
		delete(m.calls, head.RequestID)
		switch {
		case m.create == nil && l.Route == "POST /agreements":
			m.create = &trace{"create (POST /agreements)", calls, l}
		case m.approve == nil && strings.HasSuffix(l.Route, "/approve") && strings.HasPrefix(l.Route, "POST /agreements/"):
			m.approve = &trace{"approval (POST …/payments/{paymentId}/approve)", calls, l}
		case fn == "SweepFunction" && l.Event != "" && (m.idleSweep == nil || l.BilledReadUnits < m.idleSweep.BilledReadUnits):
			c := l
			m.idleSweep = &c
		}
	}
	return len(b), nil
}

func (m *meter) billed(ctx context.Context, op, sizes string, read, written float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := callmeter.RequestID(ctx)
	m.calls[id] = append(m.calls[id], call{op, sizes, read, written})
}

// metrics counts the hours each business metric (EMF line) has data, by
// the stack's clock.
func (m *meter) metrics() io.Writer {
	return writerFunc(func(b []byte) (int, error) {
		m.mu.Lock()
		defer m.mu.Unlock()
		for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			var emf struct {
				AWS struct {
					CloudWatchMetrics []struct {
						Dimensions [][]string
						Metrics    []struct{ Name string }
					}
				} `json:"_aws"`
				Programme string
			}
			if json.Unmarshal(line, &emf) != nil || m.clock == nil {
				continue
			}
			hour := m.clock().Truncate(time.Hour).Format(time.RFC3339)
			for _, d := range emf.AWS.CloudWatchMetrics {
				for _, met := range d.Metrics {
					dims := ""
					if len(d.Dimensions) > 0 && len(d.Dimensions[0]) > 0 {
						dims = emf.Programme
					}
					key := met.Name + "|" + dims + "|" + hour
					if !m.hours[key] {
						m.hours[key] = true
						m.usage.MetricHours++
					}
				}
			}
		}
		return len(b), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

func walk(root string, n, maxDays, step int) (*result, error) {
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	routes, err := tpl.Routes()
	if err != nil {
		return nil, err
	}
	m := &meter{usage: cost.NewUsage(), routes: map[string]string{}, pending: map[string]int64{}, calls: map[string][]call{}, hours: map[string]bool{}}
	for _, r := range routes {
		m.routes[r.RouteKey()] = r.Function
	}
	// What the functions log, at INFO (the template's default LogLevel),
	// comes here; the stack's own warnings go to stderr.
	slog.SetDefault(slog.New(tee{logs.NewHandler(m, slog.LevelInfo), slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})}))

	dir, err := os.MkdirTemp("", "cost-walk-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	port := func() int {
		p, err := emulator.FreePort()
		if err != nil {
			panic(err)
		}
		return p
	}
	opts := stack.DefaultOptions(root)
	opts.DataDir = dir
	opts.APIAddr, opts.ControlAddr = fmt.Sprintf("127.0.0.1:%d", port()), fmt.Sprintf("127.0.0.1:%d", port())
	opts.SMTPAddr, opts.SignInAddr = fmt.Sprintf("127.0.0.1:%d", port()), fmt.Sprintf("127.0.0.1:%d", port())
	opts.DynamoDBPort, opts.SESPort, opts.S3Port = port(), port(), port()
	opts.SchedulerPort, opts.SecretsPort, opts.EventsPort, opts.SQSPort = 0, 0, 0, 0
	opts.TableName = "cost-walk"
	opts.ClockStart = time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC) // a Monday, after the send time
	opts.Billing, opts.BillingTrace = true, m.billed
	opts.Metrics = m.metrics()
	// A deadline of the walk's own: the emulators then wait for it to
	// start, not the default minute a loaded machine's JVM may need more than.
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Hour)
	defer cancel()
	st, err := stack.Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer st.Stop()
	m.mu.Lock()
	m.clock = st.Clock.Now
	m.mu.Unlock()

	now := time.Now()
	issue := func(user, role string) (*api, error) {
		tok, err := st.Auth.Issue(user, role, now)
		return &api{base: "http://" + opts.APIAddr, token: tok}, err
	}
	officer, err := issue("olu", "programme")
	if err != nil {
		return nil, err
	}
	alice, _ := issue("alice", "finance")
	bob, _ := issue("bob", "finance")
	london, _ := time.LoadLocation("Europe/London")
	start := grants.Today(st.Clock.Now(), london)
	res := &result{usage: m.usage, from: st.Clock.Now()}
	contacts := map[string]int{} // contact → agreement index
	ids := map[string]bool{}
	fmt.Fprintf(os.Stderr, "cost: creating %d agreements\n", n)
	for i := range n {
		contact := fmt.Sprintf("lead-%d@partner-%d.example", i, i)
		var a grants.Agreement
		body := fmt.Sprintf(`{"programme": %q, "partner": {"name": "Partner %d", "registrationNumber": "11%05d", "address": "%d High Street, Manchester M1 1AA"},
			"contacts": [{"name": "Sam Taylor", "email": %q, "role": "lead"}],
			"amount": 1000000, "startDate": %q, "terms": ["Open the garden for four seasonal events"], "support": ["Volunteer management training"]}`,
			programme, i, i, i+1, contact, start)
		if err := officer.must(201, "POST", "/agreements", body, &a, "Idempotency-Key", fmt.Sprintf("cost-%d", i)); err != nil {
			return nil, err
		}
		if err := officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil); err != nil {
			return nil, err
		}
		contacts[contact] = i
		ids[a.ID] = true
	}
	sesURL := fmt.Sprintf("http://127.0.0.1:%d", opts.SESPort)
	answered := map[string]bool{}
	day := 0
	for ; day < maxDays && (res.paid < 4*n || res.answered < 4*n); day += step {
		if day%30 < step {
			fmt.Fprintf(os.Stderr, "cost: day %d: %d paid, %d answered\n", day, res.paid, res.answered)
		}
		if _, err := st.Runner.Advance(ctx, step); err != nil {
			return nil, fmt.Errorf("day %d: %w", day, err)
		}
		msgs, err := emulator.SESMessages(ctx, sesURL)
		if err != nil {
			return nil, err
		}
		for _, msg := range msgs {
			if len(msg.Destination.To) == 0 || len(msg.ReplyTo) == 0 || !strings.HasPrefix(msg.ReplyTo[0], "checkin+") {
				continue
			}
			i, ours := contacts[msg.Destination.To[0]]
			key := msg.ReplyTo[0]
			if !ours || answered[key] {
				continue
			}
			// One partner in four answers only once reminded.
			if i%4 == 0 && !strings.HasPrefix(msg.Subject, "A gentle reminder") {
				continue
			}
			answered[key] = true
			res.answered++
			if err := reply(opts.SMTPAddr, msg.Destination.To[0], msg.ReplyTo[0], msg.Subject, "All well here: the spring events went well."); err != nil {
				return nil, err
			}
		}
		var due struct {
			Items []struct {
				AgreementID string
				Number      int
			}
		}
		if err := alice.must(200, "GET", "/instalments?status=due&programme="+programme, "", &due); err != nil {
			return nil, err
		}
		today := grants.Today(st.Clock.Now(), london)
		for _, in := range due.Items {
			if !ids[in.AgreementID] {
				continue
			}
			path := fmt.Sprintf("/agreements/%s/instalments/%d/payments", in.AgreementID, in.Number)
			var req struct{ Payment grants.Payment }
			if err := alice.must(201, "POST", path, fmt.Sprintf(`{"paymentReference": "BACS-%d", "paidOn": %q}`, in.Number, today), &req,
				"Idempotency-Key", fmt.Sprintf("pay-%s-%d", in.AgreementID, in.Number)); err != nil {
				return nil, err
			}
			if err := bob.must(200, "POST", path+"/"+req.Payment.ID+"/approve", "", nil); err != nil {
				return nil, err
			}
			res.paid++
		}
		if err := officer.must(200, "GET", "/programmes/"+programme+"/summary", "", nil); err != nil {
			return nil, err
		}
	}
	// Let the last replies' invocations finish and log.
	time.Sleep(2 * time.Second)
	res.to, res.days = st.Clock.Now(), day
	m.mu.Lock()
	defer m.mu.Unlock()
	res.create, res.approve = m.create, m.approve
	if m.idleSweep != nil {
		res.idleSweep = *m.idleSweep
	}
	return res, nil
}

type api struct{ base, token string }

func (c *api) must(status int, method, path, body string, into any, headers ...string) error {
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if into != nil {
		return json.Unmarshal(b, into)
	}
	return nil
}

// reply sends a partner's answer to the stack's SMTP listener.
func reply(addr, from, to, subject, text string) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", from, to, subject, text)
	return smtp.SendMail(addr, nil, from, []string{to}, b.Bytes())
}

// tee sends each record to every handler that takes its level.
type tee []slog.Handler

func (t tee) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range t {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (t tee) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range t {
		if h.Enabled(ctx, r.Level) {
			_ = h.Handle(ctx, r.Clone())
		}
	}
	return nil
}

func (t tee) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(tee, len(t))
	for i, h := range t {
		out[i] = h.WithAttrs(as)
	}
	return out
}

func (t tee) WithGroup(name string) slog.Handler {
	out := make(tee, len(t))
	for i, h := range t {
		out[i] = h.WithGroup(name)
	}
	return out
}
