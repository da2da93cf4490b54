package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
)

// Tally is what agreements add to their programme's summary: additive
// counters by name. One agreement's tally (TallyOf) is its contribution;
// a programme's is the sum of its agreements' tallies, which the store keeps
// up to date by adding each change's difference (Delta), so the summary
// reads a handful of counters whatever the programme's size.
//
// The names:
//
//	status.<status>                  agreements in that status (1 or 0 for one agreement)
//	money.<currency>.committed       see CurrencyTotals; also .paid, .outstanding and .cancelled
//	stats.<field>                    every number in grants.Stats, by its JSON name
//	stats.<field>.<key>              every value of a map of numbers in grants.Stats
//
// Every number of grants.Stats is a per-agreement additive counter, so a
// field added to Stats is summed with no change here (Summary.Totals).
type Tally map[string]int64

// Tally name prefixes.
const (
	tallyStatus = "status."
	tallyMoney  = "money."
	tallyStats  = "stats."
)

// Money figures of a currency, in this order in CurrencyTotals.
var moneyFigures = [4]string{"committed", "paid", "outstanding", "cancelled"}

// TallyVersion names what TallyOf counts. A store keeps it with a
// programme's aggregate and rebuilds an aggregate kept under another, so a
// change to what an agreement contributes never mixes with sums made
// before it. Raise it whenever TallyOf counts differently.
//
// 2: committed is paid plus outstanding, and the cancelled figure (what a
// closed or terminated agreement will never pay) is counted apart; before,
// a completed agreement closed early committed its whole award.
const TallyVersion = 2

// TallyOf is one agreement's contribution to its programme's summary.
func TallyOf(a *grants.Agreement) (Tally, error) {
	t := Tally{tallyStatus + string(a.Status): 1}
	st := a.Stats
	committed, outstanding, cancelled, err := commitment(a)
	if err != nil {
		return nil, err
	}
	cur := a.Currency
	if cur == "" {
		cur = money.DefaultCurrency
	}
	// Counting the currency's agreements keeps a currency whose figures
	// are all zero (drafts only) in the summary.
	t[tallyMoney+cur+".agreements"] = 1
	for i, v := range [4]int64{committed, st.Paid, outstanding, cancelled} {
		t[tallyMoney+cur+"."+moneyFigures[i]] = v
	}
	if err := flattenNumbers(st, tallyStats, t); err != nil {
		return nil, err
	}
	return t.nonZero(), nil
}

// commitment is what a's award comes to in the summary, with checked sums:
// committed (paid, and what is still to pay) and cancelled (the rest of
// the award, which will never be paid). An active agreement still expects
// its outstanding instalments; a completed or terminated one expects
// nothing more, so whatever of its award was not paid is cancelled. A
// draft commits nothing. The instalments of a stored agreement sum to its
// award (Agreement.CheckStored), so cancelled is never negative there.
func commitment(a *grants.Agreement) (committed, outstanding, cancelled int64, err error) {
	switch a.Status {
	case grants.AgreementActive:
		outstanding = a.Stats.Outstanding
	case grants.AgreementCompleted, grants.AgreementTerminated:
	default:
		return 0, 0, 0, nil
	}
	if committed, err = money.Add(a.Stats.Paid, outstanding); err == nil {
		cancelled, err = money.Add(a.Amount, -committed)
	}
	if err != nil {
		return 0, 0, 0, fmt.Errorf("agreement %s: %w", a.ID, err)
	}
	return committed, outstanding, cancelled, nil
}

// flattenNumbers adds every number of s, and every value of its maps of
// numbers, to t under prefix<name>. It goes through JSON so that it follows
// Stats' field names and any field added later.
func flattenNumbers(s any, prefix string, t Tally) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var fields map[string]any
	if err := dec.Decode(&fields); err != nil {
		return err
	}
	for name, v := range fields {
		switch v := v.(type) {
		case json.Number:
			if err := t.put(prefix+name, v); err != nil {
				return err
			}
		case map[string]any:
			for key, kv := range v {
				if n, ok := kv.(json.Number); ok {
					if err := t.put(prefix+name+"."+key, n); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func (t Tally) put(name string, v json.Number) error {
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return fmt.Errorf("stats counter %s: %w", name, err)
	}
	t[name] = n
	return nil
}

func (t Tally) nonZero() Tally {
	maps.DeleteFunc(t, func(_ string, v int64) bool { return v == 0 })
	return t
}

// Delta is what changing an agreement from before to after changes in its
// programme's tally: after's contribution minus before's, zeros left out
// (nil before: a new agreement). An empty delta changes nothing.
func Delta(before, after *grants.Agreement) (Tally, error) {
	d, err := TallyOf(after)
	if err != nil || before == nil {
		return d, err
	}
	old, err := TallyOf(before)
	if err != nil {
		return nil, err
	}
	for k, v := range old {
		if d[k], err = money.Add(d[k], -v); err != nil {
			return nil, fmt.Errorf("tally %s: %w", k, err)
		}
	}
	return d.nonZero(), nil
}

// Change is what changing an agreement from before to after (before nil:
// a new agreement) changes in its programme's summary: Delta, added to the
// tally, and the agreement's marks, from Before to After. ChangeOf decides
// it from the agreements alone; a store only lays it out, in the same
// transaction as the agreement.
type Change struct {
	Delta         Tally
	Before, After AgreementMarks
}

// AgreementMarks is what of one agreement the summary reads apart from the
// tally, because whether it counts depends on today (see Marks): an active
// agreement's end date, and a running agreement's bouncing partner. Each is
// zero when the agreement has none.
type AgreementMarks struct {
	EndDate  grants.Date
	Bouncing BouncingPartner
}

// MarksOf is a's marks; nil has none.
func MarksOf(a *grants.Agreement) AgreementMarks {
	var m AgreementMarks
	if a == nil {
		return m
	}
	if a.Status == grants.AgreementActive {
		m.EndDate = a.EndDate
	}
	if b, ok := Bouncing(a); ok {
		m.Bouncing = b
	}
	return m
}

// IsBouncing reports whether the agreement has a bouncing partner.
func (m AgreementMarks) IsBouncing() bool { return m.Bouncing != BouncingPartner{} }

// ChangeOf is the change from before to after in their programme's
// summary. after's Stats must be current (grants.Agreement.ComputeStats);
// before's are as stored.
func ChangeOf(before, after *grants.Agreement) (Change, error) {
	d, err := Delta(before, after)
	if err != nil {
		return Change{}, err
	}
	return Change{Delta: d, Before: MarksOf(before), After: MarksOf(after)}, nil
}

// Add adds o into t with checked sums: a total that would overflow is an
// error, never a wrapped number.
func (t Tally) Add(o Tally) error {
	for k, v := range o {
		sum, err := money.Add(t[k], v)
		if err != nil {
			return fmt.Errorf("tally %s: %w", k, err)
		}
		t[k] = sum
	}
	return nil
}

// Names lists the tally's counters in order.
func (t Tally) Names() []string { return slices.Sorted(maps.Keys(t)) }

// Marks is what the summary needs that depends on today, read apart from
// the tally in proportion to what it holds.
type Marks struct {
	// PastEndDate is the active agreements whose end date is before today.
	PastEndDate int
	// Bouncing is the running agreements some of whose contacts' mail bounces.
	Bouncing []BouncingPartner
}

// FromTally is the programme's summary from its tally, today's marks and
// the number of replies held for a person.
func FromTally(programme string, t Tally, marks Marks, quarantined int, today grants.Date) (Summary, error) {
	s := Summary{
		Programme:   programme,
		AsOf:        today,
		Currencies:  map[string]CurrencyTotals{},
		Quarantined: quarantined,
		PastEndDate: marks.PastEndDate,
		Bouncing:    append([]BouncingPartner{}, marks.Bouncing...),
	}
	stats := map[string]any{}
	for name, v := range t {
		switch {
		case strings.HasPrefix(name, tallyStatus):
			n := int(v)
			s.Status.Total += n
			switch grants.AgreementStatus(strings.TrimPrefix(name, tallyStatus)) {
			case grants.AgreementDraft:
				s.Status.Draft += n
			case grants.AgreementActive:
				s.Status.Active += n
			case grants.AgreementCompleted:
				s.Status.Completed += n
			case grants.AgreementTerminated:
				s.Status.Terminated += n
			}
		case strings.HasPrefix(name, tallyMoney):
			cur, figure, ok := strings.Cut(strings.TrimPrefix(name, tallyMoney), ".")
			i := slices.Index(moneyFigures[:], figure)
			if !ok || (i < 0 && (figure != "agreements" || v <= 0)) {
				continue
			}
			c := s.Currencies[cur]
			c.Currency = cur
			switch i {
			case 0:
				c.Committed = total(v, cur)
			case 1:
				c.Paid = total(v, cur)
			case 2:
				c.Outstanding = total(v, cur)
			case 3:
				c.Cancelled = total(v, cur)
			}
			s.Currencies[cur] = c
		case strings.HasPrefix(name, tallyStats):
			field, key, isMap := strings.Cut(strings.TrimPrefix(name, tallyStats), ".")
			if !isMap {
				stats[field] = v
				continue
			}
			m, _ := stats[field].(map[string]int64)
			if m == nil {
				m = map[string]int64{}
				stats[field] = m
			}
			m[key] = v
		}
	}
	for cur, c := range s.Currencies {
		// A currency all of whose figures are zero still shows, with zeros.
		for _, tot := range []*Total{&c.Committed, &c.Paid, &c.Outstanding, &c.Cancelled} {
			if tot.Major == "" {
				*tot = total(0, cur)
			}
		}
		s.Currencies[cur] = c
	}
	b, err := json.Marshal(stats)
	if err == nil {
		err = json.Unmarshal(b, &s.Totals)
	}
	if err != nil {
		return Summary{}, fmt.Errorf("programme %s: totals: %w", programme, err)
	}
	tot := s.Totals
	s.InstalmentsDue, s.InstalmentsHeld = tot.InstalmentsDue, tot.InstalmentsHeld
	s.CheckInsReceived, s.CheckInsByConversation = tot.CheckInsReceived, tot.CheckInsByConversation
	s.SupportDelivered, s.RepliesAskingForHelp, s.HelpToFollowUp = tot.SupportDelivered, tot.RepliesAskingForHelp, tot.HelpToFollowUp
	s.CheckInsLate, s.CheckInsOverdue = tot.CheckInsLate, tot.CheckInsOverdue
	s.PaidDaysLate = tot.PaidDaysLate
	if s.PaidDaysLate == nil {
		s.PaidDaysLate = map[string]int{}
	}
	return s, nil
}
