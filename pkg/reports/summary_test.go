package reports

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
)

var today = grants.Date{Year: 2026, Month: 5, Day: 14}

// agr builds an agreement as the list index returns it: fields and Stats,
// no instalments or check-ins.
func agr(id string, status grants.AgreementStatus, amount int64, currency string, st grants.Stats, contacts ...grants.Contact) grants.Agreement {
	return grants.Agreement{
		ID: id, Reference: "CP-2026-" + id, Partner: grants.Partner{Name: "Partner " + id},
		Status: status, Amount: amount, Currency: currency, Stats: st, Contacts: contacts,
		StartDate: grants.Date{Year: 2025, Month: 7, Day: 1}, EndDate: grants.Date{Year: 2026, Month: 6, Day: 30},
	}
}

func TestSummarize(t *testing.T) {
	bounced := grants.Contact{Name: "B", Email: "b@example.org", Bounced: "2026-03-01T10:00:00Z"}
	fine := grants.Contact{Name: "F", Email: "f@example.org"}
	tests := []struct {
		name        string
		in          []grants.Agreement
		quarantined int
		want        Summary
	}{
		{
			name: "empty programme",
			want: Summary{Programme: "p", AsOf: today, Currencies: map[string]CurrencyTotals{}, Bouncing: []BouncingPartner{}},
		},
		{
			name: "one active agreement, one instalment paid",
			in: []grants.Agreement{agr("001", grants.AgreementActive, 1000003, "GBP", grants.Stats{
				Paid: 250001, Outstanding: 750002, InstalmentsPaid: 1, InstalmentsDue: 1, CheckInsReceived: 1,
				RepliesAskingForHelp: 2, HelpToFollowUp: 1,
			})},
			quarantined: 2,
			want: Summary{
				Programme: "p", AsOf: today,
				Status: StatusCounts{Total: 1, Active: 1},
				Currencies: map[string]CurrencyTotals{"GBP": {
					Currency:    "GBP",
					Committed:   Total{1000003, "10000.03"},
					Paid:        Total{250001, "2500.01"},
					Outstanding: Total{750002, "7500.02"},
					Cancelled:   Total{0, "0.00"},
				}},
				InstalmentsDue: 1, CheckInsReceived: 1, Quarantined: 2, Bouncing: []BouncingPartner{},
				RepliesAskingForHelp: 2, HelpToFollowUp: 1,
			},
		},
		{
			name: "every status, three currencies kept apart",
			in: []grants.Agreement{
				agr("001", grants.AgreementActive, 1000000, "GBP", grants.Stats{Paid: 500000, Outstanding: 500000, InstalmentsHeld: 1, CheckInsOverdue: 1, CheckInsLate: 1}, fine, bounced),
				agr("002", grants.AgreementCompleted, 1000000, "GBP", grants.Stats{Paid: 1000000, InstalmentsPaid: 4, CheckInsReceived: 4}),
				// Terminated after one payment: only that payment stays
				// committed; the other £7,500 is cancelled.
				agr("003", grants.AgreementTerminated, 1000000, "GBP", grants.Stats{Paid: 250000, InstalmentsPaid: 1}, bounced),
				// A draft commits nothing yet, but its bouncing contact is work to do.
				agr("004", grants.AgreementDraft, 1000000, "GBP", grants.Stats{Outstanding: 1000000}, bounced),
				agr("005", grants.AgreementActive, 1200000, "EUR", grants.Stats{Paid: 300000, Outstanding: 900000, InstalmentsDue: 1}),
				agr("006", grants.AgreementActive, 1500000, "JPY", grants.Stats{Paid: 375000, Outstanding: 1125000}),
			},
			want: Summary{
				Programme: "p", AsOf: today,
				Status: StatusCounts{Total: 6, Draft: 1, Active: 3, Completed: 1, Terminated: 1},
				Currencies: map[string]CurrencyTotals{
					"GBP": {Currency: "GBP", Committed: Total{2250000, "22500.00"}, Paid: Total{1750000, "17500.00"}, Outstanding: Total{500000, "5000.00"}, Cancelled: Total{750000, "7500.00"}},
					"EUR": {Currency: "EUR", Committed: Total{1200000, "12000.00"}, Paid: Total{300000, "3000.00"}, Outstanding: Total{900000, "9000.00"}, Cancelled: Total{0, "0.00"}},
					"JPY": {Currency: "JPY", Committed: Total{1500000, "1500000"}, Paid: Total{375000, "375000"}, Outstanding: Total{1125000, "1125000"}, Cancelled: Total{0, "0"}},
				},
				InstalmentsDue: 1, InstalmentsHeld: 1, CheckInsReceived: 4, CheckInsLate: 1, CheckInsOverdue: 1,
				Bouncing: []BouncingPartner{
					{AgreementID: "001", Reference: "CP-2026-001", Partner: "Partner 001", Contacts: 1},
					{AgreementID: "004", Reference: "CP-2026-004", Partner: "Partner 004", Contacts: 1},
				},
			},
		},
		{
			name: "active agreement past its end date, bounce known only from Stats",
			in: []grants.Agreement{func() grants.Agreement {
				a := agr("007", grants.AgreementActive, 500, "KWD", grants.Stats{Paid: 125, Outstanding: 375, BouncingContacts: 2})
				a.EndDate = today.AddDays(-1)
				return a
			}()},
			want: Summary{
				Programme: "p", AsOf: today,
				Status:      StatusCounts{Total: 1, Active: 1},
				Currencies:  map[string]CurrencyTotals{"KWD": {Currency: "KWD", Committed: Total{500, "0.500"}, Paid: Total{125, "0.125"}, Outstanding: Total{375, "0.375"}, Cancelled: Total{0, "0.000"}}},
				PastEndDate: 1,
				Bouncing:    []BouncingPartner{{AgreementID: "007", Reference: "CP-2026-007", Partner: "Partner 007", Contacts: 2}},
			},
		},
		{
			name: "missing currency is the default",
			in:   []grants.Agreement{agr("008", grants.AgreementCompleted, 100, "", grants.Stats{Paid: 100})},
			want: Summary{
				Programme: "p", AsOf: today, Status: StatusCounts{Total: 1, Completed: 1},
				Currencies: map[string]CurrencyTotals{"GBP": {Currency: "GBP", Committed: Total{100, "1.00"}, Paid: Total{100, "1.00"}, Outstanding: Total{0, "0.00"}, Cancelled: Total{0, "0.00"}}},
				Bouncing:   []BouncingPartner{},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summarize(t, tt.in, tt.quarantined)
			tt.want.PaidDaysLate = map[string]int{} // nothing paid late in these: TestLatenessFromSummedHistograms
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Summarize:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestSummarizeExactForHugeSums(t *testing.T) {
	// Near the top of int64 a float64 would lose pence; the sums must not.
	const big = int64(1) << 52
	in := []grants.Agreement{
		agr("001", grants.AgreementActive, big+1, "GBP", grants.Stats{Paid: 1, Outstanding: big}),
		agr("002", grants.AgreementActive, big+1, "GBP", grants.Stats{Paid: 1, Outstanding: big}),
	}
	got := summarize(t, in, 0).Currencies["GBP"]
	if got.Committed.Minor != 2*big+2 || got.Committed.Major != "90071992547409.94" {
		t.Errorf("committed = %+v", got.Committed)
	}
}

func summarize(t *testing.T, in []grants.Agreement, quarantined int) Summary {
	t.Helper()
	s, err := summarizeList("p", in, quarantined, today)
	if err != nil {
		t.Fatal(err)
	}
	// Totals is the sum of the Stats, field by field; the cases compare the rest.
	var want grants.Stats
	for _, a := range in {
		st := a.Stats
		want.Paid += st.Paid
		want.Outstanding += st.Outstanding
		want.InstalmentsDue += st.InstalmentsDue
		want.InstalmentsHeld += st.InstalmentsHeld
		want.InstalmentsPaid += st.InstalmentsPaid
		want.CheckInsReceived += st.CheckInsReceived
		want.CheckInsByConversation += st.CheckInsByConversation
		want.CheckInsLate += st.CheckInsLate
		want.CheckInsOverdue += st.CheckInsOverdue
		want.BouncingContacts += st.BouncingContacts
		want.SupportDelivered += st.SupportDelivered
		want.RepliesAskingForHelp += st.RepliesAskingForHelp
		want.HelpToFollowUp += st.HelpToFollowUp
		want.ChangesAsked += st.ChangesAsked
		want.NeedsAttention += st.NeedsAttention
		for k, n := range st.PaidDaysLate {
			if want.PaidDaysLate == nil {
				want.PaidDaysLate = map[string]int{}
			}
			want.PaidDaysLate[k] += n
		}
	}
	if !reflect.DeepEqual(s.Totals, want) {
		t.Errorf("Totals = %+v, want %+v", s.Totals, want)
	}
	s.Totals = grants.Stats{}
	return s
}

// A total that would pass 2^63-1 minor units is an error, never a wrapped,
// negative figure.
func TestSummarizeRefusesToOverflow(t *testing.T) {
	const huge = 1<<63 - 1
	in := []grants.Agreement{
		agr("001", grants.AgreementActive, huge, "GBP", grants.Stats{Outstanding: huge}),
		agr("002", grants.AgreementActive, 2, "GBP", grants.Stats{Outstanding: 2}),
	}
	if s, err := summarizeList("p", in, 0, today); !errors.Is(err, money.ErrOverflow) {
		t.Fatalf("Summarize = %+v, %v; want ErrOverflow", s.Currencies["GBP"], err)
	}
}

// TestSummarizeMoneyAddsUp checks, for agreements in every status whose
// Stats come from the domain's own ComputeStats over the instalment states
// each status can have, that the money adds up in every currency (issue
// 26, item 9): committed − paid = outstanding; paid is every paid
// instalment and cancelled every cancelled one, plus what a closed or
// terminated agreement left unpaid; committed + cancelled is every award
// made (drafts commit nothing).
func TestSummarizeMoneyAddsUp(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	currencies := []string{"GBP", "EUR", "USD", "JPY", "KWD"}
	statuses := []grants.AgreementStatus{grants.AgreementDraft, grants.AgreementActive, grants.AgreementCompleted, grants.AgreementTerminated}
	live := []grants.InstalmentStatus{grants.InstalmentScheduled, grants.InstalmentDue, grants.InstalmentPaid, grants.InstalmentHeld, grants.InstalmentCancelled}
	ended := []grants.InstalmentStatus{grants.InstalmentPaid, grants.InstalmentCancelled}
	type sums struct{ awarded, paid, cancelled int64 }
	for iter := range 2000 {
		n := r.IntN(12)
		in := make([]grants.Agreement, n)
		want := map[string]*sums{}
		for i := range in {
			count := r.IntN(12) + 1
			a := grants.Agreement{
				ID: fmt.Sprint(i), Status: statuses[r.IntN(len(statuses))],
				Amount:   r.Int64N(1<<40) + int64(count),
				Currency: currencies[r.IntN(len(currencies))],
			}
			a.Instalments = grants.InstalmentPlan(a.Amount, grants.Date{Year: 2026, Month: 1, Day: 31}, count, grants.CadenceMonthly)
			w := want[a.Currency]
			if w == nil {
				w = &sums{}
				want[a.Currency] = w
			}
			if a.Status != grants.AgreementDraft {
				w.awarded += a.Amount
			}
			for k := range a.Instalments {
				in := &a.Instalments[k]
				switch a.Status {
				case grants.AgreementActive:
					in.Status = live[r.IntN(len(live))]
				case grants.AgreementCompleted, grants.AgreementTerminated:
					// Closed early or terminated: some paid, the rest
					// cancelled; or (rarely, an old record) left as it was.
					in.Status = ended[r.IntN(len(ended))]
					if r.IntN(20) == 0 {
						in.Status = grants.InstalmentDue
					}
				}
				switch {
				case in.Status == grants.InstalmentPaid:
					w.paid += in.Amount
				case a.Status == grants.AgreementDraft:
				case in.Status == grants.InstalmentCancelled || a.Status != grants.AgreementActive:
					w.cancelled += in.Amount
				}
			}
			a.Stats = a.ComputeStats()
			a.Instalments = nil // as listed from the index
			in[i] = a
		}
		s := summarize(t, in, 0)
		if len(s.Currencies) != len(want) {
			t.Fatalf("iteration %d: currencies %v, want %d", iter, s.Currencies, len(want))
		}
		for cur, c := range s.Currencies {
			w := want[cur]
			if c.Committed.Minor-c.Paid.Minor != c.Outstanding.Minor {
				t.Fatalf("iteration %d, %s: committed %d − paid %d != outstanding %d", iter, cur, c.Committed.Minor, c.Paid.Minor, c.Outstanding.Minor)
			}
			if c.Paid.Minor != w.paid || c.Cancelled.Minor != w.cancelled || c.Committed.Minor+c.Cancelled.Minor != w.awarded {
				t.Fatalf("iteration %d, %s: %+v; want paid %d, cancelled %d, committed + cancelled %d", iter, cur, c, w.paid, w.cancelled, w.awarded)
			}
			for _, tot := range []Total{c.Committed, c.Paid, c.Outstanding, c.Cancelled} {
				if tot.Minor < 0 || tot.Major != (money.Amount{Minor: tot.Minor, Currency: cur}).Major() {
					t.Fatalf("iteration %d, %s: %+v", iter, cur, tot)
				}
			}
		}
		if s.Status.Total != n {
			t.Fatalf("iteration %d: counts %+v for %d agreements", iter, s.Status, n)
		}
	}
}

// The on-time rate and the median come exactly from the paid-days-late
// histograms the agreements' Stats add up to.
func TestLatenessFromSummedHistograms(t *testing.T) {
	today := grants.Date{Year: 2026, Month: 6, Day: 1}
	agreements := []grants.Agreement{
		{ID: "a", Status: grants.AgreementActive, Currency: "GBP", Stats: grants.Stats{InstalmentsPaid: 3, PaidDaysLate: map[string]int{"0": 2, "12": 1}}},
		{ID: "b", Status: grants.AgreementCompleted, Currency: "GBP", Stats: grants.Stats{InstalmentsPaid: 1, PaidDaysLate: map[string]int{"3": 1}}},
		{ID: "c", Status: grants.AgreementDraft, Currency: "GBP"},
	}
	s, err := summarizeList("p", agreements, 0, today)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"0": 2, "3": 1, "12": 1}; !reflect.DeepEqual(s.PaidDaysLate, want) {
		t.Fatalf("histogram %v, want %v", s.PaidDaysLate, want)
	}
	s.MeasureLateness(10, 2)
	l := s.Lateness
	// 0, 0, 3, 12: three of four within 10 days; median (0+3)/2.
	if l.InstalmentsPaid != 4 || l.PaidOnTime != 3 || *l.OnTimeRate != 0.75 || *l.MedianDaysLate != 1.5 || l.LateNow != 2 || l.OnTimeWorkingDays != 10 {
		t.Errorf("lateness %+v (rate %v, median %v)", l, *l.OnTimeRate, *l.MedianDaysLate)
	}
	s.MeasureLateness(2, 0)
	if l := s.Lateness; l.PaidOnTime != 2 || *l.OnTimeRate != 0.5 {
		t.Errorf("within 2 days: %+v", l)
	}
	s.PaidDaysLate["12"] = 2 // 0, 0, 3, 12, 12: median 3
	s.MeasureLateness(10, 0)
	if got := *s.Lateness.MedianDaysLate; got != 3 {
		t.Errorf("odd count median %v, want 3", got)
	}
	empty, _ := summarizeList("p", nil, 0, today)
	empty.MeasureLateness(10, 0)
	if empty.Lateness.OnTimeRate != nil || empty.Lateness.MedianDaysLate != nil {
		t.Errorf("nothing paid: rate and median must be null, got %+v", empty.Lateness)
	}
}

// summarizeList adds up a programme from agreements as the list index
// returns them, as the store's programme aggregate keeps it: the sum of
// their tallies, with today's marks taken from the list.
func summarizeList(programme string, agreements []grants.Agreement, quarantined int, today grants.Date) (Summary, error) {
	t, marks, err := Recount(agreements, today)
	if err != nil {
		return Summary{}, err
	}
	return FromTally(programme, t, marks, quarantined, today)
}
